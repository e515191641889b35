package app.newsletter.web;

import java.util.Map;

/**
 * A request the service refuses, with a safe explanation for the person who sent it. {@link ErrorMapper} turns it
 * into a problem+json answer, an HTML page or a redirect, depending on who asked.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final Map<String, String> errors;
    private final String listId;

    public ProblemException(int status, String detail, Map<String, String> errors, String listId) {
        super(detail, null, false, false);
        this.status = status;
        this.errors = Map.copyOf(errors);
        this.listId = listId;
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, detail, Map.of(), null);
    }

    public int status() {
        return status;
    }

    /** Field name → what is wrong with it. */
    public Map<String, String> errors() {
        return errors;
    }

    /** The list the request was for, when known: its error URL receives form posts that fail. */
    public String listId() {
        return listId;
    }
}
