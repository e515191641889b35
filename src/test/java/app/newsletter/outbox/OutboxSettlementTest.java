package app.newsletter.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.Concurrently;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Sends that end together share the statement that records them, and each is recorded before its caller goes on. */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class OutboxSettlementTest {

    private static final int SENDS = 40;

    @Inject
    Db db;
    @Inject
    OutboxBatches batches;

    @Test
    void concurrent_sends_are_each_recorded_before_their_caller_returns() throws Exception {
        String recipient = Addresses.unique("settle");
        // Due in an hour: the dispatcher must not claim (and record) these rows itself.
        db.update("insert into outbox_mail (kind, recipient, subject, text_body, html_body, status, attempts, "
                + "created_at, next_attempt_at) select 'test', ?, 'S', 't', 'h', 'PENDING', 1, now(), "
                + "now() + interval '1 hour' from generate_series(1, " + SENDS + ")", recipient);
        List<Long> ids = db.rows("select id from outbox_mail where recipient = ?", recipient).stream()
                .map(row -> ((Number) row.get("id")).longValue()).toList();
        List<Future<String>> statuses = Concurrently.run(SENDS, i -> () -> {
            batches.markSent(ids.get(i));
            return (String) db.rows("select status from outbox_mail where id = ?", ids.get(i)).get(0).get("status");
        });
        for (Future<String> status : statuses) {
            assertEquals("SENT", status.get(), "a caller returned before its mail was recorded");
        }
        assertEquals(SENDS, db.count("select count(*) from outbox_mail where recipient = ? and status = 'SENT' "
                + "and sent_at is not null", recipient));
        long statements = db.count("select count(distinct sent_at) from outbox_mail where recipient = ?", recipient);
        assertTrue(statements < SENDS, SENDS + " sends ending together took " + statements + " statements");
    }
}
