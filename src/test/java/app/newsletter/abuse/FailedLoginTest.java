package app.newsletter.abuse;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

import app.newsletter.support.GreenMailResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class FailedLoginTest {

    @Test
    void a_failed_login_is_logged_with_the_user_but_never_the_password() {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = record.getMessage();
                if (record.getParameters() != null && message != null) {
                    message = message + " " + java.util.Arrays.toString(record.getParameters());
                }
                lines.add(String.valueOf(message));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try {
            given().auth().preemptive().basic("mia", "Hunter2-Secret!").get("/api/admin/stats")
                    .then().statusCode(401);
        } finally {
            root.removeHandler(capture);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("failed login") && l.contains("mia")), lines.toString());
        assertFalse(lines.stream().anyMatch(l -> l.contains("Hunter2-Secret!")), lines.toString());
    }

    @Test
    void a_guessing_run_is_logged_ten_lines_a_second_then_counted() {
        FailedLogins logins = new FailedLogins(null, null);
        for (int i = 0; i < 10; i++) {
            assertTrue(logins.admit("line " + i, 100) != null);
        }
        for (int i = 0; i < 500; i++) {
            assertTrue(logins.admit("more", 100) == null);
        }
        assertEquals("next (500 more failed logins were not logged)", logins.admit("next", 101));
        assertEquals("then", logins.admit("then", 101));
    }

    @Test
    void the_user_part_is_cut_and_cleaned_before_it_is_logged() {
        String header = "Basic " + java.util.Base64.getEncoder().encodeToString("eve\nforged line:pw".getBytes());
        assertTrue(FailedLogins.basicUser(header).equals("eve?forged line"));
        assertTrue(FailedLogins.basicUser("Bearer x") == null);
    }
}
