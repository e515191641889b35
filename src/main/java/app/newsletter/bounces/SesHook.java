package app.newsletter.bounces;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import app.newsletter.http.ProblemException;

/**
 * Amazon SES bounce and complaint notifications through an SNS topic. Every SNS message is verified as AWS documents
 * it: its signing certificate must come from an SNS URL ({@code sns-url-pattern}), and the signature (version 1:
 * SHA1withRSA, 2: SHA256withRSA) must cover the message's canonical fields; only configured topics count. A
 * subscription confirmation is confirmed by visiting its SubscribeURL (also an SNS URL) once it verified.
 */
@ApplicationScoped
class SesHook implements RelayHook {

    private static final Logger LOG = Logger.getLogger(SesHook.class);

    private static final List<String> NOTIFICATION = List.of("Message", "MessageId", "Subject", "Timestamp",
            "TopicArn", "Type");
    private static final List<String> CONFIRMATION = List.of("Message", "MessageId", "SubscribeURL", "Timestamp",
            "Token", "TopicArn", "Type");

    private final BouncesConfig config;
    private final Pattern snsUrls;
    private final Map<String, X509Certificate> certificates = new ConcurrentHashMap<>();

    SesHook(BouncesConfig config) {
        this.config = config;
        this.snsUrls = Pattern.compile(config.ses().snsUrlPattern());
    }

    @Override
    public String name() {
        return "ses";
    }

    @Override
    public boolean configured() {
        return config.ses().topicArns().filter(topics -> !topics.isEmpty()).isPresent();
    }

    @Override
    public List<Report> read(HttpHeaders headers, byte[] body) {
        JsonNode message = Json.read(body);
        String type = Json.text(message, "Type");
        String topic = Json.text(message, "TopicArn");
        if (type == null || topic == null) {
            throw HookRefused.malformed("Not an SNS message: Type and TopicArn are missing.");
        }
        if (!config.ses().topicArns().orElseThrow().contains(topic)) {
            throw HookRefused.forged("The SNS topic is not one of NEWSLETTER_BOUNCES_SES_TOPIC_ARNS.");
        }
        verify(message, type);
        switch (type) {
            case "SubscriptionConfirmation" -> {
                confirmSubscription(Json.text(message, "SubscribeURL"), topic);
                return List.of();
            }
            case "Notification" -> {
                return reports(Json.read(String.valueOf(Json.text(message, "Message"))),
                        Json.text(message, "MessageId"));
            }
            default -> {
                return List.of(); // UnsubscribeConfirmation
            }
        }
    }

    /** The SES notification inside the SNS message: a bounce (permanent or not) or a complaint. */
    private static List<Report> reports(JsonNode notification, String messageId) {
        String type = Json.text(notification, "notificationType");
        if (type == null) {
            type = Json.text(notification, "eventType"); // SES event publishing names it so
        }
        List<Report> reports = new ArrayList<>();
        if ("Bounce".equals(type)) {
            JsonNode bounce = notification.path("bounce");
            Report.Kind kind = "Permanent".equals(Json.text(bounce, "bounceType")) ? Report.Kind.HARD
                    : Report.Kind.SOFT;
            for (JsonNode recipient : bounce.path("bouncedRecipients")) {
                String address = Json.text(recipient, "emailAddress");
                if (address != null) {
                    reports.add(new Report(address, kind, messageId + "/" + address));
                }
            }
        } else if ("Complaint".equals(type)) {
            for (JsonNode recipient : notification.path("complaint").path("complainedRecipients")) {
                String address = Json.text(recipient, "emailAddress");
                if (address != null) {
                    reports.add(new Report(address, Report.Kind.COMPLAINT, messageId + "/" + address));
                }
            }
        }
        return reports;
    }

    private void verify(JsonNode message, String type) {
        String algorithm = switch (String.valueOf(Json.text(message, "SignatureVersion"))) {
            case "1" -> "SHA1withRSA";
            case "2" -> "SHA256withRSA";
            default -> throw HookRefused.forged("Unknown SNS SignatureVersion.");
        };
        String certificateUrl = Json.text(message, "SigningCertURL");
        String signature = Json.text(message, "Signature");
        if (certificateUrl == null || signature == null || !snsUrls.matcher(certificateUrl).matches()) {
            throw HookRefused.forged("The SNS signing certificate URL is missing or not an SNS URL.");
        }
        StringBuilder canonical = new StringBuilder();
        for (String field : "Notification".equals(type) ? NOTIFICATION : CONFIRMATION) {
            String value = Json.text(message, field);
            if (value != null) {
                canonical.append(field).append('\n').append(value).append('\n');
            }
        }
        try {
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate(certificateUrl));
            verifier.update(canonical.toString().getBytes(StandardCharsets.UTF_8));
            if (!verifier.verify(Base64.getDecoder().decode(signature))) {
                throw HookRefused.forged("The SNS signature does not match.");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw HookRefused.forged("The SNS signature cannot be checked: " + e.getMessage());
        }
    }

    private X509Certificate certificate(String url) throws GeneralSecurityException {
        X509Certificate cached = certificates.get(url);
        if (cached == null) {
            HttpResponse<byte[]> response = get(url);
            if (response.statusCode() != 200) {
                throw new GeneralSecurityException("certificate answered " + response.statusCode());
            }
            cached = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(response.body()));
            certificates.put(url, cached);
        }
        cached.checkValidity();
        return cached;
    }

    private void confirmSubscription(String url, String topic) {
        if (url == null || !snsUrls.matcher(url).matches()) {
            throw HookRefused.forged("The SubscribeURL is not an SNS URL.");
        }
        HttpResponse<byte[]> response = get(url);
        if (response.statusCode() / 100 != 2) {
            // 5xx to SNS: it sends the confirmation again later.
            throw new ProblemException(503, "SNS answered " + response.statusCode() + " to the confirmation.", Map.of());
        }
        LOG.infof("SNS subscription to %s confirmed", topic);
    }

    private HttpResponse<byte[]> get(String url) {
        try {
            return Sns.HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ProblemException(503, "SNS is unreachable: " + e.getMessage(), Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling SNS", e);
        }
    }

    /**
     * Holds the client, built on the first SNS fetch rather than with the bean: building one initialises TLS (the trust
     * store and some 250 JDK classes), about 0.1 s of every start-up, for a hook most installations never configure.
     */
    private static final class Sns {
        static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }
}
