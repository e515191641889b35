package app.newsletter.apikeys;

import java.time.Duration;

import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The API keys' settings ({@code NEWSLETTER_API_KEYS_*}): how much one key may sign up, and how far behind the present
 * the subscriber listing stays so that a page never passes a row that has not committed yet.
 */
@ConfigMapping(prefix = "newsletter.api-keys")
public interface ApiKeysConfig {

    /**
     * Signup requests one key may make in any 60 seconds, counted over all instances: a backend signs up many people
     * from one address, so the per-IP window does not fit it, but a leaked key must not turn into a list-bombing tool.
     */
    @WithDefault("600")
    @Min(1)
    int perMinute();

    /** Signup requests one key may make in any 24 hours, over all instances. */
    @WithDefault("100000")
    @Min(1)
    int perDay();

    /**
     * How old a subscriber's row must be before the listing ({@code GET /api/subscribers}) hands out rows up to its
     * id. Ids are taken before commit, so a younger id may still be in a transaction; a transaction ends (commits or
     * is rolled back) within the transaction timeout of its start (60 s by default), and its rows are stamped after
     * it starts, so a lag of twice that timeout plus the instances' clock skew makes every id below the listing's
     * horizon final: a page never passes a row that appears later.
     */
    @WithDefault("PT3M")
    Duration listingLag();
}
