package app.newsletter.bounces;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Postmark's bounce and spam-complaint webhooks. Postmark signs nothing; it sends the HTTP Basic credentials written
 * into the hook URL ({@code https://user:password@news.example.com/hooks/bounces/postmark}), checked here.
 */
@ApplicationScoped
class PostmarkHook implements RelayHook {

    /** Postmark's bounce types that mean the address is gone (its "Type" field). */
    private static final Set<String> HARD = Set.of("HardBounce", "BadEmailAddress", "ManuallyDeactivated",
            "Blocked");
    private static final Set<String> SOFT = Set.of("SoftBounce", "Transient", "DnsError");
    private static final Set<String> COMPLAINT = Set.of("SpamComplaint", "SpamNotification");

    private final BouncesConfig config;

    PostmarkHook(BouncesConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "postmark";
    }

    @Override
    public boolean configured() {
        return config.postmark().username().isPresent() && config.postmark().password().isPresent();
    }

    @Override
    public List<Report> read(HttpHeaders headers, byte[] body) {
        String expected = "Basic " + Base64.getEncoder().encodeToString((config.postmark().username().orElseThrow()
                + ":" + config.postmark().password().orElseThrow()).getBytes(StandardCharsets.UTF_8));
        if (!Secrets.same(headers.getHeaderString(HttpHeaders.AUTHORIZATION), expected)) {
            throw HookRefused.forged("The Basic credentials of the hook URL are missing or wrong.");
        }
        JsonNode event = Json.read(body);
        String record = Json.text(event, "RecordType");
        String type = Json.text(event, "Type");
        String email = Json.text(event, "Email");
        if (email == null) {
            throw HookRefused.malformed("No \"Email\" in the Postmark event.");
        }
        Report.Kind kind;
        if ("SpamComplaint".equals(record) || COMPLAINT.contains(type)) {
            kind = Report.Kind.COMPLAINT;
        } else if ("Bounce".equals(record) && HARD.contains(type)) {
            kind = Report.Kind.HARD;
        } else if ("Bounce".equals(record) && SOFT.contains(type)) {
            kind = Report.Kind.SOFT;
        } else {
            return List.of(); // auto-replies, subscribe requests and the like say nothing about deliverability
        }
        return List.of(new Report(email, kind, Json.text(event, "ID")));
    }
}
