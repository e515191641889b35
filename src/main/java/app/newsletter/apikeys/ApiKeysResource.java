package app.newsletter.apikeys;

import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import app.newsletter.http.ProblemException;

/**
 * Staff with role {@code admin} make, list and revoke API keys. Lives beside the keys rather than in {@code staff}:
 * it needs nothing of the staff room but the realm, which guards every {@code /api/admin} path anyway.
 */
@Tag(name = "Staff")
@Path("/api/admin/api-keys")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
class ApiKeysResource {

    private final ApiKeys keys;

    ApiKeysResource(ApiKeys keys) {
        this.keys = keys;
    }

    @Operation(summary = "Make an API key (shown once)", description = "Body: {\"name\": \"shop backend\", "
            + "\"scopes\": [\"signup\", \"read\"], \"list\": \"peptide-evolution\"}; list is optional and restricts "
            + "the key to that list.")
    @APIResponse(responseCode = "201", description = "{id, key, prefix, name, scopes, list, createdAt}: the key "
            + "appears here and never again")
    @APIResponse(responseCode = "400", description = "Invalid name, unknown scope or list: problem+json naming the field")
    @APIResponse(responseCode = "401", description = "No credentials")
    @APIResponse(responseCode = "403", description = "Not admin")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(ApiKeys.NewKey request, @Context SecurityContext security) {
        if (request == null) {
            throw ProblemException.badRequest("The request body must be a JSON object with a name and scopes.");
        }
        ApiKeys.Creation creation = keys.create(request, security.getUserPrincipal().getName());
        if (creation instanceof ApiKeys.Invalid invalid) {
            throw new ProblemException(400, invalid.errors().size() == 1 ? invalid.errors().values().iterator().next()
                    : "Some fields are not valid.", invalid.errors());
        }
        return Response.status(Response.Status.CREATED).entity(creation).build();
    }

    @Operation(summary = "Every API key, newest first, without the keys themselves")
    @APIResponse(responseCode = "200", description = "id, prefix, name, scopes, list, created, revoked, use count, "
            + "last use")
    @APIResponse(responseCode = "401", description = "No credentials")
    @APIResponse(responseCode = "403", description = "Not admin")
    @GET
    public List<ApiKeys.Listed> list() {
        return keys.list();
    }

    @Operation(summary = "Revoke an API key at once")
    @APIResponse(responseCode = "204", description = "Revoked")
    @APIResponse(responseCode = "404", description = "No such key, or revoked already")
    @APIResponse(responseCode = "401", description = "No credentials")
    @APIResponse(responseCode = "403", description = "Not admin")
    @DELETE
    @Path("{id}")
    public void revoke(@PathParam("id") long id, @Context SecurityContext security) {
        if (!keys.revoke(id, security.getUserPrincipal().getName())) {
            throw new ProblemException(404, "There is no live API key with this id.", Map.of());
        }
    }
}
