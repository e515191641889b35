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

    /**
     * One audit entry as listed to staff.
     *
     * @param outcome for exports: {@code started} (still streaming, or the instance died), {@code completed} or
     *                {@code aborted}; null for other actions
     */
    public record Entry(long id, Instant at, String actor, String action, JsonNode details, Long rows,
            String outcome) {
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
        String detailJson = json(details);
        insert(actor, action, detailJson, rows, null);
        LOG.infof("audit: %s by %s %s%s", action, actor, detailJson, rows == null ? "" : " rows=" + rows);
    }

    /**
     * Records an action that streams (an export) before its first byte, in a transaction of its own, so that a
     * download cut short, or an instance that dies mid-way, still leaves its trace.
     *
     * @return the entry's id, for {@link #finish}
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public long start(String actor, String action, Map<String, ?> details) {
        String detailJson = json(details);
        long id = insert(actor, action, detailJson, null, "started");
        LOG.infof("audit: %s by %s %s started (entry %d)", action, actor, detailJson, id);
        return id;
    }

    /** Completes what {@link #start} recorded: how many rows were handed on, and whether all of them were. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void finish(long id, long rows, boolean completed) {
        em.createNativeQuery("update audit_log set row_count = :rows, outcome = :outcome, finished_at = now() "
                + "where id = :id")
                .setParameter("rows", rows)
                .setParameter("outcome", completed ? "completed" : "aborted")
                .setParameter("id", id)
                .executeUpdate();
        LOG.infof("audit: entry %d %s, rows=%d", id, completed ? "completed" : "aborted", rows);
    }

    private long insert(String actor, String action, String detailJson, Long rows, String outcome) {
        return ((Number) em.createNativeQuery("insert into audit_log (occurred_at, actor, action, details, row_count, "
                + "outcome) values (now(), :actor, :action, cast(:details as jsonb), cast(:rows as bigint), "
                + "cast(:outcome as text)) returning id")
                .setParameter("actor", actor)
                .setParameter("action", action)
                .setParameter("details", detailJson)
                .setParameter("rows", rows)
                .setParameter("outcome", outcome)
                .getSingleResult()).longValue();
    }

    private String json(Map<String, ?> details) {
        try {
            return json.writeValueAsString(details);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit details must be plain values", e);
        }
    }

    @Transactional
    @SuppressWarnings("unchecked")
    public List<Entry> recent(String actionPrefix, int limit) {
        List<Object[]> rows = em.createNativeQuery("select id, occurred_at, actor, action, details::text, row_count, outcome "
                + "from audit_log where action like :prefix order by occurred_at desc, id desc limit :limit")
                .setParameter("prefix", actionPrefix + "%")
                .setParameter("limit", limit)
                .getResultList();
        return rows.stream().map(r -> new Entry(((Number) r[0]).longValue(), SqlValues.instant(r[1]),
                (String) r[2], (String) r[3], parse((String) r[4]), r[5] == null ? null : ((Number) r[5]).longValue(),
                (String) r[6]))
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
