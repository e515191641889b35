package app.newsletter.outbox;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

/** The only way to send mail: queue it in the transaction that makes it necessary. */
@ApplicationScoped
public class Outbox {

    private static final Logger LOG = Logger.getLogger(Outbox.class);

    private final OutboxStore store;
    private final OutboxBatches batches;

    Outbox(OutboxStore store, OutboxBatches batches) {
        this.store = store;
        this.batches = batches;
    }

    /**
     * MANDATORY: a mail queued outside the caller's transaction could go out although the state change that
     * caused it rolled back, or be lost although the change committed.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void enqueue(QueuedMail mail) {
        enqueue(mail, null);
    }

    /** @param notBefore when the mail may go out at the earliest; null for at once */
    @Transactional(Transactional.TxType.MANDATORY)
    public void enqueue(QueuedMail mail, Instant notBefore) {
        enqueueAll(List.of(mail), notBefore);
    }

    /**
     * Queues many mails with one statement, e.g. those of signups that share a commit. The statement is sent even for
     * none: a caller whose reply time must not tell what it queued sends the same statements every time.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void enqueueAll(List<QueuedMail> mails, Instant notBefore) {
        batches.insertAll(mails, Instant.now(), notBefore);
        LOG.debugf("queued %d mails", mails.size());
    }

    /**
     * The statement that queues mails, for a caller that queues them in a statement of its own (a data-modifying
     * {@code with} clause beside the state change, which commits with it as {@link #enqueueAll} would): the signup
     * group commit writes its subscribers and their mails in one round trip. {@code source} is a relation of columns
     * kind, recipient, subject, text_body, html_body and headers ({@link QueuedMail#headersJson()}); the statement's
     * two parameters come before the source's: bind them with {@link #bindQueued}.
     */
    public static String queueFrom(String source) {
        return OutboxBatches.insertFrom(source);
    }

    /**
     * Binds {@link #queueFrom}'s parameters from index {@code p} on.
     *
     * @param notBefore when the mails may go out at the earliest; null for at once
     * @return the index of the next parameter
     */
    public static int bindQueued(PreparedStatement statement, int p, Instant now, Instant notBefore)
            throws SQLException {
        return OutboxBatches.bindQueued(statement, p, now, notBefore);
    }

    public Backlog backlog() {
        return store.backlog();
    }

    /** Every mail queued for or sent to an address, for a data-subject access request. */
    public List<MailRecord> mailsTo(String recipient) {
        return store.mailsTo(recipient);
    }

    /**
     * Stops every queued mail to an address that bounced or complained, within the caller's transaction (which also
     * adds it to {@link Suppressions}, so mail claimed meanwhile is dropped too).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public int stopMailsTo(String recipient, String why) {
        return store.suppressMailsTo(recipient, why);
    }

    /** Forgets every mail to an address, queued or sent, within the caller's erasure transaction. */
    @Transactional(Transactional.TxType.MANDATORY)
    public int eraseMailsTo(String recipient) {
        return store.eraseMailsTo(recipient);
    }
}
