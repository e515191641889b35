package app.newsletter.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import app.newsletter.platform.Activity;
import app.newsletter.platform.Drainable;
import app.newsletter.platform.Failures;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.MultiMap;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.SMTPException;
import io.vertx.mutiny.ext.mail.MailClient;

/**
 * Sends queued mail. Runs on a scheduler worker thread, never on the event loop; sends of one batch go out
 * concurrently over the mail client's bounded connection pool ({@code quarkus.mailer.max-pool-size}). A backlog
 * found while no request comes takes a second lane of batches ({@link #quiet}).
 * <p>
 * Real mail goes through the Vert.x mail client itself: Quarkus' {@code Mail} always carries Cc and Bcc lists, which
 * come out as empty "Cc:" headers that RFC 5322 forbids and spam filters count against the sender. The mock mailer
 * (dev mode) keeps printing mails to the log.
 */
@ApplicationScoped
class OutboxDispatcher implements Drainable {

    private static final Logger LOG = Logger.getLogger(OutboxDispatcher.class);

    private final OutboxStore store;
    private final OutboxBatches batches;
    private final Instance<ReactiveMailer> mailer;
    private final OutboxConfig config;
    private final Instance<MailClient> client;
    private final boolean mock;
    private final String from;
    private final Optional<String> bounceAddress;
    private final String messageIdDomain;
    private final OutboxMetrics metrics;
    /** "Slow down" answers: 421 service not available, 451 local error (often rate limits), 452 too many. */
    private static final java.util.Set<Integer> SLOW_DOWN = java.util.Set.of(421, 451, 452);
    /**
     * How often a round records the mails it has sent. One statement per mail as its send ended cost PostgreSQL more
     * per mail than the claim did, for 2.5 mails per statement and a commit each (pg_stat_statements at 8 connections,
     * bench/README.md); recorded every 100 ms, a batch of 50 takes a few statements, and an instance that dies sends
     * again at most what it sent in its last 100 ms (after the lease).
     */
    private static final Duration RECORD_SENT_EVERY = Duration.ofMillis(100);

