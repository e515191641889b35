package app.newsletter.subscription;

import java.util.Objects;

import app.newsletter.outbox.QueuedMail;

/**
 * The confirmation a signup request prepared before the group commit (its two link tokens, kept as hashes, and the
 * mail rendered with their links), carried in a known address's queue row so that the handler behind the reply sends
 * it instead of rendering another. {@code name} is the name the mail greets.
 */
record PreparedConfirmation(String name, byte[] confirmHash, byte[] unsubscribeHash, QueuedMail mail) {

    /** Whether this mail says what a confirmation rendered now for the subscriber would say, to the same address. */
    boolean fits(Subscriber subscriber) {
        return mail.recipient().equals(subscriber.email) && Objects.equals(name, subscriber.name);
    }
}
