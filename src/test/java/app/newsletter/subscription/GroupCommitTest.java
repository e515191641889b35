package app.newsletter.subscription;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import app.newsletter.outbox.QueuedMail;
import app.newsletter.support.Addresses;
import app.newsletter.support.Concurrently;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Signups that arrive together share one commit, and each still gets exactly its own rows and mail. */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class GroupCommitTest {

    private static final int SIGNUPS = 60;

    @Inject
    Db db;
    @Inject
    SignupWriter writer;
    @Inject
    NewSignups newSignups;
    @Inject
    SubscriptionConfig config;

    @Test
    void concurrent_signups_share_commits_and_each_gets_its_rows_and_its_mail() throws Exception {
        String run = Addresses.unique("group");
        List<String> emails = new ArrayList<>();
        for (int i = 0; i < SIGNUPS; i++) {
            emails.add(i + "." + run);
        }
        List<Future<Integer>> replies = Concurrently.run(SIGNUPS, i -> () -> given().contentType(ContentType.JSON)
                .body(Map.of("email", emails.get(i), "name", "N " + i))
                .when().post("/api/subscriptions").then().extract().statusCode());
        for (Future<Integer> reply : replies) {
            assertEquals(202, reply.get());
        }
        String like = "%." + run;
        assertEquals(SIGNUPS, db.count("select count(*) from subscriber where email like ? and status = 'PENDING' "
                + "and name = 'N ' || split_part(email, '.', 1) and last_confirmation_sent_at is not null", like));
        assertEquals(SIGNUPS, db.count("select count(*) from consent_record c join subscriber s on s.id = "
                + "c.subscriber_id where s.email like ? and c.event = 'SIGNUP' and c.ip is not null", like));
        assertEquals(SIGNUPS, db.count("select count(distinct t.subscriber_id) from subscriber_token t join subscriber "
                + "s on s.id = t.subscriber_id where s.email like ? and t.purpose = 'CONFIRM' and t.expires_at is not null",
                like));
        assertEquals(SIGNUPS, db.count("select count(*) from subscriber_token t join subscriber s on s.id = "
                + "t.subscriber_id where s.email like ? and t.purpose = 'UNSUBSCRIBE' and t.expires_at is null", like));
        long commits = db.count("select count(distinct created_at) from subscriber where email like ?", like);
        assertTrue(commits < SIGNUPS, "rows of one group share their commit time; " + commits + " groups");
        for (String email : emails) {
            String link = Mailbox.link(Mailbox.await(email, 1).get(0), "http://localhost:8080/confirm");
            // Every mail's link belongs to its own address: confirming it confirms that row and no other.
            given().formParam("token", Mailbox.token(link)).when().post("/confirm").then().statusCode(200);
            assertEquals(1L, db.count("select count(*) from subscriber where email = ? and status = 'CONFIRMED'",
                    email));
        }
        assertEquals(SIGNUPS, db.count("select count(*) from subscriber where email like ? and status = 'CONFIRMED'",
                like));
    }

    @Test
    void a_group_is_written_whole_or_not_at_all() {
        String good = Addresses.unique("whole");
        String bad = Addresses.unique("poison");
        // PostgreSQL refuses NUL in text; the form refuses it earlier, so only a hand-made signup carries one.
        List<SignupWriter.Request> group = List.of(new SignupWriter.Request("signup-ip:192.0.2.77", prepared(good,
                "Good")), new SignupWriter.Request("signup-ip:192.0.2.77", prepared(bad, "Bad\u0000")));
        assertDataError(assertThrows(SQLException.class, () -> newSignups.write(group)));
        assertEquals(0L, db.count("select count(*) from subscriber where email in (?, ?)", good, bad));
        assertEquals(0L, db.count("select count(*) from outbox_mail where recipient in (?, ?)", good, bad));
        assertEquals(0L, db.count("select count(*) from rate_window where key = 'signup-ip:192.0.2.77'"));
    }

    @Test
    void a_signup_that_fails_its_group_does_not_fail_the_others() throws Exception {
        String run = Addresses.unique("neighbour");
        int n = 20;
        // Task n carries a name PostgreSQL refuses (NUL); the others are fine.
        List<Future<Object>> replies = Concurrently.run(n + 1, i -> () -> {
            String email = i < n ? i + "." + run : "poison." + run;
            writer.subscribe(prepared(email, i < n ? null : "Bad\u0000").signup(), new ClientInfo("192.0.2.1", "test"));
            return null;
        });
        for (Future<Object> reply : replies.subList(0, n)) {
            reply.get();
        }
        assertDataError(assertThrows(ExecutionException.class, replies.get(n)::get));
        assertEquals(n, db.count("select count(*) from subscriber where email like ?", "%." + run));
        assertEquals(n, db.count("select count(*) from outbox_mail where kind = 'confirmation' and recipient like ?",
                "%." + run));
        assertEquals(0L, db.count("select count(*) from subscriber where email = ?", "poison." + run));
    }

    /** The failure is the refused NUL (SQL state class 22, data exception), not some other fault. */
    private static void assertDataError(Throwable thrown) {
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                assertTrue(sql.getSQLState().startsWith("22"), sql.getSQLState() + ": " + sql.getMessage());
                return;
            }
        }
        throw new AssertionError("not a refused value: " + thrown, thrown);
    }

    private SignupWriter.NewSignup prepared(String email, String name) {
        Signup.Valid signup = new Signup.Valid(new EmailAddress(email), name, "peptide-evolution",
                config.lists().get("peptide-evolution"), "https://blog.example/group", java.util.Locale.ENGLISH);
        Tokens.Minted confirm = Tokens.mint();
        Tokens.Minted unsubscribe = Tokens.mint();
        return new SignupWriter.NewSignup(signup, new ClientInfo("192.0.2.1", "test"), confirm, unsubscribe,
                new QueuedMail("confirmation", email, "Please confirm", "text", "<p>html</p>",
                        Map.of()));
    }
}
