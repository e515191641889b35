-- An export is audited before its first byte and completed after its last: outcome 'started' until then, 'completed'
-- or 'aborted' (the client went away, the database failed) with the rows handed on. Older entries have no outcome.
alter table audit_log add column outcome text;
alter table audit_log add column finished_at timestamptz;
alter table audit_log add constraint audit_log_outcome_check
    check (outcome is null or outcome in ('started', 'completed', 'aborted'));
