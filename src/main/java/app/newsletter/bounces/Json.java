package app.newsletter.bounces;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The relays' JSON bodies, read as trees: each relay names its fields differently, and most fields are ignored. */
final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static JsonNode read(byte[] body) {
        try {
            JsonNode tree = MAPPER.readTree(body);
            if (tree == null || tree.isMissingNode()) {
                throw HookRefused.malformed("The body is empty.");
            }
            return tree;
        } catch (IOException e) {
            throw HookRefused.malformed("The body is not JSON.");
        }
    }

    static JsonNode read(String body) {
        return read(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A text field, or null when absent or not text. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
