-- Surveys, anonymous by construction. Who has answered (survey_completions:
-- an HMAC of survey and Telegram id, made by the caller, and a day) is kept
-- apart from what was answered (survey_responses and survey_answers: a random
-- key, the class and a day). Nothing links the two: no shared id, no
-- sequence, no time finer than the day. The draft in progress is the only
-- place they meet, and it is deleted on submit. No survey table holds a
-- Telegram id or a person's name.

create table surveys (
    id           bigint generated always as identity primary key,
    -- Null for an association-wide survey.
    org_id       bigint references organisations (id),
    title        text not null check (btrim(title) <> ''),
    audience     text not null check (audience in ('parents', 'students')),
    -- The template the survey came from ('' when uploaded), to compare runs.
    template_key text not null default '',
    intro        text not null default '',
    -- The questions as published ([]storage.Question), never changed after.
    questions    jsonb not null check (jsonb_typeof(questions) = 'array'),
    status       text not null default 'draft' check (status in ('draft', 'open', 'closed')),
    opens_at     timestamptz,
    closes_at    timestamptz,
    -- The author (staff, never a respondent); null from the command line.
    created_by   bigint references people (id),
    created_at   timestamptz not null default now(),
    published_at timestamptz,
    closed_at    timestamptz,
    check (opens_at is null or closes_at is null or opens_at < closes_at)
);

create index surveys_org_idx on surveys (org_id, created_at desc);
create index surveys_template_idx on surveys (template_key, org_id, created_at desc);
create index surveys_due_idx on surveys (closes_at) where status = 'open';

create table survey_classes (
    id        bigint generated always as identity primary key,
    survey_id bigint not null references surveys (id) on delete cascade,
    name      text not null check (btrim(name) <> ''),
    headcount integer not null check (headcount > 0),
    -- Part of the class's ?start= deep-link payload.
    code      text not null unique check (code ~ '^[A-Za-z0-9_-]{10}$'),
    unique (survey_id, id),
    unique (survey_id, name)
);

create table survey_drafts (
    id         bigint generated always as identity primary key,
    survey_id  bigint not null references surveys (id) on delete cascade,
    class_id   bigint not null,
    respondent bytea not null check (length(respondent) between 16 and 64),
    -- {"<question index>": storage.Answer}
    answers    jsonb not null default '{}' check (jsonb_typeof(answers) = 'object'),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (survey_id, respondent),
    foreign key (survey_id, class_id) references survey_classes (survey_id, id) on delete cascade
);

create table survey_completions (
    survey_id    bigint not null references surveys (id) on delete cascade,
    respondent   bytea not null check (length(respondent) between 16 and 64),
    completed_on date not null,
    primary key (survey_id, respondent)
);

-- A second SubmitDraft of a draft already dissolved knows only the respondent.
create index survey_completions_respondent_idx on survey_completions (respondent);

create table survey_responses (
    key          uuid primary key default gen_random_uuid(),
    survey_id    bigint not null references surveys (id) on delete cascade,
    class_id     bigint not null,
    submitted_on date not null,
    unique (key, survey_id),
    foreign key (survey_id, class_id) references survey_classes (survey_id, id) on delete cascade
);

create index survey_responses_class_idx on survey_responses (survey_id, class_id) include (key);

create table survey_answers (
    response_key uuid not null,
    -- The response's survey, repeated so results are counted from an index
    -- of the survey's own answers (it links nothing the key does not).
    survey_id    bigint not null,
    question     integer not null check (question >= 0),
    value        integer,
    choices      integer[],
    text         text,
    primary key (response_key, question),
    foreign key (response_key, survey_id) references survey_responses (key, survey_id) on delete cascade
);

-- Results: counts of values read from the index alone; choices and texts
-- from the few rows that have them.
create index survey_answers_value_idx on survey_answers (survey_id, question, value);
create index survey_answers_choices_idx on survey_answers (survey_id) where choices is not null;
create index survey_answers_text_idx on survey_answers (survey_id) where text is not null;

---- create above / drop below ----

drop table survey_answers;
drop table survey_responses;
drop table survey_completions;
drop table survey_drafts;
drop table survey_classes;
drop table surveys;
