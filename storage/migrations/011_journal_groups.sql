-- The documents journal (charter 7.2) and the working groups (charter
-- 3.11).
--
-- The journal registers incoming and outgoing documents under numbers
-- allocated per year and direction (Вх-2026-001, Исх-2026-001). An entry
-- is never deleted: a wrong one is annulled with a reason. A draft is an
-- entry being typed by hand; it has no number until registered, and only
-- a draft may be deleted. Minutes, certificates and reports the bot
-- produces are entered automatically, once per source object.

create table journal_counters (
    direction text not null check (direction in ('in', 'out')),
    year      integer not null,
    last      integer not null check (last > 0),
    primary key (direction, year)
);

create table journal_entries (
    id              bigint generated always as identity primary key,
    direction       text not null check (direction in ('in', 'out')),
    status          text not null default 'draft' check (status in ('draft', 'registered', 'annulled')),
    -- The number and its parts, set on registration.
    year            integer,
    seq             integer check (seq > 0),
    number          text,
    -- The document's date (a calendar day), its correspondent (from whom
    -- or to whom) and subject.
    doc_date        date,
    correspondent   text not null default '',
    subject         text not null default '',
    -- The document's file, when there is one.
    attachment_id   bigint references attachments (id),
    file_kind       text not null default '' check (file_kind in ('', 'photo', 'document')),
    file_name       text not null default '',
    -- Telegram's id of the file, to send it back without uploading again.
    file_id         text not null default '',
    source          text not null default 'manual' check (source in ('manual', 'minutes', 'certificate', 'report')),
    -- The meeting, certificate or report the entry was made from (null
    -- for manual entries).
    source_id       bigint,
    annul_reason    text not null default '',
    annulled_by     bigint references people (id),
    annulled_at     timestamptz,
    -- Null for the system.
    created_by      bigint references people (id),
    created_at      timestamptz not null default now(),
    registered_at   timestamptz,
    check ((status = 'draft') = (number is null)),
    check (status = 'draft' or (year is not null and seq is not null and doc_date is not null)),
    check ((status = 'annulled') = (annulled_at is not null)),
    check (status <> 'annulled' or btrim(annul_reason) <> ''),
    check ((file_kind = '') = (attachment_id is null)),
    check ((source = 'manual') = (source_id is null)),
    check (source = 'manual' or status <> 'draft')
);

create unique index journal_entries_number_key on journal_entries (direction, year, seq);
create unique index journal_entries_source_key on journal_entries (source, source_id) where source <> 'manual';
create index journal_entries_draft_idx on journal_entries (created_by, created_at desc) where status = 'draft';
create index journal_entries_year_idx on journal_entries (year, direction, seq) where status <> 'draft';
create index journal_entries_attachment_idx on journal_entries (attachment_id);

-- Working groups of the association: their members and lead, the lead's
-- messages to the group (broadcast durably, each member's delivery
-- recorded) and the tasks given to the group's members.
create table working_groups (
    id         bigint generated always as identity primary key,
    kind       text not null check (kind in ('methodological', 'analytical', 'information', 'other')),
    name       text not null check (btrim(name) <> ''),
    -- A member of the group, or null while none is named.
    lead_id    bigint references people (id),
    created_by bigint references people (id),
    created_at timestamptz not null default now()
);

create unique index working_groups_name_key on working_groups (lower(name));

create table working_group_members (
    group_id  bigint not null references working_groups (id) on delete cascade,
    -- No cascade: a forgotten person stays, nameless, until removed.
    person_id bigint not null references people (id),
    added_at  timestamptz not null default now(),
    primary key (group_id, person_id)
);

create index working_group_members_person_idx on working_group_members (person_id);

create table group_messages (
    id          bigint generated always as identity primary key,
    group_id    bigint not null references working_groups (id) on delete cascade,
    author_id   bigint references people (id),
    text        text not null check (btrim(text) <> ''),
    created_at  timestamptz not null default now(),
    -- Null while the lead is still writing it.
    sent_at     timestamptz,
    -- Set by the broadcast that reports to the lead, once.
    reported_at timestamptz
);

create index group_messages_draft_idx on group_messages (group_id, author_id) where sent_at is null;

create table group_message_deliveries (
    message_id bigint not null references group_messages (id) on delete cascade,
    person_id  bigint not null references people (id),
    status     text not null default 'pending'
               check (status in ('pending', 'sent', 'blocked', 'no_chat', 'failed')),
    primary key (message_id, person_id)
);

create table group_tasks (
    group_id bigint not null references working_groups (id) on delete cascade,
    task_id  bigint not null references tasks (id),
    primary key (group_id, task_id)
);

create index group_tasks_task_idx on group_tasks (task_id);

---- create above / drop below ----

drop table group_tasks;
drop table group_message_deliveries;
drop table group_messages;
drop table working_group_members;
drop table working_groups;
drop table journal_entries;
drop table journal_counters;
