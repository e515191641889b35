package app.newsletter.staff;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import app.newsletter.platform.AuditLog;
import app.newsletter.subscription.SubscriptionConfig;
import io.vertx.core.http.HttpServerResponse;

/** CSV exports for marketing staff, and the record of who exported what. */
@Tag(name = "Staff")
@Path("/api/admin")
@RolesAllowed({ "marketing", "admin" })
class ExportResource {

    static final String CSV = "text/csv; charset=utf-8";
    private static final Set<String> SUBSCRIBER_FILTERS = Set.of("list", "status", "since", "until", "bom");
    private static final Set<String> CONSENT_FILTERS = Set.of("list", "status", "event", "since", "until", "bom");

    private final CsvExports exports;
    private final AuditLog audit;
    private final SubscriptionConfig config;

    ExportResource(CsvExports exports, AuditLog audit, SubscriptionConfig config) {
        this.exports = exports;
        this.audit = audit;
        this.config = config;
    }

    @Operation(summary = "Export subscribers as CSV (streamed)", description = "Filters: list, status "
            + "(repeatable: pending, confirmed, unsubscribed), since, until (ISO dates, UTC days, "
            + "inclusive), bom=true for Excel.")
    @APIResponse(responseCode = "200", description = "text/csv attachment")
    @APIResponse(responseCode = "400", description = "Unknown filter or value")
    @APIResponse(responseCode = "401", description = "No credentials")
    @APIResponse(responseCode = "403", description = "No staff role")
    @GET
    @Path("/subscribers.csv")
    @Produces(CSV)
    public Response subscribers(@Context UriInfo uri, @Context SecurityContext security,
            @Context HttpServerResponse response) {
        return export(uri, security, response, SUBSCRIBER_FILTERS, "subscribers", exports::subscribers);
    }

    @Operation(summary = "Export the consent log as CSV (streamed)")
    @APIResponse(responseCode = "200", description = "text/csv attachment")
    @APIResponse(responseCode = "400", description = "Unknown filter or value")
    @APIResponse(responseCode = "401", description = "No credentials")
    @APIResponse(responseCode = "403", description = "No staff role")
    @GET
    @Path("/consents.csv")
    @Produces(CSV)
    public Response consents(@Context UriInfo uri, @Context SecurityContext security,
            @Context HttpServerResponse response) {
        return export(uri, security, response, CONSENT_FILTERS, "consents", exports::consents);
    }

    /** The most recent exports: who, when, which filters, how many rows. */
    @Operation(summary = "The last 100 exports")
    @APIResponse(responseCode = "200", description = "Who, when, filters, rows")
    @APIResponse(responseCode = "401", description = "No credentials")
    @APIResponse(responseCode = "403", description = "No staff role")
    @GET
    @Path("/exports")
    @Produces(MediaType.APPLICATION_JSON)
    public List<AuditLog.Entry> exports() {
        return audit.recent("EXPORT_", 100);
    }

    /** One of the CSV writers of {@link CsvExports}. */
    @FunctionalInterface
    interface Writer {
        void write(ExportFilter filter, String actor, boolean bom, OutputStream out) throws IOException;
    }

    /** Filters are checked before the answer starts, so a bad one is a 400 and not a broken download. */
    private Response export(UriInfo uri, SecurityContext security, HttpServerResponse response, Set<String> filters,
            String kind, Writer writer) {
        ExportFilter filter = ExportFilter.parse(uri.getQueryParameters(), filters, config);
        String actor = security.getUserPrincipal().getName();
        boolean bom = bom(uri);
        StreamingOutput body = out -> writer.write(filter, actor, bom, new HangUp(out, response));
        return attachment(body, kind, filter);
    }

    /**
     * Fails the next write once the client's connection has closed. Without it, writes after a hang-up were at times
     * taken without complaint until the whole file had been "sent" into a closed connection, and the export looked
     * complete.
     */
    private static final class HangUp extends FilterOutputStream {
        private final HttpServerResponse response;

        HangUp(OutputStream out, HttpServerResponse response) {
            super(out);
            this.response = response;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (response.closed()) {
                throw new IOException("the client went away");
            }
            out.write(bytes, offset, length);
        }
    }

    /** A byte-order mark makes Excel read the file as UTF-8; other programs do without it. */
    private static boolean bom(UriInfo uri) {
        String value = uri.getQueryParameters().getFirst("bom");
        return value != null && (value.equals("true") || value.equals("1") || value.equals("on"));
    }

    private static Response attachment(StreamingOutput body, String kind, ExportFilter filter) {
        String name = kind + "-" + (filter.list() == null ? "all" : filter.list()) + "-" + LocalDate.now(ZoneOffset.UTC)
                + ".csv";
        return Response.ok(body, CSV)
                .header("Content-Disposition", "attachment; filename=\"" + name + "\"")
                .header("Cache-Control", "no-store")
                .build();
    }
}
