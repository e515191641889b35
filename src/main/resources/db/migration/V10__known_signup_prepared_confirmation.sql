-- A known address's queued signup writes what a new address's signup writes before the reply, so that the reply's
-- time says nothing about the address's state: the confirmation its request prepared (the two link tokens' hashes
-- and the rendered mail), which the handler behind the reply sends when the rules allow one, and whether the
-- group commit admitted it under its mailbox's cooldown and daily cap (taken there for every signup). Null: a row
-- queued before these columns, which the handler decides and renders as before.
alter table known_signup
    add column confirm_hash     bytea,
    add column unsubscribe_hash bytea,
    add column mail_subject     text,
    add column mail_text        text,
    add column mail_html        text,
    add column mail_headers     jsonb,
    add column admitted         boolean;
