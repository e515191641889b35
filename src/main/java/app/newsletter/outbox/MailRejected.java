package app.newsletter.outbox;

/**
 * Fired (synchronously, outside any transaction) when the recipient's server refused a mail for good with a 5xx
 * answer. The outbox knows no feature: whoever keeps the bounce rules observes it.
 */
public record MailRejected(String recipient, String kind, String reply) {
}
