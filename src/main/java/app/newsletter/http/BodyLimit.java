package app.newsletter.http;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.netty.handler.codec.DecoderException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Refuses bodies over 16 KiB with a real answer, except on the relays' webhooks ({@code /hooks/}), which take up to
 * 1 MiB: SendGrid posts its events in batches of up to 768 KB. Quarkus' own limit
 * ({@code quarkus.http.limits.max-body-size}) is one figure for every path and answers a bare 413 that no exception
 * mapper sees, so it is set to the larger figure and each path's limit is kept here: declared lengths are checked
 * first, and every HTTP/1.1 body is read here up to its path's limit.
 */
@ApplicationScoped
class BodyLimit {

    private static final Logger LOG = Logger.getLogger(BodyLimit.class);

    static final long MAX_BYTES = 16 * 1024;
    /** Keep equal to {@code quarkus.http.limits.max-body-size}, the largest limit of all. */
    static final long MAX_HOOK_BYTES = 1024 * 1024;
    private static final String HOOKS = "/hooks/";
    /** Where Quarkus REST finds the limit of a body it reads itself (HTTP/2) without a declared length. */
    private static final String QUARKUS_LIMIT_KEY = "io.quarkus.max-request-size";

    /**
     * Read bodies (declared or chunked) on the event loop up to the limit; beyond it the handler fails the request
     * with 413, answered by {@link #refuse}. Left to Quarkus REST's input stream, an overflow ended the response with
     * a bare 413 that neither the router nor the exception mappers see (a chunked form of many small fields got an
     * empty page), and a dripped body held a worker thread (see {@link #guard}). Form bodies are decoded here too, and
     * Quarkus REST takes their fields from the request.
     */
    private final BodyHandler bodies = BodyHandler.create(false).setBodyLimit(MAX_BYTES);
    private final BodyHandler hookBodies = BodyHandler.create(false).setBodyLimit(MAX_HOOK_BYTES);
    private final Vertx vertx;
    private final long readTimeoutMillis;

    BodyLimit(Vertx vertx, @ConfigProperty(name = "quarkus.http.read-timeout") Duration readTimeout) {
        this.vertx = vertx;
        this.readTimeoutMillis = Math.max(1, readTimeout.toMillis());
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::guard).failureHandler(ctx -> {
            if (ctx.statusCode() == 413 || form(ctx) && tooLargeField(ctx.failure())) {
                refuse(ctx);
            } else if (form(ctx) && (ctx.failure() instanceof DecoderException
                    || ctx.failure() instanceof IllegalArgumentException)) {
                // Bad percent-encoding (email=%zz), found by the form decoder while the body is read.
                answer(ctx, 400, ErrorMapper.BAD_FORM_ENCODING);
            } else if (ctx.failure() instanceof HttpClosedException) {
                // The client hung up (or was cut off above) mid-body: nobody to answer, nothing worth an ERROR line.
                LOG.debug("connection closed before the request body was received");
            } else {
                ctx.next();
            }
        });
        router.errorHandler(413, BodyLimit::refuse);
        // Right after Quarkus' upload-limit handler (order -2), which sets its one limit for every path.
        router.route().order(-1).handler(ctx -> {
            ctx.put(QUARKUS_LIMIT_KEY, limit(ctx));
            ctx.next();
        });
    }

    /**
     * Refuses a declared length over the path's limit, and reads every other body here, on the event loop, before a
     * worker thread takes the request: read by the endpoint's blocking input stream instead, a body dripped a byte
     * at a time held a worker thread for the whole read timeout, and 200 such requests (the pool's size) stopped every
     * signup for 30 s. HTTP/2 requests are left to Quarkus REST, which cannot take over an HTTP/2 body read before it
     * (they come from the proxy as HTTP/1.1).
     * <p>
     * And a body must have arrived in full within {@code quarkus.http.read-timeout} (30 s) of the headers, else the
     * connection is closed: the idle timeout alone does not stop a client that drips a byte every few seconds, as each
     * byte starts it again (19,900 such requests held every file descriptor in the hostile review). Headers dripped
     * the same way never reach the router; the proxy in front bounds them (README "Defence").
     */
    private void guard(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && exceeds(length, limit(ctx))) {
            refuse(ctx);
            return;
        }
        if (ctx.request().isEnded()) {
            ctx.next();
            return;
        }
        closeUnlessReadInTime(ctx);
        boolean body = length != null ? !"0".equals(length.trim()) : chunked(ctx);
        if (body && ctx.request().version() != HttpVersion.HTTP_2) {
            (limit(ctx) == MAX_HOOK_BYTES ? hookBodies : bodies).handle(ctx);
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

    private static long limit(RoutingContext ctx) {
        return ctx.normalizedPath().startsWith(HOOKS) ? MAX_HOOK_BYTES : MAX_BYTES;
    }

    private static boolean form(RoutingContext ctx) {
        String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        return contentType != null && contentType.startsWith("application/x-www-form-urlencoded");
    }

    /** Netty's form decoder refuses a field over {@code quarkus.http.limits.max-form-attribute-size} so. */
    private static boolean tooLargeField(Throwable failure) {
        return failure instanceof IOException && String.valueOf(failure.getMessage()).startsWith("Size exceed");
    }

    private static boolean exceeds(String length, long limit) {
        try {
            return Long.parseLong(length.trim()) > limit;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void refuse(RoutingContext ctx) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        answer(ctx, 413, limit(ctx) == MAX_HOOK_BYTES ? "The request is larger than 1 MiB."
                : "The request is larger than 16 KiB.");
    }

    private static void answer(RoutingContext ctx, int status, String detail) {
        if (ctx.response().headWritten()) {
            return;
        }
        ctx.response().setStatusCode(status);
        if (form(ctx)) {
            ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html;charset=UTF-8")
                    .end(WebPages.failure(detail, List.of()).render());
        } else {
            ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    .end(Json.encode(Problem.of(status, detail, Map.of())));
        }
    }
}
