package app.newsletter.abuse;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import app.newsletter.platform.Sha256;

/**
 * The hash puzzle itself (the scheme of ALTCHA), pure logic: the challenge is SHA-256(salt + secret number), signed
 * with an HMAC, and the browser finds the number by trying them. The salt carries a nonce, the list and the expiry,
 * ends with a terminator ({@code &}) and is signed together with the challenge: covering it only through the hash let
 * a client move digits of the number onto the end of the salt, keep hash and signature, and push the expiry out
 * forever.
 */
final class Puzzle {

    static final String ALGORITHM = "SHA-256";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();
    /** The only salt this class makes: nonce, list, expiry in epoch seconds, terminator. */
    private static final Pattern SALT = Pattern.compile("([0-9a-f]{24})\\?list=([^?&=]+)&expires=([0-9]{1,12})&");

    /** A puzzle as handed out. */
    record Issued(String challenge, String salt, int maxNumber, String signature) {
    }

    /**
     * A solution checked: {@code refusal} is null for a genuine one, whose nonce and expiry the caller then spends.
     */
    record Verdict(String refusal, String nonce, long expires) {
        static Verdict refused(String refusal) {
            return new Verdict(refusal, null, 0);
        }
    }

    private Puzzle() {
    }

    static Issued issue(byte[] key, String listId, long expiresEpochSecond, int maxNumber) {
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        String salt = HEX.formatHex(nonce) + "?list=" + listId + "&expires=" + expiresEpochSecond + "&";
        String challenge = sha256(salt + RANDOM.nextInt(maxNumber + 1));
        return new Issued(challenge, salt, maxNumber, sign(key, salt, challenge));
    }

    /** @param payload the widget's base64 JSON: algorithm, challenge, salt, number, signature */
    static Verdict check(byte[] key, ObjectMapper json, String listId, String payload, long nowEpochSecond,
            int maxNumber) {
        if (payload == null || payload.isBlank()) {
            return Verdict.refused("This form needs JavaScript to prove it is not a bot. Please enable it and try again.");
        }
        JsonNode solution;
        try {
            solution = json.readTree(Base64.getDecoder().decode(payload.strip()));
        } catch (Exception e) {
            return Verdict.refused("The anti-bot proof could not be read. Please reload the page and try again.");
        }
        String challenge = solution.path("challenge").asText("");
        String salt = solution.path("salt").asText("");
        long number = solution.path("number").asLong(-1);
        Matcher parts = SALT.matcher(salt);
        boolean genuine = ALGORITHM.equals(solution.path("algorithm").asText())
                && parts.matches()
                && MessageDigest.isEqual(sign(key, salt, challenge).getBytes(StandardCharsets.US_ASCII),
                        solution.path("signature").asText("").getBytes(StandardCharsets.US_ASCII))
                && number >= 0 && number <= maxNumber
                && sha256(salt + number).equals(challenge);
        if (!genuine) {
            return Verdict.refused("The anti-bot proof is not valid. Please reload the page and try again.");
        }
        if (!listId.equals(parts.group(2))) {
            return Verdict.refused("The anti-bot proof was made for another list. Please reload the page and try again.");
        }
        long expires = Long.parseLong(parts.group(3));
        if (nowEpochSecond > expires) {
            return Verdict.refused("The anti-bot proof has expired. Please try again.");
        }
        return new Verdict(null, parts.group(1), expires);
    }

    static String sha256(String value) {
        return Sha256.hex(value);
    }

    /** The salt (with its expiry and terminator) and the challenge, signed together. */
    private static String sign(byte[] key, String salt, String challenge) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HEX.formatHex(mac.doFinal((salt + "\n" + challenge).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
