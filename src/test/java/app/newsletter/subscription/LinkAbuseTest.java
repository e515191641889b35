package app.newsletter.subscription;

import static app.newsletter.subscription.DoubleOptInFlowTest.signUp;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** What a client can do with the links of its own mails: nothing that grows without bound or races an unsubscribe. */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class LinkAbuseTest {

    @Inject
    Db db;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void posting_the_confirm_form_again_and_again_keeps_the_download_links_bounded_and_the_mails_link_working() {
        String email = Addresses.unique("reconfirm");
        signUp(email);
        String token = Mailbox.token(Mailbox.link(Mailbox.await(email, 1).get(0), "http://localhost:8080/confirm"));
        for (int i = 0; i < 12; i++) {
            confirm(token).then().statusCode(200).body(containsString("Download the ebook"));
        }
        long links = db.count("select count(*) from subscriber_token t join subscriber s on s.id = t.subscriber_id "
                + "where s.email = ? and t.purpose = 'EBOOK'", email);
        assertTrue(links <= 1 + SubscriptionService.PAGE_LINKS_KEPT, links + " download links");
        String mailed = Mailbox.link(Mailbox.await(email, 2).get(1), "http://localhost:8080/ebook");
        given().queryParam("token", Mailbox.token(mailed)).get("/ebook").then().statusCode(200);
    }

    @Test
    void a_head_request_or_a_prefetch_of_the_download_link_is_not_counted_as_a_download() {
        String email = Addresses.unique("prefetch");
        signUp(email);
        confirm(Mailbox.token(Mailbox.link(Mailbox.await(email, 1).get(0), "http://localhost:8080/confirm")))
                .then().statusCode(200);
        String ebook = Mailbox.token(Mailbox.link(Mailbox.await(email, 2).get(1), "http://localhost:8080/ebook"));

        given().queryParam("token", ebook).head("/ebook").then().statusCode(200);
        given().queryParam("token", ebook).header("Sec-Purpose", "prefetch").get("/ebook").then().statusCode(204);
        given().header("Purpose", "prefetch").get("/ebook/" + ebook).then().statusCode(204);
        assertEquals(0, downloads(email));
        given().queryParam("token", "x".repeat(43)).head("/ebook").then().statusCode(404);

        given().queryParam("token", ebook).get("/ebook").then().statusCode(200).contentType("application/pdf");
        assertEquals(1, downloads(email));
    }

    @Test
    void an_unsubscribe_that_commits_while_a_confirmation_waits_for_the_row_wins() throws Exception {
        String email = Addresses.unique("race");
        signUp(email);
        String token = Mailbox.token(Mailbox.link(Mailbox.await(email, 1).get(0), "http://localhost:8080/confirm"));
        long id = ((Number) db.rows("select id from subscriber where email = ?", email).get(0).get("id")).longValue();

        try (Connection unsubscriber = dataSource.getConnection()) {
            unsubscriber.setAutoCommit(false);
            try (PreparedStatement lock = unsubscriber.prepareStatement(
                    "select id from subscriber where id = ? for update")) {
                lock.setLong(1, id);
                lock.executeQuery().close();
            }
            CompletableFuture<Integer> confirming = CompletableFuture.supplyAsync(() -> confirm(token).statusCode());
            Awaitility.await("the confirmation waits for the row lock").atMost(Duration.ofSeconds(10))
                    .until(() -> db.count("select count(*) from pg_stat_activity where wait_event_type = 'Lock'") > 0);
            try (PreparedStatement unsubscribe = unsubscriber.prepareStatement(
                    "update subscriber_token set revoked_at = now() where subscriber_id = ? "
                            + "and purpose in ('CONFIRM', 'EBOOK')")) {
                unsubscribe.setLong(1, id);
                unsubscribe.executeUpdate();
            }
            try (PreparedStatement status = unsubscriber.prepareStatement(
                    "update subscriber set status = 'UNSUBSCRIBED', unsubscribed_at = now() where id = ?")) {
                status.setLong(1, id);
                status.executeUpdate();
            }
            unsubscriber.commit();
            assertEquals(410, confirming.get(20, TimeUnit.SECONDS));
        }
        assertEquals("UNSUBSCRIBED", db.rows("select status from subscriber where id = ?", id).get(0).get("status"));
        assertEquals(0L, db.count("select count(*) from consent_record where subscriber_id = ? and event = 'CONFIRM'",
                id));
    }

    private static io.restassured.response.Response confirm(String token) {
        return given().contentType(ContentType.URLENC).formParam("token", token).post("/confirm");
    }

    private int downloads(String email) {
        return ((Number) db.rows("select ebook_downloads from subscriber where email = ?", email).get(0)
                .get("ebook_downloads")).intValue();
    }
}
