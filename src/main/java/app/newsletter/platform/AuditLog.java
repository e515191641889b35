package app.newsletter.platform;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The audit trail of staff actions (exports, data-subject requests), in the database and in the log: the one home of
 * {@code audit_log} ({@link AuditEntry}, Panache: a cold path).
 */
@ApplicationScoped
public class AuditLog {

    private static final Logger LOG = Logger.getLogger(AuditLog.class);

    /**
     * One audit entry as listed to staff.
     *
     * @param outcome for exports: {@code started} (still streaming, or the instance died), {@code completed} or
     *        {@code aborted}; null for other actions
     */
    public record Entry(long id, Instant at, String actor, String action, JsonNode details, Long rows,
            String outcome) {
    }

    private final ObjectMapper json;

    AuditLog(ObjectMapper json) {
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
        long id = insert(actor, action, detailJson, null, AuditEntry.Outcome.STARTED);
        LOG.infof("audit: %s by %s %s started (entry %d)", action, actor, detailJson, id);
        return id;
    }

    /** Completes what {@link #start} recorded: how many rows were handed on, and whether all of them were. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void finish(long id, long rows, boolean completed) {
        AuditEntry entry = AuditEntry.findById(id);
        entry.rowCount = rows;
        entry.outcome = completed ? AuditEntry.Outcome.COMPLETED : AuditEntry.Outcome.ABORTED;
        entry.finishedAt = Instant.now();
        LOG.infof("audit: entry %d %s, rows=%d", id, completed ? "completed" : "aborted", rows);
    }

    private static long insert(String actor, String action, String detailJson, Long rows, AuditEntry.Outcome outcome) {
        AuditEntry entry = new AuditEntry();
        entry.occurredAt = Instant.now();
        entry.actor = actor;
        entry.action = action;
        entry.details = detailJson;
        entry.rowCount = rows;
        entry.outcome = outcome;
        entry.persist();
        return entry.id;
    }

    private String json(Map<String, ?> details) {
        try {
            return json.writeValueAsString(details);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit details must be plain values", e);
        }
    }

    @Transactional
    public List<Entry> recent(String actionPrefix, int limit) {
        List<AuditEntry> entries = AuditEntry.<AuditEntry> find("#AuditEntry.recent", actionPrefix + "%")
                .page(0, limit).list();
        return entries.stream().map(e -> new Entry(e.id, e.occurredAt, e.actor, e.action, parse(e.details),
                e.rowCount, e.outcome == null ? null : e.outcome.label()))
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
