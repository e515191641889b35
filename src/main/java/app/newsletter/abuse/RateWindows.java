package app.newsletter.abuse;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import app.newsletter.http.ClientAddresses;
import io.agroal.api.AgroalDataSource;

/**
 * Sliding-window limits (per client IP, per address) kept in PostgreSQL, so that every instance counts the same
 * requests: the only home of table {@code rate_window}. Plain JDBC because it runs inside the signup group commit,
 * once per group: one upsert decides every key of the group, in the group's own transaction (a request refused there
 * leaves no row; a group rolled back takes its hits with it).
 * <p>
 * Each key is one row holding the times of the requests let through in the last day. The upsert's row lock makes
 * "count, then record" atomic across instances, and its plan is the primary key's conflict check whatever the table's
 * size or statistics: no count over a growing table on the signup path.
 */
@ApplicationScoped
public class RateWindows {

    private static final Logger LOG = Logger.getLogger(RateWindows.class);
    static final Duration MINUTE = Duration.ofMinutes(1);
    static final Duration DAY = Duration.ofDays(1);

    /**
     * A fresh key is granted up to the limits at once; a known one keeps its hits of the last day, is granted what both
     * windows still allow, and appends that many hits. Keys arrive sorted, so that groups of two instances lock shared
     * rows in one order (no deadlock).
     */
    static final String TAKE = upsert("unnest(?::text[], ?::int[])");

    /**
     * The one upsert of a window's keys. {@code counts} is a relation of (key, requests) in key order; the statement
     * takes eleven parameters besides any of {@code counts}: see {@link #bindWindow}.
     */
    private static String upsert(String counts) {
        return """
                insert into rate_window as w (key, hits, granted)
                select k, array_fill(?::timestamptz, array[least(n, ?, ?)]), least(n, ?, ?)
                  from %s as t(k, n)
                on conflict (key) do update
                   set (hits, granted) = (
                        select c.kept || array_fill(?::timestamptz, array[g.n]), g.n
                          from (select coalesce(array_agg(h order by h) filter (where h > ?), '{}') as kept,
                                       count(*) filter (where h > ?) as in_minute,
                                       count(*) filter (where h > ?) as in_day
                                  from unnest(w.hits) as h) c,
                               lateral (select greatest(0, least(excluded.granted, ? - c.in_minute,
                                                                 ? - c.in_day))::int as n) g)
                returning key, granted, hits""".formatted(counts);
    }

    /**
     * Windows one after another, for a whole group in one statement: a request takes a place in window {@code s} only
     * if every window before it let it through (a cooldown that withholds a mail takes no place under the cap), and a
     * request with no key for a window passes it. Each window's keys are upserted in key order, after the window
     * before it is decided (the window function reads all of its input first), so that two groups lock shared rows in
     * one order. The keys of different windows must differ (their prefixes do): one statement cannot touch a row twice.
     * Returns per request, in its order: the index of the window that refused it (null if none) and that window's
     * hits (for Retry-After).
     */
    static String chain(int windows) {
        return "with " + chainClauses(windows) + "\nselect refused_at, hits from verdict order by o";
    }

