package app.newsletter.abuse;

import java.util.HashMap;
import java.util.Map;

import app.newsletter.support.TestLists;
import io.quarkus.test.junit.QuarkusTestProfile;

/** Small limits, trusted forwarding from the test client (to play many IPs), a guarded and a partner-site list. */
public class AbuseDefenceProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> settings = new HashMap<>(Map.ofEntries(
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
                Map.entry("newsletter.allowed-origins", "https://blog.example")));
        settings.putAll(TestLists.guardedAndShop());
        return settings;
    }
}
