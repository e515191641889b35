package app.newsletter.apikeys;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** API keys: made, listed and revoked by admins; used by backends to sign people up and to poll the subscribers. */
@QuarkusTest
@TestProfile(ApiKeysProfile.class)
@QuarkusTestResource(GreenMailResource.class)
class ApiKeysTest {

    private static final String PROBLEM = "application/problem+json";

    @Inject
    Db db;

    private static RequestSpecification admin() {
        return given().auth().preemptive().basic("ada", "ada-secret");
    }

    /** Makes a key through the admin API and returns the answer. */
    private static JsonPath create(String name, List<String> scopes, String list) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("scopes", scopes);
        if (list != null) {
            body.put("list", list);
        }
        return admin().contentType(ContentType.JSON).body(body).when().post("/api/admin/api-keys")
                .then().statusCode(201).contentType(ContentType.JSON).extract().jsonPath();
    }

    private static String key(List<String> scopes, String list) {
        return create("test " + scopes, scopes, list).getString("key");
    }

    private static Response signUp(String key, Map<String, Object> body) {
        RequestSpecification request = given().contentType(ContentType.JSON).body(body);
        if (key != null) {
            request = request.header("Authorization", "Bearer " + key);
        }
        return request.when().post("/api/subscriptions");
    }

    private long subscribers(String email) {
        return db.count("select count(*) from subscriber where email = ?", email);
    }

    @Test
    void an_admin_makes_a_key_shown_once_sees_it_listed_without_its_material_and_revokes_it() {
        JsonPath created = create("shop backend", List.of("signup", "READ"), "shop");
        String key = created.getString("key");
        long id = created.getLong("id");
        assertTrue(key.matches("nlk_[A-Za-z0-9_-]{43}"), key);
        assertEquals("shop backend", created.getString("name"));
        assertEquals(List.of("signup", "read"), created.getList("scopes"));
        assertEquals("shop", created.getString("list"));
        assertNotNull(created.getString("createdAt"));
        assertEquals(key.substring(0, 10), created.getString("prefix"));

        String listing = admin().when().get("/api/admin/api-keys").then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("find { it.id == " + id + " }.name", equalTo("shop backend"))
                .body("find { it.id == " + id + " }.scopes", equalTo(List.of("signup", "read")))
                .body("find { it.id == " + id + " }.list", equalTo("shop"))
                .body("find { it.id == " + id + " }.createdBy", equalTo("ada"))
                .body("find { it.id == " + id + " }.useCount", equalTo(0))
                .body("find { it.id == " + id + " }.lastUsedAt", nullValue())
                .body("find { it.id == " + id + " }.revokedAt", nullValue())
                .body("find { it.id == " + id + " }", not(hasKey("key")))
                .extract().asString();
        assertFalse(listing.contains(key), "the listing never shows a key");

        // Only the hash is stored: the key is in no column of its row, nor in the audit log.
        assertEquals(1L, db.count("select count(*) from api_key where id = ? and key_hash = sha256(convert_to(?, "
                + "'UTF8'))", id, key));
        assertEquals(0L, db.count("select count(*) from api_key a where a::text like ?", "%" + key + "%"));
        assertEquals(0L, db.count("select count(*) from audit_log a where a::text like ?", "%" + key + "%"));
        assertEquals(1L, db.count("select count(*) from audit_log where action = 'api-key.create' and actor = 'ada' "
                + "and (details->>'id')::bigint = ? and details->>'name' = 'shop backend'", id));

        given().header("Authorization", "Bearer " + key).when().get("/api/subscribers?list=shop")
                .then().statusCode(200);

        admin().when().delete("/api/admin/api-keys/" + id).then().statusCode(204);
        Map<String, Object> row = db.rows("select revoked_at, revoked_by from api_key where id = ?", id).get(0);
        assertNotNull(row.get("revoked_at"));
        assertEquals("ada", row.get("revoked_by"));
        assertEquals(1L, db.count("select count(*) from audit_log where action = 'api-key.revoke' and actor = 'ada' "
                + "and (details->>'id')::bigint = ?", id));
        admin().when().get("/api/admin/api-keys").then().statusCode(200)
                .body("find { it.id == " + id + " }.revokedAt", notNullValue())
                .body("find { it.id == " + id + " }.revokedBy", equalTo("ada"));

        // Revoked: refused at once, and revoking again (or an unknown id) is a 404 problem.
        String email = Addresses.unique("revoked");
        signUp(key, Map.of("email", email, "list", "shop")).then().statusCode(401).contentType(PROBLEM)
                .header("WWW-Authenticate", containsString("Bearer"));
        assertEquals(0L, subscribers(email));
        admin().when().delete("/api/admin/api-keys/" + id).then().statusCode(404).contentType(PROBLEM);
        admin().when().delete("/api/admin/api-keys/987654321").then().statusCode(404).contentType(PROBLEM);
        assertEquals(1L, db.count("select count(*) from audit_log where action = 'api-key.revoke' "
                + "and (details->>'id')::bigint = ?", id));
    }

    @Test
    void marketing_may_not_touch_keys_and_nobody_without_credentials_either() {
        given().auth().preemptive().basic("mia", "mia-secret").contentType(ContentType.JSON)
                .body(Map.of("name", "sneaky", "scopes", List.of("read"))).when().post("/api/admin/api-keys")
                .then().statusCode(403);
        given().auth().preemptive().basic("mia", "mia-secret").when().get("/api/admin/api-keys")
                .then().statusCode(403);
        long id = create("kept", List.of("read"), null).getLong("id");
        given().auth().preemptive().basic("mia", "mia-secret").when().delete("/api/admin/api-keys/" + id)
                .then().statusCode(403);
        given().when().get("/api/admin/api-keys").then().statusCode(401);
        assertEquals(0L, db.count("select count(*) from api_key where name = 'sneaky'"));
        assertEquals(0L, db.count("select count(*) from api_key where id = ? and revoked_at is not null", id));
    }

    @Test
    void a_key_with_an_unknown_scope_list_or_no_name_is_refused_naming_the_field() {
        admin().contentType(ContentType.JSON).body(Map.of("name", "bad scope", "scopes", List.of("signup", "admin")))
                .when().post("/api/admin/api-keys").then().statusCode(400).contentType(PROBLEM)
                .body("errors.scopes", containsString("admin"));
        admin().contentType(ContentType.JSON).body(Map.of("name", "bad list", "scopes", List.of("read"), "list",
                "no-such-list")).when().post("/api/admin/api-keys").then().statusCode(400).contentType(PROBLEM)
                .body("errors.list", containsString("no-such-list"));
        admin().contentType(ContentType.JSON).body(Map.of("scopes", List.of("read")))
                .when().post("/api/admin/api-keys").then().statusCode(400).contentType(PROBLEM)
                .body("errors", hasKey("name"));
        assertEquals(0L, db.count("select count(*) from api_key where name in ('bad scope', 'bad list')"));
    }

    @Test
    void a_backend_signs_a_visitor_up_without_origin_or_proof_of_work_and_the_confirmation_mail_goes_out() {
        JsonPath created = create("guarded backend", List.of("signup"), null);
        String key = created.getString("key");
        long id = created.getLong("id");

        // Without the key, this page's origin is refused (and the list wants proof of work).
        String refused = Addresses.unique("no-key");
        given().header("Origin", "https://evil.example").contentType(ContentType.JSON)
                .body(Map.of("email", refused, "list", "guarded")).when().post("/api/subscriptions")
                .then().statusCode(403);

        String email = Addresses.unique("keyed");
        given().header("Authorization", "Bearer " + key).header("Origin", "https://evil.example")
                .header("User-Agent", "ShopBackend/2.0").contentType(ContentType.JSON)
                .body(Map.of("email", email, "name", "Grace", "list", "guarded", "source", "https://shop.example/join",
                        "ip", "203.0.113.9", "userAgent", "Mozilla/5.0 (Visitor)"))
                .when().post("/api/subscriptions")
                .then().statusCode(202).contentType(ContentType.JSON)
                .body("message", equalTo("Thank you for subscribing."));

        Map<String, Object> subscriber = db.rows("select * from subscriber where email = ?", email).get(0);
        assertEquals("PENDING", subscriber.get("status"));
        assertEquals("guarded", subscriber.get("list_id"));
        Map<String, Object> consent = db.rows("select * from consent_record where subscriber_id = ? and event = "
                + "'SIGNUP'", subscriber.get("id")).get(0);
        assertEquals("203.0.113.9", consent.get("ip"));
        assertEquals("Mozilla/5.0 (Visitor)", consent.get("user_agent"));
        assertEquals("https://shop.example/join", consent.get("source"));

        MimeMessage confirmation = Mailbox.await(email, 1).get(0);
        assertTrue(Mailbox.link(confirmation, "http://localhost:8080/confirm").contains("token="));
        assertEquals(0L, subscribers(refused));

        Map<String, Object> row = db.rows("select use_count, last_used_at from api_key where id = ?", id).get(0);
        assertEquals(1L, ((Number) row.get("use_count")).longValue());
        assertNotNull(row.get("last_used_at"));
        admin().when().get("/api/admin/api-keys").then().statusCode(200)
                .body("find { it.id == " + id + " }.useCount", equalTo(1))
                .body("find { it.id == " + id + " }.lastUsedAt", notNullValue());

        // Without a reported address the consent record says unknown, not the backend's address.
        String unreported = Addresses.unique("unreported");
        signUp(key, Map.of("email", unreported, "list", "guarded")).then().statusCode(202);
        Map<String, Object> second = db.rows("select c.ip, c.user_agent from consent_record c join subscriber s on "
                + "s.id = c.subscriber_id where s.email = ?", unreported).get(0);
        assertEquals(null, second.get("ip"));
        assertEquals(null, second.get("user_agent"));
        assertEquals(2L, db.count("select use_count from api_key where id = ?", id));
        Mailbox.await(unreported, 1);
    }

    @Test
    void a_reported_ip_counts_only_with_a_key_and_must_be_an_address() {
        String key = key(List.of("signup"), null);
        String bad = Addresses.unique("bad-ip");
        signUp(key, Map.of("email", bad, "ip", "999.1.1.1")).then().statusCode(400).contentType(PROBLEM)
                .body("errors.ip", notNullValue());
        assertEquals(0L, subscribers(bad));

        String anonymous = Addresses.unique("anon-ip");
        signUp(null, Map.of("email", anonymous, "ip", "203.0.113.77", "userAgent", "Forged/1.0")).then()
                .statusCode(202);
        Map<String, Object> consent = db.rows("select c.ip, c.user_agent from consent_record c join subscriber s on "
                + "s.id = c.subscriber_id where s.email = ?", anonymous).get(0);
        assertNotEquals("203.0.113.77", consent.get("ip"), "without a key the connection tells the address");
        assertNotNull(consent.get("ip"));
        assertFalse("Forged/1.0".equals(consent.get("user_agent")));

        String v6 = Addresses.unique("v6");
        signUp(key, Map.of("email", v6, "ip", "2001:DB8::1")).then().statusCode(202);
        assertEquals("2001:db8:0:0:0:0:0:1", db.rows("select c.ip from consent_record c join subscriber s on "
                + "s.id = c.subscriber_id where s.email = ?", v6).get(0).get("ip"));
    }

    @Test
    void unknown_malformed_and_unscoped_keys_are_refused_and_store_nothing() {
        String email = Addresses.unique("refused");
        Map<String, Object> body = Map.of("email", email);
        String unknown = "nlk_" + "A".repeat(43);
        for (String header : List.of("Bearer " + unknown, "Bearer not-a-key", "Bearer", "bearer  nlk_short")) {
            given().header("Authorization", header).contentType(ContentType.JSON).body(body)
                    .when().post("/api/subscriptions")
                    .then().statusCode(401).contentType(PROBLEM)
                    .header("WWW-Authenticate", containsString("Bearer realm=\"Newsletter API\""))
                    .body("status", equalTo(401));
        }
        String readOnly = key(List.of("read"), null);
        signUp(readOnly, body).then().statusCode(403).contentType(PROBLEM)
                .body("detail", containsString("signup"));
        String signupOnly = key(List.of("signup"), null);
        given().header("Authorization", "Bearer " + signupOnly).when().get("/api/subscribers")
                .then().statusCode(403).contentType(PROBLEM).body("detail", containsString("read"));
        given().when().get("/api/subscribers").then().statusCode(401).contentType(PROBLEM)
                .header("WWW-Authenticate", equalTo("Bearer realm=\"Newsletter API\""));
        given().header("Authorization", "Bearer " + unknown).when().get("/api/subscribers").then().statusCode(401);
        assertEquals(0L, subscribers(email));

        // Another scheme is no key: the signup goes the anonymous way, as before keys existed.
        given().header("Authorization", "Basic bWlhOm1pYS1zZWNyZXQ=").contentType(ContentType.JSON).body(body)
                .when().post("/api/subscriptions").then().statusCode(202);
        assertEquals(1L, subscribers(email));
    }

    @Test
    void a_key_restricted_to_a_list_signs_up_and_reads_only_that_list() {
        String key = key(List.of("signup", "read"), "shop");
        String other = Addresses.unique("other-list");
        signUp(key, Map.of("email", other, "list", "peptide-evolution")).then().statusCode(403).contentType(PROBLEM)
                .body("errors.list", containsString("shop"));
        assertEquals(0L, subscribers(other));

        String defaulted = Addresses.unique("default-list");
        signUp(key, Map.of("email", defaulted)).then().statusCode(202);
        assertEquals("shop", db.rows("select list_id from subscriber where email = ?", defaulted).get(0)
                .get("list_id"));

        given().header("Authorization", "Bearer " + key).queryParam("list", "peptide-evolution")
                .when().get("/api/subscribers").then().statusCode(403).contentType(PROBLEM);
        signUp(null, Map.of("email", Addresses.unique("elsewhere"), "list", "peptide-evolution")).then()
                .statusCode(202);
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            List<String> lists = given().header("Authorization", "Bearer " + key).queryParam("limit", "1000")
                    .when().get("/api/subscribers").then().statusCode(200).extract().jsonPath()
                    .getList("items.list");
            List<String> emails = given().header("Authorization", "Bearer " + key).queryParam("limit", "1000")
                    .when().get("/api/subscribers").then().statusCode(200).extract().jsonPath()
                    .getList("items.email");
            assertTrue(emails.contains(defaulted), emails.toString());
            assertEquals(Set.of("shop"), Set.copyOf(lists));
        });
    }

    @Test
    void a_key_gets_its_own_window_and_then_429_with_retry_after() {
        String key = key(List.of("signup"), null);
        for (int i = 0; i < ApiKeysProfile.PER_MINUTE; i++) {
            signUp(key, Map.of("email", Addresses.unique("window"))).then().statusCode(202);
        }
        String over = Addresses.unique("over");
        signUp(key, Map.of("email", over)).then().statusCode(429).contentType(PROBLEM)
                .header("Retry-After", matchesPattern("[1-9][0-9]*"))
                .body("detail", containsString("API key"));
        assertEquals(0L, subscribers(over));

        // Another key, and the anonymous path, still have their own.
        String another = Addresses.unique("another-key");
        signUp(key(List.of("signup"), null), Map.of("email", another)).then().statusCode(202);
        String anonymous = Addresses.unique("anonymous");
        signUp(null, Map.of("email", anonymous)).then().statusCode(202);
        assertEquals(1L, subscribers(another));
        assertEquals(1L, subscribers(anonymous));
    }

    @Test
    void the_listing_pages_through_every_row_once_while_people_keep_signing_up() {
        String key = key(List.of("read"), null);
        List<String> before = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String email = Addresses.unique("feed");
            before.add(email);
            signUp(null, Map.of("email", email, "name", "Feed " + i, "list", "feed-spec")).then().statusCode(202);
        }
        // Rows younger than the lag (a second here) wait for a later page.
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> page(key, null, 1000).getList("items.email")
                .containsAll(before));

        List<Long> seen = new ArrayList<>();
        List<String> emails = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonPath page = page(key, cursor, 2);
            seen.addAll(page.getList("items.id", Long.class));
            emails.addAll(page.getList("items.email"));
            cursor = page.getString("next");
            // People keep signing up between the pages.
            signUp(null, Map.of("email", Addresses.unique("between"), "list", "feed-spec")).then().statusCode(202);
            pages++;
        } while (cursor != null && pages < 50);

        assertEquals(seen.size(), new LinkedHashSet<>(seen).size(), "no row twice: " + seen);
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i) > seen.get(i - 1), "in id order: " + seen);
        }
        assertTrue(emails.containsAll(before), emails.toString());
        long last = seen.get(seen.size() - 1);
        List<Long> stored = db.rows("select id from subscriber where list_id = 'feed-spec' and id <= ? order by id",
                last).stream().map(r -> ((Number) r.get("id")).longValue()).toList();
        assertEquals(stored, seen, "no gap: every row up to the last one handed out");

        JsonPath first = page(key, null, 1);
        Map<String, Object> item = first.getMap("items[0]");
        assertEquals(Set.of("id", "list", "email", "name", "status", "source", "consentVersion", "createdAt",
                "confirmedAt", "unsubscribedAt", "updatedAt"), item.keySet());
        assertEquals("pending", item.get("status"));
        assertEquals("feed-spec", item.get("list"));
        assertNotNull(first.getString("next"));
    }

    private static JsonPath page(String key, String cursor, int limit) {
        RequestSpecification request = given().header("Authorization", "Bearer " + key)
                .queryParam("list", "feed-spec").queryParam("limit", limit);
        if (cursor != null) {
            request = request.queryParam("cursor", cursor);
        }
        return request.when().get("/api/subscribers").then().statusCode(200).contentType(ContentType.JSON)
                .extract().jsonPath();
    }

    @Test
    void the_listing_filters_by_status_and_time_and_refuses_what_it_does_not_know() {
        String key = key(List.of("read"), null);
        RequestSpecification asKey = given().header("Authorization", "Bearer " + key);
        given().header("Authorization", "Bearer " + key).queryParam("status", "PENDING").queryParam("since",
                "2000-01-01T00:00:00Z").when().get("/api/subscribers").then().statusCode(200);
        given().header("Authorization", "Bearer " + key).queryParam("since", "2999-01-01T00:00:00Z")
                .when().get("/api/subscribers").then().statusCode(200).body("items.size()", equalTo(0))
                .body("next", nullValue());
        given().header("Authorization", "Bearer " + key).queryParam("status", "confirmed").queryParam("list",
                "feed-spec").when().get("/api/subscribers").then().statusCode(200).body("items.size()", equalTo(0));
        asKey.queryParam("limit", "0").queryParam("status", "sleeping").queryParam("since", "yesterday")
                .queryParam("cursor", "!!").queryParam("list", "nope").when().get("/api/subscribers")
                .then().statusCode(400).contentType(PROBLEM)
                .body("errors.keySet()", equalTo(Set.of("limit", "status", "since", "cursor", "list")));
        given().header("Authorization", "Bearer " + key).queryParam("limit", "1001").when().get("/api/subscribers")
                .then().statusCode(400).body("errors.limit", notNullValue());
    }

    @Test
    void a_row_younger_than_the_lag_is_not_handed_out_yet() {
        String key = key(List.of("read"), null);
        String email = Addresses.unique("horizon");
        // A row stamped in the future stands for one whose transaction may still be open: it stays beyond the horizon.
        db.update("insert into subscriber (list_id, email, status, created_at, updated_at) values ('horizon-spec', ?, "
                + "'PENDING', now() + interval '1 hour', now() + interval '1 hour')", email);
        try {
            Awaitility.await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(6))
                    .until(() -> given().header("Authorization", "Bearer " + key).queryParam("list", "horizon-spec")
                            .when().get("/api/subscribers").then().statusCode(200).extract().jsonPath()
                            .getList("items").isEmpty());
        } finally {
            db.update("delete from subscriber where email = ?", email);
        }
    }
}
