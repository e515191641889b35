package app.newsletter.staff;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

/** Exports of the "export-spec" list, which only this test writes to, so every byte is known. */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class ExportTest {

    static final String HEADER = "email,name,list,status,subscribed_at,confirmed_at,unsubscribed_at,source,"
            + "consent_version,ebook_downloads\r\n";
    static final String ANN = "ann@example.com,\"Ann, \"\"the\"\" Author\",export-spec,confirmed,2026-01-10T10:00:00Z,"
            + "2026-01-10T11:00:00Z,,https://blog.example/a,1,2\r\n";
    static final String FORMULA = "'=1+2@example.com,'@SUM(A1),export-spec,pending,2026-02-01T08:30:00Z,,,'-2+3,1,0\r\n";
    static final String CAT = "cat@example.com,'+49 123,export-spec,unsubscribed,2026-03-01T00:00:00Z,"
            + "2026-03-02T00:00:00Z,2026-03-05T00:00:00Z,\"line one\nline two\",2,1\r\n";

    @Inject
    Db db;

    @BeforeEach
    void seed() {
        clean();
        insert("ann@example.com", "Ann, \"the\" Author", "CONFIRMED", "2026-01-10T10:00:00Z", "2026-01-10T11:00:00Z",
                null, "https://blog.example/a", "1", 2);
        insert("=1+2@example.com", "@SUM(A1)", "PENDING", "2026-02-01T08:30:00Z", null, null, "-2+3", "1", 0);
        insert("cat@example.com", "+49 123", "UNSUBSCRIBED", "2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z",
                "2026-03-05T00:00:00Z", "line one\nline two", "2", 1);
        long ann = ((Number) db.rows("select id from subscriber where list_id = 'export-spec' and email = "
                + "'ann@example.com'").get(0).get("id")).longValue();
        db.update("insert into consent_record (subscriber_id, list_id, event, occurred_at, ip, user_agent, source, "
                + "consent_version) values (?, 'export-spec', 'SIGNUP', '2026-01-10T10:00:00Z', '192.0.2.1', "
                + "'=cmd|calc', 'https://blog.example/a', '1'), (?, 'export-spec', 'CONFIRM', "
                + "'2026-01-10T11:00:00Z', '192.0.2.1', 'Mozilla/5.0', 'https://blog.example/a', '1')", ann, ann);
    }

    @AfterEach
    void clean() {
        db.update("delete from subscriber where list_id = 'export-spec'");
    }

    @Test
    void export_of_a_list_has_the_header_and_every_row_in_signup_order_quoted_and_neutralised() {
        String body = mia().queryParam("list", "export-spec").get("/api/admin/subscribers.csv")
                .then().statusCode(200)
                .header("Content-Type", "text/csv; charset=utf-8")
                .header("Content-Disposition", "attachment; filename=\"subscribers-export-spec-"
                        + LocalDate.now(ZoneOffset.UTC) + ".csv\"")
                .extract().asString();
        assertEquals(HEADER + ANN + FORMULA + CAT, body);
    }

    @Test
    void a_name_with_a_newline_a_quote_and_a_comma_is_one_quoted_field_with_its_newline_kept() {
        insert("dan@example.com", "Dan \"D\"\nSmith, Jr.", "PENDING", "2026-04-01T00:00:00Z", null, null, "", "1", 0);
        String body = export(Map.of("list", "export-spec", "since", "2026-04-01"));
        assertEquals(HEADER + "dan@example.com,\"Dan \"\"D\"\"\nSmith, Jr.\",export-spec,pending,"
                + "2026-04-01T00:00:00Z,,,,1,0\r\n", body);
    }

    @Test
    void status_filter_is_repeatable() {
        assertEquals(HEADER + ANN + CAT, export(Map.of("list", "export-spec"), "confirmed", "unsubscribed"));
        assertEquals(HEADER + ANN + CAT, export(Map.of("list", "export-spec"), "confirmed,unsubscribed"));
    }

    @Test
    void since_and_until_are_whole_utc_days_on_the_signup_time() {
        assertEquals(HEADER + FORMULA, export(Map.of("list", "export-spec", "since", "2026-02-01",
                "until", "2026-02-01")));
        assertEquals(HEADER + FORMULA + CAT, export(Map.of("list", "export-spec", "since", "2026-01-11")));
        assertEquals(HEADER + ANN, export(Map.of("list", "export-spec", "until", "2026-01-31")));
    }

    @Test
    void an_empty_result_is_the_header_row_alone() {
        assertEquals(HEADER, export(Map.of("list", "export-spec", "since", "2030-01-01")));
    }

    @Test
    void a_byte_order_mark_is_added_for_excel_on_request() {
        String body = export(Map.of("list", "export-spec", "bom", "true"), "confirmed");
        assertEquals("\uFEFF" + HEADER + ANN, body);
    }

    @Test
    void unknown_filters_and_values_are_a_400_problem_and_nothing_is_recorded() {
        long audits = db.count("select count(*) from audit_log");
        mia().queryParam("status", "gone").get("/api/admin/subscribers.csv")
                .then().statusCode(400).contentType("application/problem+json")
                .body("title", equalTo("Something went wrong."))
                .body("errors.status", containsString("Unknown status 'gone'"));
        mia().queryParam("list", "nope").get("/api/admin/subscribers.csv")
                .then().statusCode(400).body("errors.list", containsString("no list called 'nope'"));
        mia().queryParam("since", "yesterday").get("/api/admin/subscribers.csv")
                .then().statusCode(400).body("errors.since", containsString("date"));
        mia().queryParam("stauts", "confirmed").get("/api/admin/subscribers.csv")
                .then().statusCode(400).body("errors.stauts", containsString("Unknown filter"));
        mia().queryParam("since", "2026-02-02").queryParam("until", "2026-02-01").get("/api/admin/subscribers.csv")
                .then().statusCode(400).body("errors.until", containsString("before"));
        assertEquals(audits, db.count("select count(*) from audit_log"));
    }

    @Test
    void out_of_range_dates_are_a_400_problem_not_a_database_outage() {
        for (String since : new String[] { "0000-01-01", "-0001-01-01", "1899-12-31", "+10000-01-01" }) {
            mia().queryParam("since", since).get("/api/admin/subscribers.csv")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("errors.since", containsString("between 1900-01-01 and 9999-12-31"));
        }
        mia().queryParam("until", "+999999999-12-31").get("/api/consents.csv".replace("/api/", "/api/admin/"))
                .then().statusCode(400).body("errors.until", containsString("between"));
        // The last representable day is a valid bound: everything up to it.
        mia().queryParam("list", "export-spec").queryParam("since", "1900-01-01").queryParam("until", "9999-12-31")
                .get("/api/admin/subscribers.csv").then().statusCode(200)
                .body(containsString("email,name,list,status"));
    }

    @Test
    void every_export_is_recorded_with_who_when_filters_and_row_count() {
        export(Map.of("list", "export-spec"), "confirmed");

        Map<String, Object> audit = db.rows("select * from audit_log order by id desc limit 1").get(0);
        assertEquals("mia", audit.get("actor"));
        assertEquals("EXPORT_SUBSCRIBERS", audit.get("action"));
        assertEquals(1L, ((Number) audit.get("row_count")).longValue());
        mia().get("/api/admin/exports").then().statusCode(200)
                .body("[0].actor", equalTo("mia"))
                .body("[0].action", equalTo("EXPORT_SUBSCRIBERS"))
                .body("[0].details.list", equalTo("export-spec"))
                .body("[0].details.status[0]", equalTo("confirmed"))
                .body("[0].rows", equalTo(1));
    }

    @Test
    void consent_log_export_lists_events_with_their_evidence() {
        String body = mia().queryParam("list", "export-spec").get("/api/admin/consents.csv")
                .then().statusCode(200)
                .header("Content-Disposition", containsString("consents-export-spec-"))
                .extract().asString();
        assertEquals("email,list,event,time,ip,user_agent,source,consent_version\r\n"
                + "ann@example.com,export-spec,signup,2026-01-10T10:00:00Z,192.0.2.1,'=cmd|calc,"
                + "https://blog.example/a,1\r\n"
                + "ann@example.com,export-spec,confirm,2026-01-10T11:00:00Z,192.0.2.1,Mozilla/5.0,"
                + "https://blog.example/a,1\r\n", body);
        String confirmations = mia().queryParam("list", "export-spec").queryParam("event", "confirm")
                .get("/api/admin/consents.csv").then().statusCode(200).extract().asString();
        assertTrue(confirmations.endsWith("confirm,2026-01-10T11:00:00Z,192.0.2.1,Mozilla/5.0,"
                + "https://blog.example/a,1\r\n"));
        assertEquals(2, confirmations.split("\r\n").length);
        assertEquals("EXPORT_CONSENTS", db.rows("select action from audit_log order by id desc limit 1").get(0)
                .get("action"));
    }

    private String export(Map<String, String> params, String... statuses) {
        RequestSpecification request = mia().queryParams(params);
        for (String status : statuses) {
            request = request.queryParam("status", status);
        }
        return request.get("/api/admin/subscribers.csv").then().statusCode(200).extract().asString();
    }

    private void insert(String email, String name, String status, String created, String confirmed,
            String unsubscribed, String source, String consentVersion, int downloads) {
        db.update("insert into subscriber (list_id, email, name, status, source, consent_version, created_at, "
                + "updated_at, confirmed_at, unsubscribed_at, ebook_downloads) values ('export-spec', ?, ?, ?, ?, ?, "
                + "cast(? as timestamptz), cast(? as timestamptz), cast(? as timestamptz), cast(? as timestamptz), ?)",
                email, name, status, source, consentVersion, created, created, confirmed, unsubscribed, downloads);
    }

    private static RequestSpecification mia() {
        return given().auth().preemptive().basic("mia", "mia-secret");
    }
}
