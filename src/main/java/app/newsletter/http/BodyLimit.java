package app.newsletter.http;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Refuses bodies over 16 KiB with a real answer. Quarkus' own limit ({@code quarkus.http.limits.max-body-size})
 * answers a bare 413 that no exception mapper sees, so declared lengths are checked here first and the bare 413 of
 * a streamed (chunked) body that grows too large gets a body through the router's error handler.
 */
@ApplicationScoped
class BodyLimit {

    private static final Logger LOG = Logger.getLogger(BodyLimit.class);

    static final long MAX_BYTES = 16 * 1024;
    private static final String DETAIL = "The request is larger than " + MAX_BYTES / 1024 + " KiB.";

    /**
     * Reads JSON bodies (declared or chunked) on the event loop up to the limit; beyond it the handler fails the
     * request with 413, answered by {@link #refuse}. Left to Quarkus REST's blocking input stream, an overflow ended
     * the response with a bare 413 that neither the router nor the exception mappers see, and a dripped body held a
     * worker thread (see {@link #guard}).
     */
    private final BodyHandler bodies = BodyHandler.create(false).setBodyLimit(MAX_BYTES);
    private final Vertx vertx;
    private final long readTimeoutMillis;

    BodyLimit(Vertx vertx, @ConfigProperty(name = "quarkus.http.read-timeout") Duration readTimeout) {
        this.vertx = vertx;
        this.readTimeoutMillis = Math.max(1, readTimeout.toMillis());
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::guard).failureHandler(ctx -> {
            if (ctx.statusCode() == 413) {
                refuse(ctx);
            } else if (ctx.failure() instanceof HttpClosedException) {
                // The client hung up (or was cut off above) mid-body: nobody to answer, nothing worth an ERROR line.
                LOG.debug("connection closed before the request body was received");
            } else {
                ctx.next();
            }
        });
        router.errorHandler(413, BodyLimit::refuse);
    }

    /**
     * Refuses a declared length over the limit, and reads every other JSON body here, on the event loop, before a worker thread
     * takes the request: read by
     * the endpoint's blocking input stream instead, a body dripped a byte at a time held a worker thread for the whole
     * read timeout, and 200 such requests (the pool's size) stopped every signup for 30 s. HTTP/2 requests are left
     * to Quarkus REST, which cannot take over an HTTP/2 body read before it (they come from the proxy as HTTP/1.1).
     * <p>
     * And a body must have arrived in full within {@code quarkus.http.read-timeout} (30 s) of the headers, else the
     * connection is closed: the idle timeout alone does not stop a client that drips a byte every few seconds, as each
     * byte starts it again (19,900 such requests held every file descriptor in the hostile review). Headers dripped
     * the same way never reach the router; the proxy in front bounds them (README "Defence").
     */
    private void guard(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && exceeds(length)) {
            refuse(ctx);
            return;
        }
        if (ctx.request().isEnded()) {
            ctx.next();
            return;
        }
        closeUnlessReadInTime(ctx);
        boolean body = length != null ? !"0".equals(length.trim()) : chunked(ctx);
        if (body && !form(ctx) && ctx.request().version() != HttpVersion.HTTP_2) {
            bodies.handle(ctx);
        } else {
            ctx.next();
        }
    }

    private void closeUnlessReadInTime(RoutingContext ctx) {
        long timer = vertx.setTimer(readTimeoutMillis, id -> {
            if (!ctx.request().isEnded()) {
                LOG.info("request body not received within the read timeout: connection closed");
                ctx.request().connection().close();
            }
        });
        ctx.addEndHandler(done -> vertx.cancelTimer(timer));
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
