package app.newsletter.webhooks;

import java.io.IOException;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonGenerator;
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
     * @param data the text of the event's data, a JSON object ({@link #json})
     * @param client the text of a JSON object of the visitor's IP address and user agent, sent only to endpoints that
     *        opted in; may be null
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void emit(EventType type, String listId, Instant at, String data, String client) {
        List<WebhookEndpoints.Endpoint> targets = endpoints.active().stream().filter(e -> e.wants(type)).toList();
        if (targets.isEmpty()) {
            return;
        }
        store.insert(targets, listId, type, at, data, client);
    }

    /** Whether an active endpoint that receives this type opted in to the visitor's IP address and user agent. */
    public boolean clientWanted(EventType type) {
        for (WebhookEndpoints.Endpoint endpoint : endpoints.active()) {
            if (endpoint.includeClient() && endpoint.wants(type)) {
                return true;
            }
        }
        return false;
    }

    /** Writes one JSON value to a generator. */
    @FunctionalInterface
    public interface JsonWriter {
        void write(JsonGenerator json) throws IOException;
    }

    /**
     * The JSON text that {@code writer} writes with a generator of the service's JSON factory: event data and client
     * fields are written field by field (a signup's run once per signup), not serialised from maps.
     */
    public String json(JsonWriter writer) {
        StringWriter text = new StringWriter(256);
        try (JsonGenerator generator = json.getFactory().createGenerator(text)) {
            writer.write(generator);
        } catch (IOException e) {
            throw new IllegalStateException("event data not writable: " + e.getMessage(), e);
        }
        return text.toString();
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
