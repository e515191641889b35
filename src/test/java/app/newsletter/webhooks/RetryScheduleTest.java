package app.newsletter.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Plain unit tests: waits with jitter, the last attempt, and Retry-After. */
class RetryScheduleTest {

    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
    private final RetrySchedule schedule = new RetrySchedule(List.of(Duration.ofSeconds(5), Duration.ofMinutes(5)));

    @Test
    void each_wait_is_the_schedules_plus_at_most_a_fifth_of_jitter() {
        assertEquals(3, schedule.attempts());
        for (int i = 0; i < 200; i++) {
            Duration first = Duration.between(NOW, schedule.next(1, NOW, null));
            assertTrue(first.toMillis() >= 5_000 && first.toMillis() <= 6_000, first.toString());
            Duration second = Duration.between(NOW, schedule.next(2, NOW, null));
            assertTrue(second.toSeconds() >= 300 && second.toSeconds() <= 360, second.toString());
        }
    }

    @Test
    void after_the_last_attempt_there_is_no_next() {
        assertNull(schedule.next(3, NOW, null));
        assertNull(schedule.next(4, NOW, Duration.ofSeconds(1)));
    }

    @Test
    void retry_after_counts_when_it_asks_for_longer_and_is_capped_at_a_day() {
        assertEquals(NOW.plusSeconds(60), schedule.next(1, NOW, Duration.ofSeconds(60)));
        assertTrue(schedule.next(2, NOW, Duration.ofSeconds(1)).isAfter(NOW.plusSeconds(299)));
        assertEquals(NOW.plus(Duration.ofHours(24)), schedule.next(1, NOW, Duration.ofDays(30)));
    }

    @Test
    void retry_after_reads_seconds_and_http_dates() {
        assertEquals(Duration.ofSeconds(120), RetrySchedule.retryAfter("120", NOW));
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(90).atOffset(ZoneOffset.UTC));
        assertEquals(Duration.ofSeconds(90), RetrySchedule.retryAfter(date, NOW));
        assertNull(RetrySchedule.retryAfter("soon", NOW));
        assertNull(RetrySchedule.retryAfter("-5", NOW));
        assertNull(RetrySchedule.retryAfter(null, NOW));
    }
}
