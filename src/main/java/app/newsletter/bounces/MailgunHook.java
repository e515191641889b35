package app.newsletter.bounces;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Mailgun's webhooks: {@code signature.signature} is the hex HMAC-SHA256 of {@code timestamp + token} under the
 * webhook signing key. The signature covers only those two, not the event, so a captured one must not sign another
 * body: the timestamp must be recent and each token is taken once (per instance, for the signature's lifetime).
 */
@ApplicationScoped
class MailgunHook implements RelayHook {

    static final Duration FRESH = Duration.ofMinutes(15);

    private final BouncesConfig config;
    private final Map<String, Instant> tokensSeen = new ConcurrentHashMap<>();

    MailgunHook(BouncesConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "mailgun";
    }

    @Override
    public boolean configured() {
        return config.mailgun().signingKey().isPresent();
    }

    @Override
    public List<Report> read(HttpHeaders headers, byte[] body) {
        JsonNode tree = Json.read(body);
        JsonNode signature = tree.path("signature");
        String timestamp = Json.text(signature, "timestamp");
        String token = Json.text(signature, "token");
        String given = Json.text(signature, "signature");
        if (timestamp == null || token == null || given == null) {
            throw HookRefused.forged("The Mailgun signature is missing.");
        }
        if (!Secrets.same(given.toLowerCase(java.util.Locale.ROOT), hmac(timestamp + token))) {
            throw HookRefused.forged("The Mailgun signature does not match.");
        }
        Instant now = Instant.now();
        Instant signed;
        try {
            signed = Instant.ofEpochSecond(Long.parseLong(timestamp));
        } catch (NumberFormatException e) {
            throw HookRefused.forged("The Mailgun timestamp is not a number.");
        }
        if (Duration.between(signed, now).abs().compareTo(FRESH) > 0) {
            throw HookRefused.forged("The Mailgun signature is older than " + FRESH.toMinutes() + " minutes.");
        }
        tokensSeen.values().removeIf(seen -> seen.isBefore(now.minus(FRESH.multipliedBy(2))));
        if (tokensSeen.putIfAbsent(token, now) != null) {
            throw HookRefused.forged("The Mailgun token was used before.");
        }
        JsonNode event = tree.path("event-data");
        String type = Json.text(event, "event");
        String recipient = Json.text(event, "recipient");
        if (type == null || recipient == null) {
            throw HookRefused.malformed("No event-data.event and event-data.recipient in the Mailgun event.");
        }
        Report.Kind kind;
        if ("complained".equals(type)) {
            kind = Report.Kind.COMPLAINT;
        } else if ("failed".equals(type)) {
            kind = "permanent".equals(Json.text(event, "severity")) ? Report.Kind.HARD : Report.Kind.SOFT;
        } else {
            return List.of();
        }
        return List.of(new Report(recipient, kind, Json.text(event, "id")));
    }

    private String hmac(String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(config.mailgun().signingKey().orElseThrow().getBytes(StandardCharsets.UTF_8),
                    "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every Java runtime", e);
        }
    }
}
