package app.newsletter.platform;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A value read again at most every so often, for gauges and health checks that Prometheus and orchestrators poll far
 * more often than the value changes; null while the last reading failed (rather than a stale number).
 */
public final class Refreshed<T> {

    private record Reading<T>(T value, long readAt) {
    }

    private final Supplier<T> read;
    private final long everyMillis;
    private final AtomicReference<Reading<T>> last = new AtomicReference<>(new Reading<>(null, 0));

    public Refreshed(Supplier<T> read, long everyMillis) {
        this.read = read;
        this.everyMillis = everyMillis;
    }

    /** The last reading, read anew when older than the interval; null when that reading failed. */
    public T get() {
        Reading<T> current = last.get();
        long now = System.currentTimeMillis();
        if (now - current.readAt() > everyMillis) {
            T value;
            try {
                value = read.get();
            } catch (RuntimeException e) {
                value = null;
            }
            current = new Reading<>(value, now);
            last.set(current);
        }
        return current.value();
    }
}
