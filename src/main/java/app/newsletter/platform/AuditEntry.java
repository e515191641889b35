package app.newsletter.platform;

import java.time.Instant;
import java.util.Locale;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Convert;
import jakarta.persistence.Converter;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** One row of {@code audit_log}: a staff action. Written and read only through {@link AuditLog}. */
@Entity
@Table(name = "audit_log") // the table says what it holds; one row is an entry
@NamedQuery(name = "AuditEntry.recent", query = "from AuditEntry where action like ?1 order by occurredAt desc, id desc")
class AuditEntry extends PanacheEntityBase {

    /** How a streamed action (an export) ended; null for actions that do not stream. */
    enum Outcome {
        /** Still streaming, or the instance died before it could say. */
        STARTED,
        COMPLETED,
        /** The client went away or the database failed mid-way. */
        ABORTED;

        /** As stored and as staff read it: lower case. */
        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The column holds the outcome in lower case (the migration's check constraint). */
    @Converter
    static class OutcomeColumn implements AttributeConverter<Outcome, String> {
        @Override
        public String convertToDatabaseColumn(Outcome outcome) {
            return outcome == null ? null : outcome.label();
        }

        @Override
        public Outcome convertToEntityAttribute(String column) {
            return column == null ? null : Outcome.valueOf(column.toUpperCase(Locale.ROOT));
        }
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public Instant occurredAt;
    public String actor;
    public String action;
    /** A JSON object of plain values, as written. */
    @JdbcTypeCode(SqlTypes.JSON)
    public String details;
    public Long rowCount;
    @Convert(converter = OutcomeColumn.class)
    public Outcome outcome;
    public Instant finishedAt;
}
