package app.newsletter.abuse;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import app.newsletter.http.ClientAddresses;
import app.newsletter.http.Problem;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Guessing staff passwords: after {@code newsletter.rate-limit.login-failures-per-minute} failed logins for one user
 * name, or from one client IP, within a minute, every further attempt (even with the right password) answers 429
 * with Retry-After before the credentials are checked, until the minute has passed. The failures are counted in
 * {@link RateWindows}, so all instances share them. Runs before Quarkus's authentication on the staff paths.
 */
@ApplicationScoped
class LoginThrottle {

    private static final Logger LOG = Logger.getLogger(LoginThrottle.class);
    private static final List<String> STAFF = List.of("/admin", "/api/admin");

    private final RateWindows windows;
    private final ClientAddresses addresses;
    private final Vertx vertx;
    private final int perMinute;
    private final ObjectMapper json;

    LoginThrottle(RateWindows windows, ClientAddresses addresses, Vertx vertx, AbuseConfig config,
            ObjectMapper json) {
        this.json = json;
        this.windows = windows;
        this.addresses = addresses;
        this.vertx = vertx;
        this.perMinute = config.rateLimit().loginFailuresPerMinute();
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 2).handler(this::check);
    }

    /** The keys a login attempt by this user name from this client IP counts against. */
    static List<String> keys(String user, String ip) {
        return List.of("login-user:" + user.toLowerCase(Locale.ROOT), "login-ip:" + ClientAddresses.limitKey(ip));
    }

    /** Counts one failed login, off the event loop; a lost count only lets one more attempt through. */
    void failed(List<String> keys) {
        vertx.executeBlocking(() -> {
            windows.count(keys, perMinute, Instant.now());
            return null;
        }, false).onFailure(e -> LOG.warnf("failed login not counted: %s", e.getMessage()));
    }

    private void check(RoutingContext ctx) {
        if (!staff(ctx.normalizedPath())) {
            ctx.next();
            return;
        }
        String user = FailedLogins.basicUser(ctx.request().getHeader("Authorization"));
        if (user == null) {
            ctx.next();
            return;
        }
        List<String> keys = keys(user, addresses.of(ctx.request()));
        vertx.executeBlocking(() -> windows.fullFor(keys, perMinute, Instant.now()), false).onComplete(result -> {
            // Fails closed: when the windows cannot be read, no password is checked either.
            long wait = result.succeeded() ? result.result() : 60;
            if (wait == 0) {
                ctx.next();
                return;
            }
            String detail = "Too many failed logins. Please try again in " + wait + " seconds.";
            ctx.response().setStatusCode(429)
                    .putHeader(HttpHeaders.RETRY_AFTER, Long.toString(wait))
                    .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    .end(problem(detail));
        });
    }

    private String problem(String detail) {
        try {
            return json.writeValueAsString(Problem.of(429, detail, Map.of()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean staff(String path) {
        for (String prefix : STAFF) {
            if (path.equals(prefix) || path.startsWith(prefix + "/")) {
                return true;
            }
        }
        return false;
    }
}
