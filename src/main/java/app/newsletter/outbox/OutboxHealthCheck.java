package app.newsletter.outbox;

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

    OutboxHealthCheck(OutboxStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        Backlog backlog = store.backlog();
        return HealthCheckResponse.named("outbox").up()
                .withData("pending", backlog.pending())
                .withData("oldestPendingSeconds", backlog.oldestAge().toSeconds())
                .withData("dead", backlog.dead())
                .build();
    }
}
