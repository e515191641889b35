package app.newsletter.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks v1 signatures: {@code v1,} and the base64 HMAC-SHA256 of {@code "{id}.{timestamp}.{body}"}, keyed
 * with the bytes of a {@code whsec_} secret; with several secrets, their signatures separated by spaces.
 */
final class Signatures {

    static final String PREFIX = "whsec_";
    /** Standard Webhooks asks for 24 to 64 bytes; fewer would be guessable. */
    static final int MIN_SECRET_BYTES = 24;

    /** One initialised HMAC per secret, cloned for each signature: a clone skips the provider lookup and key setup. */
    private final List<Mac> keys;

    private Signatures(List<Mac> keys) {
        this.keys = keys;
    }

    /**
     * @param secrets {@code whsec_} secrets
     * @throws IllegalArgumentException naming what is wrong with one (never its value)
     */
    static Signatures of(List<String> secrets) {
        if (secrets == null || secrets.isEmpty()) {
            throw new IllegalArgumentException("no secret");
        }
        List<Mac> keys = new ArrayList<>();
        for (String secret : secrets) {
            keys.add(hmac(keyOf(secret.strip())));
        }
        return new Signatures(List.copyOf(keys));
    }

    static byte[] keyOf(String secret) {
        if (!secret.startsWith(PREFIX)) {
            throw new IllegalArgumentException("a secret must start with " + PREFIX);
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a secret must be " + PREFIX + " followed by base64");
        }
        if (key.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("a secret must hold at least " + MIN_SECRET_BYTES + " bytes, has "
                    + key.length);
        }
        return key;
    }

    int count() {
        return keys.size();
    }

    /** The {@code webhook-signature} header's value. */
    String sign(String id, long timestamp, String body) {
        byte[] content = (id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8);
        StringBuilder header = new StringBuilder();
        for (Mac key : keys) {
            if (!header.isEmpty()) {
                header.append(' ');
            }
            header.append("v1,").append(Base64.getEncoder().encodeToString(copy(key).doFinal(content)));
        }
        return header.toString();
    }

    private static Mac hmac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** The prototype is never used itself, so that rounds on several threads can sign at once. */
    private static Mac copy(Mac prototype) {
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's HmacSHA256 can be cloned", e);
        }
    }
}
