package app.newsletter.outbox;

import java.time.Duration;

/**
 * When a claimed mail may still be handed to SMTP. A send starts at the latest {@code startWithin} after its claim
 * and is cut off after {@code timeout}; the rest of the lease ({@code lease / 4}) is left for recording the outcome.
 * So no send of this instance can still be running when the lease ends and another instance may claim the mail.
 * The send timeout is shortened when the lease is too short for it.
 */
record SendWindow(Duration timeout, Duration startWithin) {

    static SendWindow of(Duration lease, Duration sendTimeout) {
        Duration margin = lease.dividedBy(4);
        Duration fitting = lease.minus(margin).dividedBy(2);
        Duration timeout = sendTimeout.compareTo(fitting) > 0 ? fitting : sendTimeout;
        return new SendWindow(timeout, lease.minus(margin).minus(timeout));
    }
}
