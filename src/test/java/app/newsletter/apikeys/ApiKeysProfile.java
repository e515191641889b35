package app.newsletter.apikeys;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * A small per-key window (to reach it), a listing lag of a second (to page through fresh signups), a list that
 * requires proof of work and lists only these tests write to.
 */
public class ApiKeysProfile implements QuarkusTestProfile {

    static final int PER_MINUTE = 3;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("newsletter.api-keys.per-minute", String.valueOf(PER_MINUTE)),
                Map.entry("newsletter.api-keys.per-day", "1000"),
                Map.entry("newsletter.api-keys.listing-lag", "PT1S"),
                Map.entry("newsletter.allowed-origins", "https://blog.example"),
                Map.entry("newsletter.lists.guarded.display-name", "Guarded"),
                Map.entry("newsletter.lists.guarded.ebook-title", "Guarded Book"),
                Map.entry("newsletter.lists.guarded.ebook-source", "https://cdn.example/g.pdf"),
                Map.entry("newsletter.lists.guarded.proof-of-work", "true"),
                Map.entry("newsletter.lists.shop.display-name", "Shop"),
                Map.entry("newsletter.lists.shop.ebook-title", "Shop Book"),
                Map.entry("newsletter.lists.shop.ebook-source", "https://cdn.example/s.pdf"),
                Map.entry("newsletter.lists.feed-spec.display-name", "Feed Spec"),
                Map.entry("newsletter.lists.feed-spec.ebook-title", "Feed Book"),
                Map.entry("newsletter.lists.feed-spec.ebook-source", "https://cdn.example/f.pdf"),
                Map.entry("newsletter.lists.horizon-spec.display-name", "Horizon Spec"),
                Map.entry("newsletter.lists.horizon-spec.ebook-title", "Horizon Book"),
                Map.entry("newsletter.lists.horizon-spec.ebook-source", "https://cdn.example/h.pdf"));
    }
}
