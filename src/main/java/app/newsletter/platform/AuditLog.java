package app.newsletter.platform;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/** The audit trail of staff actions (exports, data-subject requests), in the database and in the log. */
@ApplicationScoped
public class AuditLog {

    private static final Logger LOG = Logger.getLogger(AuditLog.class);

    /** One audit entry as listed to staff. */
    public record Entry(long id, Instant at, String actor, String action, JsonNode details, Long rows) {
    }

    private final EntityManager em;
    private final ObjectMapper json;

    AuditLog(EntityManager em, ObjectMapper json) {
        this.em = em;
        this.json = json;
    }

    /** Joins the caller's transaction, or starts one: an erasure and its record commit together. */
    @Transactional
    public void record(String actor, String action, Map<String, ?> details, Long rows) {
        String detailJson;
        try {
            detailJson = json.writeValueAsString(details);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit details must be plain values", e);
        }
        em.createNativeQuery("insert into audit_log (occurred_at, actor, action, details, row_count) "
                + "values (now(), :actor, :action, cast(:details as jsonb), :rows)")
                .setParameter("actor", actor)
                .setParameter("action", action)
                .setParameter("details", detailJson)
                .setParameter("rows", rows)
                .executeUpdate();
        LOG.infof("audit: %s by %s %s%s", action, actor, detailJson, rows == null ? "" : " rows=" + rows);
    }

    @Transactional
    @SuppressWarnings("unchecked")
    public List<Entry> recent(String actionPrefix, int limit) {
        List<Object[]> rows = em.createNativeQuery("select id, occurred_at, actor, action, details::text, row_count "
                + "from audit_log where action like :prefix order by occurred_at desc, id desc limit :limit")
                .setParameter("prefix", actionPrefix + "%")
                .setParameter("limit", limit)
                .getResultList();
        return rows.stream().map(r -> new Entry(((Number) r[0]).longValue(), SqlValues.instant(r[1]),
                (String) r[2], (String) r[3], parse((String) r[4]), r[5] == null ? null : ((Number) r[5]).longValue()))
                .toList();
    }

    private JsonNode parse(String details) {
        try {
            return json.readTree(details);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit_log.details holds invalid JSON", e);
        }
    }
}
