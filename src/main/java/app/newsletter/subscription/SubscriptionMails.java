package app.newsletter.subscription;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import app.newsletter.outbox.MailRendering;
import app.newsletter.outbox.MailStencil;
import app.newsletter.outbox.Outbox;
import app.newsletter.outbox.QueuedMail;
import app.newsletter.platform.Languages;
import io.quarkus.mailer.MailTemplate.MailTemplateInstance;
import io.quarkus.qute.i18n.Localized;
import io.quarkus.qute.i18n.MessageBundles;

/** The two mails of the double opt-in, rendered and queued in the caller's transaction. */
@ApplicationScoped
class SubscriptionMails {

    /** The kind of the confirmation mail, in the outbox, its logs and metrics. */
    static final String CONFIRMATION = "confirmation";

    record confirmation(String name, String listName, String ebookTitle, String confirmUrl, String unsubscribeUrl)
            implements
                MailTemplateInstance {
    }

    record ebook(String name, String listName, String ebookTitle, String ebookUrl, String unsubscribeUrl)
            implements
                MailTemplateInstance {
    }

    private final Outbox outbox;
    private final Tokens tokens;
    private final Links links;
    private final SubscriptionConfig config;

    private final String fromDomain;

    SubscriptionMails(Outbox outbox, Tokens tokens, Links links, SubscriptionConfig config,
            @ConfigProperty(name = "quarkus.mailer.from") String from) {
        this.outbox = outbox;
        this.tokens = tokens;
        this.links = links;
        this.config = config;
        this.fromDomain = MailRendering.domainOf(from);
    }

    /**
     * @param prepared the confirmation the signup request rendered, queued as it is when it fits the subscriber (the
     *        tokens it links to are stored now); null or not fitting: new links and a new rendering
     * @param notBefore when the mail may leave at the earliest (the breaker's delay); null for at once
     */
    void queueConfirmation(Subscriber subscriber, PreparedConfirmation prepared, Instant now, Instant notBefore) {
        Duration lifetime = config.tokens().confirmLifetime();
        if (prepared != null && prepared.fits(subscriber)) {
            tokens.store(subscriber.id, Tokens.Purpose.CONFIRM, prepared.confirmHash(), lifetime, now);
            tokens.store(subscriber.id, Tokens.Purpose.UNSUBSCRIBE, prepared.unsubscribeHash(), null, now);
            outbox.enqueue(prepared.mail(), notBefore);
            return;
        }
        String confirmToken = tokens.issue(subscriber.id, Tokens.Purpose.CONFIRM, lifetime, now);
        String unsubscribeToken = tokens.issue(subscriber.id, Tokens.Purpose.UNSUBSCRIBE, null, now);
        outbox.enqueue(confirmation(subscriber.email, subscriber.name, subscriber.listId, confirmToken,
                unsubscribeToken, locale(subscriber.listId)), notBefore);
    }

    /**
     * The confirmation mail for links whose tokens the caller stores (grouped signups render before writing). Filled
     * into a stencil of the list's template, rendered once per list, language and whether a name was given.
     */
    QueuedMail confirmation(String email, String name, String listId, String confirmToken, String unsubscribeToken,
            Locale locale) {
        boolean named = name != null && !name.isEmpty();
        Confirmations stencil = confirmations.computeIfAbsent(new StencilKey(listId, locale, named),
                this::confirmationStencil);
        String unsubscribeUrl = links.unsubscribe(unsubscribeToken);
        String confirmUrl = links.confirm(confirmToken);
        Map<String, String> headers = headers(CONFIRMATION, listId, unsubscribeUrl);
        return named
                ? stencil.mail().fill(email, stencil.subject(), headers, confirmUrl, unsubscribeUrl, name)
                : stencil.mail().fill(email, stencil.subject(), headers, confirmUrl, unsubscribeUrl);
    }

    /**
     * Looked up for every signup. Its equals and hashCode are written out: a record's come from method handles that
     * the JIT's quick tier does not inline (0.5 % of a launch's event-loop time, bench/README.md).
     */
    private record StencilKey(String listId, Locale locale, boolean named) {
        @Override
        public boolean equals(Object other) {
            return other instanceof StencilKey key && named == key.named && listId.equals(key.listId)
                    && locale.equals(key.locale);
        }

        @Override
        public int hashCode() {
            return (listId.hashCode() * 31 + locale.hashCode()) * 2 + (named ? 1 : 0);
        }
    }

    private record Confirmations(MailStencil mail, String subject) {
    }

    /** Bounded: the configured lists, the four languages {@code Languages.pick} answers, named or not. */
    private final Map<StencilKey, Confirmations> confirmations = new ConcurrentHashMap<>();

