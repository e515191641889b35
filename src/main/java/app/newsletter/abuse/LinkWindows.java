package app.newsletter.abuse;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import app.newsletter.http.ClientAddresses;
import app.newsletter.http.TooManyRequests;
import io.vertx.core.http.HttpServerRequest;

/**
 * A per-IP window on the actions behind mailed links (confirming, downloading the ebook), so that one client cannot
 * hammer them, e.g. to make the service mint download links or count downloads without end. Generous: a person
 * clicks a few links; shared by every instance through {@link RateWindows}; off with the other per-IP limits.
 */
@ApplicationScoped
public class LinkWindows {

    static final int PER_MINUTE = 30;
    static final int PER_DAY = 1000;

    private final RateWindows windows;
    private final ClientAddresses addresses;
    private final boolean enabled;

    LinkWindows(RateWindows windows, ClientAddresses addresses, AbuseConfig config) {
        this.windows = windows;
        this.addresses = addresses;
        this.enabled = config.rateLimit().enabled();
    }

    /** @throws TooManyRequests (429 with Retry-After) once the client's IP has used up its windows */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void take(HttpServerRequest request) {
        if (!enabled) {
            return;
        }
        String key = "links-ip:" + ClientAddresses.limitKey(addresses.of(request));
        long wait = windows.take(List.of(key), PER_MINUTE, PER_DAY, Instant.now())[0];
        if (wait > 0) {
            throw new TooManyRequests("Too many requests from your network. Please try again in " + wait
                    + " seconds.", wait);
        }
    }
}
