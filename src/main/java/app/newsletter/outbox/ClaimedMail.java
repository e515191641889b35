package app.newsletter.outbox;

import java.time.Instant;
import java.util.Map;

/**
 * A mail this instance holds the lease of. {@code attempts} already counts the attempt under way;
 * {@code leaseEnd} is when other instances may claim it again (database clock).
 */
record ClaimedMail(long id, String kind, String recipient, String subject, String text, String html,
        Map<String, String> headers, int attempts, Instant createdAt, Instant leaseEnd) {
}
