package app.newsletter.subscription;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;

/**
 * What the confirmation breaker compares: the confirmations queued in the last hour, and the threshold that counts as
 * far more than usual. The threshold follows the service's own traffic (a multiple of its median hour), between a floor
 * that a launch on a new installation stays under and a ceiling that no baseline lifts it past.
 *
 * @param lastHour confirmations queued in the last 60 minutes (estimated from hourly counts)
 * @param baseline the median of the complete hours of the baseline period, quiet hours included
 * @param threshold at or above this many in the last hour, new confirmations are held back
 */
record BreakerReading(long lastHour, long baseline, long threshold) {

    /** The breaker's limits, as configured. */
    record Limits(long floor, long ceiling, int multiple, Duration baselinePeriod) {
    }

    boolean open(long queuedSince) {
        return lastHour + queuedSince >= threshold;
    }

    /**
     * @param hours confirmations per hour (keyed by the hour's start), hours without any absent; the current hour's
     *        count so far included
     */
    static BreakerReading of(SortedMap<Instant, Long> hours, Instant now, Limits limits) {
        Instant current = now.truncatedTo(ChronoUnit.HOURS);
        Instant previous = current.minus(Duration.ofHours(1));
        // The previous hour's mails are assumed spread evenly: the part of that hour still inside the last 60 minutes.
        double stillInside = 1 - Duration.between(current, now).toMillis() / 3_600_000.0;
        long lastHour = hours.getOrDefault(current, 0L)
                + Math.round(hours.getOrDefault(previous, 0L) * stillInside);
        long baseline = median(hours, current, limits.baselinePeriod());
        long relative = baseline > Long.MAX_VALUE / limits.multiple() ? Long.MAX_VALUE : baseline * limits.multiple();
        long threshold = Math.max(limits.floor(), Math.min(limits.ceiling(), relative));
        return new BreakerReading(lastHour, baseline, threshold);
    }

    /** Median over the complete hours since the first one counted (at most the baseline period back): quiet ones are 0. */
    private static long median(SortedMap<Instant, Long> hours, Instant current, Duration period) {
        Instant from = current.minus(period);
        SortedMap<Instant, Long> complete = hours.subMap(from, current);
        if (complete.isEmpty()) {
            return 0;
        }
        List<Long> counts = new ArrayList<>();
        for (Instant hour = complete.firstKey(); hour.isBefore(current); hour = hour.plus(Duration.ofHours(1))) {
            counts.add(complete.getOrDefault(hour, 0L));
        }
        Collections.sort(counts);
        int n = counts.size();
        return n % 2 == 1 ? counts.get(n / 2) : (counts.get(n / 2 - 1) + counts.get(n / 2)) / 2;
    }
}
