package app.newsletter.outbox;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.quarkus.mailer.MailTemplate.MailTemplateInstance;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.qute.Variant;

/** Turns a type-safe Qute mail template (its .html and .txt variants) into a {@link QueuedMail}. */
public final class MailRendering {

    private MailRendering() {
    }

    /** The domain of a mailbox such as {@code News <news@example.com>}, e.g. for Message-ID and List-Id. */
    public static String domainOf(String mailbox) {
        String trimmed = mailbox.trim();
        if (trimmed.endsWith(">")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.substring(trimmed.lastIndexOf('@') + 1).toLowerCase(java.util.Locale.ROOT);
    }

    /** @param locale the language of the template's message bundle texts */
    public static QueuedMail render(String kind, String recipient, String subject, MailTemplateInstance template,
            Map<String, String> headers, Locale locale) {
        TemplateInstance instance = template.templateInstance();
        instance.setLocale(locale);
        @SuppressWarnings("unchecked")
        List<Variant> variants = (List<Variant>) instance.getAttribute(TemplateInstance.VARIANTS);
        String text = null;
        String html = null;
        for (Variant variant : variants) {
            // The mailer itself renders variants this way; rendering here keeps the outbox free of templates.
            instance.setAttribute(TemplateInstance.SELECTED_VARIANT, variant);
            if (Variant.TEXT_HTML.equals(variant.getContentType())) {
                html = instance.render();
            } else if (Variant.TEXT_PLAIN.equals(variant.getContentType())) {
                text = instance.render();
            }
        }
        if (text == null || html == null) {
            throw new IllegalStateException("Mail template " + kind + " needs both a .txt and an .html variant");
        }
        return new QueuedMail(kind, recipient, subject, text, html, headers);
    }
}
