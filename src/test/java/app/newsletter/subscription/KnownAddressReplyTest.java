package app.newsletter.subscription;

import static app.newsletter.subscription.DoubleOptInFlowTest.signUp;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Attack: time the replies to learn an address's state (new 6.3 ms, confirmed 10.7, pending 12.9, unsubscribed
 * 13.4 ms before). A known address's signup is queued in the same group commit as a new one and its rules are applied
 * behind the reply, so the reply cannot wait for them: shown here by holding the address's row lock, which the rules
 * need, while the signup answers.
 */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class KnownAddressReplyTest {

    @Inject
    Db db;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void a_known_address_is_answered_without_waiting_for_its_row_and_its_rules_follow_behind() throws Exception {
        String email = Addresses.unique("known");
        signUp(email);
        Mailbox.await(email, 1);
        ResubmitRulesTest.confirmationCooldownOver(db, email);
        long id = ((Number) db.rows("select id from subscriber where email = ?", email).get(0).get("id")).longValue();

        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement("select id from subscriber where id = ? for update")) {
                lock.setLong(1, id);
                lock.executeQuery().close();
            }
            CompletableFuture<Integer> reply = CompletableFuture.supplyAsync(() -> given()
                    .contentType(ContentType.JSON).body(Map.of("email", email)).post("/api/subscriptions")
                    .statusCode());
            // Answered while the row is still locked: the reply did not wait for the known address's rules.
            assertEquals(202, reply.get(10, TimeUnit.SECONDS));
            assertEquals(1L, db.count("select count(*) from consent_record where subscriber_id = ?", id));
            holder.rollback();
        }
        // Behind the reply: the new consent record and the new confirmation.
        Mailbox.await(email, 2);
        assertEquals(2L, db.count("select count(*) from consent_record where subscriber_id = ? and event = 'SIGNUP'",
                id));
        assertEquals(0L, db.count("select count(*) from known_signup where lower(email) = lower(?)", email));
    }

    /**
     * The reply's time must not tell a new address from a known one, so a known address's queued signup writes what a
     * new one writes before the reply: the confirmation its request prepared (token hashes, rendered mail). Behind
     * the reply, that mail is the one sent and its links are the ones stored.
     */
    @Test
    void a_known_address_queues_the_confirmation_its_request_prepared_and_that_mail_is_the_one_sent()
            throws Exception {
        String email = Addresses.unique("prepared");
        signUp(email);
        Mailbox.await(email, 1);
        ResubmitRulesTest.confirmationCooldownOver(db, email);
        long id = ((Number) db.rows("select id from subscriber where email = ?", email).get(0).get("id")).longValue();

        Map<String, Object> queued;
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement("select id from subscriber where id = ? for update")) {
                lock.setLong(1, id);
                lock.executeQuery().close();
            }
            given().contentType(ContentType.JSON).body(Map.of("email", email, "name", "Ada"))
                    .post("/api/subscriptions").then().statusCode(202);
            queued = db.rows("select confirm_hash, unsubscribe_hash, mail_subject, mail_text, mail_headers::text "
                    + "as headers from known_signup where email = ?", email).get(0);
            holder.rollback();
        }
        assertTrue(((String) queued.get("mail_text")).startsWith("Hello Ada,"), (String) queued.get("mail_text"));

        MimeMessage renewed = Mailbox.await(email, 2).get(1);
        assertEquals(queued.get("mail_subject"), renewed.getSubject());
        String confirmToken = Mailbox.token(Mailbox.link(renewed, "http://localhost:8080/confirm"));
        String unsubscribeLink = Mailbox.header(renewed, "List-Unsubscribe");
        assertTrue(((String) queued.get("headers")).contains(unsubscribeLink.substring(1, unsubscribeLink.length() - 1)),
                (String) queued.get("headers"));
        assertArrayEquals((byte[]) queued.get("confirm_hash"), Tokens.hash(confirmToken));
        assertEquals(1L, db.count("select count(*) from subscriber_token where subscriber_id = ? and hash = ? "
                + "and purpose = 'CONFIRM' and expires_at > now()", id, Tokens.hash(confirmToken)));
        assertEquals(1L, db.count("select count(*) from subscriber_token where subscriber_id = ? and hash = ? "
                + "and purpose = 'UNSUBSCRIBE'", id, queued.get("unsubscribe_hash")));
        assertEquals("Ada", db.rows("select name from subscriber where id = ?", id).get(0).get("name"));
    }
}
