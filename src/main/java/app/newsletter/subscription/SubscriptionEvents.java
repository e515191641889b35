package app.newsletter.subscription;

import java.io.IOException;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonGenerator;

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
            String data = webhooks.json(json -> {
                json.writeStartObject();
                json.writeStringField("list", list);
                json.writeStringField("subjectHash", subjectHash);
                json.writeStringField("erasedAt", at.toString());
                json.writeEndObject();
            });
            webhooks.emit(EventType.SUBSCRIBER_ERASED, list, at, data, null);
        }
    }

    /** The data of every subscription event: a JSON object. */
    String data(Subscriber subscriber) {
        return webhooks.json(json -> {
            json.writeStartObject();
            json.writeNumberField("id", subscriber.id);
            fields(json, subscriber.listId, subscriber.email, subscriber.name, subscriber.status, subscriber.source,
                    subscriber.consentVersion, text(subscriber.createdAt), text(subscriber.confirmedAt),
                    text(subscriber.unsubscribedAt), subscriber.ebookDownloads);
            json.writeEndObject();
        });
    }

    /**
     * A new subscriber's {@code subscription.created} data after its id, for the group commit's statement
     * ({@link NewSignups}), which writes the subscriber, then puts the object's opening brace and {@code "id":} with
     * the row's id before this text (which starts {@code ,"list":}): the fields of {@link #data(Subscriber)}, written
     * here rather than built in SQL, where they cost the signup's transaction more than the rest of its event
     * (bench/README.md). Written field by field, without a map to serialise: it runs once per signup.
     *
     * @param createdAt the group's time as {@link #text} writes it (once per group, not per signup)
     */
    String createdDataAfterId(String listId, String email, String name, String source, String consentVersion,
            String createdAt) {
        // A generator's object is only closed when opened: the fields go in a throwaway object whose brace is cut.
        return "," + webhooks.json(json -> {
            json.writeStartObject();
            fields(json, listId, email, name, Subscriber.Status.PENDING, source, consentVersion, createdAt, null, null,
                    0);
            json.writeEndObject();
        }).substring(1);
    }

    /**
     * Whether an endpoint that receives {@code subscription.created} opted in to the visitor's IP and user agent:
     * without one, the group commit sends none ({@link #client}).
     */
    boolean createdClientWanted() {
        return webhooks.clientWanted(EventType.SUBSCRIPTION_CREATED);
    }

    /** The one place that names the subscription's fields, in the order every event's data carry them. */
    private static void fields(JsonGenerator json, String listId, String email, String name, Subscriber.Status status,
            String source, String consentVersion, String createdAt, String confirmedAt, String unsubscribedAt,
            int ebookDownloads) throws IOException {
        json.writeStringField("list", listId);
        json.writeStringField("email", email);
        json.writeStringField("name", name);
        json.writeStringField("status", status.name().toLowerCase(Locale.ROOT));
        json.writeStringField("source", source);
        json.writeStringField("consentVersion", consentVersion);
        json.writeStringField("createdAt", createdAt);
        json.writeStringField("confirmedAt", confirmedAt);
        json.writeStringField("unsubscribedAt", unsubscribedAt);
        json.writeNumberField("ebookDownloads", ebookDownloads);
    }

    /** The client fields of an event, for endpoints that opted in (also {@link NewSignups}'s); null without a client. */
    String client(ClientInfo client) {
        if (client == null) {
            return null;
        }
        return webhooks.json(json -> {
            json.writeStartObject();
            json.writeStringField("ip", client.ip());
            json.writeStringField("userAgent", client.userAgent());
            json.writeEndObject();
        });
    }

    /** An instant as every event's data write it (ISO-8601, UTC). */
    static String text(Instant at) {
        return at == null ? null : at.toString();
    }
}
