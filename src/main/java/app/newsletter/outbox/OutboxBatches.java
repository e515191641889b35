package app.newsletter.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Queues and counts many mails with one statement each. Runs on the caller's transaction-enlisted connection (Agroal hands the same
 * connection to everyone inside one transaction), so the rows commit or roll back with the caller's changes.
 */
@ApplicationScoped
class OutboxBatches {

    private static final String INSERT = """
            insert into outbox_mail (kind, recipient, subject, text_body, html_body, headers, status, attempts,
                                     created_at, next_attempt_at)
            select k, r, s, t, h, j::jsonb, 'PENDING', 0, ?, ?
              from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) as m(k, r, s, t, h, j)""";

    // One scalar subquery per address, each an index lookup on (lower(recipient), created_at).
    private static final String COUNT = """
            select (select count(*) from outbox_mail
                     where kind = ? and created_at > ? and lower(recipient) = lower(r.address))
              from unnest(?::text[]) with ordinality as r(address, n)
             order by r.n""";

    private final AgroalDataSource dataSource;
    private final ObjectMapper json;

    OutboxBatches(AgroalDataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
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
            columns[5][i] = headersJson(mail);
        }
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setObject(1, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            Instant due = notBefore == null || notBefore.isBefore(now) ? now : notBefore;
            insert.setObject(2, OffsetDateTime.ofInstant(due, ZoneOffset.UTC));
            for (int c = 0; c < columns.length; c++) {
                insert.setArray(3 + c, connection.createArrayOf("text", columns[c]));
            }
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not queue " + n + " mails", e);
        }
    }

    /** @return per recipient (in the given order), how many mails of this kind were queued to it since then */
    long[] countQueuedTo(String kind, List<String> recipients, Instant since) {
        long[] counts = new long[recipients.size()];
        try (Connection connection = dataSource.getConnection();
                PreparedStatement count = connection.prepareStatement(COUNT)) {
            count.setString(1, kind);
            count.setObject(2, OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
            count.setArray(3, connection.createArrayOf("text", recipients.toArray()));
            try (ResultSet rows = count.executeQuery()) {
                for (int i = 0; rows.next(); i++) {
                    counts[i] = rows.getLong(1);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not count queued " + kind + " mails", e);
        }
        return counts;
    }

    private String headersJson(QueuedMail mail) {
        try {
            return json.writeValueAsString(mail.headers());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("headers of a " + mail.kind() + " mail are not JSON-serialisable", e);
        }
    }
}
