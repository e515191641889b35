package app.newsletter.subscription;

import app.newsletter.outbox.MailRendering;
import app.newsletter.outbox.Outbox;
import app.newsletter.platform.NewsletterConfig;
import io.quarkus.mailer.MailTemplate.MailTemplateInstance;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;

/** The two mails of the double opt-in, rendered and queued in the caller's transaction. */
@ApplicationScoped
class SubscriptionMails {

    record confirmation(String name, String listName, String ebookTitle, String confirmUrl, String unsubscribeUrl)
            implements MailTemplateInstance {
    }

    record ebook(String name, String listName, String ebookTitle, String ebookUrl, String unsubscribeUrl)
            implements MailTemplateInstance {
    }

    private final Outbox outbox;
    private final Tokens tokens;
    private final Links links;
    private final NewsletterConfig config;

    SubscriptionMails(Outbox outbox, Tokens tokens, Links links, NewsletterConfig config) {
        this.outbox = outbox;
        this.tokens = tokens;
        this.links = links;
        this.config = config;
    }

    /** @param notBefore when the mail may leave at the earliest (the breaker's delay); null for at once */
    void queueConfirmation(Subscriber subscriber, Instant now, Instant notBefore) {
        NewsletterConfig.MailingList list = config.lists().get(subscriber.listId);
        String confirmUrl = links.confirm(tokens.issue(subscriber.id, Tokens.Purpose.CONFIRM,
                config.tokens().confirmLifetime(), now));
        String unsubscribeUrl = unsubscribeUrl(subscriber, now);
        queue("confirmation", subscriber, "Please confirm your subscription to " + list.displayName(),
                new confirmation(subscriber.name, list.displayName(), list.ebookTitle(), confirmUrl, unsubscribeUrl),
                unsubscribeUrl, notBefore);
    }

    /** @return the download link, which the confirmation page offers at once too */
    String queueEbook(Subscriber subscriber, Instant now) {
        NewsletterConfig.MailingList list = config.lists().get(subscriber.listId);
        String ebookUrl = ebookUrl(subscriber, now);
        String unsubscribeUrl = unsubscribeUrl(subscriber, now);
        queue("ebook", subscriber, "Your free ebook: " + list.ebookTitle(),
                new ebook(subscriber.name, list.displayName(), list.ebookTitle(), ebookUrl, unsubscribeUrl),
                unsubscribeUrl, null);
        return ebookUrl;
    }

    String ebookUrl(Subscriber subscriber, Instant now) {
        return links.ebook(tokens.issue(subscriber.id, Tokens.Purpose.EBOOK, config.tokens().ebookLifetime(), now));
    }

    private String unsubscribeUrl(Subscriber subscriber, Instant now) {
        return links.unsubscribe(tokens.issue(subscriber.id, Tokens.Purpose.UNSUBSCRIBE, null, now));
    }

    private void queue(String kind, Subscriber subscriber, String subject, MailTemplateInstance template,
            String unsubscribeUrl, Instant notBefore) {
        // RFC 8058: mailbox providers unsubscribe with one POST to this URL, without showing any page.
        Map<String, String> headers = Map.of(
                "List-Unsubscribe", "<" + unsubscribeUrl + ">",
                "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        outbox.enqueue(MailRendering.render(kind, subscriber.email, subject, template, headers), notBefore);
    }
}
