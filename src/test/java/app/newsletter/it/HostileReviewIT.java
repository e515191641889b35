package app.newsletter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The hostile review's attacks that need the real HTTP stack (issue 12, items 1, 5, 6 and 11), replayed against the
 * packaged jar ({@code target/quarkus-app/quarkus-run.jar}) with production defaults, configured only through its
 * environment as {@code .env.example} has it behind a proxy (forwarding on, the test client as the trusted proxy),
 * on an embedded PostgreSQL and GreenMail. Its output is in {@code target/it-logs/hostile-review.log}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileReviewIT {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
    private static final Path LOG = Path.of("target", "it-logs", "hostile-review.log").toAbsolutePath();
    /** htpasswd -nbBC 10 alice alice-staff-password; role admin. */
    private static final String ALICE = "$2y$10$Va13/OlIKD4aZtzGtwC50OGvwFeD4xgq4.isSMudy6KulLl4BryDi";
    /** htpasswd -nbBC 10 bob bob-staff-password; role marketing, the one whose password is guessed. */
    private static final String BOB = "$2y$10$ZVNgGrMrKrbmITUXz.iuM.Z5NnlPoFp692htwhwy5k6zuwpPgZmEW";
    private static final int SUBSCRIBERS = 100_000;

    private EmbeddedPostgres postgres;
    private GreenMail smtp;
    private Process service;
    private int port;
    private int managementPort;
    /** HTTP/1.1, as the proxy in front speaks to the service. */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: run the integration tests after package");
        Files.createDirectories(LOG.getParent());
        postgres = EmbeddedPostgres.builder().start();
        smtp = new GreenMail(new ServerSetup(freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        port = freePort();
        managementPort = freePort();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString())
                .directory(JAR.getParent().toFile()).redirectErrorStream(true).redirectOutput(LOG.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("NEWSLETTER_"));
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres");
        env.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
        env.put("QUARKUS_DATASOURCE_PASSWORD", "postgres");
        env.put("QUARKUS_MAILER_HOST", "127.0.0.1");
        env.put("QUARKUS_MAILER_PORT", String.valueOf(smtp.getSmtp().getPort()));
        env.put("QUARKUS_MAILER_FROM", "Peptide Evolution <newsletter@peptide.example>");
        env.put("QUARKUS_MAILER_MOCK", "false");
        // Behind a proxy, as .env.example has it; the test client plays the proxy.
        env.put("QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING", "true");
        env.put("QUARKUS_HTTP_PROXY_TRUSTED_PROXIES", "127.0.0.1");
        env.put("NEWSLETTER_STAFF_USERS_ALICE_PASSWORD_HASH", ALICE);
        env.put("NEWSLETTER_STAFF_USERS_ALICE_ROLES", "admin");
        env.put("NEWSLETTER_STAFF_USERS_BOB_PASSWORD_HASH", BOB);
        env.put("NEWSLETTER_STAFF_USERS_BOB_ROLES", "marketing");
        service = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(service::destroyForcibly, "hostile-review-cleanup"));
        try {
            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
                if (!service.isAlive()) {
                    throw new AssertionError("the service exited:\n" + Files.readString(LOG));
                }
                try {
                    return get("/q/health/ready", Map.of()).statusCode() == 200;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (ConditionTimeoutException e) {
            fail("not ready within 120 s:\n" + Files.readString(LOG));
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (service != null) {
            service.destroy();
            if (!service.waitFor(40, TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
        }
        if (smtp != null) {
            smtp.stop();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    // 1. A cancelled export

    @Test
    void an_export_hung_up_mid_stream_is_audited_as_aborted_and_no_signup_fails_after_it() throws Exception {
        sql("insert into subscriber (list_id, email, status, created_at, updated_at) select 'peptide-evolution', "
                + "'bulk' || g || '@example.com', 'CONFIRMED', now(), now() from generate_series(1, " + SUBSCRIBERS
                + ") g");
        for (int abort = 0; abort < 3; abort++) {
            try (Socket socket = new Socket()) {
                socket.setReceiveBufferSize(4096);
                socket.connect(new InetSocketAddress("127.0.0.1", port));
                OutputStream request = socket.getOutputStream();
                request.write(("GET /api/admin/subscribers.csv?list=peptide-evolution HTTP/1.1\r\nHost: x\r\n"
                        + "Authorization: " + basic("alice", "alice-staff-password") + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] some = socket.getInputStream().readNBytes(64 * 1024);
                assertTrue(new String(some, StandardCharsets.UTF_8).startsWith("HTTP/1.1 200"),
                        new String(some, 0, Math.min(200, some.length), StandardCharsets.UTF_8));
                assertEquals("started", one("select outcome from audit_log where action = 'EXPORT_SUBSCRIBERS' "
                        + "order by id desc limit 1"), "audited before the first byte");
                socket.setSoLinger(true, 0); // hang up hard, as a killed curl does
            }
        }
        Awaitility.await("every cut-short export completed as aborted").atMost(Duration.ofSeconds(30))
                .until(() -> "3".equals(one("select count(*) from audit_log where action = 'EXPORT_SUBSCRIBERS' "
                        + "and outcome = 'aborted' and finished_at is not null and row_count < " + SUBSCRIBERS)));

        List<CompletableFuture<HttpResponse<String>>> signups = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            signups.add(http.sendAsync(signupRequest("after-abort-" + i + "@example.com", "192.0.2." + (i + 1)),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> signup : signups) {
            HttpResponse<String> reply = signup.get(30, TimeUnit.SECONDS);
            assertEquals(202, reply.statusCode(), reply.body());
        }
        assertEquals("40", one("select count(*) from subscriber where email like 'after-abort-%'"));
    }

    // 5. Forwarded IPs

    @Test
    void a_client_that_writes_its_own_x_forwarded_for_in_front_of_the_proxys_entry_is_limited_by_its_real_ip()
            throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            statuses.add(send(signupRequest("spoof-" + i + "@example.com", "198.51.100." + i + ", 203.0.113.50"))
                    .statusCode());
        }
        // The default window: 10 a minute for 203.0.113.50, whatever it wrote in front.
        assertEquals(List.of(202, 202, 202, 202, 202, 202, 202, 202, 202, 202, 429, 429), statuses);
        assertEquals("10", one("select count(*) from consent_record where ip = '203.0.113.50'"));
    }

    @Test
    void an_unknown_forwarded_address_is_limited_as_one_shared_client_never_skipped() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 1; i <= 11; i++) {
            statuses.add(send(signupRequest("unknown-" + i + "@example.com", "unknown")).statusCode());
        }
        assertEquals(202, statuses.get(9));
        assertEquals(429, statuses.get(10));
    }

    // 6. Guessing staff passwords

    @Test
    void guessing_a_staff_password_is_throttled_to_ten_failures_a_minute_then_429_even_for_the_right_one()
            throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            statuses.add(get("/api/admin/exports", Map.of("Authorization", basic("bob", "guess-" + i),
                    "X-Forwarded-For", "198.51.100.200")).statusCode());
        }
        assertEquals(List.of(401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 429, 429), statuses);
        HttpResponse<String> right = get("/api/admin/exports", Map.of("Authorization",
                basic("bob", "bob-staff-password"), "X-Forwarded-For", "198.51.100.201"));
        assertEquals(429, right.statusCode(), "the user name's window holds for every IP");
        assertTrue(right.headers().firstValue("Retry-After").isPresent());
        assertTrue(right.body().contains("Too many failed logins"), right.body());
        // Another user from another address is not affected.
        assertEquals(200, get("/api/admin/exports", Map.of("Authorization", basic("alice", "alice-staff-password"),
                "X-Forwarded-For", "198.51.100.202")).statusCode());
    }

    // 11. Slow clients

    @Test
    void a_client_dripping_a_partial_request_is_cut_off_and_health_answers_meanwhile() throws Exception {
        List<Socket> drips = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                socket.getOutputStream().write(("POST /api/subscriptions HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{").getBytes(
                                StandardCharsets.US_ASCII));
                drips.add(socket);
            }
            long started = System.nanoTime();
            HttpResponse<String> health = get("/q/health/ready", Map.of());
            assertEquals(200, health.statusCode());
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(2), "health waited behind the drips");
            // The drips hold no worker thread (200 is the pool's size): a real visitor still signs up at once.
            HttpResponse<String> visitor = send(signupRequest("during-drips@example.com", "192.0.2.250"));
            assertEquals(202, visitor.statusCode(), visitor.body());
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(4), "the signup waited behind the drips");
            // A byte every 5 s keeps the idle timeout from firing; the read timeout (30 s for the whole body) does.
            Socket dripping = drips.get(0);
            dripping.setSoTimeout(1000);
            long cut = 0;
            for (int second = 0; second < 45 && cut == 0; second++) {
                try {
                    if (second % 5 == 4) {
                        dripping.getOutputStream().write(' ');
                    }
                    if (dripping.getInputStream().read() < 0) {
                        cut = System.nanoTime();
                    }
                } catch (SocketTimeoutException stillOpen) {
                    // nothing yet
                } catch (IOException closed) {
                    cut = System.nanoTime();
                }
            }
            assertTrue(cut != 0, "a dripping request was still open after 45 s");
            long seconds = TimeUnit.NANOSECONDS.toSeconds(cut - started);
            assertTrue(seconds <= 40, "cut off after " + seconds + " s");
        } finally {
            for (Socket socket : drips) {
                socket.close();
            }
        }
    }

    // Helpers

    private HttpRequest signupRequest(String email, String forwardedFor) {
        return HttpRequest.newBuilder(uri("/api/subscriptions")).header("Content-Type", "application/json")
                .header("X-Forwarded-For", forwardedFor)
                .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + email + "\"}")).build();
    }

    private HttpResponse<String> get(String path, Map<String, String> headers) throws IOException,
            InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
        headers.forEach(request::header);
        return send(request.build());
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + (path.startsWith("/q/") ? managementPort : port) + path);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                PreparedStatement s = c.prepareStatement(statement)) {
            s.execute();
        }
    }

    private String one(String query) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                PreparedStatement s = c.prepareStatement(query);
                ResultSet rows = s.executeQuery()) {
            return rows.next() ? rows.getString(1) : null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
