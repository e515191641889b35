package app.newsletter.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import app.newsletter.support.GreenMailResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** With an https public URL, every answer tells browsers to come back over https only (HSTS), pages and API alike. */
@QuarkusTest
@TestProfile(StrictTransportTest.Https.class)
@QuarkusTestResource(GreenMailResource.class)
class StrictTransportTest {

    public static class Https implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("newsletter.public-url", "https://news.peptide.example");
        }
    }

    @Test
    void an_https_public_url_sends_hsts_on_pages_scripts_and_the_api() {
        for (String path : new String[] { "/", "/widget.js", "/confirm?token=" + "x".repeat(43) }) {
            given().get(path).then().header("Strict-Transport-Security", equalTo("max-age=31536000"));
        }
        given().contentType("application/json").body("{}").post("/api/subscriptions")
                .then().statusCode(400).header("Strict-Transport-Security", equalTo("max-age=31536000"));
        // The page policy names the public origin, from which pages load the widget and post.
        given().get("/").then().header("Content-Security-Policy",
                org.hamcrest.Matchers.containsString("script-src 'self' https://news.peptide.example "));
    }
}
