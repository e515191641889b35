package app.newsletter.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The Retry-After of a full per-IP window: whole seconds until a place frees, never more than the window. */
class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2026-12-05T15:00:00Z");
    private static final Duration MINUTE = Duration.ofMinutes(1);

    private static long retryAfter(Instant... hits) {
        return RateWindows.retryAfter(List.of(hits), hits.length, MINUTE, 1_000, NOW);
    }

    @Test
    void a_window_filled_at_this_very_instant_frees_in_exactly_its_length() {
        // A request of the same group as the hits that filled its IP's window: 60, not 61.
        assertEquals(60, RateWindows.retryAfter(Collections.nCopies(5, NOW), 5, MINUTE, 1_000, NOW));
    }

    @Test
    void a_window_filled_by_a_group_that_took_its_time_after_ours_still_frees_within_its_length() {
        // Two groups at once: the other took its time 300 ms after ours and committed first, filling the window.
        assertEquals(60, retryAfter(NOW.plusMillis(300), NOW.plusMillis(300)));
        assertEquals(50, retryAfter(NOW.minusSeconds(10), NOW.plusMillis(300)));
    }

    @Test
    void a_place_that_frees_within_a_part_of_a_second_rounds_up() {
        assertEquals(60, retryAfter(NOW.minusMillis(800), NOW));
        assertEquals(1, retryAfter(NOW.minus(Duration.ofSeconds(59).plusMillis(999).plusNanos(600_000)), NOW));
        assertEquals(31, retryAfter(NOW.minusSeconds(29).minusMillis(500), NOW));
    }

    @Test
    void a_window_that_is_no_longer_full_says_try_again_at_once() {
        assertEquals(1, RateWindows.retryAfter(List.of(NOW), 2, MINUTE, 1_000, NOW));
    }
}
