-- One row per address and list. The address is stored as given (domain normalised); uniqueness ignores case.
create table subscriber (
    id                        bigint generated always as identity primary key,
    list_id                   text        not null,
    email                     text        not null,
    name                      text,
    status                    text        not null check (status in ('PENDING', 'CONFIRMED', 'UNSUBSCRIBED')),
    source                    text,
    consent_version           text,
    created_at                timestamptz not null,
    updated_at                timestamptz not null,
    confirmed_at              timestamptz,
    unsubscribed_at           timestamptz,
    last_confirmation_sent_at timestamptz,
    last_ebook_sent_at        timestamptz,
    ebook_downloads           integer     not null default 0
);
create unique index subscriber_list_email_uq on subscriber (list_id, lower(email));
create index subscriber_pending_purge_idx on subscriber (updated_at) where status = 'PENDING';

-- Only a SHA-256 of each link token is kept; the token itself lives in the mail that carries it.
create table subscriber_token (
    hash          bytea       primary key,
    subscriber_id bigint      not null references subscriber (id) on delete cascade,
    purpose       text        not null check (purpose in ('CONFIRM', 'EBOOK', 'UNSUBSCRIBE')),
    created_at    timestamptz not null,
    expires_at    timestamptz,
    revoked_at    timestamptz
);
create index subscriber_token_subscriber_idx on subscriber_token (subscriber_id);

-- Proof of consent: who agreed to what, when, from where.
create table consent_record (
    id              bigint generated always as identity primary key,
    subscriber_id   bigint      not null references subscriber (id) on delete cascade,
    list_id         text        not null,
    event           text        not null check (event in ('SIGNUP', 'CONFIRM', 'UNSUBSCRIBE')),
    occurred_at     timestamptz not null,
    ip              text,
    user_agent      text,
    source          text,
    consent_version text
);
create index consent_record_subscriber_idx on consent_record (subscriber_id);

-- Transactional outbox: a rendered mail, queued in the transaction that caused it, sent by the dispatcher.
-- next_attempt_at doubles as the claim lease: a claimed row is pushed into the future until it is settled.
create table outbox_mail (
    id              bigint generated always as identity primary key,
    kind            text        not null,
    recipient       text        not null,
    subject         text        not null,
    text_body       text,
    html_body       text,
    headers         jsonb       not null default '{}',
    status          text        not null check (status in ('PENDING', 'SENT', 'DEAD')),
    attempts        integer     not null default 0,
    created_at      timestamptz not null,
    next_attempt_at timestamptz not null,
    sent_at         timestamptz,
    last_error      text
);
create index outbox_mail_due_idx on outbox_mail (next_attempt_at) where status = 'PENDING';
