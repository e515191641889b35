package app.newsletter.outbox;

import java.time.Duration;
import java.util.Optional;

import jakarta.validation.constraints.Positive;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * The transactional outbox that sends every mail ({@code NEWSLETTER_OUTBOX_*}): the outbox's own settings, so that
 * the queue knows no feature and no feature's settings know the queue.
 */
@ConfigMapping(prefix = "newsletter.outbox")
public interface OutboxConfig {

    /** How often the dispatcher looks for mail that is due, e.g. {@code 1s}. */
    @WithDefault("1s")
    String interval();

    /**
     * Most mails claimed (and sent concurrently, over {@code quarkus.mailer.max-pool-size} connections) at once; a
     * backlog found while no request comes is drained by two such batches at a time.
     */
    @WithDefault("50")
    int batchSize();

    /** How long a claim lasts: mails of an instance that dies mid-round are sent by another after this. */
    @WithDefault("PT2M")
    Duration lease();

    /** Wait before the first retry of a failed mail; doubles on every further failure. */
    @WithDefault("PT1S")
    Duration backoffInitial();

    /** The longest wait between two retries. */
    @WithDefault("PT5M")
    Duration backoffMax();

    /**
     * Most mails sent per second by all instances together, e.g. 14 for Amazon SES's default sending rate; unlimited
     * when absent. Mails above it wait for the next second.
     */
    Optional<@Positive Integer> maxPerSecond();

    /**
     * Least wait after a "slow down" answer (421, 451, 452), which does not count as a failed attempt.
     */
    @WithDefault("PT1M")
    Duration slowDownDelay();

    /** A mail still unsent this long after it was queued is marked dead and logged. */
    @WithDefault("PT24H")
    Duration giveUpAfter();

    /** Longest time one SMTP send may take before it counts as failed. */
    @WithDefault("PT30S")
    Duration sendTimeout();

    /** The outbox health check reports "degraded" while the oldest unsent mail is older than this. */
    @WithDefault("PT1M")
    Duration degradedAfter();

    /** Bodies and headers of sent mails (which carry links) are erased this long after sending. */
    @WithName("sent-body-retention")
    @WithDefault("P7D")
    Duration sentBodyRetention();
}
