package app.newsletter.ebook;

/**
 * Decides whether a download link still works. Implemented by the subscription feature, which owns the links and
 * knows whether their holder is still subscribed; the ebook feature only serves the file.
 */
public interface EbookGrants {

    enum Outcome {
        GRANTED,
        UNKNOWN,
        GONE
    }

    /** The answer to one download attempt; a granted one has already been counted. */
    record Redemption(Outcome outcome, String listId) {
    }

    Redemption redeem(String token);

    /** The same answer as {@link #redeem}, without counting a download. */
    Redemption check(String token);
}
