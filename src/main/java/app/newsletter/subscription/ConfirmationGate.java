package app.newsletter.subscription;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import app.newsletter.abuse.AbuseConfig;
import app.newsletter.abuse.RateWindows;
import app.newsletter.platform.Sha256;
import io.quarkus.scheduler.Scheduled;

/**
 * Decides whether and when a confirmation mail goes out: a cooldown per list and canonical mailbox, a daily cap per
 * mailbox over all lists (list-bombing one victim through many lists or days), and a global breaker that holds
 * confirmations back when far more than usual were queued in the last hour. All are kept in keyed rows every
 * instance shares ({@code rate_window}, {@code confirmation_tally}). The group commit asks for every signup, new
 * address or known (a confirmed one's admission goes unused: a form submission counts against its mailbox either
 * way, and the reply's time must not depend on the address's state); a known signup queued before that is decided
 * when it is handled.
 */
@ApplicationScoped
class ConfirmationGate {

    private static final Logger LOG = Logger.getLogger(ConfirmationGate.class);

    private final RateWindows windows;
    private final ConfirmationTally tally;
    private final AbuseConfig.RateLimit config;
    private final BreakerReading.Limits limits;
    private final Duration cooldown;
    private final AtomicLong queuedSinceReading = new AtomicLong();
    private volatile BreakerReading reading;
    private volatile Instant warnedAt = Instant.EPOCH;

    ConfirmationGate(RateWindows windows, ConfirmationTally tally, SubscriptionConfig config, AbuseConfig defences) {
        this.windows = windows;
        this.tally = tally;
        this.config = defences.rateLimit();
        this.cooldown = config.resendCooldown();
        this.limits = new BreakerReading.Limits(this.config.confirmationsPerHour(), this.config.breakerCeiling(),
                this.config.breakerMultiple(), this.config.breakerBaseline());
        this.reading = new BreakerReading(0, 0, limits.floor());
    }

    /** The one line either write path logs for a confirmation this gate did not admit (an id, never the address). */
    static void logWithheld(long subscriberId) {
        LOG.infof("subscriber %d: confirmation withheld by the cooldown or the daily cap of its mailbox", subscriberId);
    }

    /** An address about to receive a confirmation for a list. */
    record Recipient(String listId, String email) {
    }

    boolean admit(String listId, String email, Instant now) {
        return admit(List.of(new Recipient(listId, email)), now)[0];
    }

    /**
     * The cooldown per list and the daily cap over all lists, both counted per canonical mailbox (so that
     * {@code victim+1@} to {@code victim+8@} count as {@code victim@}), for addresses about to receive a confirmation,
     * in the caller's transaction; the ones let through are counted for the breaker. An address that appears more
     * than once (one person joining several lists at once) counts its earlier places too. The statements run whatever
     * the group holds, even nothing (see {@link RateWindows#takeInStages}).
     *
     * @return per address, in order: true where the confirmation may be queued, false where it must be withheld
     */
    @Transactional(Transactional.TxType.MANDATORY)
    boolean[] admit(List<Recipient> recipients, Instant now) {
        // The group commit's windows with no per-IP key: one path for the rules, one round trip.
        RateWindows.Verdict[] verdicts = windows.takeInStages(windows(),
                keys(Collections.nCopies(recipients.size(), null), recipients), now);
        boolean[] admitted = new boolean[verdicts.length];
        int count = 0;
        for (int i = 0; i < admitted.length; i++) {
            admitted[i] = verdicts[i].passed();
            count += admitted[i] ? 1 : 0;
        }
        counted(count);
        tally.add(count, now);
        return admitted;
    }

    /**
     * What the windows decided for one request of the signup group commit.
     *
     * @param retryAfter seconds until its IP may try again, 0 when its IP's windows let it through
     * @param admitted whether its confirmation may be queued (false for a request with no recipient)
     */
    record Decision(long retryAfter, boolean admitted) {
    }

    /**
     * The windows as {@code with} clauses of a statement that goes on with what they decided, ending in
     * {@code verdict(o, refused_at, hits)}: see {@link RateWindows#chainClauses}. Bound by {@link #bind}, read by
     * {@link #decision(ResultSet, int, boolean, Instant)}.
     */
    static final String CLAUSES = RateWindows.chainClauses(3);

    /** Binds {@link #CLAUSES}' parameters from {@code p} on; returns the index of the next one. */
    int bind(Connection connection, PreparedStatement statement, int p, List<String> ipKeys,
            List<Recipient> recipients, Instant now) throws SQLException {
        return RateWindows.bindChain(connection, statement, p, windows(), keys(ipKeys, recipients), now);
    }

    /** One request's decision, from {@link #CLAUSES}' {@code refused_at} and {@code hits} in the row's columns. */
    Decision decision(ResultSet row, int column, boolean hasRecipient, Instant now) throws SQLException {
        RateWindows.Verdict verdict = RateWindows.verdict(windows(), row, column, now);
        return new Decision(verdict.refusedAt() == 0 ? verdict.retryAfter() : 0, verdict.passed() && hasRecipient);
    }

