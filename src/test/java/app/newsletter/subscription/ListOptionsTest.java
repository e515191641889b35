package app.newsletter.subscription;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** The "partner" list of the test configuration redirects its forms and keeps its ebook on another server. */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class ListOptionsTest {

    @Inject
    Db db;

    @Test
    void form_signup_to_a_list_with_a_success_url_is_redirected_there() {
        String email = Addresses.unique("partner");
        given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParam("email", email).formParam("list", "partner")
                .post("/api/subscriptions")
                .then().statusCode(303).header("Location", "https://partner.example/thanks");
        assertEquals("partner", db.rows("select list_id from subscriber where email = ?", email).get(0)
                .get("list_id"));
        assertEquals("Please confirm your subscription to Partner Digest", subject(Mailbox.await(email, 1).get(0)));
    }

    @Test
    void failed_form_signup_to_a_list_with_an_error_url_is_redirected_there_and_nothing_is_stored() {
        given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParam("email", "not-an-address").formParam("list", "partner")
                .formParam("redirect", "https://evil.example/")
                .post("/api/subscriptions")
                .then().statusCode(303).header("Location", "https://partner.example/oops");
        assertEquals(0L, db.count("select count(*) from subscriber where email = 'not-an-address'"));
    }

    @Test
    void the_same_address_may_join_two_lists() {
        String email = Addresses.unique("both");
        given().contentType(ContentType.JSON).body("{\"email\":\"" + email + "\"}").post("/api/subscriptions")
                .then().statusCode(202);
        given().contentType(ContentType.JSON).body("{\"email\":\"" + email + "\",\"list\":\"partner\"}")
                .post("/api/subscriptions").then().statusCode(202);
        assertEquals(2L, db.count("select count(*) from subscriber where email = ?", email));
        Mailbox.await(email, 2);
    }

    @Test
    void an_external_ebook_is_a_redirect_after_confirmation() {
        String email = Addresses.unique("external");
        given().contentType(ContentType.JSON).body("{\"email\":\"" + email + "\",\"list\":\"partner\"}")
                .post("/api/subscriptions").then().statusCode(202);
        String confirm = Mailbox.token(Mailbox.link(Mailbox.await(email, 1).get(0), "http://localhost:8080/confirm"));
        given().contentType(ContentType.URLENC).formParam("token", confirm).post("/confirm").then().statusCode(200);
        String ebook = Mailbox.token(Mailbox.link(Mailbox.await(email, 2).get(1), "http://localhost:8080/ebook"));

        given().redirects().follow(false).get("/ebook/" + ebook)
                .then().statusCode(302).header("Location", "https://cdn.partner.example/guide.pdf");
        assertEquals(1, db.rows("select ebook_downloads from subscriber where email = ?", email).get(0)
                .get("ebook_downloads"));
    }

    private static String subject(MimeMessage message) {
        try {
            return message.getSubject();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
