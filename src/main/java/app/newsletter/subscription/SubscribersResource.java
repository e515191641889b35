package app.newsletter.subscription;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import app.newsletter.apikeys.ApiKeys;
import app.newsletter.apikeys.Authorization;
import app.newsletter.apikeys.Scope;
import app.newsletter.http.ProblemException;

/** The subscribers for tools that poll, with an API key of scope {@code read} ({@link SubscriberFeed}). */
@Tag(name = "Integrations")
@Path("/api/subscribers")
class SubscribersResource {

    private final ApiKeys keys;
    private final SubscriberFeed feed;
    private final SubscriptionConfig config;

    SubscribersResource(ApiKeys keys, SubscriberFeed feed, SubscriptionConfig config) {
        this.keys = keys;
        this.feed = feed;
        this.config = config;
    }

    @Operation(summary = "The subscribers, page by page (API key with scope read)", description = "Pages in id "
            + "order; pass next as cursor until it is null. Rows younger than newsletter.api-keys.listing-lag wait "
            + "for a later page, so that no page passes a row that commits after it.")
    @APIResponse(responseCode = "200", description = "{\"items\": [{id, list, email, name, status, source, "
            + "consentVersion, createdAt, confirmedAt, unsubscribedAt, updatedAt}], \"next\": cursor or null}")
    @APIResponse(responseCode = "400", description = "An unknown list or status, a bad since, cursor or limit")
    @APIResponse(responseCode = "401", description = "No, a malformed, an unknown or a revoked API key")
    @APIResponse(responseCode = "403", description = "The key lacks the scope read, or is restricted to another list")
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public SubscriberFeed.Page list(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @QueryParam("list") String list, @QueryParam("status") String status, @QueryParam("since") String since,
            @QueryParam("cursor") String cursor, @QueryParam("limit") String limit) {
        Authorization.Caller caller = KeyedRequests.caller(keys.authorize(authorization, Scope.READ));
        String listId = blank(list) ? caller.listId() : list.strip();
        if (!caller.allows(listId)) {
            String detail = "This API key may only read the list '" + caller.listId() + "'.";
            throw new ProblemException(403, detail, Map.of("list", detail));
        }
        return feed.page(query(listId, status, since, cursor, limit));
    }

    /** Every parameter checked, and all that are wrong named at once: a typo must not list something else. */
    private SubscriberFeed.Query query(String list, String status, String since, String cursor, String limit) {
        Map<String, String> errors = new LinkedHashMap<>();
        if (list != null && !config.lists().containsKey(list)) {
            errors.put("list", "There is no list called '" + list.replaceAll("\\p{Cntrl}", "?") + "'.");
        }
        Subscriber.Status wanted = null;
        if (!blank(status)) {
            try {
                wanted = Subscriber.Status.valueOf(status.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                errors.put("status", "The status must be one of pending, confirmed, unsubscribed, bounced, complained.");
            }
        }
        Instant from = null;
        if (!blank(since)) {
            try {
                from = Instant.parse(since.strip());
            } catch (DateTimeParseException e) {
                errors.put("since", "The since must be an ISO-8601 instant, e.g. 2026-01-31T00:00:00Z.");
            }
        }
        long after = blank(cursor) ? 0 : SubscriberFeed.after(cursor.strip());
        if (after < 0) {
            errors.put("cursor", "The cursor must be a next value of an earlier page, as it was.");
        }
        int size = SubscriberFeed.DEFAULT_LIMIT;
        if (!blank(limit)) {
            try {
                size = Integer.parseInt(limit.strip());
            } catch (NumberFormatException e) {
                size = -1;
            }
            if (size < 1 || size > SubscriberFeed.MAX_LIMIT) {
                errors.put("limit", "The limit must be a number from 1 to " + SubscriberFeed.MAX_LIMIT + ".");
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(400, errors.size() == 1 ? errors.values().iterator().next()
                    : "Some parameters are not valid.", errors);
        }
        return new SubscriberFeed.Query(list, wanted, from, after, size);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
