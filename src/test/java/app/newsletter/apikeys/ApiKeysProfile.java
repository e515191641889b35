package app.newsletter.apikeys;

import java.util.HashMap;
import java.util.Map;

import app.newsletter.support.TestLists;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * A small per-key window (to reach it), a listing lag of a second (to page through fresh signups), a list that
 * requires proof of work and lists only these tests write to.
 */
public class ApiKeysProfile implements QuarkusTestProfile {

    static final int PER_MINUTE = 3;

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> settings = new HashMap<>(Map.of(
                "newsletter.api-keys.per-minute", String.valueOf(PER_MINUTE),
                "newsletter.api-keys.per-day", "1000",
                "newsletter.api-keys.listing-lag", "PT1S",
                "newsletter.allowed-origins", "https://blog.example"));
        settings.putAll(TestLists.guardedAndShop());
        settings.putAll(TestLists.list("feed-spec", "Feed Spec"));
        settings.putAll(TestLists.list("horizon-spec", "Horizon Spec"));
        return settings;
    }
}
