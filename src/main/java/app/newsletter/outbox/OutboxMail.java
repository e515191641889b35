package app.newsletter.outbox;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

@Entity
@Table(name = "outbox_mail")
class OutboxMail extends PanacheEntityBase {

    static final String PENDING = "PENDING";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String kind;
    public String recipient;
    public String subject;
    @Column(name = "text_body")
    public String textBody;
    @Column(name = "html_body")
    public String htmlBody;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> headers;
    public String status;
    public int attempts;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;
    @Column(name = "sent_at")
    public Instant sentAt;
    @Column(name = "last_error")
    public String lastError;
}
