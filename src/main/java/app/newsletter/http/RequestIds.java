package app.newsletter.http;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.MDC;

import app.newsletter.platform.Activity;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Gives every request an id: the caller's {@code X-Request-Id} when it is sane, else a new one. It is echoed in the
 * answer and put in the logging context ({@code %X{requestId}}, and a field of the JSON logs), so that one request's
 * lines can be found across threads and instances. Also notes that a request came ({@link Activity}).
 */
@ApplicationScoped
class RequestIds {

    static final String HEADER = "X-Request-Id";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final Activity activity;

    RequestIds(Activity activity) {
        this.activity = activity;
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::tag);
    }

    private void tag(RoutingContext ctx) {
        activity.request();
        String id = ctx.request().getHeader(HEADER);
        if (id == null || !SANE.matcher(id).matches()) {
            id = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
        }
        ctx.response().putHeader(HEADER, id);
        MDC.put("requestId", id);
        ctx.next();
    }
}
