package app.newsletter.staff;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import app.newsletter.support.Addresses;
import app.newsletter.support.Db;
import app.newsletter.support.GreenMailResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * GET /api/admin/stats, on the list "stats-spec" that only this test writes to, seeded with plain SQL on chosen days
 * so that every figure is known in advance.
 */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class StatsTest {

    private static final String LIST = "stats-spec";
    private static final String OUTBOX_MARK = "stats-spec-outbox";

    @Inject
    Db db;

    @AfterEach
    void removeSeededRows() {
        db.update("delete from subscriber where list_id = ?", LIST); // tokens and consent records cascade
        db.update("delete from outbox_mail where recipient like ?", OUTBOX_MARK + "%");
    }

    @Test
    void a_list_nobody_joined_yet_has_zero_counts_thirty_empty_days_and_no_confirmation_rate() {
        JsonPath stats = stats();
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Map<String, Object> list = list(stats);

        assertEquals(
                expectedList(Map.of("pending", 0, "confirmed", 0, "unsubscribed", 0, "bounced", 0, "complained", 0), 0, null, 0,
                        days(today, Map.of())),
                withoutDerived(list));
        // present as an explicit null, not left out
        org.hamcrest.MatcherAssert.assertThat(list, hasKey("confirmationRate"));
        org.hamcrest.MatcherAssert.assertThat(list.get("confirmationRate"), nullValue());
    }

    @Test
    void counts_statuses_rate_downloads_and_daily_signups_and_confirmations_of_the_last_thirty_days() {
        // A day may end while the test runs: seed and ask again until both happen on the same UTC day.
        for (int attempt = 0;; attempt++) {
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            seed(today);
            JsonPath stats = stats();
            String lastDay = stats.getString("lists.find { it.id == '" + LIST + "' }.days[-1].date");
            if (!lastDay.equals(today.toString()) && attempt == 0) {
                removeSeededRows();
                continue;
            }
            assertSeededFigures(today, list(stats));
            return;
        }
    }

    @Test
    void the_window_starts_at_midnight_utc_twenty_nine_days_ago() {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate first = today.minusDays(29);
        long inside = subscriber("CONFIRMED", at(first, LocalTime.MIDNIGHT), at(first, LocalTime.of(0, 0, 1)), 0);
        consent(inside, "SIGNUP", at(first, LocalTime.MIDNIGHT));
        consent(inside, "CONFIRM", at(first, LocalTime.of(0, 0, 1)));
        long outside = subscriber("PENDING", at(first.minusDays(1), LocalTime.of(23, 59, 59)), null, 0);
        consent(outside, "SIGNUP", at(first.minusDays(1), LocalTime.of(23, 59, 59)));

        Map<String, Object> list = list(stats());

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> days = (List<Map<String, Object>>) list.get("days");
        assertEquals(30, days.size());
        if (!days.get(29).get("date").equals(today.toString())) {
            return; // midnight passed between seeding and asking; the other tests cover the figures
        }
        assertEquals(Map.of("date", first.toString(), "signups", 1, "confirmations", 1), days.get(0));
        assertEquals(0, days.stream().skip(1).mapToInt(d -> (Integer) d.get("signups")).sum());
        assertEquals(2, list.get("total"));
        assertEquals(0.5f, ((Number) list.get("confirmationRate")).floatValue());
    }

    @Test
    void the_outbox_figures_count_pending_and_dead_mail_and_the_age_of_the_oldest_pending_one() {
        // a pending mail queued an hour ago and not due for a day, so the dispatcher leaves it alone
        db.update("insert into outbox_mail (kind, recipient, subject, status, created_at, next_attempt_at) "
                + "values ('confirmation', ?, 'stuck', 'PENDING', now() - interval '1 hour', now() + interval '1 day')",
                Addresses.unique(OUTBOX_MARK));
        db.update("insert into outbox_mail (kind, recipient, subject, status, created_at, next_attempt_at, last_error) "
                + "values ('confirmation', ?, 'refused', 'DEAD', now(), now(), '550 no such user')",
                Addresses.unique(OUTBOX_MARK));
        long dead = db.count("select count(*) from outbox_mail where status = 'DEAD'");

        given().auth().preemptive().basic("ada", "ada-secret")
                .when().get("/api/admin/stats")
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("outbox.pending", instanceOf(Integer.class))
                .body("outbox.pending", greaterThanOrEqualTo(1))
                .body("outbox.oldestPendingSeconds", instanceOf(Integer.class))
                .body("outbox.oldestPendingSeconds", greaterThanOrEqualTo(3600))
                .body("outbox.dead", instanceOf(Integer.class))
                .body("outbox.dead", org.hamcrest.Matchers.equalTo((int) dead));
    }

    private void seed(LocalDate today) {
        LocalDate threeDaysAgo = today.minusDays(3);
        LocalDate fortyDaysAgo = today.minusDays(40);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        OffsetDateTime todayMorning = at(today, LocalTime.of(0, 0, 5));
        OffsetDateTime threeDaysAgoNoon = at(threeDaysAgo, LocalTime.NOON);
        OffsetDateTime fortyDaysAgoNoon = at(fortyDaysAgo, LocalTime.NOON);

        // pending, signed up twice today (a resent confirmation): one person, one signup on the day
        long pending = subscriber("PENDING", todayMorning, null, 0);
        consent(pending, "SIGNUP", todayMorning);
        consent(pending, "SIGNUP", now);
        // signed up three days ago, confirmed today
        long confirmedToday = subscriber("CONFIRMED", threeDaysAgoNoon, todayMorning, 3);
        consent(confirmedToday, "SIGNUP", threeDaysAgoNoon);
        consent(confirmedToday, "CONFIRM", todayMorning);
        // signed up and confirmed three days ago
        long confirmedEarlier = subscriber("CONFIRMED", threeDaysAgoNoon, threeDaysAgoNoon.plusMinutes(5), 1);
        consent(confirmedEarlier, "SIGNUP", threeDaysAgoNoon);
        consent(confirmedEarlier, "CONFIRM", threeDaysAgoNoon.plusMinutes(5));
        // confirmed forty days ago (outside the window), unsubscribed today: counts towards the rate, not the days
        long leftAfterConfirming = subscriber("UNSUBSCRIBED", fortyDaysAgoNoon, fortyDaysAgoNoon.plusHours(1), 2);
        consent(leftAfterConfirming, "SIGNUP", fortyDaysAgoNoon);
        consent(leftAfterConfirming, "CONFIRM", fortyDaysAgoNoon.plusHours(1));
        consent(leftAfterConfirming, "UNSUBSCRIBE", now);
        // never confirmed, unsubscribed from the confirmation mail three days ago
        long leftUnconfirmed = subscriber("UNSUBSCRIBED", fortyDaysAgoNoon, null, 0);
        consent(leftUnconfirmed, "SIGNUP", fortyDaysAgoNoon);
        consent(leftUnconfirmed, "UNSUBSCRIBE", threeDaysAgoNoon);
    }

    private static void assertSeededFigures(LocalDate today, Map<String, Object> list) {
        Map<LocalDate, int[]> active = new LinkedHashMap<>();
        active.put(today.minusDays(3), new int[] { 2, 1 });
        active.put(today, new int[] { 1, 1 });
        // 3 of 5 subscribers confirmed at some point: both confirmed ones and the one who left afterwards
        assertEquals(
                expectedList(Map.of("pending", 1, "confirmed", 2, "unsubscribed", 2, "bounced", 0, "complained", 0), 5, 0.6, 6,
                        days(today, active)),
                withoutDerived(list));
    }

    private static Map<String, Object> expectedList(Map<String, Integer> byStatus, int total, Double rate,
            int downloads, List<Map<String, Object>> days) {
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("id", LIST);
        expected.put("name", "Stats Spec");
        expected.put("byStatus", byStatus);
        expected.put("total", total);
        expected.put("confirmationRate", rate == null ? null : rate.floatValue());
        expected.put("ebookDownloads", downloads);
        expected.put("days", days);
        return expected;
    }

    /** Thirty days, oldest first, ending today; days not given have no signups and no confirmations. */
    private static List<Map<String, Object>> days(LocalDate today, Map<LocalDate, int[]> active) {
        List<Map<String, Object>> days = new ArrayList<>();
        for (LocalDate day = today.minusDays(29); !day.isAfter(today); day = day.plusDays(1)) {
            int[] counts = active.getOrDefault(day, new int[2]);
            days.add(Map.of("date", day.toString(), "signups", counts[0], "confirmations", counts[1]));
        }
        return days;
    }

    /** The list object as served, minus the display-only percentage text. */
    private static Map<String, Object> withoutDerived(Map<String, Object> list) {
        Map<String, Object> copy = new LinkedHashMap<>(list);
        copy.remove("ratePercent");
        return copy;
    }

    private static JsonPath stats() {
        return given().auth().preemptive().basic("mia", "mia-secret")
                .when().get("/api/admin/stats")
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .extract().jsonPath();
    }

    private static Map<String, Object> list(JsonPath stats) {
        List<Map<String, Object>> lists = stats.getList("lists.findAll { it.id == '" + LIST + "' }");
        assertEquals(1, lists.size(), "the stats-spec list appears once");
        return lists.get(0);
    }

    private long subscriber(String status, OffsetDateTime createdAt, OffsetDateTime confirmedAt, int downloads) {
        return ((Number) db.rows("insert into subscriber (list_id, email, status, created_at, updated_at, "
                + "confirmed_at, unsubscribed_at, ebook_downloads) values (?, ?, ?, ?, ?, ?, ?, ?) returning id",
                LIST, Addresses.unique("stats"), status, createdAt, createdAt, confirmedAt,
                status.equals("UNSUBSCRIBED") ? createdAt.plusHours(2) : null, downloads)
                .get(0).get("id")).longValue();
    }

    private void consent(long subscriberId, String event, OffsetDateTime occurredAt) {
        db.update("insert into consent_record (subscriber_id, list_id, event, occurred_at, ip, user_agent) "
                + "values (?, ?, ?, ?, '192.0.2.1', 'StatsTest')", subscriberId, LIST, event, occurredAt);
    }

    private static OffsetDateTime at(LocalDate day, LocalTime time) {
        return day.atTime(time).atOffset(ZoneOffset.UTC);
    }
}
