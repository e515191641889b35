package app.newsletter.subscription;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.eclipse.microprofile.context.ManagedExecutor;
import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/**
 * A new address's signup holds no worker thread: it is validated on the HTTP event loop and waits for its group's
 * commit without a thread, so a launch's signups are answered even while every worker thread is taken (by slow
 * exports, confirmations, the dispatcher). Both the JSON endpoint and the HTML form.
 */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
@TestProfile(BusyWorkersTest.SmallWorkerPool.class)
class BusyWorkersTest {

    private static final int WORKERS = 4;

    /** A worker pool small enough for the test to take every thread of it. */
    public static class SmallWorkerPool implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.thread-pool.core-threads", "1", "quarkus.thread-pool.max-threads",
                    String.valueOf(WORKERS));
        }
    }

    @Inject
    ManagedExecutor workers;
    @Inject
    Db db;

    @Test
    void signups_are_answered_and_stored_while_every_worker_thread_is_busy() throws Exception {
        String json = Addresses.unique("busy-json");
        String form = Addresses.unique("busy-form");
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger holding = new AtomicInteger();
        List<CompletableFuture<Void>> blockers = new ArrayList<>();
        try {
            // More tasks than threads: the pool is full once WORKERS of them hold a thread and the rest wait in line.
            for (int i = 0; i < WORKERS * 2; i++) {
                blockers.add(workers.runAsync(() -> {
                    holding.incrementAndGet();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> holding.get() == WORKERS);

            ValidatableResponse jsonReply = within(() -> given().contentType(ContentType.JSON)
                    .body(Map.of("email", json)).when().post("/api/subscriptions").then());
            jsonReply.statusCode(202).body("message", equalTo("Thank you for subscribing."));
            ValidatableResponse formReply = within(() -> given().formParam("email", form)
                    .when().post("/api/subscriptions").then());
            formReply.statusCode(200).body(containsString("Thank you for subscribing."));

            assertEquals(WORKERS, holding.get(), "the pool stayed full while both signups were answered");
            assertEquals(2L, db.count("select count(*) from subscriber where email in (?, ?) and status = 'PENDING'",
                    json, form));
        } finally {
            release.countDown();
        }
        CompletableFuture.allOf(blockers.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        // Once the workers are free again, the confirmations go out.
        assertEquals(1, Mailbox.await(json, 1).size());
        assertEquals(1, Mailbox.await(form, 1).size());
    }

    /** The request, failed if it takes longer than a signup on an idle machine could. */
    private static ValidatableResponse within(java.util.function.Supplier<ValidatableResponse> request)
            throws Exception {
        return CompletableFuture.supplyAsync(request).get(10, TimeUnit.SECONDS);
    }
}
