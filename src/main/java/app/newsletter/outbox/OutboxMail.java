package app.newsletter.outbox;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.Instant;
import java.util.Map;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

@Entity
class OutboxMail extends PanacheEntityBase {

    static final String PENDING = "PENDING";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String kind;
    public String recipient;
    public String subject;
    public String textBody;
    public String htmlBody;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> headers;
    public String status;
    public int attempts;
    public Instant createdAt;
    public Instant nextAttemptAt;
    public Instant sentAt;
    public String lastError;
}
