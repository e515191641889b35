-- The cost of queueing one webhook event row, several ways (bench/README.md, 2026-12-05 late morning and afternoon):
-- 100,000 events inserted in one rolled-back transaction each; at the end, what deleting and vacuuming them costs as
-- rows of one and as rows of eight. A micro-measure, not a launch: run it twice on a scratch database holding only
-- the webhook tables, e.g.
--   createdb -O newsletter wtest; cat src/main/resources/db/migration/V1{3,5,6}__*.sql | psql -h 127.0.0.1 -U newsletter wtest
--   psql -h 127.0.0.1 -U newsletter wtest -f bench/webhook_row.sql | grep Time
\timing on
create temp table src as select g as id, 'news' as list_id, 'user' || g || '@example.com' as email, 'Name ' || g as name, 'form' as source, 'v1' as consent_version, now() as created_at, '203.0.113.' || (g % 250) as ip, 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36' as ua from generate_series(1, 100000) g;
-- A: as today
begin;
insert into webhook_message (endpoint_id, msg_id, event_type, list_id, body, created_at, next_attempt_at)
select ep.id, e.msg_id, e.event_type, e.list_id,
       json_build_object('type', e.event_type, 'timestamp', to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                         'data', case when ep.client and e.client is not null then e.data || e.client else e.data end)::text,
       now(), now()
  from unnest(array['bench']::text[], array[null]::text[], array[null]::text[], array[false]::boolean[]) as ep(id, events, lists, client)
  join (select *, 'msg_' || replace(gen_random_uuid()::text, '-', '') as msg_id from
     (select w.list_id, 'subscription.created' as event_type, w.created_at as occurred_at,
             jsonb_build_object('id', w.id, 'list', w.list_id, 'email', w.email, 'name', w.name, 'status', 'pending', 'source', w.source, 'consentVersion', w.consent_version,
                                'createdAt', to_char(w.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'confirmedAt', null, 'unsubscribedAt', null, 'ebookDownloads', 0) as data,
             jsonb_build_object('ip', w.ip, 'userAgent', w.ua) as client from src w) s) e
    on (ep.events is null or e.event_type = any (string_to_array(ep.events, ',')))
   and (ep.lists is null or e.list_id = any (string_to_array(ep.lists, ',')));
rollback;
-- B: constant body
begin;
insert into webhook_message (endpoint_id, msg_id, event_type, list_id, body, created_at, next_attempt_at)
select 'bench', 'msg_' || replace(gen_random_uuid()::text, '-', ''), 'subscription.created', w.list_id, '{"type":"subscription.created","timestamp":"2026-12-05T10:00:00.000000Z","data":{"id":1,"list":"news","email":"user1@example.com","name":"Name 1","status":"pending","source":"form","consentVersion":"v1","createdAt":"2026-12-05T10:00:00.000000Z","confirmedAt":null,"unsubscribedAt":null,"ebookDownloads":0}}', now(), now() from src w;
rollback;
-- C: text concatenation with a java-built tail
create temp table src2 as select w.*, ',"list":"news","email":' || to_json(w.email) || ',"name":' || to_json(w.name) || ',"status":"pending","source":"form","consentVersion":"v1","createdAt":"2026-12-05T10:00:00.000000Z","confirmedAt":null,"unsubscribedAt":null,"ebookDownloads":0}' as dj from src w;
begin;
insert into webhook_message (endpoint_id, msg_id, event_type, list_id, body, created_at, next_attempt_at)
select ep.id, e.msg_id, e.event_type, e.list_id,
       '{"type":"' || e.event_type || '","timestamp":"' || to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '","data":' || e.data || '}',
       now(), now()
  from unnest(array['bench']::text[], array[null]::text[], array[null]::text[], array[false]::boolean[]) as ep(id, events, lists, client)
  join (select *, 'msg_' || replace(gen_random_uuid()::text, '-', '') as msg_id from
     (select w.list_id, 'subscription.created' as event_type, w.created_at as occurred_at, '{"id":' || w.id || w.dj as data from src2 w) s) e
    on (ep.events is null or e.event_type = any (string_to_array(ep.events, ',')))
   and (ep.lists is null or e.list_id = any (string_to_array(ep.lists, ',')));
rollback;
-- D: no uuid
begin;
insert into webhook_message (endpoint_id, msg_id, event_type, list_id, body, created_at, next_attempt_at)
select 'bench', 'msg_x', 'subscription.created', w.list_id, '{"id":' || w.id || w.dj, now(), now() from src2 w;
rollback;
-- E: select only (json build cost)
select count(*), sum(length(jsonb_build_object('id', w.id, 'list', w.list_id, 'email', w.email, 'name', w.name, 'status', 'pending', 'source', w.source, 'consentVersion', w.consent_version,
                                'createdAt', to_char(w.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'confirmedAt', null, 'unsubscribedAt', null, 'ebookDownloads', 0)::text)) from src w;
select count(*), sum(length('{"id":' || w.id || w.dj)) from src2 w;
-- F: C's rows grouped eight to a row, as WebhookStore.insertFrom writes them since V16 (here the window sorts all
-- 100,000 events at once; the group commit's statement sorts at most its group's)
begin;
insert into webhook_message (endpoint_id, msg_id, event_type, list_id, body, events, created_at, next_attempt_at)
select endpoint_id, string_agg(msg_id, ' ' order by n), event_type, list_id, string_agg(body, chr(30) order by n), count(*), now(), now()
  from (select ep.id as endpoint_id, e.msg_id, e.event_type, e.list_id,
               '{"type":"' || e.event_type || '","timestamp":"' || to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '","data":' || e.data || '}' as body,
               row_number() over (partition by ep.id, e.event_type, e.list_id) - 1 as n
          from unnest(array['bench']::text[], array[null]::text[], array[null]::text[], array[false]::boolean[]) as ep(id, events, lists, client)
          join (select *, 'msg_' || replace(gen_random_uuid()::text, '-', '') as msg_id from
               (select w.list_id, 'subscription.created' as event_type, w.created_at as occurred_at, '{"id":' || w.id || w.dj as data from src2 w) s) e
            on (ep.events is null or e.event_type = any (string_to_array(ep.events, ',')))
           and (ep.lists is null or e.list_id = any (string_to_array(ep.lists, ',')))) q
 group by endpoint_id, event_type, list_id, n / 8;
rollback;
-- G: the dispatcher's side, committed: 100,000 events as rows of one, deleted, vacuumed; then as rows of eight
insert into webhook_message (endpoint_id, msg_id, event_type, list_id, body, created_at, next_attempt_at)
select 'bench', 'msg_' || w.id, 'subscription.created', w.list_id, '{"id":' || w.id || w.dj, now(), now() from src2 w;
delete from webhook_message;
vacuum webhook_message;
insert into webhook_message (endpoint_id, msg_id, event_type, list_id, body, events, created_at, next_attempt_at)
select 'bench', string_agg('msg_' || w.id, ' '), 'subscription.created', 'news', string_agg('{"id":' || w.id || w.dj, chr(30)), count(*), now(), now()
  from src2 w group by w.id / 8;
delete from webhook_message;
vacuum webhook_message;
