package app.newsletter.staff;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Tag(name = "Staff")
@Path("/api/admin/stats")
@RolesAllowed({ "marketing", "admin" })
class StatsResource {

    private final Stats stats;

    StatsResource(Stats stats) {
        this.stats = stats;
    }

    @Operation(summary = "Figures per list and of the mail queue")
    @APIResponse(responseCode = "200", description = "Counts by status, confirmation rate, downloads, 30 days, backlog")
    @APIResponse(responseCode = "401", description = "No credentials")
    @APIResponse(responseCode = "403", description = "No staff role")
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Stats.Report stats() {
        return stats.report();
    }
}
