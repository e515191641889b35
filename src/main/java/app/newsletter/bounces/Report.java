package app.newsletter.bounces;

/**
 * One event a relay reported about one address.
 *
 * @param eventId the relay's id of the event, so that a webhook delivered twice counts once; null when it has none
 */
record Report(String address, Kind kind, String eventId) {

    enum Kind {
        /** The address does not exist or refuses mail for good. */
        HARD,
        /** A temporary failure (full mailbox, busy server): suppresses only when repeated. */
        SOFT,
        /** The recipient reported the mail as spam. */
        COMPLAINT
    }
}
