package app.newsletter.subscription;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import app.newsletter.abuse.RateWindows;
import app.newsletter.outbox.MailRecord;
import app.newsletter.outbox.Outbox;
import app.newsletter.outbox.Suppressions;
import app.newsletter.platform.AuditLog;
import app.newsletter.webhooks.EventType;

/** GDPR access and erasure requests: everything stored about an address, and its removal. */
@ApplicationScoped
public class DataSubjects {

    public record Report(String email, List<SubscriptionView> subscriptions, List<ConsentView> consents,
            List<MailRecord> mails) {
    }

    public record SubscriptionView(long id, String list, String email, String name, String status, String source,
            String consentVersion, Instant subscribedAt, Instant confirmedAt, Instant unsubscribedAt,
            int ebookDownloads, Instant lastConfirmationSentAt, Instant lastEbookSentAt) {
    }

    public record ConsentView(String list, String event, Instant at, String ip, String userAgent, String source,
            String consentVersion) {
    }

    public record Erasure(long subscriptions, long consents, long mails) {
    }

    private final Outbox outbox;
    private final AuditLog audit;

    private final SubscriptionConfig config;
    private final KnownSignups knownSignups;
    private final RateWindows windows;
    private final Suppressions suppressions;
    private final SubscriptionEvents events;

    DataSubjects(Outbox outbox, AuditLog audit, SubscriptionConfig config,
            KnownSignups knownSignups, RateWindows windows, Suppressions suppressions, SubscriptionEvents events) {
        this.events = events;
        this.config = config;
        this.outbox = outbox;
        this.audit = audit;
        this.knownSignups = knownSignups;
        this.windows = windows;
        this.suppressions = suppressions;
    }

    @Transactional
    public Optional<Report> access(EmailAddress address, String actor) {
        List<Subscriber> subscribers = subscribers(address);
        List<MailRecord> mails = outbox.mailsTo(address.value());
        if (subscribers.isEmpty() && mails.isEmpty()) {
            return Optional.empty();
        }
        List<ConsentView> consents = subscribers.isEmpty() ? List.of()
                : ConsentRecord.<ConsentRecord> stream("#ConsentRecord.ofSubscribers",
                        subscribers.stream().map(s -> s.id).toList())
                        .map(c -> new ConsentView(c.listId, c.event.name().toLowerCase(Locale.ROOT), c.occurredAt, c.ip,
                                c.userAgent,
                                c.source, c.consentVersion))
                        .toList();
        audit.record(actor, "ACCESS_REQUEST", Map.of("subject", subjectHash(address)), null);
        return Optional.of(new Report(address.value(), subscribers.stream().map(DataSubjects::view).toList(),
                consents, mails));
    }

    /**
     * Deletes the subscriber rows (their links and consent records go with them) and every mail to the address, and
     * keeps a salted hash so that a bulk import cannot bring the address back. A new signup through a form is a new
     * consent and still works.
     */
    @Transactional
    public Optional<Erasure> erase(EmailAddress address, String actor) {
        long consents = ConsentRecord.count("#ConsentRecord.countForAddress", address.value());
        // The lists it was on, for the erasure's events; read before the rows go.
        Set<String> lists = events.wanted(EventType.SUBSCRIBER_ERASED)
                ? subscribers(address).stream().map(s -> s.listId).collect(Collectors.toCollection(TreeSet::new))
                : Set.of();
        knownSignups.forget(address.value());
        long subscriptions = Subscriber.delete("#Subscriber.eraseAddress", address.value());
        int mails = outbox.eraseMailsTo(address.value());
        // The daily cap's and the cooldowns' rows hold only hashes and expire within a day; they go with the rest all
        // the same.
        windows.forget(ConfirmationGate.keysOf(address.value(), config.lists().keySet()));
        if (subscriptions == 0 && mails == 0) {
            return Optional.empty();
        }
        String subject = subjectHash(address);
        suppressions.add(address.value(), Suppressions.Reason.ERASED);
        events.erased(lists, subject, Instant.now());
        Erasure erasure = new Erasure(subscriptions, consents, mails);
        audit.record(actor, "ERASURE", Map.of("subject", subject, "subscriptions", subscriptions,
                "consents", consents, "mails", mails), null);
        return Optional.of(erasure);
    }

    /** Salted with the installation's own secret: the audit trail can match requests without naming anyone. */
    private String subjectHash(EmailAddress address) {
        return suppressions.hash(address.value());
    }

    private static List<Subscriber> subscribers(EmailAddress address) {
        return Subscriber.list("#Subscriber.byAddress", address.value());
    }

    private static SubscriptionView view(Subscriber s) {
        return new SubscriptionView(s.id, s.listId, s.email, s.name, s.status.name().toLowerCase(), s.source,
                s.consentVersion, s.createdAt, s.confirmedAt, s.unsubscribedAt, s.ebookDownloads,
                s.lastConfirmationSentAt, s.lastEbookSentAt);
    }
}
