package app.newsletter.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.agroal.api.AgroalDataSource;

/**
 * The outbox's hot statements in plain JDBC, one statement each (inserts for many mails at once): these
 * run thousands of times a second under load, where an entity mapping and a JTA transaction per statement cost more
 * than the statement itself (a JFR profile of the dispatcher put a quarter of its CPU in Hibernate and Narayana).
 * <p>
 * Inserts run on the caller's transaction-enlisted connection (Agroal hands the same connection to everyone
 * inside one transaction), so they commit or roll back with the caller's changes. Claims and settlements are single
 * statements of their own (autocommit), which is all the atomicity they need.
 */
@ApplicationScoped
class OutboxBatches {

    /**
     * Queues mails selected from {@code source}, a relation of columns kind, recipient, subject, text_body, html_body
     * and headers (a JSON object as text); two parameters come before any of the source's: the time queued and the
     * time due ({@link #bindQueued}).
     */
    static String insertFrom(String source) {
        return """
                insert into outbox_mail (kind, recipient, subject, text_body, html_body, headers, status, attempts,
                                         created_at, next_attempt_at)
                select kind, recipient, subject, text_body, html_body, headers::jsonb, 'PENDING', 0, ?, ?
                  from %s""".formatted(source);
    }

    private static final String INSERT = insertFrom("unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], "
            + "?::text[]) as m(kind, recipient, subject, text_body, html_body, headers)");

