package app.newsletter.http;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/** RFC 9457 problem details. Every error answer of the JSON API has this body. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, Map<String, String> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TITLE = "Something went wrong.";

    public static Problem of(int status, String detail, Map<String, String> errors) {
        return new Problem("about:blank", TITLE, status, detail, errors);
    }
}
