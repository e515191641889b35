package app.newsletter.subscription;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class ConsentRecordTest {

    @Inject
    Db db;

    @Test
    void signup_consent_records_address_agent_source_and_consent_version() {
        String email = Addresses.unique("consent");
        given().contentType(ContentType.JSON).header("User-Agent", "Mozilla/5.0 (Spec)")
                .body(Map.of("email", email, "source", "https://blog.example/post", "consent", true))
                .post("/api/subscriptions").then().statusCode(202);

        Map<String, Object> consent = db.rows("select c.* from consent_record c join subscriber s "
                + "on s.id = c.subscriber_id where s.email = ?", email).get(0);
        assertEquals("SIGNUP", consent.get("event"));
        assertEquals("127.0.0.1", consent.get("ip"));
        assertEquals("Mozilla/5.0 (Spec)", consent.get("user_agent"));
        assertEquals("https://blog.example/post", consent.get("source"));
        assertEquals("peptide-evolution", consent.get("list_id"));
        assertEquals("1", consent.get("consent_version"));
    }

    @Test
    void forwarded_headers_from_an_untrusted_client_are_not_believed() {
        String email = Addresses.unique("spoof");
        given().contentType(ContentType.JSON).header("X-Forwarded-For", "203.0.113.9")
                .header("Forwarded", "for=203.0.113.9")
                .body(Map.of("email", email)).post("/api/subscriptions").then().statusCode(202);

        assertEquals("127.0.0.1", db.rows("select c.ip from consent_record c join subscriber s "
                + "on s.id = c.subscriber_id where s.email = ?", email).get(0).get("ip"));
    }

    @Test
    void the_referer_is_the_source_when_the_form_names_none() {
        String email = Addresses.unique("referer");
        given().contentType(ContentType.URLENC).header("Referer", "https://blog.example/stem-cells")
                .formParam("email", email).post("/api/subscriptions").then().statusCode(200);

        assertEquals("https://blog.example/stem-cells", db.rows("select source from subscriber where email = ?",
                email).get(0).get("source"));
    }
}
