package app.newsletter.staff;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import app.newsletter.outbox.MailSigning;

@Tag(name = "Staff")
@Path("/api/admin/deliverability")
@RolesAllowed("admin")
class DeliverabilityResource {

    private final MailSigning signing;

    DeliverabilityResource(MailSigning signing) {
        this.signing = signing;
    }

    @Operation(summary = "DKIM signing and the DNS records to publish for the From domain")
    @APIResponse(responseCode = "200", description = "Key loaded, selector, signing domain and its alignment, TXT records")
    @APIResponse(responseCode = "401", description = "No credentials")
    @APIResponse(responseCode = "403", description = "Not an admin")
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public MailSigning.Report deliverability() {
        return signing.report();
    }
}
