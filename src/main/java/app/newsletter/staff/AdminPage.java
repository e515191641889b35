package app.newsletter.staff;

import java.time.LocalDate;
import java.time.ZoneOffset;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** The page for staff who do not use curl: the numbers, and a form that downloads an export. */
@Path("/admin")
@RolesAllowed({ "marketing", "admin" })
class AdminPage {

    @CheckedTemplate(basePath = "AdminPage")
    static class Templates {
        static native TemplateInstance admin(Stats.Report report, String user, LocalDate today);
    }

    private final Stats stats;

    AdminPage(Stats stats) {
        this.stats = stats;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page(@Context SecurityContext security) {
        return Templates.admin(stats.report(), security.getUserPrincipal().getName(), LocalDate.now(ZoneOffset.UTC));
    }
}