    /** Confirmations admitted by a statement of {@link #CLAUSES}, for this instance's breaker. */
    void counted(int admitted) {
        queuedSinceReading.addAndGet(admitted);
    }

    /** The per-IP window, the cooldown and the daily cap, in that order. */
    private List<RateWindows.Window> windows() {
        return List.of(windows.signupWindow(),
                new RateWindows.Window(1, cooldown.isZero() ? Duration.ofMinutes(1) : cooldown, COOLDOWN_HITS_PER_DAY),
                new RateWindows.Window(config.perAddressPerDay(), Duration.ofDays(1), config.perAddressPerDay()));
    }

    private List<String[]> keys(List<String> ipKeys, List<Recipient> recipients) {
        List<String[]> keys = new ArrayList<>(ipKeys.size());
        for (int i = 0; i < ipKeys.size(); i++) {
            Recipient recipient = recipients.get(i);
            // Both of an address's keys hash the same mailbox: once.
            String mailbox = recipient == null ? null : mailboxHash(recipient.email());
            keys.add(new String[] { ipKeys.get(i),
                    mailbox == null || cooldown.isZero() ? null : cooldownKeyOf(recipient.listId(), mailbox),
                    mailbox == null ? null : capKeyOf(mailbox) });
        }
        return keys;
    }

    /** Most cooldown hits one key keeps in a day: 1,440 fit a cooldown of one minute. */
    private static final int COOLDOWN_HITS_PER_DAY = 24 * 60;

    /** Every key the gate may hold for an address: its cap's and its cooldown's on each list (for erasure). */
    static List<String> keysOf(String email, Collection<String> listIds) {
        List<String> keys = new ArrayList<>();
        keys.add(capKey(email));
        listIds.forEach(list -> keys.add(cooldownKey(list, email)));
        return keys;
    }

    /** The cooldown's key: the list and the canonical mailbox, hashed like the cap's. */
    static String cooldownKey(String listId, String email) {
        return cooldownKeyOf(listId, mailboxHash(email));
    }

    private static String cooldownKeyOf(String listId, String mailboxHash) {
        return "cooldown:" + listId + ":" + mailboxHash;
    }

    /**
     * The cap's key: the canonical mailbox (case-folded, a {@code +tag} dropped, so that {@code victim+1@} to
     * {@code victim+8@} share the cap of {@code victim@}), hashed, so that the table of limits names nobody (the
     * erasure request removes it too).
     */
    static String capKey(String email) {
        return capKeyOf(mailboxHash(email));
    }

    private static String capKeyOf(String mailboxHash) {
        return "confirm-to:" + mailboxHash;
    }

    private static String mailboxHash(String email) {
        return Sha256.hex(canonicalMailbox(email));
    }

    /** The mailbox a sub-address delivers to: lower case, the local part cut at its first {@code +}. */
    static String canonicalMailbox(String email) {
        String lower = email.toLowerCase(Locale.ROOT);
        int at = lower.lastIndexOf('@');
        int plus = lower.indexOf('+');
        return plus > 0 && plus < at ? lower.substring(0, plus) + lower.substring(at) : lower;
    }

    /** @return when the next confirmation may go out: null for at once, later while the breaker is open */
    Instant notBefore(Instant now) {
        BreakerReading current = reading;
        if (!current.open(queuedSinceReading.get())) {
            return null;
        }
        if (warnedAt.plus(Duration.ofMinutes(1)).isBefore(now)) {
            warnedAt = now;
            LOG.warnf("confirmation breaker open: about %d confirmation mails queued in the last hour (threshold %d: "
                    + "%d x the median hour %d, at least %d, at most %d); new ones wait %s",
                    current.lastHour() + queuedSinceReading.get(), current.threshold(), limits.multiple(),
                    current.baseline(), limits.floor(), limits.ceiling(), config.breakerDelay());
        }
        return now.plus(config.breakerDelay());
    }

    /**
     * Reads every instance's counts every few seconds, away from the signup path: the breaker reacts to floods, not
     * single mails, and between two readings this instance adds what it queued itself.
     */
    @Scheduled(identity = "confirmation-breaker", every = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void read() {
        Instant now = Instant.now();
        long before = queuedSinceReading.get();
        reading = BreakerReading.of(tally.hourly(now.minus(limits.baselinePeriod()).minus(Duration.ofHours(1))),
                now, limits);
        queuedSinceReading.addAndGet(-before);
    }

    @Scheduled(identity = "confirmation-tally-purge", every = "${newsletter.housekeeping-interval}", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void purge() {
        tally.purge(Instant.now().minus(limits.baselinePeriod()).minus(Duration.ofHours(2)));
    }

    boolean breakerOpen() {
        return reading.open(queuedSinceReading.get());
    }
}
