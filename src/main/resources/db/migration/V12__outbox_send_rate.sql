-- The relay's send rate (newsletter.outbox.max-per-second), shared by every instance: mails claimed per second.
-- A claim locks its second's row, so instances take turns within a second and together never exceed the rate.
create table outbox_send_window (
    second bigint  primary key,
    claimed integer not null
);
