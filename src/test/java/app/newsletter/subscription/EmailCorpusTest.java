package app.newsletter.subscription;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Every address of Dominic Sayers' is_email test set (BSD licence, src/test/resources/isemail/isemail-LICENSE.md),
 * posted to the signup endpoint. Errors must be refused without a trace, valid addresses (and those only lacking DNS
 * records) accepted, and no address may ever break the service. The outcome of every other category is written to
 * target/isemail-outcomes.txt.
 */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class EmailCorpusTest {

    private static final String CORPUS = "/isemail/isemail-tests.xml";
    private static final Set<String> MUST_ACCEPT = Set.of("ISEMAIL_VALID_CATEGORY", "ISEMAIL_DNSWARN");
    private static final String MUST_REFUSE = "ISEMAIL_ERR";

    /** "id category diagnosis" → outcome, for the report written after all cases ran. */
    private static final Map<Integer, String> OUTCOMES = new TreeMap<>();

    @Inject
    Db db;

    /** One corpus entry; the address has its control characters restored. */
    record Case(int id, String address, String category, String diagnosis) {
        @Override
        public String toString() {
            return "#" + id + " " + category + "/" + diagnosis + " " + visible(address);
        }
    }

    static Stream<Arguments> corpus() {
        return load().stream().map(c -> Arguments.of(c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void every_address_of_the_corpus_gets_a_clean_answer_never_a_5xx(Case c) {
        Snapshot before = snapshot();
        Response reply = given().contentType(ContentType.JSON).body(Map.of("email", c.address()))
                .when().post("/api/subscriptions");
        int status = reply.statusCode();
        record(c, status, reply);

        assertTrue(status < 500, c + " answered " + status + ": " + reply.asString());
        assertFalse(reply.asString().isEmpty(), c + " answered an empty body");

        if (MUST_ACCEPT.contains(c.category())) {
            assertEquals(202, status, c + " must be accepted: " + reply.asString());
            assertEquals("Thank you for subscribing.", reply.jsonPath().getString("message"));
            assertEquals(1L, db.count("select count(*) from subscriber where lower(email) = lower(?)",
                    c.address().strip()), c + " must be stored");
        } else if (MUST_REFUSE.equals(c.category())) {
            assertEquals(400, status, c + " must be refused: " + reply.asString());
            assertEquals("application/problem+json", reply.contentType());
            assertEquals("Something went wrong.", reply.jsonPath().getString("title"));
            assertTrue(reply.jsonPath().getString("errors.email") != null, c + " names no email error");
            // nothing stored or changed, no mail queued (the outbox is written in the same transaction)
            assertEquals(before, snapshot(), c + " left a trace");
        } else {
            // RFC-legal but unusual (quoted strings, comments, address literals, folding white space...):
            // either answer is fine, as long as it is a clean one.
            assertTrue(status == 202 || status == 400, c + " answered " + status);
            if (status == 400) {
                assertEquals(before, snapshot(), c + " left a trace");
            }
        }
    }

    @Test
    void corpus_is_complete_and_its_control_characters_are_restored() {
        List<Case> cases = load();
        assertEquals(164, cases.size());
        Case nul = cases.stream().filter(c -> c.id() == 57).findFirst().orElseThrow();
        assertEquals("\"test\u0000\"@iana.org", nul.address());
        Case crlf = cases.stream().filter(c -> c.id() == 141).findFirst().orElseThrow();
        assertEquals("\r\ntest@iana.org", crlf.address());
        assertTrue(cases.stream().noneMatch(c -> c.address().chars().anyMatch(ch -> ch >= 0x2400 && ch <= 0x241F)));
    }

    @Test
    void licence_of_the_corpus_is_kept_beside_it() throws IOException {
        try (InputStream in = EmailCorpusTest.class.getResourceAsStream("/isemail/isemail-LICENSE.md")) {
            assertNotNull(in, "the corpus's licence must ship beside it (src/test/resources/isemail)");
            assertTrue(new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("Dominic Sayers"));
        }
    }

    @AfterAll
    static void writeOutcomes() throws IOException {
        if (OUTCOMES.isEmpty()) {
            return;
        }
        Path report = Path.of("target", "isemail-outcomes.txt");
        Files.createDirectories(report.getParent());
        Files.write(report, OUTCOMES.values(), StandardCharsets.UTF_8);
    }

    // --- helpers ---

    /** Row count, latest change and queued mails: a refused signup must leave all three as they were. */
    record Snapshot(long subscribers, Object lastUpdate, long outbox) {
    }

    /** Taken once the signups of known addresses, which are handled behind their replies, have all been handled. */
    private Snapshot snapshot() {
        Awaitility.await("known signups handled").pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(10))
                .until(() -> db.count("select count(*) from known_signup") == 0);
        return new Snapshot(db.count("select count(*) from subscriber"),
                db.rows("select max(updated_at) as last from subscriber").get(0).get("last"),
                db.count("select count(*) from outbox_mail"));
    }

    private static synchronized void record(Case c, int status, Response reply) {
        String outcome = status == 202 ? "ACCEPTED" : status == 400 ? "REFUSED " : "STATUS " + status;
        String reason = status == 400 ? "  (" + reply.jsonPath().getString("errors.email") + ")" : "";
        OUTCOMES.put(c.id(), String.format("%-8s %-23s %-34s #%-3d %s%s", outcome, c.category(), c.diagnosis(),
                c.id(), visible(c.address()), reason));
    }

    static List<Case> load() {
        try (InputStream in = EmailCorpusTest.class.getResourceAsStream(CORPUS)) {
            if (in == null) {
                throw new IllegalStateException(CORPUS + " is missing");
            }
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setExpandEntityReferences(false);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            NodeList tests = factory.newDocumentBuilder().parse(in).getElementsByTagName("test");
            List<Case> cases = new ArrayList<>();
            for (int i = 0; i < tests.getLength(); i++) {
                Element test = (Element) tests.item(i);
                cases.add(new Case(Integer.parseInt(test.getAttribute("id")), restore(text(test, "address")),
                        text(test, "category"), text(test, "diagnosis")));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + CORPUS, e);
        }
    }

    private static String text(Element test, String tag) {
        NodeList nodes = test.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent();
    }

    /** XML cannot carry most control characters, so the corpus writes U+2400 + code (␀, ␍, ␊...). */
    static String restore(String address) {
        StringBuilder out = new StringBuilder(address.length());
        address.chars().forEach(ch -> out.append(ch >= 0x2400 && ch <= 0x241F ? (char) (ch - 0x2400) : (char) ch));
        return out.toString();
    }

    /** The other way round, for readable test names and reports. */
    static String visible(String address) {
        StringBuilder out = new StringBuilder(address.length());
        address.chars().forEach(ch -> out.append(ch < 0x20 ? (char) (ch + 0x2400) : ch == 0x7F ? '\u2421' : (char) ch));
        return out.toString();
    }
}
