package app.newsletter.web;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;

/**
 * Refuses bodies over 16 KiB with a real answer. Quarkus' own limit ({@code quarkus.http.limits.max-body-size})
 * answers a bare 413 that no exception mapper sees, so declared lengths are checked here first and the bare 413 of
 * a streamed (chunked) body that grows too large gets a body through the router's error handler.
 */
@ApplicationScoped
class BodyLimit {

    static final long MAX_BYTES = 16 * 1024;
    private static final String DETAIL = "The request is larger than " + MAX_BYTES / 1024 + " KiB.";

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::checkDeclaredLength);
        router.errorHandler(413, BodyLimit::refuse);
    }

    private void checkDeclaredLength(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && exceeds(length)) {
            refuse(ctx);
        } else {
            ctx.next();
        }
    }

    private static boolean exceeds(String length) {
        try {
            return Long.parseLong(length.trim()) > MAX_BYTES;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void refuse(RoutingContext ctx) {
        if (ctx.response().headWritten()) {
            return;
        }
        String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        boolean form = contentType != null && contentType.startsWith("application/x-www-form-urlencoded");
        ctx.response().setStatusCode(413).putHeader(HttpHeaders.CONNECTION, "close");
        if (form) {
            ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html;charset=UTF-8")
                    .end(WebPages.failure(DETAIL, List.of()).render());
        } else {
            ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    .end(Json.encode(Problem.of(413, DETAIL, Map.of())));
        }
    }
}
