-- The consent log is evidence: a record, once written, never changes. Rows leave only with their subscriber (erasure
-- on request, or the purge of addresses that never confirmed and never unsubscribed).
create function consent_record_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'consent records are append-only (% refused)', tg_op using errcode = 'P0001';
end
$$;
create trigger consent_record_append_only before update on consent_record
    for each row execute function consent_record_append_only();
