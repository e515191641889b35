package app.newsletter.outbox;

import app.newsletter.platform.Failures;
import app.newsletter.platform.NewsletterConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Sends queued mail. Runs on a scheduler worker thread, never on the event loop; sends go out concurrently over the
 * mail client's bounded connection pool ({@code quarkus.mailer.max-pool-size}). A round lasts as long as mail is due.
 */
@ApplicationScoped
class OutboxDispatcher {

    private static final Logger LOG = Logger.getLogger(OutboxDispatcher.class);

    private final OutboxClaims claims;
    private final OutboxStore store;
    private final MailSender sender;
    private final OutboxMetrics metrics;
    private final NewsletterConfig.Outbox config;
    private final SendWindow window;
    private final ReentrantLock round = new ReentrantLock();
    private volatile boolean stopping;

    OutboxDispatcher(OutboxClaims claims, OutboxStore store, MailSender sender, OutboxMetrics metrics,
            NewsletterConfig config) {
        this.claims = claims;
        this.store = store;
        this.sender = sender;
        this.metrics = metrics;
        this.config = config.outbox();
        this.window = SendWindow.of(this.config.lease(), this.config.sendTimeout());
        if (window.timeout().compareTo(this.config.sendTimeout()) < 0) {
            LOG.warnf("outbox send timeout %s shortened to %s: every send must end well within the lease (%s)",
                    this.config.sendTimeout(), window.timeout(), this.config.lease());
        }
    }

    @Scheduled(identity = "outbox-dispatcher", every = "${newsletter.outbox.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void dispatch() throws InterruptedException {
        if (stopping || !round.tryLock()) {
            return;
        }
        try {
            new DeliveryRound(claims, store, sender, metrics, window, config.batchSize(), () -> stopping).run();
        } catch (RuntimeException e) {
            LOG.warnf("outbox round failed, retrying next round: %s", Failures.rootMessage(e));
        } finally {
            round.unlock();
        }
    }

    /**
     * On SIGTERM: claim nothing more and let the sends in flight end and be recorded, so that no mail of this
     * instance waits for its lease to expire (and none goes out twice) after a normal shutdown.
     */
    void drainOnShutdown(@Observes ShutdownEvent event) throws InterruptedException {
        stopping = true;
        if (round.tryLock(window.timeout().plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS)) {
            round.unlock();
        } else {
            LOG.warn("outbox round still running at shutdown; its claimed mails are retried after their lease");
        }
    }
}
