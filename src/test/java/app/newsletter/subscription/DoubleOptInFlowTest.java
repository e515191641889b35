package app.newsletter.subscription;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.List;
import java.util.Map;

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
class DoubleOptInFlowTest {

    @Inject
    Db db;

    @Test
    void signup_confirm_download_and_one_click_unsubscribe() throws Exception {
        String email = Addresses.unique("flow");

        given().contentType(ContentType.JSON)
                .body(Map.of("email", email, "name", "Ada", "source", "https://blog.example/stem-cells"))
                .when().post("/api/subscriptions")
                .then().statusCode(202)
                .contentType(ContentType.JSON)
                .body("message", equalTo("Thank you for subscribing."));

        Map<String, Object> row = db.rows("select * from subscriber where email = ?", email).get(0);
        assertEquals("PENDING", row.get("status"));
        assertEquals("peptide-evolution", row.get("list_id"));
        assertEquals("https://blog.example/stem-cells", row.get("source"));
        assertEquals(1L, db.count("select count(*) from consent_record where subscriber_id = ? and event = 'SIGNUP'",
                row.get("id")));

        MimeMessage confirmation = Mailbox.await(email, 1).get(0);
        assertTrue(confirmation.getSubject().contains("confirm"), confirmation.getSubject());
        assertTrue(Mailbox.text(confirmation).startsWith("Hello Ada,"));
        assertTrue(Mailbox.html(confirmation).contains("Confirm my subscription"));
        assertEquals("List-Unsubscribe=One-Click", Mailbox.header(confirmation, "List-Unsubscribe-Post"));
        assertTrue(Mailbox.header(confirmation, "List-Unsubscribe")
                .matches("<http://localhost:8080/unsubscribe\\?token=[A-Za-z0-9_-]{43}>"));
        assertTrue(Mailbox.header(confirmation, "Message-ID").endsWith("@peptide.example>"),
                Mailbox.header(confirmation, "Message-ID"));
        assertTrue(Mailbox.header(confirmation, "From").contains("newsletter@peptide.example"));
        assertNull(Mailbox.header(confirmation, "Cc"), "no empty Cc header (RFC 5322 needs an address in it)");
        String confirmToken = Mailbox.token(Mailbox.link(confirmation, "http://localhost:8080/confirm"));
        // only the hash of the token is stored
        assertEquals(1L, db.count("select count(*) from subscriber_token where hash = sha256(convert_to(?, 'UTF8')) "
                + "and purpose = 'CONFIRM'", confirmToken));
        assertEquals(0L, db.count("select count(*) from subscriber_token where encode(hash, 'escape') like ?",
                "%" + confirmToken + "%"));

        // A scanner fetching the link changes nothing.
        given().queryParam("token", confirmToken)
                .when().get("/confirm")
                .then().statusCode(200)
                .contentType(ContentType.HTML)
                .body(containsString("Confirm my subscription"))
                .body(containsString("method=\"post\""));
        assertEquals("PENDING", db.rows("select status from subscriber where email = ?", email).get(0).get("status"));
        Mailbox.assertStays(email, 1);

        String page = given().contentType(ContentType.URLENC).formParam("token", confirmToken)
                .when().post("/confirm")
                .then().statusCode(200)
                .contentType(ContentType.HTML)
                .body(containsString("Download the ebook"))
                .extract().asString();
        row = db.rows("select * from subscriber where email = ?", email).get(0);
        assertEquals("CONFIRMED", row.get("status"));
        assertNotNull(row.get("confirmed_at"));
        assertEquals(1L, db.count("select count(*) from consent_record where subscriber_id = ? and event = 'CONFIRM'",
                row.get("id")));

        MimeMessage ebookMail = Mailbox.await(email, 2).get(1);
        assertTrue(ebookMail.getSubject().contains("Peptide Evolution Ebook"));
        String ebookLink = Mailbox.link(ebookMail, "http://localhost:8080/ebook");
        assertTrue(page.contains("/ebook?token="), "the confirmation page offers the download at once");

        byte[] expected;
        try (InputStream in = getClass().getResourceAsStream("/ebooks/peptide-evolution.pdf")) {
            expected = in.readAllBytes();
        }
        byte[] pdf = given().queryParam("token", Mailbox.token(ebookLink))
                .when().get("/ebook")
                .then().statusCode(200)
                .contentType("application/pdf")
                .header("Content-Disposition", "attachment; filename=\"peptide-evolution.pdf\"")
                .extract().asByteArray();
        assertArrayEquals(expected, pdf);
        assertEquals(1, db.rows("select ebook_downloads from subscriber where email = ?", email).get(0)
                .get("ebook_downloads"));

        // RFC 8058 one-click, as a mailbox provider sends it: no page, no cookies.
        String unsubscribeUrl = Mailbox.header(ebookMail, "List-Unsubscribe").replaceAll("[<>]", "");
        given().contentType(ContentType.URLENC).body("List-Unsubscribe=One-Click")
                .when().post(unsubscribeUrl.replace("http://localhost:8080", ""))
                .then().statusCode(200)
                .body(containsString("unsubscribed"));
        row = db.rows("select * from subscriber where email = ?", email).get(0);
        assertEquals("UNSUBSCRIBED", row.get("status"));
        assertNotNull(row.get("unsubscribed_at"));

        given().queryParam("token", Mailbox.token(ebookLink))
                .when().get("/ebook")
                .then().statusCode(410)
                .body(containsString("no longer works"));
        Mailbox.assertStays(email, 2);
    }

