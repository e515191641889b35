package app.newsletter.subscription;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
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
 * Writes a group of signup requests in one transaction of two statements: the first decides their per-IP windows and
 * the per-address cooldowns and caps ({@link ConfirmationGate#decide}), the second writes the breaker's count, the
 * subscribers, their consent records, their link tokens and their confirmation mails ({@link #WRITE}). Each of their
 * parts is an insert or a primary-key upsert of the whole group (unnest), so a signup costs the same on an empty or a
 * full, a fresh or an analysed database; and a group costs three round trips with its commit, where one statement per
 * table cost eight (the group's statements wait their turn for a core: bench/README.md). Addresses new to their list are
 * written here; the others are queued in {@code known_signup} in the same transaction, for {@link KnownSignups} to
 * handle behind the reply (their rules need row locks), so that both answer after the same commit. A known address
 * takes its cooldown and cap here as a new one does, and its queue row carries the confirmation its request
 * prepared: both write the same rows before the reply, whose time then says nothing about the address's state
 * (bench/timing.sh). Requests that only count against their IP (invalid ones, the honeypot's) take their place in
 * the windows and no more.
 */
@ApplicationScoped
class NewSignups {

    private static final Logger LOG = Logger.getLogger(NewSignups.class);

    /**
     * The group's one write: the breaker's count ({@link ConfirmationTally#ADD}), the subscribers new to their list
     * ({@link Subscriber#insertPendingFrom}), the consent record of each ({@link ConsentRecord#insertSignupsFrom}), the
     * link tokens ({@link Tokens#insertFrom}) and the confirmation mail ({@link Outbox#queueFrom}) of each one
     * admitted, and, for the others, their place in {@code known_signup} ({@link KnownSignups#queueFrom}); each
     * table's part is kept by the table's home, and this statement only joins them: one statement, so that a
     * group costs the same round trip whatever its addresses, and one round trip where it used to take four. A known
     * address's row carries the confirmation its request prepared (token hashes, rendered mail) and its admission by
     * the cooldown and cap. ON CONFLICT skips addresses already on the list; of exact repeats within the group the
     * first one (in the group's order) is written and the others are queued as known, as is a repeat that differs
     * only in case. A new address whose confirmation was withheld gets no tokens and no mail, and records none sent.
     */
    static final String WRITE = write(false);

    /**
     * {@link #WRITE} with the {@code subscription.created} webhook event of every subscriber it writes
     * ({@link Webhooks#queueFrom}), for installations with an endpoint that wants them: the events commit with their
     * rows in the same round trip. Its data fields are those of {@link SubscriptionEvents#data}.
     */
    static final String WRITE_WITH_EVENTS = write(true);

    private static String write(boolean events) {
        return """
                with tally as (%s),
                g as (
                     select l, e, n, s, v, ip, ua, ch, uh, mk, mr, ms, mt, mh, mj, a, o,
                            row_number() over (partition by l, e order by o) = 1 as first
                       from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                                   ?::bytea[], ?::bytea[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                                   ?::text[], ?::boolean[])
                            with ordinality as g(l, e, n, s, v, ip, ua, ch, uh, mk, mr, ms, mt, mh, mj, a, o)),
                written as (%s),
                consents as (%s),
                known as (%s),
                admitted as (
                     select w.id, g.ch, g.uh, g.mk, g.mr, g.ms, g.mt, g.mh, g.mj
                       from written w join g on g.l = w.list_id and g.e = w.email and g.first and g.a),
                tokens as (%s),
                mails as (%s)%s
                select id, list_id, email from written""".formatted(ConfirmationTally.ADD,
                // The subquery's ORDER BY gives the insert its rows, and so its locks, in address order: PostgreSQL
                // does not flatten a subquery that sorts, and scans its sorted output as it comes.
                Subscriber.insertPendingFrom("""
                        (select l as list_id, e as email, n as name, s as source, v as consent_version,
                                a as confirmation_sent
                           from g order by o) as r"""),
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
                                jsonb_build_object('id', w.id, 'list', w.list_id, 'email', w.email, 'name', g.n,
                                                   'status', 'pending', 'source', g.s, 'consentVersion', g.v,
                                                   'createdAt', to_char(w.created_at at time zone 'UTC',
                                                                        'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                                                   'confirmedAt', null, 'unsubscribedAt', null,
                                                   'ebookDownloads', 0) as data,
                                jsonb_build_object('ip', g.ip, 'userAgent', g.ua) as client
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
        Written(State state, long retryAfter) {
            this(state, retryAfter, 0);
        }
    }

    private final AgroalDataSource dataSource;
    private final ConfirmationGate gate;
    private final Duration confirmLifetime;
    private final Event<KnownSignups.Queued> queued;
    private final Webhooks webhooks;
    /** Whether an endpoint wants {@code subscription.created}: settings, so one statement text for the service's life. */
    private final boolean events;

    NewSignups(AgroalDataSource dataSource, ConfirmationGate gate, SubscriptionConfig config,
            Event<KnownSignups.Queued> queued, Webhooks webhooks) {
        this.webhooks = webhooks;
        this.events = webhooks.wanted(EventType.SUBSCRIPTION_CREATED);
        this.queued = queued;
        this.dataSource = dataSource;
        this.gate = gate;
        this.confirmLifetime = config.tokens().confirmLifetime();
    }

    /**
     * In a transaction of its own: the thread that writes a group is one of its requests', and the group must not
     * join whatever that thread might have open. Two statements and the commit: the windows ({@link
     * ConfirmationGate#decide}), then {@link #WRITE}.
     *
     * @return per request, in order, what became of it
     */
    @Transactional(value = Transactional.TxType.REQUIRES_NEW, rollbackOn = SQLException.class)
    Written[] write(List<SignupWriter.Request> group) throws SQLException {
        Instant now = Instant.now();
        Written[] outcomes = new Written[group.size()];
        // Every signup takes its mailbox's cooldown and cap here, known or new (what the rules then do with a known
        // address's admission is decided behind the reply), so that both write the same rows.
        ConfirmationGate.Decision[] decisions = gate.decide(group.stream().map(SignupWriter.Request::limitKey).toList(),
                group.stream().map(request -> request.signup() == null ? null
                        : new ConfirmationGate.Recipient(request.signup().signup().listId(),
                                request.signup().signup().email().value()))
                        .toList(),
                now);
        List<Integer> places = new ArrayList<>();
        for (int i = 0; i < outcomes.length; i++) {
            if (decisions[i].retryAfter() > 0) {
                outcomes[i] = new Written(State.LIMITED, decisions[i].retryAfter());
            } else if (group.get(i).signup() == null) {
                outcomes[i] = new Written(State.COUNTED, 0);
            } else {
                places.add(i);
            }
        }
        if (places.isEmpty()) {
            return outcomes;
        }
        // In address order, so that two groups written at once take their rows' locks in the same order.
        places.sort(Comparator.comparing((Integer i) -> group.get(i).signup().signup().listId())
                .thenComparing(i -> group.get(i).signup().signup().email().value().toLowerCase(Locale.ROOT)));
        List<SignupWriter.NewSignup> signups = places.stream().map(i -> group.get(i).signup()).toList();
        boolean[] admitted = new boolean[places.size()];
        for (int i = 0; i < admitted.length; i++) {
            admitted[i] = decisions[places.get(i)].admitted();
        }
        // The same statements run for every group, whatever became of its addresses: the reply comes after the
        // commit, and its time must not tell a new address from a pending, confirmed or unsubscribed one
        // (bench/timing.sh). Known addresses are handled behind the reply by KnownSignups.
        long[] ids;
        try (Connection connection = dataSource.getConnection()) {
            ids = write(connection, signups, admitted, now);
        }
        boolean known = false;
        for (int i = 0; i < ids.length; i++) {
            outcomes[places.get(i)] = new Written(ids[i] != 0 ? State.WRITTEN : State.EXISTS, 0, ids[i]);
            if (ids[i] == 0) {
                known = true;
            } else if (!admitted[i]) {
                // Rare for a new address: one bombed through other lists or sub-addresses.
                ConfirmationGate.logWithheld(ids[i]);
            }
        }
        if (known) {
            queued.fire(new KnownSignups.Queued());
        }
        return outcomes;
    }

    private long[] write(Connection connection, List<SignupWriter.NewSignup> group, boolean[] admitted, Instant now)
            throws SQLException {
        int n = group.size();
        String[][] columns = new String[7][n];
        byte[][] confirmHashes = new byte[n][];
        byte[][] unsubscribeHashes = new byte[n][];
        String[][] mail = new String[6][n];
        Boolean[] admissions = new Boolean[n];
        int confirmations = 0;
        for (int i = 0; i < n; i++) {
            SignupWriter.NewSignup signup = group.get(i);
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
            admissions[i] = admitted[i];
            confirmations += admitted[i] ? 1 : 0;
        }
        Map<String, Long> inserted = new HashMap<>();
        try (PreparedStatement write = connection.prepareStatement(events ? WRITE_WITH_EVENTS : WRITE)) {
            int p = ConfirmationTally.bindAdd(write, 1, confirmations, now);
            for (String[] column : columns) {
                write.setArray(p++, connection.createArrayOf("text", column));
            }
            write.setArray(p++, connection.createArrayOf("bytea", confirmHashes));
            write.setArray(p++, connection.createArrayOf("bytea", unsubscribeHashes));
            for (String[] column : mail) {
                write.setArray(p++, connection.createArrayOf("text", column));
            }
            write.setArray(p++, connection.createArrayOf("boolean", admissions));
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
                while (rows.next()) {
                    inserted.put(key(rows.getString(2), rows.getString(3)), rows.getLong(1));
                }
            }
        }
        // The exact (list, address) strings identify the row each signup wrote; a repeat finds nothing here and was
        // queued as known in the same statement.
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            Long id = inserted.remove(key(columns[0][i], columns[1][i]));
            ids[i] = id == null ? 0 : id;
        }
        return ids;
    }

    private static String key(String listId, String email) {
        return listId + '\n' + email;
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
