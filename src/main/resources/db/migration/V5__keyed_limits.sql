-- Every limit on the signup path is one keyed row, read and written by an upsert on its primary key: no count over a
-- growing table, so no plan that stale statistics can turn into a scan (launch day: the daily cap used to count the
-- outbox, and on a never-analysed table the planner read every confirmation of the day for every signup).

-- Sliding-window logs: one row per limited key (a client IP, or a hash of an address), holding the times of the
-- requests the windows let through during the last day, oldest first. `granted` is how many requests the row's last
-- upsert let through, which RETURNING reads back.
create table rate_window (
    key     text          primary key,
    hits    timestamptz[] not null,
    granted integer       not null
);

-- Confirmation mails queued per hour, for the breaker and its baseline. Spread over a few slots per hour, so that
-- transactions of several instances do not all queue for one row's lock.
create table confirmation_tally (
    hour   timestamptz not null,
    slot   smallint    not null,
    queued bigint      not null,
    primary key (hour, slot)
);

-- Carried over, so that an upgrade keeps the limits in force and the breaker its baseline: the per-IP windows, each
-- address's confirmations of the last day (keys as RateWindows makes them), the hourly confirmations of the last week.
insert into rate_window (key, hits, granted)
select key, array_agg(at order by at), 0 from rate_limit_hit where at > now() - interval '1 day' group by key;
insert into rate_window (key, hits, granted)
select 'confirm-to:' || encode(sha256(convert_to(lower(recipient), 'UTF8')), 'hex'), array_agg(created_at order by created_at), 0
  from outbox_mail where kind = 'confirmation' and created_at > now() - interval '1 day'
 group by 1;
insert into confirmation_tally (hour, slot, queued)
select date_trunc('hour', created_at), 0, count(*)
  from outbox_mail where kind = 'confirmation' and created_at > now() - interval '8 days'
 group by 1;

-- What the two tables above replace: one row per allowed request, and the index the daily cap and the breaker counted.
drop table rate_limit_hit;
drop index outbox_mail_kind_created_idx;
