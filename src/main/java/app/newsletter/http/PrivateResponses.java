package app.newsletter.http;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Keeps answers that carry live tokens or staff data out of every cache and every Referer: the confirm, unsubscribe
 * and ebook pages (their URLs and forms hold the links' tokens), the staff page and API, and the signup API's replies.
 * A shared proxy or the browser's back-forward cache must never replay a confirm page to the next person, and a link
 * followed from such a page must not hand its token to another site. Answers that set their own {@code Cache-Control}
 * (the widget script, which is public) keep it.
 */
@ApplicationScoped
class PrivateResponses {

    static final String NO_STORE = "no-store";
    private static final List<String> PRIVATE = List.of("/confirm", "/unsubscribe", "/ebook", "/admin", "/api/");
    private static final List<String> TOKEN_PAGES = List.of("/confirm", "/unsubscribe", "/ebook");

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(PrivateResponses::mark);
    }

    private static void mark(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        if (under(path, PRIVATE)) {
            HttpServerResponse response = ctx.response();
            boolean tokens = under(path, TOKEN_PAGES);
            ctx.addHeadersEndHandler(ignored -> {
                if (!response.headers().contains("Cache-Control")) {
                    response.putHeader("Cache-Control", NO_STORE);
                }
                if (tokens) {
                    response.putHeader("Referrer-Policy", "no-referrer");
                }
            });
        }
        ctx.next();
    }

    private static boolean under(String path, List<String> prefixes) {
        for (String prefix : prefixes) {
            if (path.equals(prefix) || path.startsWith(prefix.endsWith("/") ? prefix : prefix + "/")) {
                return true;
            }
        }
        return false;
    }
}
