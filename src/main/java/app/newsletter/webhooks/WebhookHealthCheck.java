package app.newsletter.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports the webhook backlog. Always UP: an endpoint that is down must not take the instance out of rotation, since
 * signups still succeed and their events wait safely in the queue; "degraded" says events are not going out.
 */
@Readiness
@ApplicationScoped
class WebhookHealthCheck implements HealthCheck {

    /** Older than this, a pending event means its endpoint is failing (the first retry waits only seconds). */
    private static final Duration DEGRADED_AFTER = Duration.ofMinutes(2);

    private final WebhookEndpoints endpoints;
    private final WebhookMetrics metrics;

    WebhookHealthCheck(WebhookEndpoints endpoints, WebhookMetrics metrics) {
        this.endpoints = endpoints;
        this.metrics = metrics;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("webhooks").up()
                .withData("endpoints", endpoints.all().size());
        if (endpoints.none()) {
            return response.withData("state", "ok").build();
        }
        Map<String, WebhookStore.Backlog> backlog = metrics.backlog();
        if (backlog == null) {
            return response.withData("state", "unknown: the backlog cannot be read").build();
        }
        Duration oldest = WebhookMetrics.oldestAge(backlog, Instant.now());
        long disabled = endpoints.all().stream().filter(e -> endpoints.disabled(e.id())).count();
        boolean degraded = oldest.compareTo(DEGRADED_AFTER) > 0 || disabled > 0;
        return response
                .withData("state", degraded ? "degraded: events are not going out to every endpoint" : "ok")
                .withData("pending", backlog.values().stream().mapToLong(WebhookStore.Backlog::pending).sum())
                .withData("oldestPendingSeconds", oldest.toSeconds())
                .withData("dead", backlog.values().stream().mapToLong(WebhookStore.Backlog::dead).sum())
                .withData("disabledEndpoints", disabled)
                .build();
    }
}
