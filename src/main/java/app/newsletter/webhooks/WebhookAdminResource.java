package app.newsletter.webhooks;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
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
import app.newsletter.platform.AuditLog;

/** The endpoints as configured, their queues and last deliveries; a test event; starting a disabled endpoint again. */
@Tag(name = "Staff")
@Path("/api/admin/webhooks")
@RolesAllowed("admin")
class WebhookAdminResource {

    /** One endpoint: its settings (never its secrets), state and queue. */
    record EndpointView(String id, String url, List<String> events, List<String> lists, boolean includeClient,
            int secrets, String state, Instant disabledAt, String disabledReason, long pending, Instant oldestPending,
            long dead, Instant lastDeliveredAt, Instant lastFailedAt, String lastFailure) {
    }

    /** The listing. */
    record Listing(boolean allowPrivateTargets, List<EndpointView> endpoints) {
    }

    private final WebhookEndpoints endpoints;
    private final WebhookStore store;
    private final WebhooksConfig config;
    private final AuditLog audit;

    WebhookAdminResource(WebhookEndpoints endpoints, WebhookStore store, WebhooksConfig config, AuditLog audit) {
        this.endpoints = endpoints;
        this.store = store;
        this.config = config;
        this.audit = audit;
    }

    @Operation(summary = "Webhook endpoints: settings, state, backlog, last delivery and failure")
    @APIResponse(responseCode = "200", description = "Every configured endpoint")
    @APIResponse(responseCode = "403", description = "Not an admin")
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Listing list() {
        Map<String, WebhookStore.State> states = store.states();
        endpoints.refresh(states);
        Map<String, WebhookStore.Backlog> backlog = store.backlog();
        List<EndpointView> views = endpoints.all().stream().map(endpoint -> {
            WebhookStore.State state = states.get(endpoint.id());
            WebhookStore.Backlog queue = backlog.getOrDefault(endpoint.id(), WebhookStore.Backlog.EMPTY);
            boolean disabled = endpoints.disabled(endpoint.id());
            return new EndpointView(endpoint.id(), endpoint.url().toString(),
                    endpoint.events().stream().sorted().toList(), endpoint.lists().stream().sorted().toList(),
                    endpoint.includeClient(), endpoint.signatures().count(), disabled ? "disabled" : "active",
                    disabled ? state.disabledAt() : null, disabled ? state.disabledReason() : null, queue.pending(),
                    queue.oldestPending(), queue.dead(), state == null ? null : state.lastDeliveredAt(),
                    state == null ? null : state.lastFailedAt(), state == null ? null : state.lastFailure());
        }).toList();
        return new Listing(config.allowPrivateTargets(), views);
    }

    @Operation(summary = "Queue a webhook.test event for one endpoint (whatever its event filter)")
    @APIResponse(responseCode = "202", description = "Queued; the dispatcher delivers it like any event")
    @APIResponse(responseCode = "404", description = "No such endpoint")
    @APIResponse(responseCode = "409", description = "The endpoint is disabled (410 Gone); enable it first")
    @POST
    @Path("/{id}/test")
    @Produces(MediaType.APPLICATION_JSON)
    public Response test(@PathParam("id") String id, @Context SecurityContext security) {
        WebhookEndpoints.Endpoint endpoint = known(id);
        endpoints.refresh(store.states());
        if (endpoints.disabled(id)) {
            throw new ProblemException(409, "Endpoint '" + id + "' is disabled since it answered 410 Gone; enable it "
                    + "first.", Map.of());
        }
        Instant now = Instant.now();
        store.insert(List.of(endpoint.unfiltered()), null, EventType.WEBHOOK_TEST, now,
                "{\"endpoint\":\"" + id + "\",\"message\":\"A test event from the newsletter service.\"}", null);
        audit.record(security.getUserPrincipal().getName(), "WEBHOOK_TEST", Map.of("endpoint", id), null);
        return Response.accepted(Map.of("endpoint", id, "queued", true)).build();
    }

    @Operation(summary = "Start an endpoint that answered 410 Gone again (its stopped events stay stopped)")
    @APIResponse(responseCode = "200", description = "Enabled (or was not disabled)")
    @APIResponse(responseCode = "404", description = "No such endpoint")
    @POST
    @Path("/{id}/enable")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> enable(@PathParam("id") String id, @Context SecurityContext security) {
        known(id);
        boolean was = store.enable(id);
        endpoints.refresh(store.states());
        if (was) {
            audit.record(security.getUserPrincipal().getName(), "WEBHOOK_ENABLE", Map.of("endpoint", id), null);
        }
        return Map.of("endpoint", id, "state", "active", "wasDisabled", was);
    }

    private WebhookEndpoints.Endpoint known(String id) {
        return endpoints.byId(id).orElseThrow(
                () -> new ProblemException(404, "There is no webhook endpoint '" + id + "'.", Map.of()));
    }
}
