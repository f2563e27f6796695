-- A sent meeting's agenda changed and the invitees not told yet: set by
-- the first change of the agenda after the notice (or the last update),
-- cleared when an update is broadcast. It survives a lost session, so the
-- secretary's card offers «Разослать изменения» until they go out.

alter table meetings add column agenda_changed_at timestamptz;

---- create above / drop below ----

alter table meetings drop column agenda_changed_at;
