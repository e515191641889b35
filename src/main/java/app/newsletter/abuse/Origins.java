package app.newsletter.abuse;

import java.net.URI;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import app.newsletter.http.ProblemException;
import io.quarkus.runtime.Startup;
import io.vertx.core.http.HttpServerRequest;

/**
 * Which web pages may send signups: the service's own origin, {@code newsletter.allowed-origins} for every list, and
 * each list's own additions. Requests that carry neither Origin nor Referer (scripts, servers) are not browsers
 * acting for a page and are not restricted here.
 */
// Made at start-up, so that a bad origin setting stops the service with one line instead of failing requests.
@Startup
@ApplicationScoped
public class Origins {

    private static final String ANY = "*";
    private static final String NULL = "null";

    private final Set<String> global = new HashSet<>();
    private final Map<String, Set<String>> perList = new HashMap<>();
    private final Set<String> anyList = new HashSet<>();

    Origins(AbuseConfig config) {
        global.add(origin(config.publicUrl().toString()));
        config.allowedOrigins().orElse(List.of())
                .forEach(o -> global.add(configured(o, "NEWSLETTER_ALLOWED_ORIGINS")));
        for (Entry<String, AbuseConfig.ListDefence> list : config.lists().entrySet()) {
            Set<String> origins = new HashSet<>();
            list.getValue().allowedOrigins().orElse(List.of()).forEach(o -> origins.add(configured(o,
                    "NEWSLETTER_LISTS_" + list.getKey().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_")
                            + "_ALLOWED_ORIGINS")));
            perList.put(list.getKey(), origins);
            anyList.addAll(origins);
        }
        anyList.addAll(global);
    }

    /**
     * May a page of this origin use the signup API for some list? Decides the CORS answer. {@code null} (sandboxed
     * frames, local files, some redirects) is no site's origin and never allowed, not even by {@code *}.
     */
    boolean allowedForSomeList(String origin) {
        return origin != null && !NULL.equals(origin) && (anyList.contains(ANY) || anyList.contains(origin));
    }

    /**
     * Refuses a signup for the list that a page of another origin sent and may not send (403), checking Origin, or
     * the Referer's origin when a browser sent no Origin.
     */
    public void check(String listId, HttpServerRequest request) {
        String origin = requestOrigin(request);
        if (origin == null) {
            return;
        }
        if (NULL.equals(origin)) {
            throw new ProblemException(403, "Signups from this page are not accepted: the browser did not say which "
                    + "website it belongs to.", Map.of());
        }
        if (global.contains(ANY) || global.contains(origin)) {
            return;
        }
        Set<String> own = perList.getOrDefault(listId, Set.of());
        if (own.contains(ANY) || own.contains(origin)) {
            return;
        }
        throw new ProblemException(403, "Signups from this website are not accepted. The site owner must add "
                + "its address to the service's allowed origins.", Map.of());
    }

    static String requestOrigin(HttpServerRequest request) {
        String origin = request.getHeader("Origin");
        if (origin != null && !origin.isBlank()) {
            return origin.equals("null") ? "null" : normalise(origin);
        }
        String referer = request.getHeader("Referer");
        return referer == null || referer.isBlank() ? null : origin(referer);
    }

    /**
     * An allowed origin as configured: {@code *} or scheme://host[:port]. Anything else (a bare host such as
     * {@code blog.example}) once became the origin "null" and let sandboxed pages in while the real site got 403.
     */
    static String configured(String origin, String setting) {
        String normalised = normalise(origin);
        if (NULL.equals(normalised)) {
            throw new IllegalArgumentException(setting + ": '" + origin.strip() + "' is not an origin; write it as "
                    + "https://" + origin.strip() + " (scheme://host[:port]) or *");
        }
        return normalised;
    }

    private static String normalise(String origin) {
        String trimmed = origin.strip();
        return trimmed.equals(ANY) ? ANY : origin(trimmed);
    }

    /** scheme://host[:port] of a URL, lower-cased, without default ports; "null" for anything unparsable. */
    static String origin(String url) {
        try {
            URI uri = URI.create(url.strip());
            if (uri.getScheme() == null || uri.getHost() == null) {
                return "null";
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            int port = uri.getPort();
            boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80)
                    || (scheme.equals("https") && port == 443);
            return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
        } catch (IllegalArgumentException e) {
            return "null";
        }
    }
}
