package app.newsletter.outbox;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * Mail that mailbox providers accept, checked on the bytes GreenMail received: the DKIM signature (made from a PKCS#1
 * PEM file, the form the Vert.x signer could not read) verified by an independent implementation (Debian's
 * python3-dkim, with the public key handed in as DNS would), complete list headers, a real HTML document, exact UTF-8
 * parts, and SpamAssassin's offline score. The external checkers are skipped where they are not installed, except on CI
 * ({@code CI} set; .ci/run installs them).
 */
@QuarkusTest
@TestProfile(DeliverabilityTest.Signing.class)
@QuarkusTestResource(GreenMailResource.class)
class DeliverabilityTest {

    public static class Signing implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.mailer.dkim.enabled", "true",
                    "quarkus.mailer.dkim.private-key-path",
                    Path.of("src/test/resources/dkim/signing-key-pkcs1.pem").toAbsolutePath().toString(),
                    "quarkus.mailer.dkim.sdid", "peptide.example",
                    "quarkus.mailer.dkim.selector", "news2026",
                    "newsletter.mail.unsubscribe-mailto", "unsubscribe@peptide.example",
                    "newsletter.mail.feedback-id", "peptide");
        }
    }

    private static final String NAME = "Zoë Ñúñez 日本";
    private static final String PYTHON = "/usr/bin/python3";
    private static final String VERIFY = """
            import base64, dkim, sys
            record = b'v=DKIM1; k=rsa; p=' + sys.argv[1].encode()
            def dns(name, timeout=5):
                assert name == b'news2026._domainkey.peptide.example.', name
                return record
            sys.exit(0 if dkim.verify(sys.stdin.buffer.read(), dnsfunc=dns) else 3)
            """;

    @Test
    void the_signature_made_from_a_pem_key_verifies_independently_and_breaks_when_one_body_byte_changes()
            throws Exception {
        needs(PYTHON, "-c", "import dkim");
        String email = Addresses.unique("dkim");
        signUp(email);
        byte[] raw = raw(Mailbox.await(email, 1).get(0));
        String signature = header(raw, "DKIM-Signature");
        assertTrue(signature.contains("d=peptide.example;") && signature.contains("s=news2026;"), signature);
        for (String signed : List.of("From", "Subject", "MIME-Version", "List-Id", "List-Unsubscribe",
                "List-Unsubscribe-Post")) {
            assertTrue(signature.matches("(?s).*h=([A-Za-z-]+:)*" + signed + "[:;].*"), signed + " in " + signature);
        }

        assertEquals(0, run(raw, PYTHON, "-c", VERIFY, publicKey()).exit(), "dkimpy accepts the signature");

        String text = new String(raw, StandardCharsets.UTF_8);
        int body = text.indexOf("\r\n\r\n");
        int at = text.indexOf("please confirm", body);
        byte[] tampered = raw.clone();
        tampered[at] = (byte) 'P';
        assertEquals(3, run(tampered, PYTHON, "-c", VERIFY, publicKey()).exit(), "one changed body byte fails it");
    }

    @Test
    void mails_carry_complete_list_headers_a_real_html_document_and_the_exact_utf8_name() throws Exception {
        String email = Addresses.unique("headers");
        signUp(email);
        MimeMessage mail = Mailbox.await(email, 1).get(0);

        assertEquals("\"Peptide Evolution\" <peptide-evolution.peptide.example>", Mailbox.header(mail, "List-Id"));
        assertTrue(Mailbox.header(mail, "List-Unsubscribe").matches("<http://localhost:8080/unsubscribe\\?token="
                + "[A-Za-z0-9_-]{43}>, <mailto:unsubscribe@peptide.example\\?subject=unsubscribe>"),
                Mailbox.header(mail, "List-Unsubscribe"));
        assertEquals("List-Unsubscribe=One-Click", Mailbox.header(mail, "List-Unsubscribe-Post"));
        assertEquals("peptide-evolution:confirmation:peptide", Mailbox.header(mail, "Feedback-ID"));
        assertNull(Mailbox.header(mail, "Auto-Submitted"), "a solicited mail is no automatic reply");

        String html = Mailbox.html(mail).replace("\r\n", "\n");
        // The dispatcher joins the template's lines with spaces (HtmlLines): the same document to a mail reader.
        assertTrue(html.replaceAll("\\s+", " ")
                .startsWith("<!DOCTYPE html> <html lang=\"en\"> <head> <meta charset=\"utf-8\">"), html);
        assertTrue(html.strip().lines().count() <= 3, "the template's 23 lines leave in a few long ones: " + html);
        assertTrue(html.contains("<title>Confirm your subscription to Peptide Evolution</title>"), html);
        assertTrue(html.contains("<main>") && html.contains("<h1") && html.contains("<footer>"), html);

        // Both parts are UTF-8 quoted-printable and decode to the very name that was typed.
        String raw = new String(raw(mail), StandardCharsets.US_ASCII);
        assertEquals(2, count(raw, "Content-Type: text/(plain|html); charset=utf-8\r\nContent-Transfer-Encoding: "
                + "quoted-printable"), raw);
        assertTrue(Mailbox.text(mail).startsWith("Hello " + NAME + ","), Mailbox.text(mail));
        assertTrue(html.contains("Hello " + NAME + ","), html);
    }

    @Test
    void spamassassin_scores_every_mail_kind_at_most_half_a_point_with_no_list_header_rule() throws Exception {
        needs("spamassassin", "--version");
        String email = Addresses.unique("spam");
        signUp(email);
        MimeMessage confirmation = Mailbox.await(email, 1).get(0);
        given().contentType(ContentType.URLENC)
                .formParam("token", Mailbox.token(Mailbox.link(confirmation, "http://localhost:8080/confirm")))
                .when().post("/confirm").then().statusCode(200);
        MimeMessage ebook = Mailbox.await(email, 2).get(1);

        for (MimeMessage mail : List.of(confirmation, ebook)) {
            String report = run(raw(mail), "spamassassin", "-L", "-t").out();
            Matcher status = Pattern.compile("X-Spam-Status: \\w+, score=(-?[0-9.]+) required=[0-9.]+ tests=([^\\n]*"
                    + "(?:\\n\\t[^\\n]*)*)").matcher(report);
            assertTrue(status.find(), report);
            double score = Double.parseDouble(status.group(1));
            assertTrue(score <= 0.5, mail.getSubject() + " scores " + score + ": " + status.group(2));
            assertFalse(status.group(2).contains("LIST_"), "list-header rule hit: " + status.group(2));
        }
    }

    @Test
    void admins_see_the_loaded_key_its_alignment_and_the_txt_record_to_publish() throws Exception {
        given().auth().preemptive().basic("ada", "ada-secret")
                .when().get("/api/admin/deliverability")
                .then().statusCode(200)
                .body("dkimEnabled", equalTo(true))
                .body("keyLoaded", equalTo(true))
                .body("keyBits", equalTo(2048))
                .body("selector", equalTo("news2026"))
                .body("signingDomain", equalTo("peptide.example"))
                .body("fromDomain", equalTo("peptide.example"))
                .body("aligned", equalTo(true))
                .body("problems.size()", equalTo(0))
                .body("dnsRecords.name", contains("news2026._domainkey.peptide.example", "peptide.example",
                        "_dmarc.peptide.example"))
                .body("dnsRecords[0].value", equalTo("v=DKIM1; k=rsa; p=" + publicKey()))
                .body("dnsRecords[2].value", equalTo("v=DMARC1; p=none; rua=mailto:dmarc@peptide.example"));
        given().auth().preemptive().basic("mia", "mia-secret")
                .when().get("/api/admin/deliverability")
                .then().statusCode(403);
    }

    private static void signUp(String email) {
        given().contentType(ContentType.JSON)
                .body(Map.of("email", email, "name", NAME))
                .when().post("/api/subscriptions")
                .then().statusCode(202);
    }

    private static String publicKey() throws IOException {
        return Files.readString(Path.of("src/test/resources/dkim/public-key.b64")).strip();
    }

    /** The message as the SMTP server received it (GreenMail keeps the received header and body bytes). */
    private static byte[] raw(MimeMessage mail) throws IOException, MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        mail.writeTo(out);
        return out.toByteArray();
    }

    private static String header(byte[] raw, String name) {
        Matcher header = Pattern.compile("(?m)^" + name + ": (.*(?:\\r\\n[ \\t].*)*)")
                .matcher(new String(raw, StandardCharsets.US_ASCII));
        assertTrue(header.find(), "no " + name + " header");
        return header.group(1).replaceAll("\\r\\n[ \\t]+", " ");
    }

    private static int count(String text, String regex) {
        return (int) Pattern.compile(regex).matcher(text).results().count();
    }

    /** Skips where the checker is missing, fails on CI where .ci/run installs it. */
    private static void needs(String... probe) {
        boolean present;
        try {
            present = run(new byte[0], probe).exit() == 0;
        } catch (IOException e) {
            present = false;
        }
        if (!present && System.getenv("CI") != null) {
            throw new AssertionError(String.join(" ", probe) + " failed: CI needs python3-dkim and spamassassin");
        }
        assumeTrue(present, String.join(" ", probe) + " is not available (apt-get install python3-dkim spamassassin)");
    }

    record Result(int exit, String out) {
    }

    private static Result run(byte[] stdin, String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var in = process.getOutputStream()) {
            in.write(stdin);
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Result(process.exitValue(), out);
    }
}
