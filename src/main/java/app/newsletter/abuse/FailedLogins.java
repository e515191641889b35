package app.newsletter.abuse;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import app.newsletter.http.ClientAddresses;
import io.quarkus.security.spi.runtime.AuthenticationFailureEvent;
import io.vertx.ext.web.RoutingContext;

/**
 * Counts every failed staff login for {@link LoginThrottle} and logs it with the user name tried and the client
 * address, never the password. The log is itself limited (ten lines a second per instance, then one line saying how
 * many it left out), so that a guessing run cannot fill the disk or drown the other lines: 57,016 WARN lines in 5 s
 * before.
 */
@ApplicationScoped
class FailedLogins {

    private static final Logger LOG = Logger.getLogger(FailedLogins.class);
    private static final int MAX_NAME = 64;
    private static final int LINES_PER_SECOND = 10;

    private final LoginThrottle throttle;
    private final ClientAddresses addresses;
    private long second;
    private int lines;
    private long untold;

    FailedLogins(LoginThrottle throttle, ClientAddresses addresses) {
        this.throttle = throttle;
        this.addresses = addresses;
    }

    void onFailure(@Observes AuthenticationFailureEvent event) {
        RoutingContext ctx = event.getEventProperties().values().stream()
                .filter(RoutingContext.class::isInstance).map(RoutingContext.class::cast)
                .findFirst().orElse(null);
        if (ctx == null) {
            LOG.warn("failed login");
            return;
        }
        String user = basicUser(ctx.request().getHeader("Authorization"));
        if (user == null) {
            return; // no credentials at all: the normal challenge, not a failed login
        }
        String ip = addresses.of(ctx.request());
        throttle.failed(LoginThrottle.keys(user, ip));
        String line = "failed login for user '" + user + "' from " + (ip == null ? "?" : ip) + " on "
                + ctx.normalizedPath();
        String logged = admit(line, System.currentTimeMillis() / 1000);
        if (logged != null) {
            LOG.warn(logged);
        }
    }

    /** @return the line to log (with a count of the ones left out before it), or null while the second is full */
    synchronized String admit(String line, long nowSecond) {
        if (nowSecond != second) {
            second = nowSecond;
            lines = 0;
        }
        if (lines >= LINES_PER_SECOND) {
            untold++;
            return null;
        }
        lines++;
        long left = untold;
        untold = 0;
        return left == 0 ? line : line + " (" + left + " more failed logins were not logged)";
    }

    /** The user part of Basic credentials, cut short and stripped of control characters (log forging). */
    static String basicUser(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "(undecodable)";
        }
        int colon = decoded.indexOf(':');
        String user = colon < 0 ? "(no password given)" : decoded.substring(0, colon);
        user = user.replaceAll("\\p{Cntrl}", "?");
        return user.length() > MAX_NAME ? user.substring(0, MAX_NAME) + "…" : user;
    }
}
