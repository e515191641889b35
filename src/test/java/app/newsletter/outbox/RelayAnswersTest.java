package app.newsletter.outbox;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.Db;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * What the SMTP server answers decides what happens to the address: a permanent refusal of the recipient (5.1.1)
 * suppresses it like a relay's bounce report; a refusal for the message (5.7.1) only kills that mail; "slow down"
 * (451) waits without counting as a failed attempt. And the relay's rate ({@code max-per-second}, here 2) holds.
 */
@QuarkusTest
@TestProfile(RelayAnswersTest.Scripted.class)
class RelayAnswersTest {

    public static class Scripted implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.mailer.host", "127.0.0.1",
                    "quarkus.mailer.port", String.valueOf(ScriptedSmtp.start()),
                    "quarkus.mailer.mock", "false",
                    "quarkus.mailer.from", "Peptide Evolution <newsletter@peptide.example>",
                    "newsletter.outbox.slow-down-delay", "PT0.5S",
                    "newsletter.outbox.max-per-second", "2",
                    "newsletter.outbox.backoff-initial", "PT0.2S");
        }
    }

    @Inject
    Db db;

    @Inject
    MeterRegistry registry;

    @Test
    void a_recipient_refused_for_good_at_rcpt_is_suppressed_like_a_bounce() {
        String email = Addresses.unique("refused");
        signUp(email);

        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> "BOUNCED".equals(status(email)));
        assertEquals("DEAD", mailStatus(email));
        assertEquals(1L, db.count("select count(*) from consent_record c join subscriber s on s.id = c.subscriber_id "
                + "where lower(s.email) = lower(?) and c.event = 'BOUNCE' and c.user_agent = 'reported by smtp'", email));
        assertEquals("BOUNCED", db.rows("select reason from suppression where hash = sha256((select value from "
                + "installation_secret where name = 'suppression-salt') || convert_to(lower(?), 'UTF8'))", email)
                .get(0).get("reason"));
    }

    @Test
    void a_refusal_of_the_message_kills_the_mail_but_does_not_suppress_the_address() {
        String email = Addresses.unique("policy");
        signUp(email);

        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> "DEAD".equals(mailStatus(email)));
        assertEquals("PENDING", status(email));
        assertEquals(0L, db.count("select count(*) from suppression where hash = sha256((select value from "
                + "installation_secret where name = 'suppression-salt') || convert_to(lower(?), 'UTF8'))", email));
    }

    @Test
    void slow_down_answers_wait_and_retry_without_counting_as_failed_attempts() {
        double failedBefore = registry.counter("newsletter.mails.failed", "kind", "confirmation").count();
        double deferredBefore = registry.counter("newsletter.mails.deferred", "kind", "confirmation").count();
        ScriptedSmtp.busyAnswers.set(3);
        String email = Addresses.unique("busy");
        signUp(email);

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> ScriptedSmtp.delivered.contains(email));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> "SENT".equals(mailStatus(email)));
        Map<String, Object> mail = db.rows("select attempts, last_error from outbox_mail where recipient = ?", email)
                .get(0);
        // Three "slow down" answers and one delivery: only the delivery counts as an attempt, and any other failure
        // (the scripted server's session after a refusal has timed out a send now and then) counts as one too.
        double failed = registry.counter("newsletter.mails.failed", "kind", "confirmation").count() - failedBefore;
        assertEquals(3.0, registry.counter("newsletter.mails.deferred", "kind", "confirmation").count()
                - deferredBefore);
        assertEquals(1 + (int) failed, ((Number) mail.get("attempts")).intValue(), mail + ", failed " + failed);
        assertTrue(ScriptedSmtp.busyAnswers.get() < 0, "every busy answer was given");
        assertEquals("PENDING", status(email));
    }

    @Test
    void no_second_claims_more_mails_than_the_relays_rate() {
        String batch = Addresses.unique("rate");
        for (int i = 0; i < 8; i++) {
            db.update("insert into outbox_mail (kind, recipient, subject, text_body, html_body, status, created_at, "
                    + "next_attempt_at) values ('test', ?, 'Rate', 'text', '<p>html</p>', 'PENDING', now(), now())",
                    i + "." + batch);
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> db.count(
                "select count(*) from outbox_mail where recipient like ? and status = 'SENT'", "%." + batch) == 8);

        assertTrue(db.count("select max(claimed) from outbox_send_window") <= 2);
        double spread = ((Number) db.rows("select extract(epoch from max(sent_at) - min(sent_at)) as s from outbox_mail "
                + "where recipient like ?", "%." + batch).get(0).get("s")).doubleValue();
        // Eight mails at two a second take four seconds of claims: at least three seconds between first and last.
        assertTrue(spread >= 2.5, "8 mails sent within " + spread + " s");
    }

    private static void signUp(String email) {
        given().contentType(ContentType.JSON).body(Map.of("email", email)).post("/api/subscriptions")
                .then().statusCode(202);
    }

    private String status(String email) {
        return (String) db.rows("select status from subscriber where email = ?", email).get(0).get("status");
    }

    private String mailStatus(String email) {
        var rows = db.rows("select status from outbox_mail where recipient = ?", email);
        return rows.isEmpty() ? null : (String) rows.get(0).get("status");
    }
}
