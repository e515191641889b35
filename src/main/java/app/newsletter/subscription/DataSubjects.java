package app.newsletter.subscription;

import app.newsletter.outbox.MailRecord;
import app.newsletter.outbox.Outbox;
import app.newsletter.platform.AuditLog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    private final EntityManager em;
    private final Outbox outbox;
    private final AuditLog audit;

    private final SubscriptionConfig config;

    DataSubjects(EntityManager em, Outbox outbox, AuditLog audit, SubscriptionConfig config) {
        this.config = config;
        this.em = em;
        this.outbox = outbox;
        this.audit = audit;
    }

    @Transactional
    public Optional<Report> access(EmailAddress address, String actor) {
        List<Subscriber> subscribers = subscribers(address);
        List<MailRecord> mails = outbox.mailsTo(address.value());
        if (subscribers.isEmpty() && mails.isEmpty()) {
            return Optional.empty();
        }
        List<ConsentView> consents = subscribers.isEmpty() ? List.of()
                : em.createQuery("from ConsentRecord where subscriberId in :ids order by id", ConsentRecord.class)
                        .setParameter("ids", subscribers.stream().map(s -> s.id).toList())
                        .getResultStream()
                        .map(c -> new ConsentView(c.listId, c.event.toLowerCase(), c.occurredAt, c.ip, c.userAgent,
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
        long consents = ((Number) em.createNativeQuery("select count(*) from consent_record c join subscriber s "
                + "on s.id = c.subscriber_id where lower(s.email) = lower(:email)")
                .setParameter("email", address.value()).getSingleResult()).longValue();
        // A signup still queued behind its reply goes too, before it could bring the address back.
        em.createNativeQuery("delete from known_signup where lower(email) = lower(:email)")
                .setParameter("email", address.value()).executeUpdate();
        int subscriptions = em.createNativeQuery("delete from subscriber where lower(email) = lower(:email)")
                .setParameter("email", address.value()).executeUpdate();
        int mails = outbox.eraseMailsTo(address.value());
        // The daily cap's and the cooldowns' rows hold only hashes and expire within a day; they go with the rest all
        // the same.
        em.createNativeQuery("delete from rate_window where key in (:keys)")
                .setParameter("keys", ConfirmationGate.keysOf(address.value(), config.lists().keySet()))
                .executeUpdate();
        if (subscriptions == 0 && mails == 0) {
            return Optional.empty();
        }
        String subject = subjectHash(address);
        em.createNativeQuery("insert into suppression (hash, created_at) values (decode(:hash, 'hex'), now()) "
                + "on conflict (hash) do nothing").setParameter("hash", subject).executeUpdate();
        Erasure erasure = new Erasure(subscriptions, consents, mails);
        audit.record(actor, "ERASURE", Map.of("subject", subject, "subscriptions", subscriptions,
                "consents", consents, "mails", mails), null);
        return Optional.of(erasure);
    }

    /** Salted with the installation's own secret: the audit trail can match requests without naming anyone. */
    private String subjectHash(EmailAddress address) {
        byte[] hash = (byte[]) em.createNativeQuery("select sha256(value || convert_to(lower(:email), 'UTF8')) "
                + "from installation_secret where name = 'suppression-salt'")
                .setParameter("email", address.value()).getSingleResult();
        return HexFormat.of().formatHex(hash);
    }

    private List<Subscriber> subscribers(EmailAddress address) {
        return em.createQuery("from Subscriber where lower(email) = lower(:email) order by id", Subscriber.class)
                .setParameter("email", address.value()).getResultList();
    }

    private static SubscriptionView view(Subscriber s) {
        return new SubscriptionView(s.id, s.listId, s.email, s.name, s.status.name().toLowerCase(), s.source,
                s.consentVersion, s.createdAt, s.confirmedAt, s.unsubscribedAt, s.ebookDownloads,
                s.lastConfirmationSentAt, s.lastEbookSentAt);
    }
}
