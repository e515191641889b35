package app.newsletter.embed;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import app.newsletter.support.GreenMailResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** GET /widget.js (caching headers, conditional requests, size) and the demo page at GET /. */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class WidgetResourceTest {

    private static final String PUBLIC_URL = "http://localhost:8080"; // newsletter.public-url in the tests

    @Test
    void widget_is_served_as_utf8_javascript_with_an_hour_of_caching_and_a_content_hash_etag() throws Exception {
        byte[] file = classpath("widget/widget.js");
        String expectedTag = "\"w1-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file),
                0, 16) + "\"";

        Response reply = given().when().get("/widget.js").then()
                .statusCode(200)
                .header("Content-Type", equalTo("text/javascript; charset=utf-8"))
                .header("Cache-Control", equalTo("public, max-age=3600"))
                .header("ETag", matchesPattern("\"w1-[0-9a-f]{32}\""))
                .header("X-Content-Type-Options", equalTo("nosniff"))
                .extract().response();

        assertEquals(expectedTag, reply.header("ETag"));
        byte[] body = reply.asByteArray();
        assertArrayEquals(file, body);
        // The budget grew from 10 to 14 KiB with the texts in four languages (about 4.6 KiB gzipped).
        assertTrue(body.length <= 14 * 1024, "widget.js is " + body.length + " bytes");
    }

    @Test
    void a_matching_if_none_match_is_answered_304_without_a_body() {
        String etag = given().get("/widget.js").header("ETag");

        for (String condition : new String[] { etag, "W/" + etag, "\"other\", " + etag, "*" }) {
            given().header("If-None-Match", condition).when().get("/widget.js").then()
                    .statusCode(304)
                    .header("ETag", equalTo(etag))
                    .header("Cache-Control", equalTo("public, max-age=3600"))
                    .body(emptyString());
        }
        given().header("If-None-Match", "\"w1-00000000000000000000000000000000\"").when().get("/widget.js").then()
                .statusCode(200)
                .body(startsWith("/*"));
    }

    @Test
    void widget_needs_no_build_step_nor_third_parties_nor_storage() throws IOException {
        String source = new String(classpath("widget/widget.js"), java.nio.charset.StandardCharsets.UTF_8);
        for (String forbidden : new String[] { "import ", "require(", "localStorage", "sessionStorage",
                "document.cookie", "http://", "https://", "?.", "??" }) {
            if (forbidden.startsWith("http")) {
                // Only in the header comment's example embed.
                assertTrue(source.indexOf(forbidden) == source.lastIndexOf(forbidden)
                        && source.indexOf(forbidden) < source.indexOf("*/"), forbidden);
            } else {
                assertTrue(!source.contains(forbidden), "widget.js contains " + forbidden);
            }
        }
    }

    @Test
    void demo_page_embeds_the_widget_like_a_foreign_site_and_shows_the_code_to_copy() {
        given().when().get("/").then()
                .statusCode(200)
                .contentType(containsString("text/html"))
                .body(containsString("The Potential of Stem Cell Therapy for Treating Systemic Lupus Erythematosus"))
                // the live widget, embedded with the absolute public URL
                .body(containsString("<div data-newsletter=\"peptide-evolution\"></div>"))
                .body(containsString("<script src=\"" + PUBLIC_URL + "/widget.js\" async></script>"))
                // the two lines to copy, shown as text
                .body(containsString("<pre><code>&lt;div data-newsletter=&quot;peptide-evolution&quot;&gt;&lt;/div&gt;\n"
                        + "&lt;script src=&quot;" + PUBLIC_URL + "/widget.js&quot; async&gt;&lt;/script&gt;</code></pre>"))
                // the no-JavaScript fallback
                .body(containsString("<form method=\"post\" action=\"" + PUBLIC_URL + "/api/subscriptions\">"))
                .body(containsString("name=\"website\" tabindex=\"-1\" autocomplete=\"off\""));
    }

    private static byte[] classpath(String name) throws IOException {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }
}
