package app.newsletter.subscription;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.Concurrently;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * {@code NEWSLETTER_SIGNUP_BATCH_SIZE=1}: every signup in a transaction of its own, written by several writers at once,
 * with the same guarantees as groups: each signup its own rows and mail, the per-IP windows exact under concurrency.
 */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
@TestProfile(SignupsAloneTest.OnePerTransaction.class)
class SignupsAloneTest {

    private static final int PER_MINUTE = 5;

    /** Groups of one, the per-IP limit on, and trusted forwarding so that each test plays IPs of its own. */
    public static class OnePerTransaction implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("newsletter.signup-batch-size", "1",
                    "newsletter.rate-limit.enabled", "true",
                    "newsletter.rate-limit.per-ip-per-minute", String.valueOf(PER_MINUTE),
                    "newsletter.rate-limit.per-ip-per-day", "1000",
                    "quarkus.http.proxy.proxy-address-forwarding", "true",
                    "quarkus.http.proxy.allow-x-forwarded", "true",
                    "quarkus.http.proxy.trusted-proxies", "127.0.0.1");
        }
    }

    @Inject
    Db db;

    @Test
    void concurrent_signups_each_commit_alone_with_their_rows_and_their_mail() throws Exception {
        String run = Addresses.unique("alone");
        int signups = 24;
        List<Future<Integer>> replies = Concurrently.run(signups, i -> () -> signup(Addresses.freshIp(), i + "." + run)
                .statusCode());
        for (Future<Integer> reply : replies) {
            assertEquals(202, reply.get());
        }
        String like = "%." + run;
        assertEquals(signups, db.count("select count(*) from subscriber where email like ? and status = 'PENDING' "
                + "and last_confirmation_sent_at is not null", like));
        assertEquals(signups, db.count("select count(*) from consent_record c join subscriber s on s.id = "
                + "c.subscriber_id where s.email like ? and c.event = 'SIGNUP'", like));
        // A consent record is never updated, so its xmin is the id of the transaction that wrote the signup: one per
        // signup when none shares a transaction.
        assertEquals(signups, db.count("select count(distinct c.xmin::text) from consent_record c join subscriber s "
                + "on s.id = c.subscriber_id where s.email like ? and c.event = 'SIGNUP'", like));
        for (int i = 0; i < signups; i++) {
            String email = i + "." + run;
            String link = Mailbox.link(Mailbox.await(email, 1).get(0), "http://localhost:8080/confirm");
            given().formParam("token", Mailbox.token(link)).when().post("/confirm").then().statusCode(200);
            assertEquals(1L, db.count("select count(*) from subscriber where email = ? and status = 'CONFIRMED'",
                    email));
        }
    }

    @Test
    void concurrent_signups_from_one_ip_get_exactly_its_window_and_the_rest_429() throws Exception {
        String run = Addresses.unique("alone-ip");
        String ip = Addresses.freshIp();
        int signups = PER_MINUTE * 3;
        List<Future<Response>> replies = Concurrently.run(signups, i -> () -> signup(ip, i + "." + run));
        List<Integer> statuses = new ArrayList<>();
        for (Future<Response> reply : replies) {
            Response response = reply.get();
            statuses.add(response.statusCode());
            if (response.statusCode() == 429) {
                assertEquals("application/problem+json", response.contentType());
                int retryAfter = Integer.parseInt(response.header("Retry-After"));
                assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
            }
        }
        assertEquals(PER_MINUTE, statuses.stream().filter(s -> s == 202).count(), statuses.toString());
        assertEquals(signups - PER_MINUTE, statuses.stream().filter(s -> s == 429).count(), statuses.toString());
        // Only the signups let through are stored and mailed.
        assertEquals(PER_MINUTE, db.count("select count(*) from subscriber where email like ?", "%." + run));
        assertEquals(PER_MINUTE, db.count("select count(*) from outbox_mail where kind = 'confirmation' and "
                + "recipient like ?", "%." + run));
    }

    private static Response signup(String ip, String email) {
        return given().header("X-Forwarded-For", ip).contentType(ContentType.JSON).body(Map.of("email", email))
                .when().post("/api/subscriptions").then().extract().response();
    }
}
