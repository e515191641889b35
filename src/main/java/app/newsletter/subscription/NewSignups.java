package app.newsletter.subscription;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import app.newsletter.outbox.Outbox;
import app.newsletter.webhooks.EventType;
import app.newsletter.webhooks.Webhooks;
import io.agroal.api.AgroalDataSource;

/**
 * Writes a group of signup requests in one statement, which commits on its own: it decides their per-IP windows and
 * the per-address cooldowns and caps ({@link ConfirmationGate#CLAUSES}), then writes the breaker's count, the
 * subscribers, their consent records, their link tokens and their confirmation mails ({@link #WRITE}). Each of their
 * parts is an insert or a primary-key upsert of the whole group (unnest), so a signup costs the same on an empty or a
 * full, a fresh or an analysed database; and a group costs one round trip, where two statements and a commit cost
 * three and one statement per table cost eight (the group's statements wait their turn for a core: bench/README.md).
 * Addresses new to their list are written here; the others are queued in {@code known_signup} in the same statement,
 * for {@link KnownSignups} to handle behind the reply (their rules need row locks), so that both answer after the same
 * commit. A known address takes its cooldown and cap here as a new one does, and its queue row carries the
 * confirmation its request prepared: both write the same rows before the reply, whose time then says nothing about the
 * address's state (bench/timing.sh). Requests that only count against their IP (invalid ones, the honeypot's) take
 * their place in the windows and no more.
 */
@ApplicationScoped
class NewSignups {

    private static final Logger LOG = Logger.getLogger(NewSignups.class);

    /**
     * The group's one statement: its windows ({@link ConfirmationGate#CLAUSES}: the requests' places in their per-IP
     * windows and their mailboxes' cooldowns and caps), then the breaker's count ({@link ConfirmationTally#addFrom}),
     * the subscribers new to their list ({@link Subscriber#insertPendingFrom}), the consent record of each
     * ({@link ConsentRecord#insertSignupsFrom}), the link tokens ({@link Tokens#insertFrom}) and the confirmation mail
     * ({@link Outbox#queueFrom}) of each one admitted, and, for the others, their place in {@code known_signup}
     * ({@link KnownSignups#queueFrom}); each table's part is kept by the table's home, and this statement only joins
     * them: one statement, so that a group costs the same round trip whatever its addresses, and one round trip where
     * it used to take three. Its rows come in the requests' order: the window that refused each (null if none), that
     * window's hits and the id of the subscriber it wrote (null if none). A request refused by its IP's window writes
     * nothing; one whose cooldown or cap withheld its confirmation is written without tokens and mail, and records none
     * sent. A known address's row carries the confirmation its request prepared (token hashes, rendered mail) and its
     * admission. ON CONFLICT skips addresses already on the list; of exact repeats within the group the first one (in
     * the group's order) is written and the others are queued as known, as is a repeat that differs only in case.
     */
    static final String WRITE = write(false);

    /**
     * {@link #WRITE} with the {@code subscription.created} webhook event of every subscriber it writes
     * ({@link Webhooks#queueFrom}), for installations with an endpoint that wants them: the events commit with their
     * rows in the same round trip. Its data are {@link SubscriptionEvents#createdDataAfterId}'s, after the id.
     */
    static final String WRITE_WITH_EVENTS = write(true);

