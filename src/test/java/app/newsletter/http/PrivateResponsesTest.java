package app.newsletter.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Pages and answers that carry live tokens or staff data are never stored by a cache nor leak through Referer. */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class PrivateResponsesTest {

    @Test
    void the_confirm_confirmed_and_unsubscribe_pages_are_never_cached_and_send_no_referrer() {
        String email = Addresses.unique("private");
        given().contentType(ContentType.JSON).body(Map.of("email", email)).post("/api/subscriptions")
                .then().statusCode(202).header("Cache-Control", equalTo("no-store"));
        var mail = Mailbox.await(email, 1).get(0);
        String confirm = Mailbox.token(Mailbox.link(mail, "http://localhost:8080/confirm"));
        String unsubscribe = Mailbox.token(Mailbox.link(mail, "http://localhost:8080/unsubscribe"));

        given().queryParam("token", confirm).get("/confirm").then().statusCode(200)
                .header("Cache-Control", equalTo("no-store")).header("Referrer-Policy", equalTo("no-referrer"));
        given().contentType(ContentType.URLENC).formParam("token", confirm).post("/confirm").then().statusCode(200)
                .body(containsString("Download the ebook"))
                .header("Cache-Control", equalTo("no-store")).header("Referrer-Policy", equalTo("no-referrer"));
        given().queryParam("token", unsubscribe).get("/unsubscribe").then().statusCode(200)
                .header("Cache-Control", equalTo("no-store")).header("Referrer-Policy", equalTo("no-referrer"));
        // An unknown token's page is private too: its URL still carries what the visitor pasted.
        given().queryParam("token", "x".repeat(43)).get("/confirm")
                .then().header("Cache-Control", equalTo("no-store"));
    }

    @Test
    void the_staff_page_and_api_are_never_cached() {
        given().auth().preemptive().basic("mia", "mia-secret").get("/admin").then().statusCode(200)
                .header("Cache-Control", equalTo("no-store"));
        given().auth().preemptive().basic("mia", "mia-secret").get("/api/admin/stats").then().statusCode(200)
                .header("Cache-Control", equalTo("no-store"));
        // The login challenge too: a cache must not keep even the refusal.
        given().get("/admin").then().statusCode(401).header("Cache-Control", equalTo("no-store"));
    }

    @Test
    void the_public_widget_keeps_its_own_caching() {
        given().get("/widget.js").then().statusCode(200)
                .header("Cache-Control", equalTo("public, max-age=3600"))
                .header("Referrer-Policy", nullValue());
    }
}
