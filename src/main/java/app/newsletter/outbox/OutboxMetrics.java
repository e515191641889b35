package app.newsletter.outbox;

import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Mail delivery as Prometheus sees it: sends, failures and dead mails by kind, and the backlog. The backlog gauges
 * read the database at most every few seconds, and show NaN while it cannot be read (rather than a stale number).
 */
@ApplicationScoped
class OutboxMetrics {

    private static final long REFRESH_MILLIS = 5_000;

    private final MeterRegistry registry;
    private final OutboxStore store;
    private final AtomicReference<Snapshot> snapshot = new AtomicReference<>(new Snapshot(null, 0));

    private record Snapshot(Backlog backlog, long readAt) {
    }

    OutboxMetrics(MeterRegistry registry, OutboxStore store) {
        this.registry = registry;
        this.store = store;
        Gauge.builder("newsletter.outbox.pending", this, m -> m.backlog(b -> b.pending()))
                .description("Mails queued and not yet sent").register(registry);
        Gauge.builder("newsletter.outbox.oldest.pending.seconds", this,
                m -> m.backlog(b -> b.oldestAge().toSeconds()))
                .description("Age of the oldest unsent mail").register(registry);
        Gauge.builder("newsletter.outbox.dead", this, m -> m.backlog(b -> b.dead()))
                .description("Mails given up on").register(registry);
    }

    void sent(String kind) {
        registry.counter("newsletter.mails.sent", "kind", kind).increment();
    }

    void failed(String kind, boolean dead) {
        registry.counter("newsletter.mails.failed", "kind", kind).increment();
        if (dead) {
            registry.counter("newsletter.mails.dead", "kind", kind).increment();
        }
    }

    void suppressed(String kind) {
        registry.counter("newsletter.mails.suppressed", "kind", kind).increment();
    }

    /** The server said "slow down" (421, 451, 452): retried later, not counted as a failure. */
    void deferred(String kind) {
        registry.counter("newsletter.mails.deferred", "kind", kind).increment();
    }

    private double backlog(java.util.function.ToLongFunction<Backlog> value) {
        Snapshot current = snapshot.get();
        long now = System.currentTimeMillis();
        if (now - current.readAt() > REFRESH_MILLIS) {
            Backlog read;
            try {
                read = store.backlog();
            } catch (RuntimeException e) {
                read = null;
            }
            current = new Snapshot(read, now);
            snapshot.set(current);
        }
        return current.backlog() == null ? Double.NaN : value.applyAsLong(current.backlog());
    }
}
