package app.newsletter.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Every HTML page forbids framing and runs only the service's own scripts and styles, its inline blocks allowed by
 * hash (no 'unsafe-inline'); every answer says nosniff.
 */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class SecurityHeadersTest {

    private static final Pattern INLINE = Pattern.compile("<(style|script)>(.*?)</\\1>", Pattern.DOTALL);

    @Test
    void every_page_forbids_framing_and_allows_exactly_its_own_inline_blocks() {
        String email = Addresses.unique("csp");
        given().contentType(ContentType.JSON).body(Map.of("email", email)).post("/api/subscriptions")
                .then().statusCode(202);
        var mail = Mailbox.await(email, 1).get(0);
        String confirm = Mailbox.token(Mailbox.link(mail, "http://localhost:8080/confirm"));
        String unsubscribe = Mailbox.token(Mailbox.link(mail, "http://localhost:8080/unsubscribe"));

        List<Response> pages = List.of(
                given().get("/"),
                given().queryParam("token", confirm).get("/confirm"),
                given().contentType(ContentType.URLENC).formParam("token", confirm).post("/confirm"),
                given().queryParam("token", unsubscribe).get("/unsubscribe"),
                given().queryParam("token", "x".repeat(43)).get("/confirm"),
                given().contentType(ContentType.URLENC).formParam("email", "not-an-address").post("/api/subscriptions"),
                given().contentType(ContentType.URLENC).formParam("email", Addresses.unique("form"))
                        .post("/api/subscriptions"),
                given().auth().preemptive().basic("mia", "mia-secret").get("/admin"));
        for (Response page : pages) {
            String csp = page.header("Content-Security-Policy");
            String html = page.asString();
            assertTrue(page.contentType().startsWith("text/html"), page.contentType());
            assertTrue(csp != null && csp.startsWith("default-src 'none'; "), "CSP " + csp);
            assertTrue(csp.contains("frame-ancestors 'none'") && csp.contains("base-uri 'none'"), csp);
            assertFalse(csp.contains("unsafe"), csp);
            assertEquals("DENY", page.header("X-Frame-Options"));
            assertEquals("nosniff", page.header("X-Content-Type-Options"));
            assertFalse(html.contains(" style=\""), "a style attribute, which the policy blocks");
            assertFalse(html.contains("javascript:"), "a javascript: link, which the policy blocks");
            Matcher block = INLINE.matcher(html);
            while (block.find()) {
                String directive = block.group(1) + "-src ";
                String allowed = csp.substring(csp.indexOf(directive), csp.indexOf(';', csp.indexOf(directive)));
                assertTrue(allowed.contains("'sha256-" + SecurityHeaders.sha256(block.group(2)) + "'"),
                        "inline " + block.group(1) + " not allowed by " + allowed + ":\n" + block.group(2));
            }
        }
        // HSTS only when the public URL is https (here it is http://localhost:8080).
        given().get("/").then().header("Strict-Transport-Security", nullValue());
    }

    @Test
    void every_page_template_with_an_inline_block_is_one_the_policy_hashes() throws IOException {
        Path templates = Path.of("src/main/resources/templates");
        try (Stream<Path> files = Files.walk(templates)) {
            List<String> withBlocks = files.filter(f -> f.toString().endsWith(".html"))
                    .filter(f -> !f.startsWith(templates.resolve("SubscriptionMails"))) // mails get no CSP
                    .filter(f -> INLINE.matcher(read(f)).find())
                    .map(f -> "templates/" + templates.relativize(f).toString().replace('\\', '/'))
                    .sorted().toList();
            assertEquals(SecurityHeaders.PAGES_WITH_INLINE_BLOCKS.stream().sorted().toList(), withBlocks);
        }
    }

    @Test
    void json_csv_and_script_answers_say_nosniff_and_carry_no_page_policy() {
        given().get("/widget.js").then().statusCode(200)
                .header("X-Content-Type-Options", equalTo("nosniff"))
                .header("Content-Security-Policy", nullValue());
        given().contentType(ContentType.JSON).body(Map.of("email", "not-an-address")).post("/api/subscriptions")
                .then().statusCode(400).header("X-Content-Type-Options", equalTo("nosniff"))
                .header("Content-Security-Policy", nullValue());
        given().auth().preemptive().basic("mia", "mia-secret").queryParam("list", "peptide-evolution")
                .get("/api/admin/subscribers.csv").then().statusCode(200)
                .header("X-Content-Type-Options", equalTo("nosniff"))
                .body(containsString("email"));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
