package app.newsletter.outbox;

import app.newsletter.platform.NewsletterConfig;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Claim and settlement of the dispatcher, in plain JDBC with one autocommitted statement each: these run thousands
 * of times a second under load, where an entity mapping and a JTA transaction per statement cost more than the
 * statement itself.
 */
@ApplicationScoped
class OutboxClaims {

    private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {
    };

    private final AgroalDataSource dataSource;
    private final ObjectMapper json;
    private final double leaseSeconds;

    OutboxClaims(AgroalDataSource dataSource, ObjectMapper json, NewsletterConfig config) {
        this.dataSource = dataSource;
        this.json = json;
        this.leaseSeconds = config.outbox().lease().toMillis() / 1000.0;
    }

    /**
     * Claims due mail by pushing its next attempt past the lease: other instances skip the locked rows now and see
     * them as not due afterwards, and the rows come back by themselves if this instance dies before settling them.
     */
    List<ClaimedMail> claim(int limit) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                update outbox_mail o
                   set next_attempt_at = now() + make_interval(secs => ?), attempts = o.attempts + 1
                  from (select id from outbox_mail
                         where status = 'PENDING' and next_attempt_at <= now()
                         order by next_attempt_at
                         limit ?
                           for update skip locked) due
                 where o.id = due.id
             returning o.id, o.kind, o.recipient, o.subject, o.text_body, o.html_body, o.headers::text,
                       o.attempts, o.created_at, o.next_attempt_at""")) {
            s.setDouble(1, leaseSeconds);
            s.setInt(2, limit);
            List<ClaimedMail> claimed = new ArrayList<>(limit);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    claimed.add(new ClaimedMail(r.getLong(1), r.getString(2), r.getString(3), r.getString(4),
                            r.getString(5), r.getString(6), headers(r.getString(7)), r.getInt(8),
                            r.getTimestamp(9).toInstant(), r.getTimestamp(10).toInstant()));
                }
            }
            commitUnlessAuto(c);
            return claimed;
        }
    }

    void markSent(Collection<ClaimedMail> mails) throws SQLException {
        update("update outbox_mail set status = 'SENT', sent_at = now(), last_error = null where id = any(?)", mails);
    }

    /** Gives back mails claimed but never handed to SMTP: due at once, and the claim does not count as an attempt. */
    void release(Collection<ClaimedMail> mails) throws SQLException {
        update("update outbox_mail set next_attempt_at = now(), attempts = greatest(attempts - 1, 0) "
                + "where id = any(?)", mails);
    }

    private void update(String sql, Collection<ClaimedMail> mails) throws SQLException {
        if (mails.isEmpty()) {
            return;
        }
        Long[] ids = mails.stream().map(ClaimedMail::id).toArray(Long[]::new);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            Array array = c.createArrayOf("bigint", ids);
            s.setArray(1, array);
            s.executeUpdate();
            commitUnlessAuto(c);
        }
    }

    private static void commitUnlessAuto(Connection c) throws SQLException {
        if (!c.getAutoCommit()) {
            c.commit();
        }
    }

    private Map<String, String> headers(String text) {
        if (text == null || text.isEmpty()) {
            return Map.of();
        }
        try {
            return json.readValue(text, HEADERS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("outbox_mail.headers is not a JSON object of strings", e);
        }
    }
}
