package app.newsletter.outbox;

import java.util.Map;

/**
 * A rendered mail ready to queue. {@code kind} names it for logs and metrics (e.g. "confirmation"); the outbox
 * knows nothing else about what the mail means.
 */
public record QueuedMail(String kind, String recipient, String subject, String text, String html,
        Map<String, String> headers) {

    public QueuedMail {
        requireSingleLine(recipient, "recipient");
        requireSingleLine(subject, "subject");
        headers = Map.copyOf(headers);
        headers.forEach((name, value) -> {
            requireSingleLine(name, "header name");
            requireSingleLine(value, "header " + name);
        });
    }

    /** A line break in a header would let its value start a header of its own (header injection). */
    private static void requireSingleLine(String value, String what) {
        if (value == null || value.isBlank() || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException(what + " must be a single, non-empty line");
        }
    }
}
