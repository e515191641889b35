-- API keys for backends that sign people up on their behalf (scope signup) or poll the subscribers (scope read).
-- The key itself is shown once, when it is made; only its SHA-256 is kept (the key is 256 random bits, not a
-- password, so a plain hash is enough), and `prefix` is a short, non-secret beginning by which staff recognise it.
-- V14, not V13: V13 is the webhooks' migration, built beside this one.
create table api_key (
    id           bigint generated always as identity primary key,
    name         text        not null,
    key_hash     bytea       not null unique,
    prefix       text        not null,
    scopes       text[]      not null check (cardinality(scopes) > 0 and scopes <@ array['signup', 'read']),
    list_id      text,
    created_at   timestamptz not null,
    created_by   text        not null,
    revoked_at   timestamptz,
    revoked_by   text,
    use_count    bigint      not null default 0,
    last_used_at timestamptz
);
