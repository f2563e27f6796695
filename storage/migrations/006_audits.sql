-- Internal audits (ISO 9001 clause 9.2): an audit of an organisation by
-- auditors of it or of its mentor school, its findings with their photos,
-- documents and voice notes, and the corrective action of a finding, which
-- is a task of the audited school's quality programme. Times are written by
-- the application's clock; the defaults only serve manual inserts.

-- The processes and areas an organisation audits, offered when an audit
-- starts (one may also be typed).
create table audit_areas (
    id     bigint generated always as identity primary key,
    org_id bigint not null references organisations (id) on delete cascade,
    name   text not null check (btrim(name) <> '')
);

create unique index audit_areas_name_key on audit_areas (org_id, lower(name));

-- The last audit number given per organisation and year: audits are
-- numbered 2026-1, 2026-2, ... per audited organisation.
create table audit_numbers (
    org_id bigint not null references organisations (id) on delete cascade,
    year   integer not null,
    last   integer not null,
    primary key (org_id, year)
);

create table audits (
    id             bigint generated always as identity primary key,
    -- The audited organisation.
    org_id         bigint not null references organisations (id),
    -- The auditors' organisation: the same, or the mentor of a candidate.
    auditor_org_id bigint not null references organisations (id),
    year           integer not null,
    number         integer not null check (number > 0),
    -- The process or area audited, as chosen or typed.
    area           text not null check (btrim(area) <> ''),
    date           date not null,
    lead_id        bigint not null references people (id),
    co_auditors    bigint[] not null default '{}',
    status         text not null default 'open' check (status in ('open', 'closed')),
    created_at     timestamptz not null default now(),
    closed_at      timestamptz,
    unique (org_id, year, number),
    check ((status = 'closed') = (closed_at is not null))
);

-- A lead auditor has one open audit at a time (/audit returns to it).
create unique index audits_open_lead_key on audits (lead_id) where status = 'open';
create index audits_open_co_idx on audits using gin (co_auditors) where status = 'open';
create index audits_org_idx on audits (org_id, closed_at desc);

create table findings (
    id          bigint generated always as identity primary key,
    audit_id    bigint not null references audits (id),
    kind        text not null check (kind in ('major', 'minor', 'observation', 'improvement')),
    -- Findings are numbered per audit and class: the nonconformities
    -- (major and minor) together, observations and improvements each apart.
    class       text not null generated always as
                    (case when kind in ('major', 'minor') then 'nonconformity' else kind end) stored,
    seq         integer not null check (seq > 0),
    -- The requirement referred to («ГОСТ Р ИСО 9001-2015 п. 7.1.4»).
    requirement text not null default '',
    description text not null default '',
    place       text not null default '',
    status      text not null default 'open'
                check (status in ('open', 'action', 'verified', 'reopened', 'closed')),
    created_by  bigint references people (id),
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    -- Soft deletion: a deleted finding keeps its number, which is not given
    -- again.
    deleted_at  timestamptz,
    unique (audit_id, class, seq)
);

create index findings_status_idx on findings (audit_id) where deleted_at is null and status <> 'closed';

-- Files kept as evidence, once per content (by SHA-256), so evidence never
-- depends on Telegram keeping the file.
create table attachments (
    id         bigint generated always as identity primary key,
    sha256     bytea not null unique check (length(sha256) = 32),
    size       integer not null check (size > 0 and size <= 20971520),
    mime       text not null check (mime <> ''),
    -- The file name it was first stored under ('' for a photo).
    name       text not null default '',
    data       bytea not null,
    created_at timestamptz not null default now(),
    check (length(data) = size)
);

create table finding_attachments (
    finding_id    bigint not null references findings (id) on delete cascade,
    attachment_id bigint not null references attachments (id),
    kind          text not null check (kind in ('photo', 'document', 'voice')),
    -- The order shown (an album's photos arrive in any order).
    position      integer not null default 0,
    primary key (finding_id, attachment_id)
);

create index finding_attachments_attachment_idx on finding_attachments (attachment_id);

-- The corrective action of a finding: a task of the audited school's
-- programme, and the auditor's verification of its effectiveness.
create table corrective_actions (
    finding_id  bigint primary key references findings (id) on delete cascade,
    task_id     bigint not null references tasks (id),
    -- The cause found.
    cause       text not null default '',
    created_by  bigint references people (id),
    created_at  timestamptz not null default now(),
    verified_by bigint references people (id),
    verified_at timestamptz,
    -- Null until verified.
    effective   boolean,
    comment     text not null default '',
    check ((verified_at is null) = (effective is null))
);

create index corrective_actions_task_idx on corrective_actions (task_id);

---- create above / drop below ----

drop table corrective_actions;
drop table finding_attachments;
drop table attachments;
drop table findings;
drop table audits;
drop table audit_numbers;
drop table audit_areas;
