package app.newsletter.export;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/api/admin/stats")
@RolesAllowed({ "marketing", "admin" })
class StatsResource {

    private final Stats stats;

    StatsResource(Stats stats) {
        this.stats = stats;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Stats.Report stats() {
        return stats.report();
    }
}
