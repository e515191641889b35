package app.newsletter.platform;

/** A background sender that {@link Drain} stops at shutdown. */
public interface Drainable {

    /**
     * Claims nothing more and waits (bounded) for the round in progress to settle, so that nothing this instance
     * claimed waits for its lease to expire, or goes out twice, after a normal shutdown.
     */
    void drain() throws InterruptedException;
}
