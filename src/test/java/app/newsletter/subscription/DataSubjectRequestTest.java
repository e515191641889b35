package app.newsletter.subscription;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * GET and DELETE /api/admin/subscribers/{email}: the GDPR access and erasure requests, on state made through the
 * public API (signup on two lists, confirmation by the mailed link, mails actually sent).
 */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class DataSubjectRequestTest {

    private static final String SIGNUP_AGENT = "DSR-Browser/1.0 (signup)";
    private static final String CONFIRM_AGENT = "DSR-Browser/2.0 (confirm)";
    private static final Pattern TOKEN = Pattern.compile("token=([A-Za-z0-9_-]+)");

    @Inject
    Db db;

    @Test
    void access_request_lists_both_subscriptions_the_consent_log_and_the_mails_without_bodies_or_links() {
        String email = Addresses.unique("dsr-access");
        List<String> tokens = subscribedToBothListsAndConfirmedOnOne(email);
        long auditBefore = lastAuditId();

        String body = as("mia", "mia-secret").when().get("/api/admin/subscribers/{email}", email)
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("email", equalTo(email))
                .extract().asString();
        JsonPath json = JsonPath.from(body);

        assertEquals(Set.of("email", "subscriptions", "consents", "mails"), json.getMap("$").keySet());

        assertEquals(List.of("peptide-evolution", "partner"), json.getList("subscriptions.list"));
        assertEquals(List.of("confirmed", "pending"), json.getList("subscriptions.status"));
        assertEquals(List.of(email, email), json.getList("subscriptions.email"));
        assertEquals("Grace", json.getString("subscriptions[0].name"));
        assertEquals("https://blog.example/peptides", json.getString("subscriptions[0].source"));
        assertEquals("1", json.getString("subscriptions[0].consentVersion"));
        assertNotNull(json.getString("subscriptions[0].subscribedAt"));
        assertNotNull(json.getString("subscriptions[0].confirmedAt"));
        assertNull(json.getString("subscriptions[1].confirmedAt"));
        assertEquals(List.of(0, 0), json.getList("subscriptions.ebookDownloads"));
        assertEquals(db.rows("select id from subscriber where lower(email) = lower(?) order by id", email).stream()
                .map(r -> ((Number) r.get("id")).intValue()).toList(), json.getList("subscriptions.id"));

        // the consent log: who agreed to what, when, from where
        assertEquals(List.of("peptide-evolution", "partner", "peptide-evolution"), json.getList("consents.list"));
        assertEquals(List.of("signup", "signup", "confirm"), json.getList("consents.event"));
        assertEquals(List.of(SIGNUP_AGENT, SIGNUP_AGENT, CONFIRM_AGENT), json.getList("consents.userAgent"));
        List<Object> ips = db.rows("select c.ip from consent_record c join subscriber s on s.id = c.subscriber_id "
                + "where lower(s.email) = lower(?) order by c.id", email).stream().map(r -> r.get("ip")).toList();
        assertEquals(ips, json.getList("consents.ip"));
        assertTrue(ips.stream().allMatch(ip -> ip != null && !ip.toString().isBlank()), ips.toString());
        assertTrue(json.getList("consents.at").stream().allMatch(at -> at != null));
        assertEquals("https://blog.example/peptides", json.getString("consents[0].source"));

        // the mails: what was sent, not what it said
        assertEquals(List.of("confirmation", "confirmation", "ebook"), json.getList("mails.kind"));
        assertEquals(List.of("Please confirm your subscription to Peptide Evolution",
                "Please confirm your subscription to Partner Digest", "Your free ebook: Peptide Evolution Ebook"),
                json.getList("mails.subject"));
        assertEquals(List.of("SENT", "SENT", "SENT"), json.getList("mails.status"));
        assertEquals(Set.of("id", "kind", "subject", "status", "attempts", "queuedAt", "sentAt"),
                json.getMap("mails[0]").keySet());
        assertTrue(json.getList("mails.sentAt").stream().allMatch(at -> at != null));
        for (String token : tokens) {
            assertFalse(body.contains(token), "a live link token leaked into the report");
        }
        assertFalse(body.contains("token"), body);
        assertFalse(body.contains("Hello"), body);
        assertFalse(body.contains("List-Unsubscribe"), body);

        List<Map<String, Object>> audit = db.rows("select actor, details::text as details, "
                + "details->>'subject' as subject from audit_log where id > ? and action = 'ACCESS_REQUEST'",
                auditBefore);
        assertEquals(1, audit.size());
        assertEquals("mia", audit.get(0).get("actor"));
        assertNamesNobody((String) audit.get(0).get("details"), email);
        assertEquals(subjectHash(email), audit.get(0).get("subject"));
    }

    @Test
    void lookup_ignores_the_case_of_the_address() {
        String email = Addresses.unique("Dsr-Case");
        signUp(email, "peptide-evolution");
        signUp(email, "partner");
        Mailbox.await(email, 2);

        as("mia", "mia-secret").when().get("/api/admin/subscribers/{email}", email.toUpperCase())
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("subscriptions.size()", equalTo(2))
                .body("subscriptions.email", equalTo(List.of(email, email)))
                .body("consents.event", equalTo(List.of("signup", "signup")));
    }

    @Test
    void an_address_nothing_is_stored_about_is_a_404_problem() {
        String email = Addresses.unique("dsr-unknown");
        long auditBefore = lastAuditId();
        as("mia", "mia-secret").when().get("/api/admin/subscribers/{email}", email)
                .then().statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404))
                .body("title", equalTo("Something went wrong."))
                .body("detail", equalTo("Nothing is stored about this address."));
        assertEquals(0L, db.count("select count(*) from audit_log where id > ? and action = 'ACCESS_REQUEST'",
                auditBefore));
    }

    @Test
    void a_malformed_address_is_a_400_problem_naming_the_field() {
        as("mia", "mia-secret").when().get("/api/admin/subscribers/{email}", "not-an-address")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("errors", hasKey("email"))
                .body("errors.email", containsString("@"));
    }

    @Test
    void erasure_deletes_every_row_about_the_address_and_keeps_only_a_salted_hash() {
        String email = Addresses.unique("dsr-erase");
        subscribedToBothListsAndConfirmedOnOne(email);
        List<Long> ids = db.rows("select id from subscriber where lower(email) = lower(?)", email).stream()
                .map(r -> ((Number) r.get("id")).longValue()).toList();
        assertEquals(2, ids.size());
        long suppressionsBefore = db.count("select count(*) from suppression");
        long auditBefore = lastAuditId();
        // The daily cap's row and the cooldowns' (hashes of the address) counted its confirmations.
        List<String> keys = ConfirmationGate.keysOf(email, List.of("peptide-evolution", "partner"));
        assertEquals(3L, db.count("select count(*) from rate_window where key = any(?::text[])",
                "{" + String.join(",", keys) + "}"));

        as("ada", "ada-secret").when().delete("/api/admin/subscribers/{email}", email)
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("subscriptions", equalTo(2))
                .body("consents", equalTo(3))
                .body("mails", equalTo(3));

        assertEquals(0L, db.count("select count(*) from subscriber where lower(email) = lower(?)", email));
        for (Long id : ids) {
            assertEquals(0L, db.count("select count(*) from subscriber_token where subscriber_id = ?", id));
            assertEquals(0L, db.count("select count(*) from consent_record where subscriber_id = ?", id));
        }
        assertEquals(0L, db.count("select count(*) from outbox_mail where lower(recipient) = lower(?)", email));
        assertEquals(0L, db.count("select count(*) from rate_window where key = any(?::text[])",
                "{" + String.join(",", keys) + "}"));

        assertEquals(suppressionsBefore + 1, db.count("select count(*) from suppression"));
        assertEquals(1L, db.count("select count(*) from suppression where hash = (select sha256(value || "
                + "convert_to(lower(?), 'UTF8')) from installation_secret where name = 'suppression-salt')", email));

        List<Map<String, Object>> audit = db.rows("select actor, details::text as details, "
                + "details->>'subject' as subject from audit_log where id > ? and action = 'ERASURE'", auditBefore);
        assertEquals(1, audit.size());
        assertEquals("ada", audit.get(0).get("actor"));
        assertNamesNobody((String) audit.get(0).get("details"), email);
        assertEquals(subjectHash(email), audit.get(0).get("subject"));

        as("ada", "ada-secret").when().get("/api/admin/subscribers/{email}", email)
                .then().statusCode(404).contentType("application/problem+json");
        as("ada", "ada-secret").when().delete("/api/admin/subscribers/{email}", email)
                .then().statusCode(404).contentType("application/problem+json")
                .body("detail", equalTo("Nothing is stored about this address."));
        assertEquals(suppressionsBefore + 1, db.count("select count(*) from suppression"));
        assertEquals(1L, db.count("select count(*) from audit_log where id > ? and action = 'ERASURE'",
                auditBefore));
    }

    @Test
    void erasure_ignores_the_case_of_the_address_and_hashes_it_lower_cased() {
        String email = Addresses.unique("dsr-erase-case");
        signUp(email, "peptide-evolution");
        Mailbox.await(email, 1);
        awaitSent(email, 1);

        as("ada", "ada-secret").when().delete("/api/admin/subscribers/{email}", email.toUpperCase())
                .then().statusCode(200)
                .body("subscriptions", equalTo(1))
                .body("consents", equalTo(1))
                .body("mails", equalTo(1));

        DoubleOptInFlowTest.assertNoRow(db, email);
        assertEquals(1L, db.count("select count(*) from suppression where hash = (select sha256(value || "
                + "convert_to(?, 'UTF8')) from installation_secret where name = 'suppression-salt')",
                email.toLowerCase()));
    }

    @Test
    void an_erased_person_may_sign_up_again_through_a_form() {
        String email = Addresses.unique("dsr-again");
        subscribedToBothListsAndConfirmedOnOne(email);
        long lastErasedId = db.count("select max(id) from subscriber where lower(email) = lower(?)", email);
        as("ada", "ada-secret").when().delete("/api/admin/subscribers/{email}", email).then().statusCode(200);

        given().contentType(ContentType.URLENC)
                .formParam("email", email).formParam("list", "peptide-evolution").formParam("consent", "on")
                .when().post("/api/subscriptions")
                .then().statusCode(200)
                .contentType(ContentType.HTML)
                .body(containsString("Thank you for subscribing."));

        List<Map<String, Object>> rows = db.rows("select * from subscriber where lower(email) = lower(?)", email);
        assertEquals(1, rows.size());
        assertEquals("PENDING", rows.get(0).get("status"));
        assertEquals("peptide-evolution", rows.get(0).get("list_id"));
        assertNull(rows.get(0).get("confirmed_at"));
        assertTrue(((Number) rows.get(0).get("id")).longValue() > lastErasedId);
        assertEquals(1L, db.count("select count(*) from consent_record where subscriber_id = ? and event = 'SIGNUP'",
                rows.get(0).get("id")));

        MimeMessage confirmation = Mailbox.await(email, 4).get(3); // three before the erasure
        assertEquals("Please confirm your subscription to Peptide Evolution", subject(confirmation));
        String token = Mailbox.token(Mailbox.link(confirmation, "http://localhost:8080/confirm"));
        assertEquals(1L, db.count("select count(*) from subscriber_token where hash = sha256(convert_to(?, 'UTF8')) "
                + "and purpose = 'CONFIRM' and subscriber_id = ?", token, rows.get(0).get("id")));
        Mailbox.assertStays(email, 4);
    }

    @Test
    void marketing_may_not_erase_and_nothing_is_deleted() {
        String email = Addresses.unique("dsr-refused");
        signUp(email, "peptide-evolution");
        Mailbox.await(email, 1);
        long suppressionsBefore = db.count("select count(*) from suppression");
        long auditBefore = lastAuditId();

        as("mia", "mia-secret").when().delete("/api/admin/subscribers/{email}", email)
                .then().statusCode(403);

        assertEquals(1L, db.count("select count(*) from subscriber where lower(email) = lower(?)", email));
        assertEquals(1L, db.count("select count(*) from consent_record c join subscriber s on s.id = c.subscriber_id "
                + "where lower(s.email) = lower(?)", email));
        assertEquals(2L, db.count("select count(*) from subscriber_token t join subscriber s on s.id = t.subscriber_id "
                + "where lower(s.email) = lower(?)", email));
        assertEquals(1L, db.count("select count(*) from outbox_mail where lower(recipient) = lower(?)", email));
        assertEquals(suppressionsBefore, db.count("select count(*) from suppression"));
        assertEquals(0L, db.count("select count(*) from audit_log where id > ? and action = 'ERASURE'", auditBefore));
        as("mia", "mia-secret").when().get("/api/admin/subscribers/{email}", email)
                .then().statusCode(200).body("subscriptions.size()", equalTo(1));
    }

    /**
     * Signs up on the default list (with a name, a source and a browser of its own) and on "partner", confirms the
     * first by the mailed link, and waits until all three mails went out.
     *
     * @return every link token the mails carried
     */
    private List<String> subscribedToBothListsAndConfirmedOnOne(String email) {
        given().contentType(ContentType.JSON).header("User-Agent", SIGNUP_AGENT)
                .body(Map.of("email", email, "name", "Grace", "source", "https://blog.example/peptides"))
                .when().post("/api/subscriptions")
                .then().statusCode(202);
        given().contentType(ContentType.JSON).header("User-Agent", SIGNUP_AGENT)
                .body(Map.of("email", email, "list", "partner"))
                .when().post("/api/subscriptions")
                .then().statusCode(202);
        MimeMessage confirmation = Mailbox.await(email, 2).stream()
                .filter(m -> subject(m).endsWith("Peptide Evolution")).findFirst().orElseThrow();
        String confirmToken = Mailbox.token(Mailbox.link(confirmation, "http://localhost:8080/confirm"));
        given().contentType(ContentType.URLENC).header("User-Agent", CONFIRM_AGENT).formParam("token", confirmToken)
                .when().post("/confirm")
                .then().statusCode(200)
                .body(containsString("Download the ebook"));
        List<MimeMessage> mails = Mailbox.await(email, 3);
        awaitSent(email, 3);
        List<String> tokens = new ArrayList<>();
        for (MimeMessage mail : mails) {
            Matcher matcher = TOKEN.matcher(Mailbox.text(mail));
            while (matcher.find()) {
                tokens.add(matcher.group(1));
            }
        }
        assertTrue(tokens.size() >= 6, "confirm, unsubscribe and ebook links: " + tokens);
        return tokens;
    }

    private static void signUp(String email, String list) {
        given().contentType(ContentType.JSON).body(Map.of("email", email, "list", list))
                .when().post("/api/subscriptions")
                .then().statusCode(202);
    }

    /** GreenMail has the mail before the dispatcher marks its row sent. */
    private void awaitSent(String email, int count) {
        Awaitility.await(count + " sent mails to " + email).atMost(Duration.ofSeconds(20))
                .until(() -> db.count("select count(*) from outbox_mail where lower(recipient) = lower(?) "
                        + "and status = 'SENT'", email) >= count);
    }

    private long lastAuditId() {
        return db.count("select coalesce(max(id), 0) from audit_log");
    }

    private String subjectHash(String email) {
        return (String) db.rows("select encode(sha256(value || convert_to(lower(?), 'UTF8')), 'hex') as h "
                + "from installation_secret where name = 'suppression-salt'", email).get(0).get("h");
    }

    private static void assertNamesNobody(String details, String email) {
        String lower = details.toLowerCase();
        assertFalse(lower.contains(email.toLowerCase()), details);
        assertFalse(lower.contains(email.substring(0, email.indexOf('@')).toLowerCase()), details);
    }

    private static RequestSpecification as(String user, String password) {
        return given().auth().preemptive().basic(user, password);
    }

    private static String subject(MimeMessage message) {
        try {
            return message.getSubject();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
