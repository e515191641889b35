package app.newsletter.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** The breaker's threshold follows the service's usual traffic, between a floor and a ceiling. */
class BreakerReadingTest {

    private static final BreakerReading.Limits LIMITS = new BreakerReading.Limits(1_000, 50_000, 10,
            Duration.ofDays(7));
    private static final Instant NOW = Instant.parse("2026-12-01T12:15:00Z");
    private static final Instant HOUR = Instant.parse("2026-12-01T12:00:00Z");

    @Test
    void a_new_installation_has_no_baseline_and_opens_only_above_the_floor() {
        BreakerReading launch = BreakerReading.of(hours(HOUR, 999L), NOW, LIMITS);
        assertEquals(0, launch.baseline());
        assertEquals(1_000, launch.threshold());
        assertFalse(launch.open(0));
        assertTrue(launch.open(1));
    }

    @Test
    void a_busy_service_may_queue_a_multiple_of_its_median_hour() {
        TreeMap<Instant, Long> hours = new TreeMap<>();
        for (int h = 1; h <= 48; h++) {
            hours.put(HOUR.minus(Duration.ofHours(h)), h % 2 == 0 ? 400L : 600L); // median 500
        }
        hours.put(HOUR.minus(Duration.ofHours(3)), 90_000L); // one launch hour does not move the median
        BreakerReading reading = BreakerReading.of(hours, NOW, LIMITS);
        assertEquals(500, reading.baseline());
        assertEquals(5_000, reading.threshold());
    }

    @Test
    void quiet_hours_count_as_zero_and_the_ceiling_caps_the_multiple() {
        TreeMap<Instant, Long> sparse = new TreeMap<>();
        sparse.put(HOUR.minus(Duration.ofHours(10)), 100_000L); // one busy hour, nine quiet ones since
        assertEquals(0, BreakerReading.of(sparse, NOW, LIMITS).baseline());

        TreeMap<Instant, Long> huge = new TreeMap<>();
        for (int h = 1; h <= 24; h++) {
            huge.put(HOUR.minus(Duration.ofHours(h)), 20_000L);
        }
        assertEquals(50_000, BreakerReading.of(huge, NOW, LIMITS).threshold());
    }

    @Test
    void the_last_hour_is_this_hour_plus_the_part_of_the_previous_one_still_inside_it() {
        TreeMap<Instant, Long> hours = hours(HOUR, 100L);
        hours.put(HOUR.minus(Duration.ofHours(1)), 400L);
        // 12:15: the last 60 minutes hold 12:00-12:15 and three quarters of 11:00-12:00.
        assertEquals(100 + 300, BreakerReading.of(hours, NOW, LIMITS).lastHour());
    }

    @Test
    void hours_older_than_the_baseline_period_are_ignored() {
        TreeMap<Instant, Long> hours = new TreeMap<>();
        hours.put(HOUR.minus(Duration.ofDays(8)), 1_000_000L);
        for (int h = 1; h <= 24; h++) {
            hours.put(HOUR.minus(Duration.ofHours(h)), 300L);
        }
        assertEquals(300, BreakerReading.of(hours, NOW, LIMITS).baseline());
    }

    private static TreeMap<Instant, Long> hours(Instant hour, long count) {
        TreeMap<Instant, Long> hours = new TreeMap<>();
        hours.put(hour, count);
        return hours;
    }
}
