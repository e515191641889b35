package app.newsletter.export;

import app.newsletter.platform.AuditLog;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Streams CSV straight from a PostgreSQL cursor to the client: rows leave as they are read, memory stays flat at any
 * size, and one read-only REPEATABLE READ transaction makes the file a consistent snapshot.
 */
@ApplicationScoped
class CsvExports {

    static final String[] SUBSCRIBER_COLUMNS = { "email", "name", "list", "status", "subscribed_at", "confirmed_at",
            "unsubscribed_at", "source", "consent_version", "ebook_downloads" };
    static final String[] CONSENT_COLUMNS = { "email", "list", "event", "time", "ip", "user_agent", "source",
            "consent_version" };

    private static final int FETCH_SIZE = 5000;

    private final AgroalDataSource dataSource;
    private final AuditLog audit;
    private final MeterRegistry registry;

    CsvExports(AgroalDataSource dataSource, AuditLog audit, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.registry = registry;
    }

    void subscribers(ExportFilter filter, String actor, boolean bom, OutputStream out) throws IOException {
        Query query = new Query("""
                select email, name, list_id, lower(status), %s, %s, %s, source, consent_version,
                       ebook_downloads::text
                  from subscriber where true""".formatted(utc("created_at"), utc("confirmed_at"),
                utc("unsubscribed_at")));
        query.equal("list_id", filter.list());
        query.anyOf("lower(status)", filter.statuses());
        query.dateRange("created_at", filter);
        query.sql.append(" order by id");
        long rows = stream(query, SUBSCRIBER_COLUMNS, bom, out);
        registry.counter("newsletter.export.rows", "kind", "subscribers").increment(rows);
        audit.record(actor, "EXPORT_SUBSCRIBERS", filter.describe(), rows);
    }

    void consents(ExportFilter filter, String actor, boolean bom, OutputStream out) throws IOException {
        Query query = new Query("""
                select s.email, c.list_id, lower(c.event), %s, c.ip, c.user_agent, c.source, c.consent_version
                  from consent_record c join subscriber s on s.id = c.subscriber_id where true"""
                .formatted(utc("c.occurred_at")));
        query.equal("c.list_id", filter.list());
        query.anyOf("lower(s.status)", filter.statuses());
        query.anyOf("lower(c.event)", filter.events());
        query.dateRange("c.occurred_at", filter);
        query.sql.append(" order by c.id");
        long rows = stream(query, CONSENT_COLUMNS, bom, out);
        registry.counter("newsletter.export.rows", "kind", "consents").increment(rows);
        audit.record(actor, "EXPORT_CONSENTS", filter.describe(), rows);
    }

    private long stream(Query query, String[] header, boolean bom, OutputStream out) throws IOException {
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
        if (bom) {
            writer.write('\uFEFF');
        }
        long rows = 0;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (PreparedStatement statement = query.prepare(connection)) {
                // With autocommit off, the driver reads through a server-side cursor in batches of this size.
                statement.setFetchSize(FETCH_SIZE);
                CSVPrinter csv = CSVFormat.RFC4180.builder().setHeader(header).get().print(writer);
                writer.flush();
                try (ResultSet rs = statement.executeQuery()) {
                    int columns = header.length;
                    String[] record = new String[columns];
                    while (rs.next()) {
                        for (int i = 0; i < columns; i++) {
                            record[i] = cell(rs.getString(i + 1));
                        }
                        csv.printRecord((Object[]) record);
                        rows++;
                    }
                }
                csv.flush();
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            throw new IOException("export stopped after " + rows + " rows: " + e.getMessage(), e);
        }
        writer.flush();
        return rows;
    }

    /**
     * ISO-8601 UTC, formatted by PostgreSQL: every column then arrives as text and goes out as it came, which keeps
     * the per-row work in Java to the neutralisation below.
     */
    private static String utc(String column) {
        return "to_char(" + column + " at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
    }

    /** Text neutralised against formula injection (OWASP "CSV injection"): a leading ' makes it plain text. */
    static String cell(String text) {
        if (text != null && !text.isEmpty()) {
            char first = text.charAt(0);
            if (first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r') {
                return "'" + text;
            }
        }
        return text;
    }

    /** A WHERE clause built from the filters that are set, with its parameters in order. */
    private static final class Query {
        final StringBuilder sql;
        final List<Object> parameters = new ArrayList<>();

        Query(String select) {
            this.sql = new StringBuilder(select);
        }

        void equal(String column, String value) {
            if (value != null) {
                sql.append(" and ").append(column).append(" = ?");
                parameters.add(value);
            }
        }

        void anyOf(String column, List<String> values) {
            if (!values.isEmpty()) {
                sql.append(" and ").append(column).append(" = any(?)");
                parameters.add(values.stream().map(v -> v.toLowerCase(Locale.ROOT)).toArray(String[]::new));
            }
        }

        /** Dates are whole UTC days: since includes its day, until includes its day too. */
        void dateRange(String column, ExportFilter filter) {
            if (filter.since() != null) {
                sql.append(" and ").append(column).append(" >= ?");
                parameters.add(filter.since().atStartOfDay().atOffset(ZoneOffset.UTC));
            }
            if (filter.until() != null) {
                sql.append(" and ").append(column).append(" < ?");
                parameters.add(filter.until().plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC));
            }
        }

        PreparedStatement prepare(Connection connection) throws SQLException {
            PreparedStatement statement = connection.prepareStatement(sql.toString());
            for (int i = 0; i < parameters.size(); i++) {
                Object parameter = parameters.get(i);
                if (parameter instanceof String[] array) {
                    statement.setArray(i + 1, connection.createArrayOf("text", array));
                } else {
                    statement.setObject(i + 1, parameter);
                }
            }
            return statement;
        }
    }
}
