package app.newsletter.bounces;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import app.newsletter.http.ProblemException;
import io.quarkus.runtime.StartupEvent;

/** {@code POST /hooks/bounces/{relay}}: the relays' bounce and complaint webhooks. */
@Tag(name = "Relay webhooks")
@Path("/hooks/bounces/{relay}")
class BounceHooksResource {

    private static final Logger LOG = Logger.getLogger(BounceHooksResource.class);

    /** What the relay gets back: how many reports were taken. */
    record Received(int reports) {
    }

    private final Map<String, RelayHook> hooks;
    private final Bounces bounces;

    BounceHooksResource(Instance<RelayHook> hooks, Bounces bounces) {
        this.hooks = hooks.stream().collect(Collectors.toMap(RelayHook::name, Function.identity()));
        this.bounces = bounces;
    }

    void logConfigured(@Observes StartupEvent event) {
        List<String> on = hooks.values().stream().filter(RelayHook::configured).map(RelayHook::name).sorted().toList();
        if (!on.isEmpty()) {
            LOG.infof("bounce webhooks on for %s", on);
        }
    }

    @Operation(summary = "A relay reports bounces and complaints (ses, postmark, mailgun, sendgrid, generic)")
    @APIResponse(responseCode = "200", description = "Verified; hard bounces and complaints suppress their address")
    @APIResponse(responseCode = "400", description = "Not the relay's format")
    @APIResponse(responseCode = "401", description = "Signature or credentials missing or wrong; nothing recorded")
    @APIResponse(responseCode = "404", description = "No such relay, or its secret is not configured")
    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Received report(@PathParam("relay") String relay, @Context HttpHeaders headers, byte[] body) {
        RelayHook hook = hooks.get(relay);
        if (hook == null || !hook.configured()) {
            throw new ProblemException(404, "There is no bounce webhook '" + relay + "' here.", Map.of());
        }
        List<Report> reports;
        try {
            reports = hook.read(headers, body == null ? new byte[0] : body);
        } catch (HookRefused refused) {
            LOG.warnf("%s bounce webhook refused (%d): %s", relay, refused.status(), refused.getMessage());
            throw new ProblemException(refused.status(), refused.getMessage(), Map.of());
        }
        return new Received(bounces.record(relay, reports));
    }
}
