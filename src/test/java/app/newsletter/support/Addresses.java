package app.newsletter.support;

import java.util.UUID;

/** Every test signs up addresses of its own, so tests sharing one database and one mailbox never see each other. */
public final class Addresses {

    private Addresses() {
    }

    public static String unique(String label) {
        return label + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }
}
