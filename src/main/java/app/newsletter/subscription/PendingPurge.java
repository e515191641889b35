package app.newsletter.subscription;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;

/** Addresses that never confirmed gave no consent to be kept: they go after the retention period. */
@ApplicationScoped
class PendingPurge {

    private static final Logger LOG = Logger.getLogger(PendingPurge.class);

    private final Tokens tokens;
    private final SubscriptionConfig config;

    PendingPurge(Tokens tokens, SubscriptionConfig config) {
        this.tokens = tokens;
        this.config = config;
    }

    @Scheduled(identity = "pending-purge", every = "${newsletter.housekeeping-interval}", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    @Transactional
    void purge() {
        Instant cutoff = Instant.now().minus(config.pendingRetention());
        // A row whose consent log holds an unsubscribe is never purged: the withdrawal is proof to keep (rows that
        // earlier versions turned back to PENDING on a re-signup are such rows).
        long purged = Subscriber.delete("#Subscriber.purgeNeverConfirmed", Subscriber.Status.PENDING, cutoff,
                ConsentRecord.Event.UNSUBSCRIBE);
        // Someone who once confirmed, left, and signed up again without confirming stays a former subscriber:
        // deleting the row would delete the proof of their earlier consent and of its withdrawal.
        int lapsed = Subscriber.update("#Subscriber.unsubscribeLapsed", Subscriber.Status.UNSUBSCRIBED,
                Subscriber.Status.PENDING, cutoff);
        int expired = tokens.deleteExpiredBefore(cutoff);
        if (purged > 0 || lapsed > 0 || expired > 0) {
            LOG.infof("purged %d never-confirmed subscribers and %d long-expired links; %d lapsed re-signups are "
                    + "unsubscribed again", purged, expired, lapsed);
        }
    }
}
