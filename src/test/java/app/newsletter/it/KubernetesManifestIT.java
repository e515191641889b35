package app.newsletter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The Kubernetes manifest that {@code ./mvnw package} writes (target/kubernetes/kubernetes.json, the same resources
 * as kubernetes.yml), read as an operator's cluster would: hardened, sized, probed on the management port, drained
 * gracefully and kept available during voluntary disruptions. No cluster is reachable here, so the fields are checked.
 */
class KubernetesManifestIT {

    private static final Path MANIFEST = Path.of("target", "kubernetes", "kubernetes.json");
    private static final List<JsonNode> RESOURCES = new ArrayList<>();

    @BeforeAll
    static void read() throws IOException {
        JsonNode root = new ObjectMapper().readTree(Files.readString(MANIFEST));
        (root.isArray() ? root : root.path("items")).forEach(RESOURCES::add);
        assertFalse(RESOURCES.isEmpty(), "no resources in " + MANIFEST);
    }

    @Test
    void the_container_runs_as_non_root_on_a_read_only_root_filesystem_with_no_capabilities() {
        JsonNode pod = deployment().path("spec").path("template").path("spec");
        assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean(), pod.toString());
        assertEquals(185, pod.path("securityContext").path("runAsUser").asInt());
        JsonNode security = container().path("securityContext");
        assertTrue(security.path("runAsNonRoot").asBoolean());
        assertTrue(security.path("readOnlyRootFilesystem").asBoolean());
        assertFalse(security.path("allowPrivilegeEscalation").asBoolean(true));
        assertEquals("[\"ALL\"]", security.path("capabilities").path("drop").toString());
        // A read-only root needs a writable /tmp (Vert.x's file cache, the JDK's temporary files).
        JsonNode mount = find(container().path("volumeMounts"), "mountPath", "/tmp");
        JsonNode volume = find(pod.path("volumes"), "name", mount.path("name").asText());
        assertTrue(volume.has("emptyDir"), volume.toString());
    }

    @Test
    void the_container_has_requests_and_limits_and_the_grace_period_the_shutdown_needs() {
        JsonNode resources = container().path("resources");
        for (String kind : new String[] { "requests", "limits" }) {
            assertTrue(resources.path(kind).has("cpu"), kind + " cpu: " + resources);
            assertTrue(resources.path(kind).has("memory"), kind + " memory: " + resources);
        }
        // 30 s of HTTP draining plus one outbox round: README "Operations" asks for at least 75 s.
        assertTrue(deployment().path("spec").path("template").path("spec").path("terminationGracePeriodSeconds")
                .asInt() >= 75);
        assertTrue(deployment().path("spec").path("replicas").asInt() >= 2);
    }

    @Test
    void probes_and_metrics_use_the_management_port_which_the_service_names() {
        JsonNode ports = container().path("ports");
        JsonNode management = find(ports, "containerPort", 9000);
        String name = management.path("name").asText();
        assertFalse(name.isEmpty(), "the management port needs a name for a ServiceMonitor: " + ports);
        for (String probe : new String[] { "livenessProbe", "readinessProbe", "startupProbe" }) {
            JsonNode get = container().path(probe).path("httpGet");
            assertTrue(get.path("path").asText().startsWith("/q/health"), probe + ": " + get);
            assertTrue(get.path("port").asText().equals(name) || get.path("port").asInt() == 9000,
                    probe + " must probe the management port: " + get);
        }
        // The public Service (what an Ingress routes to) carries the public port alone; the management Service the
        // management port, inside the cluster.
        JsonNode publicPorts = named("Service", "newsletter-signup").path("spec").path("ports");
        assertEquals(1, publicPorts.size(), publicPorts.toString());
        assertEquals(8080, publicPorts.get(0).path("targetPort").asInt());
        JsonNode managementService = named("Service", "newsletter-signup-management").path("spec");
        assertEquals("ClusterIP", managementService.path("type").asText());
        assertNotNull(find(managementService.path("ports"), "name", name));
        JsonNode monitor = resource("ServiceMonitor").path("spec");
        JsonNode endpoint = monitor.path("endpoints").get(0);
        assertEquals(1, monitor.path("endpoints").size(), monitor.toString());
        assertEquals("/q/metrics", endpoint.path("path").asText());
        assertEquals(name, endpoint.path("port").asText(), "the ServiceMonitor scrapes the management port");
        // An empty selector would scrape every Service of the namespace.
        assertEquals("newsletter-signup",
                monitor.path("selector").path("matchLabels").path("app.kubernetes.io/name").asText());
    }

    @Test
    void a_disruption_budget_keeps_one_instance_serving() {
        JsonNode budget = resource("PodDisruptionBudget");
        assertEquals(1, budget.path("spec").path("minAvailable").asInt());
        assertEquals("newsletter-signup",
                budget.path("spec").path("selector").path("matchLabels").path("app.kubernetes.io/name").asText());
    }

    @Test
    void no_migration_job_or_third_party_image_is_needed() {
        Set<String> kinds = RESOURCES.stream().map(r -> r.path("kind").asText()).collect(Collectors.toSet());
        assertFalse(kinds.contains("Job"), kinds.toString());
        assertFalse(deployment().path("spec").path("template").path("spec").has("initContainers"));
    }

    private static JsonNode deployment() {
        return resource("Deployment");
    }

    private static JsonNode container() {
        JsonNode containers = deployment().path("spec").path("template").path("spec").path("containers");
        assertEquals(1, containers.size(), containers.toString());
        return containers.get(0);
    }

    private static JsonNode resource(String kind) {
        return RESOURCES.stream().filter(r -> kind.equals(r.path("kind").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " in " + MANIFEST));
    }

    private static JsonNode named(String kind, String name) {
        return RESOURCES.stream().filter(r -> kind.equals(r.path("kind").asText())
                && name.equals(r.path("metadata").path("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + MANIFEST));
    }

    private static JsonNode find(JsonNode array, String field, Object value) {
        return StreamSupport.stream(array.spliterator(), false)
                .filter(n -> n.path(field).asText().equals(String.valueOf(value))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + field + "=" + value + " in " + array));
    }
}
