package app.newsletter.outbox;

import static app.newsletter.support.Management.management;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class ObservabilityTest {

    @Test
    void metrics_count_signups_by_outcome_and_mails_by_kind() {
        double accepted = metric("newsletter_signups_total\\{outcome=\"accepted\"");
        double invalid = metric("newsletter_signups_total\\{outcome=\"invalid\"");
        double sent = metric("newsletter_mails_sent_total\\{kind=\"confirmation\"");
        String email = Addresses.unique("metrics");
        given().contentType(ContentType.JSON).body(Map.of("email", email)).post("/api/subscriptions")
                .then().statusCode(202);
        given().contentType(ContentType.JSON).body(Map.of("email", "nope")).post("/api/subscriptions")
                .then().statusCode(400);
        Mailbox.await(email, 1);

        assertTrue(metric("newsletter_signups_total\\{outcome=\"accepted\"") >= accepted + 1);
        assertTrue(metric("newsletter_signups_total\\{outcome=\"invalid\"") >= invalid + 1);
        waitUntil(() -> metric("newsletter_mails_sent_total\\{kind=\"confirmation\"") >= sent + 1);
        String page = management().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String name : new String[] { "newsletter_outbox_pending", "newsletter_outbox_oldest_pending_seconds",
                "newsletter_outbox_dead", "newsletter_confirmation_breaker_open", "http_server_requests_seconds" }) {
            assertTrue(page.contains(name), name + " missing from /q/metrics");
        }
    }

    @Test
    void signup_requests_are_counted_under_their_path_even_with_credentials_the_endpoint_does_not_need() {
        String counted = "http_server_requests_seconds_count\\{method=\"POST\",outcome=\"SUCCESS\",status=\"202\","
                + "uri=\"/api/subscriptions\"";
        double before = metric(counted);
        given().contentType(ContentType.JSON).body(Map.of("email", Addresses.unique("template")))
                .post("/api/subscriptions").then().statusCode(202);
        // Staff credentials, wrong ones: the public endpoint neither checks them nor fails on them.
        given().auth().preemptive().basic("nobody", "wrong").contentType(ContentType.JSON)
                .body(Map.of("email", Addresses.unique("template"))).post("/api/subscriptions").then().statusCode(202);

        waitUntil(() -> metric(counted) >= before + 2);
    }

    @Test
    void every_answer_carries_a_request_id_and_a_sane_one_from_the_caller_is_kept() {
        given().get("/widget.js").then().statusCode(200).header("X-Request-Id", matchesPattern("[0-9a-f]{16}"));
        given().header("X-Request-Id", "abc-123").contentType(ContentType.JSON).body(Map.of("email", "bad"))
                .post("/api/subscriptions").then().statusCode(400).header("X-Request-Id", equalTo("abc-123"));
        given().header("X-Request-Id", "evil\tvalue").get("/widget.js")
                .then().header("X-Request-Id", matchesPattern("[0-9a-f]{16}"));
    }

    @Test
    void the_public_port_serves_no_management_endpoint() {
        for (String path : new String[] { "/q/metrics", "/q/health", "/q/health/ready", "/q/openapi",
                "/q/swagger-ui", "/q/dev-ui", "/q/" }) {
            given().get(path).then().statusCode(404);
        }
        management().get("/q/health/ready").then().statusCode(200).body(containsString("UP"));
        management().get("/q/metrics").then().statusCode(200);
    }

    @Test
    void openapi_describes_the_public_and_the_staff_endpoints() {
        management().get("/q/openapi?format=json").then().statusCode(200)
                .body(containsString("/api/subscriptions"))
                .body(containsString("/api/admin/subscribers.csv"))
                .body(containsString("/confirm"))
                .body(containsString("/ebook"));
    }

    private static double metric(String prefix) {
        String page = management().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher matcher = Pattern.compile("(?m)^" + prefix + "[^}]*} ([0-9.eE+-]+)$").matcher(page);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(condition::getAsBoolean);
    }
}
