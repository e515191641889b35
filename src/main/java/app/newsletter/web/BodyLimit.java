package app.newsletter.web;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Locale;
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

    /**
     * A streamed (chunked) JSON body is read by Quarkus REST's blocking input stream, which on overflow ends the
     * response itself with a bare 413 that neither the router nor the exception mappers see. Such bodies are read
     * here up to the limit instead; beyond it the handler fails the request with 413, answered by {@link #refuse}.
     */
    private final BodyHandler streamed = BodyHandler.create(false).setBodyLimit(MAX_BYTES);

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::checkDeclaredLength).failureHandler(ctx -> {
            if (ctx.statusCode() == 413) {
                refuse(ctx);
            } else {
                ctx.next();
            }
        });
        router.errorHandler(413, BodyLimit::refuse);
    }

    private void checkDeclaredLength(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && exceeds(length)) {
            refuse(ctx);
        } else if (length == null && chunked(ctx) && !form(ctx)) {
            streamed.handle(ctx);
        } else {
            ctx.next();
        }
    }

    private static boolean chunked(RoutingContext ctx) {
        String encoding = ctx.request().getHeader(HttpHeaders.TRANSFER_ENCODING);
        return encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked");
    }

    /** Form bodies are parsed (and limited, with a 413 the router sees) by Quarkus REST itself. */
    private static boolean form(RoutingContext ctx) {
        String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        return contentType != null && contentType.startsWith("application/x-www-form-urlencoded");
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
        boolean form = form(ctx);
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
