package app.newsletter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import app.newsletter.support.WebhookReceiver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The packaged service as it runs in production: three instances of {@code target/quarkus-app/quarkus-run.jar},
 * configured only through environment variables, share one PostgreSQL (embedded) and one SMTP server (GreenMail).
 * The third instance reaches the database through a TCP proxy of this test, so the database can be taken away from
 * it (and given back) while it runs.
 * <ol>
 * <li>5,000 signups spread over the instances; one instance is stopped with SIGTERM at 40 %. Every mail arrives
 * exactly once.</li>
 * <li>Database outage: fast 503 problem answers, readiness DOWN, and recovery without a restart.</li>
 * <li>SMTP outage: signups go on, readiness stays UP and reports the backlog, delivered once SMTP returns.</li>
 * </ol>
 * Runs in {@code ./mvnw verify} (failsafe, after {@code package}); {@code -Dit.signups=N} makes the load smaller for
 * a quick local run. The instances' output is in {@code target/it-logs/instance-N.log}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiInstanceIT {

    private static final int SIGNUPS = Integer.getInteger("it.signups", 5_000);
    private static final int CONCURRENCY = 32;
    private static final double SIGTERM_AT = 0.4;
    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
    private static final Path LOGS = Path.of("target", "it-logs").toAbsolutePath();
    private static final String FROM = "Peptide Evolution <newsletter@peptide.example>";
    private static final Pattern ERROR_LINE = Pattern.compile("(?m)^\\S+ \\S+ ERROR ");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    /** GreenMail logs a line per new mailbox (5,000 of them); kept here so the level is not garbage-collected. */
    private static final java.util.logging.Logger GREENMAIL_LOG = java.util.logging.Logger
            .getLogger("com.icegreen.greenmail");

    private EmbeddedPostgres postgres;
    private Smtp smtp;
    private TcpProxy proxy;
    private final List<Instance> instances = new CopyOnWriteArrayList<>();
    private HttpClient http;
    private ExecutorService httpExecutor;
    private final AtomicInteger clientErrors = new AtomicInteger();
    private final String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);

    // ----------------------------------------------------------------------------------------------------------------
    // Set-up and tear-down
    // ----------------------------------------------------------------------------------------------------------------

    @BeforeAll
    void start() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: run the integration tests after package");
        GREENMAIL_LOG.setLevel(java.util.logging.Level.WARNING);
        Files.createDirectories(LOGS);
        postgres = EmbeddedPostgres.builder().start();
        smtp = new Smtp(freePort());
        WebhookReceiver.start();
        proxy = new TcpProxy(freePort(), postgres.getPort());
        proxy.open();
        httpExecutor = Executors.newFixedThreadPool(CONCURRENCY + 8, daemon("it-http"));
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .executor(httpExecutor).build();

        // Should this JVM be killed (a CI timeout), the instances must not outlive it.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> instances.forEach(i -> i.process.destroyForcibly()),
                "it-instances-cleanup"));
        long started = System.nanoTime();
        // Instance 3 talks to the database through the proxy from the start, for the database outage.
        for (int n = 1; n <= 3; n++) {
            int dbPort = n == 3 ? proxy.port : postgres.getPort();
            instances.add(Instance.start(n, freePort(), freePort(), dbPort, smtp.port));
        }
        for (Instance instance : instances) {
            awaitReady(instance, Duration.ofSeconds(120));
        }
        System.out.printf("[it] 3 instances ready in %.1f s%n", seconds(started));
    }

    @AfterAll
    void stop() throws Exception {
        if (clientErrors.get() > 0) {
            System.out.printf("[it] %d client-side connection errors towards running instances (see above)%n",
                    clientErrors.get());
        }
        for (Instance instance : instances) {
            instance.process.destroy();
        }
        for (Instance instance : instances) {
            if (!instance.process.waitFor(40, TimeUnit.SECONDS)) {
                instance.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (httpExecutor != null) {
            httpExecutor.shutdownNow();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
        WebhookReceiver.stop();
        if (postgres != null) {
            postgres.close();
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // 1. Load over three instances, one of them stopped gracefully at 40 %
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void signups_spread_over_three_instances_with_one_stopped_by_sigterm_each_send_exactly_one_mail()
            throws Exception {
        Instance victim = instances.get(0);
        List<String> failures = new CopyOnWriteArrayList<>();
        Map<String, AtomicInteger> retries = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicLong victimExit = new AtomicLong(Long.MIN_VALUE);
        AtomicLong victimStopMillis = new AtomicLong();
        ExecutorService workers = Executors.newFixedThreadPool(CONCURRENCY, daemon("it-load"));
        ExecutorService killer = Executors.newSingleThreadExecutor(daemon("it-sigterm"));

        long started = System.nanoTime();
        Future<?> sigterm = killer.submit(() -> {
            Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(5))
                    .until(() -> done.get() >= SIGNUPS * SIGTERM_AT);
            long t0 = System.nanoTime();
            int inFlight = victim.inFlight.get();
            victim.process.destroy(); // SIGTERM
            victim.terminated = true; // as a load balancer does: no new requests go there
            System.out.printf("[it] SIGTERM to instance %d after %d signups, with %d of its requests in flight%n",
                    victim.number, done.get(), inFlight);
            if (victim.process.waitFor(60, TimeUnit.SECONDS)) {
                victimExit.set(victim.process.exitValue());
            }
            victimStopMillis.set(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return null;
        });
        List<Future<?>> loops = new ArrayList<>();
        for (int w = 0; w < CONCURRENCY; w++) {
            loops.add(workers.submit(() -> {
                for (int i = next.getAndIncrement(); i < SIGNUPS; i = next.getAndIncrement()) {
                    signupWithFailover(i, loadAddress(i), failures, retries);
                    done.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> loop : loops) {
            loop.get(5, TimeUnit.MINUTES);
        }
        double loadSeconds = seconds(started);
        sigterm.get(2, TimeUnit.MINUTES);
        workers.shutdownNow();
        killer.shutdownNow();

        assertTrue(failures.isEmpty(), failures.size() + " signups did not answer 202, e.g. "
                + failures.subList(0, Math.min(5, failures.size())));

        // The stopped instance shut down cleanly.
        String victimLog = Files.readString(victim.log);
        assertTrue(victimExit.get() == 0 || victimExit.get() == 143,
                "instance " + victim.number + " exit code " + victimExit.get() + "\n" + tail(victimLog));
        assertTrue(victimLog.contains("stopped in"), "no clean stop in the log:\n" + tail(victimLog));
        Matcher error = ERROR_LINE.matcher(victimLog);
        if (error.find()) {
            fail("ERROR in the log of the stopped instance:\n" + lineAt(victimLog, error));
        }
        assertTrue(!victimLog.contains("outbox round still running at shutdown"), "outbox round not drained");

        // Every mail arrives, none twice.
        awaitTrue(Duration.ofMinutes(3), () -> count("select count(*) from outbox_mail where status = 'SENT' "
                + "and recipient like ?", "load-" + run + "-%") == SIGNUPS
                && smtp.receivedTo("load-" + run + "-").size() >= SIGNUPS,
                () -> "mails not all sent: "
                        + count("select count(*) from outbox_mail where status = 'SENT'") + " SENT, "
                        + smtp.receivedTo("load-" + run + "-").size() + " received");
        double deliveredSeconds = seconds(started);
        settles(Duration.ofMillis(1_500), () -> smtp.receivedTo("load-" + run + "-").size()); // a duplicate would come now
        List<Received> mails = smtp.receivedTo("load-" + run + "-");
        Map<String, Long> perAddress = mails.stream()
                .collect(Collectors.groupingBy(Received::recipient, Collectors.counting()));
        List<String> duplicated = perAddress.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .toList();
        Set<String> missing = new HashSet<>();
        for (int i = 0; i < SIGNUPS; i++) {
            if (!perAddress.containsKey(loadAddress(i))) {
                missing.add(loadAddress(i));
            }
        }
        assertTrue(duplicated.isEmpty(), duplicated.size() + " addresses got more than one mail: "
                + duplicated.subList(0, Math.min(5, duplicated.size())));
        assertTrue(missing.isEmpty(), missing.size() + " addresses got no mail");
        assertEquals(SIGNUPS, mails.size());
        assertEquals(SIGNUPS, mails.stream().map(Received::messageId).distinct().count(),
                "Message-IDs are not all distinct");
        assertTrue(mails.stream().allMatch(m -> m.messageId() != null));
        assertEquals(SIGNUPS, count("select count(*) from outbox_mail"));
        assertEquals(SIGNUPS, count("select count(*) from outbox_mail where status = 'SENT'"));

        // Every signup's webhook event arrives, none twice, signed so that the official verifier accepts it.
        awaitTrue(Duration.ofMinutes(3), () -> WebhookReceiver.at("/hooks/crm", "load-" + run + "-").size() >= SIGNUPS,
                () -> "webhook events not all delivered: "
                        + WebhookReceiver.at("/hooks/crm", "load-" + run + "-").size() + " received");
        settles(Duration.ofMillis(1_500), () -> WebhookReceiver.at("/hooks/crm", "load-" + run + "-").size());
        List<WebhookReceiver.Received> events = WebhookReceiver.at("/hooks/crm", "load-" + run + "-");
        Map<String, Long> eventsPerAddress = new java.util.HashMap<>();
        com.standardwebhooks.Webhook verifier = new com.standardwebhooks.Webhook(WEBHOOK_SECRET);
        for (WebhookReceiver.Received event : events) {
            verifier.verify(event.body(), event.headers());
            eventsPerAddress.merge(JSON.readTree(event.body()).get("data").get("email").asText(), 1L, Long::sum);
        }
        assertEquals(SIGNUPS, eventsPerAddress.size(), "addresses with a subscription.created event");
        assertTrue(eventsPerAddress.values().stream().allMatch(n -> n == 1), "an event was delivered twice");
        assertEquals(SIGNUPS, events.stream().map(e -> e.header("webhook-id")).distinct().count());
        assertEquals(0L, count("select count(*) from webhook_message"), "every event delivered (and so deleted)");

        System.out.printf("[it] load: %d signups in %.1f s = %.0f signups/s over 3 -> 2 instances (%s retried on "
                + "another instance after SIGTERM)%n", SIGNUPS, loadSeconds, SIGNUPS / loadSeconds,
                retries.isEmpty() ? "none" : retries);
        System.out.printf("[it] instance %d stopped gracefully in %.1f s (exit %d)%n", victim.number,
                victimStopMillis.get() / 1000.0, victimExit.get());
        System.out.printf("[it] all %d mails delivered %.1f s after the first signup (%.1f s after the last)%n",
                SIGNUPS, deliveredSeconds, deliveredSeconds - loadSeconds);
    }

    /**
     * Sends signup number {@code i} to the next instance in round-robin order. Only the instance that was stopped may
     * fail to answer (refused connection, or the 503 that Quarkus gives new requests while it drains): the request
     * then goes to another instance, as a load balancer would send it.
     */
    private void signupWithFailover(int i, String email, List<String> failures, Map<String, AtomicInteger> retries) {
        for (int attempt = 0; attempt < 6; attempt++) {
            List<Instance> live = instances.stream().filter(x -> !x.terminated).toList();
            Instance target = live.get((i + attempt) % live.size());
            target.inFlight.incrementAndGet();
            try {
                HttpResponse<String> reply = signup(target, email);
                if (reply.statusCode() == 202) {
                    return;
                }
                if (reply.statusCode() == 503 && target.terminated) {
                    retries.computeIfAbsent("503 while draining", k -> new AtomicInteger()).incrementAndGet();
                    continue;
                }
                failures.add(email + " -> instance " + target.number + ": " + reply.statusCode() + " " + reply.body());
                return;
            } catch (IOException e) {
                if (target.terminated) {
                    retries.computeIfAbsent("connection refused/closed", k -> new AtomicInteger()).incrementAndGet();
                    continue;
                }
                failures.add(email + " -> instance " + target.number + ": " + e);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add(email + ": interrupted");
                return;
            } finally {
                target.inFlight.decrementAndGet();
            }
        }
        failures.add(email + ": no instance answered");
    }

    private String loadAddress(int i) {
        return String.format("load-%s-%05d@example.com", run, i);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // 2. Database outage
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    @Order(2)
    void a_database_outage_answers_503_quickly_and_the_instance_recovers_without_a_restart() throws Exception {
        Instance instance = instances.get(2); // the one behind the proxy
        assertEquals(202, signupTo(instance, "db-" + run + "-before@example.com").statusCode());

        proxy.cut();
        // More signups than the pool holds connections (at most 50), 12 at a time, as traffic goes on during an
        // outage: the first ones find dead pooled connections, the later ones must open new connections, which the
        // cut database refuses. Each must answer 503 with a problem body within 3 s.
        List<String> refused = new CopyOnWriteArrayList<>();
        List<Long> latencies = new CopyOnWriteArrayList<>();
        ExecutorService outage = Executors.newFixedThreadPool(12, daemon("it-outage"));
        List<Future<?>> calls = new ArrayList<>();
        for (int k = 0; k < 60; k++) {
            String email = "db-" + run + "-down-" + k + "@example.com";
            calls.add(outage.submit(() -> {
                long t0 = System.nanoTime();
                HttpResponse<String> reply = signupTo(instance, email);
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                latencies.add(millis);
                refused.add(email);
                assertEquals(503, reply.statusCode(), reply.body());
                assertEquals("application/problem+json",
                        reply.headers().firstValue("Content-Type").orElse("").split(";")[0].trim());
                JsonNode problem = JSON.readTree(reply.body());
                assertEquals("Something went wrong.", problem.path("title").asText(), reply.body());
                assertEquals(503, problem.path("status").asInt(), reply.body());
                assertTrue(millis < 3_000, "503 took " + millis + " ms");
                return null;
            }));
        }
        try {
            for (Future<?> call : calls) {
                call.get(30, TimeUnit.SECONDS);
            }
        } catch (java.util.concurrent.ExecutionException e) {
            proxy.restore(); // a failure here must not leave the instance cut off for the tests after this one
            throw e.getCause() instanceof AssertionError failure ? failure : new AssertionError(e.getCause());
        } finally {
            outage.shutdownNow();
        }
        long slowest = latencies.stream().mapToLong(Long::longValue).max().orElseThrow();
        long readyDownStart = System.nanoTime();
        HttpResponse<String> readiness = get(instance, "/q/health/ready");
        assertEquals(503, readiness.statusCode(), readiness.body());
        assertEquals("DOWN", JSON.readTree(readiness.body()).path("status").asText());
        double readinessSeconds = seconds(readyDownStart);

        proxy.restore();
        long restored = System.nanoTime();
        AtomicInteger attempt = new AtomicInteger();
        String[] accepted = new String[1];
        awaitTrue(Duration.ofSeconds(40), () -> {
            String email = "db-" + run + "-after-" + attempt.getAndIncrement() + "@example.com";
            try {
                HttpResponse<String> reply = signupTo(instance, email);
                if (reply.statusCode() == 202) {
                    accepted[0] = email;
                    return true;
                }
                assertEquals(503, reply.statusCode(), reply.body());
                refused.add(email);
                return false;
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        }, () -> "no 202 after the database came back");
        awaitTrue(Duration.ofSeconds(40), () -> get(instance, "/q/health/ready").statusCode() == 200,
                () -> "readiness not UP after the database came back");
        double recoverySeconds = seconds(restored);

        // Refused signups left nothing behind; the accepted one gets its mail, once.
        for (String email : refused) {
            assertEquals(0, count("select count(*) from subscriber where email = ?", email), email + " was saved");
        }
        awaitTrue(Duration.ofSeconds(30), () -> smtp.receivedTo(accepted[0]).size() == 1,
                () -> "no mail to " + accepted[0]);
        System.out.printf("[it] database outage: 60 signups answered 503 problem in at most %d ms, readiness 503 in "
                + "%.2f s; 202 and readiness UP again %.1f s after the database came back (%d signups refused in all)%n",
                slowest, readinessSeconds, recoverySeconds, refused.size());
    }

    // ----------------------------------------------------------------------------------------------------------------
    // 3. SMTP outage
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    @Order(3)
    void an_smtp_outage_keeps_signups_and_readiness_and_the_backlog_goes_out_once_when_smtp_returns()
            throws Exception {
        List<Instance> live = instances.stream().filter(x -> !x.terminated).toList();
        awaitTrue(Duration.ofSeconds(60), () -> count("select count(*) from outbox_mail where status <> 'SENT'") == 0,
                () -> "outbox not empty before the SMTP outage");
        for (Instance instance : live) {
            // The gauge is read from the database at most every 5 s: it must first show the empty outbox.
            awaitTrue(Duration.ofSeconds(20), () -> metric(get(instance, "/q/metrics").body(),
                    "newsletter_outbox_pending") == 0, () -> "newsletter_outbox_pending not 0 before the outage");
        }
        smtp.stop();
        long outage = System.nanoTime();
        String prefix = "smtp-" + run + "-";
        int signups = 20;
        for (int k = 0; k < signups; k++) {
            HttpResponse<String> reply = signupTo(live.get(k % live.size()), prefix + k + "@example.com");
            assertEquals(202, reply.statusCode(), reply.body());
        }
        for (Instance instance : live) {
            awaitTrue(Duration.ofSeconds(20), () -> {
                HttpResponse<String> ready = get(instance, "/q/health/ready");
                assertEquals(200, ready.statusCode(), ready.body());
                assertEquals("UP", healthStatus(ready.body()), ready.body());
                return outboxPending(ready.body()) > 0;
            }, () -> "readiness of instance " + instance.number + " shows no pending mail");
            awaitTrue(Duration.ofSeconds(20), () -> metric(get(instance, "/q/metrics").body(),
                    "newsletter_outbox_pending") > 0, () -> "newsletter_outbox_pending not > 0");
        }
        assertEquals(0, smtp.receivedTo(prefix).size());
        assertTrue(count("select count(*) from outbox_mail where recipient like ? and attempts >= 1 "
                + "and last_error is not null", prefix + "%") > 0, "no failed attempt recorded");

        smtp.restart();
        double outageSeconds = seconds(outage);
        long back = System.nanoTime();
        awaitTrue(Duration.ofSeconds(60), () -> smtp.receivedTo(prefix).size() >= signups
                && count("select count(*) from outbox_mail where recipient like ? and status = 'SENT'",
                        prefix + "%") == signups,
                () -> smtp.receivedTo(prefix).size() + " of " + signups + " mails after SMTP came back");
        double deliverySeconds = seconds(back);
        settles(Duration.ofSeconds(2), () -> smtp.receivedTo(prefix).size()); // a late duplicate would come now
        Map<String, Long> perAddress = smtp.receivedTo(prefix).stream()
                .collect(Collectors.groupingBy(Received::recipient, Collectors.counting()));
        assertEquals(signups, perAddress.size());
        assertTrue(perAddress.values().stream().allMatch(n -> n == 1), "duplicates: " + perAddress);
        for (Instance instance : live) {
            HttpResponse<String> ready = get(instance, "/q/health/ready");
            assertEquals(200, ready.statusCode());
        }
        System.out.printf("[it] SMTP outage of %.1f s: signups 202, readiness UP with pending > 0; backlog of %d "
                + "delivered once, %.1f s after SMTP came back%n", outageSeconds, signups, deliverySeconds);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Helpers
    // ----------------------------------------------------------------------------------------------------------------

    /**
     * For the outage phases: a request to an instance that is running and listening should never fail at the client.
     * If the JDK client still fails to connect once, the failure is printed with a probe of the port and the request
     * is repeated once; a second failure fails the test.
     */
    private HttpResponse<String> signupTo(Instance instance, String email) throws IOException, InterruptedException {
        return twice(instance, () -> signup(instance, email));
    }

    private HttpResponse<String> getFrom(Instance instance, String path) throws IOException, InterruptedException {
        return twice(instance, () -> send(instance, path));
    }

    private interface Call {
        HttpResponse<String> run() throws IOException, InterruptedException;
    }

    private HttpResponse<String> twice(Instance instance, Call call) throws IOException, InterruptedException {
        try {
            return call.run();
        } catch (IOException e) {
            if (!instance.process.isAlive()) {
                throw e;
            }
            String probe;
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), instance.port)) {
                probe = "port accepts connections";
            } catch (IOException refused) {
                probe = "port refuses: " + refused;
            }
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            clientErrors.incrementAndGet();
            System.out.printf("[it] client error towards running instance %d: %s (root %s); %s; once more%n",
                    instance.number, e, root, probe);
            Thread.sleep(100);
            return call.run();
        }
    }

    private HttpResponse<String> signup(Instance instance, String email) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(instance.uri("/api/subscriptions"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + email + "\",\"consent\":true}"))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(Instance instance, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(instance.uri(path)).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(Instance instance, String path) {
        try {
            return getFrom(instance, path);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitReady(Instance instance, Duration timeout) throws Exception {
        try {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
                if (!instance.process.isAlive()) {
                    throw new AssertionError("instance " + instance.number + " exited with "
                            + instance.process.exitValue() + ":\n" + tail(Files.readString(instance.log)));
                }
                try {
                    return http.send(HttpRequest.newBuilder(instance.uri("/q/health/ready"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString())
                            .statusCode() == 200;
                } catch (IOException e) {
                    return false; // not listening yet
                }
            });
        } catch (ConditionTimeoutException e) {
            fail("instance " + instance.number + " not ready within " + timeout + ":\n"
                    + tail(Files.readString(instance.log)));
        }
    }

    private static String healthStatus(String health) {
        try {
            return JSON.readTree(health).path("status").asText();
        } catch (IOException e) {
            throw new IllegalStateException(health, e);
        }
    }

    private static long outboxPending(String health) {
        try {
            for (JsonNode check : JSON.readTree(health).path("checks")) {
                if ("outbox".equals(check.path("name").asText())) {
                    return check.path("data").path("pending").asLong();
                }
            }
            return -1;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double metric(String page, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.eE+-]+|NaN)$").matcher(page);
        return matcher.find() ? Double.parseDouble(matcher.group(2)) : Double.NaN;
    }

    private long count(String sql, Object... args) {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until a count has stayed the same for the given time (at most three times that long), so that the
     * assertions after it see anything still on its way; they, not this, report what is wrong.
     */
    private static void settles(Duration quiet, java.util.function.IntSupplier count) {
        int[] last = { count.getAsInt() };
        try {
            Awaitility.await().during(quiet).atMost(quiet.multipliedBy(3)).until(() -> {
                int now = count.getAsInt();
                boolean same = now == last[0];
                last[0] = now;
                return same;
            });
        } catch (ConditionTimeoutException e) {
            // still changing: the assertions that follow say how
        }
    }

    private static void awaitTrue(Duration timeout, BooleanSupplier condition,
            java.util.function.Supplier<String> message) {
        try {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(condition::getAsBoolean);
        } catch (ConditionTimeoutException e) {
            fail(message.get() + " (waited " + timeout.toSeconds() + " s)");
        }
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private static String tail(String log) {
        String[] lines = log.split("\\R");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 40), lines.length));
    }

    private static String lineAt(String log, Matcher matcher) {
        int start = matcher.start();
        int end = log.indexOf('\n', start);
        return log.substring(start, Math.min(log.length(), end < 0 ? log.length() : end + 2000));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** One running service: the packaged jar, configured only through its environment. */
    private static final class Instance {
        final int number;
        final int port;
        final int managementPort;
        final Process process;
        final Path log;
        final AtomicInteger inFlight = new AtomicInteger();
        volatile boolean terminated;

        private Instance(int number, int port, int managementPort, Process process, Path log) {
            this.number = number;
            this.port = port;
            this.managementPort = managementPort;
            this.process = process;
            this.log = log;
        }

        static Instance start(int number, int port, int managementPort, int dbPort, int smtpPort)
                throws IOException {
            Path log = LOGS.resolve("instance-" + number + ".log");
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString())
                    .directory(JAR.getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("NEWSLETTER_"));
            env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
            env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
            env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + dbPort + "/postgres");
            env.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
            env.put("QUARKUS_DATASOURCE_PASSWORD", "postgres");
            env.put("QUARKUS_MAILER_HOST", "127.0.0.1");
            env.put("QUARKUS_MAILER_PORT", String.valueOf(smtpPort));
            env.put("QUARKUS_MAILER_FROM", FROM);
            env.put("QUARKUS_MAILER_MOCK", "false");
            env.put("NEWSLETTER_RATE_LIMIT_ENABLED", "false");
            env.put("NEWSLETTER_RATE_LIMIT_CONFIRMATIONS_PER_HOUR", "1000000");
            env.put("NEWSLETTER_OUTBOX_LEASE", "PT15S");
            // A webhook endpoint declared as an operator does, receiving every new signup's event.
            env.put("NEWSLETTER_WEBHOOKS_CRM_URL", WebhookReceiver.url("/hooks/crm"));
            env.put("NEWSLETTER_WEBHOOKS_CRM_SECRET", WEBHOOK_SECRET);
            env.put("NEWSLETTER_WEBHOOKS_CRM_EVENTS", "subscription.created");
            env.put("NEWSLETTER_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true");
            return new Instance(number, port, managementPort, builder.start(), log);
        }

        /** Public paths on the public port; {@code /q/...} (health, metrics) on the management port. */
        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + (path.startsWith("/q/") ? managementPort : port) + path);
        }
    }

    /** A received mail, reduced to what the assertions need (GreenMail forgets its mails when it restarts). */
    private record Received(String recipient, String messageId) {
    }

    /** GreenMail on a fixed port that can be stopped and started again; keeps what the stopped servers received. */
    private static final class Smtp {
        final int port;
        private final List<Received> earlier = new ArrayList<>();
        private GreenMail server;

        Smtp(int port) {
            this.port = port;
            restart();
        }

        synchronized void restart() {
            server = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            server.start();
        }

        synchronized void stop() {
            if (server != null && server.isRunning()) {
                earlier.addAll(read(server.getReceivedMessages()));
                server.stop();
            }
        }

        synchronized List<Received> receivedTo(String prefix) {
            List<Received> all = new ArrayList<>(earlier);
            if (server.isRunning()) {
                all.addAll(read(server.getReceivedMessages()));
            }
            return all.stream().filter(r -> r.recipient().startsWith(prefix)).toList();
        }

        private static List<Received> read(MimeMessage[] messages) {
            List<Received> result = new ArrayList<>(messages.length);
            for (MimeMessage message : messages) {
                try {
                    String[] ids = message.getHeader("Message-ID");
                    for (var to : message.getRecipients(Message.RecipientType.TO)) {
                        result.add(new Received(to.toString().toLowerCase(), ids == null ? null : ids[0]));
                    }
                } catch (MessagingException e) {
                    throw new IllegalStateException(e);
                }
            }
            return result;
        }
    }

    /**
     * A TCP proxy in front of PostgreSQL. {@link #cut()} closes every connection and the listening socket (new
     * connections are refused), as when the database host goes away; {@link #restore()} listens again on the same
     * port.
     */
    private static final class TcpProxy implements AutoCloseable {
        final int port;
        private final int target;
        private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
        private final ExecutorService threads = Executors.newCachedThreadPool(daemon("it-proxy"));
        private volatile ServerSocket listener;

        TcpProxy(int port, int target) {
            this.port = port;
            this.target = target;
        }

        synchronized void open() throws IOException {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            listener = socket;
            threads.submit(() -> accept(socket));
        }

        synchronized void cut() throws IOException {
            listener.close();
            closeAll(sockets);
        }

        void restore() throws IOException {
            open();
        }

        private void accept(ServerSocket socket) {
            while (!socket.isClosed()) {
                try {
                    Socket client = socket.accept();
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                    sockets.add(client);
                    sockets.add(server);
                    threads.submit(() -> pump(client, server));
                    threads.submit(() -> pump(server, client));
                } catch (IOException e) {
                    // closed by cut()
                }
            }
        }

        private void pump(Socket from, Socket to) {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // the other side or cut() closed the connection
            } finally {
                closeAll(List.of(from, to));
                sockets.remove(from);
                sockets.remove(to);
            }
        }

        private static void closeAll(Collection<Socket> all) {
            for (Socket socket : all) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // already closed
                }
            }
        }

        @Override
        public synchronized void close() throws IOException {
            if (listener != null) {
                listener.close();
            }
            closeAll(sockets);
            threads.shutdownNow();
        }
    }
}
