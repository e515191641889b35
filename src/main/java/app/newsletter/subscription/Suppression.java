package app.newsletter.subscription;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import app.newsletter.outbox.Outbox;
import app.newsletter.outbox.Suppressions;

/**
 * Ends mail to an address that bounced for good or whose owner complained: every subscriber row of it (on every
 * list) says so, with a consent-log entry naming who reported it; its confirmation and download links stop working;
 * queued mail to it stops; and the suppression list keeps its salted hash, so that mail queued later (a new signup of
 * the address, on any list) is dropped too. The signup's reply stays the same.
 */
@ApplicationScoped
public class Suppression {

    private static final Logger LOG = Logger.getLogger(Suppression.class);

    /** What the relay reported. */
    public enum Kind {
        BOUNCE(Subscriber.Status.BOUNCED, ConsentRecord.Event.BOUNCE, Suppressions.Reason.BOUNCED),
        COMPLAINT(Subscriber.Status.COMPLAINED, ConsentRecord.Event.COMPLAINT, Suppressions.Reason.COMPLAINED);

        final Subscriber.Status status;
        final ConsentRecord.Event event;
        final Suppressions.Reason reason;

        Kind(Subscriber.Status status, ConsentRecord.Event event, Suppressions.Reason reason) {
            this.status = status;
            this.event = event;
            this.reason = reason;
        }
    }

    /** @param subscribers rows that changed status; mails queued mail stopped */
    public record Outcome(int subscribers, int mails) {
    }

    private final Outbox outbox;
    private final Suppressions suppressions;
    private final Tokens tokens;
    private final SubscriptionMetrics metrics;

    Suppression(Outbox outbox, Suppressions suppressions, Tokens tokens, SubscriptionMetrics metrics) {
        this.outbox = outbox;
        this.suppressions = suppressions;
        this.tokens = tokens;
        this.metrics = metrics;
    }

    /**
     * Idempotent: a report delivered twice changes nothing the second time (a complaint still overrides a bounce).
     *
     * @param reporter who reported it, for the consent log, e.g. "ses" or "smtp"
     */
    @Transactional
    public Outcome suppress(EmailAddress address, Kind kind, String reporter) {
        Instant now = Instant.now();
        List<Subscriber> rows = Subscriber.list("#Subscriber.byAddress", address.value());
        int changed = 0;
        for (Subscriber subscriber : rows) {
            if (subscriber.status == kind.status || subscriber.status == Subscriber.Status.COMPLAINED) {
                continue;
            }
            subscriber.status = kind.status;
            subscriber.updatedAt = now;
            tokens.revokeAccessLinks(subscriber.id, now);
            ConsentRecord.record(subscriber, kind.event, new ClientInfo(null, "reported by " + reporter), now);
            changed++;
            LOG.infof("subscriber %d is %s (reported by %s): mail to it stops", subscriber.id, kind.status, reporter);
        }
        suppressions.add(address.value(), kind.reason);
        int mails = outbox.stopMailsTo(address.value(), "recipient " + kind.status.name().toLowerCase() + " ("
                + reporter + ")");
        metrics.suppressed(kind.name().toLowerCase(), reporter);
        return new Outcome(changed, mails);
    }
}
