package app.newsletter.outbox;

import jakarta.enterprise.context.ApplicationScoped;

import app.newsletter.platform.Refreshed;
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
    private final Refreshed<Backlog> backlog;

    OutboxMetrics(MeterRegistry registry, OutboxStore store) {
        this.registry = registry;
        this.backlog = new Refreshed<>(store::backlog, REFRESH_MILLIS);
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

    /** A backlog's drain took a second lane, while no request was waiting (OutboxDispatcher). */
    void secondLane() {
        registry.counter("newsletter.outbox.second.lanes").increment();
    }

    private double backlog(java.util.function.ToLongFunction<Backlog> value) {
        Backlog current = backlog.get();
        return current == null ? Double.NaN : value.applyAsLong(current);
    }
}
