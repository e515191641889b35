package app.newsletter.bounces;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Plays Amazon SNS for the SES hook: serves the signing certificate (a test key, src/test/resources/bounces), records
 * the subscription confirmations the service visits, and signs messages the way SNS does (SignatureVersion 2).
 * Relay secrets of the other hooks are configured here too.
 */
public class SnsStandIn implements QuarkusTestResourceLifecycleManager {

    static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-bounces";
    static final String POSTMARK_USER = "postmark-hook";
    static final String POSTMARK_PASSWORD = "pm-secret-9f3c1e";
    static final String MAILGUN_KEY = "key-mailgun-signing-4b1d";
    static final String GENERIC_SECRET = "generic-shared-secret-0123456789";

    private static HttpServer server;
    static final List<String> confirmations = new CopyOnWriteArrayList<>();

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        byte[] certificate = resource("sns-signing-cert.pem");
        server.createContext("/cert.pem", exchange -> {
            exchange.sendResponseHeaders(200, certificate.length);
            exchange.getResponseBody().write(certificate);
            exchange.close();
        });
        server.createContext("/confirm", exchange -> {
            confirmations.add(exchange.getRequestURI().toString());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return Map.of(
                "newsletter.bounces.ses.topic-arns", TOPIC,
                "newsletter.bounces.ses.sns-url-pattern", "http://127\\.0\\.0\\.1:" + port() + "/.*",
                "newsletter.bounces.postmark.username", POSTMARK_USER,
                "newsletter.bounces.postmark.password", POSTMARK_PASSWORD,
                "newsletter.bounces.mailgun.signing-key", MAILGUN_KEY,
                "newsletter.bounces.sendgrid.public-key",
                new String(resource("sendgrid-public-key.b64"), StandardCharsets.US_ASCII).strip(),
                "newsletter.bounces.generic.secret", GENERIC_SECRET);
    }

    @Override
    public void stop() {
        server.stop(0);
    }

    static int port() {
        return server.getAddress().getPort();
    }

    static String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** An SNS Notification carrying an SES notification, signed like SNS signs it. */
    static String notification(String sesJson) {
        Map<String, String> message = new LinkedHashMap<>();
        message.put("Type", "Notification");
        message.put("MessageId", java.util.UUID.randomUUID().toString());
        message.put("TopicArn", TOPIC);
        message.put("Message", sesJson);
        message.put("Timestamp", "2026-12-02T12:00:00.000Z");
        message.put("SignatureVersion", "2");
        message.put("SigningCertURL", url("/cert.pem"));
        message.put("UnsubscribeURL", url("/unsubscribe"));
        return signed(message, List.of("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"));
    }

    static String subscriptionConfirmation() {
        Map<String, String> message = new LinkedHashMap<>();
        message.put("Type", "SubscriptionConfirmation");
        message.put("MessageId", java.util.UUID.randomUUID().toString());
        message.put("Token", "2336412f37fb687f5d51e6e2425c464de");
        message.put("TopicArn", TOPIC);
        message.put("Message", "You have chosen to subscribe to the topic " + TOPIC + ".");
        message.put("SubscribeURL", url("/confirm?Action=ConfirmSubscription&TopicArn=" + TOPIC + "&Token=2336"));
        message.put("Timestamp", "2026-12-02T12:00:00.000Z");
        message.put("SignatureVersion", "2");
        message.put("SigningCertURL", url("/cert.pem"));
        return signed(message, List.of("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn",
                "Type"));
    }

    private static String signed(Map<String, String> message, List<String> fields) {
        StringBuilder canonical = new StringBuilder();
        for (String field : fields) {
            if (message.containsKey(field)) {
                canonical.append(field).append('\n').append(message.get(field)).append('\n');
            }
        }
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(privateKey("sns-signing-key.pem", "RSA"));
            rsa.update(canonical.toString().getBytes(StandardCharsets.UTF_8));
            message.put("Signature", Base64.getEncoder().encodeToString(rsa.sign()));
            return new ObjectMapper().writeValueAsString(message);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static PrivateKey privateKey(String name, String algorithm) throws GeneralSecurityException {
        String pem = new String(resource(name), StandardCharsets.US_ASCII).replaceAll("-----[A-Z ]+-----|\\s", "");
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(
                Base64.getDecoder().decode(pem)));
    }

    static byte[] resource(String name) {
        try (InputStream in = SnsStandIn.class.getResourceAsStream("/bounces/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
