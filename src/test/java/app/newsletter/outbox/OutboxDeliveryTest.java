package app.newsletter.outbox;

import static app.newsletter.support.Management.management;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

import jakarta.inject.Inject;
import jakarta.transaction.TransactionalException;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
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
