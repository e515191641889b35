package app.newsletter.outbox;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import app.newsletter.support.Mailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class OutboxHousekeepingTest {

    @Inject
    Db db;

    @Inject
    OutboxHousekeeping housekeeping;

    @Test
    void bodies_of_sent_mails_are_erased_after_the_retention_but_the_record_stays() {
        String old = Addresses.unique("old-mail");
        String recent = Addresses.unique("recent-mail");
        for (String email : new String[] { old, recent }) {
            given().contentType(ContentType.JSON).body(Map.of("email", email)).post("/api/subscriptions")
                    .then().statusCode(202);
            Mailbox.await(email, 1);
        }
        db.update("update outbox_mail set sent_at = now() - interval '8 days' where recipient = ?", old);

        housekeeping.eraseOldBodies();

        Map<String, Object> erased = db.rows("select * from outbox_mail where recipient = ?", old).get(0);
        assertNull(erased.get("text_body"));
        assertNull(erased.get("html_body"));
        assertEquals("{}", String.valueOf(erased.get("headers")));
        assertEquals("SENT", erased.get("status"));
        assertNotNull(db.rows("select text_body from outbox_mail where recipient = ?", recent).get(0)
                .get("text_body"));
    }
}
