package app.newsletter.outbox;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports the mail backlog. Always UP when the database answers: trouble with SMTP must not take the instance out of
 * rotation, because signups still succeed and their mail waits safely in the outbox.
 */
@Readiness
@ApplicationScoped
class OutboxHealthCheck implements HealthCheck {

    private final OutboxStore store;
    private final Duration degradedAfter;

    OutboxHealthCheck(OutboxStore store, OutboxConfig config) {
        this.store = store;
        this.degradedAfter = config.degradedAfter();
    }

    @Override
    public HealthCheckResponse call() {
        Backlog backlog = store.backlog();
        boolean degraded = backlog.oldestAge().compareTo(degradedAfter) > 0;
        return HealthCheckResponse.named("outbox").up()
                .withData("state", degraded ? "degraded: mail is not going out (SMTP?)" : "ok")
                .withData("pending", backlog.pending())
                .withData("oldestPendingSeconds", backlog.oldestAge().toSeconds())
                .withData("dead", backlog.dead())
                .build();
    }
}
