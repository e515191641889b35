package app.newsletter.webhooks;

import static app.newsletter.support.Management.management;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.WebhookReceiver;
import app.newsletter.support.WebhookReceiver.Received;
import app.newsletter.support.WebhookReceiverResource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Deliveries are background work: while visitors keep the public port busy, an endpoint gets at most
 * {@code busy-rate} events a second, and the rest follow as soon as the port is quiet.
 */
@QuarkusTest
@QuarkusTestResource(value = PacedDeliveryTest.SlowWhenBusy.class, restrictToAnnotatedClass = true)
class PacedDeliveryTest {

    private static final int BUSY_RATE = 4;
    private static final int BATCH = 2;
    private static final int EVENTS = 20;

    /** The test receiver, with batches of two and four events a second while busy. */
    public static class SlowWhenBusy extends WebhookReceiverResource {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(super.start());
            config.put("newsletter.webhooks.busy-rate", String.valueOf(BUSY_RATE));
            config.put("newsletter.webhooks.batch-size", String.valueOf(BATCH));
            config.put("newsletter.webhooks.paced.url", WebhookReceiver.url("/hooks/paced"));
            config.put("newsletter.webhooks.paced.secret", SECRET);
            return config;
        }
    }

    @Inject
    Webhooks webhooks;

    @TestHTTPResource("/widget.js")
    URI publicPage;

    @Test
    void while_visitors_keep_coming_an_endpoint_gets_at_most_busy_rate_events_a_second_and_the_rest_once_it_is_quiet()
            throws Exception {
        String run = Addresses.unique("paced");
        HttpClient client = HttpClient.newHttpClient();
        AtomicInteger visits = new AtomicInteger();
        ScheduledExecutorService visitors = Executors.newSingleThreadScheduledExecutor();
        visitors.scheduleAtFixedRate(() -> {
            try {
                if (client.send(HttpRequest.newBuilder(publicPage).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    visits.incrementAndGet();
                }
            } catch (Exception e) {
                // The next visit tries again; the assertions below see too few visits.
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
        Instant queued;
        Set<String> ids = new HashSet<>();
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> visits.get() >= 3);
            QuarkusTransaction.requiringNew().run(() -> {
                for (int i = 0; i < EVENTS; i++) {
                    webhooks.emit(EventType.SUBSCRIPTION_CREATED, "peptide-evolution", Instant.now(),
                            "{\"email\":\"" + i + "." + run + "\",\"status\":\"pending\"}", null);
                }
            });
            queued = Instant.now();

            // Two seconds of visitors: batches of two, half a second apart (one more batch may start the round).
            await().atMost(Duration.ofSeconds(5)).until(() -> !WebhookReceiver.at("/hooks/paced", run).isEmpty());
            await().until(() -> Instant.now().isAfter(queued.plusSeconds(2)));
            int whileBusy = WebhookReceiver.at("/hooks/paced", run).size();
            assertTrue(whileBusy >= BATCH && whileBusy <= 2 * BUSY_RATE + 2 * BATCH,
                    "events delivered in the first two busy seconds: " + whileBusy);
            assertTrue(visits.get() >= 15, "visitors kept the port busy: " + visits.get());
        } finally {
            visitors.shutdownNow();
        }

        // Quiet: the rest go out at once, each event once.
        await().atMost(Duration.ofSeconds(5)).until(() -> WebhookReceiver.at("/hooks/paced", run).size() == EVENTS);
        for (Received event : WebhookReceiver.at("/hooks/paced", run)) {
            ids.add(event.header("webhook-id"));
        }
        assertEquals(EVENTS, ids.size());
        String metrics = management().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(line -> line.startsWith("newsletter_webhooks_paced_seconds_total")
                && line.contains("endpoint=\"paced\"") && !line.endsWith(" 0.0")), "the paced time is counted");
    }
}
