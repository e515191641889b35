package app.newsletter.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import app.newsletter.abuse.RateWindows;
import app.newsletter.outbox.Outbox;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Launch day: every statement a signup sends is planned as a keyed lookup or insert on a database that was never
 * analysed, whatever its tables hold. The tables here are copies of the service's (same columns and indexes), filled
 * with a busy day's rows the way that misled the planner before (every confirmation of the day queued within the
 * hour), with autovacuum off so that no statistics ever exist.
 */
@QuarkusTest
class SignupPlanTest {

    private static final String SCHEMA = "plan_check";
    private static final String[] TABLES = { "subscriber", "consent_record", "subscriber_token", "outbox_mail",
            "rate_window", "confirmation_tally", "known_signup", "webhook_message" };
    private static final int ROWS = 100_000;

    @Inject
    AgroalDataSource dataSource;

    @BeforeEach
    void never_analysed_copies_of_the_tables_with_a_busy_days_rows() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + SCHEMA + " cascade");
            s.execute("create schema " + SCHEMA);
            for (String table : TABLES) {
                s.execute("create table " + SCHEMA + "." + table + " (like public." + table
                        + " including all) with (autovacuum_enabled = false)");
            }
            s.execute("set search_path = " + SCHEMA);
            s.execute("insert into subscriber (list_id, email, status, created_at, updated_at, "
                    + "last_confirmation_sent_at) select 'peptide-evolution', 'p' || g || '@plan.example', 'PENDING', "
                    + "now(), now(), now() from generate_series(1, " + ROWS + ") g");
            s.execute("insert into consent_record (subscriber_id, list_id, event, occurred_at) "
                    + "select g, 'peptide-evolution', 'SIGNUP', now() from generate_series(1, " + ROWS + ") g");
            s.execute("insert into subscriber_token (hash, subscriber_id, purpose, created_at) "
                    + "select sha256(int4send(g)), g, 'CONFIRM', now() from generate_series(1, " + ROWS + ") g");
            s.execute("insert into outbox_mail (kind, recipient, subject, status, created_at, next_attempt_at) "
                    + "select 'confirmation', 'p' || g || '@plan.example', 'Confirm', 'PENDING', "
                    + "now() - g * interval '10 ms', now() from generate_series(1, " + ROWS + ") g");
            s.execute("insert into rate_window (key, hits, granted) select 'signup-ip:10.0.' || g, "
                    + "array[now()], 1 from generate_series(1, " + ROWS + ") g");
            s.execute("insert into confirmation_tally (hour, slot, queued) select date_trunc('hour', now()) - h * "
                    + "interval '1 hour', s, 100 from generate_series(0, 167) h, generate_series(0, 15) s");
            s.execute("insert into webhook_message (endpoint_id, msg_id, event_type, body, status, created_at, "
                    + "next_attempt_at) select 'crm', 'msg_' || g, 'subscription.created', '{}', "
                    + "case when g % 100 = 0 then 'PENDING' else 'DEAD' end, now(), now() "
                    + "from generate_series(1, " + ROWS + ") g");
            s.execute("reset search_path"); // the connection goes back to the pool
        }
    }

    @AfterEach
    void dropCopies() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + SCHEMA + " cascade");
        }
    }

    @Test
    void every_signup_statement_is_a_keyed_insert_or_lookup_on_a_never_analysed_database() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("set search_path = " + SCHEMA);
            }
            assertEquals(0, neverAnalysedFailures(c), "a copy was analysed or vacuumed");
            OffsetDateTime now = OffsetDateTime.now();
            String[] addresses = { "p1@plan.example", "new@plan.example" };
            String[] lists = { "peptide-evolution", "peptide-evolution" };

            // The group's one statement: the per-IP windows, the cooldowns and the daily caps, then the breaker's
            // count, new subscribers, their consent records, tokens and mails and, for addresses already on their
            // list, their place in the queue of KnownSignups.
            List<Object> params = new ArrayList<>(List.of(
                    c.createArrayOf("text", new String[] { "signup-ip:10.0.1", "signup-ip:192.0.2.1" }),
                    c.createArrayOf("text", new String[] { ConfirmationGate.cooldownKey(lists[0], addresses[0]),
                            ConfirmationGate.cooldownKey(lists[1], addresses[1]) }),
                    c.createArrayOf("text", new String[] { ConfirmationGate.capKey(addresses[0]),
                            ConfirmationGate.capKey(addresses[1]) })));
            for (int[] limits : new int[][] { { 10, 100 }, { 1, 1440 }, { 5, 5 } }) {
                params.addAll(List.of(now, limits[0], limits[1], limits[0], limits[1], now, now, now, now,
                        limits[0], limits[1]));
            }
            String[] x = { "x", "y" };
            params.addAll(List.of(c.createArrayOf("text", lists),
                    c.createArrayOf("text", addresses), c.createArrayOf("text", new String[] { null, null }),
                    c.createArrayOf("text", x), c.createArrayOf("text", new String[] { "1", "1" }),
                    c.createArrayOf("text", x), c.createArrayOf("text", x),
                    c.createArrayOf("bytea", new byte[][] { new byte[32], new byte[32] }),
                    c.createArrayOf("bytea", new byte[][] { new byte[32], new byte[32] }),
                    c.createArrayOf("text", x), c.createArrayOf("text", addresses), c.createArrayOf("text", x),
                    c.createArrayOf("text", x), c.createArrayOf("text", x),
                    c.createArrayOf("text", new String[] { "{}", "{}" }), now, (short) 3, now, now, now, now, now,
                    now, now, now, now));
            Object[] group = params.toArray();
            String write = plan(c, NewSignups.WRITE, group);
            assertKeyed(write);
            assertEquals(3, write.split("Insert on rate_window", -1).length - 1, write);
            for (String table : new String[] { "confirmation_tally", "subscriber", "consent_record", "known_signup",
                    "subscriber_token", "outbox_mail" }) {
                assertTrue(write.contains("Insert on " + table), table + " is written by the same statement\n" + write);
            }
            // With a webhook endpoint that wants subscription.created: the same statement queues the events.
            List<Object> withEvents = new ArrayList<>(List.of(group));
            // Each request's event data and client fields follow its other arrays (before the breaker's slot).
            int afterArrays = withEvents.indexOf((short) 3) - 1;
            withEvents.add(afterArrays, c.createArrayOf("text", new String[] { ",\"list\":\"x\"}", "}" }));
            withEvents.add(afterArrays + 1, c.createArrayOf("text", new String[] { "{\"ip\":\"x\"}", null }));
            withEvents.addAll(List.of(now, now, c.createArrayOf("text", new String[] { "crm" }),
                    c.createArrayOf("text", new String[] { null }), c.createArrayOf("text", new String[] { null }),
                    c.createArrayOf("boolean", new Boolean[] { true })));
            String events = plan(c, NewSignups.WRITE_WITH_EVENTS, withEvents.toArray());
            assertKeyed(events);
            assertTrue(events.contains("Insert on webhook_message"), events);

            // The webhook dispatcher's claim: the due index of one endpoint, never the dead rows.
            String claim = plan(c, constant("app.newsletter.webhooks.WebhookStore", "CLAIM"), "crm", 50, 50);
            assertIndexScan(claim);
            assertTrue(claim.contains("webhook_message_due_idx") || claim.contains("next_attempt_at_idx"), claim);

            // A known address's rules behind the reply (KnownSignups): the cooldown and the cap, one upsert each, on
            // keys of hashed mailboxes, and the breaker's count.
            String cap = plan(c, constant(RateWindows.class, "TAKE"), now, 5, 5, 5, 5,
                    c.createArrayOf("text", new String[] { ConfirmationGate.capKey(addresses[0]) }),
                    c.createArrayOf("integer", new Integer[] { 1 }), now, now, now, now, 5, 5);
            assertKeyed(cap);
            String tally = plan(c, ConfirmationTally.ADD, now, (short) 3, 2L);
            assertKeyed(tally);
            String[] one = { "x" };
            String mails = plan(c, constant(Outbox.class.getPackageName() + ".OutboxBatches", "INSERT"), now, now,
                    c.createArrayOf("text", one), c.createArrayOf("text", one), c.createArrayOf("text", one),
                    c.createArrayOf("text", one), c.createArrayOf("text", one),
                    c.createArrayOf("text", new String[] { "{}" }));
            assertInsertOnly(mails);

            // An address already on its list: SubscriptionService.subscribeKnown locks its row.
            String known = plan(c, "select id from subscriber where list_id = ? and lower(email) = lower(?) "
                    + "for no key update", "peptide-evolution", "p77@plan.example");
            assertIndexScan(known);

            assertEquals(0, neverAnalysedFailures(c), "planning must not have needed statistics");
            try (Statement s = c.createStatement()) {
                s.execute("reset search_path");
            }
        }
    }

    /** An insert whose conflicts are found through a unique index (the copies' indexes have generated names). */
    private static void assertKeyed(String plan) {
        assertInsertOnly(plan);
        assertTrue(plan.contains("Conflict Arbiter Indexes: "), plan);
    }

    private static void assertInsertOnly(String plan) {
        assertFalse(plan.contains("Seq Scan"), plan);
        assertFalse(plan.contains("Index Scan") && !plan.contains("Conflict"), plan);
    }

    private static void assertIndexScan(String plan) {
        assertFalse(plan.contains("Seq Scan"), plan);
        assertTrue(plan.contains("Index Scan using ") || plan.contains("Bitmap Index Scan on "), plan);
    }

    private static long neverAnalysedFailures(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("select count(*) from "
                        + "pg_stat_user_tables where schemaname = '" + SCHEMA + "' and (last_analyze is not null or "
                        + "last_autoanalyze is not null or last_vacuum is not null or last_autovacuum is not null)")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static String plan(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement explain = c.prepareStatement("explain " + sql)) {
            for (int i = 0; i < parameters.length; i++) {
                explain.setObject(i + 1, parameters[i]);
            }
            List<String> lines = new ArrayList<>();
            try (ResultSet rows = explain.executeQuery()) {
                while (rows.next()) {
                    lines.add(rows.getString(1));
                }
            }
            String plan = String.join("\n", lines);
            System.out.println("-- " + sql.lines().findFirst().orElse("").strip() + "\n" + plan);
            return plan;
        }
    }

    /** The statement a class sends, read from its constant: the test plans exactly what the service runs. */
    private static String constant(Class<?> owner, String name) throws ReflectiveOperationException {
        Field field = owner.getDeclaredField(name);
        field.setAccessible(true);
        return (String) field.get(null);
    }

    private static String constant(String owner, String name) throws ReflectiveOperationException {
        return constant(Class.forName(owner), name);
    }
}
