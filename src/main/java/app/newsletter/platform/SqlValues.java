package app.newsletter.platform;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;

/** Values read through native queries, whose Java type depends on the JDBC driver and Hibernate settings. */
public final class SqlValues {

    private SqlValues() {
    }

    public static Instant instant(Object value) {
        if (value == null || value instanceof Instant) {
            return (Instant) value;
        }
        if (value instanceof OffsetDateTime offset) {
            return offset.toInstant();
        }
        if (value instanceof Timestamp timestamp) {
            return timestamp.toInstant();
        }
        throw new IllegalArgumentException("not a timestamp: " + value.getClass().getName());
    }
}
