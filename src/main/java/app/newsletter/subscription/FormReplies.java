package app.newsletter.subscription;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import app.newsletter.http.WebPages;
import app.newsletter.platform.Languages;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.runtime.Startup;

/**
 * Answers for plain HTML forms: a redirect when the list configures one, else a page of our own. Targets come only
 * from configuration, never from the request, so the endpoint cannot be used as an open redirect.
 */
@Startup // a bad default list stops start-up, not the first form
@ApplicationScoped
class FormReplies {

    /** "Thank you for subscribing." (the failure page is the one every form ends in: {@link WebPages}). */
    @CheckedTemplate(basePath = "FormReplies")
    static class Pages {
        static native TemplateInstance thanks(String listName);
    }

    private final SubscriptionConfig config;

    FormReplies(SubscriptionConfig config) {
        this.config = config;
        checkDefaultList(config.defaultList(), config.lists().keySet());
    }

    /**
     * Every form without a list joins the default one, and its reply is that list's page: a default that names no
     * list stops start-up here, where it once answered a form with a 500.
     */
    static void checkDefaultList(String defaultList, Set<String> lists) {
        if (!lists.contains(defaultList)) {
            throw new IllegalArgumentException("NEWSLETTER_DEFAULT_LIST: '" + defaultList + "' is not a configured "
                    + "list; name one of " + new TreeSet<>(lists) + " or configure it (NEWSLETTER_LISTS_"
                    + defaultList.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "_DISPLAY_NAME and the rest)");
        }
    }

    /** @param lang the form's explicit language, or null; then the list's, then the browser's */
    Response success(String listId, String lang, String acceptLanguage) {
        SubscriptionConfig.MailingList list = list(listId).orElseThrow();
        Locale locale = Languages.pick(lang, list.locale().orElse(null), acceptLanguage);
        return list.successUrl().map(FormReplies::seeOther).orElseGet(() -> html(200,
                Pages.thanks(list.displayName()).setLocale(locale).render()));
    }

    /** @param listId the list whose error URL receives the browser; null for a page of our own */
    Response failure(int status, String listId, String detail, List<String> errors, String lang,
            String acceptLanguage) {
        Optional<SubscriptionConfig.MailingList> list = listId == null ? Optional.empty() : list(listId);
        Optional<URI> errorUrl = list.flatMap(SubscriptionConfig.MailingList::errorUrl);
        Locale locale = Languages.pick(lang, list.flatMap(SubscriptionConfig.MailingList::locale).orElse(null),
                acceptLanguage);
        return errorUrl.map(FormReplies::seeOther).orElseGet(() -> html(status,
                WebPages.failure(detail, errors).setLocale(locale).render()));
    }

    private Optional<SubscriptionConfig.MailingList> list(String listId) {
        return Optional.ofNullable(config.lists().get(listId == null ? config.defaultList() : listId));
    }

    private static Response seeOther(URI target) {
        return Response.seeOther(target).build();
    }

    private static Response html(int status, String body) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(body).build();
    }
}
