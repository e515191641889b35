package app.newsletter.staff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** A large export on the "bulk" list, which only this test writes to. */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class ExportStreamingTest {

    static final int ROWS = 300_000;

    @Inject
    Db db;

    @TestHTTPResource("/api/admin/subscribers.csv?list=bulk")
    URL export;

    @AfterEach
    void clean() {
        db.update("delete from subscriber where list_id = 'bulk'");
    }

    @Test
    void rows_stream_out_of_an_open_snapshot_that_later_changes_do_not_touch() throws Exception {
        db.update("insert into subscriber (list_id, email, status, created_at, updated_at) "
                + "select 'bulk', 'bulk' || g || '@example.com', 'CONFIRMED', now(), now() "
                + "from generate_series(1, ?) g", ROWS);

        HttpURLConnection connection = (HttpURLConnection) export.openConnection();
        connection.setRequestProperty("Authorization", "Basic "
                + Base64.getEncoder().encodeToString("mia:mia-secret".getBytes(StandardCharsets.UTF_8)));
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                StandardCharsets.UTF_8), 1024)) {
            assertEquals(200, connection.getResponseCode());
            assertTrue(reader.readLine().startsWith("email,name,list,status"));
            assertEquals("bulk1@example.com", reader.readLine().split(",")[0]);

            // The client has read two lines of 300,000: the server is still inside its export transaction.
            assertEquals(1L, db.count("select count(*) from pg_stat_activity where pid <> pg_backend_pid() "
                    + "and query like '%from subscriber where true%' and xact_start is not null"));

            // Changes committed while the file is being written do not show in it.
            db.update("insert into subscriber (list_id, email, status, created_at, updated_at) "
                    + "values ('bulk', 'latecomer@example.com', 'CONFIRMED', now(), now())");
            db.update("update subscriber set status = 'UNSUBSCRIBED' where list_id = 'bulk' "
                    + "and email = 'bulk" + ROWS + "@example.com'");

            long rows = 1;
            String last = null;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                rows++;
                last = line;
                assertFalse(line.startsWith("latecomer@"), "a row committed after the export began");
            }
            assertEquals(ROWS, rows);
            assertTrue(last.startsWith("bulk" + ROWS + "@example.com,,bulk,confirmed,"), last);
        } finally {
            connection.disconnect();
        }
        // Completed right after the last byte, in a transaction of its own.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "completed".equals(db.rows(
                "select outcome from audit_log order by id desc limit 1").get(0).get("outcome")));
        assertEquals((long) ROWS, ((Number) db.rows("select row_count from audit_log order by id desc limit 1")
                .get(0).get("row_count")).longValue());
    }
}
