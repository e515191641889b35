package app.newsletter.bounces;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Each relay's webhook, fed its documented payload format and signed as the relay signs it: a hard bounce or a
 * complaint suppresses the address (status, consent log, suppression list, queued mail stopped, no mail to a new
 * signup, export, stats), soft bounces add up, and a forged call changes nothing and answers 401.
 */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
@QuarkusTestResource(value = SnsStandIn.class, restrictToAnnotatedClass = true)
class BounceHooksTest {

    @Inject
    Db db;

    @Test
    void an_ses_permanent_bounce_through_sns_suppresses_the_address_everywhere() {
        String email = signedUp("ses-hard");

        given().contentType("text/plain; charset=UTF-8").body(SnsStandIn.notification(sesBounce(email, "Permanent")))
                .when().post("/hooks/bounces/ses")
                .then().statusCode(200).body("reports", equalTo(1));

        assertSuppressed(email, "BOUNCED", "BOUNCE", "reported by ses");
        // A new signup of the address, even on another list: the same reply, and no mail.
        given().contentType(ContentType.JSON).body(Map.of("email", email, "list", "partner"))
                .when().post("/api/subscriptions")
                .then().statusCode(202).body("message", equalTo("Thank you for subscribing."));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> db.count(
                "select count(*) from outbox_mail where lower(recipient) = lower(?) and status = 'SUPPRESSED'",
                email) == 1);
        Mailbox.assertStays(email, 1);

