package app.newsletter.platform;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import jakarta.validation.constraints.Min;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every setting of the service. Each member has an environment-variable form (upper case, dots and dashes as
 * underscores, e.g. {@code NEWSLETTER_PUBLIC_URL}); README.md lists them all.
 */
@ConfigMapping(prefix = "newsletter")
public interface NewsletterConfig {

    /** Base URL of every link in mails and pages, as people reach the service (no trailing slash needed). */
    @WithDefault("http://localhost:8080")
    URI publicUrl();

    /** The list a form joins when it names none. Must be a key of {@link #lists()}. */
    @WithDefault("peptide-evolution")
    String defaultList();

    /** The lists people can join, by id (the id appears in forms and exports). */
    Map<String, MailingList> lists();

    /** Lifetimes of the links sent by mail. */
    Tokens tokens();

    /**
     * Least time between two mails of the same kind to one address: a repeated signup inside it sends nothing, which
     * keeps one person's inbox from being bombed through the form.
     */
    @WithDefault("PT10M")
    Duration resendCooldown();

    /** Pending subscribers who never confirmed are deleted this long after their last signup. */
    @WithDefault("P30D")
    Duration pendingRetention();

    /** How often the housekeeping job (pending purge, expired links, old mail bodies) runs. */
    @WithDefault("1h")
    String housekeepingInterval();

    /**
     * Most signups of new addresses written in one transaction. Signups that arrive while the previous group is
     * being committed share the next commit (group commit); each is answered only once its own rows are committed.
     * 1 writes every signup in a transaction of its own.
     */
    @WithDefault("100")
    int signupBatchSize();

    /** The mail queue. */
    Outbox outbox();

    /**
     * Origins (scheme://host[:port]) whose pages may send signups from the browser, for every list; {@code *} allows
     * any. The service's own origin (from {@link #publicUrl()}) is always allowed. Lists may add their own.
     */
    Optional<List<String>> allowedOrigins();

    /** Limits against bots and list-bombing. */
    RateLimit rateLimit();

    /** Domains whose addresses are dropped silently (same reply, nothing stored or sent). */
    Blocklist blocklist();

    /** The self-hosted proof-of-work challenge that lists can require. */
    ProofOfWork proofOfWork();

    /** Limits, all kept in PostgreSQL so that every instance enforces the same ones. */
    interface RateLimit {
        /** Switches the per-IP limits off (for load tests); the per-address limits always apply. */
        @WithDefault("true")
        boolean enabled();

        /** Signup requests one client IP may make in any 60 seconds. */
        @WithDefault("10")
        @Min(1)
        int perIpPerMinute();

        /** Signup requests one client IP may make in any 24 hours. */
        @WithDefault("100")
        @Min(1)
        int perIpPerDay();

        /** Confirmation mails one address may receive in any 24 hours, over all lists. */
        @WithDefault("5")
        @Min(1)
        int perAddressPerDay();

        /**
         * Failed staff logins per user name, and per client IP, in any 60 seconds; beyond them every login attempt of
         * that user or from that IP answers 429 with Retry-After until the minute has passed, on every instance. Not
         * switched off by {@link #enabled()}.
         */
        @WithDefault("10")
        @Min(1)
        int loginFailuresPerMinute();

        /**
         * The breaker's floor: confirmation mails queued in the last hour below which the breaker never opens, however
         * quiet the service usually is. Above it, further confirmations are held back by {@link #breakerDelay()}
         * once the last hour also reaches {@link #breakerMultiple()} times the median hour of
         * {@link #breakerBaseline()}: a flood of signups then cannot burn the sending domain's reputation at once,
         * while a launch (a new installation's first big day included) goes out at once. The per-IP and per-address
         * limits stay the first line against abuse.
         */
        @WithDefault("200000")
        @Min(1)
        long confirmationsPerHour();

        /** How many times its usual (median) hour the service may queue before the breaker opens. */
        @WithDefault("10")
        @Min(1)
        int breakerMultiple();

        /** The breaker opens at this many confirmations in the last hour at the latest, whatever the baseline. */
        @WithDefault("2000000")
        @Min(1)
        long breakerCeiling();

        /** How far back the usual hour is taken from (its median over this period's complete hours). */
        @WithDefault("P7D")
        Duration breakerBaseline();

        /** How long confirmation mails wait while the breaker is open. */
        @WithDefault("PT15M")
        Duration breakerDelay();
    }

    /** Blocked domains. */
    interface Blocklist {
        /** Drop addresses of the shipped list of disposable-mail domains. */
        @WithDefault("true")
        boolean disposable();

        /** More blocked domains; {@code *.example} blocks every subdomain of example (and example itself). */
        Optional<List<String>> domains();
    }

    /** Proof of work (ALTCHA-style hash puzzle, solved by the widget, verified with an HMAC). */
    interface ProofOfWork {
        /** Upper bound of the secret number: the puzzle takes about half of this many SHA-256 hashes to solve. */
        @WithDefault("50000")
        int maxNumber();

        /** How long a challenge stays valid. */
        @WithDefault("PT10M")
        Duration lifetime();
    }

    /** One mailing list. */
    interface MailingList {
        /** Name shown in mails and pages, e.g. "Peptide Evolution". */
        String displayName();

        /** Title of the free ebook delivered after confirmation. */
        String ebookTitle();

        /**
         * Where the ebook comes from: a file path or {@code classpath:} resource that the service serves itself, or an
         * {@code http(s)://} URL it redirects to.
         */
        String ebookSource();

        /** File name offered to the browser when the service serves the ebook itself. */
        @WithDefault("ebook.pdf")
        String ebookFileName();

        /** Where a plain HTML form is redirected (303) after a successful signup; a built-in page when absent. */
        Optional<URI> successUrl();

        /** Where a plain HTML form is redirected (303) after a failed signup; a built-in page when absent. */
        Optional<URI> errorUrl();

        /** Version of the consent text shown beside the form, recorded with every signup and confirmation. */
        @WithDefault("1")
        String consentVersion();

        /** Origins allowed to send signups for this list, besides the global {@code newsletter.allowed-origins}. */
        Optional<List<String>> allowedOrigins();

        /** Require a solved proof-of-work challenge with every signup to this list. */
        @WithDefault("false")
        boolean proofOfWork();
    }

    /** Link lifetimes. Unsubscribe links never expire. */
    interface Tokens {
        /** How long a confirmation link works. */
        @WithDefault("PT72H")
        Duration confirmLifetime();

        /** How long an ebook download link works (it also stops working when the person unsubscribes). */
        @WithDefault("P365D")
        Duration ebookLifetime();
    }

    /** The transactional outbox that sends every mail. */
    interface Outbox {
        /** How often the dispatcher looks for mail that is due, e.g. {@code 1s}. */
        @WithDefault("1s")
        String interval();

        /**
         * Most mails claimed (and sent concurrently, over {@code quarkus.mailer.max-pool-size} connections) at once.
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
}
