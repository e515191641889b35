package app.newsletter.outbox;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A round records the mails it sent in a few statements, every 100 ms while its batch runs, not one statement per
 * mail; every mail sent is recorded once, and nothing is sent twice.
 */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class OutboxSettlementTest {

    private static final int SENDS = 40;

    @Inject
    Db db;

    @Test
    void a_batch_sent_together_is_recorded_in_one_statement_per_tick() {
        String recipient = Addresses.unique("settle");
        db.update("insert into outbox_mail (kind, recipient, subject, text_body, html_body, status, attempts, "
                + "created_at, next_attempt_at) select 'test', ?, 'S', 't', 'h', 'PENDING', 0, now(), now() "
                + "from generate_series(1, " + SENDS + ")", recipient);

        await().atMost(Duration.ofSeconds(30)).until(() -> db.count(
                "select count(*) from outbox_mail where recipient = ? and status = 'SENT' and sent_at is not null",
                recipient) == SENDS);

        Mailbox.await(recipient, SENDS);
        Mailbox.assertStays(recipient, SENDS);
        assertEquals(SENDS, db.count("select count(*) from outbox_mail where recipient = ? and attempts = 1",
                recipient), "a mail was claimed twice");
        // sent_at is the recording statement's start: one value per statement, at most one per tick and a last one.
        long statements = db.count("select count(distinct sent_at) from outbox_mail where recipient = ?", recipient);
        long spanMillis = db.count("select (extract(epoch from max(sent_at) - min(sent_at)) * 1000)::bigint "
                + "from outbox_mail where recipient = ?", recipient);
        assertTrue(statements <= 2 + spanMillis / 90, SENDS + " mails sent within " + spanMillis + " ms were recorded "
                + "by " + statements + " statements");
    }
}
