package app.newsletter.apikeys;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

import app.newsletter.platform.Sha256;

/**
 * Making and recognising keys. A key is {@code nlk_} and 256 random bits in base64url (47 characters): the prefix lets
 * secret scanners and people tell it from other secrets. Only its SHA-256 is stored. A key is random, not a password,
 * so a plain hash cannot be reversed by guessing, and looking it up by its hash compares nothing secret byte by byte
 * in Java (no timing to measure).
 */
final class KeyMaterial {

    static final String PREFIX = "nlk_";
    /** How much of the key listings show: the prefix and 6 characters (36 of its 256 bits), enough to tell keys apart. */
    private static final int SHOWN = PREFIX.length() + 6;
    private static final Pattern WELL_FORMED = Pattern.compile("nlk_[A-Za-z0-9_-]{43}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new key: the key itself (shown once), its hash (stored) and its visible beginning. */
    record Minted(String key, byte[] hash, String prefix) {
    }

    private KeyMaterial() {
    }

    static Minted mint() {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        return new Minted(key, hash(key), key.substring(0, SHOWN));
    }

    /** Something that could be a key; anything else is refused without a database look-up. */
    static boolean wellFormed(String key) {
        return key != null && WELL_FORMED.matcher(key).matches();
    }

    static byte[] hash(String key) {
        return Sha256.of(key.getBytes(StandardCharsets.US_ASCII));
    }
}
