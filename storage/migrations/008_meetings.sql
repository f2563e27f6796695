-- Presidium meetings: the notice (date, place, agenda, materials), the
-- invitees with their answers and attendance, the decisions and the tasks
-- given to carry them out, the signed minutes, and the claims that make
-- reminders and nudges go out once whatever the number of replicas. Times
-- are written by the application's clock; the defaults only serve manual
-- inserts.

create table meetings (
    id              bigint generated always as identity primary key,
    kind            text not null check (kind in ('regular', 'extraordinary')),
    status          text not null default 'draft' check (status in ('draft', 'sent', 'held', 'cancelled')),
    starts_at       timestamptz not null,
    -- An address, an online meeting's link, or both; one is set before
    -- the notice is sent.
    place           text not null default '',
    link            text not null default '',
    -- Changes of date and time since the notice.
    version         integer not null default 0 check (version >= 0),
    -- Null from the command line.
    created_by      bigint references people (id),
    created_at      timestamptz not null default now(),
    sent_at         timestamptz,
    held_at         timestamptz,
    cancelled_at    timestamptz,
    minutes_sent_at timestamptz,
    check (status in ('draft', 'cancelled') or sent_at is not null),
    check (status <> 'sent' or place <> '' or link <> ''),
    check ((status = 'held') = (held_at is not null)),
    check ((status = 'cancelled') = (cancelled_at is not null)),
    check (minutes_sent_at is null or status = 'held')
);

-- A secretary's drafts, latest first.
create index meetings_draft_idx on meetings (created_by, created_at desc) where status = 'draft';
-- Reminders and reports look meetings up by start.
create index meetings_starts_idx on meetings (starts_at) where status <> 'draft';

create table agenda_items (
    id            bigint generated always as identity primary key,
    meeting_id    bigint not null references meetings (id) on delete cascade,
    -- 1, 2, ... as shown; renumbered when an item is deleted, hence the
    -- deferred uniqueness.
    position      integer not null check (position > 0),
    title         text not null check (btrim(title) <> ''),
    speaker       text not null default '',
    -- The decision, once recorded (decided_at set).
    decision      text not null default '',
    votes_for     integer not null default 0 check (votes_for >= 0),
    votes_against integer not null default 0 check (votes_against >= 0),
    votes_abstain integer not null default 0 check (votes_abstain >= 0),
    adopted       boolean not null default false,
    decided_at    timestamptz,
    constraint agenda_items_position_key unique (meeting_id, position) deferrable initially deferred
);

-- Documents sent with the notice.
create table meeting_materials (
    meeting_id    bigint not null references meetings (id) on delete cascade,
    attachment_id bigint not null references attachments (id),
    position      integer not null,
    name          text not null default '',
    -- Telegram's file id, to forward without uploading again.
    file_id       text not null default '',
    primary key (meeting_id, attachment_id)
);

create index meeting_materials_attachment_idx on meeting_materials (attachment_id);

create table meeting_invitees (
    meeting_id bigint not null references meetings (id) on delete cascade,
    -- No cascade: a forgotten person keeps the row, nameless, so the
    -- attendance of past meetings stays right.
    person_id  bigint not null references people (id),
    role       text not null check (role in ('member', 'advisory', 'guest')),
    -- '' until answered (or asked again after the date changed).
    rsvp       text not null default '' check (rsvp in ('', 'yes', 'online', 'no')),
    reason     text not null default '',
    rsvp_at    timestamptz,
    delivery   text not null default 'pending'
               check (delivery in ('pending', 'sent', 'blocked', 'no_chat', 'failed')),
    -- Null until attendance is marked.
    present    boolean,
    primary key (meeting_id, person_id),
    check ((rsvp = '') = (rsvp_at is null)),
    check (rsvp = 'no' or reason = '')
);

create index meeting_invitees_person_idx on meeting_invitees (person_id);

-- The signed minutes, page by page or as documents.
create table meeting_minutes_files (
    meeting_id    bigint not null references meetings (id) on delete cascade,
    attachment_id bigint not null references attachments (id),
    position      integer not null,
    kind          text not null check (kind in ('photo', 'document')),
    name          text not null default '',
    file_id       text not null default '',
    primary key (meeting_id, attachment_id)
);

create index meeting_minutes_files_attachment_idx on meeting_minutes_files (attachment_id);

-- A reminder of a meeting claimed for a person (0 for the secretary and
-- the chair about the meeting as a whole, hence no foreign key): whoever
-- inserts the row sends it.
create table meeting_reminders (
    meeting_id bigint not null references meetings (id) on delete cascade,
    person_id  bigint not null default 0,
    kind       text not null check (kind in ('no_answer', 'day_before', 'two_hours',
                                             'quorum', 'minutes_3', 'minutes_5')),
    claimed_at timestamptz not null default now(),
    primary key (meeting_id, person_id, kind)
);

-- The secretary's «Напомнить», once per meeting and local day.
create table meeting_nudges (
    meeting_id bigint not null references meetings (id) on delete cascade,
    day        date not null,
    claimed_at timestamptz not null default now(),
    primary key (meeting_id, day)
);

-- The tasks given to executors to carry out a decision.
create table decision_tasks (
    item_id bigint not null references agenda_items (id) on delete cascade,
    task_id bigint not null references tasks (id),
    primary key (item_id, task_id)
);

create index decision_tasks_task_idx on decision_tasks (task_id);

---- create above / drop below ----

drop table decision_tasks;
drop table meeting_nudges;
drop table meeting_reminders;
drop table meeting_minutes_files;
drop table meeting_invitees;
drop table meeting_materials;
drop table agenda_items;
drop table meetings;
