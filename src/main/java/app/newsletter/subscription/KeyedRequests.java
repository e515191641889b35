package app.newsletter.subscription;

import java.util.Map;

import app.newsletter.apikeys.Authorization;
import app.newsletter.http.ProblemException;
import app.newsletter.http.TooManyRequests;
import app.newsletter.http.Unauthorized;

/** The answers of the endpoints that take an API key, chosen from what {@code ApiKeys.authorize} found. */
final class KeyedRequests {

    private KeyedRequests() {
    }

    /**
     * @return the key the request came with, when it may go on
     * @throws ProblemException 401 (with {@code WWW-Authenticate: Bearer}) for no, a malformed, an unknown or a revoked
     *         key, 403 for a key without the scope, 429 with Retry-After for a key whose window is used up
     */
    static Authorization.Caller caller(Authorization outcome) {
        if (outcome instanceof Authorization.Granted granted) {
            return granted.caller();
        }
        if (outcome instanceof Authorization.Unauthenticated refused) {
            throw new Unauthorized(refused.detail(), true);
        }
        if (outcome instanceof Authorization.Forbidden forbidden) {
            throw new ProblemException(403, forbidden.detail(), Map.of());
        }
        if (outcome instanceof Authorization.Limited limited) {
            throw new TooManyRequests("Too many signups with this API key. Please try again in " + limited.retryAfter()
                    + " seconds.", limited.retryAfter());
        }
        throw new Unauthorized("This endpoint needs an API key: send it as Authorization: Bearer nlk_….", false);
    }
}