        given().auth().preemptive().basic("mia", "mia-secret").queryParam("status", "bounced")
                .when().get("/api/admin/subscribers.csv")
                .then().statusCode(200).body(containsString(email));
        given().auth().preemptive().basic("mia", "mia-secret").when().get("/api/admin/stats")
                .then().statusCode(200).body("lists.find { it.id == 'peptide-evolution' }.byStatus.bounced",
                        not(equalTo(0)));
    }

    @Test
    void an_sns_subscription_confirmation_is_verified_then_confirmed() {
        int before = SnsStandIn.confirmations.size();
        given().contentType("text/plain; charset=UTF-8").body(SnsStandIn.subscriptionConfirmation())
                .when().post("/hooks/bounces/ses")
                .then().statusCode(200).body("reports", equalTo(0));
        assertEquals(before + 1, SnsStandIn.confirmations.size());
        assertEquals(true, SnsStandIn.confirmations.get(before).contains("Action=ConfirmSubscription"));
    }

    @Test
    void a_forged_sns_message_changes_nothing() {
        String email = signedUp("ses-forged");
        String genuine = SnsStandIn.notification(sesBounce(email, "Permanent"));

        // The message altered after signing (another address slipped in).
        String altered = genuine.replace(email, Addresses.unique("victim"));
        given().body(altered).post("/hooks/bounces/ses").then().statusCode(401)
                .contentType("application/problem+json").body("detail", containsString("signature"));
        // A certificate from elsewhere than SNS: never fetched.
        String elsewhere = genuine.replace(SnsStandIn.url("/cert.pem"), "https://attacker.example/cert.pem");
        given().body(elsewhere).post("/hooks/bounces/ses").then().statusCode(401);
        // Another topic.
        given().body(genuine.replace(SnsStandIn.TOPIC, SnsStandIn.TOPIC + "-other")).post("/hooks/bounces/ses")
                .then().statusCode(401);

        assertEquals("PENDING", status(email));
        assertEquals(0L, db.count("select count(*) from consent_record c join subscriber s on s.id = c.subscriber_id"
                + " where lower(s.email) = lower(?) and c.event in ('BOUNCE', 'COMPLAINT')", email));
    }

    @Test
    void an_ses_complaint_stops_a_queued_mail() {
        String email = signedUp("ses-complaint");
        long queued = queueLater(email);

        given().body(SnsStandIn.notification("""
                {"notificationType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"%s"}],
                 "timestamp":"2026-12-02T12:00:00.000Z","feedbackId":"0100-complaint","complaintFeedbackType":"abuse"},
                 "mail":{"timestamp":"2026-12-02T11:59:00.000Z","source":"newsletter@peptide.example",
                 "messageId":"0100-mail","destination":["%s"]}}""".formatted(email, email)))
                .post("/hooks/bounces/ses").then().statusCode(200).body("reports", equalTo(1));

        assertSuppressed(email, "COMPLAINED", "COMPLAINT", "reported by ses");
        assertEquals("SUPPRESSED", db.rows("select status from outbox_mail where id = ?", queued).get(0).get("status"));
    }

    @Test
    void a_postmark_hard_bounce_with_the_hook_urls_credentials_suppresses_and_wrong_ones_are_refused() {
        String email = signedUp("postmark");
        String bounce = """
                {"RecordType":"Bounce","ID":4323372036854775807,"Type":"HardBounce","TypeCode":1,"Name":"Hard bounce",
                 "Tag":"","MessageID":"883953f4-6105-42a2-a16a-77a8eac79483","ServerID":23,"MessageStream":"outbound",
                 "Description":"The server was unable to deliver your message (ex: unknown user, mailbox not found).",
                 "Details":"Test bounce details","Email":"%s","From":"newsletter@peptide.example",
                 "BouncedAt":"2026-12-02T12:00:00Z","DumpAvailable":true,"Inactive":true,"CanActivate":true,
                 "Subject":"Please confirm your subscription"}""".formatted(email);

        given().auth().preemptive().basic(SnsStandIn.POSTMARK_USER, "wrong").contentType(ContentType.JSON)
                .body(bounce).post("/hooks/bounces/postmark").then().statusCode(401);
        given().contentType(ContentType.JSON).body(bounce).post("/hooks/bounces/postmark").then().statusCode(401);
        assertEquals("PENDING", status(email));

        given().auth().preemptive().basic(SnsStandIn.POSTMARK_USER, SnsStandIn.POSTMARK_PASSWORD)
                .contentType(ContentType.JSON).body(bounce)
                .post("/hooks/bounces/postmark").then().statusCode(200).body("reports", equalTo(1));
        assertSuppressed(email, "BOUNCED", "BOUNCE", "reported by postmark");
    }

    @Test
    void a_mailgun_permanent_failure_with_its_hmac_suppresses_and_a_bad_or_replayed_signature_is_refused()
            throws Exception {
        String email = signedUp("mailgun");
        String timestamp = String.valueOf(Instant.now().getEpochSecond());
        String token = "c7b5ff1b3f5d8e2e9c" + System.nanoTime();
        String event = """
                {"signature":{"timestamp":"%s","token":"%s","signature":"%s"},
                 "event-data":{"id":"G9Bn5sl1TC6rNArqAF0BvA","timestamp":%s,"log-level":"error","event":"failed",
                  "severity":"permanent","reason":"bounce","recipient":"%s","recipient-domain":"example.com",
                  "delivery-status":{"code":550,"message":"5.1.1 The email account that you tried to reach does not exist",
                  "attempt-no":1},"message":{"headers":{"to":"%s","message-id":"20261202.1@peptide.example",
                  "from":"newsletter@peptide.example","subject":"Please confirm"}}}}""";

        given().contentType(ContentType.JSON)
                .body(event.formatted(timestamp, token, "0".repeat(64), timestamp, email, email))
                .post("/hooks/bounces/mailgun").then().statusCode(401);
        assertEquals("PENDING", status(email));

        String signed = event.formatted(timestamp, token, hmac(SnsStandIn.MAILGUN_KEY, timestamp + token), timestamp,
                email, email);
        given().contentType(ContentType.JSON).body(signed)
                .post("/hooks/bounces/mailgun").then().statusCode(200).body("reports", equalTo(1));
        assertSuppressed(email, "BOUNCED", "BOUNCE", "reported by mailgun");

        // The same signature on another body: the token was taken.
        String other = Addresses.unique("mailgun-victim");
        given().contentType(ContentType.JSON).body(signed.replace(email, other))
                .post("/hooks/bounces/mailgun").then().statusCode(401).body("detail", containsString("token"));
        assertEquals(0L, db.count("select count(*) from suppression where hash = sha256((select value from "
                + "installation_secret where name = 'suppression-salt') || convert_to(lower(?), 'UTF8'))", other));
    }

    @Test
    void a_signed_sendgrid_bounce_suppresses_and_a_tampered_body_is_refused() throws Exception {
        String email = signedUp("sendgrid");
        String body = """
                [{"email":"%s","timestamp":1764676800,"smtp-id":"<14c5d75ce93.dfd.64b469@peptide.example>",
                  "event":"bounce","category":["confirmation"],"sg_event_id":"6g4ZI7SA-xmRDv57GoPIPw==",
                  "sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0","reason":"500 unknown recipient",
                  "status":"5.0.0","type":"bounce"},
                 {"email":"%s","timestamp":1764676801,"event":"delivered","sg_event_id":"rWVYmVk90MjZJ9iohOBa3w=="}]"""
                .formatted(email, Addresses.unique("delivered"));
        String timestamp = String.valueOf(Instant.now().getEpochSecond());
        String signature = ecdsa(timestamp, body);

        given().header(SendgridHook.SIGNATURE, signature).header(SendgridHook.TIMESTAMP, timestamp)
                .contentType(ContentType.JSON).body(body.replace("\"bounce\"", "\"bounce\" "))
                .post("/hooks/bounces/sendgrid").then().statusCode(401);
        assertEquals("PENDING", status(email));

        given().header(SendgridHook.SIGNATURE, signature).header(SendgridHook.TIMESTAMP, timestamp)
                .contentType(ContentType.JSON).body(body)
                .post("/hooks/bounces/sendgrid").then().statusCode(200).body("reports", equalTo(1));
        assertSuppressed(email, "BOUNCED", "BOUNCE", "reported by sendgrid");
    }

    @Test
    void a_sendgrid_batch_of_half_a_megabyte_is_taken_and_a_body_over_one_mebibyte_is_a_413_problem()
            throws Exception {
        String email = signedUp("sendgrid-batch");
        // SendGrid posts up to 768 KB of events at once: here thousands of deliveries with one bounce among them.
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 3000; i++) {
            batch.append(
                    """
                            {"email":"reader%d@example.com","timestamp":1764676800,"event":"delivered","sg_event_id":"d-%d",                    "sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.%d"},"""
                            .formatted(i, i, i));
        }
        batch.append(
                """
                        {"email":"%s","timestamp":1764676801,"event":"bounce","sg_event_id":"b-1","reason":"550 unknown",                "status":"5.1.1","type":"bounce"}]"""
                        .formatted(email));
        String body = batch.toString();
        assertTrue(body.length() > 512 * 1024, "a batch of more than 512 KB");
        String timestamp = String.valueOf(Instant.now().getEpochSecond());

        given().header(SendgridHook.SIGNATURE, ecdsa(timestamp, body)).header(SendgridHook.TIMESTAMP, timestamp)
                .contentType(ContentType.JSON).body(body)
                .post("/hooks/bounces/sendgrid").then().statusCode(200).body("reports", equalTo(1));
        assertSuppressed(email, "BOUNCED", "BOUNCE", "reported by sendgrid");

        String huge = "[" + "{\"event\":\"delivered\"},".repeat(60_000) + "{}]";
        given().header(SendgridHook.SIGNATURE, ecdsa(timestamp, huge)).header(SendgridHook.TIMESTAMP, timestamp)
                .contentType(ContentType.JSON).body(huge)
                .post("/hooks/bounces/sendgrid").then().statusCode(413)
                .contentType("application/problem+json").body("detail", equalTo("The request is larger than 1 MiB."));
    }

    @Test
    void soft_bounces_suppress_only_after_three_within_the_window_and_a_repeated_event_counts_once() {
        String email = signedUp("soft");
        for (String id : new String[] { "soft-1", "soft-2", "soft-2" }) {
            generic("""
                    {"type":"soft","email":"%s","id":"%s"}""".formatted(email, id)).then().statusCode(200);
        }
        assertEquals("PENDING", status(email), "two distinct soft bounces do not suppress");
        generic("""
                [{"type":"soft","email":"%s","id":"soft-3"}]""".formatted(email)).then().statusCode(200);
        assertSuppressed(email, "BOUNCED", "BOUNCE", "reported by generic (3 soft bounces)");
    }

    @Test
    void the_generic_hook_wants_its_secret_and_unknown_relays_do_not_exist() {
        String email = signedUp("generic");
        given().header(GenericHook.HEADER, "not-the-secret").contentType(ContentType.JSON)
                .body(Map.of("type", "complaint", "email", email))
                .post("/hooks/bounces/generic").then().statusCode(401).contentType("application/problem+json");
        generic("{\"type\":\"sideways\",\"email\":\"" + email + "\"}").then().statusCode(400);
        given().contentType(ContentType.JSON).body("{}").post("/hooks/bounces/carrier-pigeon")
                .then().statusCode(404).contentType("application/problem+json");
        // A relay posting a form still reads problem+json, never the people's HTML page.
        given().contentType(ContentType.URLENC).body("a=b").post("/hooks/bounces/carrier-pigeon")
                .then().statusCode(404).contentType("application/problem+json");
        assertEquals("PENDING", status(email));

        generic("{\"type\":\"complaint\",\"email\":\"" + email.toUpperCase() + "\"}").then().statusCode(200)
                .body("reports", equalTo(1));
        assertSuppressed(email, "COMPLAINED", "COMPLAINT", "reported by generic");
    }

    private io.restassured.response.Response generic(String body) {
        return given().header(GenericHook.HEADER, SnsStandIn.GENERIC_SECRET).contentType(ContentType.JSON).body(body)
                .post("/hooks/bounces/generic");
    }

    private String signedUp(String label) {
        String email = Addresses.unique(label);
        given().contentType(ContentType.JSON).body(Map.of("email", email)).post("/api/subscriptions")
                .then().statusCode(202);
        Mailbox.await(email, 1);
        return email;
    }

    /** A mail to the address due in an hour: queued, not yet claimed. */
    private long queueLater(String email) {
        db.update("insert into outbox_mail (kind, recipient, subject, text_body, html_body, status, created_at, "
                + "next_attempt_at) values ('test', ?, 'Later', 'text', '<p>html</p>', 'PENDING', now(), "
                + "now() + interval '1 hour')", email);
        return ((Number) db.rows("select max(id) as id from outbox_mail where recipient = ?", email).get(0).get("id"))
                .longValue();
    }

    private String status(String email) {
        return (String) db.rows("select status from subscriber where lower(email) = lower(?)", email).get(0)
                .get("status");
    }

    private void assertSuppressed(String email, String status, String event, String reporter) {
        assertEquals(status, status(email));
        assertEquals(1L, db.count("select count(*) from consent_record c join subscriber s on s.id = c.subscriber_id"
                + " where lower(s.email) = lower(?) and c.event = ? and c.user_agent = ?", email, event, reporter));
        assertEquals(status, db.rows("select reason from suppression where hash = sha256((select value from "
                + "installation_secret where name = 'suppression-salt') || convert_to(lower(?), 'UTF8'))", email)
                .get(0).get("reason"));
        assertEquals(0L, db.count("select count(*) from outbox_mail where lower(recipient) = lower(?) "
                + "and status = 'PENDING'", email));
    }

    private static String sesBounce(String email, String type) {
        return """
                {"notificationType":"Bounce","bounce":{"bounceType":"%s","bounceSubType":"General",
                 "bouncedRecipients":[{"emailAddress":"%s","action":"failed","status":"5.1.1",
                 "diagnosticCode":"smtp; 550 5.1.1 user unknown"}],"timestamp":"2026-12-02T12:00:00.000Z",
                 "feedbackId":"0100-bounce","remoteMtaIp":"127.0.2.0","reportingMTA":"dsn; a8-70.smtp-out.amazonses.com"},
                 "mail":{"timestamp":"2026-12-02T11:59:00.000Z","source":"newsletter@peptide.example",
                 "sourceArn":"arn:aws:ses:eu-west-1:123456789012:identity/peptide.example","messageId":"0100-mail",
                 "destination":["%s"]}}""".formatted(type, email, email);
    }

    private static String hmac(String key, String data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    }

    private static String ecdsa(String timestamp, String body) throws GeneralSecurityException {
        Signature ecdsa = Signature.getInstance("SHA256withECDSA");
        ecdsa.initSign(SnsStandIn.privateKey("sendgrid-key.pem", "EC"));
        ecdsa.update((timestamp + body).getBytes(StandardCharsets.UTF_8));
        return java.util.Base64.getEncoder().encodeToString(ecdsa.sign());
    }
}
