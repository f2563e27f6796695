-- Membership (charter 3.1–3.3, 3.13–3.16, annexes A and B): the director
-- of a school, a new organisation role; a former member's status; the
-- organisation's address for the certificate; applications (to join as a
-- member or a candidate, to leave) and exclusion cases with their files;
-- the register of certificates.

alter table person_roles drop constraint person_roles_role_check;
alter table person_roles add constraint person_roles_role_check
    check (role in ('admin', 'chair', 'secretary', 'presidium', 'quality_manager', 'auditor', 'teacher', 'director'));
alter table invites drop constraint invites_role_check;
alter table invites add constraint invites_role_check
    check (role in ('admin', 'chair', 'secretary', 'presidium', 'quality_manager', 'auditor', 'teacher', 'director'));

alter table organisations drop constraint organisations_status_check;
alter table organisations add constraint organisations_status_check
    check (status in ('member', 'candidate', 'former'));
-- The legal address, as the last accepted application gave it.
alter table organisations add column address text not null default '';

create table membership_applications (
    id              bigint generated always as identity primary key,
    org_id          bigint not null references organisations (id),
    -- member, candidate: to join; leave: the organisation's own exit;
    -- exclude: a case opened by the chair or the secretary (3.14).
    kind            text not null check (kind in ('member', 'candidate', 'leave', 'exclude')),
    status          text not null default 'draft'
                    check (status in ('draft', 'submitted', 'accepted', 'refused', 'withdrawn')),
    -- The director (or, for an exclusion, the chair or the secretary).
    -- Their name is read from people, so a forget-me leaves none here.
    applicant_id    bigint references people (id),
    address         text not null default '',
    -- A member's ground (3.1): a certified, an implemented, or a system
    -- being actively implemented.
    ground          text not null default '' check (ground in ('', 'certified', 'implemented', 'implementing')),
    -- A candidate's documents (3.2); null until answered.
    has_order       boolean,
    has_plan        boolean,
    has_trained     boolean,
    recommender_id  bigint references people (id),
    recommender_set boolean not null default false,
    documents_done  boolean not null default false,
    -- Why an organisation leaves or is excluded.
    reason          text not null default '',
    -- The presidium's item that decides it; null until put on an agenda
    -- (or when the item is deleted: the application waits again).
    agenda_item_id  bigint references agenda_items (id) on delete set null,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    submitted_at    timestamptz,
    decided_at      timestamptz
);

-- One open application of an organisation's own, and one open exclusion
-- case, at a time.
create unique index membership_applications_open_key on membership_applications (org_id, (kind = 'exclude'))
    where status in ('draft', 'submitted');
create unique index membership_applications_item_key on membership_applications (agenda_item_id)
    where agenda_item_id is not null;
create index membership_applications_status_idx on membership_applications (status, submitted_at);

create table membership_files (
    application_id bigint not null references membership_applications (id) on delete cascade,
    -- No cascade: the attachment stays while the application refers to it.
    attachment_id  bigint not null references attachments (id),
    doc            text not null check (doc in ('order', 'plan', 'trained', 'support')),
    position       integer not null,
    name           text not null default '',
    -- Telegram's file id, to forward without uploading again.
    file_id        text not null default '',
    primary key (application_id, attachment_id)
);

create index membership_files_attachment_idx on membership_files (attachment_id);

-- The next certificate number of each year: the row lock serialises
-- replicas issuing certificates at once.
create table certificate_counters (
    year integer primary key,
    last integer not null
);

create table certificates (
    id             bigint generated always as identity primary key,
    -- Shown as «№ <number>/<year>».
    year           integer not null,
    number         integer not null check (number > 0),
    org_id         bigint not null references organisations (id),
    application_id bigint not null unique references membership_applications (id),
    kind           text not null check (kind in ('member', 'candidate')),
    -- The registration date.
    issued_at      timestamptz not null,
    -- As they stood on the registration date.
    org_name       text not null,
    org_address    text not null default '',
    -- The signatories; their names are read from people.
    chair_id       bigint references people (id),
    secretary_id   bigint references people (id),
    unique (year, number)
);

create index certificates_org_idx on certificates (org_id, issued_at desc);

---- create above / drop below ----

drop table certificates;
drop table certificate_counters;
drop table membership_files;
drop table membership_applications;
alter table organisations drop column address;
update organisations set status = 'candidate' where status = 'former';
alter table organisations drop constraint organisations_status_check;
alter table organisations add constraint organisations_status_check check (status in ('member', 'candidate'));
delete from person_roles where role = 'director';
delete from invite_uses where invite_id in (select id from invites where role = 'director');
delete from invites where role = 'director';
alter table invites drop constraint invites_role_check;
alter table invites add constraint invites_role_check
    check (role in ('admin', 'chair', 'secretary', 'presidium', 'quality_manager', 'auditor', 'teacher'));
alter table person_roles drop constraint person_roles_role_check;
alter table person_roles add constraint person_roles_role_check
    check (role in ('admin', 'chair', 'secretary', 'presidium', 'quality_manager', 'auditor', 'teacher'));
