package app.newsletter.bounces;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * SendGrid's signed Event Webhook: {@code X-Twilio-Email-Event-Webhook-Signature} is a base64 ECDSA (P-256,
 * SHA-256) signature of the {@code X-Twilio-Email-Event-Webhook-Timestamp} header followed by the raw body, under
 * the verification key SendGrid shows. The body is an array of events; bounces, blocks and spam reports count.
 */
@ApplicationScoped
class SendgridHook implements RelayHook {

    static final String SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature";
    static final String TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp";

    private final BouncesConfig config;
    private volatile PublicKey key;

    SendgridHook(BouncesConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "sendgrid";
    }

    @Override
    public boolean configured() {
        return config.sendgrid().publicKey().isPresent();
    }

    @Override
    public List<Report> read(HttpHeaders headers, byte[] body) {
        String signature = headers.getHeaderString(SIGNATURE);
        String timestamp = headers.getHeaderString(TIMESTAMP);
        if (signature == null || timestamp == null) {
            throw HookRefused.forged("The SendGrid signature headers are missing.");
        }
        if (!verifies(signature, timestamp, body)) {
            throw HookRefused.forged("The SendGrid signature does not match.");
        }
        JsonNode tree = Json.read(body);
        if (!tree.isArray()) {
            throw HookRefused.malformed("SendGrid sends an array of events.");
        }
        List<Report> reports = new ArrayList<>();
        for (JsonNode event : tree) {
            String type = Json.text(event, "event");
            String email = Json.text(event, "email");
            if (email == null || type == null) {
                continue;
            }
            Report.Kind kind = switch (type) {
                // "blocked" bounces are the receiver's temporary refusal (reputation, content): soft.
                case "bounce" -> "blocked".equals(Json.text(event, "type")) ? Report.Kind.SOFT : Report.Kind.HARD;
                case "spamreport" -> Report.Kind.COMPLAINT;
                default -> null; // delivered, deferred (SendGrid retries those itself), opens, clicks …
            };
            if (kind != null) {
                reports.add(new Report(email, kind, Json.text(event, "sg_event_id")));
            }
        }
        return reports;
    }

    private boolean verifies(String signature, String timestamp, byte[] body) {
        try {
            Signature ecdsa = Signature.getInstance("SHA256withECDSA");
            ecdsa.initVerify(publicKey());
            ecdsa.update(timestamp.getBytes(StandardCharsets.UTF_8));
            ecdsa.update(body);
            return ecdsa.verify(Base64.getDecoder().decode(signature.strip()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private PublicKey publicKey() throws GeneralSecurityException {
        PublicKey current = key;
        if (current == null) {
            byte[] der = Base64.getMimeDecoder().decode(config.sendgrid().publicKey().orElseThrow().strip());
            current = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
            key = current;
        }
        return current;
    }
}
