package app.newsletter.subscription;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Duration;
import java.time.Instant;

@Entity
@Table(name = "subscriber")
class Subscriber extends PanacheEntityBase {

    enum Status { PENDING, CONFIRMED, UNSUBSCRIBED }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "list_id")
    public String listId;
    public String email;
    public String name;
    @Enumerated(EnumType.STRING)
    public Status status;
    public String source;
    @Column(name = "consent_version")
    public String consentVersion;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "confirmed_at")
    public Instant confirmedAt;
    @Column(name = "unsubscribed_at")
    public Instant unsubscribedAt;
    @Column(name = "last_confirmation_sent_at")
    public Instant lastConfirmationSentAt;
    @Column(name = "last_ebook_sent_at")
    public Instant lastEbookSentAt;
    @Column(name = "ebook_downloads")
    public int ebookDownloads;

    static boolean within(Instant last, Duration cooldown, Instant now) {
        return last != null && last.plus(cooldown).isAfter(now);
    }
}
