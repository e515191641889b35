-- Outgoing webhooks (Standard Webhooks v1): one row per event and endpoint, written in the transaction that changes
-- the state the event reports (nothing sent for a rolled-back change, nothing lost for a committed one), locked by the
-- dispatcher of one instance with FOR UPDATE SKIP LOCKED while it delivers them, and deleted once delivered (a row
-- costs an insert and a delete; the endpoint keeps its last delivery time). msg_id is the webhook-id header: the same
-- on every attempt, and the same for every endpoint that receives the event.
create table webhook_message (
    id              bigserial   primary key,
    endpoint_id     text        not null,
    msg_id          text        not null,
    event_type      text        not null,
    list_id         text,
    body            text        not null,
    status          text        not null default 'PENDING'
                                check (status in ('PENDING', 'DEAD', 'DISABLED')),
    attempts        integer     not null default 0,
    created_at      timestamptz not null,
    next_attempt_at timestamptz not null,
    last_status     integer,
    last_error      text
);

-- The claim's path: due rows of one endpoint, oldest first. Partial, so dead and disabled rows never enter it.
create index webhook_message_due_idx on webhook_message (endpoint_id, next_attempt_at) where status = 'PENDING';
-- Dead rows are few and counted per endpoint by the admin listing and readiness.
create index webhook_message_dead_idx on webhook_message (endpoint_id) where status = 'DEAD';
-- Housekeeping deletes old dead and disabled rows by age.
create index webhook_message_created_idx on webhook_message (created_at);

-- Per endpoint: the last delivery and failure (for the admin listing, without reading the messages) and, when it
-- answered 410 Gone, since when it is disabled and for which URL: its queued events stop, and a new URL (or
-- POST /api/admin/webhooks/{id}/enable) starts it again.
create table webhook_endpoint (
    endpoint_id       text        primary key,
    last_delivered_at timestamptz,
    last_failed_at    timestamptz,
    last_failure      text,
    disabled_at       timestamptz,
    disabled_url      text,
    disabled_reason   text
);
