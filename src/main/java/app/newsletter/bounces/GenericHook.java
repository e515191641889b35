package app.newsletter.bounces;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * For relays without a hook of their own, or a script reading DSNs: {@code X-Bounce-Secret: <secret>} and a body
 * {@code {"type": "hard"|"soft"|"complaint", "email": "…", "id": "…"}}, or an array of them.
 */
@ApplicationScoped
class GenericHook implements RelayHook {

    static final String HEADER = "X-Bounce-Secret";

    private final BouncesConfig config;

    GenericHook(BouncesConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "generic";
    }

    @Override
    public boolean configured() {
        return config.generic().secret().isPresent();
    }

    @Override
    public List<Report> read(HttpHeaders headers, byte[] body) {
        if (!Secrets.same(headers.getHeaderString(HEADER), config.generic().secret().orElseThrow())) {
            throw HookRefused.forged("The " + HEADER + " header is missing or wrong.");
        }
        JsonNode tree = Json.read(body);
        List<Report> reports = new ArrayList<>();
        for (JsonNode event : tree.isArray() ? tree : List.of(tree)) {
            String type = Json.text(event, "type");
            String email = Json.text(event, "email");
            if (type == null || email == null) {
                throw HookRefused.malformed("Each event needs a \"type\" (hard, soft or complaint) and an \"email\".");
            }
            Report.Kind kind = switch (type.toLowerCase(Locale.ROOT)) {
                case "hard", "hard_bounce", "bounce" -> Report.Kind.HARD;
                case "soft", "soft_bounce" -> Report.Kind.SOFT;
                case "complaint", "spam" -> Report.Kind.COMPLAINT;
                default -> throw HookRefused.malformed("Unknown type \"" + type + "\": use hard, soft or complaint.");
            };
            reports.add(new Report(email, kind, Json.text(event, "id")));
        }
        return reports;
    }
}
