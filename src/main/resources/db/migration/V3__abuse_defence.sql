-- Sliding-window rate limits shared by every instance: one row per counted request.
create table rate_limit_hit (
    key text        not null,
    at  timestamptz not null
);
create index rate_limit_hit_key_at_idx on rate_limit_hit (key, at);
create index rate_limit_hit_at_idx on rate_limit_hit (at);

-- The confirmation breaker and the per-address daily cap count recent mails.
create index outbox_mail_kind_created_idx on outbox_mail (kind, created_at);

-- Key of the proof-of-work HMAC, made once per installation and shared by every instance.
insert into installation_secret (name, value)
values ('proof-of-work-key', decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));
