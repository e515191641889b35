package app.newsletter.subscription;

import static app.newsletter.subscription.DoubleOptInFlowTest.signUp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class PendingPurgeTest {

    @Inject
    Db db;

    @Inject
    PendingPurge purge;

    @Test
    void pending_subscribers_older_than_the_retention_are_purged_with_their_links_and_consent() {
        String stale = Addresses.unique("stale");
        String fresh = Addresses.unique("fresh");
        String confirmedLongAgo = Addresses.unique("kept");
        signUp(stale);
        signUp(fresh);
        signUp(confirmedLongAgo);
        db.update("update subscriber set updated_at = now() - interval '31 days' where email in (?, ?)", stale,
                confirmedLongAgo);
        db.update("update subscriber set status = 'CONFIRMED', confirmed_at = now() - interval '31 days' "
                + "where email = ?", confirmedLongAgo);
        long staleId = ((Number) db.rows("select id from subscriber where email = ?", stale).get(0).get("id"))
                .longValue();

        purge.purge();

        assertEquals(0L, db.count("select count(*) from subscriber where email = ?", stale));
        assertEquals(0L, db.count("select count(*) from subscriber_token where subscriber_id = ?", staleId));
        assertEquals(0L, db.count("select count(*) from consent_record where subscriber_id = ?", staleId));
        assertEquals(1L, db.count("select count(*) from subscriber where email = ?", fresh));
        assertEquals(1L, db.count("select count(*) from subscriber where email = ?", confirmedLongAgo));
    }

    @Test
    void a_third_party_re_signup_cannot_turn_a_recorded_unsubscribe_into_a_purgeable_pending_row() {
        // Pending, unsubscribed through the confirmation mail's link (never confirmed), then signed up again by
        // someone else within the cooldown.
        String email = Addresses.unique("withdrawn");
        signUp(email);
        long id = ((Number) db.rows("select id from subscriber where email = ?", email).get(0).get("id")).longValue();
        db.update("update subscriber set status = 'UNSUBSCRIBED', unsubscribed_at = now() where id = ?", id);
        db.update("insert into consent_record (subscriber_id, list_id, event, occurred_at) "
                + "select id, list_id, 'UNSUBSCRIBE', now() from subscriber where id = ?", id);
        signUp(email);
        assertEquals("UNSUBSCRIBED", db.rows("select status from subscriber where id = ?", id).get(0).get("status"));

        // Even a row an earlier version turned back to PENDING keeps its history past the retention period.
        db.update("update subscriber set status = 'PENDING', updated_at = now() - interval '31 days' where id = ?",
                id);
        purge.purge();
        assertEquals(1L, db.count("select count(*) from subscriber where id = ?", id));
        assertEquals(1L, db.count("select count(*) from consent_record where subscriber_id = ? "
                + "and event = 'UNSUBSCRIBE'", id));
        // And the record itself cannot be rewritten.
        org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> db.update(
                "update consent_record set event = 'SIGNUP' where subscriber_id = ? and event = 'UNSUBSCRIBE'", id));
    }

    @Test
    void a_lapsed_re_signup_of_a_former_subscriber_keeps_the_consent_history() {
        String email = Addresses.unique("former");
        signUp(email);
        db.update("update subscriber set status = 'PENDING', confirmed_at = now() - interval '90 days', "
                + "unsubscribed_at = now() - interval '60 days', updated_at = now() - interval '31 days' "
                + "where email = ?", email);
        long consents = db.count("select count(*) from consent_record c join subscriber s on s.id = c.subscriber_id "
                + "where s.email = ?", email);

        purge.purge();

        assertEquals("UNSUBSCRIBED", db.rows("select status from subscriber where email = ?", email).get(0)
                .get("status"));
        assertEquals(consents, db.count("select count(*) from consent_record c join subscriber s "
                + "on s.id = c.subscriber_id where s.email = ?", email));
    }
}