    private static String write(boolean events) {
        return """
                with %s,
                g as (
                     select q.*, vd.refused_at is null as a,
                            row_number() over (partition by q.l, q.e order by q.o) = 1 as first
                       from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                                   ?::bytea[], ?::bytea[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                                   ?::text[]%s)
                            with ordinality as q(l, e, n, s, v, ip, ua, ch, uh, mk, mr, ms, mt, mh, mj, %so)
                       join verdict vd on vd.o = q.o
                      where q.l is not null and (vd.refused_at is null or vd.refused_at > 0)),
                tally as (%s),
                written as (%s),
                consents as (%s),
                known as (%s),
                admitted as (
                     select w.id, g.ch, g.uh, g.mk, g.mr, g.ms, g.mt, g.mh, g.mj
                       from written w join g on g.l = w.list_id and g.e = w.email and g.first and g.a),
                tokens as (%s),
                mails as (%s)%s
                select vd.refused_at, vd.hits, w.id
                  from verdict vd
                  left join g on g.o = vd.o and g.first
                  left join written w on w.list_id = g.l and w.email = g.e
                 order by vd.o""".formatted(ConfirmationGate.CLAUSES,
                // With events, each request also brings its event's data after the subscriber's id, and its client
                // fields (SubscriptionEvents#createdDataAfterId): the row's JSON is then spliced, not built, in SQL.
                events ? ", ?::text[], ?::text[]" : "", events ? "dj, cj, " : "",
                ConfirmationTally.addFrom("(select count(*) from g where a)"),
                // The subquery's ORDER BY gives the insert its rows, and so its locks, in address order (the same
                // order in every group, so that two groups written at once cannot deadlock): PostgreSQL does not
                // flatten a subquery that sorts, and scans its sorted output as it comes. Exact repeats come in the
                // group's order, so the one written is the one "first" names.
                Subscriber.insertPendingFrom("""
                        (select l as list_id, e as email, n as name, s as source, v as consent_version,
                                a as confirmation_sent
                           from g order by l collate "C", lower(e) collate "C", o) as r"""),
                ConsentRecord.insertSignupsFrom("""
                        (select w.id as subscriber_id, g.l as list_id, g.ip, g.ua as user_agent, g.s as source,
                                g.v as consent_version
                           from written w join g on g.l = w.list_id and g.e = w.email and g.first) as r"""),
                KnownSignups.queueFrom("""
                        (select g.l as list_id, g.e as email, g.n as name, g.s as source, g.ip, g.ua as user_agent,
                                g.ch as confirm_hash, g.uh as unsubscribe_hash, g.ms as mail_subject,
                                g.mt as mail_text, g.mh as mail_html, g.mj as mail_headers, g.a as admitted
                           from g
                          where not (g.first and exists (select 1 from written w
                                                          where w.list_id = g.l and w.email = g.e))) as r"""),
                Tokens.insertFrom("""
                        (select t.h as hash, a.id as subscriber_id, t.p as purpose
                           from admitted a cross join lateral (values (a.ch, '%s'), (a.uh, '%s')) as t(h, p)) as r"""
                        .formatted(Tokens.Purpose.CONFIRM, Tokens.Purpose.UNSUBSCRIBE)),
                Outbox.queueFrom("""
                        (select mk as kind, mr as recipient, ms as subject, mt as text_body, mh as html_body,
                                mj as headers
                           from admitted) as m"""),
                events ? ",\nevents as (" + Webhooks.queueFrom("""
                        (select w.list_id, '%s' as event_type, w.created_at as occurred_at,
                                '{"id":' || w.id || g.dj as data, g.cj as client
                           from written w join g on g.l = w.list_id and g.e = w.email and g.first) as s"""
                        .formatted(EventType.SUBSCRIPTION_CREATED.wireName())) + ")" : "");
    }

    /** What became of one request of a group. */
    enum State {
        /** New to its list: written. */
        WRITTEN,
        /** Already on its list: queued for {@link KnownSignups}. */
        EXISTS,
        /** Counted against its IP, nothing to write. */
        COUNTED,
        /** Refused by its IP's windows: nothing written. */
        LIMITED
    }

    /**
     * @param retryAfter seconds until the IP may try again, for {@link State#LIMITED}
     * @param subscriberId the row written, for {@link State#WRITTEN}
     */
    record Written(State state, long retryAfter, long subscriberId) {
    }

    private final AgroalDataSource dataSource;
    private final ConfirmationGate gate;
    private final Duration confirmLifetime;
    private final Event<KnownSignups.Queued> queued;
    private final Webhooks webhooks;
    private final SubscriptionEvents subscriptionEvents;
    /** Whether an endpoint wants {@code subscription.created}: settings, so one statement text for the service's life. */
    private final boolean events;

    NewSignups(AgroalDataSource dataSource, ConfirmationGate gate, SubscriptionConfig config,
            Event<KnownSignups.Queued> queued, Webhooks webhooks, SubscriptionEvents subscriptionEvents) {
        this.webhooks = webhooks;
        this.subscriptionEvents = subscriptionEvents;
        this.events = webhooks.wanted(EventType.SUBSCRIPTION_CREATED);
        this.queued = queued;
        this.dataSource = dataSource;
        this.gate = gate;
        this.confirmLifetime = config.tokens().confirmLifetime();
    }

