-- Bounces and complaints reported by the relay (webhooks) or by the SMTP server (a 5xx answer) suppress an address:
-- its subscriber rows say why, the consent log records it, queued mail to it stops, and the suppression list keeps
-- its salted hash with the reason, so that mail to it stays stopped on every list (an erased address only keeps
-- imports from bringing it back; a new signup through a form still works).
alter table subscriber drop constraint subscriber_status_check;
alter table subscriber add constraint subscriber_status_check
    check (status in ('PENDING', 'CONFIRMED', 'UNSUBSCRIBED', 'BOUNCED', 'COMPLAINED'));

alter table consent_record drop constraint consent_record_event_check;
alter table consent_record add constraint consent_record_event_check
    check (event in ('SIGNUP', 'CONFIRM', 'UNSUBSCRIBE', 'BOUNCE', 'COMPLAINT'));

-- SUPPRESSED: queued mail stopped because its recipient bounced or complained (not a failure: never retried).
alter table outbox_mail drop constraint outbox_mail_status_check;
alter table outbox_mail add constraint outbox_mail_status_check
    check (status in ('PENDING', 'SENT', 'DEAD', 'SUPPRESSED'));

alter table suppression add column reason text not null default 'ERASED'
    check (reason in ('ERASED', 'BOUNCED', 'COMPLAINED'));

-- Soft bounces (a full mailbox, a greylisting relay) suppress only after several within a window: one row each, under
-- the address's salted hash; the relay's event id makes a webhook delivered twice count once.
create table soft_bounce (
    id          bigint generated always as identity primary key,
    hash        bytea       not null,
    relay       text        not null,
    event_id    text,
    occurred_at timestamptz not null
);
create index soft_bounce_hash_idx on soft_bounce (hash, occurred_at);
create unique index soft_bounce_event_uq on soft_bounce (relay, event_id) where event_id is not null;
