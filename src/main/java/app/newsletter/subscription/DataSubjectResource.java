package app.newsletter.subscription;

import app.newsletter.web.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.util.Map;

/** "Show me my data" and "delete my data", answered by staff on a person's request. */
@Path("/api/admin/subscribers/{email}")
@Produces(MediaType.APPLICATION_JSON)
class DataSubjectResource {

    private final DataSubjects subjects;

    DataSubjectResource(DataSubjects subjects) {
        this.subjects = subjects;
    }

    @GET
    @RolesAllowed({ "marketing", "admin" })
    public DataSubjects.Report access(@PathParam("email") String email, @Context SecurityContext security) {
        return subjects.access(address(email), security.getUserPrincipal().getName())
                .orElseThrow(DataSubjectResource::unknown);
    }

    @DELETE
    @RolesAllowed("admin")
    public DataSubjects.Erasure erase(@PathParam("email") String email, @Context SecurityContext security) {
        return subjects.erase(address(email), security.getUserPrincipal().getName())
                .orElseThrow(DataSubjectResource::unknown);
    }

    private static EmailAddress address(String email) {
        EmailAddress.Result result = EmailAddress.parse(email);
        if (result.error() != null) {
            throw new ProblemException(400, result.error(), Map.of("email", result.error()), null);
        }
        return result.address().orElseThrow();
    }

    private static ProblemException unknown() {
        return new ProblemException(404, "Nothing is stored about this address.", Map.of(), null);
    }
}
