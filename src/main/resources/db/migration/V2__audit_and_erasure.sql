-- Who exported, looked up or erased what, and when. Details never hold an address in clear.
create table audit_log (
    id          bigint generated always as identity primary key,
    occurred_at timestamptz not null,
    actor       text        not null,
    action      text        not null,
    details     jsonb       not null default '{}',
    row_count   bigint
);
create index audit_log_action_idx on audit_log (action, occurred_at desc);

-- One random salt per installation, made here so that every instance shares it without any configuration.
create table installation_secret (
    name  text  primary key,
    value bytea not null
);
insert into installation_secret (name, value)
values ('suppression-salt', decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

-- Erased addresses, as salted SHA-256 of the lower-cased address: enough to keep an import from bringing one back,
-- useless for finding out who it was.
create table suppression (
    hash       bytea       primary key,
    created_at timestamptz not null
);

-- Data-subject requests look addresses up across lists and in the mail log.
create index subscriber_email_idx on subscriber (lower(email));
create index outbox_mail_recipient_idx on outbox_mail (lower(recipient));
