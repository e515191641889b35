package app.newsletter.bounces;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * The home of {@code soft_bounce}: temporary failures per address (its salted hash), counted within a window. Native
 * SQL: the key is a {@code bytea} hash, and "insert unless this event was seen" is an upsert JPA cannot say.
 */
@ApplicationScoped
class SoftBounces {

    private final EntityManager em;

    SoftBounces(EntityManager em) {
        this.em = em;
    }

    /** @return the soft bounces of the address since {@code since}, this one included (counted once per event id) */
    @Transactional(Transactional.TxType.MANDATORY)
    long add(String hashHex, String relay, String eventId, Instant now, Instant since) {
        em.createNativeQuery("""
                insert into soft_bounce (hash, relay, event_id, occurred_at)
                values (decode(:hash, 'hex'), :relay, :event, :now)
                on conflict (relay, event_id) where event_id is not null do nothing""")
                .setParameter("hash", hashHex).setParameter("relay", relay).setParameter("event", eventId)
                .setParameter("now", now).executeUpdate();
        return ((Number) em.createNativeQuery("""
                select count(*) from soft_bounce where hash = decode(:hash, 'hex') and occurred_at >= :since""")
                .setParameter("hash", hashHex).setParameter("since", since).getSingleResult()).longValue();
    }

    @Transactional
    int deleteBefore(Instant cutoff) {
        return em.createNativeQuery("delete from soft_bounce where occurred_at < :cutoff")
                .setParameter("cutoff", cutoff).executeUpdate();
    }
}
