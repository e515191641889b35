package app.newsletter.subscription;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import app.newsletter.outbox.QueuedMail;
import app.newsletter.platform.Failures;
import app.newsletter.platform.Languages;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.Vertx;

/**
 * Handles the signups of addresses already on their list behind the reply: the group commit queues them in
 * {@code known_signup} (the only home of that table: the group commit's queueing insert is {@link #queueFrom})
 * and answers after the same commit as for a new address, so the reply's timing no longer says whether an address
 * is pending, confirmed or unsubscribed (it did before: bench/README.md). Each row
 * is claimed with {@code FOR UPDATE SKIP LOCKED}, so that any number of instances share the queue, and deleted in the
 * transaction that applies its rules ({@link SubscriptionService#subscribeKnown}): handled exactly once.
 */
@ApplicationScoped
class KnownSignups {

    private static final Logger LOG = Logger.getLogger(KnownSignups.class);
    private static final int PER_RUN = 1000;
    private static final long DRAIN_DELAY_MS = 100;

    /** Fired by the group commit that queued known signups; observed after it committed. */
    record Queued() {
    }

    private record Claimed(long id, Signup.Valid signup, ClientInfo client) {
    }

    /**
     * The group commit's queueing of known addresses ({@link NewSignups#WRITE}), as a {@code with} clause: one
     * statement for the whole group. {@code rows} yields {@code list_id, email, name, source, ip, user_agent,
     * confirm_hash, unsubscribe_hash, mail_subject, mail_text, mail_html, mail_headers, admitted}: the request and the
     * confirmation it prepared; the parameter is the time.
     */
    static String queueFrom(String rows) {
        return """
                insert into known_signup (list_id, email, name, source, ip, user_agent, queued_at, confirm_hash,
                                          unsubscribe_hash, mail_subject, mail_text, mail_html, mail_headers, admitted)
                select list_id, email, name, source, ip, user_agent, ?, confirm_hash, unsubscribe_hash, mail_subject,
                       mail_text, mail_html, mail_headers::jsonb, admitted
                  from %s""".formatted(rows);
    }

    private final EntityManager em;
    private final SubscriptionService service;
    private final SignupWriter writer;
    private final SubscriptionConfig config;
    private final Vertx vertx;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    KnownSignups(EntityManager em, SubscriptionService service, SignupWriter writer, SubscriptionConfig config,
            Vertx vertx) {
        this.em = em;
        this.service = service;
        this.writer = writer;
        this.config = config;
        this.vertx = vertx;
    }

    /**
     * Shortly after the commit that queued them, off the writer's thread. Not at once: a drain started by the commit
     * takes a core while that very request's reply is on its way out, which made a known address's reply measurably
     * slower than a new one's (bench/timing.sh, pooled over many runs; figures in bench/README.md). After
     * {@link #DRAIN_DELAY_MS} the drain meets whatever requests come next, of any state, and it takes every row
     * queued meanwhile.
     */
    void queued(@Observes(during = TransactionPhase.AFTER_SUCCESS) Queued event) {
        if (drainScheduled.compareAndSet(false, true)) {
            vertx.setTimer(DRAIN_DELAY_MS, timer -> {
                drainScheduled.set(false);
                vertx.executeBlocking(() -> {
                    drain();
                    return null;
                }, false);
            });
        }
    }

    /** The safety net: rows another instance queued before it stopped, or that a failed run left. */
    @Scheduled(identity = "known-signups", every = "1s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void drain() {
        if (!draining.compareAndSet(false, true)) {
            return; // the running drain takes the new rows too
        }
        try {
            for (int i = 0; i < PER_RUN; i++) {
                Optional<Claimed> gone;
                try {
                    gone = handleOne();
                } catch (RuntimeException e) {
                    LOG.warnf("known signups paused: %s", Failures.rootMessage(e));
                    return;
                }
                if (gone == null) {
                    return;
                }
                gone.ifPresent(row -> writer.subscribeAgain(row.signup(), row.client()));
            }
        } finally {
            draining.set(false);
        }
    }

    /** Erasure: a signup of the address still queued goes too, before it could bring the address back. */
    @Transactional(Transactional.TxType.MANDATORY)
    void forget(String email) {
        em.createNativeQuery("delete from known_signup where lower(email) = lower(:email)")
                .setParameter("email", email).executeUpdate();
    }

    /**
     * @return null when the queue is empty; a row whose subscriber was gone by the time it was locked (erased or
     *         purged), to be written as new; empty when handled
     */
    @Transactional // native: FOR UPDATE SKIP LOCKED, so that instances share the queue without waiting
    Optional<Claimed> handleOne() {
        Tuple row = (Tuple) em.createNativeQuery("select id, list_id, email, name, source, ip, user_agent, confirm_hash, "
                + "unsubscribe_hash, mail_subject, mail_text, mail_html, mail_headers::text as mail_headers, admitted "
                + "from known_signup order by id limit 1 for update skip locked", Tuple.class).getResultStream()
                .findFirst().orElse(null);
        if (row == null) {
            return null;
        }
        long id = row.get("id", Number.class).longValue();
        em.createNativeQuery("delete from known_signup where id = :id").setParameter("id", id).executeUpdate();
        String listId = row.get("list_id", String.class);
        SubscriptionConfig.MailingList list = config.lists().get(listId);
        Optional<EmailAddress> address = EmailAddress.parse(row.get("email", String.class)).address();
        if (list == null || address.isEmpty()) {
            LOG.warnf("known signup %d dropped: its list or address is no longer valid", id);
            return Optional.empty();
        }
        // The row keeps no language: a confirmation rendered here (for a row queued before the request rendered its
        // own) speaks the list's.
        Signup.Valid signup = new Signup.Valid(address.get(), row.get("name", String.class), listId, list,
                row.get("source", String.class), Languages.pick(list.locale().orElse(null)));
        ClientInfo client = new ClientInfo(row.get("ip", String.class), row.get("user_agent", String.class));
        return service.subscribeKnown(signup, client, prepared(row), row.get("admitted", Boolean.class))
                ? Optional.empty()
                : Optional.of(new Claimed(id, signup, client));
    }

    /** Null for a row queued by a version that did not prepare the confirmation: the handler renders one then. */
    private static PreparedConfirmation prepared(Tuple row) {
        byte[] confirmHash = row.get("confirm_hash", byte[].class);
        byte[] unsubscribeHash = row.get("unsubscribe_hash", byte[].class);
        String subject = row.get("mail_subject", String.class);
        if (confirmHash == null || unsubscribeHash == null || subject == null) {
            return null;
        }
        QueuedMail mail = new QueuedMail(SubscriptionMails.CONFIRMATION, row.get("email", String.class), subject,
                row.get("mail_text", String.class), row.get("mail_html", String.class),
                QueuedMail.headersOf(row.get("mail_headers", String.class)));
        return new PreparedConfirmation(row.get("name", String.class), confirmHash, unsubscribeHash, mail);
    }
}
