package app.newsletter.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import jakarta.enterprise.context.ApplicationScoped;

import app.newsletter.platform.Refreshed;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Webhook delivery as Prometheus sees it: deliveries, failed attempts and dead events per endpoint, and the backlog.
 * The backlog is read from the database at most every few seconds (readiness and the gauges share the reading), and
 * shows NaN while it cannot be read.
 */
@ApplicationScoped
class WebhookMetrics {

    private static final long REFRESH_MILLIS = 5_000;

    private final MeterRegistry registry;
    private final Refreshed<Map<String, WebhookStore.Backlog>> backlog;

    WebhookMetrics(MeterRegistry registry, WebhookStore store) {
        this.registry = registry;
        this.backlog = new Refreshed<>(store::backlog, REFRESH_MILLIS);
        Gauge.builder("newsletter.webhooks.pending", this,
                m -> m.total(b -> b.values().stream().mapToLong(WebhookStore.Backlog::pending).sum()))
                .description("Webhook events queued and not yet delivered").register(registry);
        Gauge.builder("newsletter.webhooks.oldest.pending.seconds", this,
                m -> m.total(b -> oldestAge(b, Instant.now()).toSeconds()))
                .description("Age of the oldest undelivered webhook event").register(registry);
        Gauge.builder("newsletter.webhooks.dead", this,
                m -> m.total(b -> b.values().stream().mapToLong(WebhookStore.Backlog::dead).sum()))
                .description("Webhook events given up on").register(registry);
    }

    void delivered(String endpoint) {
        registry.counter("newsletter.webhooks.events.delivered", "endpoint", endpoint).increment();
    }

    void failed(String endpoint, boolean dead) {
        registry.counter("newsletter.webhooks.events.failed", "endpoint", endpoint).increment();
        if (dead) {
            registry.counter("newsletter.webhooks.events.dead", "endpoint", endpoint).increment();
        }
    }

    void paced(String endpoint, Duration waited) {
        registry.counter("newsletter.webhooks.paced.seconds", "endpoint", endpoint)
                .increment(waited.toNanos() / 1e9);
    }

    /** The backlog per endpoint, at most a few seconds old; null when the database cannot be read. */
    Map<String, WebhookStore.Backlog> backlog() {
        return backlog.get();
    }

    static Duration oldestAge(Map<String, WebhookStore.Backlog> backlog, Instant now) {
        return backlog.values().stream().map(WebhookStore.Backlog::oldestPending)
                .filter(java.util.Objects::nonNull).min(Instant::compareTo)
                .map(oldest -> Duration.between(oldest, now)).orElse(Duration.ZERO);
    }

    private double total(ToDoubleFunction<Map<String, WebhookStore.Backlog>> value) {
        Map<String, WebhookStore.Backlog> backlog = backlog();
        return backlog == null ? Double.NaN : value.applyAsDouble(backlog);
    }
}
