package app.newsletter.webhooks;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import app.newsletter.platform.Failures;
import io.quarkus.scheduler.Scheduled;

/** Deletes delivered, dead and disabled events after {@code newsletter.webhooks.retention}. */
@ApplicationScoped
class WebhookHousekeeping {

    private static final Logger LOG = Logger.getLogger(WebhookHousekeeping.class);

    private final WebhookStore store;
    private final WebhooksConfig config;

    WebhookHousekeeping(WebhookStore store, WebhooksConfig config) {
        this.store = store;
        this.config = config;
    }

    @Scheduled(identity = "webhook-housekeeping", every = "${newsletter.housekeeping-interval}", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void purge() {
        try {
            int deleted = store.purge(Instant.now().minus(config.retention()));
            if (deleted > 0) {
                LOG.infof("%d old webhook events deleted", deleted);
            }
        } catch (RuntimeException e) {
            LOG.warnf("webhook housekeeping failed, retrying next time: %s", Failures.rootMessage(e));
        }
    }
}
