package app.newsletter.webhooks;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The configured endpoints, checked once when the service starts (a setting that cannot work stops start-up with one
 * line naming it, never a secret's value), with the signatures each delivery needs.
 */
@ApplicationScoped
class WebhookEndpoints {

    /** One endpoint as the dispatcher and the event queue use it. */
    record Endpoint(String id, URI url, Signatures signatures, Set<String> events, Set<String> lists,
            boolean includeClient) {

        /** The same endpoint without its event and list filters: a test event reaches it whatever they say. */
        Endpoint unfiltered() {
            return new Endpoint(id, url, signatures, Set.of(), Set.of(), includeClient);
        }

        boolean wants(EventType type) {
            return type == EventType.WEBHOOK_TEST || events.isEmpty() || events.contains(type.wireName());
        }
    }

    /**
     * The endpoints that answered 410 Gone for their current URL, as the dispatcher last read them, and the others:
     * one value, so that a reader never sees one of them changed without the other; the active list is kept rather
     * than filtered again by every signup group that queues events.
     */
    private record Standing(Set<String> disabled, List<Endpoint> active) {
    }

    private final Map<String, Endpoint> byId;
    private volatile Standing standing;

    WebhookEndpoints(WebhooksConfig config) {
        this.byId = parse(config);
        this.standing = new Standing(Set.of(), List.copyOf(byId.values()));
    }

    static Map<String, Endpoint> parse(WebhooksConfig config) {
        Map<String, Endpoint> endpoints = new TreeMap<>();
        config.endpoints().forEach((id, endpoint) -> endpoints.put(id, parse(id, endpoint)));
        return Map.copyOf(endpoints);
    }

    private static Endpoint parse(String id, WebhooksConfig.Endpoint endpoint) {
        String setting = "NEWSLETTER_WEBHOOKS_" + id.toUpperCase().replaceAll("[^A-Z0-9]", "_");
        if (!id.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw new IllegalArgumentException(setting + ": an endpoint id is lower-case letters, digits and dashes");
        }
        URI url = endpoint.url();
        if (!url.isAbsolute() || !("https".equals(url.getScheme()) || "http".equals(url.getScheme()))
                || url.getHost() == null) {
            throw new IllegalArgumentException(setting + "_URL: an absolute http or https URL is needed, got '"
                    + url + "'");
        }
        if (url.getUserInfo() != null) {
            throw new IllegalArgumentException(setting + "_URL: credentials do not belong in the URL; the receiver "
                    + "checks the webhook-signature header instead");
        }
        Signatures signatures;
        try {
            signatures = Signatures.of(endpoint.secret());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + "_SECRET: " + e.getMessage());
        }
        Set<String> events = Set.copyOf(endpoint.events().orElse(List.of()).stream().map(String::strip)
                .collect(Collectors.toSet()));
        for (String event : events) {
            if (EventType.ofWireName(event).filter(type -> type != EventType.WEBHOOK_TEST).isEmpty()) {
                throw new IllegalArgumentException(setting + "_EVENTS: unknown event type '" + event + "' (known: "
                        + knownTypes() + ")");
            }
        }
        Set<String> lists = Set.copyOf(endpoint.lists().orElse(List.of()).stream().map(String::strip)
                .collect(Collectors.toSet()));
        return new Endpoint(id, url, signatures, events, lists, endpoint.includeClient());
    }

    private static String knownTypes() {
        List<String> names = new ArrayList<>();
        for (EventType type : EventType.values()) {
            if (type != EventType.WEBHOOK_TEST) {
                names.add(type.wireName());
            }
        }
        return String.join(", ", names);
    }

    Collection<Endpoint> all() {
        return byId.values();
    }

    /** The endpoints events are queued for: all but the disabled ones. */
    List<Endpoint> active() {
        return standing.active();
    }

    boolean disabled(String id) {
        return standing.disabled().contains(id);
    }

    /** An endpoint counts as disabled only for the URL it had when it answered 410: a new URL is a new start. */
    void refresh(Map<String, WebhookStore.State> states) {
        Set<String> disabled = byId.values().stream()
                .filter(endpoint -> {
                    WebhookStore.State state = states.get(endpoint.id());
                    return state != null && state.disabledAt() != null
                            && endpoint.url().toString().equals(state.disabledUrl());
                })
                .map(Endpoint::id)
                .collect(Collectors.toUnmodifiableSet());
        standing = new Standing(disabled,
                byId.values().stream().filter(endpoint -> !disabled.contains(endpoint.id())).toList());
    }

    Optional<Endpoint> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    boolean none() {
        return byId.isEmpty();
    }
}
