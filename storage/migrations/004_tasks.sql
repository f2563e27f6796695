-- A school's quality programme (комплексно-целевая программа): per school
-- and school year, directions, tasks with one or more assignees, their
-- reports with evidence, their requests, and the reminder policy. Times
-- are written by the application's clock; the defaults only serve manual
-- inserts.

create table programmes (
    id         bigint generated always as identity primary key,
    org_id     bigint not null references organisations (id),
    -- The school year, "2026/2027".
    year       text not null check (year ~ '^[0-9]{4}/[0-9]{4}$'),
    created_at timestamptz not null default now(),
    unique (org_id, year)
);

create table directions (
    id           bigint generated always as identity primary key,
    programme_id bigint not null references programmes (id) on delete cascade,
    name         text not null check (btrim(name) <> ''),
    position     integer not null
);

-- «Кадровый ресурс» and «кадровый ресурс» are one direction; imports match
-- names this way too.
create unique index directions_name_key on directions (programme_id, lower(name));

create table tasks (
    id                bigint generated always as identity primary key,
    programme_id      bigint not null references programmes (id),
    -- The programme's organisation, kept here so a school's tasks are found
    -- without the join (overdue lists, digests).
    org_id            bigint not null references organisations (id),
    direction_id      bigint not null references directions (id),
    title             text not null check (btrim(title) <> ''),
    description       text not null default '',
    -- A local date at 00:00 in the association's zone, or a local date and
    -- time when has_time.
    due               timestamptz not null,
    has_time          boolean not null default false,
    evidence_required boolean not null default false,
    -- Null from the command line.
    created_by        bigint references people (id),
    created_at        timestamptz not null default now(),
    cancelled_at      timestamptz
);

create index tasks_programme_idx on tasks (programme_id, due, id);
create index tasks_direction_idx on tasks (direction_id);
create index tasks_org_idx on tasks (org_id, due) where cancelled_at is null;

-- One assignee's part of a task.
create table task_assignments (
    task_id        bigint not null references tasks (id) on delete cascade,
    -- No cascade: a forgotten person keeps the row, nameless.
    person_id      bigint not null references people (id),
    status         text not null check (status in ('assigned', 'accepted', 'done',
                                                   'confirmed', 'returned', 'cancelled')),
    -- The manager's comment when returned.
    comment        text not null default '',
    status_at      timestamptz not null default now(),
    -- Null when no reminder is due: reporting and cancelling clear it, so
    -- only open assignments are ever claimed.
    next_remind_at timestamptz,
    remind_step    integer not null default 0,
    escalated_at   timestamptz,
    primary key (task_id, person_id),
    check (next_remind_at is null or status in ('assigned', 'accepted', 'returned'))
);

-- The reminder tick finds the due assignments by this index alone; the
-- many that are not due cost nothing.
create index task_assignments_remind_idx on task_assignments (next_remind_at)
    where next_remind_at is not null;
create index task_assignments_person_idx on task_assignments (person_id);

-- An assignee's report: a draft while evidence arrives photo by photo,
-- then sent (sent_at set). Returned and re-reported tasks keep each report.
create table task_reports (
    id         bigint generated always as identity primary key,
    task_id    bigint not null,
    person_id  bigint not null,
    comment    text not null default '',
    sent_at    timestamptz,
    created_at timestamptz not null default now(),
    foreign key (task_id, person_id) references task_assignments (task_id, person_id) on delete cascade
);

-- At most one draft per assignee and task.
create unique index task_reports_draft_key on task_reports (task_id, person_id) where sent_at is null;
create index task_reports_sent_idx on task_reports (task_id, person_id, sent_at desc) where sent_at is not null;

create table task_evidence (
    id             bigint generated always as identity primary key,
    report_id      bigint not null references task_reports (id) on delete cascade,
    kind           text not null check (kind in ('photo', 'document', 'link')),
    -- Telegram's file id ('' for a link).
    file_id        text not null default '',
    -- The file name, or the link itself.
    name           text not null default '',
    -- Ties the photos of one album together ('' when not in one).
    media_group_id text not null default '',
    check (kind = 'link' or file_id <> ''),
    check (kind <> 'link' or name <> '')
);

create index task_evidence_report_idx on task_evidence (report_id, id);

-- «Нужна помощь» and «просьба перенести срок», open until decided.
create table task_requests (
    id         bigint generated always as identity primary key,
    task_id    bigint not null,
    person_id  bigint not null,
    kind       text not null check (kind in ('help', 'postpone')),
    reason     text not null default '',
    -- The deadline asked for (postpone only).
    new_due    timestamptz,
    status     text not null default 'open' check (status in ('open', 'approved', 'refused')),
    created_at timestamptz not null default now(),
    decided_by bigint references people (id),
    decided_at timestamptz,
    foreign key (task_id, person_id) references task_assignments (task_id, person_id) on delete cascade,
    check (kind <> 'postpone' or new_due is not null)
);

-- One open request of a kind per assignment.
create unique index task_requests_open_key on task_requests (task_id, person_id, kind) where status = 'open';

-- A school's reminder ladder, quiet hours and days off; a school without a
-- row has storage.DefaultReminderPolicy.
create table reminder_policies (
    org_id         bigint primary key references organisations (id) on delete cascade,
    -- Days relative to the deadline (-7, -1, 0).
    ladder         integer[] not null,
    overdue_every  integer not null check (overdue_every >= 0),
    escalate_after integer not null,
    -- Minutes after local midnight.
    quiet_from     integer not null check (quiet_from between 0 and 1439),
    quiet_to       integer not null check (quiet_to between 0 and 1439),
    -- Weekdays without reminders (0 Sunday ... 6 Saturday).
    weekends       integer[] not null default '{}',
    holidays       date[] not null default '{}'
);

---- create above / drop below ----

drop table reminder_policies;
drop table task_requests;
drop table task_evidence;
drop table task_reports;
drop table task_assignments;
drop table tasks;
drop table directions;
drop table programmes;
