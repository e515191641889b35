package app.newsletter.webhooks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.agroal.api.AgroalDataSource;

/**
 * The home of {@code webhook_message} and {@code webhook_endpoint}. Plain JDBC, not Panache, for the same reasons as
 * the mail outbox: the events of new signups are inserted by the signup group commit's own statement (a {@code with}
 * clause, {@link #insertFrom}), and the dispatcher claims with {@code FOR UPDATE SKIP LOCKED} and settles a round's
 * deliveries in one statement.
 */
@ApplicationScoped
class WebhookStore {

    /** Most events one row carries: a group's row stays a few kB, in its heap page (V16__webhook_message_groups.sql). */
    static final int GROUP = 8;
    /** Between a group row's bodies: U+001E, RFC 7464's record separator, which no JSON text contains. */
    static final char BODY_SEPARATOR = '\u001e';

    /**
     * Queues events selected from {@code source}, a relation of columns list_id, event_type, occurred_at, data (the
     * text of a JSON object) and client (the text of a JSON object, or null), once for every
     * endpoint bound by {@link #bindEndpoints} whose event and list filters let it through. The body is Standard
     * Webhooks' {@code {"type", "timestamp", "data"}}; data gains the client's members only for an endpoint that opted
     * in. Each event gets one webhook-id, shared by its endpoints. The statement's own parameters come before any of
     * the source's. The body is spliced as text, not built with PostgreSQL's JSON functions: the signup group commit
     * runs this for every new subscriber, and building the same body with {@code jsonb_build_object} and
     * {@code json_build_object} cost 12 µs a row against 5 (bench/README.md); event types are wire names, which need
     * no escaping. The events of one endpoint, type and list share a row, up to {@link #GROUP} of them: a row's
     * insert, index entries, delete and vacuum are paid once per group, not once per event (bench/README.md).
     */
    static String insertFrom(String source) {
        return """
                insert into webhook_message (endpoint_id, msg_id, event_type, list_id, body, events, created_at,
                                             next_attempt_at)
                select endpoint_id, string_agg(msg_id, ' ' order by n), event_type, list_id,
                       string_agg(body, chr(30) order by n), count(*), ?, ?
                  from (select ep.id as endpoint_id, e.msg_id, e.event_type, e.list_id,
                               -- A raw U+001E (only a caller's invalid JSON has one) becomes its JSON escape, so
                               -- that it can never split a group row's bodies.
                               replace('{"type":"' || e.event_type || '","timestamp":"'
                                 || to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
                                 || '","data":'
                                 || case when not (ep.client and e.client is not null and e.client <> '{}') then e.data
                                         when e.data = '{}' then e.client
                                         else left(e.data, -1) || ',' || substr(e.client, 2) end
                                 || '}', chr(30), '\\u001e') as body,
                               row_number() over (partition by ep.id, e.event_type, e.list_id) - 1 as n
                          from unnest(?::text[], ?::text[], ?::text[], ?::boolean[]) as ep(id, events, lists, client)
                          join (select *, 'msg_' || replace(gen_random_uuid()::text, '-', '') as msg_id
                                  from %s) e
                            on (ep.events is null or e.event_type = any (string_to_array(ep.events, ',')))
                           and (ep.lists is null or e.list_id = any (string_to_array(ep.lists, ',')))) q
                 group by endpoint_id, event_type, list_id, n / %d""".formatted(source, GROUP);
    }

    private static final String INSERT = insertFrom("""
            (select ?::text as list_id, ?::text as event_type, ?::timestamptz as occurred_at, ?::text as data,
                    ?::text as client) as s""");

    /** Binds {@link #insertFrom}'s own parameters from {@code p} on; returns the next parameter's index. */
    static int bindEndpoints(Connection connection, PreparedStatement insert, int p, Instant now,
            Collection<WebhookEndpoints.Endpoint> endpoints) throws SQLException {
        OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
        insert.setObject(p++, at);
        insert.setObject(p++, at);
        int n = endpoints.size();
        String[] ids = new String[n];
        String[] events = new String[n];
        String[] lists = new String[n];
        Boolean[] client = new Boolean[n];
        int i = 0;
        for (WebhookEndpoints.Endpoint endpoint : endpoints) {
            ids[i] = endpoint.id();
            events[i] = endpoint.events().isEmpty() ? null : String.join(",", endpoint.events());
            lists[i] = endpoint.lists().isEmpty() ? null : String.join(",", endpoint.lists());
            client[i] = endpoint.includeClient();
            i++;
        }
        insert.setArray(p++, connection.createArrayOf("text", ids));
        insert.setArray(p++, connection.createArrayOf("text", events));
        insert.setArray(p++, connection.createArrayOf("text", lists));
        insert.setArray(p++, connection.createArrayOf("boolean", client));
        return p;
    }

