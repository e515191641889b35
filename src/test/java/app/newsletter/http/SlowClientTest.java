package app.newsletter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import app.newsletter.support.GreenMailResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * Attack: open connections and send a request a byte at a time, or not at all, to hold sockets until the process
 * runs out of files. The server closes a connection that stays silent for the idle timeout (30 s in production, 1 s
 * here so that the test is short).
 */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
@TestProfile(SlowClientTest.ShortIdle.class)
class SlowClientTest {

    public static class ShortIdle implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.idle-timeout", "1S");
        }
    }

    @Test
    void a_half_sent_request_that_goes_silent_is_closed_by_the_server() throws Exception {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.getOutputStream().write("POST /api/subscriptions HTTP/1.1\r\nHost: local".getBytes(
                    StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            socket.setSoTimeout(10_000);
            long start = System.nanoTime();
            InputStream in = socket.getInputStream();
            int read;
            try {
                read = in.read();
                while (read != -1) {
                    read = in.read();
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server kept a silent half-sent request open for 10 s", e);
            } catch (java.net.SocketException reset) {
                read = -1; // closed by a reset: closed all the same
            }
            assertEquals(-1, read);
            Duration open = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(open.compareTo(Duration.ofSeconds(5)) < 0, "closed after " + open);
        }
    }
}
