-- Each solved proof-of-work puzzle counts once, on every instance: the nonce of its salt is kept until the puzzle
-- would have expired anyway, then purged by housekeeping.
create table proof_of_work_spent (
    nonce      text        primary key,
    expires_at timestamptz not null
);
create index proof_of_work_spent_expires_idx on proof_of_work_spent (expires_at);
