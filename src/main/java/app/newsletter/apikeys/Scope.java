package app.newsletter.apikeys;

import java.util.Locale;
import java.util.Optional;

/** What a key may do. Stored and shown in lower case, as callers write it. */
public enum Scope {
    /** {@code POST /api/subscriptions} on behalf of the people it signs up. */
    SIGNUP,
    /** {@code GET /api/subscribers}: the paged listing, for tools that poll. */
    READ;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<Scope> of(String label) {
        for (Scope scope : values()) {
            if (scope.label().equals(label)) {
                return Optional.of(scope);
            }
        }
        return Optional.empty();
    }
}
