package app.newsletter.webhooks;

import static app.newsletter.support.Management.management;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;

import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;

import app.newsletter.support.Addresses;
import app.newsletter.support.Concurrently;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
import app.newsletter.support.WebhookReceiver;
import app.newsletter.support.WebhookReceiver.Answer;
import app.newsletter.support.WebhookReceiver.Received;
import app.newsletter.support.WebhookReceiverResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
@QuarkusTestResource(value = WebhookReceiverResource.class, restrictToAnnotatedClass = true)
class WebhooksTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SETTLE = Duration.ofSeconds(2);
    private static final List<String> ORDER = List.of("subscription.created", "subscription.confirmed",
            "ebook.downloaded", "subscription.unsubscribed");

    @Inject
    Db db;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    Webhooks webhooks;

    @Test
    void every_event_type_is_delivered_once_with_a_signature_the_standard_webhooks_library_accepts()
            throws Exception {
        String email = Addresses.unique("hooked");
        signUp(email, "peptide-evolution");
        String confirmToken = Mailbox.token(Mailbox.link(Mailbox.await(email, 1).get(0),
                "http://localhost:8080/confirm"));
        confirm(confirmToken);
        MimeMessage ebookMail = Mailbox.await(email, 2).get(1);
        String ebookToken = Mailbox.token(Mailbox.link(ebookMail, "http://localhost:8080/ebook"));
        given().queryParam("token", ebookToken).when().get("/ebook").then().statusCode(200);
        String unsubscribeUrl = Mailbox.header(ebookMail, "List-Unsubscribe").replaceAll("[<>]", "")
                .replace("http://localhost:8080", "");
        given().contentType(ContentType.URLENC).body("List-Unsubscribe=One-Click")
                .when().post(unsubscribeUrl).then().statusCode(200);

        List<Received> received = await().atMost(Duration.ofSeconds(20))
                .until(() -> WebhookReceiver.at("/hooks/all", email), r -> r.size() == 4);
        // Standard Webhooks promises no order: events of one batch go out concurrently.
        received = received.stream().sorted(java.util.Comparator.comparing(r -> ORDER.indexOf(body(r).get("type")
                .asText()))).toList();
        assertEquals(ORDER, received.stream().map(r -> body(r).get("type").asText()).toList());
        Set<String> ids = new HashSet<>();
        for (Received event : received) {
            verified(event);
            ids.add(event.header("webhook-id"));
            JsonNode body = body(event);
            assertTrue(Instant.parse(body.get("timestamp").asText()).isAfter(Instant.now().minusSeconds(60)));
            JsonNode data = body.get("data");
            assertEquals(email, data.get("email").asText());
            assertEquals("peptide-evolution", data.get("list").asText());
            assertEquals("Ada", data.get("name").asText());
            assertEquals("https://blog.example/post", data.get("source").asText());
            assertEquals("1", data.get("consentVersion").asText());
            assertNotNull(Instant.parse(data.get("createdAt").asText()));
            assertFalse(event.body().contains(confirmToken) || event.body().contains(ebookToken),
                    "no link token in any event");
            assertEquals("application/json", event.header("content-type"));
            assertTrue(event.body().length() < 20_000);
        }
        assertEquals(4, ids.size(), "one webhook-id per event");
        JsonNode created = body(received.get(0)).get("data");
        assertEquals("pending", created.get("status").asText());
        // Written by the signup's own statement: the row's id and creation time, to the microsecond.
        Map<String, Object> row = db.rows("select id, created_at from subscriber where email = ?", email).get(0);
        assertEquals(((Number) row.get("id")).longValue(), created.get("id").asLong());
        assertEquals(((java.sql.Timestamp) row.get("created_at")).toInstant(),
                Instant.parse(created.get("createdAt").asText()));
        assertEquals("127.0.0.1", created.get("ip").asText(), "endpoint 'all' opted in to the visitor's IP");
        assertEquals("webhook-test", created.get("userAgent").asText());
        assertEquals("confirmed", body(received.get(1)).get("data").get("status").asText());
        // The confirmation's and the unsubscription's times, as the row keeps them.
        Map<String, Object> times = db.rows("select confirmed_at, unsubscribed_at from subscriber where email = ?",
                email).get(0);
        assertEquals(((java.sql.Timestamp) times.get("confirmed_at")).toInstant(),
                Instant.parse(body(received.get(1)).get("data").get("confirmedAt").asText()));
        assertEquals(((java.sql.Timestamp) times.get("unsubscribed_at")).toInstant(),
                Instant.parse(body(received.get(3)).get("data").get("unsubscribedAt").asText()));
        assertEquals(1, body(received.get(2)).get("data").get("ebookDownloads").asInt());
        assertEquals("unsubscribed", body(received.get(3)).get("data").get("status").asText());
        // The partner endpoint filters on its own list's confirmations; the moved one got the download (below).
        assertTrue(WebhookReceiver.at("/hooks/partner", email).isEmpty());

        // Erasure: its event names the list and the salted hash, never the address.
        given().auth().preemptive().basic("ada", "ada-secret").when().delete("/api/admin/subscribers/" + email)
                .then().statusCode(200);
        Received erased = await().atMost(Duration.ofSeconds(10)).until(
                () -> WebhookReceiver.at("/hooks/all").stream()
                        .filter(r -> body(r).get("type").asText().equals("subscriber.erased")
                                && r.body().contains(subjectHash(email)))
                        .findFirst().orElse(null),
                r -> r != null);
        verified(erased);
        assertFalse(erased.body().toLowerCase().contains(email.toLowerCase()));
        assertEquals("peptide-evolution", body(erased).get("data").get("list").asText());

        // Each exactly once: nothing more arrives, and every row is settled as delivered.
        await().during(SETTLE).atMost(SETTLE.plusSeconds(5))
                .until(() -> WebhookReceiver.at("/hooks/all", email).size() == 4);
        assertEquals(0L, db.count("select count(*) from webhook_message where endpoint_id = 'all' "
                + "and body like ?", "%" + email + "%"), "a delivered event is deleted");
    }

    @Test
    void a_receiver_that_fails_and_then_succeeds_gets_the_same_webhook_id_twice_and_nothing_more() throws Exception {
        String email = Addresses.unique("flaky");
        WebhookReceiver.answer("/hooks/all", Answer.of(500));
        signUp(email, "peptide-evolution");

        List<Received> received = await().atMost(Duration.ofSeconds(10))
                .until(() -> WebhookReceiver.at("/hooks/all", email), r -> r.size() == 2);
        assertEquals(received.get(0).header("webhook-id"), received.get(1).header("webhook-id"));
        assertEquals(received.get(0).body(), received.get(1).body());
        verified(received.get(0));
        verified(received.get(1));
        await().during(SETTLE).atMost(SETTLE.plusSeconds(5))
                .until(() -> WebhookReceiver.at("/hooks/all", email).size() == 2);
        assertEquals(0L, db.count("select count(*) from webhook_message where endpoint_id = 'all' and body like ?",
                "%" + email + "%"), "delivered by the second attempt, and so deleted");
    }

    @Test
    void a_429_waits_for_its_retry_after() throws Exception {
        String email = Addresses.unique("throttled");
        WebhookReceiver.answer("/hooks/all", new Answer(429, Map.of("Retry-After", "3")));
        signUp(email, "peptide-evolution");

        Received first = await().atMost(Duration.ofSeconds(10))
                .until(() -> WebhookReceiver.at("/hooks/all", email), r -> r.size() == 1).get(0);
        Instant firstAt = Instant.now();
        List<Received> both = await().atMost(Duration.ofSeconds(15))
                .until(() -> WebhookReceiver.at("/hooks/all", email), r -> r.size() == 2);
        assertTrue(Duration.between(firstAt, Instant.now()).toMillis() >= 2_500,
                "the second attempt came before Retry-After's 3 s (the schedule alone says 0.5 s)");
        assertEquals(first.header("webhook-id"), both.get(1).header("webhook-id"));
    }

    @Test
    void events_and_lists_filter_what_an_endpoint_receives() {
        String elsewhere = Addresses.unique("elsewhere");
        String partner = Addresses.unique("partnered");
        signUp(elsewhere, "peptide-evolution");
        signUp(partner, "partner");
        confirm(Mailbox.token(Mailbox.link(Mailbox.await(partner, 1).get(0), "http://localhost:8080/confirm")));
        confirm(Mailbox.token(Mailbox.link(Mailbox.await(elsewhere, 1).get(0), "http://localhost:8080/confirm")));

        Received confirmed = await().atMost(Duration.ofSeconds(10))
                .until(() -> WebhookReceiver.at("/hooks/partner", partner), r -> r.size() == 1).get(0);
        verified(confirmed);
        assertEquals("subscription.confirmed", body(confirmed).get("type").asText());
        assertNull(body(confirmed).get("data").get("ip"), "endpoint 'partner' did not opt in to IPs");
        await().until(() -> WebhookReceiver.at("/hooks/all", elsewhere).size() == 2);
        await().during(SETTLE).atMost(SETTLE.plusSeconds(5))
                .until(() -> WebhookReceiver.at("/hooks/partner", elsewhere).isEmpty()
                        && WebhookReceiver.at("/hooks/partner", partner).size() == 1);
        assertEquals(0L, db.count("select count(*) from webhook_message where endpoint_id = 'partner' "
                + "and body like ?", "%" + elsewhere + "%"), "nothing queued for an endpoint that does not want it");
    }

    @Test
    void an_endpoint_that_answers_410_is_disabled_until_staff_enable_it() {
        WebhookReceiver.answer("/hooks/gone", Answer.of(410));
        String first = Addresses.unique("gone-1");
        unsubscribeAfterSignup(first);
        await().atMost(Duration.ofSeconds(10)).until(() -> WebhookReceiver.at("/hooks/gone", first).size() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> db.count(
                "select count(*) from webhook_endpoint where endpoint_id = 'gone' and disabled_at is not null") == 1);
        admin().when().get("/api/admin/webhooks").then().statusCode(200)
                .body("endpoints.find { it.id == 'gone' }.state", equalTo("disabled"))
                .body("endpoints.find { it.id == 'gone' }.disabledReason", equalTo("410 Gone"));

        String second = Addresses.unique("gone-2");
        unsubscribeAfterSignup(second);
        await().until(() -> WebhookReceiver.at("/hooks/all", second).size() == 2);
        await().during(SETTLE).atMost(SETTLE.plusSeconds(5))
                .until(() -> WebhookReceiver.at("/hooks/gone", second).isEmpty());
        assertEquals(0L, db.count("select count(*) from webhook_message where endpoint_id = 'gone' "
                + "and status = 'PENDING'"));
        admin().when().post("/api/admin/webhooks/gone/test").then().statusCode(409)
                .contentType("application/problem+json");

        admin().when().post("/api/admin/webhooks/gone/enable").then().statusCode(200)
                .body("wasDisabled", equalTo(true));
        String third = Addresses.unique("gone-3");
        unsubscribeAfterSignup(third);
        Received delivered = await().atMost(Duration.ofSeconds(10))
                .until(() -> WebhookReceiver.at("/hooks/gone", third), r -> r.size() == 1).get(0);
        verified(delivered);
        assertEquals(1L, db.count("select count(*) from audit_log where action = 'WEBHOOK_ENABLE' and actor = 'ada'"));
    }

    @Test
    void an_event_that_fails_every_attempt_of_the_schedule_is_dead_and_counted() {
        // The test schedule: the first attempt and five retries over 15.5 s.
        WebhookReceiver.answer("/hooks/dying", Collections.nCopies(7, Answer.of(500))
                .toArray(Answer[]::new));
        admin().when().post("/api/admin/webhooks/dying/test").then().statusCode(202);

        List<Received> attempts = await().atMost(Duration.ofSeconds(40))
                .until(() -> WebhookReceiver.at("/hooks/dying"), r -> r.size() == 6);
        assertEquals(1, attempts.stream().map(r -> r.header("webhook-id")).distinct().count(),
                "every attempt carries the event's one webhook-id");
        await().atMost(Duration.ofSeconds(5)).until(() -> db.count("select count(*) from webhook_message "
                + "where endpoint_id = 'dying' and status = 'DEAD' and attempts = 6 and last_status = 500") == 1);
        await().during(SETTLE).atMost(SETTLE.plusSeconds(5))
                .until(() -> WebhookReceiver.at("/hooks/dying").size() == 6);
        admin().when().get("/api/admin/webhooks").then().statusCode(200)
                .body("endpoints.find { it.id == 'dying' }.dead", equalTo(1))
                .body("endpoints.find { it.id == 'dying' }.pending", equalTo(0))
                .body("endpoints.find { it.id == 'dying' }.lastFailure", equalTo("answered 500"));
        management().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("newsletter_webhooks_events_dead_total{endpoint=\"dying\"} 1.0"))
                .body(containsString("newsletter_webhooks_events_failed_total{endpoint=\"dying\"} 6.0"));
    }

    @Test
    void a_redirect_is_not_followed() {
        WebhookReceiver.answer("/hooks/moved",
                new Answer(302, Map.of("Location", WebhookReceiver.url("/hooks/elsewhere"))));
        String email = Addresses.unique("moved");
        signUp(email, "peptide-evolution");
        confirm(Mailbox.token(Mailbox.link(Mailbox.await(email, 1).get(0), "http://localhost:8080/confirm")));
        String ebookToken = Mailbox.token(Mailbox.link(Mailbox.await(email, 2).get(1), "http://localhost:8080/ebook"));
        given().queryParam("token", ebookToken).when().get("/ebook").then().statusCode(200);

        // The 302 is a failed attempt (the retry, scripted 200, delivers); its target never hears of the event.
        await().atMost(Duration.ofSeconds(5)).until(() -> db.count("select count(*) from webhook_message "
                + "where endpoint_id = 'moved' and last_status = 302 and attempts = 1 and last_error = "
                + "'redirect not followed (302)' and body like ?", "%" + email + "%") == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> WebhookReceiver.at("/hooks/moved", email).size() == 2);
        assertTrue(WebhookReceiver.at("/hooks/elsewhere").isEmpty(), "the redirect's target got nothing");
        await().atMost(Duration.ofSeconds(5)).until(() -> db.count("select count(*) from webhook_message "
                + "where endpoint_id = 'moved' and body like ?", "%" + email + "%") == 0);
        assertTrue(WebhookReceiver.at("/hooks/elsewhere").isEmpty());
    }

    @Test
    void an_outage_of_the_receiver_during_a_thousand_signups_loses_no_event_and_duplicates_none() throws Exception {
        String prefix = "outage-" + Long.toString(System.nanoTime(), 36) + "-";
        WebhookReceiver.stop();
        List<Future<Integer>> replies;
        try {
            replies = Concurrently.run(1000, i -> () -> given().contentType(ContentType.JSON)
                    .header("User-Agent", "outage-test")
                    .body(Map.of("email", prefix + i + "@example.com", "name", "Ada"))
                    .when().post("/api/subscriptions").then().extract().statusCode());
            for (Future<Integer> reply : replies) {
                assertEquals(202, reply.get());
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> db.count("select count(*) from webhook_message "
                    + "where endpoint_id = 'all' and body like ? and attempts > 0 and status = 'PENDING'",
                    "%" + prefix + "%") > 0);
        } finally {
            WebhookReceiver.restart();
        }

        Set<String> addresses = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (Received event : exactly(1000, "/hooks/all", prefix, Duration.ofSeconds(60))) {
            addresses.add(body(event).get("data").get("email").asText());
            ids.add(event.header("webhook-id"));
        }
        assertEquals(1000, addresses.size(), "every signup's event, none twice");
        assertEquals(1000, ids.size());
        assertEquals(0L, db.count("select count(*) from webhook_message where endpoint_id = 'all' "
                + "and body like ?", "%" + prefix + "%"), "every event delivered and deleted");
    }

    @Test
    void events_queued_by_one_statement_share_rows_of_eight_and_each_goes_out_once_under_its_own_id()
            throws Exception {
        String prefix = "grouped-" + Long.toString(System.nanoTime(), 36) + "-";
        // The group commit's way: one statement queues many events (here ten, for endpoint 'all' alone). Their data
        // carry a raw U+001E, the separator of a group row's bodies, as no JSON text may (it must be escaped).
        String queue = Webhooks.queueFrom("""
                (select 'peptide-evolution' as list_id, 'subscription.created' as event_type, now() as occurred_at,
                        '{"email":"' || ?::text || i || '@example.com","note":"a' || chr(30) || 'b"}' as data,
                        null::text as client
                   from generate_series(1, 10) as i) as s""");
        Set<String> queuedIds = new HashSet<>();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(queue)) {
                int p = webhooks.bindQueued(connection, insert, 1, Instant.now(), EventType.SUBSCRIPTION_CREATED);
                insert.setString(p, prefix);
                assertEquals(2, insert.executeUpdate(), "ten events in two rows");
            }
            // Seen before the commit, so before any dispatcher can take them.
            try (PreparedStatement select = connection.prepareStatement("select events, msg_id, body "
                    + "from webhook_message where body like ? order by events desc")) {
                select.setString(1, "%" + prefix + "%");
                try (ResultSet rows = select.executeQuery()) {
                    for (int expected : new int[] { 8, 2 }) {
                        assertTrue(rows.next());
                        assertEquals(expected, rows.getInt(1));
                        String[] ids = rows.getString(2).split(" ");
                        String[] bodies = rows.getString(3).split("\u001e");
                        assertEquals(expected, ids.length);
                        assertEquals(expected, bodies.length);
                        for (String eventBody : bodies) {
                            JsonNode event = JSON.readTree(eventBody);
                            assertEquals("subscription.created", event.get("type").asText());
                            assertTrue(event.get("data").get("email").asText().startsWith(prefix));
                            assertEquals("a\u001eb", event.get("data").get("note").asText(), "escaped, not split");
                        }
                        queuedIds.addAll(List.of(ids));
                    }
                    assertFalse(rows.next());
                }
            }
            connection.commit();
        }

        Set<String> deliveredIds = new HashSet<>();
        Set<String> addresses = new HashSet<>();
        for (Received event : exactly(10, "/hooks/all", prefix, Duration.ofSeconds(10))) {
            verified(event);
            deliveredIds.add(event.header("webhook-id"));
            addresses.add(body(event).get("data").get("email").asText());
        }
        assertEquals(10, queuedIds.size());
        assertEquals(queuedIds, deliveredIds, "each event once, under the webhook-id it was queued with");
        assertEquals(10, addresses.size());
        assertEquals(0L, db.count("select count(*) from webhook_message where body like ?", "%" + prefix + "%"));
    }

    @Test
    void staff_see_every_endpoint_without_its_secrets_and_can_send_a_test_event() throws Exception {
        String listing = admin().when().get("/api/admin/webhooks").then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("allowPrivateTargets", equalTo(true))
                .body("endpoints.id", hasItems("all", "partner", "gone", "moved"))
                .body("endpoints.find { it.id == 'all' }.secrets", equalTo(2))
                .body("endpoints.find { it.id == 'partner' }.events", equalTo(List.of("subscription.confirmed")))
                .body("endpoints.find { it.id == 'partner' }.lists", equalTo(List.of("partner")))
                .body(not(containsString("whsec_")))
                .extract().asString();
        assertFalse(listing.contains(WebhookReceiverResource.SECRET.substring(6)));

        admin().when().post("/api/admin/webhooks/partner/test").then().statusCode(202)
                .body("endpoint", equalTo("partner"));
        Received test = await().atMost(Duration.ofSeconds(10)).until(
                () -> WebhookReceiver.at("/hooks/partner").stream()
                        .filter(r -> body(r).get("type").asText().equals("webhook.test")).toList(),
                r -> r.size() == 1).get(0);
        verified(test);
        assertEquals(1L, db.count("select count(*) from audit_log where action = 'WEBHOOK_TEST' "
                + "and details ->> 'endpoint' = 'partner'"));
        admin().when().get("/api/admin/webhooks").then().statusCode(200)
                .body("endpoints.find { it.id == 'partner' }.lastDeliveredAt", org.hamcrest.Matchers.notNullValue());

        admin().when().post("/api/admin/webhooks/nope/test").then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().preemptive().basic("mia", "mia-secret").when().get("/api/admin/webhooks").then()
                .statusCode(403);
        given().auth().preemptive().basic("mia", "mia-secret").when().post("/api/admin/webhooks/all/test").then()
                .statusCode(403);
    }

    @Test
    void a_signature_made_with_another_secret_or_over_another_body_is_refused_by_the_verifier() {
        String email = Addresses.unique("forged");
        signUp(email, "peptide-evolution");
        Received event = await().atMost(Duration.ofSeconds(10))
                .until(() -> WebhookReceiver.at("/hooks/all", email), r -> r.size() == 1).get(0);
        verified(event);
        assertThrows(WebhookVerificationException.class, () -> new Webhook(
                "whsec_" + "A".repeat(32)).verify(event.body(), event.headers()));
        assertThrows(WebhookVerificationException.class, () -> new Webhook(WebhookReceiverResource.SECRET)
                .verify(event.body().replace("Ada", "Eve"), event.headers()));
    }

    /** The events containing {@code text} that reach {@code path}: {@code n} of them within the time, and no more. */
    private static List<Received> exactly(int n, String path, String text, Duration within) {
        await().atMost(within).until(() -> WebhookReceiver.at(path, text).size() >= n);
        await().during(SETTLE).atMost(SETTLE.plusSeconds(10)).until(() -> WebhookReceiver.at(path, text).size() == n);
        return WebhookReceiver.at(path, text);
    }

    private static void verified(Received event) {
        // Both secrets of the rotation sign: a receiver on either verifies with the official library.
        for (String secret : List.of(WebhookReceiverResource.SECRET, WebhookReceiverResource.NEXT_SECRET)) {
            if (event.path().equals("/hooks/all") || secret.equals(WebhookReceiverResource.SECRET)) {
                try {
                    new Webhook(secret).verify(event.body(), event.headers());
                } catch (WebhookVerificationException e) {
                    throw new AssertionError("signature refused with " + secret.substring(0, 10) + "…: " + e, e);
                }
            }
        }
        assertTrue(event.header("webhook-id").startsWith("msg_"));
        assertTrue(Math.abs(Long.parseLong(event.header("webhook-timestamp")) - Instant.now().getEpochSecond()) < 60);
    }

    private static JsonNode body(Received event) {
        try {
            return JSON.readTree(event.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + event.body(), e);
        }
    }

    private String subjectHash(String email) {
        return (String) db.rows("select encode(sha256((select value from installation_secret "
                + "where name = 'suppression-salt') || convert_to(lower(?), 'UTF8')), 'hex') as h", email)
                .get(0).get("h");
    }

    private void unsubscribeAfterSignup(String email) {
        signUp(email, "peptide-evolution");
        MimeMessage mail = Mailbox.await(email, 1).get(0);
        String token = Mailbox.token(Mailbox.link(mail, "http://localhost:8080/unsubscribe"));
        given().contentType(ContentType.URLENC).queryParam("token", token).formParam("token", token)
                .when().post("/unsubscribe").then().statusCode(200);
    }

    private static void signUp(String email, String list) {
        given().contentType(ContentType.JSON)
                .header("User-Agent", "webhook-test")
                .body(Map.of("email", email, "name", "Ada", "list", list, "source", "https://blog.example/post"))
                .when().post("/api/subscriptions")
                .then().statusCode(202);
    }

    private static void confirm(String token) {
        given().contentType(ContentType.URLENC).formParam("token", token)
                .when().post("/confirm").then().statusCode(200);
    }

    private static io.restassured.specification.RequestSpecification admin() {
        return given().auth().preemptive().basic("ada", "ada-secret").contentType(ContentType.JSON);
    }
}
