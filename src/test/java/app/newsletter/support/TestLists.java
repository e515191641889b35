package app.newsletter.support;

import java.util.LinkedHashMap;
import java.util.Map;

/** Lists that test profiles declare, in the shape an operator's settings have (name, ebook title and source). */
public final class TestLists {

    private TestLists() {
    }

    /**
     * A list whose signups need proof of work ({@code guarded}) and a partner site's list that accepts forms from
     * {@code https://shop.example} only ({@code shop}), as the abuse-defence and API-key tests both use them.
     */
    public static Map<String, String> guardedAndShop() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.putAll(list("guarded", "Guarded"));
        settings.put("newsletter.lists.guarded.proof-of-work", "true");
        settings.putAll(list("shop", "Shop"));
        settings.put("newsletter.lists.shop.allowed-origins", "https://shop.example");
        return settings;
    }

    /** A list named {@code "<name>"} with an ebook titled {@code "<first word of name> Book"}. */
    public static Map<String, String> list(String id, String name) {
        String prefix = "newsletter.lists." + id + ".";
        return Map.of(prefix + "display-name", name,
                prefix + "ebook-title", name.split(" ")[0] + " Book",
                prefix + "ebook-source", "https://cdn.example/" + id.charAt(0) + ".pdf");
    }
}
