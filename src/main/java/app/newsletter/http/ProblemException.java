package app.newsletter.http;

import java.util.Map;

/**
 * A request the service refuses, with a safe explanation for the person who sent it. {@link ErrorMapper} turns it
 * into a problem+json answer or an HTML page, depending on who asked (a feature that sends its forms elsewhere
 * catches its own).
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final Map<String, String> errors;

    public ProblemException(int status, String detail, Map<String, String> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.errors = Map.copyOf(errors);
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, detail, Map.of());
    }

    public int status() {
        return status;
    }

    /** Field name → what is wrong with it. */
    public Map<String, String> errors() {
        return errors;
    }
}
