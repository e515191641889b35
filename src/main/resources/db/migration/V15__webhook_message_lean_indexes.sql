-- Every event row is inserted by the signup group commit (or the change it reports) and deleted once delivered, so
-- each of its index entries is paid on the signup path. Housekeeping only ever deletes dead and disabled rows by age:
-- index only those (few) rows instead of every event's creation time.
drop index webhook_message_created_idx;
create index webhook_message_settled_created_idx on webhook_message (created_at) where status <> 'PENDING';
