package app.newsletter.webhooks;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.validation.constraints.Positive;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

/**
 * Outgoing webhooks ({@code NEWSLETTER_WEBHOOKS_*}): the endpoints, declared like lists
 * ({@code NEWSLETTER_WEBHOOKS_<ID>_URL}, {@code _SECRET}, {@code _EVENTS}, {@code _LISTS}, {@code _INCLUDE_CLIENT}), and
 * how they are delivered. Checked at start-up by {@link WebhookEndpoints}: a bad URL, secret, event type or list stops
 * the service with one line.
 */
@ConfigMapping(prefix = "newsletter.webhooks")
public interface WebhooksConfig {

    /** The endpoints, by id (the id appears in the admin listing, the metrics and the logs). */
    @WithParentName
    Map<String, Endpoint> endpoints();

    /**
     * Whether an endpoint may resolve to a loopback, private, link-local (cloud metadata) or otherwise internal
     * address. Off: such a target is refused at every attempt, so that whoever can set a URL cannot make the service
     * call into the network it runs in (SSRF).
     */
    @WithDefault("false")
    boolean allowPrivateTargets();

    /** How often the dispatcher looks for events that are due, e.g. {@code 1s}. */
    @WithDefault("1s")
    String interval();

    /**
     * Most events claimed, and sent concurrently, at once per endpoint; a round may take up to seven more, to finish the
     * last group of events that one statement queued together (the signup group commit's).
     */
    @WithDefault("50")
    @Positive
    int batchSize();

    /**
     * Most events sent to each endpoint per second while visitors keep the public port busy (a request within the last
     * second). Deliveries are background work: during a launch they leave the machine to signups and trail behind, and
     * once requests pause they catch up as fast as the endpoint answers. Below this rate nothing waits. A fixed rate
     * weighs more on a slower machine, whose signups are fewer (bench/README.md: 50 keeps a launch on two slow cores
     * at nine tenths of its signups or more, in the median).
     */
    @WithDefault("50")
    @Positive
    int busyRate();

    /** Longest time one delivery may take, connecting included, before it counts as failed. */
    @WithDefault("PT15S")
    Duration timeout();

    /**
     * The waits between attempts after the first (Standard Webhooks' schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10
     * h, about 28 hours in all), each with up to a fifth of jitter; after the last, the event is dead.
     */
    @WithDefault("PT5S,PT5M,PT30M,PT2H,PT5H,PT10H,PT10H")
    List<Duration> retrySchedule();

    /** Dead events (and those of a disabled endpoint) are deleted this long after they were queued. */
    @WithDefault("P7D")
    Duration retention();

    /** One endpoint. */
    interface Endpoint {
        /** Where events are POSTed: an absolute http or https URL. Redirects are not followed. */
        URI url();

        /**
         * One or more secrets ({@code whsec_} and base64, at least 24 bytes), comma-separated: every one signs each
         * delivery, so that a receiver can move to a new secret without losing events.
         */
        List<String> secret();

        /** The event types sent to it, comma-separated; all when absent. */
        Optional<List<String>> events();

        /** The lists whose events it receives, comma-separated; all when absent. */
        Optional<List<String>> lists();

        /** Whether events carry the visitor's IP address and user agent (of the signup or change); off by default. */
        @WithDefault("false")
        boolean includeClient();
    }
}
