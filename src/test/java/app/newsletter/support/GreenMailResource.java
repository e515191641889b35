package app.newsletter.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real SMTP server for the tests, on a free port. {@link Smtp} lets a test stop and restart it on the same port to
 * play an SMTP outage.
 */
public class GreenMailResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        int port = freePort();
        Smtp.start(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        return Map.of(
                "quarkus.mailer.host", "127.0.0.1",
                "quarkus.mailer.port", String.valueOf(port),
                "quarkus.mailer.mock", "false",
                "quarkus.mailer.from", "Peptide Evolution <newsletter@peptide.example>");
    }

    @Override
    public void stop() {
        Smtp.stop();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The running GreenMail, reachable from tests. */
    public static final class Smtp {
        private static ServerSetup setup;
        private static volatile GreenMail server;

        private Smtp() {
        }

        static synchronized void start(ServerSetup serverSetup) {
            setup = serverSetup;
            restart();
        }

        public static synchronized void restart() {
            server = new GreenMail(setup);
            server.start();
        }

        public static synchronized void stop() {
            if (server != null) {
                server.stop();
            }
        }

        public static GreenMail server() {
            return server;
        }
    }
}
