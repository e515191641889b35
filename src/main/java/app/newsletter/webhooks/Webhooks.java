package app.newsletter.webhooks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The only way to send a webhook: queue its event in the transaction that changes the state it reports, so that
 * nothing is sent for a change that rolled back and nothing is lost for one that committed (the same discipline as the
 * mail outbox). Knows no feature: callers give the event's list, data and client fields.
 */
@ApplicationScoped
public class Webhooks {

    private final WebhookEndpoints endpoints;
    private final WebhookStore store;
    private final ObjectMapper json;

    Webhooks(WebhookEndpoints endpoints, WebhookStore store, ObjectMapper json) {
        this.endpoints = endpoints;
        this.store = store;
        this.json = json;
    }

    /** Whether any endpoint (disabled ones included) receives events of this type: without one, emit nothing. */
    public boolean wanted(EventType type) {
        return endpoints.all().stream().anyMatch(endpoint -> endpoint.wants(type));
    }

    /**
     * The lists each endpoint is limited to (empty: all), so that the feature that owns the lists can check them at
     * start-up.
     */
    public Map<String, java.util.Set<String>> listsByEndpoint() {
        Map<String, java.util.Set<String>> lists = new java.util.TreeMap<>();
        endpoints.all().forEach(endpoint -> lists.put(endpoint.id(), endpoint.lists()));
        return lists;
    }

    /**
     * Queues an event for every active endpoint whose filters let it through, in the caller's transaction (MANDATORY:
     * outside it, an event could go out for a change that rolled back). Sends no statement when no endpoint wants it.
     *
     * @param data the event's data (Jackson-serialisable values; instants as ISO strings)
     * @param client the visitor's IP address and user agent, sent only to endpoints that opted in; may be null
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void emit(EventType type, String listId, Instant at, Map<String, ?> data, Map<String, ?> client) {
        List<WebhookEndpoints.Endpoint> targets = endpoints.active().stream().filter(e -> e.wants(type)).toList();
        if (targets.isEmpty()) {
            return;
        }
        store.insert(targets, listId, type, at, json(data), client == null ? null : json(client));
    }

    /** The JSON text of an event's data or client fields, as {@link #emit} writes them. */
    public String json(Map<String, ?> fields) {
        try {
            return json.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event data not serialisable: " + e.getMessage(), e);
        }
    }

    /**
     * The statement that queues events, for a caller that queues them in a statement of its own (a data-modifying
     * {@code with} clause beside the state change): the signup group commit writes its subscribers and their
     * {@code subscription.created} events in one round trip. {@code source} is a relation of columns list_id,
     * event_type, occurred_at, data (the text of a JSON object) and client (the text of a JSON object, or null):
     * {@link #json} writes them as {@link #emit} does. The statement's own parameters come before
     * the source's: bind them with {@link #bindQueued}.
     */
    public static String queueFrom(String source) {
        return WebhookStore.insertFrom(source);
    }

    /**
     * Binds {@link #queueFrom}'s parameters from index {@code p} on, for the active endpoints that want {@code type}.
     *
     * @return the index of the next parameter
     */
    public int bindQueued(Connection connection, PreparedStatement statement, int p, Instant now, EventType type)
            throws SQLException {
        return WebhookStore.bindEndpoints(connection, statement, p, now,
                endpoints.active().stream().filter(e -> e.wants(type)).toList());
    }
}
