package app.newsletter.subscription;

import jakarta.enterprise.context.ApplicationScoped;

/** Absolute links for mails and pages, all rooted at the configured public URL. */
@ApplicationScoped
class Links {

    private final String base;

    Links(SubscriptionConfig config) {
        String url = config.publicUrl().toString();
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    String confirm(String token) {
        return base + "/confirm?token=" + token;
    }

    String ebook(String token) {
        return base + "/ebook?token=" + token;
    }

    String unsubscribe(String token) {
        return base + "/unsubscribe?token=" + token;
    }
}
