package app.newsletter.abuse;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * CORS for the two endpoints that pages on other sites call: the signup and the proof-of-work challenge. Allowed
 * origins get their own origin echoed back; others get no CORS headers, so their browser refuses to read the answer
 * (and {@link Origins#check} refuses the signup itself). No credentials: the widget uses no cookies.
 */
@ApplicationScoped
class Cors {

    private final Origins origins;

    Cors(Origins origins) {
        this.origins = origins;
    }

    void install(@Observes Router router) {
        router.route("/api/subscriptions").order(Integer.MIN_VALUE + 1).handler(this::handle);
        router.route("/api/challenge").order(Integer.MIN_VALUE + 1).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        String origin = ctx.request().getHeader("Origin");
        ctx.response().putHeader("Vary", "Origin");
        boolean allowed = origins.allowedForSomeList(origin == null ? null : Origins.origin(origin));
        boolean preflight = ctx.request().method() == HttpMethod.OPTIONS
                && ctx.request().getHeader("Access-Control-Request-Method") != null;
        if (allowed) {
            ctx.response().putHeader("Access-Control-Allow-Origin", origin);
        }
        if (!preflight) {
            ctx.next();
            return;
        }
        if (allowed) {
            ctx.response().putHeader("Access-Control-Allow-Methods", "GET, POST")
                    .putHeader("Access-Control-Allow-Headers", "Content-Type")
                    .putHeader("Access-Control-Max-Age", "86400");
        }
        ctx.response().setStatusCode(allowed ? 204 : 403).end();
    }
}
