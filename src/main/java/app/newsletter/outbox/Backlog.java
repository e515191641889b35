package app.newsletter.outbox;

import java.time.Duration;

/** Mail waiting to go out, and mail given up on. */
public record Backlog(long pending, Duration oldestAge, long dead) {
}