    @Test
    void confirming_twice_succeeds_and_sends_one_ebook_mail() {
        String email = Addresses.unique("twice");
        signUp(email);
        String token = Mailbox.token(Mailbox.link(Mailbox.await(email, 1).get(0), "http://localhost:8080/confirm"));
        for (int i = 0; i < 2; i++) {
            given().contentType(ContentType.URLENC).formParam("token", token)
                    .when().post("/confirm")
                    .then().statusCode(200).body(containsString("Download the ebook"));
        }
        Mailbox.await(email, 2);
        Mailbox.assertStays(email, 2);
        assertEquals(1L, db.count("select count(*) from consent_record c join subscriber s on s.id = c.subscriber_id "
                + "where s.email = ? and c.event = 'CONFIRM'", email));
    }

    @Test
    void unsubscribe_page_asks_first_and_its_button_unsubscribes() {
        String email = Addresses.unique("unsub-page");
        signUp(email);
        MimeMessage mail = Mailbox.await(email, 1).get(0);
        String token = Mailbox.token(Mailbox.link(mail, "http://localhost:8080/unsubscribe"));

        given().queryParam("token", token).when().get("/unsubscribe")
                .then().statusCode(200).body(containsString("Unsubscribe from Peptide Evolution?"));
        assertEquals("PENDING", status(email));

        given().contentType(ContentType.URLENC).queryParam("token", token).formParam("token", token)
                .when().post("/unsubscribe")
                .then().statusCode(200).body(containsString("You have been unsubscribed."));
        assertEquals("UNSUBSCRIBED", status(email));
        List<Map<String, Object>> consent = db.rows("select c.event from consent_record c join subscriber s "
                + "on s.id = c.subscriber_id where s.email = ? order by c.id", email);
        assertEquals("UNSUBSCRIBE", consent.get(consent.size() - 1).get("event"));

        // the confirmation link of the same mail no longer works once the person left
        String confirmToken = Mailbox.token(Mailbox.link(mail, "http://localhost:8080/confirm"));
        given().contentType(ContentType.URLENC).formParam("token", confirmToken)
                .when().post("/confirm")
                .then().statusCode(410).contentType(ContentType.HTML)
                .body(containsString("Something went wrong."))
                .body(containsString("Submit the signup form again"));
        assertEquals("UNSUBSCRIBED", status(email));
    }

    @Test
    void unknown_and_expired_links_explain_what_to_do() {
        given().contentType(ContentType.URLENC).formParam("token", "x".repeat(43))
                .when().post("/confirm")
                .then().statusCode(404).contentType(ContentType.HTML)
                .body(containsString("Something went wrong."))
                .body(containsString("submit the signup form again"));

        String email = Addresses.unique("expired");
        signUp(email);
        MimeMessage mail = Mailbox.await(email, 1).get(0);
        String token = Mailbox.token(Mailbox.link(mail, "http://localhost:8080/confirm"));
        db.update("update subscriber_token set expires_at = now() - interval '1 minute' where subscriber_id = "
                + "(select id from subscriber where email = ?) and purpose = 'CONFIRM'", email);

        given().contentType(ContentType.URLENC).formParam("token", token)
                .when().post("/confirm")
                .then().statusCode(410).body(containsString("has expired"));
        assertEquals("PENDING", status(email));

        given().queryParam("token", "nope").when().get("/ebook")
                .then().statusCode(404).contentType(ContentType.HTML)
                .body(containsString("Something went wrong."))
                .body(containsString("This download link is not valid."));
    }

    @Test
    void expired_ebook_link_is_gone_and_not_counted() {
        String email = Addresses.unique("ebook-expired");
        signUp(email);
        String confirmToken = Mailbox.token(Mailbox.link(Mailbox.await(email, 1).get(0),
                "http://localhost:8080/confirm"));
        given().contentType(ContentType.URLENC).formParam("token", confirmToken).post("/confirm")
                .then().statusCode(200);
        String ebookToken = Mailbox.token(Mailbox.link(Mailbox.await(email, 2).get(1), "http://localhost:8080/ebook"));
        db.update("update subscriber_token set expires_at = now() - interval '1 second' where purpose = 'EBOOK' "
                + "and subscriber_id = (select id from subscriber where email = ?)", email);

        given().when().get("/ebook/" + ebookToken)
                .then().statusCode(410).body(not(containsString("%PDF")));
        assertEquals(0, db.rows("select ebook_downloads from subscriber where email = ?", email).get(0)
                .get("ebook_downloads"));
    }

    private String status(String email) {
        return (String) db.rows("select status from subscriber where email = ?", email).get(0).get("status");
    }

    static void signUp(String email) {
        given().contentType(ContentType.JSON).body(Map.of("email", email))
                .when().post("/api/subscriptions")
                .then().statusCode(202);
    }

    static void assertNoRow(Db db, String email) {
        assertNull(db.rows("select id from subscriber where lower(email) = lower(?)", email).stream().findFirst()
                .orElse(null));
    }
}
