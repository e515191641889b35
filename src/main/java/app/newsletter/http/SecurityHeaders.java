package app.newsletter.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The browser-side defences of every HTML answer: a Content-Security-Policy that allows only the service's own
 * resources and the pages' own inline blocks (by hash, so no {@code 'unsafe-inline'}), no framing (the confirm,
 * unsubscribe and staff pages could otherwise be clickjacked), and HSTS when the public URL is https.
 * {@code X-Content-Type-Options: nosniff} goes on every answer through {@code quarkus.http.header} in
 * application.properties.
 * <p>
 * The hashes are computed at start-up from the page templates listed in {@link #PAGES_WITH_INLINE_BLOCKS}, so a
 * change to an inline style or script keeps its hash right; {@code SecurityHeadersTest} fails when a template with an
 * inline block is missing from the list, or a served page carries a block the policy does not allow.
 */
@ApplicationScoped
class SecurityHeaders {

    static final List<String> PAGES_WITH_INLINE_BLOCKS = List.of("templates/layout.html",
            "templates/AdminPage/admin.html", "templates/DemoPage/demo.html",
            "templates/SubscriptionPages/confirm.html");

    private static final Pattern INLINE = Pattern.compile("<(style|script)>(.*?)</\\1>", Pattern.DOTALL);

    private final String policy;
    private final boolean https;

    SecurityHeaders(@ConfigProperty(name = "newsletter.public-url") URI publicUrl) {
        Set<String> styles = new TreeSet<>();
        Set<String> scripts = new TreeSet<>();
        for (String page : PAGES_WITH_INLINE_BLOCKS) {
            Matcher block = INLINE.matcher(read(page));
            while (block.find()) {
                (block.group(1).equals("style") ? styles : scripts).add("'sha256-" + sha256(block.group(2)) + "'");
            }
        }
        // The public URL's origin besides 'self': pages load the widget and post to it by that URL, which differs
        // from the address a request came in on behind a proxy.
        String self = "'self' " + publicUrl.getScheme() + "://" + publicUrl.getRawAuthority();
        this.policy = "default-src 'none'; script-src " + self + " " + String.join(" ", scripts) + "; style-src "
                + self + " " + String.join(" ", styles) + "; img-src " + self + " data:; connect-src " + self
                + "; form-action " + self + "; frame-ancestors 'none'; base-uri 'none'";
        this.https = "https".equalsIgnoreCase(publicUrl.getScheme());
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(this::mark);
    }

    private void mark(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        ctx.addHeadersEndHandler(ignored -> {
            String type = response.headers().get(HttpHeaders.CONTENT_TYPE);
            if (type != null && type.regionMatches(true, 0, "text/html", 0, 9)) {
                response.putHeader("Content-Security-Policy", policy);
                // For browsers that predate frame-ancestors.
                response.putHeader("X-Frame-Options", "DENY");
            }
            if (https) {
                response.putHeader("Strict-Transport-Security", "max-age=31536000");
            }
        });
        ctx.next();
    }

    String policy() {
        return policy;
    }

    static String sha256(String block) {
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(block.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static String read(String resource) {
        try (InputStream in = SecurityHeaders.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("page template " + resource + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }
}
