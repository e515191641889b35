package app.newsletter.webhooks;

import java.util.Arrays;
import java.util.Optional;

/** The events an endpoint can receive, by their names on the wire. */
public enum EventType {
    /** A new address signed up and waits for its confirmation (status pending). */
    SUBSCRIPTION_CREATED("subscription.created"),
    /** The address confirmed (double opt-in complete). */
    SUBSCRIPTION_CONFIRMED("subscription.confirmed"),
    /** The address left the list (link, one-click or staff). */
    SUBSCRIPTION_UNSUBSCRIBED("subscription.unsubscribed"),
    /** The ebook was downloaded through one of the subscriber's links. */
    EBOOK_DOWNLOADED("ebook.downloaded"),
    /** The address was erased on request; the event carries only its salted hash. */
    SUBSCRIBER_ERASED("subscriber.erased"),
    /** Sent by {@code POST /api/admin/webhooks/{id}/test} only, whatever the endpoint's event filter. */
    WEBHOOK_TEST("webhook.test");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    static Optional<EventType> ofWireName(String name) {
        return Arrays.stream(values()).filter(type -> type.wireName.equals(name)).findFirst();
    }
}
