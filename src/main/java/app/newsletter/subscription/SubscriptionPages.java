package app.newsletter.subscription;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

@CheckedTemplate(basePath = "SubscriptionPages")
class SubscriptionPages {

    /** Asks for the confirming POST; mail scanners that only fetch the link change nothing. */
    static native TemplateInstance confirm(String token, String listName);

    static native TemplateInstance confirmed(String listName, String ebookTitle, String ebookUrl);

    static native TemplateInstance unsubscribe(String token, String listName);

    static native TemplateInstance unsubscribed(String listName);
}
