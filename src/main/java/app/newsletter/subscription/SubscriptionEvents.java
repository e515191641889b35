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
 * queue theirs inside the group commit's statement ({@link NewSignups}, with the same data fields as
 * {@link #data(Subscriber)}). Data carry the list, the address and its subscription, never a token; the visitor's IP
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

    /** The fields of every subscription event; the group commit builds the same object in SQL for new signups. */
    static Map<String, Object> data(Subscriber subscriber) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", subscriber.id);
        data.put("list", subscriber.listId);
        data.put("email", subscriber.email);
        data.put("name", subscriber.name);
        data.put("status", subscriber.status.name().toLowerCase());
        data.put("source", subscriber.source);
        data.put("consentVersion", subscriber.consentVersion);
        data.put("createdAt", text(subscriber.createdAt));
        data.put("confirmedAt", text(subscriber.confirmedAt));
        data.put("unsubscribedAt", text(subscriber.unsubscribedAt));
        data.put("ebookDownloads", subscriber.ebookDownloads);
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
