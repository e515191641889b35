package app.newsletter.abuse;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Small limits, trusted forwarding from the test client (to play many IPs), a guarded and a partner-site list. */
public class AbuseDefenceProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("newsletter.rate-limit.enabled", "true"),
                Map.entry("newsletter.rate-limit.per-ip-per-minute", "3"),
                Map.entry("newsletter.rate-limit.per-ip-per-day", "5"),
                Map.entry("newsletter.rate-limit.per-address-per-day", "2"),
                Map.entry("newsletter.rate-limit.login-failures-per-minute", "10"),
                Map.entry("newsletter.rate-limit.confirmations-per-hour", "500"),
                Map.entry("newsletter.resend-cooldown", "PT0S"),
                Map.entry("quarkus.http.proxy.proxy-address-forwarding", "true"),
                Map.entry("quarkus.http.proxy.allow-x-forwarded", "true"),
                Map.entry("quarkus.http.proxy.trusted-proxies", "127.0.0.1"),
                Map.entry("newsletter.blocklist.domains", "*.blocked.example,spam.test"),
                Map.entry("newsletter.allowed-origins", "https://blog.example"),
                Map.entry("newsletter.lists.guarded.display-name", "Guarded"),
                Map.entry("newsletter.lists.guarded.ebook-title", "Guarded Book"),
                Map.entry("newsletter.lists.guarded.ebook-source", "https://cdn.example/g.pdf"),
                Map.entry("newsletter.lists.guarded.proof-of-work", "true"),
                Map.entry("newsletter.lists.shop.display-name", "Shop"),
                Map.entry("newsletter.lists.shop.ebook-title", "Shop Book"),
                Map.entry("newsletter.lists.shop.ebook-source", "https://cdn.example/s.pdf"),
                Map.entry("newsletter.lists.shop.allowed-origins", "https://shop.example"));
    }
}
