package app.newsletter.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a failed delivery is tried again: the configured schedule (Standard Webhooks' by default), each wait with up to
 * a fifth of random jitter so that an endpoint coming back is not hit by every instance's backlog at once; a
 * {@code Retry-After} of a 429 or 503 answer is honoured when it asks for longer.
 */
final class RetrySchedule {

    /** A Retry-After beyond this is not believed: the schedule's own longest wait is ten hours. */
    private static final Duration MAX_RETRY_AFTER = Duration.ofHours(24);

    private final List<Duration> waits;

    RetrySchedule(List<Duration> waits) {
        this.waits = List.copyOf(waits);
    }

    /** How many attempts an event gets in all: the first and one per wait. */
    int attempts() {
        return waits.size() + 1;
    }

    /**
     * @param attempts the attempts made so far (1 after the first)
     * @param retryAfter what the endpoint asked for, or null
     * @return when to try again, or null when that was the last attempt
     */
    Instant next(int attempts, Instant now, Duration retryAfter) {
        if (attempts >= attempts()) {
            return null;
        }
        Duration wait = waits.get(attempts - 1);
        long jitter = wait.toMillis() / 5;
        if (jitter > 0) {
            wait = wait.plusMillis(ThreadLocalRandom.current().nextLong(jitter + 1));
        }
        if (retryAfter != null && retryAfter.compareTo(wait) > 0) {
            wait = retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter;
        }
        return now.plus(wait);
    }

    /** A {@code Retry-After} header: seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.strip();
        try {
            long seconds = Long.parseLong(value);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(now,
                        ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }
}
