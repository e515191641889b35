package app.newsletter.staff;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import app.newsletter.outbox.Backlog;
import app.newsletter.outbox.Outbox;
import app.newsletter.subscription.ListCounts;
import app.newsletter.subscription.SubscriptionConfig;

/**
 * The numbers marketing staff look at: per list (counted by the subscription room, {@link ListCounts}), and of the
 * mail queue.
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

    private final ListCounts counts;
    private final Outbox outbox;
    private final SubscriptionConfig config;

    Stats(ListCounts counts, Outbox outbox, SubscriptionConfig config) {
        this.counts = counts;
        this.outbox = outbox;
        this.config = config;
    }

    /** The report's reads share one transaction and connection. */
    @Transactional
    Report report() {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate first = today.minusDays(DAYS - 1);
        Map<String, ListCounts.Totals> totals = counts.totals();
        Map<String, Map<LocalDate, ListCounts.Day>> daily = counts.daily(first);
        List<ListStats> lists = new ArrayList<>();
        config.lists().keySet().stream().sorted().forEach(id -> {
            ListCounts.Totals list = ListCounts.of(totals, id);
            long total = list.total();
            List<Day> days = new ArrayList<>(DAYS);
            Map<LocalDate, ListCounts.Day> counted = daily.getOrDefault(id, Map.of());
            for (LocalDate day = first; !day.isAfter(today); day = day.plusDays(1)) {
                ListCounts.Day counts = ListCounts.on(counted, day);
                days.add(new Day(day, counts.signups(), counts.confirmations()));
            }
            lists.add(new ListStats(id, config.lists().get(id).displayName(), list.byStatus(), total,
                    total == 0 ? null : (double) list.everConfirmed() / total, list.ebookDownloads(), days));
        });
        Backlog backlog = outbox.backlog();
        return new Report(lists, new OutboxStats(backlog.pending(), backlog.oldestAge().toSeconds(), backlog.dead()));
    }
}
