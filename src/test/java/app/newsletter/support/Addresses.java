package app.newsletter.support;

import java.util.UUID;

/** Every test signs up addresses of its own, so tests sharing one database and one mailbox never see each other. */
public final class Addresses {

    private Addresses() {
    }

    public static String unique(String label) {
        return label + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    /** A client IP in 10/8 that no other test run has used: the per-IP windows outlive the application. */
    public static String freshIp() {
        int bits = UUID.randomUUID().hashCode();
        return "10." + (bits & 0xff) + "." + ((bits >> 8) & 0xff) + "." + ((bits >> 16) & 0xff);
    }
}
