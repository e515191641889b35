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
 * mail; every mail sent is recorded once, and nothing is sent twice, even when the database refuses a record for a
 * moment.
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

    /**
     * The database refuses the first three records of a round's sent mails (a trigger stands in for a database that is
     * away for a moment): they are tried again until one is let through, and no mail is claimed or sent twice.
     */
    @Test
    void a_record_the_database_refuses_is_tried_again_and_nothing_is_sent_twice() {
        String recipient = Addresses.unique("blip");
        db.update("create sequence settlement_refusals");
        db.update("""
                create function refuse_settlement() returns trigger language plpgsql as $$
                begin
                  if nextval('settlement_refusals') <= 3 then
                    raise exception 'the database is away for a moment';
                  end if;
                  return new;
                end $$""");
        db.update("create trigger refuse_settlement before update on outbox_mail for each row when (new.status = "
                + "'SENT' and new.recipient = '" + recipient + "') execute function refuse_settlement()");
        try {
            db.update("insert into outbox_mail (kind, recipient, subject, text_body, html_body, status, attempts, "
                    + "created_at, next_attempt_at) select 'test', ?, 'S', 't', 'h', 'PENDING', 0, now(), now() "
                    + "from generate_series(1, " + SENDS + ")", recipient);

            await().atMost(Duration.ofSeconds(30)).until(() -> db.count("select count(*) from outbox_mail "
                    + "where recipient = ? and status = 'SENT' and sent_at is not null", recipient) == SENDS);

            Mailbox.await(recipient, SENDS);
            Mailbox.assertStays(recipient, SENDS);
            assertEquals(SENDS, db.count("select count(*) from outbox_mail where recipient = ? and attempts = 1",
                    recipient), "a mail was claimed twice");
            assertTrue(db.count("select last_value from settlement_refusals") > 3,
                    "the database refused the first three records");
        } finally {
            db.update("drop trigger refuse_settlement on outbox_mail");
            db.update("drop function refuse_settlement()");
            db.update("drop sequence settlement_refusals");
        }
    }
}
