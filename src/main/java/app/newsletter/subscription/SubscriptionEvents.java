package app.newsletter.subscription;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import app.newsletter.webhooks.EventType;
import app.newsletter.webhooks.Webhooks;
import io.quarkus.runtime.StartupEvent;

/**
 * The webhook events of the subscription's state changes, each queued in the transaction of its change. New signups
 * queue theirs inside the group commit's statement ({@link NewSignups}, with the data of
 * {@link #createdDataAfterId}). Data carry the list, the address and its subscription, never a token; the visitor's IP
 * address and user agent go only to endpoints that opted in.
 */
@ApplicationScoped
class SubscriptionEvents {

    private final Webhooks webhooks;
    private final SubscriptionConfig config;

    SubscriptionEvents(Webhooks webhooks, SubscriptionConfig config) {
        this.webhooks = webhooks;
        this.config = config;
    }

    /** An endpoint limited to a list that does not exist would silently receive nothing: stop start-up instead. */
    void checkLists(@Observes StartupEvent event) {
        webhooks.listsByEndpoint().forEach((endpoint, lists) -> {
            for (String list : lists) {
                if (!config.lists().containsKey(list)) {
                    throw new IllegalStateException("NEWSLETTER_WEBHOOKS_"
                            + endpoint.toUpperCase().replace('-', '_') + "_LISTS: there is no list '" + list
                            + "' (lists: " + String.join(", ", config.lists().keySet()) + ")");
                }
            }
        });
    }

    boolean wanted(EventType type) {
        return webhooks.wanted(type);
    }

    @Transactional(Transactional.TxType.MANDATORY)
    void confirmed(Subscriber subscriber, ClientInfo client, Instant at) {
        webhooks.emit(EventType.SUBSCRIPTION_CONFIRMED, subscriber.listId, at, data(subscriber), client(client));
    }

    @Transactional(Transactional.TxType.MANDATORY)
    void unsubscribed(Subscriber subscriber, ClientInfo client, Instant at) {
        webhooks.emit(EventType.SUBSCRIPTION_UNSUBSCRIBED, subscriber.listId, at, data(subscriber), client(client));
    }

    @Transactional(Transactional.TxType.MANDATORY)
    void downloaded(Subscriber subscriber, Instant at) {
        webhooks.emit(EventType.EBOOK_DOWNLOADED, subscriber.listId, at, data(subscriber), null);
    }

    /** Carries only the salted hash that the suppression list and the audit trail keep, never the address. */
    @Transactional(Transactional.TxType.MANDATORY)
    void erased(Set<String> lists, String subjectHash, Instant at) {
        for (String list : lists) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("list", list);
            data.put("subjectHash", subjectHash);
            data.put("erasedAt", at.toString());
            webhooks.emit(EventType.SUBSCRIBER_ERASED, list, at, data, null);
        }
    }

    /** The fields of every subscription event. */
    static Map<String, Object> data(Subscriber subscriber) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", subscriber.id);
        data.putAll(fields(subscriber.listId, subscriber.email, subscriber.name, subscriber.status, subscriber.source,
                subscriber.consentVersion, subscriber.createdAt, subscriber.confirmedAt, subscriber.unsubscribedAt,
                subscriber.ebookDownloads));
        return data;
    }

    /**
     * A new subscriber's {@code subscription.created} data after its id, for the group commit's statement
     * ({@link NewSignups}), which writes the subscriber, then puts the object's opening brace and {@code "id":} with
     * the row's id before this text (which starts {@code ,"list":}): the fields of {@link #data(Subscriber)}, written
     * here rather than built in SQL, where they cost the signup's transaction more than the rest of its event
     * (bench/README.md).
     */
    String createdDataAfterId(String listId, String email, String name, String source, String consentVersion,
            Instant createdAt) {
        return "," + webhooks.json(fields(listId, email, name, Subscriber.Status.PENDING, source, consentVersion,
                createdAt, null, null, 0)).substring(1);
    }

    /** The client fields of {@code subscription.created}, for endpoints that opted in ({@link NewSignups}). */
    String createdClient(ClientInfo client) {
        return webhooks.json(client(client));
    }

    private static Map<String, Object> fields(String listId, String email, String name, Subscriber.Status status,
            String source, String consentVersion, Instant createdAt, Instant confirmedAt, Instant unsubscribedAt,
            int ebookDownloads) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("list", listId);
        data.put("email", email);
        data.put("name", name);
        data.put("status", status.name().toLowerCase());
        data.put("source", source);
        data.put("consentVersion", consentVersion);
        data.put("createdAt", text(createdAt));
        data.put("confirmedAt", text(confirmedAt));
        data.put("unsubscribedAt", text(unsubscribedAt));
        data.put("ebookDownloads", ebookDownloads);
        return data;
    }

    private static Map<String, Object> client(ClientInfo client) {
        if (client == null) {
            return null;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("ip", client.ip());
        fields.put("userAgent", client.userAgent());
        return fields;
    }

    private static String text(Instant at) {
        return at == null ? null : at.toString();
    }
}
