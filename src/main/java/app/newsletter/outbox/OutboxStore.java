package app.newsletter.outbox;

import app.newsletter.platform.SqlValues;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The outbox's own short transactions: claim due mail, then settle what happened to it. */
@ApplicationScoped
class OutboxStore {

    private final EntityManager em;
    private final OutboxConfig config;

    OutboxStore(EntityManager em, OutboxConfig config) {
        this.em = em;
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
        em.createNativeQuery("update outbox_mail set status = :status, next_attempt_at = :next, last_error = :error "
                + "where id = :id")
                .setParameter("status", dead ? "DEAD" : OutboxMail.PENDING)
                .setParameter("next", next)
                .setParameter("error", error.length() > 1000 ? error.substring(0, 1000) : error)
                .setParameter("id", mail.id)
                .executeUpdate();
        return dead;
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
        return em.createNativeQuery("update outbox_mail set text_body = null, html_body = null, headers = '{}' "
                + "where status = 'SENT' and sent_at < :cutoff and text_body is not null")
                .setParameter("cutoff", Instant.now().minus(config.sentBodyRetention()))
                .executeUpdate();
    }

    @Transactional
    @SuppressWarnings("unchecked")
    List<MailRecord> mailsTo(String recipient) {
        List<Object[]> rows = em.createNativeQuery("select id, kind, subject, status, attempts, created_at, sent_at "
                + "from outbox_mail where lower(recipient) = lower(:recipient) order by id")
                .setParameter("recipient", recipient).getResultList();
        return rows.stream().map(r -> new MailRecord(((Number) r[0]).longValue(), (String) r[1], (String) r[2],
                (String) r[3], ((Number) r[4]).intValue(), SqlValues.instant(r[5]), SqlValues.instant(r[6])))
                .toList();
    }

    @Transactional(Transactional.TxType.MANDATORY)
    int eraseMailsTo(String recipient) {
        return em.createNativeQuery("delete from outbox_mail where lower(recipient) = lower(:recipient)")
                .setParameter("recipient", recipient).executeUpdate();
    }

    @Transactional
    Backlog backlog() {
        Object[] row = (Object[]) em.createNativeQuery("""
                select count(*) filter (where status = 'PENDING'),
                       min(created_at) filter (where status = 'PENDING'),
                       count(*) filter (where status = 'DEAD')
                  from outbox_mail where status <> 'SENT'""").getSingleResult();
        Instant oldest = SqlValues.instant(row[1]);
        return new Backlog(((Number) row[0]).longValue(),
                oldest == null ? Duration.ZERO : Duration.between(oldest, Instant.now()),
                ((Number) row[2]).longValue());
    }
}
