package app.newsletter.outbox;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;

@ApplicationScoped
class OutboxHousekeeping {

    private static final Logger LOG = Logger.getLogger(OutboxHousekeeping.class);

    private final OutboxStore store;
    private final OutboxBatches batches;

    OutboxHousekeeping(OutboxStore store, OutboxBatches batches) {
        this.store = store;
        this.batches = batches;
    }

    @Scheduled(identity = "outbox-housekeeping", every = "${newsletter.housekeeping-interval}", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void eraseOldBodies() {
        batches.forgetSendWindowsBefore(System.currentTimeMillis() / 1000 - 60);
        int erased = store.eraseOldBodies();
        if (erased > 0) {
            LOG.infof("erased bodies of %d sent mails past their retention", erased);
        }
    }
}
