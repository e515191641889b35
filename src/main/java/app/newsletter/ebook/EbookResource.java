package app.newsletter.ebook;

import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

import app.newsletter.abuse.LinkWindows;
import app.newsletter.http.ProblemException;
import io.vertx.core.http.HttpServerRequest;

/** Delivers the lead magnet to whoever holds a working download link. */
@Tag(name = "Ebook")
@Path("/ebook")
class EbookResource {

    private final EbookGrants grants;
    private final EbookFiles files;
    private final EbookConfig config;
    private final LinkWindows linkWindows;

    EbookResource(EbookGrants grants, EbookFiles files, EbookConfig config, LinkWindows linkWindows) {
        this.linkWindows = linkWindows;
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
    public Response byQuery(@RestQuery String token, @Context HttpServerRequest request) {
        return download(token, request);
    }

    @Operation(summary = "Download the ebook (token in the path)")
    @APIResponse(responseCode = "200", description = "The file as an attachment")
    @APIResponse(responseCode = "302", description = "Redirect to an external ebook")
    @APIResponse(responseCode = "404", description = "Unknown link")
    @APIResponse(responseCode = "410", description = "Expired link or unsubscribed")
    @GET
    @Path("/{token}")
    public Response byPath(@PathParam("token") String token, @Context HttpServerRequest request) {
        return download(token, request);
    }

    /**
     * A HEAD (link checkers, some scanners) and a browser's speculative prefetch answer without counting a download:
     * only a real download counts. They get the status a GET would have, without the file.
     */
    @HEAD
    public Response probeByQuery(@RestQuery String token) {
        return probe(token);
    }

    @HEAD
    @Path("/{token}")
    public Response probeByPath(@PathParam("token") String token) {
        return probe(token);
    }

    private Response probe(String token) {
        if (token == null || token.isBlank()) {
            throw ProblemException.badRequest("The download link is incomplete. Open the whole link from the mail.");
        }
        return answer(grants.check(token.strip()), () -> Response.ok().build());
    }

    private static boolean prefetch(HttpServerRequest request) {
        String purpose = request.getHeader("Sec-Purpose");
        String legacy = request.getHeader("Purpose");
        return purpose != null && purpose.contains("prefetch") || legacy != null && legacy.contains("prefetch");
    }

    private Response download(String token, HttpServerRequest request) {
        if (token == null || token.isBlank()) {
            throw ProblemException.badRequest("The download link is incomplete. Open the whole link from the mail.");
        }
        if (prefetch(request)) {
            return answer(grants.check(token.strip()), () -> Response.noContent().build());
        }
        linkWindows.take(request);
        EbookGrants.Redemption redemption = grants.redeem(token.strip());
        return answer(redemption, () -> files.deliver(config.lists().get(redemption.listId())));
    }

    private static Response answer(EbookGrants.Redemption redemption, java.util.function.Supplier<Response> granted) {
        return switch (redemption.outcome()) {
            case UNKNOWN -> throw new ProblemException(404, "This download link is not valid. Open the whole link "
                    + "from the mail.", Map.of());
            case GONE -> throw new ProblemException(410, "This download link no longer works: it has expired, or "
                    + "the subscription it belonged to has ended. Sign up again to receive a new one.", Map.of());
            case GRANTED -> granted.get();
        };
    }
}
