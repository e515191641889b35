-- A row may carry several events: those of one endpoint, type and list that one statement queued (the signup group
-- commit queues a subscription.created event for every subscriber it writes). Each row costs the signup's statement
-- a heap tuple, two index entries and their WAL, and the dispatcher a delete and vacuum a dead tuple, whatever its
-- size: paid once per group instead of once per event (bench/README.md). In such a row, msg_id holds the events'
-- webhook-ids separated by spaces and body their bodies separated by U+001E (RS, the record separator of RFC 7464's
-- JSON text sequences, which no JSON text can contain), in the same order; events counts them. A row with one event
-- (every retry, every event queued on its own) is what it was before.
alter table webhook_message add column events integer not null default 1 check (events > 0);

-- A group's row (a few kB) stays in the heap page, uncompressed, rather than being compressed and moved to TOAST
-- at 2 kB: both would cost the signup's statement more than the row saves.
alter table webhook_message set (toast_tuple_target = 8160);
