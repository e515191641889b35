package app.newsletter.staff;

import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import app.newsletter.http.ProblemException;
import app.newsletter.subscription.DataSubjects;
import app.newsletter.subscription.EmailAddress;

/** "Show me my data" and "delete my data", answered by staff on a person's request. */
@Tag(name = "Staff")
@Path("/api/admin/subscribers/{email}")
@Produces(MediaType.APPLICATION_JSON)
class DataSubjectResource {

    private final DataSubjects subjects;

    DataSubjectResource(DataSubjects subjects) {
        this.subjects = subjects;
    }

    @Operation(summary = "Everything stored about an address (GDPR access)")
    @APIResponse(responseCode = "200", description = "Subscriptions, consent log, mails")
    @APIResponse(responseCode = "400", description = "Not an email address")
    @APIResponse(responseCode = "404", description = "Nothing stored")
    @APIResponse(responseCode = "401", description = "No credentials")
    @APIResponse(responseCode = "403", description = "No staff role")
    @GET
    @RolesAllowed({ "marketing", "admin" })
    public DataSubjects.Report access(@PathParam("email") String email, @Context SecurityContext security) {
        return subjects.access(address(email), security.getUserPrincipal().getName())
                .orElseThrow(DataSubjectResource::unknown);
    }

    @Operation(summary = "Erase an address (GDPR erasure, admin only)")
    @APIResponse(responseCode = "200", description = "Counts of what was erased; a salted hash is kept as "
            + "suppression entry")
    @APIResponse(responseCode = "404", description = "Nothing stored")
    @APIResponse(responseCode = "401", description = "No credentials")
    @APIResponse(responseCode = "403", description = "Not admin")
    @DELETE
    @RolesAllowed("admin")
    public DataSubjects.Erasure erase(@PathParam("email") String email, @Context SecurityContext security) {
        return subjects.erase(address(email), security.getUserPrincipal().getName())
                .orElseThrow(DataSubjectResource::unknown);
    }

    private static EmailAddress address(String email) {
        EmailAddress.Result result = EmailAddress.parse(email);
        if (result.error() != null) {
            throw new ProblemException(400, result.error(), Map.of("email", result.error()));
        }
        return result.address().orElseThrow();
    }

    private static ProblemException unknown() {
        return new ProblemException(404, "Nothing is stored about this address.", Map.of());
    }
}
