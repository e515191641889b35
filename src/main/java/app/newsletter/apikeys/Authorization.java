package app.newsletter.apikeys;

/**
 * What {@link ApiKeys#authorize} made of a request's {@code Authorization} header; the resource that asked chooses the
 * status of each.
 */
public sealed interface Authorization {

    /** No Bearer credentials: the request is not made with a key at all. */
    record Anonymous() implements Authorization {
    }

    /** A Bearer header with something that is no valid key: malformed, unknown or revoked (401). */
    record Unauthenticated(String detail) implements Authorization {
    }

    /** A valid key without the scope the endpoint needs (403). */
    record Forbidden(String detail) implements Authorization {
    }

    /** A valid key whose window is used up: try again in {@code retryAfter} seconds (429). */
    record Limited(long retryAfter) implements Authorization {
    }

    /** A valid key with the scope, its use counted. */
    record Granted(Caller caller) implements Authorization {
    }

    /**
     * The key a request came with, as endpoints need it: its id for logs, never its material.
     *
     * @param listId the one list the key may use, or null for every list
     */
    record Caller(long id, String prefix, String listId) {

        /** @return whether the key may act on this list */
        public boolean allows(String list) {
            return listId == null || listId.equals(list);
        }
    }
}
