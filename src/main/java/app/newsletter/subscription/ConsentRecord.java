package app.newsletter.subscription;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedNativeQuery;
import jakarta.persistence.NamedQuery;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** Proof of consent, kept for every signup, confirmation and unsubscription, and for the bounces and complaints that end it. */
@Entity
@NamedQuery(name = "ConsentRecord.ofSubscribers", query = "from ConsentRecord where subscriberId in ?1 order by id")
@NamedQuery(name = "ConsentRecord.countForAddress", query = """
        select count(c) from ConsentRecord c where c.subscriberId in (
            select s.id from Subscriber s where lower(s.email) = lower(?1))""")
// Native: a report per UTC day ("at time zone"), with aggregate filters, which JPQL cannot say.
@NamedNativeQuery(name = "ConsentRecord.dailyByList", query = """
        select list_id, cast(occurred_at at time zone 'UTC' as date),
               count(distinct subscriber_id) filter (where event = 'SIGNUP'),
               count(*) filter (where event = 'CONFIRM')
          from consent_record
         where occurred_at >= :since
         group by 1, 2""")
class ConsentRecord extends PanacheEntityBase {

    /**
     * The group commit's insert of {@link Event#SIGNUP} records ({@link NewSignups#WRITE}), as a {@code with} clause:
     * one statement for the whole group. {@code rows} yields
     * {@code subscriber_id, list_id, ip, user_agent, source, consent_version}; the parameter is the time.
     */
    static String insertSignupsFrom(String rows) {
        return """
                insert into consent_record (subscriber_id, list_id, event, occurred_at, ip, user_agent, source,
                                            consent_version)
                select subscriber_id, list_id, '%s', ?, ip, user_agent, source, consent_version
                  from %s""".formatted(Event.SIGNUP, rows);
    }

    /** What the person did; the group commit of new signups writes SIGNUP rows itself ({@link NewSignups}). */
    enum Event {
        SIGNUP,
        CONFIRM,
        UNSUBSCRIBE,
        /** The address bounced (recorded for the relay, not by the person): mail to it stopped. */
        BOUNCE,
        /** The person reported a mail as spam through their mailbox provider: mail to it stopped. */
        COMPLAINT
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public long subscriberId;
    public String listId;
    @Enumerated(EnumType.STRING)
    public Event event;
    public Instant occurredAt;
    public String ip;
    public String userAgent;
    public String source;
    public String consentVersion;

    static void record(Subscriber subscriber, Event event, ClientInfo client, Instant now) {
        ConsentRecord row = new ConsentRecord();
        row.subscriberId = subscriber.id;
        row.listId = subscriber.listId;
        row.event = event;
        row.occurredAt = now;
        row.ip = client.ip();
        row.userAgent = client.userAgent();
        row.source = subscriber.source;
        row.consentVersion = subscriber.consentVersion;
        row.persist();
    }
}
