package app.newsletter.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

/** The outbox's cold paths: a failed send settled, old bodies erased, a recipient's mails listed or erased, the backlog. */
@ApplicationScoped
class OutboxStore {

    private final OutboxConfig config;

    OutboxStore(OutboxConfig config) {
        this.config = config;
    }

    /** Reschedules with exponential backoff, or gives up (dead) when the mail is too old or refused for good. */
    @Transactional
    boolean markFailed(OutboxMail mail, String error, boolean permanent) {
        Instant now = Instant.now();
        Instant deadline = mail.createdAt.plus(config.giveUpAfter());
        boolean dead = permanent || !now.isBefore(deadline);
        Instant next = now.plus(backoff(mail.attempts));
        if (next.isAfter(deadline)) {
            next = deadline;
        }
        OutboxMail.update("#OutboxMail.fail", mail.id, dead ? OutboxMail.Status.DEAD : OutboxMail.Status.PENDING,
                next, error.length() > 1000 ? error.substring(0, 1000) : error);
        return dead;
    }

    /**
     * A "slow down" answer (421, 451, 452: the server or relay is busy, or over its rate): the mail waits the
     * slow-down delay, or its backoff if longer, and the attempt is not counted, so a throttling relay does not make
     * mail dead; the give-up time still holds.
     */
    @Transactional
    boolean defer(OutboxMail mail, String error) {
        Instant now = Instant.now();
        Instant deadline = mail.createdAt.plus(config.giveUpAfter());
        if (!now.isBefore(deadline)) {
            return markFailed(mail, error, false);
        }
        Duration wait = backoff(mail.attempts);
        if (wait.compareTo(config.slowDownDelay()) < 0) {
            wait = config.slowDownDelay();
        }
        Instant next = now.plus(wait);
        OutboxMail.update("#OutboxMail.defer", mail.id, next.isAfter(deadline) ? deadline : next,
                error.length() > 1000 ? error.substring(0, 1000) : error);
        return false;
    }

    /** A claimed mail whose recipient is suppressed: dropped for good. */
    @Transactional
    void markSuppressed(long id) {
        OutboxMail.update("#OutboxMail.suppress", id, OutboxMail.Status.SUPPRESSED,
                "recipient suppressed (bounce or complaint)");
    }

    /** Stops every queued mail to a recipient that just bounced or complained. */
    @Transactional(Transactional.TxType.MANDATORY)
    int suppressMailsTo(String recipient, String why) {
        return OutboxMail.update("#OutboxMail.suppressRecipient", recipient, OutboxMail.Status.SUPPRESSED, why,
                OutboxMail.Status.PENDING);
    }

    Duration backoff(int attempts) {
        Duration delay = config.backoffInitial();
        for (int i = 1; i < attempts && delay.compareTo(config.backoffMax()) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(config.backoffMax()) > 0 ? config.backoffMax() : delay;
    }

    /** Sent mails keep their row (proof of what was sent) but lose the bodies and headers that carry live links. */
    @Transactional
    int eraseOldBodies() {
        return OutboxMail.update("#OutboxMail.eraseOldBodies", Map.of(), OutboxMail.Status.SENT,
                Instant.now().minus(config.sentBodyRetention()));
    }

    @Transactional
    List<MailRecord> mailsTo(String recipient) {
        return OutboxMail.<OutboxMail> stream("#OutboxMail.toRecipient", recipient)
                .map(m -> new MailRecord(m.id, m.kind, m.subject, m.status.name(), m.attempts, m.createdAt, m.sentAt))
                .toList();
    }

    @Transactional(Transactional.TxType.MANDATORY)
    int eraseMailsTo(String recipient) {
        return (int) OutboxMail.delete("#OutboxMail.eraseRecipient", recipient);
    }

    @Transactional
    Backlog backlog() {
        Object[] row = OutboxMail.getEntityManager().createNamedQuery("OutboxMail.backlog", Object[].class)
                .setParameter(1, OutboxMail.Status.PENDING).setParameter(2, OutboxMail.Status.DEAD)
                .setParameter(3, OutboxMail.Status.SENT).getSingleResult();
        Instant oldest = (Instant) row[1];
        return new Backlog(((Number) row[0]).longValue(),
                oldest == null ? Duration.ZERO : Duration.between(oldest, Instant.now()),
                ((Number) row[2]).longValue());
    }
}
