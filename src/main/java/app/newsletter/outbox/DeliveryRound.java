package app.newsletter.outbox;

import app.newsletter.platform.Failures;
import io.smallrye.mutiny.TimeoutException;
import io.vertx.ext.mail.SMTPException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * One round of the dispatcher, on one thread: keeps up to {@code batchSize} sends in flight and claims more whenever
 * half of them have ended, so SMTP connections never wait for the slowest mail of a batch. Successes are recorded in
 * one statement per group, as soon as the previous statement is done, instead of one transaction per mail.
 */
final class DeliveryRound {

    private static final Logger LOG = Logger.getLogger(DeliveryRound.class);
    private static final long WAIT_MILLIS = 50;
    private static final long RETRY_SETTLE_MILLIS = 200;

    private record Outcome(ClaimedMail mail, Throwable failure) {
    }

    private final OutboxClaims claims;
    private final OutboxStore store;
    private final MailSender sender;
    private final OutboxMetrics metrics;
    private final SendWindow window;
    private final int batchSize;
    private final BooleanSupplier stopping;
    private final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    private final List<Outcome> ended = new ArrayList<>();
    private final List<ClaimedMail> sent = new ArrayList<>();
    private int inFlight;
    private boolean dueLeft = true;
    private boolean settleFailing;

    DeliveryRound(OutboxClaims claims, OutboxStore store, MailSender sender, OutboxMetrics metrics,
            SendWindow window, int batchSize, BooleanSupplier stopping) {
        this.claims = claims;
        this.store = store;
        this.sender = sender;
        this.metrics = metrics;
        this.window = window;
        this.batchSize = batchSize;
        this.stopping = stopping;
    }

    void run() throws InterruptedException {
        while (true) {
            if (dueLeft && !stopping.getAsBoolean() && inFlight <= batchSize / 2) {
                claimAndStart(batchSize - inFlight);
            }
            if (inFlight == 0 && sent.isEmpty() && (!dueLeft || stopping.getAsBoolean())) {
                return;
            }
            collect();
            settle();
        }
    }

    private void claimAndStart(int limit) {
        long claimedAt = System.nanoTime();
        List<ClaimedMail> batch;
        try {
            batch = claims.claim(limit);
        } catch (Exception e) {
            // Typically the database is away: one line per round, not a stack trace every second; the mail waits.
            LOG.warnf("outbox claim failed, retrying next round: %s", Failures.rootMessage(e));
            dueLeft = false;
            return;
        }
        dueLeft = batch.size() == limit;
        long startBefore = claimedAt + window.startWithin().toNanos();
        List<ClaimedMail> unstarted = new ArrayList<>();
        for (ClaimedMail mail : batch) {
            if (stopping.getAsBoolean() || System.nanoTime() - startBefore > 0) {
                unstarted.add(mail);
            } else {
                start(mail);
            }
        }
        release(unstarted);
    }

    private void start(ClaimedMail mail) {
        inFlight++;
        sender.send(mail)
                .ifNoItem().after(window.timeout()).fail()
                .subscribe().with(ok -> outcomes.add(new Outcome(mail, null)),
                        failure -> outcomes.add(new Outcome(mail, failure)));
    }

    private void release(List<ClaimedMail> unstarted) {
        try {
            claims.release(unstarted);
        } catch (Exception e) {
            LOG.warnf("could not release %d unsent mails, they are sent after their lease: %s", unstarted.size(),
                    Failures.rootMessage(e));
        }
    }

    /** Waits for the next outcome only when there is nothing else to do. */
    private void collect() throws InterruptedException {
        boolean idle = inFlight > 0 && (!dueLeft || stopping.getAsBoolean() || inFlight > batchSize / 2);
        if (settleFailing || (idle && sent.isEmpty())) {
            Outcome first = outcomes.poll(settleFailing ? RETRY_SETTLE_MILLIS : WAIT_MILLIS, TimeUnit.MILLISECONDS);
            if (first != null) {
                ended.add(first);
            }
        }
        outcomes.drainTo(ended);
        inFlight -= ended.size();
        for (Outcome outcome : ended) {
            if (outcome.failure() == null) {
                sent.add(outcome.mail());
            } else {
                settleFailure(outcome.mail(), outcome.failure());
            }
        }
        ended.clear();
    }

    private void settle() {
        if (sent.isEmpty()) {
            return;
        }
        try {
            claims.markSent(sent);
            sent.forEach(mail -> metrics.sent(mail.kind()));
            sent.clear();
            settleFailing = false;
        } catch (Exception e) {
            if (!settleFailing) {
                LOG.warnf("could not record %d sent mails, retrying: %s", sent.size(), Failures.rootMessage(e));
            }
            settleFailing = true;
            dropExpired();
        }
    }

    /** Past its lease another instance may have sent the mail again; recording it here would hide nothing. */
    private void dropExpired() {
        Instant now = Instant.now();
        sent.removeIf(mail -> {
            boolean expired = now.isAfter(mail.leaseEnd());
            if (expired) {
                LOG.errorf("outbox mail %d (%s) was sent but could not be recorded within its lease; it may go out "
                        + "twice", mail.id(), mail.kind());
            }
            return expired;
        });
    }

    private void settleFailure(ClaimedMail mail, Throwable failure) {
        boolean permanent = failure instanceof SMTPException smtp && smtp.isPermanent();
        // A send cut off by the timeout may still reach the server: no retry before the lease ends.
        Instant notBefore = failure instanceof TimeoutException ? mail.leaseEnd() : null;
        boolean dead;
        try {
            dead = store.markFailed(mail, String.valueOf(failure.getMessage()), permanent, notBefore);
        } catch (RuntimeException e) {
            LOG.warnf("could not record the failure of outbox mail %d, retried after its lease: %s", mail.id(),
                    Failures.rootMessage(e));
            return;
        }
        metrics.failed(mail.kind(), dead);
        if (dead) {
            LOG.errorf("outbox mail %d (%s) is dead after %d attempts: %s", mail.id(), mail.kind(), mail.attempts(),
                    failure.getMessage());
        } else {
            LOG.warnf("outbox mail %d (%s) attempt %d failed, will retry: %s", mail.id(), mail.kind(),
                    mail.attempts(), failure.getMessage());
        }
    }
}
