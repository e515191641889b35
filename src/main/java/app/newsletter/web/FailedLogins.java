package app.newsletter.web;

import io.quarkus.security.spi.runtime.AuthenticationFailureEvent;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jboss.logging.Logger;

/** Logs every failed staff login with the user name tried and the client address — never the password. */
@ApplicationScoped
class FailedLogins {

    private static final Logger LOG = Logger.getLogger(FailedLogins.class);
    private static final int MAX_NAME = 64;

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
        LOG.warnf("failed login for user '%s' from %s on %s", user,
                ctx.request().remoteAddress() == null ? "?" : ctx.request().remoteAddress().hostAddress(),
                ctx.normalizedPath());
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
