package app.newsletter.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import jakarta.inject.Inject;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Upgrading to the keyed limits (V5) keeps the limits in force: the per-IP hits of the last day, each address's
 * confirmations of the last day and the breaker's hourly counts are carried into the new tables, older ones are not.
 */
@QuarkusTest
class KeyedLimitsMigrationTest {

    private static final String SCHEMA = "upgrade_check";

    @Inject
    AgroalDataSource dataSource;

    @AfterEach
    void dropSchema() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + SCHEMA + " cascade");
        }
    }

    @Test
    void an_upgrade_carries_the_last_days_hits_and_the_last_weeks_counts_over() throws SQLException {
        flyway("4").migrate();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("set search_path = " + SCHEMA);
            s.execute("insert into rate_limit_hit (key, at) values ('signup-ip:192.0.2.1', now() - interval '2 hours'), "
                    + "('signup-ip:192.0.2.1', now() - interval '10 seconds'), "
                    + "('signup-ip:192.0.2.2', now() - interval '2 days')");
            s.execute("insert into outbox_mail (kind, recipient, subject, status, created_at, next_attempt_at) values "
                    + "('confirmation', 'Ada@Example.com', 's', 'SENT', now() - interval '3 hours', now()), "
                    + "('confirmation', 'ada@example.com', 's', 'SENT', now() - interval '1 hour', now()), "
                    + "('confirmation', 'old@example.com', 's', 'SENT', now() - interval '3 days', now()), "
                    + "('ebook', 'ada@example.com', 's', 'SENT', now(), now())");
            s.execute("reset search_path"); // the connection goes back to the pool
        }
        flyway(null).migrate();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("set search_path = " + SCHEMA);
            assertEquals(2, one(s, "select cardinality(hits) from rate_window where key = 'signup-ip:192.0.2.1'"));
            assertEquals(0, one(s, "select count(*) from rate_window where key = 'signup-ip:192.0.2.2'"));
            // The same key the service makes (ConfirmationGate.capKey), for the address in any case.
            assertEquals(2, one(s, "select cardinality(hits) from rate_window where key = 'confirm-to:' || "
                    + "encode(sha256(convert_to('ada@example.com', 'UTF8')), 'hex')"));
            assertEquals(2, one(s, "select count(*) from rate_window")); // old@ confirmed 3 days ago: no row
            assertEquals(3, one(s, "select sum(queued) from confirmation_tally"));
            assertEquals(0, one(s, "select count(*) from information_schema.tables where table_schema = '" + SCHEMA
                    + "' and table_name = 'rate_limit_hit'"));
            s.execute("reset search_path");
        }
    }

    private Flyway flyway(String target) {
        var configuration = Flyway.configure().dataSource(dataSource).schemas(SCHEMA).createSchemas(true)
                .locations("classpath:db/migration");
        if (target != null) {
            configuration.target(target);
        }
        return configuration.load();
    }

    private static long one(Statement s, String sql) throws SQLException {
        try (ResultSet rows = s.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
