package app.newsletter.bounces;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Comparisons of secrets that take the same time however much of them matches. */
final class Secrets {

    private Secrets() {
    }

    static boolean same(String given, String expected) {
        return given != null && expected != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }
}
