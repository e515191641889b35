package app.newsletter.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Lets every background sender ({@link Drainable}: the mail outbox, the webhooks) finish its round on SIGTERM. This must
 * happen at the very start of the shutdown: once HTTP has drained, Quarkus closes Vert.x, whose event loops carry the
 * senders' connections, and the database pool, before {@link ShutdownEvent} observers have finished (sends in flight
 * then hang or fail and are retried, although their receiver may have taken them). {@link ShutdownEvent} is the
 * fallback for a shutdown that skipped its first phase; a second drain returns at once.
 */
@ApplicationScoped
class Drain {

    private final Instance<Drainable> senders;

    Drain(@Any Instance<Drainable> senders) {
        this.senders = senders;
    }

    void atShutdownStart(@Observes ShutdownDelayInitiatedEvent event) throws InterruptedException {
        drainAll();
    }

    void atShutdown(@Observes ShutdownEvent event) throws InterruptedException {
        drainAll();
    }

    private void drainAll() throws InterruptedException {
        for (Drainable sender : senders) {
            sender.drain();
        }
    }
}
