package app.newsletter.subscription;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** Proof of consent, kept for every signup, confirmation and unsubscription. */
@Entity
@Table(name = "consent_record")
class ConsentRecord extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "subscriber_id")
    public long subscriberId;
    @Column(name = "list_id")
    public String listId;
    public String event;
    @Column(name = "occurred_at")
    public Instant occurredAt;
    public String ip;
    @Column(name = "user_agent")
    public String userAgent;
    public String source;
    @Column(name = "consent_version")
    public String consentVersion;

    static void record(Subscriber subscriber, String event, ClientInfo client, Instant now) {
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
