package app.newsletter.subscription;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.Duration;
import java.time.Instant;

@Entity
class Subscriber extends PanacheEntityBase {

    enum Status { PENDING, CONFIRMED, UNSUBSCRIBED }

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
