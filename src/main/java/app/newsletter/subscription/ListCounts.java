package app.newsletter.subscription;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

/**
 * What the lists hold and what happened to them lately, for the staff's reports: read through the named queries of
 * {@link Subscriber} and {@link ConsentRecord}, the homes of their tables, so that no other room reads them.
 */
@ApplicationScoped
public class ListCounts {

    /**
     * One list's subscribers now.
     *
     * @param byStatus count per status, by its lower-case name; every status present
     * @param everConfirmed subscribers who confirmed at some point, whatever their status now
     * @param ebookDownloads downloads of the list's ebook through all its subscribers' links
     */
    public record Totals(Map<String, Long> byStatus, long everConfirmed, long ebookDownloads) {

        static final Totals NONE = new Totals(Collections.unmodifiableMap(zeroes()), 0, 0);

        public long total() {
            return byStatus.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Per UTC day: new subscribers who signed up and confirmations. */
    public record Day(long signups, long confirmations) {
        static final Day NONE = new Day(0, 0);
    }

    /** Per list id, for every list with a subscriber. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Map<String, Totals> totals() {
        Map<String, Map<String, Long>> byStatus = new HashMap<>();
        Map<String, long[]> sums = new HashMap<>();
        for (Object[] row : Subscriber.getEntityManager()
                .createNamedQuery("Subscriber.totalsByListAndStatus", Object[].class).getResultList()) {
            String list = (String) row[0];
            byStatus.computeIfAbsent(list, l -> zeroes())
                    .put(((Subscriber.Status) row[1]).name().toLowerCase(Locale.ROOT), ((Number) row[2]).longValue());
            long[] sum = sums.computeIfAbsent(list, l -> new long[2]);
            sum[0] += ((Number) row[3]).longValue();
            sum[1] += row[4] == null ? 0 : ((Number) row[4]).longValue();
        }
        Map<String, Totals> totals = new HashMap<>();
        byStatus.forEach((list, counts) -> totals.put(list,
                new Totals(counts, sums.get(list)[0], sums.get(list)[1])));
        return totals;
    }

    /** The totals of one list, zero for a list nobody signed up to. */
    public static Totals of(Map<String, Totals> totals, String listId) {
        return totals.getOrDefault(listId, Totals.NONE);
    }

    /** Per list id and UTC day, from {@code first} to today; days without either are left out. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Map<String, Map<LocalDate, Day>> daily(LocalDate first) {
        Map<String, Map<LocalDate, Day>> days = new HashMap<>();
        Instant since = first.atStartOfDay(ZoneOffset.UTC).toInstant();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = ConsentRecord.getEntityManager().createNamedQuery("ConsentRecord.dailyByList")
                .setParameter("since", since).getResultList();
        for (Object[] row : rows) {
            LocalDate day = row[1] instanceof java.sql.Date date ? date.toLocalDate() : (LocalDate) row[1];
            days.computeIfAbsent((String) row[0], list -> new HashMap<>())
                    .put(day, new Day(((Number) row[2]).longValue(), ((Number) row[3]).longValue()));
        }
        return days;
    }

    /** The day's counts, zero when nothing happened. */
    public static Day on(Map<LocalDate, Day> days, LocalDate day) {
        return days.getOrDefault(day, Day.NONE);
    }

    /** Every status at zero, in the enum's order (the order staff's report shows them in). */
    private static Map<String, Long> zeroes() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Subscriber.Status status : Subscriber.Status.values()) {
            counts.put(status.name().toLowerCase(Locale.ROOT), 0L);
        }
        return counts;
    }
}
