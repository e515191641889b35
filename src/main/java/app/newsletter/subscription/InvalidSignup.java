package app.newsletter.subscription;

import java.util.Map;

import app.newsletter.http.ProblemException;

/**
 * A signup whose fields are not valid (400, naming them). It knows the list the form was for, whose error URL then
 * receives the browser: the one failure of a form that a list's own page can explain (the others get ours).
 */
final class InvalidSignup extends ProblemException {

    private final String listId;

    InvalidSignup(String detail, Map<String, String> errors, String listId) {
        super(400, detail, errors);
        this.listId = listId;
    }

    String listId() {
        return listId;
    }
}