    /**
     * {@link #chain}'s {@code with} clauses, for a statement that goes on with what they decided (the signup group
     * commit's one statement): they end in {@code verdict(o, refused_at, hits)}, one row per request, {@code o} its
     * place (from 1) in the order of {@link #bindChain}'s keys. Their names all start with {@code w}; their parameters
     * are {@link #bindChain}'s.
     */
    public static String chainClauses(int windows) {
        StringBuilder sql = new StringBuilder("wr as (select * from unnest(");
        StringBuilder keys = new StringBuilder();
        for (int s = 1; s <= windows; s++) {
            sql.append(s > 1 ? ", " : "").append("?::text[]");
            keys.append("k").append(s).append(", ");
        }
        sql.append(") with ordinality as r(").append(keys).append("o))");
        StringBuilder refusedAt = new StringBuilder("case");
        StringBuilder hits = new StringBuilder("case");
        StringBuilder joins = new StringBuilder();
        for (int s = 1; s <= windows; s++) {
            String before = s == 1 ? "select wr.o, wr.k1 as k, true as ok from wr"
                    : "select wr.o, wr.k%d as k, wp%d.ok from wr join wp%d using (o)".formatted(s, s - 1, s - 1);
            sql.append(",\nwc%d as (%s),\n".formatted(s, before));
            sql.append("wt%d as (%s),\n".formatted(s, upsert(("(select k, count(*)::int from wc%d where ok and k is not "
                    + "null group by k order by k)").formatted(s))));
            sql.append(("wp%d as (select c.o, c.k, c.ok and (c.k is null or row_number() over (partition by c.k, c.ok "
                    + "order by c.o) <= t.granted) as ok from wc%d c left join wt%d t on t.key = c.k)")
                    .formatted(s, s, s));
            refusedAt.append(" when not wp%d.ok then %d".formatted(s, s - 1));
            hits.append(" when not wp%d.ok then wt%d.hits".formatted(s, s));
            joins.append(" join wp%d using (o) left join wt%d on wt%d.key = wp%d.k".formatted(s, s, s, s));
        }
        return sql.append(",\nverdict as (select wr.o, ").append(refusedAt).append(" end as refused_at, ").append(hits)
                .append(" end as hits from wr").append(joins).append(")").toString();
    }

    /** A window: at most {@code perWindow} requests per {@code window} (a minute, a cooldown) and {@code perDay} a day. */
    public record Window(int perWindow, Duration window, int perDay) {
    }

    /**
     * What a chain of windows decided for one request.
     *
     * @param refusedAt the index of the window that refused it, -1 when every window let it through
     * @param retryAfter seconds until that window frees a place, 0 when none refused it
     */
    public record Verdict(int refusedAt, long retryAfter) {
        public boolean passed() {
            return refusedAt < 0;
        }
    }

    private static final Map<Integer, String> CHAINS = new ConcurrentHashMap<>();

    private final EntityManager em;
    private final AgroalDataSource dataSource;
    private final AbuseConfig.RateLimit config;

    RateWindows(EntityManager em, AgroalDataSource dataSource, AbuseConfig config) {
        this.em = em;
        this.dataSource = dataSource;
        this.config = config.rateLimit();
    }

    /**
     * @return the key that counts a client IP's signup requests (IPv6 by its /64; every request whose address is
     *         unknown shares one key, so that an "unknown" never skips the limit); null when the per-IP limit is off
     */
    public String signupKey(String ip) {
        return config.enabled() ? "signup-ip:" + ClientAddresses.limitKey(ip) : null;
    }

    /**
     * Counts one request per key inside the caller's transaction, against a limit per minute and one per day (pass the
     * same number twice for a daily limit alone). The first requests of a key, in the given order, are the ones let
     * through.
     *
     * @return per key, in order: 0 where the request is let through, else the seconds until the key's windows free a
     *         place
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public long[] take(List<String> keys, int perMinute, int perDay, Instant now) {
        return take(keys, perMinute, MINUTE, perDay, now);
    }

    /**
     * As {@link #take(List, int, int, Instant)}, with a short window of any length up to a day instead of the minute
     * (a cooldown: one per ten minutes). The statement runs even when no key is given: the signup group commit runs
     * the same statements whatever its addresses, so that its reply time tells nothing about them.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public long[] take(List<String> keys, int perWindow, Duration window, int perDay, Instant now) {
        TreeMap<String, Integer> wanted = new TreeMap<>();
        for (String key : keys) {
            if (key != null) {
                wanted.merge(key, 1, Integer::sum);
            }
        }
        long[] refused = new long[keys.size()];
        Map<String, Grant> grants = upsert(wanted, perWindow, window, perDay, now);
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < refused.length; i++) {
            String key = keys.get(i);
            if (key != null) {
                int place = seen.merge(key, 1, Integer::sum);
                Grant grant = grants.get(key);
                if (place > grant.granted()) {
                    refused[i] = retryAfter(grant.hits(), perWindow, window, perDay, now);
                }
            }
        }
        return refused;
    }

    private record Grant(int granted, List<Instant> hits) {
    }

    /** The per-IP window of signup requests. */
    public Window signupWindow() {
        return new Window(config.perIpPerMinute(), MINUTE, config.perIpPerDay());
    }

