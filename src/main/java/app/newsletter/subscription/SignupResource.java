package app.newsletter.subscription;

import app.newsletter.platform.NewsletterConfig;
import app.newsletter.web.FormReplies;
import app.newsletter.web.ProblemException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;

/** The signup endpoint for scripts (JSON) and for plain HTML forms, with one reply for every address. */
@Path("/api/subscriptions")
class SignupResource {

    static final String THANKS = "Thank you for subscribing.";

    private final SubscriptionService service;
    private final FormReplies forms;
    private final NewsletterConfig config;

    SignupResource(SubscriptionService service, FormReplies forms, NewsletterConfig config) {
        this.service = service;
        this.forms = forms;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response json(Signup signup, @Context HttpServerRequest request) {
        if (signup == null) {
            throw ProblemException.badRequest("The request body must be a JSON object with at least an email.");
        }
        accept(signup, request);
        return Response.accepted(Map.of("message", THANKS)).build();
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response form(@RestForm String email, @RestForm String name, @RestForm String list,
            @RestForm String source, @RestForm String consent, @RestForm String website,
            @Context HttpServerRequest request) {
        Signup signup = new Signup(email, name, list, source, checkbox(consent), website);
        String listId = accept(signup, request);
        return forms.success(listId);
    }

    /** @return the list joined, so a form can be sent to that list's own thank-you page */
    private String accept(Signup signup, HttpServerRequest request) {
        if (signup.isBot()) {
            return config.lists().containsKey(signup.list()) ? signup.list() : config.defaultList();
        }
        Signup.Valid valid = signup.validate(config, request.getHeader("Referer"));
        service.subscribe(valid, ClientInfo.of(request));
        return valid.listId();
    }

    /** An unchecked box is simply absent from a form; "false", "0", "no" and "off" say no explicitly. */
    private static Boolean checkbox(String value) {
        if (value == null) {
            return null;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "false", "0", "no", "off" -> Boolean.FALSE;
            default -> Boolean.TRUE;
        };
    }
}
