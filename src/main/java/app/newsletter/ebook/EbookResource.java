package app.newsletter.ebook;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import app.newsletter.platform.NewsletterConfig;
import app.newsletter.web.ProblemException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.RestQuery;

/** Delivers the lead magnet to whoever holds a working download link. */
@Tag(name = "Ebook")
@Path("/ebook")
class EbookResource {

    private final EbookGrants grants;
    private final EbookFiles files;
    private final NewsletterConfig config;

    EbookResource(EbookGrants grants, EbookFiles files, NewsletterConfig config) {
        this.grants = grants;
        this.files = files;
        this.config = config;
    }

    @Operation(summary = "Download the ebook")
    @APIResponse(responseCode = "200", description = "The file as an attachment")
    @APIResponse(responseCode = "302", description = "Redirect to an external ebook")
    @APIResponse(responseCode = "404", description = "Unknown link")
    @APIResponse(responseCode = "410", description = "Expired link or unsubscribed")
    @GET
    public Response byQuery(@RestQuery String token) {
        return download(token);
    }

    @Operation(summary = "Download the ebook (token in the path)")
    @APIResponse(responseCode = "200", description = "The file as an attachment")
    @APIResponse(responseCode = "302", description = "Redirect to an external ebook")
    @APIResponse(responseCode = "404", description = "Unknown link")
    @APIResponse(responseCode = "410", description = "Expired link or unsubscribed")
    @GET
    @Path("/{token}")
    public Response byPath(@PathParam("token") String token) {
        return download(token);
    }

    private Response download(String token) {
        if (token == null || token.isBlank()) {
            throw ProblemException.badRequest("The download link is incomplete. Open the whole link from the mail.");
        }
        EbookGrants.Redemption redemption = grants.redeem(token.strip());
        return switch (redemption.outcome()) {
            case UNKNOWN -> throw new ProblemException(404, "This download link is not valid. Open the whole link "
                    + "from the mail.", Map.of(), null);
            case GONE -> throw new ProblemException(410, "This download link no longer works: it has expired, or "
                    + "the subscription it belonged to has ended. Sign up again to receive a new one.", Map.of(),
                    null);
            case GRANTED -> files.deliver(config.lists().get(redemption.listId()));
        };
    }
}