    /**
     * Counts every request of a group against a chain of windows in one statement ({@link #chain}), inside the
     * caller's transaction (a known address's cooldown and cap; the signup group commit runs the same clauses inside
     * its own one statement, {@link #chainClauses}). The statement runs even when no key is given (see
     * {@link #take(List, int, Duration, int, Instant)}).
     *
     * @param keys per request, one key per window (null where the window does not apply to it)
     * @return per request, in order, which window refused it and when to try again
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Verdict[] takeInStages(List<Window> windows, List<String[]> keys, Instant now) {
        String sql = CHAINS.computeIfAbsent(windows.size(), RateWindows::chain);
        Verdict[] verdicts = new Verdict[keys.size()];
        try (Connection connection = dataSource.getConnection();
                PreparedStatement take = connection.prepareStatement(sql)) {
            bindChain(connection, take, 1, windows, keys, now);
            try (ResultSet rows = take.executeQuery()) {
                for (int i = 0; rows.next(); i++) {
                    verdicts[i] = verdict(windows, rows, 1, now);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("rate limits not checked: " + e.getMessage(), e);
        }
        return verdicts;
    }

    /**
     * Binds {@link #chainClauses}' parameters from {@code p} on.
     *
     * @param keys per request, one key per window (null where the window does not apply to it)
     * @return the index of the next parameter
     */
    public static int bindChain(Connection connection, PreparedStatement statement, int p, List<Window> windows,
            List<String[]> keys, Instant now) throws SQLException {
        for (int s = 0; s < windows.size(); s++) {
            String[] column = new String[keys.size()];
            for (int i = 0; i < column.length; i++) {
                column[i] = keys.get(i)[s];
            }
            statement.setArray(p++, connection.createArrayOf("text", column));
        }
        for (Window window : windows) {
            p = bindWindow(statement, bindCounts(statement, p, window, now), window, now);
        }
        return p;
    }

    /**
     * Reads one request's verdict: {@code refused_at} and {@code hits} of {@link #chainClauses}' {@code verdict}, in
     * columns {@code column} and the next.
     */
    public static Verdict verdict(List<Window> windows, ResultSet row, int column, Instant now) throws SQLException {
        int refusedAt = row.getInt(column);
        if (row.wasNull()) {
            return new Verdict(-1, 0);
        }
        Window refusing = windows.get(refusedAt);
        return new Verdict(refusedAt, retryAfter(instants(row.getArray(column + 1)), refusing.perWindow(),
                refusing.window(), refusing.perDay(), now));
    }

