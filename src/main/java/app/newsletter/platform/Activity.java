package app.newsletter.platform;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * When the service last took a request on its public port: background work that competes with requests for the
 * machine (a mail backlog's drain) takes more of it only while no one is waiting for an answer.
 */
@ApplicationScoped
public class Activity {

    private volatile long lastRequest = System.nanoTime() - Duration.ofDays(1).toNanos();

    /** A request arrived (called on every request, from the event loops: one volatile write). */
    public void request() {
        lastRequest = System.nanoTime();
    }

    /** How long without a request before no one counts as waiting for an answer. */
    private static final long QUIET_NANOS = Duration.ofSeconds(1).toNanos();

    /** @return true when no request arrived within the last second: background work may take the machine */
    public boolean quiet() {
        return System.nanoTime() - lastRequest >= QUIET_NANOS;
    }
}
