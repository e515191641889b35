package app.newsletter.subscription;

import java.time.Duration;
import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * A subscription: one address on one list. Every path reads and changes it through these named queries (Panache),
 * staff's reports through {@link ListCounts}; two measured hot paths use SQL: the group commit of new signups, whose
 * insert is {@link #insertPendingFrom}, and the CSV export's {@code COPY} (staff's {@code CsvExports}).
 */
@Entity
@NamedQuery(name = "Subscriber.purgeNeverConfirmed", query = """
        delete from Subscriber s where s.status = ?1 and s.confirmedAt is null and s.updatedAt < ?2
           and not exists (select 1 from ConsentRecord c where c.subscriberId = s.id and c.event = ?3)""")
@NamedQuery(name = "Subscriber.unsubscribeLapsed", query = """
        update Subscriber set status = ?1 where status = ?2 and confirmedAt is not null and updatedAt < ?3""")
@NamedQuery(name = "Subscriber.onList", query = "from Subscriber where listId = ?1 and lower(email) = lower(?2)")
@NamedQuery(name = "Subscriber.byAddress", query = "from Subscriber where lower(email) = lower(?1) order by id")
@NamedQuery(name = "Subscriber.eraseAddress", query = "delete from Subscriber where lower(email) = lower(?1)")
@NamedQuery(name = "Subscriber.countDownload", query = """
        update Subscriber set ebookDownloads = ebookDownloads + 1 where id = ?1 and status = ?2""")
@NamedQuery(name = "Subscriber.feedHorizon", query = """
        select s.id from Subscriber s where s.createdAt <= ?1 order by s.id desc""")
@NamedQuery(name = "Subscriber.feed", query = """
        from Subscriber s where s.id > ?1 and s.id <= ?2 and (cast(?3 as String) is null or s.listId = ?3)
           and s.status in ?4 and s.updatedAt >= ?5 order by s.id""")
@NamedQuery(name = "Subscriber.totalsByListAndStatus", query = """
        select s.listId, s.status, count(s), count(s.confirmedAt), sum(s.ebookDownloads) from Subscriber s
         group by s.listId, s.status""")
class Subscriber extends PanacheEntityBase {

    /**
     * The group commit's insert of new subscribers ({@link NewSignups#WRITE}), as a {@code with} clause: plain SQL
     * because the whole group goes in one statement with the rows that depend on it. {@code rows} yields
     * {@code list_id, email, name, source, consent_version, confirmation_sent} in the order their row locks are to
     * be taken; the three parameters are the creation time, the update time and the time the confirmation was sent
     * (for rows whose {@code confirmation_sent} is true). An address already on its list is skipped; each row written
     * is returned as {@code id, list_id, email, created_at}.
     */
    static String insertPendingFrom(String rows) {
        return """
                insert into subscriber (list_id, email, name, status, source, consent_version, created_at, updated_at,
                                        last_confirmation_sent_at)
                select list_id, email, name, '%s', source, consent_version, ?, ?,
                       case when confirmation_sent then ?::timestamptz end
                  from %s
                    on conflict (list_id, lower(email)) do nothing
                returning id, list_id, email, created_at""".formatted(Status.PENDING, rows);
    }

    enum Status {
        PENDING,
        CONFIRMED,
        UNSUBSCRIBED,
        /** The relay or the recipient's server reported the address as undeliverable: no mail goes to it. */
        BOUNCED,
        /** The recipient marked a mail as spam: no mail goes to it. */
        COMPLAINED
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String listId;
    public String email;
    public String name;
    @Enumerated(EnumType.STRING)
    public Status status;
    public String source;
    public String consentVersion;
    public Instant createdAt;
    public Instant updatedAt;
    public Instant confirmedAt;
    public Instant unsubscribedAt;
    public Instant lastConfirmationSentAt;
    public Instant lastEbookSentAt;
    public int ebookDownloads;

    static boolean within(Instant last, Duration cooldown, Instant now) {
        return last != null && last.plus(cooldown).isAfter(now);
    }
}
