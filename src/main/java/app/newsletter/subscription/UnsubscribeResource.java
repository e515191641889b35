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

import app.newsletter.http.ClientAddresses;
import app.newsletter.http.ProblemException;
import io.quarkus.qute.TemplateInstance;
import io.vertx.core.http.HttpServerRequest;

@Tag(name = "Double opt-in")
@Path("/unsubscribe")
@Produces(MediaType.TEXT_HTML)
class UnsubscribeResource {

    private final SubscriptionService service;
    private final SubscriptionConfig config;
    private final ClientAddresses addresses;

    private final SubscriptionMails mails;

    UnsubscribeResource(SubscriptionService service, SubscriptionConfig config, ClientAddresses addresses,
            SubscriptionMails mails) {
        this.mails = mails;
        this.addresses = addresses;
        this.service = service;
        this.config = config;
    }

    /** Changes nothing: it only offers the button. */
    @Operation(summary = "Unsubscribe page (changes nothing)")
    @APIResponse(responseCode = "200", description = "Page with the unsubscribe button")
    @APIResponse(responseCode = "404", description = "Unknown link")
    @GET
    public TemplateInstance page(@RestQuery String token, @HeaderParam("Accept-Language") String acceptLanguage) {
        String valid = ConfirmResource.requireToken(token);
        String listId = usable(service.listOfUnsubscribeLink(valid));
        return SubscriptionPages.unsubscribe(valid, config.lists().get(listId).displayName())
                .setLocale(mails.locale(listId, acceptLanguage));
    }

    /**
     * The button's POST and RFC 8058's one-click POST (body {@code List-Unsubscribe=One-Click}, sent by mailbox
     * providers) both land here; the token travels in the query string in both cases.
     */
    @Operation(summary = "Unsubscribe, also RFC 8058 one-click (body List-Unsubscribe=One-Click)")
    @APIResponse(responseCode = "200", description = "Unsubscribed (idempotent)")
    @APIResponse(responseCode = "404", description = "Unknown link")
    @APIResponse(responseCode = "410", description = "Its subscriber is gone (erased)")
    @POST
    @Consumes({ MediaType.APPLICATION_FORM_URLENCODED, MediaType.WILDCARD })
    public TemplateInstance unsubscribe(@RestQuery String token, @RestForm("token") String formToken,
            @Context HttpServerRequest request) {
        String valid = ConfirmResource.requireToken(token != null ? token : formToken);
        String listId = usable(service.unsubscribe(valid, ClientInfo.of(request, addresses)));
        return SubscriptionPages.unsubscribed(config.lists().get(listId).displayName())
                .setLocale(mails.locale(listId, request.getHeader("Accept-Language")));
    }

    /** An unsubscribe link never expires; one that leads nowhere is unknown, or its subscriber was erased (410). */
    private static String usable(SubscriptionService.Followed<String> followed) {
        return switch (followed.link()) {
            case USABLE -> followed.result();
            case UNKNOWN -> throw new ProblemException(404, "This unsubscribe link is not valid. Check that you "
                    + "opened the whole link from the mail.", Map.of());
            case EXPIRED -> throw new ProblemException(410, "This unsubscribe link no longer works.", Map.of());
        };
    }
}
