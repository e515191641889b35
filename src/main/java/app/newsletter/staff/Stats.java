package app.newsletter.staff;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import app.newsletter.outbox.Backlog;
import app.newsletter.outbox.Outbox;
import app.newsletter.subscription.SubscriptionConfig;

/**
 * The numbers marketing staff look at: per list, and of the mail queue. Native SQL because they are reports, not
 * entities: counts grouped by list, status and UTC day over a generated series of days, which JPQL cannot say.
 */
@ApplicationScoped
class Stats {

    static final int DAYS = 30;

    record Report(List<ListStats> lists, OutboxStats outbox) {
    }

    /**
     * @param confirmationRate share of this list's subscribers who confirmed at some point (0 to 1), or null when
     *        nobody signed up yet
     */
    record ListStats(String id, String name, Map<String, Long> byStatus, long total, Double confirmationRate,
            long ebookDownloads, List<Day> days) {

        /** The rate as people read it, e.g. "57.1 %". */
        public String ratePercent() {
            return confirmationRate == null ? "–"
                    : String.format(java.util.Locale.ROOT, "%.1f %%",
                            confirmationRate * 100);
        }
    }

    record Day(LocalDate date, long signups, long confirmations) {
    }

    record OutboxStats(long pending, long oldestPendingSeconds, long dead) {
    }

    private final EntityManager em;
    private final Outbox outbox;
    private final SubscriptionConfig config;

    Stats(EntityManager em, Outbox outbox, SubscriptionConfig config) {
        this.em = em;
        this.outbox = outbox;
        this.config = config;
    }

    @Transactional
    @SuppressWarnings("unchecked")
    Report report() {
        Map<String, Object[]> totals = new LinkedHashMap<>();
        for (Object[] row : (List<Object[]>) em.createNativeQuery("""
                select list_id,
                       count(*) filter (where status = 'PENDING'),
                       count(*) filter (where status = 'CONFIRMED'),
                       count(*) filter (where status = 'UNSUBSCRIBED'),
                       count(*) filter (where confirmed_at is not null),
                       coalesce(sum(ebook_downloads), 0),
                       count(*) filter (where status = 'BOUNCED'),
                       count(*) filter (where status = 'COMPLAINED')
                  from subscriber group by list_id""").getResultList()) {
            totals.put((String) row[0], row);
        }
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate first = today.minusDays(DAYS - 1);
        Map<String, Map<LocalDate, long[]>> daily = new LinkedHashMap<>();
        for (Object[] row : (List<Object[]>) em.createNativeQuery("""
                select list_id, cast(occurred_at at time zone 'UTC' as date),
                       count(distinct subscriber_id) filter (where event = 'SIGNUP'),
                       count(*) filter (where event = 'CONFIRM')
                  from consent_record
                 where occurred_at >= cast(:first as timestamp) at time zone 'UTC'
                 group by 1, 2""").setParameter("first", first.atStartOfDay()).getResultList()) {
            LocalDate day = row[1] instanceof java.sql.Date date ? date.toLocalDate() : (LocalDate) row[1];
            daily.computeIfAbsent((String) row[0], k -> new TreeMap<>())
                    .put(day, new long[] { number(row[2]), number(row[3]) });
        }
        List<ListStats> lists = new ArrayList<>();
        config.lists().keySet().stream().sorted().forEach(id -> {
            Object[] row = totals.get(id);
            long pending = row == null ? 0 : number(row[1]);
            long confirmed = row == null ? 0 : number(row[2]);
            long unsubscribed = row == null ? 0 : number(row[3]);
            long everConfirmed = row == null ? 0 : number(row[4]);
            long bounced = row == null ? 0 : number(row[6]);
            long complained = row == null ? 0 : number(row[7]);
            long total = pending + confirmed + unsubscribed + bounced + complained;
            Map<String, Long> byStatus = new LinkedHashMap<>();
            byStatus.put("pending", pending);
            byStatus.put("confirmed", confirmed);
            byStatus.put("unsubscribed", unsubscribed);
            byStatus.put("bounced", bounced);
            byStatus.put("complained", complained);
            List<Day> days = new ArrayList<>(DAYS);
            Map<LocalDate, long[]> counted = daily.getOrDefault(id, Map.of());
            for (LocalDate day = first; !day.isAfter(today); day = day.plusDays(1)) {
                long[] counts = counted.getOrDefault(day, new long[2]);
                days.add(new Day(day, counts[0], counts[1]));
            }
            lists.add(new ListStats(id, config.lists().get(id).displayName(), byStatus, total,
                    total == 0 ? null : (double) everConfirmed / total, row == null ? 0 : number(row[5]), days));
        });
        Backlog backlog = outbox.backlog();
        return new Report(lists, new OutboxStats(backlog.pending(), backlog.oldestAge().toSeconds(), backlog.dead()));
    }

    private static long number(Object value) {
        return ((Number) value).longValue();
    }
}
