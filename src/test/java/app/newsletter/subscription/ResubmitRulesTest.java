package app.newsletter.subscription;

import static app.newsletter.subscription.DoubleOptInFlowTest.signUp;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;

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
class ResubmitRulesTest {

    @Inject
    Db db;

    @Test
    void duplicate_signup_within_cooldown_sends_no_second_mail() throws Exception {
        String email = Addresses.unique("dup");
        signUp(email);
        signUp(email);
        Mailbox.await(email, 1);
        Mailbox.assertStays(email, 1);
        assertEquals(1L, db.count("select count(*) from subscriber where email = ?", email));
    }

    @Test
    void pending_address_gets_a_new_confirmation_after_the_cooldown() throws Exception {
        String email = Addresses.unique("pending");
        signUp(email);
        MimeMessage first = Mailbox.await(email, 1).get(0);
        confirmationCooldownOver(db, email);

        signUp(email);
        MimeMessage second = Mailbox.await(email, 2).get(1);
        assertTrue(second.getSubject().contains("confirm"));
        String firstLink = Mailbox.link(first, "http://localhost:8080/confirm");
        String secondLink = Mailbox.link(second, "http://localhost:8080/confirm");
        assertTrue(!firstLink.equals(secondLink), "every mail carries a fresh link");
        assertEquals(2L, db.count("select count(*) from consent_record c join subscriber s on s.id = c.subscriber_id "
                + "where s.email = ? and c.event = 'SIGNUP'", email));
        assertEquals("PENDING", field(email, "status"));
    }

    @Test
    void confirmed_address_gets_the_ebook_again_but_not_within_the_cooldown() throws Exception {
        String email = Addresses.unique("confirmed");
        signUp(email);
        confirm(Mailbox.await(email, 1).get(0));
        Mailbox.await(email, 2);

        signUp(email);
        Mailbox.assertStays(email, 2);

        pushBack(email, "last_ebook_sent_at");
        signUp(email);
        MimeMessage again = Mailbox.await(email, 3).get(2);
        assertTrue(again.getSubject().startsWith("Your free ebook"), again.getSubject());
        assertEquals("CONFIRMED", field(email, "status"));
    }

    @Test
    void unsubscribed_address_gets_a_new_confirmation_and_stays_unsubscribed_until_it_confirms() throws Exception {
        String email = Addresses.unique("comeback");
        signUp(email);
        MimeMessage mail = Mailbox.await(email, 1).get(0);
        confirm(mail);
        Mailbox.await(email, 2);
        given().contentType(ContentType.URLENC).body("List-Unsubscribe=One-Click")
                .post("/unsubscribe?token=" + Mailbox.token(Mailbox.link(mail, "http://localhost:8080/unsubscribe")))
                .then().statusCode(200);
        assertEquals("UNSUBSCRIBED", field(email, "status"));
        confirmationCooldownOver(db, email);

        signUp(email);
        assertEquals("UNSUBSCRIBED", field(email, "status"));
        MimeMessage again = Mailbox.await(email, 3).get(2);
        assertTrue(again.getSubject().contains("confirm"));
        assertEquals(1L, db.count("select count(*) from subscriber where email = ?", email));
        confirm(again);
        assertEquals("CONFIRMED", field(email, "status"));
    }

    @Test
    void sub_addresses_of_one_mailbox_share_its_cooldown_on_a_list() throws Exception {
        String victim = Addresses.unique("tagged");
        String local = victim.substring(0, victim.indexOf('@'));
        String domain = victim.substring(victim.indexOf('@'));
        for (int i = 1; i <= 4; i++) {
            signUp(local + "+" + i + domain);
        }
        signUp(victim.toUpperCase().replace("@EXAMPLE.COM", "@example.com"));
        // Five rows (the addresses differ), one mailbox behind them, one confirmation within the cooldown.
        assertEquals(5L, db.count("select count(*) from subscriber where lower(email) like lower(?)", local + "%"));
        Mailbox.await(local + "+1" + domain, 1);
        assertEquals(1L, db.count("select count(*) from outbox_mail where lower(recipient) like lower(?)",
                local + "%"));
        for (int i = 2; i <= 4; i++) {
            Mailbox.assertStays(local + "+" + i + domain, 0);
        }
    }

    @Test
    void address_case_and_spaces_do_not_make_a_second_subscriber() throws Exception {
        String email = Addresses.unique("case");
        signUp(email);
        given().contentType(ContentType.JSON).body(Map.of("email", "  " + email.toUpperCase().replace("@EXAMPLE.COM",
                "@Example.COM") + " ")).post("/api/subscriptions").then().statusCode(202);
        assertEquals(1L, db.count("select count(*) from subscriber where lower(email) = lower(?)", email));
        Mailbox.await(email, 1);
        Mailbox.assertStays(email, 1);
    }

    @Test
    void hundred_concurrent_signups_of_one_address_make_one_row_and_one_mail() throws Exception {
        String email = Addresses.unique("burst");
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(() -> given().contentType(ContentType.JSON).body(Map.of("email", email))
                        .post("/api/subscriptions").statusCode());
            }
            for (Future<Integer> status : pool.invokeAll(calls)) {
                assertEquals(202, status.get());
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(1L, db.count("select count(*) from subscriber where email = ?", email));
        assertEquals(1L, db.count("select count(*) from outbox_mail where recipient = ?", email));
        Mailbox.await(email, 1);
        Mailbox.assertStays(email, 1);
    }

    private void confirm(MimeMessage confirmation) {
        given().contentType(ContentType.URLENC)
                .formParam("token", Mailbox.token(Mailbox.link(confirmation, "http://localhost:8080/confirm")))
                .post("/confirm").then().statusCode(200);
    }

    private void pushBack(String email, String column) {
        db.update("update subscriber set " + column + " = now() - interval '11 minutes' where email = ?", email);
    }

    /**
     * The confirmation cooldown is kept on the row and, per canonical mailbox and list, in {@code rate_window}: both
     * move back past it.
     */
    static void confirmationCooldownOver(Db db, String email) {
        db.update("update subscriber set last_confirmation_sent_at = now() - interval '1 day' where email = ?", email);
        db.update("update rate_window set hits = array(select h - interval '11 minutes' from unnest(hits) h) "
                + "where key = ?", ConfirmationGate.cooldownKey("peptide-evolution", email));
    }

    private Object field(String email, String column) {
        return db.rows("select " + column + " from subscriber where email = ?", email).get(0).get(column);
    }
}
