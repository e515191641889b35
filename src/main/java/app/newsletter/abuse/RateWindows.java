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
    static final String TAKE = """
            insert into rate_window as w (key, hits, granted)
            select k, array_fill(?::timestamptz, array[least(n, ?, ?)]), least(n, ?, ?)
              from unnest(?::text[], ?::int[]) as t(k, n)
            on conflict (key) do update
               set (hits, granted) = (
                    select c.kept || array_fill(?::timestamptz, array[g.n]), g.n
                      from (select coalesce(array_agg(h order by h) filter (where h > ?), '{}') as kept,
                                   count(*) filter (where h > ?) as in_minute,
                                   count(*) filter (where h > ?) as in_day
                              from unnest(w.hits) as h) c,
                           lateral (select greatest(0, least(excluded.granted, ? - c.in_minute,
                                                             ? - c.in_day))::int as n) g)
            returning key, granted, hits""";

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
     * Counts one signup request per key (an IP may appear several times) inside the caller's transaction.
     *
     * @return per key, in order: 0 where the request may go on, else the seconds until its IP may try again
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public long[] takeSignups(List<String> keys, Instant now) {
        return take(keys, config.perIpPerMinute(), config.perIpPerDay(), now);
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

    private Map<String, Grant> upsert(TreeMap<String, Integer> wanted, int perMinute, Duration window, int perDay,
            Instant now) {
        OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
        OffsetDateTime minuteAgo = at.minus(window);
        OffsetDateTime dayAgo = at.minus(DAY);
        Map<String, Grant> grants = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement take = connection.prepareStatement(TAKE)) {
            int p = 1;
            take.setObject(p++, at);
            take.setInt(p++, perMinute);
            take.setInt(p++, perDay);
            take.setInt(p++, perMinute);
            take.setInt(p++, perDay);
            take.setArray(p++, connection.createArrayOf("text", wanted.keySet().toArray()));
            take.setArray(p++, connection.createArrayOf("integer", wanted.values().toArray()));
            take.setObject(p++, at);
            take.setObject(p++, dayAgo);
            take.setObject(p++, minuteAgo);
            take.setObject(p++, dayAgo);
            take.setInt(p++, perMinute);
            take.setInt(p, perDay);
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
        return Math.max(1, Duration.between(now, free).toSeconds() + 1);
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
