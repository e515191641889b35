package app.newsletter.outbox;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A rendered mail ready to queue. {@code kind} names it for logs and metrics (e.g. "confirmation"); the outbox
 * knows nothing else about what the mail means.
 */
public record QueuedMail(String kind, String recipient, String subject, String text, String html,
        Map<String, String> headers) {

    public QueuedMail {
        requireSingleLine(recipient, "recipient");
        requireSingleLine(subject, "subject");
        headers = Map.copyOf(headers);
        headers.forEach((name, value) -> {
            requireSingleLine(name, "header name");
            requireSingleLine(value, "header " + name);
        });
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {
    };

    /** The headers as a JSON object, the form in which they are stored until the mail is sent. */
    public String headersJson() {
        try {
            return JSON.writeValueAsString(headers);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("headers of a " + kind + " mail are not JSON-serialisable", e);
        }
    }

    /** @param json stored headers ({@link #headersJson()}); null or empty for none */
    public static Map<String, String> headersOf(String json) {
        try {
            return json == null || json.isEmpty() ? Map.of() : JSON.readValue(json, HEADERS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored mail headers are not a JSON object of strings", e);
        }
    }

    /** A line break in a header would let its value start a header of its own (header injection). */
    private static void requireSingleLine(String value, String what) {
        if (value == null || value.isBlank() || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException(what + " must be a single, non-empty line");
        }
    }
}