    private final Event<MailRejected> rejected;
    private final Activity activity;
    private final ReentrantLock round = new ReentrantLock();
    private final ExecutorService lanes = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "outbox-lane");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean stopping;

    OutboxDispatcher(OutboxStore store, OutboxBatches batches, OutboxMetrics metrics, Instance<ReactiveMailer> mailer,
            Instance<MailClient> client, OutboxConfig config,
            @ConfigProperty(name = "quarkus.mailer.mock", defaultValue = "false") boolean mock,
            @ConfigProperty(name = "quarkus.mailer.from") String from,
            @ConfigProperty(name = "quarkus.mailer.bounce-address") Optional<String> bounceAddress,
            Event<MailRejected> rejected, Activity activity) {
        this.rejected = rejected;
        this.activity = activity;
        this.store = store;
        this.batches = batches;
        this.metrics = metrics;
        this.mailer = mailer;
        this.client = client;
        this.config = config;
        this.mock = mock;
        this.from = from;
        this.bounceAddress = bounceAddress;
        this.messageIdDomain = MailRendering.domainOf(from);
    }

    /**
     * Builds the mail client (and its DKIM signer) at start-up. Quarkus builds it when something first needs the
     * mailer, which includes rendering a mail template inside a signup: a setting the client rejects (a DKIM key it
     * cannot read, a missing selector) then failed every signup with a 500 while readiness stayed UP. Now it stops
     * start-up with one line.
     */
    void buildMailClient(@Observes StartupEvent event) {
        try {
            if (mock) {
                mailer.get();
            } else {
                client.get();
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("the mail settings (QUARKUS_MAILER_*) are not usable: "
                    + Failures.rootMessage(e));
        }
    }

    @Scheduled(identity = "outbox-dispatcher", every = "${newsletter.outbox.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void dispatch() {
        if (!round.tryLock()) {
            return;
        }
        AtomicReference<Future<?>> second = new AtomicReference<>();
        try {
            lane(() -> true, batch -> {
                Future<?> running = second.get();
                // A backlog drained by one lane leaves the connections idle at the end of every batch, while
                // its last sends finish and the next batch is claimed; a second lane's sends fill those gaps (a
                // drain of 20,000 mails: 13-17 % more mails per second, bench/README.md). But the second lane
                // costs requests their share of the machine (signups fell by as much during a launch), so it only
                // runs while no request has come for a moment: a drain after an outage or at night, not a launch.
                if (batch.size() == config.batchSize() && (running == null || running.isDone()) && activity.quiet()) {
                    second.set(lanes.submit(this::secondLane));
                    metrics.secondLane();
                }
            });
        } catch (RuntimeException e) {
            // Typically the database is away: one line per round, not a stack trace every second; the mail waits.
            LOG.warnf("outbox round failed, retrying next round: %s", Failures.rootMessage(e));
        } finally {
            awaitLane(second.get());
            round.unlock();
        }
    }

    private List<OutboxMail> claim() {
        double lease = config.lease().toMillis() / 1000.0;
        return config.maxPerSecond().isPresent()
                ? batches.claimWithin(config.maxPerSecond().get(), config.batchSize(), lease)
                : batches.claim(config.batchSize(), lease);
    }

    /** Claims and sends full batches while the service stays quiet. */
    private void secondLane() {
        try {
            lane(activity::quiet, batch -> {
            });
        } catch (RuntimeException e) {
            LOG.warnf("outbox round failed, retrying next round: %s", Failures.rootMessage(e));
        }
    }

    /** Claims and sends batches until one comes back short, or {@code goOn} fails; {@code claimed} sees each claim. */
    private void lane(BooleanSupplier goOn, Consumer<List<OutboxMail>> claimed) {
        List<OutboxMail> batch;
        do {
            if (stopping || !goOn.getAsBoolean()) {
                return;
            }
            batch = claim();
            claimed.accept(batch);
            if (!batch.isEmpty()) {
                sendAll(batch);
            }
        } while (batch.size() == config.batchSize());
    }

    private static void awaitLane(Future<?> lane) {
        if (lane == null) {
            return;
        }
        try {
            lane.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.warnf("outbox lane failed: %s", Failures.rootMessage(e));
        }
    }

    @Override
    public void drain() throws InterruptedException {
        stopping = true;
        if (round.tryLock(config.sendTimeout().plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS)) {
            round.unlock();
        } else {
            LOG.warn("outbox round still running at shutdown; its claimed mails are retried after their lease");
        }
        lanes.shutdown();
    }

    /**
     * Sends a batch concurrently and records the mails sent so far every {@link #RECORD_SENT_EVERY} while the batch
     * runs, then the rest when it ends. Failures are settled one by one as they come (they are rare and each needs
     * its own next attempt).
     */
    private void sendAll(List<OutboxMail> batch) {
        Queue<Long> sent = new ConcurrentLinkedQueue<>();
        List<Uni<Void>> sends = new ArrayList<>(batch.size());
        for (OutboxMail row : batch) {
            if (row.status == OutboxMail.Status.SUPPRESSED) {
                store.markSuppressed(row.id);
                metrics.suppressed(row.kind);
                LOG.infof("outbox mail %d (%s) dropped: its recipient bounced or complained", row.id, row.kind);
                continue;
            }
            sends.add(send(row)
                    .ifNoItem().after(config.sendTimeout()).fail()
                    .onItemOrFailure().transformToUni((ignored, failure) -> settle(row, failure, sent)));
        }
        if (sends.isEmpty()) {
            return;
        }
        long claimed = System.nanoTime();
        CompletableFuture<Void> all = Uni.join().all(sends).andCollectFailures().replaceWithVoid()
                .subscribeAsCompletionStage();
        long deadline = claimed + config.sendTimeout().plusSeconds(10).toNanos();
        try {
            while (!awaitFor(all, RECORD_SENT_EVERY)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("a batch's sends outlasted their timeout");
                }
                try {
                    recordSent(sent);
                } catch (RuntimeException e) {
                    // Kept for the next try: a database that is away for a moment must not cost a resend.
                    LOG.debugf("recording sent mails failed, tried again: %s", Failures.rootMessage(e));
                }
            }
        } finally {
            recordRest(sent, claimed + config.lease().toNanos() / 2);
        }
    }

    /**
     * The round's last record, tried again while the database is away for a moment: its mails were sent, and a record
     * given up on sends every one of them again once their lease ends. Not past {@code giveUpAt} (half the lease after
     * the claim), so that a record never lands after another instance may have claimed the mails again.
     */
    private void recordRest(Queue<Long> sent, long giveUpAt) {
        long pause = TimeUnit.MILLISECONDS.toNanos(RECORD_SENT_EVERY.toMillis());
        while (true) {
            try {
                recordSent(sent);
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() + pause - giveUpAt > 0) {
                    throw e;
                }
                LOG.debugf("recording sent mails failed, tried again: %s", Failures.rootMessage(e));
            }
            try {
                TimeUnit.NANOSECONDS.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while recording sent mails", e);
            }
            pause = Math.min(pause * 2, TimeUnit.SECONDS.toNanos(2));
        }
    }

    /** Waits at most {@code wait} for {@code all}; true once it is done, a settlement's failure thrown as it came. */
    private static boolean awaitFor(CompletableFuture<Void> all, Duration wait) {
        try {
            all.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(Failures.rootMessage(e), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending", e);
        }
    }

    /** One statement for every mail sent since the last; on failure they stay queued for the next. */
    private void recordSent(Queue<Long> sent) {
        List<Long> ids = new ArrayList<>();
        for (Long id; (id = sent.poll()) != null;) {
            ids.add(id);
        }
        if (ids.isEmpty()) {
            return;
        }
        try {
            batches.markSent(ids);
        } catch (RuntimeException e) {
            sent.addAll(ids);
            throw e;
        }
    }

    /**
     * A sent mail only joins the round's next record, right where its send ended (on an event loop: no hand-off to a
     * worker thread per mail); a failure's settlement writes to the database, so it moves to a worker.
     */
    private Uni<Void> settle(OutboxMail row, Throwable failure, Queue<Long> sent) {
        if (failure == null) {
            sent.add(row.id);
            metrics.sent(row.kind);
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().voidItem().emitOn(Infrastructure.getDefaultWorkerPool())
                .invoke(() -> settleFailure(row, failure));
    }

    private void settleFailure(OutboxMail row, Throwable failure) {
        SMTPException smtp = failure instanceof SMTPException e ? e : null;
        if (smtp != null && SLOW_DOWN.contains(smtp.getReplyCode())) {
            boolean dead = store.defer(row, String.valueOf(failure.getMessage()));
            metrics.deferred(row.kind);
            LOG.infof("outbox mail %d (%s): the server asked to slow down (%d), retried later", row.id, row.kind,
                    smtp.getReplyCode());
            if (dead) {
                metrics.failed(row.kind, true);
            }
            return;
        }
        boolean permanent = smtp != null && smtp.isPermanent();
        boolean dead = store.markFailed(row, String.valueOf(failure.getMessage()), permanent);
        if (permanent && recipientRefused(smtp)) {
            // The recipient's server refused the address for good: it bounces, which suppresses it and its other
            // queued mails. After markFailed, so this mail stays DEAD (with the refusal) rather than SUPPRESSED.
            rejected.fire(new MailRejected(row.recipient, row.kind, String.valueOf(failure.getMessage())));
        }
        metrics.failed(row.kind, dead);
        if (dead) {
            LOG.errorf("outbox mail %d (%s) is dead after %d attempts: %s", row.id, row.kind, row.attempts,
                    failure.getMessage());
        } else {
            LOG.warnf("outbox mail %d (%s) attempt %d failed, will retry: %s", row.id, row.kind, row.attempts,
                    failure.getMessage());
        }
    }

    /**
     * A 5xx about the address itself (RFC 3463 X.1.x address, X.2.x mailbox, or a bare 550/551/553), not about the
     * message or the sender's policy (X.7.x): only those say the address cannot take mail.
     */
    static boolean recipientRefused(SMTPException smtp) {
        // Read from the reply itself: the client parses enhanced codes only when the server announced them.
        java.util.regex.Matcher enhanced = ENHANCED.matcher(String.valueOf(smtp.getReplyMessage()));
        if (enhanced.find()) {
            String subject = enhanced.group(1);
            return subject.equals("1") || subject.equals("2");
        }
        int code = smtp.getReplyCode();
        return code == 550 || code == 551 || code == 553;
    }

    private static final java.util.regex.Pattern ENHANCED = java.util.regex.Pattern
            .compile("(?:^|\\s)5\\.(\\d{1,3})\\.\\d{1,3}(?:\\s|$)");

    private Uni<Void> send(OutboxMail row) {
        if (mock) {
            Mail mail = Mail.withText(row.recipient, row.subject, row.textBody).setHtml(row.htmlBody);
            row.headers.forEach(mail::addHeader);
            return mailer.get().send(mail);
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        row.headers.forEach(headers::add);
        // Stable across retries, so a receiver can drop the copy of a mail resent after a lost acknowledgement.
        headers.add("Message-ID", "<outbox." + row.id + "." + row.createdAt.toEpochMilli() + "@" + messageIdDomain
                + ">");
        MailMessage message = new MailMessage()
                .setFrom(from)
                .setTo(List.of(row.recipient))
                .setSubject(row.subject)
                .setText(row.textBody)
                .setHtml(HtmlLines.join(row.htmlBody))
                .setHeaders(headers);
        bounceAddress.ifPresent(message::setBounceAddress);
        return client.get().sendMail(message).replaceWithVoid();
    }
}
