package app.newsletter.outbox;

import java.time.Instant;

/** What the outbox knows of one mail, without its body (which carries live links). */
public record MailRecord(long id, String kind, String subject, String status, int attempts, Instant queuedAt,
        Instant sentAt) {
}