    /** The upsert's parameters before its counts: the time and the limits of a fresh key. */
    private static int bindCounts(PreparedStatement take, int p, Window window, Instant now) throws SQLException {
        take.setObject(p++, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
        take.setInt(p++, window.perWindow());
        take.setInt(p++, window.perDay());
        take.setInt(p++, window.perWindow());
        take.setInt(p++, window.perDay());
        return p;
    }

    /** The upsert's parameters after its counts: the time, the windows' starts and the limits of a known key. */
    private static int bindWindow(PreparedStatement take, int p, Window window, Instant now) throws SQLException {
        OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
        take.setObject(p++, at);
        take.setObject(p++, at.minus(DAY));
        take.setObject(p++, at.minus(window.window()));
        take.setObject(p++, at.minus(DAY));
        take.setInt(p++, window.perWindow());
        take.setInt(p++, window.perDay());
        return p;
    }

    private Map<String, Grant> upsert(TreeMap<String, Integer> wanted, int perMinute, Duration window, int perDay,
            Instant now) {
        Map<String, Grant> grants = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement take = connection.prepareStatement(TAKE)) {
            Window limits = new Window(perMinute, window, perDay);
            int p = bindCounts(take, 1, limits, now);
            take.setArray(p++, connection.createArrayOf("text", wanted.keySet().toArray()));
            take.setArray(p++, connection.createArrayOf("integer", wanted.values().toArray()));
            bindWindow(take, p, limits, now);
            try (ResultSet rows = take.executeQuery()) {
                while (rows.next()) {
                    String key = rows.getString(1);
                    int granted = rows.getInt(2);
                    // Only a refusal needs the hits (for Retry-After): parsing every returned array of timestamps
                    // was a third of the windows' CPU in a JFR profile of signups from many IPs.
                    List<Instant> hits = granted < wanted.get(key) ? instants(rows.getArray(3)) : List.of();
                    grants.put(key, new Grant(granted, hits));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("rate limits not checked: " + e.getMessage(), e);
        }
        return grants;
    }

    private static List<Instant> instants(Array array) throws SQLException {
        List<Instant> hits = new ArrayList<>();
        for (Object hit : (Object[]) array.getArray()) {
            hits.add(((java.sql.Timestamp) hit).toInstant());
        }
        return hits;
    }

    /**
     * Allowed requests are the only ones recorded, so a full window holds exactly its limit of them: it frees a place
     * when its oldest one leaves. The minute window is asked first, as it frees first.
     */
    static long retryAfter(List<Instant> hits, int perWindow, Duration window, int perDay, Instant now) {
        Instant free = freedAt(hits, perWindow, window, now);
        String span = window.equals(MINUTE) ? "minute" : window.toString();
        String full = span;
        if (free == null) {
            free = freedAt(hits, perDay, DAY, now);
            full = "day";
        }
        if (free == null) {
            free = now; // granted to another request of the same group meanwhile: try again at once
        }
        LOG.infof("rate limit reached (%d per %s, %d per day): the %s window is full", perWindow, span, perDay,
                full);
        // Counted from the newest hit when a group that took its time after ours wrote it: the reply goes out after
        // that hit, so the wait is never longer than the window. Whole seconds, rounded up: a window that frees in
        // exactly 60 s says 60 (a request of the same group as the hits that filled it sees just that), one that frees
        // in 59.2 s says 60 too.
        Instant from = now;
        for (Instant hit : hits) {
            from = hit.isAfter(from) ? hit : from;
        }
        long millis = Duration.between(from, free).toMillis();
        return Math.max(1, (millis + 999) / 1000);
    }

    private static Instant freedAt(List<Instant> hits, int limit, Duration window, Instant now) {
        Instant since = now.minus(window);
        List<Instant> inside = hits.stream().filter(hit -> hit.isAfter(since)).sorted().toList();
        return inside.size() >= limit ? inside.get(inside.size() - limit).plus(window) : null;
    }

    /**
     * Reads the keys' windows without counting anything.
     *
     * @return seconds until the fullest of the keys' minute windows frees a place, 0 when none holds its limit
     */
    public long fullFor(List<String> keys, int perMinute, Instant now) {
        long wait = 0;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement read = connection.prepareStatement(
                        "select hits from rate_window where key = any(?)")) {
            read.setArray(1, connection.createArrayOf("text", keys.toArray()));
            try (ResultSet rows = read.executeQuery()) {
                while (rows.next()) {
                    Instant free = freedAt(instants(rows.getArray(1)), perMinute, MINUTE, now);
                    if (free != null) {
                        wait = Math.max(wait, Math.max(1, Duration.between(now, free).toSeconds() + 1));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("rate limits not read: " + e.getMessage(), e);
        }
        return wait;
    }

    /** Counts one event per key (a failed login) in a transaction of its own; a full window just stays full. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void count(List<String> keys, int perMinute, Instant now) {
        take(keys, perMinute, perMinute * 24 * 60, now);
    }

    /** Forgets these keys' windows at once (erasure: a per-address key is a hash of the address). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void forget(List<String> keys) {
        em.createNativeQuery("delete from rate_window where key in (:keys)").setParameter("keys", keys)
                .executeUpdate();
    }

    /** Drops the rows of keys that no window looks at any more. */
    @Transactional
    int purge() {
        return em.createNativeQuery("delete from rate_window where hits[cardinality(hits)] < :day "
                + "or cardinality(hits) = 0").setParameter("day", Instant.now().minus(DAY)).executeUpdate();
    }

}
