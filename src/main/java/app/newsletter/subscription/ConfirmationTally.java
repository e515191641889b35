package app.newsletter.subscription;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.hibernate.query.NativeQuery;
import org.hibernate.type.StandardBasicTypes;

import io.agroal.api.AgroalDataSource;

/**
 * Confirmation mails queued per hour, which the breaker reads: the only home of table {@code confirmation_tally}.
 * The count is plain JDBC because it runs inside the signup group commit: one upsert on a primary key per group, where
 * counting the outbox cost a range scan over every confirmation of the last hour. Each transaction adds to one of a
 * few slots of the hour, picked at random, so that instances committing at the same time rarely wait for each other.
 */
@ApplicationScoped
class ConfirmationTally {

    static final int SLOTS = 16;

    static final String ADD = addFrom("?");

    /**
     * {@link #ADD} with the count given by an expression, for the signup group commit, which counts what its own
     * statement admitted: its parameters (before any of {@code count}'s) are bound by {@link #bindSlot}.
     */
    static String addFrom(String count) {
        return """
                insert into confirmation_tally as t (hour, slot, queued) values (?, ?, %s)
                on conflict (hour, slot) do update set queued = t.queued + excluded.queued""".formatted(count);
    }

    private final AgroalDataSource dataSource;
    private final EntityManager em;

    ConfirmationTally(AgroalDataSource dataSource, EntityManager em) {
        this.dataSource = dataSource;
        this.em = em;
    }

    /**
     * Counts confirmations queued now, in the caller's transaction (they count only if they are queued). Zero is
     * counted too: the signup group commit runs the same statements whatever its addresses (its reply time must not
     * tell a new address from a known one).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    void add(int confirmations, Instant now) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement add = connection.prepareStatement(ADD)) {
            bindAdd(add, 1, confirmations, now);
            add.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("confirmations not counted: " + e.getMessage(), e);
        }
    }

    /** Binds {@link #ADD}'s three parameters from {@code p} on; returns the index of the next one. */
    private static int bindAdd(PreparedStatement add, int p, long confirmations, Instant now) throws SQLException {
        p = bindSlot(add, p, now);
        add.setLong(p++, confirmations);
        return p;
    }

    /** Binds {@link #addFrom}'s two parameters (the hour and a slot) from {@code p} on; returns the next index. */
    static int bindSlot(PreparedStatement add, int p, Instant now) throws SQLException {
        add.setObject(p++, OffsetDateTime.ofInstant(now.truncatedTo(ChronoUnit.HOURS), ZoneOffset.UTC));
        add.setShort(p++, (short) ThreadLocalRandom.current().nextInt(SLOTS));
        return p;
    }

    /** @return confirmations queued per hour (start of the hour, UTC) since then, hours without any left out */
    @Transactional
    TreeMap<Instant, Long> hourly(Instant since) {
        NativeQuery<?> query = em.createNativeQuery("select hour, sum(queued) as queued from confirmation_tally "
                + "where hour >= :since group by hour").unwrap(NativeQuery.class);
        TreeMap<Instant, Long> hours = new TreeMap<>();
        query.addScalar("hour", StandardBasicTypes.INSTANT)
                .addScalar("queued", StandardBasicTypes.LONG)
                .setTupleTransformer((row, aliases) -> Map.entry((Instant) row[0], (Long) row[1]))
                .setParameter("since", since)
                .getResultList()
                .forEach(hour -> hours.put(hour.getKey(), hour.getValue()));
        return hours;
    }

    /** Drops hours older than any baseline looks at. */
    @Transactional
    int purge(Instant before) {
        return em.createNativeQuery("delete from confirmation_tally where hour < :before")
                .setParameter("before", before).executeUpdate();
    }
}
