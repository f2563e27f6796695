-- The platform: organisations, people and their roles, invitations, the
-- action log and settings. Timestamps are written by the application (its
-- injected clock), so the defaults below only serve manual inserts.

create table organisations (
    id           bigint generated always as identity primary key,
    name         text not null check (btrim(name) <> ''),
    short_name   text not null default '',
    municipality text not null default '',
    status       text not null default 'member' check (status in ('member', 'candidate')),
    -- A candidate school is paired with a member school that mentors it.
    mentor_id    bigint references organisations (id) on delete set null check (mentor_id <> id),
    created_at   timestamptz not null default now()
);

-- "Школа №1" and "школа №1" are the same school.
create unique index organisations_name_key on organisations (lower(name));

create table people (
    id           bigint generated always as identity primary key,
    -- Null once the person is forgotten.
    telegram_id  bigint,
    full_name    text not null default '',
    org_id       bigint references organisations (id),
    consent_at   timestamptz,
    active       boolean not null default true,
    created_at   timestamptz not null default now(),
    forgotten_at timestamptz,
    check (forgotten_at is null or (telegram_id is null and full_name = '' and not active))
);

create unique index people_telegram_id_key on people (telegram_id) where telegram_id is not null;

create table person_roles (
    person_id bigint not null references people (id) on delete cascade,
    role      text not null check (role in ('admin', 'chair', 'secretary', 'presidium',
                                            'quality_manager', 'auditor', 'teacher')),
    -- Null for an association-wide grant.
    org_id    bigint references organisations (id),
    check (org_id is not null or role in ('admin', 'chair', 'secretary', 'presidium'))
);

-- One grant per (person, role, organisation); coalesce makes association-wide
-- grants (null org) collide with each other too.
create unique index person_roles_key on person_roles (person_id, role, coalesce(org_id, 0));
create index person_roles_org_idx on person_roles (org_id, role);

create table invites (
    id         bigint generated always as identity primary key,
    -- SHA-256 of the code; the code itself is never stored.
    code_hash  bytea not null unique check (length(code_hash) = 32),
    role       text not null check (role in ('admin', 'chair', 'secretary', 'presidium',
                                             'quality_manager', 'auditor', 'teacher')),
    org_id     bigint references organisations (id),
    uses_left  integer not null check (uses_left >= 0),
    expires_at timestamptz not null,
    -- Null when made from the command line.
    created_by bigint references people (id),
    created_at timestamptz not null default now(),
    check (org_id is not null or role in ('admin', 'chair', 'secretary', 'presidium'))
);

create table invite_uses (
    id        bigint generated always as identity primary key,
    invite_id bigint not null references invites (id),
    person_id bigint not null references people (id),
    at        timestamptz not null default now()
);

create index invite_uses_invite_idx on invite_uses (invite_id);

create table action_log (
    id        bigint generated always as identity primary key,
    -- Null for the system or the command line. No cascade: a forgotten
    -- person's actions stay, attributed to a nameless row.
    person_id bigint references people (id),
    action    text not null,
    object    text not null,
    object_id bigint,
    at        timestamptz not null default now(),
    -- Never personal data: the row outlives a person's forget-me.
    detail    jsonb
);

create index action_log_at_idx on action_log (at desc, id desc);
create index action_log_person_idx on action_log (person_id);

create table settings (
    key   text primary key,
    value text not null
);

---- create above / drop below ----

drop table settings;
drop table action_log;
drop table invite_uses;
drop table invites;
drop table person_roles;
drop table people;
drop table organisations;
