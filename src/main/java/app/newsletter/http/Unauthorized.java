package app.newsletter.http;

import java.util.Map;

/**
 * A refusal for missing or invalid credentials of the JSON API (an API key): 401, and {@code WWW-Authenticate} names
 * the scheme to use (RFC 9110 requires it on every 401), here {@code Bearer} as RFC 6750 writes it.
 */
public final class Unauthorized extends ProblemException {

    private final String challenge;

    /** @param presented whether the request carried credentials (then the challenge says they are invalid) */
    public Unauthorized(String detail, boolean presented) {
        super(401, detail, Map.of());
        this.challenge = "Bearer realm=\"Newsletter API\"" + (presented ? ", error=\"invalid_token\"" : "");
    }

    public String challenge() {
        return challenge;
    }
}
