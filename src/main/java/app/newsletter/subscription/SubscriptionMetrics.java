package app.newsletter.subscription;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;

/** What happens to signups, confirmations, unsubscriptions and downloads, for Prometheus. */
@ApplicationScoped
class SubscriptionMetrics {

    /** Why a signup ended the way it did; the tag values are part of the metrics contract in README.md. */
    enum Outcome {
        ACCEPTED,
        INVALID,
        HONEYPOT,
        BLOCKED,
        LIMITED,
        ORIGIN,
        ERROR
    }

    private final MeterRegistry registry;

    SubscriptionMetrics(MeterRegistry registry, ConfirmationGate gate) {
        this.registry = registry;
        registry.gauge("newsletter.confirmation.breaker.open", gate, g -> g.breakerOpen() ? 1 : 0);
    }

    void signup(Outcome outcome) {
        registry.counter("newsletter.signups", "outcome", outcome.name().toLowerCase()).increment();
    }

    void confirmed() {
        registry.counter("newsletter.confirmations").increment();
    }

    void unsubscribed() {
        registry.counter("newsletter.unsubscribes").increment();
    }

    void suppressed(String kind, String reporter) {
        registry.counter("newsletter.suppressions", "kind", kind, "reporter", reporter).increment();
    }

    void downloaded() {
        registry.counter("newsletter.ebook.downloads").increment();
    }
}