    /** Binds {@link #insertFrom}'s two parameters from {@code p} on; returns the next parameter's index. */
    static int bindQueued(PreparedStatement insert, int p, Instant now, Instant notBefore) throws SQLException {
        insert.setObject(p++, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
        Instant due = notBefore == null || notBefore.isBefore(now) ? now : notBefore;
        insert.setObject(p++, OffsetDateTime.ofInstant(due, ZoneOffset.UTC));
        return p;
    }

    private static final String CLAIM = """
               update outbox_mail o
                  set next_attempt_at = now() + make_interval(secs => ?), attempts = o.attempts + 1
                 from (select id from outbox_mail
                        where status = 'PENDING' and next_attempt_at <= now()
                        order by next_attempt_at
                        limit ?
                          for update skip locked) due
                where o.id = due.id
            returning o.id, o.kind, o.recipient, o.subject, o.text_body, o.html_body, o.headers::text, o.attempts,
                      o.created_at, o.next_attempt_at, %s""".formatted(Suppressions.stopsMailTo("o.recipient"));
    private static final String SENT = "update outbox_mail set status = 'SENT', sent_at = now(), last_error = null "
            + "where id = any(?)";

    private static final String WINDOW = """
            insert into outbox_send_window (second, claimed) values (?, 0)
            on conflict (second) do update set claimed = outbox_send_window.claimed
            returning claimed""";
    private static final String WINDOW_TAKEN = "update outbox_send_window set claimed = claimed + ? where second = ?";
    private static final String WINDOW_FORGET = "delete from outbox_send_window where second < ?";

    private final AgroalDataSource dataSource;

    OutboxBatches(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    void insertAll(List<QueuedMail> mails, Instant now, Instant notBefore) {
        int n = mails.size();
        String[][] columns = new String[6][n];
        for (int i = 0; i < n; i++) {
            QueuedMail mail = mails.get(i);
            columns[0][i] = mail.kind();
            columns[1][i] = mail.recipient();
            columns[2][i] = mail.subject();
            columns[3][i] = mail.text();
            columns[4][i] = mail.html();
            columns[5][i] = mail.headersJson();
        }
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(INSERT)) {
            int p = bindQueued(insert, 1, now, notBefore);
            for (String[] column : columns) {
                insert.setArray(p++, connection.createArrayOf("text", column));
            }
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not queue " + n + " mails", e);
        }
    }

    /**
     * Claims due mail by pushing its next attempt past the lease: other instances skip the locked rows now and see
     * them as not due afterwards, and the rows come back by themselves if this instance dies before settling them.
     */
    List<OutboxMail> claim(int limit, double leaseSeconds) {
        try (Connection connection = dataSource.getConnection()) {
            List<OutboxMail> claimed = claim(connection, limit, leaseSeconds);
            commitUnlessAuto(connection);
            return claimed;
        } catch (SQLException e) {
            throw new IllegalStateException("could not claim mail: " + e.getMessage(), e);
        }
    }

    /**
     * Claims at most what the current second has left of {@code perSecond}, in one transaction that holds the
     * second's row: every instance's claims of that second queue on it, so together they never exceed the rate.
     */
    List<OutboxMail> claimWithin(int perSecond, int limit, double leaseSeconds) {
        long second = System.currentTimeMillis() / 1000;
        try (Connection connection = dataSource.getConnection()) {
            boolean auto = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                int claimedBefore;
                try (PreparedStatement window = connection.prepareStatement(WINDOW)) {
                    window.setLong(1, second);
                    try (ResultSet row = window.executeQuery()) {
                        row.next();
                        claimedBefore = row.getInt(1);
                    }
                }
                int room = Math.min(limit, perSecond - claimedBefore);
                List<OutboxMail> claimed = room <= 0 ? List.of() : claim(connection, room, leaseSeconds);
                try (PreparedStatement taken = connection.prepareStatement(WINDOW_TAKEN)) {
                    taken.setInt(1, claimed.size());
                    taken.setLong(2, second);
                    taken.executeUpdate();
                }
                connection.commit();
                return claimed;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not claim mail: " + e.getMessage(), e);
        }
    }

    int forgetSendWindowsBefore(long second) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement forget = connection.prepareStatement(WINDOW_FORGET)) {
            forget.setLong(1, second);
            int deleted = forget.executeUpdate();
            commitUnlessAuto(connection);
            return deleted;
        } catch (SQLException e) {
            throw new IllegalStateException("could not forget old send windows: " + e.getMessage(), e);
        }
    }

    private static List<OutboxMail> claim(Connection connection, int limit, double leaseSeconds) throws SQLException {
        try (PreparedStatement claim = connection.prepareStatement(CLAIM)) {
            claim.setDouble(1, leaseSeconds);
            claim.setInt(2, limit);
            List<OutboxMail> claimed = new ArrayList<>(limit);
            try (ResultSet rows = claim.executeQuery()) {
                while (rows.next()) {
                    OutboxMail mail = new OutboxMail();
                    mail.id = rows.getLong(1);
                    mail.kind = rows.getString(2);
                    mail.recipient = rows.getString(3);
                    mail.subject = rows.getString(4);
                    mail.textBody = rows.getString(5);
                    mail.htmlBody = rows.getString(6);
                    mail.headers = QueuedMail.headersOf(rows.getString(7));
                    mail.attempts = rows.getInt(8);
                    mail.createdAt = rows.getTimestamp(9).toInstant();
                    mail.nextAttemptAt = rows.getTimestamp(10).toInstant();
                    // A bounce or complaint recorded after the mail was queued: it is dropped, not sent.
                    mail.status = rows.getBoolean(11) ? OutboxMail.Status.SUPPRESSED : OutboxMail.Status.PENDING;
                    claimed.add(mail);
                }
            }
            return claimed;
        }
    }

    /**
     * Records mails as sent, in one statement however many: a round records what it sent every so often
     * ({@link OutboxDispatcher}), not each mail as its send ends.
     */
    void markSent(List<Long> ids) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement update = connection.prepareStatement(SENT)) {
            update.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
            update.executeUpdate();
            commitUnlessAuto(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("could not mark " + ids.size() + " mails sent: " + e.getMessage(), e);
        }
    }

    private static void commitUnlessAuto(Connection connection) throws SQLException {
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
    }
}