    /**
     * In a statement of its own, outside any transaction, so that it commits as it ends: the thread that writes a group
     * is one of its requests', and the group must not join whatever that thread might have open; and a transaction
     * around the one statement would only add its commit's round trip.
     *
     * @return per request, in order, what became of it
     */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    Written[] write(List<SignupWriter.Request> group) throws SQLException {
        // Microseconds, as PostgreSQL keeps them: the created event's createdAt is written here, the row's there.
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        int n = group.size();
        List<String> ipKeys = new ArrayList<>(n);
        List<ConfirmationGate.Recipient> recipients = new ArrayList<>(n);
        String[][] columns = new String[7][n];
        byte[][] confirmHashes = new byte[n][];
        byte[][] unsubscribeHashes = new byte[n][];
        String[][] mail = new String[6][n];
        String[][] event = new String[events ? 2 : 0][n];
        // Once per group: every signup of it was created at this time; and the client fields go into the statement only
        // when an endpoint takes them.
        String createdAt = events ? SubscriptionEvents.text(now) : null;
        boolean client = events && subscriptionEvents.createdClientWanted();
        for (int i = 0; i < n; i++) {
            ipKeys.add(group.get(i).limitKey());
            SignupWriter.NewSignup signup = group.get(i).signup();
            if (signup == null) {
                recipients.add(null);
                continue;
            }
            recipients.add(new ConfirmationGate.Recipient(signup.signup().listId(), signup.signup().email().value()));
            columns[0][i] = signup.signup().listId();
            columns[1][i] = signup.signup().email().value();
            columns[2][i] = signup.signup().name();
            columns[3][i] = signup.signup().source();
            columns[4][i] = signup.signup().list().consentVersion();
            columns[5][i] = signup.client().ip();
            columns[6][i] = signup.client().userAgent();
            confirmHashes[i] = signup.confirm().hash();
            unsubscribeHashes[i] = signup.unsubscribe().hash();
            mail[0][i] = signup.mail().kind();
            mail[1][i] = signup.mail().recipient();
            mail[2][i] = signup.mail().subject();
            mail[3][i] = signup.mail().text();
            mail[4][i] = signup.mail().html();
            mail[5][i] = signup.mail().headersJson();
            if (events) {
                event[0][i] = subscriptionEvents.createdDataAfterId(columns[0][i], columns[1][i], columns[2][i],
                        columns[3][i], columns[4][i], createdAt);
                event[1][i] = client ? subscriptionEvents.client(signup.client()) : null;
            }
        }
        Written[] outcomes = new Written[n];
        int admitted = 0;
        boolean known = false;
        // The same statement runs for every group, whatever became of its addresses: the reply comes after it, and its
        // time must not tell a new address from a pending, confirmed or unsubscribed one (bench/timing.sh). Known
        // addresses are handled behind the reply by KnownSignups.
        try (Connection connection = dataSource.getConnection();
                PreparedStatement write = connection.prepareStatement(events ? WRITE_WITH_EVENTS : WRITE)) {
            int p = gate.bind(connection, write, 1, ipKeys, recipients, now);
            for (String[] column : columns) {
                write.setArray(p++, connection.createArrayOf("text", column));
            }
            write.setArray(p++, connection.createArrayOf("bytea", confirmHashes));
            write.setArray(p++, connection.createArrayOf("bytea", unsubscribeHashes));
            for (String[] column : mail) {
                write.setArray(p++, connection.createArrayOf("text", column));
            }
            for (String[] column : event) {
                write.setArray(p++, connection.createArrayOf("text", column));
            }
            p = ConfirmationTally.bindSlot(write, p, now);
            OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
            for (int i = 0; i < 6; i++) {
                write.setObject(p++, at); // subscriber times, consent, known queue, token creation
            }
            write.setObject(p++, OffsetDateTime.ofInstant(now.plus(confirmLifetime), ZoneOffset.UTC));
            p = Outbox.bindQueued(write, p, now, gate.notBefore(now));
            if (events) {
                webhooks.bindQueued(connection, write, p, now, EventType.SUBSCRIPTION_CREATED);
            }
            try (ResultSet rows = write.executeQuery()) {
                for (int i = 0; rows.next(); i++) {
                    boolean signup = recipients.get(i) != null;
                    ConfirmationGate.Decision decision = gate.decision(rows, 1, signup, now);
                    long id = rows.getLong(3);
                    admitted += decision.admitted() ? 1 : 0;
                    if (decision.retryAfter() > 0) {
                        outcomes[i] = new Written(State.LIMITED, decision.retryAfter(), 0);
                    } else if (!signup) {
                        outcomes[i] = new Written(State.COUNTED, 0, 0);
                    } else if (id == 0) {
                        outcomes[i] = new Written(State.EXISTS, 0, 0);
                        known = true;
                    } else {
                        outcomes[i] = new Written(State.WRITTEN, 0, id);
                        if (!decision.admitted()) {
                            // Rare for a new address: one bombed through other lists or sub-addresses.
                            ConfirmationGate.logWithheld(id);
                        }
                    }
                }
            }
        }
        gate.counted(admitted);
        if (known) {
            queued.fire(new KnownSignups.Queued());
        }
        return outcomes;
    }

    /**
     * One line per group and list, written off the writing thread ({@link SignupWriter}): a line per signup, written
     * while the group's transaction was open, cost the writers a sixth of their speed at launch rates, and a line only
     * new addresses cause, written before the reply, made a new address's reply slower than a known one's (both
     * measured: bench/README.md).
     */
    static void logSignups(List<SignupWriter.Request> group, Written[] written) {
        Map<String, List<Long>> byList = new TreeMap<>();
        for (int i = 0; i < written.length; i++) {
            if (written[i].state() == State.WRITTEN) {
                byList.computeIfAbsent(group.get(i).signup().signup().listId(), list -> new ArrayList<>())
                        .add(written[i].subscriberId());
            }
        }
        byList.forEach((list, signedUp) -> LOG.infof("%d subscribers signed up to %s: ids %s", signedUp.size(), list,
                IdRanges.of(signedUp)));
    }
}
