package app.newsletter.subscription;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import app.newsletter.apikeys.ApiKeys;

/**
 * The subscribers, page by page, for tools that poll instead of receiving webhooks ({@code GET /api/subscribers} with
 * a key of scope {@code read}). Pages go in id order (keyset on the primary key: no offset, no sort, no index beyond
 * the one every signup already maintains), and the cursor is the last id handed out, opaque to clients.
 * <p>
 * Ids are taken before commit, so a row with a lower id than a cursor already handed out may still commit after it;
 * a page that simply went on past it would skip it for good. So a page goes no further than the horizon: the highest
 * id among rows created more than {@code newsletter.api-keys.listing-lag} ago. A transaction ends within the
 * transaction timeout of its start, and stamps its rows after it starts; with a lag of at least twice that timeout
 * (plus the clocks' skew between instances), every id up to the horizon had been taken before the lag's second half
 * began, so its transaction has committed or rolled back: no row can appear below a cursor later. A pass that follows
 * {@code next} from the start until it is null therefore returns every row up to its last horizon that existed and
 * matched the filters when its page was read, each once, in id order. Rows changed after their page (a confirmation)
 * are not sent again in that pass: a later pass with {@code since} (on the time of a row's last change) finds them.
 */
@ApplicationScoped
class SubscriberFeed {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    /** One subscriber as a polling tool sees it; status in lower case, as the export writes it. */
    record Item(long id, String list, String email, String name, String status, String source, String consentVersion,
            Instant createdAt, Instant confirmedAt, Instant unsubscribedAt, Instant updatedAt) {
    }

    /** @param next the cursor of the following page, null once the pass reached the horizon */
    record Page(List<Item> items, String next) {
    }

    /**
     * What to list.
     *
     * @param list one list, or null for every list
     * @param status one status, or null for all
     * @param since only rows changed (or created) at or after this instant, or null for all
     * @param after the last id of the previous page (0 for the first page)
     */
    record Query(String list, Subscriber.Status status, Instant since, long after, int limit) {
    }

    private final ApiKeys keys;

    SubscriberFeed(ApiKeys keys) {
        this.keys = keys;
    }

    @Transactional
    Page page(Query query) {
        List<Long> newest = Subscriber.getEntityManager()
                .createNamedQuery("Subscriber.feedHorizon", Long.class)
                .setParameter(1, Instant.now().minus(keys.listingLag())).setMaxResults(1).getResultList();
        long horizon = newest.isEmpty() ? 0 : newest.get(0);
        // No status and no time are passed as every status and the epoch: a null parameter has no SQL type.
        List<Subscriber.Status> statuses = query.status() == null ? List.of(Subscriber.Status.values())
                : List.of(query.status());
        Instant since = query.since() == null ? Instant.EPOCH : query.since();
        List<Subscriber> rows = Subscriber.<Subscriber> find("#Subscriber.feed", query.after(), horizon, query.list(),
                statuses, since).page(0, query.limit() + 1).list();
        boolean more = rows.size() > query.limit();
        List<Item> items = rows.stream().limit(query.limit()).map(SubscriberFeed::item).toList();
        String next = more ? cursor(items.get(items.size() - 1).id()) : null;
        return new Page(items, next);
    }

    private static Item item(Subscriber s) {
        return new Item(s.id, s.listId, s.email, s.name, s.status.name().toLowerCase(Locale.ROOT), s.source,
                s.consentVersion, s.createdAt, s.confirmedAt, s.unsubscribedAt, s.updatedAt);
    }

    /** base64url of the id's eight bytes: opaque, so that clients pass it on instead of doing arithmetic on it. */
    static String cursor(long id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(ByteBuffer.allocate(8).putLong(id).array());
    }

    /** @return the id a cursor stands for, or -1 when it is none of ours */
    static long after(String cursor) {
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(cursor);
            long id = bytes.length == 8 ? ByteBuffer.wrap(bytes).getLong() : -1;
            return id >= 0 ? id : -1;
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }
}