    /**
     * Takes the events of one endpoint that are due: deleted in the round's transaction, which holds their row locks
     * until {@link Round#settle} commits. Other instances skip them; if this instance dies (its connection and so its
     * transaction go with it) or the round is rolled back, they are back at once, unchanged. A delivered event has done
     * its job, so taking it by deleting it writes each row once: a lock first and a delete after would write it twice
     * (bench/README.md). Rows are taken, oldest first, while the events before them number fewer than the limit (so a
     * round holds at most the limit and one row's group less one); the rows locked beyond that stay locked, untouched,
     * until the round commits, and are the next round's. {@code = any (array(…))} keeps the plan a key lookup whatever
     * the statistics say.
     */
    private static final String CLAIM = """
            delete from webhook_message
             where id = any (array(select id
                                     from (select id, sum(events) over (order by next_attempt_at, id) - events as before
                                             from (select id, events, next_attempt_at from webhook_message
                                                    where status = 'PENDING' and endpoint_id = ?
                                                      and next_attempt_at <= now()
                                                    order by next_attempt_at
                                                    limit ?
                                                      for update skip locked) due) taken
                                    where before < ?))
            returning id, msg_id, event_type, list_id, body, attempts, created_at, events""";
    /**
     * A failed event goes back as it was, with its attempt counted and its next attempt (or death) set: in a row of its
     * own (its group's others may have been delivered, or be due at other times), under its group row's id when it was
     * that row's only event.
     */
    private static final String FAILED = """
            insert into webhook_message (id, endpoint_id, msg_id, event_type, list_id, body, status, attempts,
                                         created_at, next_attempt_at, last_status, last_error)
            values (coalesce(?, nextval('webhook_message_id_seq')), ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, now()), ?, ?)""";
    private static final String STOP_ENDPOINT = """
            with stopped as (update webhook_message set status = 'DISABLED', last_error = ?
                              where endpoint_id = ? and status = 'PENDING'
                             returning events)
            select coalesce(sum(events), 0) from stopped""";
    private static final String ROUND = """
            insert into webhook_endpoint (endpoint_id, last_delivered_at, last_failed_at, last_failure)
            values (?, ?, ?, ?)
            on conflict (endpoint_id) do update
               set last_delivered_at = coalesce(excluded.last_delivered_at, webhook_endpoint.last_delivered_at),
                   last_failed_at = coalesce(excluded.last_failed_at, webhook_endpoint.last_failed_at),
                   last_failure = coalesce(excluded.last_failure, webhook_endpoint.last_failure)""";
    private static final String DISABLE = """
            insert into webhook_endpoint (endpoint_id, disabled_at, disabled_url, disabled_reason)
            values (?, now(), ?, ?)
            on conflict (endpoint_id) do update
               set disabled_at = now(), disabled_url = excluded.disabled_url,
                   disabled_reason = excluded.disabled_reason""";
    private static final String ENABLE = """
            update webhook_endpoint set disabled_at = null, disabled_url = null, disabled_reason = null
             where endpoint_id = ?""";
    private static final String ENDPOINTS = """
            select e.endpoint_id, e.last_delivered_at, e.last_failed_at, e.last_failure, e.disabled_at,
                   e.disabled_url, e.disabled_reason
              from webhook_endpoint e""";
    private static final String BACKLOG = """
            select endpoint_id, sum(events), min(created_at), 0 from webhook_message where status = 'PENDING'
             group by endpoint_id
            union all
            select endpoint_id, 0, null, sum(events) from webhook_message where status = 'DEAD'
             group by endpoint_id""";
    private static final String PURGE = """
            delete from webhook_message
             where created_at < ? and status in ('DEAD', 'DISABLED')""";

    /**
     * A claimed event.
     *
     * @param rowId its row's id, or 0 when its row carried a group (a retry gets a row, and so an id, of its own)
     */
    record Claimed(long rowId, String msgId, String type, String listId, String body, int attempts,
            Instant createdAt) {
    }

    /** An endpoint's state as stored. */
    record State(Instant lastDeliveredAt, Instant lastFailedAt, String lastFailure, Instant disabledAt,
            String disabledUrl, String disabledReason) {
    }

    /** An endpoint's queue: events waiting and the oldest's time, events given up on. */
    record Backlog(long pending, Instant oldestPending, long dead) {
        static final Backlog EMPTY = new Backlog(0, null, 0);
    }

    private final AgroalDataSource dataSource;

    WebhookStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Queues one event for the given endpoints (their filters apply), in the caller's transaction.
     *
     * @param data the event's data as a JSON object
     * @param client the visitor's fields as a JSON object, or null
     */
    void insert(Collection<WebhookEndpoints.Endpoint> endpoints, String listId, EventType type, Instant at,
            String data, String client) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(INSERT)) {
            int p = bindEndpoints(connection, insert, 1, Instant.now(), endpoints);
            insert.setString(p++, listId);
            insert.setString(p++, type.wireName());
            insert.setObject(p++, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            insert.setString(p++, data);
            insert.setString(p, client);
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not queue a " + type.wireName() + " event: " + e.getMessage(), e);
        }
    }

    /**
     * Claims an endpoint's due events for one round, in a transaction that holds them until {@link Round#settle}: the
     * uncommitted delete is the lease (an instance that dies, or whose round outlives the session's idle limit, lets
     * them go at once).
     */
    Round claim(String endpointId, int limit, Duration maxRound) {
        Connection connection = null;
        try {
            connection = dataSource.getConnection();
            connection.setAutoCommit(false);
            try (Statement limitRound = connection.createStatement()) {
                // A round that hangs (a frozen instance) must not keep its events locked for ever.
                limitRound.execute("set local idle_in_transaction_session_timeout = " + maxRound.toMillis());
            }
            List<Claimed> claimed = new ArrayList<>(limit);
            try (PreparedStatement claim = connection.prepareStatement(CLAIM)) {
                claim.setString(1, endpointId);
                claim.setInt(2, limit);
                claim.setInt(3, limit);
                try (ResultSet rows = claim.executeQuery()) {
                    while (rows.next()) {
                        expand(rows, claimed);
                    }
                }
            }
            return new Round(endpointId, connection, claimed);
        } catch (SQLException | RuntimeException e) {
            close(connection);
            throw new IllegalStateException("could not claim webhook events: " + e.getMessage(), e);
        }
    }

    /** A claimed row's events: one, or its group's, whose webhook-ids and bodies come in the same order. */
    private static void expand(ResultSet row, List<Claimed> claimed) throws SQLException {
        long id = row.getLong(1);
        int events = row.getInt(8);
        String type = row.getString(3);
        String listId = row.getString(4);
        int attempts = row.getInt(6) + 1;
        Instant createdAt = row.getTimestamp(7).toInstant();
        if (events == 1) {
            claimed.add(new Claimed(id, row.getString(2), type, listId, row.getString(5), attempts, createdAt));
            return;
        }
        String[] ids = row.getString(2).split(" ");
        String[] bodies = row.getString(5).split(String.valueOf(BODY_SEPARATOR));
        if (ids.length != events || bodies.length != events) {
            // insertFrom never writes such a row (it escapes U+001E in bodies; webhook-ids have no spaces): only a
            // hand-edited one. The round rolls back and the events stay queued, none sent twice.
            throw new IllegalStateException("webhook row " + id + " holds " + ids.length + " ids and " + bodies.length
                    + " bodies for " + events + " events");
        }
        for (int i = 0; i < events; i++) {
            claimed.add(new Claimed(0, ids[i], type, listId, bodies[i], attempts, createdAt));
        }
    }

    /** One round's claimed events and the transaction that holds them. */
    final class Round implements AutoCloseable {
        private final String endpointId;
        private final Connection connection;
        private final List<Claimed> events;

        private Round(String endpointId, Connection connection, List<Claimed> events) {
            this.endpointId = endpointId;
            this.connection = connection;
            this.events = events;
        }

        List<Claimed> events() {
            return events;
        }

        /**
         * Settles the round and commits: the delivered events stay deleted, the failed ones go back in one batch, the
         * endpoint's last times are kept.
         */
        void settle(boolean anyDelivered, List<Failure> failures) {
            try {
                String lastFailure = null;
                if (!failures.isEmpty()) {
                    try (PreparedStatement insert = connection.prepareStatement(FAILED)) {
                        for (Failure failure : failures) {
                            Claimed event = failure.event();
                            if (event.rowId() == 0) {
                                insert.setNull(1, java.sql.Types.BIGINT);
                            } else {
                                insert.setLong(1, event.rowId());
                            }
                            insert.setString(2, endpointId);
                            insert.setString(3, event.msgId());
                            insert.setString(4, event.type());
                            insert.setString(5, event.listId());
                            insert.setString(6, event.body());
                            insert.setString(7, failure.next() == null ? "DEAD" : "PENDING");
                            insert.setInt(8, event.attempts());
                            insert.setObject(9, OffsetDateTime.ofInstant(event.createdAt(), ZoneOffset.UTC));
                            insert.setObject(10, failure.next() == null ? null
                                    : OffsetDateTime.ofInstant(failure.next(), ZoneOffset.UTC));
                            if (failure.status() == 0) {
                                insert.setNull(11, java.sql.Types.INTEGER);
                            } else {
                                insert.setInt(11, failure.status());
                            }
                            insert.setString(12, failure.error());
                            insert.addBatch();
                            lastFailure = failure.error();
                        }
                        insert.executeBatch();
                    }
                }
                try (PreparedStatement round = connection.prepareStatement(ROUND)) {
                    Timestamp now = Timestamp.from(Instant.now());
                    round.setString(1, endpointId);
                    round.setTimestamp(2, anyDelivered ? now : null);
                    round.setTimestamp(3, failures.isEmpty() ? null : now);
                    round.setString(4, lastFailure);
                    round.executeUpdate();
                }
                connection.commit();
            } catch (SQLException e) {
                throw new IllegalStateException("could not settle webhook events: " + e.getMessage(), e);
            }
        }

        /** Rolls back what was not settled (its events are due again) and gives the connection back clean. */
        @Override
        public void close() {
            WebhookStore.close(connection);
        }
    }

    private static void close(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            try {
                connection.rollback();
            } finally {
                connection.setAutoCommit(true);
                connection.close();
            }
        } catch (SQLException e) {
            // The connection is broken; the pool validates and drops it.
        }
    }

    /** A failed attempt: when to try again (null: never, the event is dead), the HTTP status (0: none) and why. */
    record Failure(Claimed event, Instant next, int status, String error) {
    }

    /** The endpoint said 410 Gone: it is disabled for this URL, and its queued events stop. */
    int disable(String endpointId, String url, String reason) {
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement disable = connection.prepareStatement(DISABLE)) {
                disable.setString(1, endpointId);
                disable.setString(2, url);
                disable.setString(3, reason);
                disable.executeUpdate();
            }
            int stopped;
            try (PreparedStatement stop = connection.prepareStatement(STOP_ENDPOINT)) {
                stop.setString(1, "endpoint disabled: " + reason);
                stop.setString(2, endpointId);
                try (ResultSet count = stop.executeQuery()) {
                    count.next();
                    stopped = count.getInt(1);
                }
            }
            commitUnlessAuto(connection);
            return stopped;
        } catch (SQLException e) {
            throw new IllegalStateException("could not disable webhook endpoint: " + e.getMessage(), e);
        }
    }

    /** @return whether the endpoint was disabled */
    boolean enable(String endpointId) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement enable = connection.prepareStatement(ENABLE)) {
            enable.setString(1, endpointId);
            boolean was = enable.executeUpdate() > 0;
            commitUnlessAuto(connection);
            return was;
        } catch (SQLException e) {
            throw new IllegalStateException("could not enable webhook endpoint: " + e.getMessage(), e);
        }
    }

    Map<String, State> states() {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(ENDPOINTS);
                ResultSet rows = select.executeQuery()) {
            Map<String, State> states = new HashMap<>();
            while (rows.next()) {
                states.put(rows.getString(1), new State(instant(rows.getTimestamp(2)), instant(rows.getTimestamp(3)),
                        rows.getString(4), instant(rows.getTimestamp(5)), rows.getString(6), rows.getString(7)));
            }
            commitUnlessAuto(connection);
            return states;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read webhook endpoints: " + e.getMessage(), e);
        }
    }

    /** Per endpoint id; read through the partial indexes, so its cost follows the backlog, not the table. */
    Map<String, Backlog> backlog() {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(BACKLOG);
                ResultSet rows = select.executeQuery()) {
            Map<String, Backlog> backlog = new HashMap<>();
            while (rows.next()) {
                Backlog row = new Backlog(rows.getLong(2), instant(rows.getTimestamp(3)), rows.getLong(4));
                backlog.merge(rows.getString(1), row, (a, b) -> new Backlog(a.pending() + b.pending(),
                        a.oldestPending() != null ? a.oldestPending() : b.oldestPending(), a.dead() + b.dead()));
            }
            commitUnlessAuto(connection);
            return backlog;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the webhook backlog: " + e.getMessage(), e);
        }
    }

    /** Deletes delivered, dead and disabled events queued before {@code before}. */
    int purge(Instant before) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement purge = connection.prepareStatement(PURGE)) {
            purge.setObject(1, OffsetDateTime.ofInstant(before, ZoneOffset.UTC));
            int deleted = purge.executeUpdate();
            commitUnlessAuto(connection);
            return deleted;
        } catch (SQLException e) {
            throw new IllegalStateException("could not purge webhook events: " + e.getMessage(), e);
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static void commitUnlessAuto(Connection connection) throws SQLException {
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
    }
}
