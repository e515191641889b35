package app.newsletter.subscription;

import app.newsletter.outbox.Outbox;
import app.newsletter.platform.NewsletterConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Decides whether and when a confirmation mail goes out, beyond the per-list cooldown: a daily cap per address over
 * all lists (list-bombing one victim through many lists or days), and a global breaker that holds confirmations back
 * when far more than usual were queued in the last hour. Both count the outbox, which every instance shares.
 */
@ApplicationScoped
class ConfirmationGate {

    private static final Logger LOG = Logger.getLogger(ConfirmationGate.class);
    private static final String KIND = "confirmation";
    private static final Duration RECOUNT = Duration.ofSeconds(5);

    private final Outbox outbox;
    private final NewsletterConfig.RateLimit config;
    private final AtomicLong lastHour = new AtomicLong();
    private volatile Instant countedAt = Instant.EPOCH;
    private volatile Instant warnedAt = Instant.EPOCH;

    ConfirmationGate(Outbox outbox, NewsletterConfig config) {
        this.outbox = outbox;
        this.config = config.rateLimit();
    }

    boolean overDailyCap(String email, Instant now) {
        return overDailyCap(List.of(email), now)[0];
    }

    /**
     * The daily cap for addresses about to receive a confirmation together, in one round trip. An address that
     * appears more than once (one person joining several lists at once) counts its earlier places too.
     *
     * @return per address, in order: true where the confirmation must be withheld
     */
    boolean[] overDailyCap(List<String> emails, Instant now) {
        long[] queued = outbox.countQueuedTo(KIND, emails, now.minus(Duration.ofDays(1)));
        Map<String, Integer> earlier = new HashMap<>();
        boolean[] capped = new boolean[emails.size()];
        for (int i = 0; i < capped.length; i++) {
            String key = emails.get(i).toLowerCase(Locale.ROOT);
            int before = earlier.getOrDefault(key, 0);
            capped[i] = queued[i] + before >= config.perAddressPerDay();
            if (!capped[i]) {
                earlier.put(key, before + 1);
            }
        }
        return capped;
    }

    /** @return when the next confirmation may go out: null for at once, later while the breaker is open */
    Instant notBefore(Instant now) {
        if (countedAt.plus(RECOUNT).isBefore(now)) {
            // Counted at most every few seconds per instance: the breaker reacts to floods, not single mails.
            lastHour.set(outbox.countQueued(KIND, now.minus(Duration.ofHours(1))));
            countedAt = now;
        }
        if (lastHour.get() < config.confirmationsPerHour()) {
            return null;
        }
        if (warnedAt.plus(Duration.ofMinutes(1)).isBefore(now)) {
            warnedAt = now;
            LOG.warnf("confirmation breaker open: %d confirmation mails queued in the last hour (limit %d); new "
                    + "ones wait %s", lastHour.get(), config.confirmationsPerHour(), config.breakerDelay());
        }
        return now.plus(config.breakerDelay());
    }

    boolean breakerOpen() {
        return lastHour.get() >= config.confirmationsPerHour();
    }
}
