package app.newsletter.subscription;

import app.newsletter.http.WebPages;

import app.newsletter.platform.NewsletterConfig;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Answers for plain HTML forms: a redirect when the list configures one, else a page of our own. Targets come only
 * from configuration, never from the request, so the endpoint cannot be used as an open redirect.
 */
@ApplicationScoped
class FormReplies {

    /** "Thank you for subscribing." (the failure page is the one every form ends in: {@link WebPages}). */
    @CheckedTemplate(basePath = "FormReplies")
    static class Pages {
        static native TemplateInstance thanks(String listName);
    }

    private final NewsletterConfig config;

    FormReplies(NewsletterConfig config) {
        this.config = config;
    }

    Response success(String listId) {
        NewsletterConfig.MailingList list = list(listId).orElseThrow();
        return list.successUrl().map(FormReplies::seeOther).orElseGet(() -> html(200,
                Pages.thanks(list.displayName()).render()));
    }

    /** @param listId the list whose error URL receives the browser; null for a page of our own */
    Response failure(int status, String listId, String detail, List<String> errors) {
        Optional<URI> errorUrl = listId == null ? Optional.empty()
                : list(listId).flatMap(NewsletterConfig.MailingList::errorUrl);
        return errorUrl.map(FormReplies::seeOther).orElseGet(() -> html(status,
                WebPages.failure(detail, errors).render()));
    }

    private Optional<NewsletterConfig.MailingList> list(String listId) {
        return Optional.ofNullable(config.lists().get(listId == null ? config.defaultList() : listId));
    }

    private static Response seeOther(URI target) {
        return Response.seeOther(target).build();
    }

    private static Response html(int status, String body) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(body).build();
    }
}
