package app.newsletter.webhooks;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.WebhookReceiver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** With the production default, an endpoint on a loopback address is never called (SSRF). */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
@QuarkusTestResource(value = PrivateTargetsTest.LoopbackEndpoint.class, restrictToAnnotatedClass = true)
class PrivateTargetsTest {

    /** A receiver on 127.0.0.1 and an endpoint pointing at it, with private targets not allowed (the default). */
    public static class LoopbackEndpoint implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            WebhookReceiver.start();
            return Map.of("newsletter.webhooks.local.url", WebhookReceiver.url("/hooks/local"),
                    "newsletter.webhooks.local.secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                    "newsletter.webhooks.interval", "0.2s");
        }

        @Override
        public void stop() {
            WebhookReceiver.stop();
        }
    }

    @Inject
    Db db;

    @Test
    void a_loopback_endpoint_is_refused_and_says_why() {
        String email = Addresses.unique("ssrf");
        given().contentType(ContentType.JSON).body(Map.of("email", email))
                .when().post("/api/subscriptions").then().statusCode(202);

        await().atMost(Duration.ofSeconds(10)).until(() -> db.count("select count(*) from webhook_message "
                + "where endpoint_id = 'local' and attempts >= 1 and last_error like 'refused: %127.0.0.1%' "
                + "and status = 'PENDING' and body like ?", "%" + email + "%") == 1);
        assertTrue(WebhookReceiver.at("/hooks/local").isEmpty(), "the loopback receiver was called");
        given().auth().preemptive().basic("ada", "ada-secret").when().get("/api/admin/webhooks").then()
                .statusCode(200)
                .body("allowPrivateTargets", equalTo(false))
                .body("endpoints[0].lastFailure", containsString("NEWSLETTER_WEBHOOKS_ALLOW_PRIVATE_TARGETS is off"));
    }
}
