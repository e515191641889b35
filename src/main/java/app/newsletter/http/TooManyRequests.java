package app.newsletter.http;

import java.util.Map;

/** A refusal because the client used up a limit: 429, and {@code Retry-After} says when to come back. */
public final class TooManyRequests extends ProblemException {

    private final long retryAfterSeconds;

    public TooManyRequests(long retryAfterSeconds) {
        this("Too many signups from your network. Please try again in " + retryAfterSeconds + " seconds.",
                retryAfterSeconds);
    }

    public TooManyRequests(String detail, long retryAfterSeconds) {
        super(429, detail, Map.of());
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
