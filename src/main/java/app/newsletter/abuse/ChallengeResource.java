package app.newsletter.abuse;

import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

import app.newsletter.http.ProblemException;

/** Hands out proof-of-work puzzles to the widget. */
@Tag(name = "Signup")
@Path("/api/challenge")
class ChallengeResource {

    private final ProofOfWork proofOfWork;
    private final AbuseConfig config;

    ChallengeResource(ProofOfWork proofOfWork, AbuseConfig config) {
        this.proofOfWork = proofOfWork;
        this.config = config;
    }

    @Operation(summary = "Proof-of-work puzzle for a list")
    @APIResponse(responseCode = "200", description = "{\"required\": false} or the puzzle: algorithm, "
            + "challenge, salt, maxnumber, signature")
    @APIResponse(responseCode = "400", description = "Unknown list")
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response challenge(@RestQuery String list) {
        String listId = list == null || list.isBlank() ? config.defaultList() : list.strip();
        if (!config.lists().containsKey(listId)) {
            throw new ProblemException(400, "There is no list called '" + listId + "'.",
                    Map.of("list", "Unknown list."));
        }
        return Response.ok(proofOfWork.create(listId)).header("Cache-Control", "no-store").build();
    }
}
