package app.newsletter.abuse;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The defences' settings: per-IP and per-address limits, the breaker, allowed origins and proof of work, globally and
 * per list, and the domain blocklist ({@code NEWSLETTER_RATE_LIMIT_*}, {@code NEWSLETTER_ALLOWED_ORIGINS},
 * {@code NEWSLETTER_PROOF_OF_WORK_*}, {@code NEWSLETTER_BLOCKLIST_*},
 * {@code NEWSLETTER_LISTS_<ID>_ALLOWED_ORIGINS}, {@code NEWSLETTER_LISTS_<ID>_PROOF_OF_WORK}).
 */
@ConfigMapping(prefix = "newsletter")
public interface AbuseConfig {

    /** The service's own address: its origin may always send signups. */
    @WithDefault("http://localhost:8080")
    URI publicUrl();

    /** The list a challenge is made for when the widget names none. */
    @WithDefault("peptide-evolution")
    String defaultList();

    /**
     * Origins (scheme://host[:port]) whose pages may send signups from the browser, for every list; {@code *} allows
     * any. The service's own origin (from {@link #publicUrl()}) is always allowed. Lists may add their own.
     */
    Optional<List<String>> allowedOrigins();

    /** Limits against bots and list-bombing. */
    RateLimit rateLimit();

    /** The self-hosted proof-of-work challenge that lists can require. */
    ProofOfWork proofOfWork();

    /** Domains whose addresses are dropped silently (same reply, nothing stored or sent). */
    Blocklist blocklist();

    /** Each list's own defences, by list id. */
    Map<String, ListDefence> lists();

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

    /** Proof of work (ALTCHA-style hash puzzle, solved by the widget, verified with an HMAC). */
    interface ProofOfWork {
        /** Upper bound of the secret number: the puzzle takes about half of this many SHA-256 hashes to solve. */
        @WithDefault("50000")
        int maxNumber();

        /** How long a challenge stays valid. */
        @WithDefault("PT10M")
        Duration lifetime();
    }

    /** Blocked domains. */
    interface Blocklist {
        /** Drop addresses of the shipped list of disposable-mail domains. */
        @WithDefault("true")
        boolean disposable();

        /** More blocked domains; {@code *.example} blocks every subdomain of example (and example itself). */
        Optional<List<String>> domains();
    }

    /** The defences one list adds. */
    interface ListDefence {
        /**
         * The list's name (every list has one): read here so that this view knows every list, also those that add
         * no defence of their own.
         */
        String displayName();

        /** Origins allowed to send signups for this list, besides the global {@code newsletter.allowed-origins}. */
        Optional<List<String>> allowedOrigins();

        /** Require a solved proof-of-work challenge with every signup to this list. */
        @WithDefault("false")
        boolean proofOfWork();
    }
}
