package app.newsletter.subscription;

import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;

import app.newsletter.abuse.LinkWindows;
import app.newsletter.http.ClientAddresses;
import app.newsletter.http.ProblemException;
import io.quarkus.qute.TemplateInstance;
import io.vertx.core.http.HttpServerRequest;

@Tag(name = "Double opt-in")
@Path("/confirm")
@Produces(MediaType.TEXT_HTML)
class ConfirmResource {

    private final SubscriptionService service;
    private final SubscriptionConfig config;
    private final ClientAddresses addresses;
    private final LinkWindows linkWindows;

    private final SubscriptionMails mails;

    ConfirmResource(SubscriptionService service, SubscriptionConfig config, ClientAddresses addresses,
            LinkWindows linkWindows, SubscriptionMails mails) {
        this.mails = mails;
        this.linkWindows = linkWindows;
        this.addresses = addresses;
        this.service = service;
        this.config = config;
    }

    /** Changes nothing: link scanners fetch it too. The page posts the token, by script or by the button. */
    @Operation(summary = "Confirmation page (changes nothing)")
    @APIResponse(responseCode = "200", description = "Page with the confirm button; submits itself in a browser")
    @APIResponse(responseCode = "404", description = "Unknown link")
    @APIResponse(responseCode = "410", description = "Expired link")
    @GET
    public TemplateInstance page(@RestQuery String token, @HeaderParam("Accept-Language") String acceptLanguage) {
        String valid = requireToken(token);
        String listId = usable(service.listOfConfirmLink(valid));
        return SubscriptionPages.confirm(valid, config.lists().get(listId).displayName())
                .setLocale(mails.locale(listId, acceptLanguage));
    }

    @Operation(summary = "Confirm the subscription")
    @APIResponse(responseCode = "200", description = "Confirmed (idempotent); page with the ebook link; the "
            + "ebook mail is queued once")
    @APIResponse(responseCode = "404", description = "Unknown link")
    @APIResponse(responseCode = "410", description = "Expired or revoked link")
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public TemplateInstance confirm(@RestForm String token, @Context HttpServerRequest request) {
        linkWindows.take(request);
        String acceptLanguage = request.getHeader("Accept-Language");
        SubscriptionService.Confirmed confirmed = usable(service.confirm(requireToken(token),
                ClientInfo.of(request, addresses), acceptLanguage));
        SubscriptionConfig.MailingList list = config.lists().get(confirmed.listId());
        return SubscriptionPages.confirmed(list.displayName(), list.ebookTitle(), confirmed.ebookUrl())
                .setLocale(mails.locale(confirmed.listId(), acceptLanguage));
    }

    /** A confirmation link that leads nowhere: 404 when it never existed, 410 once it is spent. */
    private static <T> T usable(SubscriptionService.Followed<T> followed) {
        return switch (followed.link()) {
            case USABLE -> followed.result();
            case UNKNOWN -> throw new ProblemException(404, "This confirmation link is not valid. Check that you "
                    + "opened the whole link from the mail, or submit the signup form again to receive a new one.",
                    Map.of());
            case EXPIRED -> throw new ProblemException(410, "This confirmation link has expired or is no longer "
                    + "valid. Submit the signup form again and we will send you a new link.", Map.of());
        };
    }

    static String requireToken(String token) {
        if (token == null || token.isBlank()) {
            throw ProblemException.badRequest("The link is incomplete: it carries no token. Open the whole link from "
                    + "the mail.");
        }
        return token.strip();
    }
}
