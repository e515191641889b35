package app.newsletter.outbox;

import static app.newsletter.support.Management.management;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import jakarta.inject.Inject;
import jakarta.transaction.TransactionalException;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class OutboxDeliveryTest {

    @Inject
    Db db;

    @Inject
    Outbox outbox;

    @Inject
    MeterRegistry registry;

    @AfterEach
    void smtpRunsAgain() {
        if (!GreenMailResource.Smtp.server().isRunning()) {
            GreenMailResource.Smtp.restart();
        }
    }

    @Test
    void signups_during_an_smtp_outage_are_answered_and_their_mail_arrives_once_smtp_returns() {
        GreenMailResource.Smtp.stop();
        String email = Addresses.unique("outage");
        given().contentType(ContentType.JSON).body(Map.of("email", email))
                .post("/api/subscriptions").then().statusCode(202);

        waitFor(() -> db.count("select count(*) from outbox_mail where recipient = ? and attempts >= 2 "
                + "and status = 'PENDING' and last_error is not null", email) == 1);
        waitFor(() -> management().get("/q/health/ready").then().statusCode(200).extract().jsonPath()
                .getString("checks.find { it.name == 'outbox' }.data.state").startsWith("degraded"));

        GreenMailResource.Smtp.restart();
        Mailbox.await(email, 1);
        Mailbox.assertStays(email, 1);
        Map<String, Object> row = db.rows("select * from outbox_mail where recipient = ?", email).get(0);
        assertEquals("SENT", row.get("status"));
        assertNotNull(row.get("sent_at"));
    }

    @Test
    void a_mail_that_cannot_be_sent_within_the_give_up_time_is_marked_dead() {
        GreenMailResource.Smtp.stop();
        String email = Addresses.unique("dead");
        given().contentType(ContentType.JSON).body(Map.of("email", email))
                .post("/api/subscriptions").then().statusCode(202);
        db.update("update outbox_mail set created_at = now() - interval '25 hours' where recipient = ?", email);

        waitFor(() -> db.count("select count(*) from outbox_mail where recipient = ? and status = 'DEAD'",
                email) == 1);
        GreenMailResource.Smtp.restart();
        Mailbox.assertStays(email, 0);
    }

    @Test
    void a_claim_of_a_dead_instance_expires_and_the_mail_is_sent_by_another_round() {
        String email = Addresses.unique("lease");
        // As a crashed instance leaves it: claimed (attempt counted, pushed past the lease), never settled.
        db.update("insert into outbox_mail (kind, recipient, subject, text_body, html_body, status, attempts, "
                + "created_at, next_attempt_at) values ('test', ?, 'Lease', 'text', '<p>html</p>', 'PENDING', 1, "
                + "now(), now() + interval '2 seconds')", email);
        Mailbox.assertStays(email, 0);
        Mailbox.await(email, 1);
        Mailbox.assertStays(email, 1);
    }

    @Test
    void a_backlog_found_while_no_request_comes_drains_over_a_second_lane_and_each_mail_leaves_once() {
        String batch = Addresses.unique("backlog");
        int mails = 300;
        double lanesBefore = registry.counter("newsletter.outbox.second.lanes").count();
        // Due a moment after this class's last request, so the dispatcher finds six batches while the service is quiet.
        db.update("insert into outbox_mail (kind, recipient, subject, text_body, html_body, status, created_at, "
                + "next_attempt_at) select 'test', g || '.' || ?, 'Backlog', 'text', '<p>html</p>', 'PENDING', now(), "
                + "now() + interval '1500 milliseconds' from generate_series(1, ?) g", batch, mails);

        waitFor(() -> db.count("select count(*) from outbox_mail where recipient like ? and status = 'SENT'",
                "%." + batch) == mails);
        Map<String, Long> received = Arrays.stream(GreenMailResource.Smtp.server().getReceivedMessages())
                .flatMap(m -> Mailbox.recipients(m).stream()).filter(r -> r.endsWith("." + batch))
                .collect(Collectors.groupingBy(r -> r, Collectors.counting()));
        assertEquals(mails, received.size());
        assertEquals(Set.of(1L), Set.copyOf(received.values()), "every mail exactly once");
        assertTrue(registry.counter("newsletter.outbox.second.lanes").count() > lanesBefore, "a second lane ran");
    }

    @Test
    void while_requests_keep_coming_a_backlog_drains_on_one_lane() throws Exception {
        String batch = Addresses.unique("busy-backlog");
        int mails = 300;
        double lanesBefore = registry.counter("newsletter.outbox.second.lanes").count();
        AtomicBoolean drained = new AtomicBoolean();
        // A page view every 50 ms from before the backlog is due until it has left: the service is never quiet.
        Thread visitor = new Thread(() -> {
            while (!drained.get()) {
                given().get("/").then().statusCode(200);
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
        });
        visitor.start();
        try {
            db.update("insert into outbox_mail (kind, recipient, subject, text_body, html_body, status, created_at, "
                    + "next_attempt_at) select 'test', g || '.' || ?, 'Backlog', 'text', '<p>html</p>', 'PENDING', "
                    + "now(), now() + interval '500 milliseconds' from generate_series(1, ?) g", batch, mails);
            waitFor(() -> db.count("select count(*) from outbox_mail where recipient like ? and status = 'SENT'",
                    "%." + batch) == mails);
        } finally {
            drained.set(true);
            visitor.join();
        }
        assertEquals(lanesBefore, registry.counter("newsletter.outbox.second.lanes").count());
    }

    @Test
    void enqueue_outside_a_transaction_is_refused() {
        QueuedMail mail = new QueuedMail("test", "x@example.com", "Subject", "text", "<p>html</p>", Map.of());
        try {
            outbox.enqueue(mail);
        } catch (TransactionalException expected) {
            return;
        }
        throw new AssertionError("enqueue without a transaction must fail");
    }

    @Test
    void header_values_with_line_breaks_are_refused() {
        try {
            new QueuedMail("test", "x@example.com", "Subject", "text", "<p>html</p>",
                    Map.of("X-Name", "Eve\r\nBcc: victim@example.com"));
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().contains("X-Name"));
            return;
        }
        throw new AssertionError("a header value with CRLF must be refused");
    }

    private static void waitFor(BooleanSupplier condition) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(condition::getAsBoolean);
    }
}
