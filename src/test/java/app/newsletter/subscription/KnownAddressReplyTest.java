package app.newsletter.subscription;

import static app.newsletter.subscription.DoubleOptInFlowTest.signUp;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import app.newsletter.support.Addresses;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Attack: time the replies to learn an address's state (new 6.3 ms, confirmed 10.7, pending 12.9, unsubscribed
 * 13.4 ms before). A known address's signup is queued in the same group commit as a new one and its rules are applied
 * behind the reply, so the reply cannot wait for them: shown here by holding the address's row lock, which the rules
 * need, while the signup answers.
 */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class KnownAddressReplyTest {

    @Inject
    Db db;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void a_known_address_is_answered_without_waiting_for_its_row_and_its_rules_follow_behind() throws Exception {
        String email = Addresses.unique("known");
        signUp(email);
        Mailbox.await(email, 1);
        ResubmitRulesTest.confirmationCooldownOver(db, email);
        long id = ((Number) db.rows("select id from subscriber where email = ?", email).get(0).get("id")).longValue();

        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement("select id from subscriber where id = ? for update")) {
                lock.setLong(1, id);
                lock.executeQuery().close();
            }
            CompletableFuture<Integer> reply = CompletableFuture.supplyAsync(() -> given()
                    .contentType(ContentType.JSON).body(Map.of("email", email)).post("/api/subscriptions")
                    .statusCode());
            // Answered while the row is still locked: the reply did not wait for the known address's rules.
            assertEquals(202, reply.get(10, TimeUnit.SECONDS));
            assertEquals(1L, db.count("select count(*) from consent_record where subscriber_id = ?", id));
            holder.rollback();
        }
        // Behind the reply: the new consent record and the new confirmation.
        Mailbox.await(email, 2);
        assertEquals(2L, db.count("select count(*) from consent_record where subscriber_id = ? and event = 'SIGNUP'",
                id));
        assertEquals(0L, db.count("select count(*) from known_signup where lower(email) = lower(?)", email));
    }
}
