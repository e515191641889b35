-- Signups of addresses already on their list, queued by the group commit that found them known and handled right
-- behind the reply (cooldown, consent record, confirmation or ebook mail): the reply no longer waits for that work,
-- so its timing says nothing about the address's state. Rows live about a second; erasure deletes them too.
create table known_signup (
    id         bigint generated always as identity primary key,
    list_id    text        not null,
    email      text        not null,
    name       text,
    source     text,
    ip         text,
    user_agent text,
    queued_at  timestamptz not null
);
