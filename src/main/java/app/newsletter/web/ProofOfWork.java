package app.newsletter.web;

import app.newsletter.platform.NewsletterConfig;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A self-hosted hash puzzle (the scheme of ALTCHA): the challenge is SHA-256(salt + secret number), signed with an
 * HMAC, and the browser finds the number by trying them. The salt carries a nonce, the list and the expiry, ends with
 * a terminator ({@code &}) and is signed together with the challenge: covering it only through the hash let a
 * client move digits of the number onto the end of the salt, keep hash and signature, and push the expiry out
 * forever. A solution counts once: its nonce is spent in {@code proof_of_work_spent}, shared by every instance, until
 * the puzzle would have expired.
 */
@ApplicationScoped
public class ProofOfWork {

    static final String ALGORITHM = "SHA-256";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();
    /** The only salt this class makes: nonce, list, expiry in epoch seconds, terminator. */
    private static final Pattern SALT = Pattern.compile("([0-9a-f]{24})\\?list=([^?&=]+)&expires=([0-9]{1,12})&");

    /** The puzzle as the widget receives it; {@code required=false} when the list asks for none. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Challenge(boolean required, String algorithm, String challenge, String salt, Integer maxnumber,
            String signature) {
    }

    private final EntityManager em;
    private final ObjectMapper json;
    private final NewsletterConfig config;
    private volatile byte[] key;

    ProofOfWork(EntityManager em, ObjectMapper json, NewsletterConfig config) {
        this.em = em;
        this.json = json;
        this.config = config;
    }

    public boolean requiredFor(String listId) {
        NewsletterConfig.MailingList list = config.lists().get(listId);
        return list != null && list.proofOfWork();
    }

    public Challenge create(String listId) {
        if (!requiredFor(listId)) {
            return new Challenge(false, null, null, null, null, null);
        }
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        long expires = Instant.now().plus(config.proofOfWork().lifetime()).getEpochSecond();
        String salt = HEX.formatHex(nonce) + "?list=" + listId + "&expires=" + expires + "&";
        int max = config.proofOfWork().maxNumber();
        String challenge = sha256(salt + RANDOM.nextInt(max + 1));
        return new Challenge(true, ALGORITHM, challenge, salt, max, sign(salt, challenge));
    }

    /** Refuses (400, field "pow") a missing, forged, expired, foreign or wrong solution. */
    public void verify(String listId, String payload) {
        if (payload == null || payload.isBlank()) {
            throw refused("This form needs JavaScript to prove it is not a bot. Please enable it and try again.");
        }
        JsonNode solution;
        try {
            solution = json.readTree(Base64.getDecoder().decode(payload.strip()));
        } catch (Exception e) {
            throw refused("The anti-bot proof could not be read. Please reload the page and try again.");
        }
        String challenge = solution.path("challenge").asText("");
        String salt = solution.path("salt").asText("");
        long number = solution.path("number").asLong(-1);
        Matcher parts = SALT.matcher(salt);
        boolean genuine = ALGORITHM.equals(solution.path("algorithm").asText())
                && parts.matches()
                && MessageDigest.isEqual(sign(salt, challenge).getBytes(StandardCharsets.US_ASCII),
                        solution.path("signature").asText("").getBytes(StandardCharsets.US_ASCII))
                && number >= 0 && number <= config.proofOfWork().maxNumber()
                && sha256(salt + number).equals(challenge);
        if (!genuine) {
            throw refused("The anti-bot proof is not valid. Please reload the page and try again.");
        }
        if (!listId.equals(parts.group(2))) {
            throw refused("The anti-bot proof was made for another list. Please reload the page and try again.");
        }
        long expires = Long.parseLong(parts.group(3));
        if (Instant.now().getEpochSecond() > expires) {
            throw refused("The anti-bot proof has expired. Please try again.");
        }
        if (!spend(parts.group(1), expires)) {
            throw refused("The anti-bot proof has already been used. Please reload the page and try again.");
        }
    }

    /** @return whether the nonce was unspent (and is spent now, for every instance) */
    @Transactional
    boolean spend(String nonce, long expires) {
        return em.createNativeQuery("insert into proof_of_work_spent (nonce, expires_at) "
                + "values (:nonce, to_timestamp(:expires)) on conflict (nonce) do nothing")
                .setParameter("nonce", nonce)
                .setParameter("expires", expires)
                .executeUpdate() == 1;
    }

    /** Spent nonces of puzzles that have expired anyway. */
    @Transactional
    void purgeSpent() {
        em.createNativeQuery("delete from proof_of_work_spent where expires_at < now()").executeUpdate();
    }

    private static ProblemException refused(String message) {
        return new ProblemException(400, message, Map.of("pow", message), null);
    }

    static String sha256(String value) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The salt (with its expiry and terminator) and the challenge, signed together. */
    private String sign(String salt, String challenge) {
        return hmac(salt + "\n" + challenge);
    }

    private String hmac(String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key(), "HmacSHA256"));
            return HEX.formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The installation's key, made by the database migration and the same for every instance. */
    private byte[] key() {
        byte[] current = key;
        if (current == null) {
            current = loadKey();
            key = current;
        }
        return current;
    }

    @Transactional
    byte[] loadKey() {
        return (byte[]) em.createNativeQuery("select value from installation_secret where name = 'proof-of-work-key'")
                .getSingleResult();
    }
}
