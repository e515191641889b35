package app.newsletter.staff;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.Concurrently;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * Attack: start a large export and hang up half-way. Before, the connection went back to the pool inside its
 * read-only transaction (signups then failed with "cannot execute INSERT in a read-only transaction") and the
 * export, although it had already delivered rows, was never audited. On the "abort-spec" list, which only this test
 * writes to.
 */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class ExportAbortTest {

    static final int ROWS = 400_000;
    static final int ABORTS = 4;

    @Inject
    Db db;

    @Inject
    AgroalDataSource dataSource;

    @BeforeEach
    void seed() {
        db.update("delete from subscriber where list_id = 'abort-spec'");
        db.update("insert into subscriber (list_id, email, status, created_at, updated_at) "
                + "select 'abort-spec', 'abort' || g || '@example.com', 'CONFIRMED', now(), now() "
                + "from generate_series(1, ?) g", ROWS);
    }

    @AfterEach
    void clean() {
        db.update("delete from subscriber where list_id = 'abort-spec'");
    }

    @Test
    void a_cancelled_export_is_audited_as_aborted_and_poisons_no_pooled_connection() throws Exception {
        long before = exportsOfThisList();
        for (int i = 0; i < ABORTS; i++) {
            try (Socket socket = new Socket()) {
                // A small window, as over a slow link: the server cannot hand the whole file to the kernel at once.
                socket.setReceiveBufferSize(4096);
                socket.connect(new java.net.InetSocketAddress("localhost", RestAssured.port));
                OutputStream request = socket.getOutputStream();
                request.write(("GET /api/admin/subscribers.csv?list=abort-spec HTTP/1.1\r\nHost: localhost\r\n"
                        + "Authorization: Basic " + Base64.getEncoder().encodeToString(
                                "mia:mia-secret".getBytes(StandardCharsets.UTF_8))
                        + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                request.flush();
                InputStream reply = socket.getInputStream();
                byte[] some = reply.readNBytes(64 * 1024);
                assertTrue(new String(some, StandardCharsets.UTF_8).startsWith("HTTP/1.1 200"));
                // Audited before the first byte: the entry is there while the file is still streaming.
                assertEquals("started", db.rows("select outcome from audit_log where action = 'EXPORT_SUBSCRIBERS' "
                        + "order by id desc limit 1").get(0).get("outcome"));
                socket.setSoLinger(true, 0); // hang up hard, as a killed curl does
            }
        }

        Awaitility.await("every cut-short export completed as aborted").atMost(Duration.ofSeconds(30))
                .until(() -> db.count("select count(*) from audit_log where action = 'EXPORT_SUBSCRIBERS' "
                        + "and details->>'list' = 'abort-spec' and outcome = 'aborted'") == before + ABORTS);
        for (Map<String, Object> entry : db.rows("select row_count, finished_at from audit_log "
                + "where action = 'EXPORT_SUBSCRIBERS' and details->>'list' = 'abort-spec' order by id desc limit ?",
                ABORTS)) {
            long rows = ((Number) entry.get("row_count")).longValue();
            assertTrue(rows < ROWS, "an aborted export counts the rows handed on, not all: " + rows);
            assertTrue(entry.get("finished_at") != null);
        }

        // Nothing of the exports is left running in the database: their connections were closed, not pooled.
        // (Before, Agroal's abort left them idle in their failed transaction until a validation caught them.)
        Awaitility.await("no export connection left").atMost(Duration.ofSeconds(3))
                .until(() -> db.count("select count(*) from pg_stat_activity where pid <> pg_backend_pid() "
                        + "and query like 'copy (select%'") == 0);

        // The pooled connections are writable and outside any transaction. Half the pool at once (the rest may be in
        // use by the dispatcher and housekeeping), which includes the ones the exports returned most recently.
        int size = dataSource.getConfiguration().connectionPoolConfiguration().maxSize() / 2;
        List<Connection> borrowed = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                Connection connection = dataSource.getConnection();
                borrowed.add(connection);
                assertFalse(connection.isReadOnly(), "a pooled connection is still read-only");
                try (Statement statement = connection.createStatement();
                        ResultSet rows = statement.executeQuery("show transaction_read_only")) {
                    rows.next();
                    assertEquals("off", rows.getString(1), "a pooled connection begins read-only transactions");
                }
            }
        } finally {
            for (Connection connection : borrowed) {
                connection.close();
            }
        }

        // And signups, which share the pool, all succeed.
        List<Future<Integer>> signups = Concurrently.run(40, i -> () -> given().contentType(ContentType.JSON)
                .body(Map.of("email", Addresses.unique("after-abort"))).post("/api/subscriptions").statusCode());
        for (Future<Integer> signup : signups) {
            assertEquals(202, signup.get(30, TimeUnit.SECONDS));
        }
    }

    private long exportsOfThisList() {
        return db.count("select count(*) from audit_log where action = 'EXPORT_SUBSCRIBERS' "
                + "and details->>'list' = 'abort-spec' and outcome = 'aborted'");
    }
}
