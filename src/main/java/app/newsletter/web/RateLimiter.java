package app.newsletter.web;

import app.newsletter.platform.NewsletterConfig;
import app.newsletter.platform.SqlValues;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Sliding-window limits per client IP, kept in PostgreSQL so that every instance counts the same requests. Each
 * allowed request is one row; a transaction-scoped advisory lock on the key makes "count, then record" atomic
 * across instances.
 */
@ApplicationScoped
public class RateLimiter {

    private static final Logger LOG = Logger.getLogger(RateLimiter.class);
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Duration DAY = Duration.ofDays(1);

    private final EntityManager em;
    private final NewsletterConfig.RateLimit config;

    RateLimiter(EntityManager em, NewsletterConfig config) {
        this.em = em;
        this.config = config.rateLimit();
    }

    /** Counts one signup request of this IP, or refuses it with 429 and the seconds until it may try again. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void acquireSignup(String ip) {
        if (!config.enabled() || ip == null) {
            return;
        }
        String key = "signup-ip:" + ip;
        Instant now = Instant.now();
        em.createNativeQuery("select pg_advisory_xact_lock(hashtextextended(:key, 0))")
                .setParameter("key", key).getSingleResult();
        Object[] counts = (Object[]) em.createNativeQuery("""
                select count(*) filter (where at > :minute), min(at) filter (where at > :minute),
                       count(*), min(at)
                  from rate_limit_hit where key = :key and at > :day""")
                .setParameter("key", key)
                .setParameter("minute", now.minus(MINUTE))
                .setParameter("day", now.minus(DAY))
                .getSingleResult();
        refuseIfFull(((Number) counts[0]).longValue(), config.perIpPerMinute(), counts[1], MINUTE, now);
        refuseIfFull(((Number) counts[2]).longValue(), config.perIpPerDay(), counts[3], DAY, now);
        em.createNativeQuery("insert into rate_limit_hit (key, at) values (:key, :now)")
                .setParameter("key", key).setParameter("now", now).executeUpdate();
    }

    /** Drops hits that no window looks at any more. */
    @Transactional
    int purge() {
        return em.createNativeQuery("delete from rate_limit_hit where at < :day")
                .setParameter("day", Instant.now().minus(DAY)).executeUpdate();
    }

    private static void refuseIfFull(long count, int limit, Object oldest, Duration window, Instant now) {
        if (count < limit) {
            return;
        }
        // Allowed requests are the only ones recorded, so the window holds exactly `limit` of them: it frees a
        // place when its oldest one leaves.
        Instant free = SqlValues.instant(oldest).plus(window);
        long seconds = Math.max(1, Duration.between(now, free).toSeconds() + 1);
        LOG.infof("signup rate limit reached (%d per %s)", limit, window.equals(MINUTE) ? "minute" : "day");
        throw new TooManyRequests(seconds);
    }

    /** 429 with Retry-After. */
    public static final class TooManyRequests extends ProblemException {
        private final long retryAfterSeconds;

        TooManyRequests(long retryAfterSeconds) {
            super(429, "Too many signups from your network. Please try again in " + retryAfterSeconds
                    + " seconds.", Map.of(), null);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }
}