    private Confirmations confirmationStencil(StencilKey key) {
        SubscriptionConfig.MailingList list = config.lists().get(key.listId());
        // The holes: the confirm link, the unsubscribe link and, when given, the name (the template's only condition).
        int holes = key.named() ? 3 : 2;
        MailStencil mail = MailStencil.of(CONFIRMATION, holes,
                marker -> new confirmation(key.named() ? marker[2] : null, list.displayName(), list.ebookTitle(),
                        marker[0], marker[1]),
                key.locale());
        return new Confirmations(mail, texts(key.locale()).mailConfirmSubject(list.displayName()));
    }

    /** The list's own language, else English: for mails no request is waiting for. */
    Locale locale(String listId) {
        return Languages.pick(config.lists().get(listId).locale().orElse(null));
    }

    /** The list's language, else the reader's (e.g. the browser that confirms), else English. */
    Locale locale(String listId, String acceptLanguage) {
        return Languages.pick(config.lists().get(listId).locale().orElse(null), acceptLanguage);
    }

    private static SubscriptionTexts texts(Locale locale) {
        return MessageBundles.get(SubscriptionTexts.class, Localized.Literal.of(locale.toLanguageTag()));
    }

    /** @return the download link, which the confirmation page offers at once too */
    String queueEbook(Subscriber subscriber, Instant now, Locale locale) {
        SubscriptionConfig.MailingList list = config.lists().get(subscriber.listId);
        String ebookUrl = ebookUrl(subscriber, now);
        String unsubscribeUrl = unsubscribeUrl(subscriber, now);
        outbox.enqueue(render("ebook", subscriber.email, subscriber.listId,
                texts(locale).mailEbookSubject(list.ebookTitle()),
                new ebook(subscriber.name, list.displayName(), list.ebookTitle(), ebookUrl, unsubscribeUrl),
                unsubscribeUrl, locale));
        return ebookUrl;
    }

    String ebookUrl(Subscriber subscriber, Instant now) {
        return links.ebook(tokens.issue(subscriber.id, Tokens.Purpose.EBOOK, config.tokens().ebookLifetime(), now));
    }

    private String unsubscribeUrl(Subscriber subscriber, Instant now) {
        return links.unsubscribe(tokens.issue(subscriber.id, Tokens.Purpose.UNSUBSCRIBE, null, now));
    }

    private QueuedMail render(String kind, String email, String listId, String subject,
            MailTemplateInstance template, String unsubscribeUrl, Locale locale) {
        return MailRendering.render(kind, email, subject, template, headers(kind, listId, unsubscribeUrl), locale);
    }

    /**
     * The list headers mailbox providers look for (Gmail and Yahoo require one-click unsubscribe of bulk senders;
     * SpamAssassin counts a List-Unsubscribe without List-Id as "incomplete mailing list headers"). No
     * {@code Auto-Submitted}: these mails answer a signup the person made, they are not automatic replies.
     */
    Map<String, String> headers(String kind, String listId, String unsubscribeUrl) {
        Map<String, String> headers = new LinkedHashMap<>();
        ListId list = listIds.computeIfAbsent(listId, this::listIdOf);
        String id = list.id();
        headers.put("List-Id", list.header());
        // RFC 8058: mailbox providers unsubscribe with one POST to the https URL, without showing any page; the
        // mailto: is for the clients that only know RFC 2369.
        String unsubscribe = "<" + unsubscribeUrl + ">";
        Optional<String> mailto = config.mail().unsubscribeMailto();
        if (mailto.isPresent()) {
            unsubscribe += ", <mailto:" + mailto.get() + "?subject=unsubscribe>";
        }
        headers.put("List-Unsubscribe", unsubscribe);
        headers.put("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        config.mail().feedbackId()
                .ifPresent(sender -> headers.put("Feedback-ID", id.substring(1, id.indexOf('.')) + ":" + kind + ":"
                        + sender));
        return headers;
    }

    /** A list's RFC 2919 id, and its List-Id header: the list's name as a phrase before the id. */
    private record ListId(String id, String header) {
    }

    /** Per list, computed once: they go into every confirmation of a launch. Bounded by the configured lists. */
    private final Map<String, ListId> listIds = new ConcurrentHashMap<>();

    /** RFC 2919: a globally unique id under a domain the sender controls. */
    private ListId listIdOf(String listId) {
        String id = "<" + NOT_IN_LIST_ID.matcher(listId.toLowerCase(Locale.ROOT)).replaceAll("-") + "." + fromDomain
                + ">";
        String name = config.lists().get(listId).displayName();
        return new ListId(id, PLAIN_PHRASE.matcher(name).matches() ? "\"" + name + "\" " + id : id);
    }

    private static final Pattern NOT_IN_LIST_ID = Pattern.compile("[^a-z0-9-]+");

    /** Printable ASCII without quotes or backslashes: fits a quoted phrase without MIME encoding. */
    private static final Pattern PLAIN_PHRASE = Pattern.compile("[ !#-\\[\\]-~]{1,100}");
}
