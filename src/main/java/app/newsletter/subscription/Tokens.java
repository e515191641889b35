package app.newsletter.subscription;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import org.hibernate.query.NativeQuery;
import org.hibernate.type.StandardBasicTypes;

import app.newsletter.platform.Sha256;

/**
 * Link tokens: 256 random bits, handed out once in a mail or page; only their SHA-256 is stored, so a copy of the
 * database opens no mailbox's links. Each token serves one purpose.
 * <p>
 * The home of {@code subscriber_token}, including the insert the group commit of new signups runs with the rest of
 * its group ({@link #insertFrom}). Native SQL, not an entity: the key is the token's hash, a {@code bytea}, which JPA
 * cannot use as an identifier.
 */
@ApplicationScoped
class Tokens {

    enum Purpose {
        CONFIRM,
        EBOOK,
        UNSUBSCRIBE
    }

    /** What a stored token grants, with the state that decides whether it still does. */
    record Grant(long subscriberId, Instant expiresAt, Instant revokedAt) {
        boolean usable(Instant now) {
            return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final EntityManager em;

    Tokens(EntityManager em) {
        this.em = em;
    }

    /** A new token and the hash that is stored in its place. */
    record Minted(String token, byte[] hash) {
    }

    static Minted mint() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = ENCODER.encodeToString(raw);
        return new Minted(token, hash(token));
    }

    /** @param lifetime null for a token that never expires */
    String issue(long subscriberId, Purpose purpose, Duration lifetime, Instant now) {
        Minted minted = mint();
        store(subscriberId, purpose, minted.hash(), lifetime, now);
        return minted.token();
    }

    /**
     * The group commit's insert of confirmation and unsubscribe links ({@link NewSignups#WRITE}), as a {@code with}
     * clause: one statement for the whole group. {@code rows} yields {@code hash, subscriber_id, purpose}; the
     * parameters are the creation time and the expiry of the confirmation links (the others never expire).
     */
    static String insertFrom(String rows) {
        return """
                insert into subscriber_token (hash, subscriber_id, purpose, created_at, expires_at)
                select hash, subscriber_id, purpose, ?, case when purpose = '%s' then ?::timestamptz end
                  from %s""".formatted(Purpose.CONFIRM, rows);
    }

    /** Stores a token minted earlier (a prepared mail already links to it), by its hash. */
    void store(long subscriberId, Purpose purpose, byte[] hash, Duration lifetime, Instant now) {
        em.createNativeQuery("insert into subscriber_token (hash, subscriber_id, purpose, created_at, expires_at) "
                + "values (:hash, :subscriber, :purpose, :now, :expires)")
                .setParameter("hash", hash)
                .setParameter("subscriber", subscriberId)
                .setParameter("purpose", purpose.name())
                .setParameter("now", now)
                .setParameter("expires", lifetime == null ? null : now.plus(lifetime))
                .executeUpdate();
    }

    /**
     * Keeps a subscriber's download links bounded: besides the first one (the ebook mail's), only the newest
     * {@code newest} stay; each repeated confirmation would otherwise leave another long-lived link behind.
     */
    void pruneEbookLinks(long subscriberId, int newest) {
        em.createNativeQuery("delete from subscriber_token where subscriber_id = :subscriber and purpose = 'EBOOK' "
                + "and hash in (select hash from subscriber_token where subscriber_id = :subscriber "
                + "and purpose = 'EBOOK' order by created_at desc, hash offset :newest) "
                + "and hash <> (select hash from subscriber_token where subscriber_id = :subscriber "
                + "and purpose = 'EBOOK' order by created_at, hash limit 1)")
                .setParameter("subscriber", subscriberId)
                .setParameter("newest", newest)
                .executeUpdate();
    }

    Optional<Grant> find(String token, Purpose purpose) {
        if (token == null || token.length() != 43) {
            return Optional.empty();
        }
        // Typed scalars: what the driver hands back for a timestamptz depends on its settings, an Instant does not.
        NativeQuery<?> query = em.createNativeQuery("select subscriber_id, expires_at, revoked_at "
                + "from subscriber_token where hash = :hash and purpose = :purpose").unwrap(NativeQuery.class);
        return query.addScalar("subscriber_id", StandardBasicTypes.LONG)
                .addScalar("expires_at", StandardBasicTypes.INSTANT)
                .addScalar("revoked_at", StandardBasicTypes.INSTANT)
                .setTupleTransformer((cols, aliases) -> new Grant((Long) cols[0], (Instant) cols[1], (Instant) cols[2]))
                .setParameter("hash", hash(token))
                .setParameter("purpose", purpose.name())
                .uniqueResultOptional();
    }

    /** Confirmation and ebook links stop working when the person leaves the list; unsubscribe links never do. */
    void revokeAccessLinks(long subscriberId, Instant now) {
        em.createNativeQuery("update subscriber_token set revoked_at = :now where subscriber_id = :subscriber "
                + "and purpose in ('CONFIRM', 'EBOOK') and revoked_at is null")
                .setParameter("now", now)
                .setParameter("subscriber", subscriberId)
                .executeUpdate();
    }

    /** Links that expired before the cutoff open nothing any more: their rows go. */
    int deleteExpiredBefore(Instant cutoff) {
        return em.createNativeQuery("delete from subscriber_token where expires_at < :cutoff")
                .setParameter("cutoff", cutoff).executeUpdate();
    }

    static byte[] hash(String token) {
        return Sha256.of(token.getBytes(StandardCharsets.US_ASCII));
    }
}
