package app.newsletter.abuse;

import static app.newsletter.support.Management.management;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

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

@QuarkusTest
@TestProfile(AbuseDefenceProfile.class)
@QuarkusTestResource(GreenMailResource.class)
class AbuseDefenceTest {

    static final String THANKS = "{\"message\":\"Thank you for subscribing.\"}";

    @Inject
    Db db;

    @Test
    void an_ip_gets_three_signups_a_minute_then_429_with_retry_after_while_other_ips_still_subscribe() {
        String ip = Addresses.freshIp();
        for (int i = 0; i < 3; i++) {
            signUp(ip, Addresses.unique("window")).then().statusCode(202);
        }
        String refused = Addresses.unique("refused");
        Response limited = signUp(ip, refused);
        limited.then().statusCode(429).contentType("application/problem+json")
                .body("title", equalTo("Something went wrong."))
                .body("detail", containsString("Too many signups"));
        int retryAfter = Integer.parseInt(limited.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
        assertEquals(0L, db.count("select count(*) from subscriber where email = ?", refused));

        signUp(Addresses.freshIp(), Addresses.unique("neighbour")).then().statusCode(202);
    }

    @Test
    void a_form_over_its_ips_window_gets_the_html_page_with_429_and_retry_after_and_nothing_is_stored() {
        String ip = Addresses.freshIp();
        for (int i = 0; i < 3; i++) {
            given().header("X-Forwarded-For", ip).contentType(ContentType.URLENC)
                    .formParam("email", Addresses.unique("form-window")).post("/api/subscriptions")
                    .then().statusCode(200).contentType(ContentType.HTML).body(containsString("Thank you"));
        }
        String refused = Addresses.unique("form-refused");
        // Refused by the group's own statement on a writer thread: the page comes back through the stage's failure.
        Response limited = given().header("X-Forwarded-For", ip).contentType(ContentType.URLENC)
                .formParam("email", refused).post("/api/subscriptions");
        limited.then().statusCode(429).contentType(ContentType.HTML).body(containsString("Something went wrong."));
        int retryAfter = Integer.parseInt(limited.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
        assertEquals(0L, db.count("select count(*) from subscriber where email = ?", refused));
    }

    @Test
    void the_daily_window_counts_requests_older_than_a_minute() {
        String ip = Addresses.freshIp();
        db.update("insert into rate_window (key, hits, granted) "
                + "values (?, array_fill(now() - interval '2 hours', array[5]), 5)", "signup-ip:" + ip);
        Response limited = signUp(ip, Addresses.unique("daily"));
        limited.then().statusCode(429);
        int retryAfter = Integer.parseInt(limited.header("Retry-After"));
        assertTrue(retryAfter > 21 * 3600 && retryAfter <= 22 * 3600 + 1, "Retry-After " + retryAfter);
    }

    @Test
    void requests_counted_by_another_instance_in_the_shared_table_limit_this_one() {
        String ip = Addresses.freshIp();
        // What two signups through another instance leave behind: rows in the one table every instance reads.
        db.update("insert into rate_window (key, hits, granted) values (?, array[now() - interval '10 seconds', "
                + "now() - interval '5 seconds', now()], 1)", "signup-ip:" + ip);
        signUp(ip, Addresses.unique("shared")).then().statusCode(429);
    }

    @Test
    void honeypot_and_invalid_requests_count_against_the_ip_too() {
        String ip = Addresses.freshIp();
        given().header("X-Forwarded-For", ip).contentType(ContentType.JSON)
                .body(Map.of("email", "bot@example.com", "website", "http://spam")).post("/api/subscriptions")
                .then().statusCode(202);
        given().header("X-Forwarded-For", ip).contentType(ContentType.JSON)
                .body(Map.of("email", "not an address")).post("/api/subscriptions").then().statusCode(400);
        signUp(ip, Addresses.unique("third")).then().statusCode(202);
        signUp(ip, Addresses.unique("fourth")).then().statusCode(429);
    }

    @Test
    void a_bombed_address_gets_at_most_its_daily_cap_of_mails_and_the_same_reply_every_time() {
        String victim = Addresses.unique("victim");
        for (int i = 0; i < 6; i++) {
            assertEquals(THANKS, signUp(Addresses.freshIp(), victim).then().statusCode(202).extract().asString());
        }
        Mailbox.await(victim, 2);
        Mailbox.assertStays(victim, 2);
        assertEquals(2L, db.count("select count(*) from outbox_mail where recipient = ?", victim));
        assertEquals(1L, db.count("select count(*) from subscriber where email = ?", victim));
    }

    @Test
    void sub_addresses_of_one_mailbox_share_its_daily_cap() {
        String victim = Addresses.unique("tagged");
        String local = victim.substring(0, victim.indexOf('@'));
        String domain = victim.substring(victim.indexOf('@'));
        for (int i = 1; i <= 6; i++) {
            assertEquals(THANKS, signUp(Addresses.freshIp(), local + "+" + i + domain).then().statusCode(202).extract()
                    .asString());
        }
        // Six rows (the addresses differ), but the mailbox behind them gets its cap of two confirmations a day.
        assertEquals(6L, db.count("select count(*) from subscriber where email like ?", local + "+%"));
        await().atMost(Duration.ofSeconds(10)).until(() -> db.count(
                "select count(*) from outbox_mail where recipient like ? and sent_at is not null", local + "+%") == 2);
        assertEquals(2L, db.count("select count(*) from outbox_mail where recipient like ?", local + "+%"));
    }

    @Test
    void the_daily_cap_also_holds_when_the_victim_is_signed_up_to_one_list_after_another() {
        String victim = Addresses.unique("lists-victim");
        for (String list : new String[] { "peptide-evolution", "shop", "partner" }) {
            assertEquals(THANKS, given().header("X-Forwarded-For", Addresses.freshIp()).contentType(ContentType.JSON)
                    .body(Map.of("email", victim, "list", list)).post("/api/subscriptions")
                    .then().statusCode(202).extract().asString());
        }
        Mailbox.await(victim, 2);
        Mailbox.assertStays(victim, 2);
        assertEquals(3L, db.count("select count(*) from subscriber where email = ?", victim));
        assertEquals(1L, db.count("select count(*) from subscriber where email = ? and list_id = 'partner' "
                + "and last_confirmation_sent_at is null", victim));
    }

    @Test
    void blocked_domains_get_the_same_reply_and_nothing_is_stored_or_sent() {
        for (String email : new String[] { "x" + UUID.randomUUID() + "@mailinator.com",
                "y" + UUID.randomUUID() + "@deep.sub.blocked.example", "z" + UUID.randomUUID() + "@blocked.example",
                "w" + UUID.randomUUID() + "@SPAM.test" }) {
            assertEquals(THANKS, signUp(Addresses.freshIp(), email).then().statusCode(202).extract().asString());
            assertEquals(0L, db.count("select count(*) from subscriber where lower(email) = lower(?)", email));
            assertEquals(0L, db.count("select count(*) from outbox_mail where lower(recipient) = lower(?)", email));
        }
        String fine = "v" + UUID.randomUUID() + "@notblocked.example";
        signUp(Addresses.freshIp(), fine).then().statusCode(202);
        assertEquals(1L, db.count("select count(*) from subscriber where email = ?", fine));
    }

    @Test
    void a_list_with_proof_of_work_accepts_a_solved_puzzle_and_refuses_none_or_a_forged_one() {
        given().get("/api/challenge?list=peptide-evolution").then().statusCode(200)
                .body("required", equalTo(false)).body("challenge", nullValue());

        String missing = Addresses.unique("nopow");
        given().header("X-Forwarded-For", Addresses.freshIp()).contentType(ContentType.JSON)
                .body(Map.of("email", missing, "list", "guarded")).post("/api/subscriptions")
                .then().statusCode(400).body("errors.pow", containsString("JavaScript"));

        JsonPath challenge = given().get("/api/challenge?list=guarded").then().statusCode(200)
                .header("Cache-Control", "no-store")
                .body("required", equalTo(true)).body("algorithm", equalTo("SHA-256")).extract().jsonPath();
        String solved = solve(challenge);
        String email = Addresses.unique("pow");
        given().header("X-Forwarded-For", Addresses.freshIp()).contentType(ContentType.JSON)
                .body(Map.of("email", email, "list", "guarded", "pow", solved)).post("/api/subscriptions")
                .then().statusCode(202);
        assertEquals(1L, db.count("select count(*) from subscriber where email = ? and list_id = 'guarded'", email));

        String forged = Base64.getEncoder().encodeToString(("{\"algorithm\":\"SHA-256\",\"challenge\":\""
                + challenge.getString("challenge") + "\",\"number\":" + (number(challenge) + 1) + ",\"salt\":\""
                + challenge.getString("salt") + "\",\"signature\":\"" + challenge.getString("signature") + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        given().header("X-Forwarded-For", Addresses.freshIp()).contentType(ContentType.JSON)
                .body(Map.of("email", Addresses.unique("forged"), "list", "guarded", "pow", forged))
                .post("/api/subscriptions").then().statusCode(400).body("errors.pow", containsString("not valid"));
        assertEquals(0L, db.count("select count(*) from subscriber where list_id = 'guarded' and email like "
                + "'nopow-%' or email like 'forged-%'"));
    }

    @Test
    void a_puzzle_whose_number_digits_are_spliced_onto_its_salt_to_push_the_expiry_out_is_refused() {
        JsonPath challenge;
        int number;
        do { // a number of at least two digits, so that some can move
            challenge = given().get("/api/challenge?list=guarded").then().statusCode(200).extract().jsonPath();
            number = number(challenge);
        } while (number < 10);
        String digits = Integer.toString(number);
        // salt + number is unchanged, so is the challenge (its hash) and its signature: only the salt's end moved.
        String splicedSalt = challenge.getString("salt") + digits.substring(0, digits.length() - 1);
        String spliced = Base64.getEncoder().encodeToString(("{\"algorithm\":\"SHA-256\",\"challenge\":\""
                + challenge.getString("challenge") + "\",\"number\":" + digits.charAt(digits.length() - 1)
                + ",\"salt\":\"" + splicedSalt + "\",\"signature\":\"" + challenge.getString("signature") + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        String email = Addresses.unique("spliced");
        given().header("X-Forwarded-For", Addresses.freshIp()).contentType(ContentType.JSON)
                .body(Map.of("email", email, "list", "guarded", "pow", spliced)).post("/api/subscriptions")
                .then().statusCode(400).body("errors.pow", containsString("not valid"));
        assertEquals(0L, db.count("select count(*) from subscriber where email = ?", email));
    }

    @Test
    void a_solved_puzzle_replayed_for_a_second_signup_is_refused() {
        JsonPath challenge = given().get("/api/challenge?list=guarded").then().statusCode(200).extract().jsonPath();
        String solved = solve(challenge);
        String first = Addresses.unique("replay-first");
        given().header("X-Forwarded-For", Addresses.freshIp()).contentType(ContentType.JSON)
                .body(Map.of("email", first, "list", "guarded", "pow", solved)).post("/api/subscriptions")
                .then().statusCode(202);
        String second = Addresses.unique("replay-second");
        given().header("X-Forwarded-For", Addresses.freshIp()).contentType(ContentType.JSON)
                .body(Map.of("email", second, "list", "guarded", "pow", solved)).post("/api/subscriptions")
                .then().statusCode(400).body("errors.pow", containsString("already been used"));
        assertEquals(1L, db.count("select count(*) from subscriber where email = ?", first));
        assertEquals(0L, db.count("select count(*) from subscriber where email = ?", second));
        // Spent for every instance until the puzzle would have expired anyway.
        assertEquals(1L, db.count("select count(*) from proof_of_work_spent where nonce = ? and expires_at > now()",
                challenge.getString("salt").substring(0, 24)));
    }

    @Test
    void a_client_that_writes_its_own_x_forwarded_for_in_front_of_the_proxys_entry_is_still_counted_by_its_real_ip() {
        String real = Addresses.freshIp();
        // An appending proxy (nginx $proxy_add_x_forwarded_for) puts the client's real address last.
        for (int i = 0; i < 3; i++) {
            signUp("198.51.100." + i + ", " + real, Addresses.unique("spoof")).then().statusCode(202);
        }
        signUp("198.51.100.99, " + real, Addresses.unique("spoof")).then().statusCode(429);
        assertEquals(3L, db.count("select count(*) from consent_record where ip = ? and event = 'SIGNUP'", real));
    }

    @Test
    void an_unknown_forwarded_address_is_limited_as_one_shared_client_never_skipped() {
        db.update("delete from rate_window where key = 'signup-ip:unknown'");
        for (int i = 0; i < 3; i++) {
            signUp("unknown", Addresses.unique("unknown-ip")).then().statusCode(202);
        }
        signUp("not-an-ip", Addresses.unique("unknown-ip")).then().statusCode(429);
        db.update("delete from rate_window where key = 'signup-ip:unknown'");
    }

    @Test
    void ipv6_clients_are_counted_per_64_and_ipv4_mapped_addresses_as_ipv4() {
        String prefix = "2001:db8:" + Integer.toHexString(UUID.randomUUID().hashCode() & 0xffff) + ":7:";
        for (int i = 1; i <= 3; i++) {
            signUp(prefix + ":" + i, Addresses.unique("v6")).then().statusCode(202);
        }
        signUp(prefix + "ffff:1:2:3", Addresses.unique("v6")).then().statusCode(429);

        String v4 = Addresses.freshIp();
        signUp(v4, Addresses.unique("mapped")).then().statusCode(202);
        signUp("::ffff:" + v4, Addresses.unique("mapped")).then().statusCode(202);
        signUp("[::ffff:" + v4 + "]:4711", Addresses.unique("mapped")).then().statusCode(202);
        signUp(v4, Addresses.unique("mapped")).then().statusCode(429);
    }

    @Test
    void guessing_a_staff_password_is_throttled_per_user_and_per_ip_then_429_even_for_the_right_password() {
        db.update("delete from rate_window where key like 'login-%'");
        try {
            // Ten wrong passwords for ada, each from another IP: the user's window fills.
            for (int i = 0; i < 10; i++) {
                staff(Addresses.freshIp(), "ada", "guess-" + i).then().statusCode(401);
            }
            String ip = Addresses.freshIp();
            await("ada's login window is full").atMost(Duration.ofSeconds(10))
                    .until(() -> staff(ip, "ada", "ada-secret").statusCode() == 429);
            Response refused = staff(Addresses.freshIp(), "ada", "ada-secret");
            refused.then().statusCode(429).contentType("application/problem+json")
                    .body("detail", containsString("Too many failed logins"));
            int retryAfter = Integer.parseInt(refused.header("Retry-After"));
            assertTrue(retryAfter >= 1 && retryAfter <= 61, "Retry-After " + retryAfter);
            staff(Addresses.freshIp(), "mia", "mia-secret").then().statusCode(200);

            // Ten wrong logins from one IP, each for another user name: the IP's window fills.
            String guesser = Addresses.freshIp();
            for (int i = 0; i < 10; i++) {
                staff(guesser, "user" + i, "guess").then().statusCode(401);
            }
            await("the guessing IP's login window is full").atMost(Duration.ofSeconds(10))
                    .until(() -> staff(guesser, "mia", "mia-secret").statusCode() == 429);
            staff(Addresses.freshIp(), "mia", "mia-secret").then().statusCode(200);
            assertEquals(10L, db.count("select cardinality(hits) from rate_window where key = ?",
                    "login-ip:" + guesser));
        } finally {
            db.update("delete from rate_window where key like 'login-%'");
        }
    }

    @Test
    void one_ip_hammering_the_confirm_form_gets_429_after_its_window() {
        String email = Addresses.unique("hammer");
        signUp(Addresses.freshIp(), email).then().statusCode(202);
        String token = Mailbox.token(Mailbox.link(Mailbox.await(email, 1).get(0), "http://localhost:8080/confirm"));
        String ip = Addresses.freshIp();
        for (int i = 0; i < LinkWindows.PER_MINUTE; i++) {
            given().header("X-Forwarded-For", ip).contentType(ContentType.URLENC).formParam("token", token)
                    .post("/confirm").then().statusCode(200);
        }
        given().header("X-Forwarded-For", ip).contentType(ContentType.URLENC).formParam("token", token)
                .post("/confirm").then().statusCode(429).header("Retry-After", org.hamcrest.Matchers.notNullValue());
        given().header("X-Forwarded-For", Addresses.freshIp()).contentType(ContentType.URLENC).formParam("token", token)
                .post("/confirm").then().statusCode(200);
    }

    @Test
    void origin_null_from_a_sandboxed_page_is_never_allowed() {
        String email = Addresses.unique("origin-null");
        given().header("X-Forwarded-For", Addresses.freshIp()).header("Origin", "null").contentType(ContentType.JSON)
                .body(Map.of("email", email)).post("/api/subscriptions").then().statusCode(403);
        assertEquals(0L, db.count("select count(*) from subscriber where email = ?", email));
        given().header("Origin", "null").header("Access-Control-Request-Method", "POST")
                .options("/api/subscriptions").then().header("Access-Control-Allow-Origin", nullValue());
    }

    @Test
    void cors_preflight_is_answered_for_allowed_origins_only() {
        given().header("Origin", "https://blog.example").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type")
                .options("/api/subscriptions").then().statusCode(204)
                .header("Access-Control-Allow-Origin", "https://blog.example")
                .header("Access-Control-Allow-Methods", containsString("POST"))
                .header("Access-Control-Allow-Headers", containsString("Content-Type"));
        given().header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST")
                .options("/api/subscriptions").then().statusCode(403)
                .header("Access-Control-Allow-Origin", nullValue());
    }

    @Test
    void signups_from_origins_not_allowed_for_the_list_are_refused_and_not_stored() {
        String fromEvil = Addresses.unique("evil");
        given().header("X-Forwarded-For", Addresses.freshIp()).header("Origin", "https://evil.example")
                .contentType(ContentType.JSON).body(Map.of("email", fromEvil)).post("/api/subscriptions")
                .then().statusCode(403).header("Access-Control-Allow-Origin", nullValue())
                .body("detail", containsString("not accepted"));
        given().header("X-Forwarded-For", Addresses.freshIp()).header("Referer", "https://evil.example/page")
                .contentType(ContentType.URLENC).formParam("email", fromEvil).post("/api/subscriptions")
                .then().statusCode(403).contentType(ContentType.HTML).body(containsString("Something went wrong."));
        assertEquals(0L, db.count("select count(*) from subscriber where email = ?", fromEvil));

        String shopOnly = Addresses.unique("shop");
        given().header("X-Forwarded-For", Addresses.freshIp()).header("Origin", "https://shop.example")
                .contentType(ContentType.JSON).body(Map.of("email", shopOnly)).post("/api/subscriptions")
                .then().statusCode(403);
        given().header("X-Forwarded-For", Addresses.freshIp()).header("Origin", "https://shop.example")
                .contentType(ContentType.JSON).body(Map.of("email", shopOnly, "list", "shop"))
                .post("/api/subscriptions")
                .then().statusCode(202).header("Access-Control-Allow-Origin", "https://shop.example");
        given().header("X-Forwarded-For", Addresses.freshIp()).header("Origin", "https://blog.example")
                .contentType(ContentType.JSON).body(Map.of("email", Addresses.unique("blog")))
                .post("/api/subscriptions")
                .then().statusCode(202).header("Access-Control-Allow-Origin", "https://blog.example");
    }

    @Test
    void when_too_many_confirmations_went_out_in_the_last_hour_new_ones_are_queued_but_held_back() {
        // What 500 confirmations queued this hour by any instance leave behind (the profile's floor is 500, and this
        // test installation has no busier baseline).
        db.update("insert into confirmation_tally (hour, slot, queued) values (date_trunc('hour', now()), -1, 500)");
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> breakerOpen() == 1);
            String email = Addresses.unique("held");
            signUp(Addresses.freshIp(), email).then().statusCode(202);
            Object value = db.rows("select next_attempt_at from outbox_mail where recipient = ?", email).get(0)
                    .get("next_attempt_at");
            Instant next = ((java.sql.Timestamp) value).toInstant();
            assertTrue(next.isAfter(Instant.now().plusSeconds(14 * 60)), "held until " + next);
            Mailbox.assertStays(email, 0);
        } finally {
            db.update("delete from confirmation_tally where slot = -1");
            await().atMost(Duration.ofSeconds(15)).until(() -> breakerOpen() == 0);
        }
    }

    private static int breakerOpen() {
        String metrics = management().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(line -> line.startsWith("newsletter_confirmation_breaker_open"))
                .map(line -> (int) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow();
    }

    private static Response staff(String ip, String user, String password) {
        return given().header("X-Forwarded-For", ip).auth().preemptive().basic(user, password)
                .get("/api/admin/stats");
    }

    private static Response signUp(String ip, String email) {
        return given().header("X-Forwarded-For", ip).contentType(ContentType.JSON).body(Map.of("email", email))
                .post("/api/subscriptions");
    }

    private static int number(JsonPath challenge) {
        String salt = challenge.getString("salt");
        String target = challenge.getString("challenge");
        int max = challenge.getInt("maxnumber");
        for (int n = 0; n <= max; n++) {
            if (Puzzle.sha256(salt + n).equals(target)) {
                return n;
            }
        }
        throw new AssertionError("puzzle without a solution");
    }

    private static String solve(JsonPath challenge) {
        String json = "{\"algorithm\":\"SHA-256\",\"challenge\":\"" + challenge.getString("challenge")
                + "\",\"number\":" + number(challenge) + ",\"salt\":\"" + challenge.getString("salt")
                + "\",\"signature\":\"" + challenge.getString("signature") + "\"}";
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
