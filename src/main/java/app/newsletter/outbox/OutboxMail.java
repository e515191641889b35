package app.newsletter.outbox;

import java.time.Instant;
import java.util.Map;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * A queued mail ({@code outbox_mail}). The dispatcher's hot path (insert, claim, marking sent) is plain JDBC in
 * {@link OutboxBatches}, measured to need it; the cold paths (failures, housekeeping, data-subject requests) use these
 * named queries through {@link OutboxStore}.
 */
@Entity
@NamedQuery(name = "OutboxMail.fail", query = """
        update OutboxMail set status = ?2, nextAttemptAt = ?3, lastError = ?4 where id = ?1""")
@NamedQuery(name = "OutboxMail.eraseOldBodies", query = """
        update OutboxMail set textBody = null, htmlBody = null, headers = ?1
         where status = ?2 and sentAt < ?3 and textBody is not null""")
@NamedQuery(name = "OutboxMail.toRecipient", query = "from OutboxMail where lower(recipient) = lower(?1) order by id")
@NamedQuery(name = "OutboxMail.suppress", query = "update OutboxMail set status = ?2, lastError = ?3 where id = ?1")
@NamedQuery(name = "OutboxMail.suppressRecipient", query = """
        update OutboxMail set status = ?2, lastError = ?3 where lower(recipient) = lower(?1) and status = ?4""")
@NamedQuery(name = "OutboxMail.defer", query = """
        update OutboxMail set nextAttemptAt = ?2, attempts = attempts - 1, lastError = ?3 where id = ?1""")
@NamedQuery(name = "OutboxMail.eraseRecipient", query = "delete from OutboxMail where lower(recipient) = lower(?1)")
// One pass with aggregate filters: it runs on every health probe and metrics scrape.
@NamedQuery(name = "OutboxMail.backlog", query = """
        select count(*) filter (where m.status = ?1), min(m.createdAt) filter (where m.status = ?1),
               count(*) filter (where m.status = ?2)
          from OutboxMail m where m.status <> ?3""")
class OutboxMail extends PanacheEntityBase {

    enum Status {
        PENDING,
        SENT,
        DEAD,
        /** Its recipient bounced or complained ({@link Suppressions}): never sent, never retried. */
        SUPPRESSED
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String kind;
    public String recipient;
    public String subject;
    public String textBody;
    public String htmlBody;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> headers;
    @Enumerated(EnumType.STRING)
    public Status status;
    public int attempts;
    public Instant createdAt;
    public Instant nextAttemptAt;
    public Instant sentAt;
    public String lastError;
}
