-- The weekly digest of a school's programme to its quality managers,
-- claimed per school and week (the date of the week's Monday): whoever
-- inserts the row sends the digest, so it goes out once whatever the
-- number of replicas and restarts.
create table task_digests (
    org_id   bigint not null references organisations (id) on delete cascade,
    week     date not null,
    sent_at  timestamptz not null,
    primary key (org_id, week)
);
