-- A known address's queued signup carries the confirmation its request prepared (the two link tokens' hashes and
-- the rendered mail), as a new address's signup stores it: both write the same bytes before the reply, so the reply's
-- time says nothing about the address's state; the handler behind the reply sends the prepared mail when the rules
-- allow one, instead of rendering another.
alter table known_signup
    add column confirm_hash     bytea,
    add column unsubscribe_hash bytea,
    add column mail_subject     text,
    add column mail_text        text,
    add column mail_html        text,
    add column mail_headers     jsonb;
