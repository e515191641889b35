-- The per-address daily cap counts one address's recent confirmations on every signup: one index that holds both
-- keeps that count at a few rows however many mails the outbox holds (the planner otherwise combined the kind/time
-- index, which grows with all recent mail, with the recipient index).
create index outbox_mail_recipient_created_idx on outbox_mail (lower(recipient), created_at);
drop index outbox_mail_recipient_idx;
