package app.newsletter.support;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts a {@link WebhookReceiver} and points the service's webhook endpoints at it: {@code all} (every event, two
 * secrets, the visitor's IP included), {@code partner} (confirmations of the partner list only), {@code gone}
 * (unsubscriptions), {@code moved} (ebook downloads) and {@code dying} (erasures on the partner list, which no test
 * makes: it receives only the test events sent to it), each on a path of its own. The retry schedule is short, so
 * that the tests see retries within seconds.
 */
public class WebhookReceiverResource implements QuarkusTestResourceLifecycleManager {

    /** The two secrets of endpoint {@code all} (a rotation); the other endpoints use the first. */
    public static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    public static final String NEXT_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

    @Override
    public Map<String, String> start() {
        WebhookReceiver.start();
        Map<String, String> config = new HashMap<>();
        config.put("newsletter.webhooks.allow-private-targets", "true");
        config.put("newsletter.webhooks.interval", "0.2s");
        config.put("newsletter.webhooks.retry-schedule", "PT0.5S,PT1S,PT2S,PT4S,PT8S");
        endpoint(config, "all", SECRET + "," + NEXT_SECRET);
        config.put("newsletter.webhooks.all.include-client", "true");
        endpoint(config, "partner", SECRET);
        config.put("newsletter.webhooks.partner.events", "subscription.confirmed");
        config.put("newsletter.webhooks.partner.lists", "partner");
        endpoint(config, "gone", SECRET);
        config.put("newsletter.webhooks.gone.events", "subscription.unsubscribed");
        endpoint(config, "moved", SECRET);
        config.put("newsletter.webhooks.moved.events", "ebook.downloaded");
        endpoint(config, "dying", SECRET);
        config.put("newsletter.webhooks.dying.events", "subscriber.erased");
        config.put("newsletter.webhooks.dying.lists", "partner");
        return config;
    }

    private static void endpoint(Map<String, String> config, String id, String secrets) {
        config.put("newsletter.webhooks." + id + ".url", WebhookReceiver.url("/hooks/" + id));
        config.put("newsletter.webhooks." + id + ".secret", secrets);
    }

    @Override
    public void stop() {
        WebhookReceiver.stop();
    }
}
