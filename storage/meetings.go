package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// meetingColumns selects a Meeting from meetings m.
const meetingColumns = `m.id, m.kind, m.status, m.starts_at, m.place, m.link, m.version,
	coalesce(m.created_by, 0) as created_by, m.created_at,
	coalesce(m.sent_at, ` + zeroTime + `) as sent_at,
	coalesce(m.held_at, ` + zeroTime + `) as held_at,
	coalesce(m.cancelled_at, ` + zeroTime + `) as cancelled_at,
	coalesce(m.minutes_sent_at, ` + zeroTime + `) as minutes_sent_at,
	coalesce(m.agenda_changed_at, ` + zeroTime + `) as agenda_changed_at`

// agendaColumns selects an AgendaItem from agenda_items i.
const agendaColumns = `i.id, i.meeting_id, i.position, i.title, i.speaker, i.decision,
	i.votes_for, i.votes_against, i.votes_abstain, i.adopted,
	coalesce(i.decided_at, ` + zeroTime + `) as decided_at`

// inviteeColumns selects an Invitee from meeting_invitees v joined with
// people p.
const inviteeColumns = `v.meeting_id, v.person_id, v.role, p.full_name,
	coalesce(p.telegram_id, 0) as telegram_id, v.rsvp, v.reason,
	coalesce(v.rsvp_at, ` + zeroTime + `) as rsvp_at, v.delivery, v.present`

// inviteeOrder lists members first, then guests, each by name.
const inviteeOrder = `order by case v.role when 'member' then 0 else 1 end, p.full_name, p.id`

// presidiumWhere is true of a person p on the presidium list: not
// forgotten, holding the presidium or chair role.
const presidiumWhere = `p.forgotten_at is null and exists (
	select 1 from person_roles r where r.person_id = p.id and r.role in ('presidium', 'chair'))`

// CreateMeeting stores a draft meeting (status draft, version 0) of
// m.Kind at m.StartsAt with m.Place and m.Link (either may be empty in a
// draft), created by the actor, and returns it as stored. It returns
// ErrInvalid for an unknown kind or a zero StartsAt.
func (s *Store) CreateMeeting(ctx context.Context, actorID int64, m Meeting) (Meeting, error) {
	if err := checkMeetingTime(m); err != nil {
		return Meeting{}, fmt.Errorf("storage: create meeting: %w", err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Meeting{}, fmt.Errorf("storage: create meeting: %w", err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	var id int64
	if err := tx.QueryRow(ctx, `
		insert into meetings (kind, status, starts_at, place, link, version, created_by, created_at)
		values ($1, 'draft', $2, $3, $4, 0, $5, $6)
		returning id`,
		m.Kind, m.StartsAt.Round(time.Microsecond), strings.TrimSpace(m.Place), strings.TrimSpace(m.Link),
		nullID(actorID), now).Scan(&id); err != nil {
		return Meeting{}, fmt.Errorf("storage: create meeting: %w", err)
	}
	if m, err = findMeeting(ctx, tx, `where m.id = $1`, id); err != nil {
		return Meeting{}, fmt.Errorf("storage: create meeting %d: %w", id, err)
	}
	if err := logAction(ctx, tx, now, actorID, "meeting.create", "meeting", id, map[string]any{"kind": string(m.Kind)}); err != nil {
		return Meeting{}, fmt.Errorf("storage: create meeting %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Meeting{}, fmt.Errorf("storage: create meeting %d: %w", id, err)
	}
	return m, nil
}

// FindMeeting returns a meeting, or ErrNotFound.
func (s *Store) FindMeeting(ctx context.Context, id int64) (Meeting, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Meeting{}, fmt.Errorf("storage: find meeting %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	m, err := findMeeting(ctx, tx, `where m.id = $1`, id)
	if err != nil {
		return Meeting{}, fmt.Errorf("storage: find meeting %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Meeting{}, fmt.Errorf("storage: find meeting %d: %w", id, err)
	}
	return m, nil
}

// DraftMeetingOf returns the latest draft meeting created by the person,
// or ErrNotFound.
func (s *Store) DraftMeetingOf(ctx context.Context, personID int64) (Meeting, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Meeting{}, fmt.Errorf("storage: draft meeting of %d: %w", personID, err)
	}
	defer tx.Rollback(ctx)

	m, err := findMeeting(ctx, tx, `where m.status = 'draft' and m.created_by = $1
		order by m.created_at desc, m.id desc limit 1`, personID)
	if err != nil {
		return Meeting{}, fmt.Errorf("storage: draft meeting of %d: %w", personID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Meeting{}, fmt.Errorf("storage: draft meeting of %d: %w", personID, err)
	}
	return m, nil
}

// UpdateMeeting changes the kind, StartsAt, place and link of a draft or
// sent meeting (the rest of m is ignored) and returns it as stored. When
// the meeting was sent and StartsAt changed, Version goes up by one and
// every invitee's RSVP is reset to none (reason and rsvp_at cleared):
// they are asked again, and rsvpReset is true. It returns ErrNotFound for
// an unknown meeting, ErrConflict for a held or cancelled one, and
// ErrInvalid for an unknown kind, a zero StartsAt, or a sent meeting left
// with neither place nor link.
func (s *Store) UpdateMeeting(ctx context.Context, actorID int64, m Meeting) (_ Meeting, rsvpReset bool, _ error) {
	if err := checkMeetingTime(m); err != nil {
		return Meeting{}, false, fmt.Errorf("storage: update meeting %d: %w", m.ID, err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Meeting{}, false, fmt.Errorf("storage: update meeting %d: %w", m.ID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	m, rsvpReset, changed, err := updateMeeting(ctx, tx, m)
	if err != nil {
		return Meeting{}, false, fmt.Errorf("storage: update meeting %d: %w", m.ID, err)
	}
	if len(changed) == 0 {
		return m, false, nil
	}
	detail := map[string]any{"changed": changed, "version": m.Version}
	if err := logAction(ctx, tx, now, actorID, "meeting.update", "meeting", m.ID, detail); err != nil {
		return Meeting{}, false, fmt.Errorf("storage: update meeting %d: %w", m.ID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Meeting{}, false, fmt.Errorf("storage: update meeting %d: %w", m.ID, err)
	}
	return m, rsvpReset, nil
}

// CancelMeeting sets a draft or sent meeting cancelled and returns it. It
// returns ErrNotFound for an unknown meeting and ErrConflict for a held or
// cancelled one.
func (s *Store) CancelMeeting(ctx context.Context, actorID, id int64) (Meeting, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Meeting{}, fmt.Errorf("storage: cancel meeting %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	if _, err := lockMeeting(ctx, tx, id, MeetingDraft, MeetingSent); err != nil {
		return Meeting{}, fmt.Errorf("storage: cancel meeting %d: %w", id, err)
	}
	if _, err := tx.Exec(ctx, `update meetings set status = 'cancelled', cancelled_at = $2 where id = $1`, id, now); err != nil {
		return Meeting{}, fmt.Errorf("storage: cancel meeting %d: %w", id, err)
	}
	m, err := findMeeting(ctx, tx, `where m.id = $1`, id)
	if err != nil {
		return Meeting{}, fmt.Errorf("storage: cancel meeting %d: %w", id, err)
	}
	if err := logAction(ctx, tx, now, actorID, "meeting.cancel", "meeting", id, nil); err != nil {
		return Meeting{}, fmt.Errorf("storage: cancel meeting %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Meeting{}, fmt.Errorf("storage: cancel meeting %d: %w", id, err)
	}
	return m, nil
}

// AddAgendaItem appends an item to a meeting's agenda (position = last +
// 1) and returns it; on a sent meeting the change is recorded as not yet
// announced (Meeting.AgendaChangedAt). It returns ErrInvalid for an empty
// title, ErrNotFound for an unknown meeting and ErrConflict for a held or
// cancelled one.
func (s *Store) AddAgendaItem(ctx context.Context, actorID, meetingID int64, title, speaker string) (AgendaItem, error) {
	title = strings.TrimSpace(title)
	if title == "" {
		return AgendaItem{}, fmt.Errorf("storage: add agenda item to meeting %d: empty title: %w", meetingID, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return AgendaItem{}, fmt.Errorf("storage: add agenda item to meeting %d: %w", meetingID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := lockMeeting(ctx, tx, meetingID, MeetingDraft, MeetingSent); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: add agenda item to meeting %d: %w", meetingID, err)
	}
	var id int64
	if err := tx.QueryRow(ctx, `
		insert into agenda_items (meeting_id, position, title, speaker)
		select $1, coalesce(max(position), 0) + 1, $2, $3 from agenda_items where meeting_id = $1
		returning id`, meetingID, title, strings.TrimSpace(speaker)).Scan(&id); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: add agenda item to meeting %d: %w", meetingID, err)
	}
	item, err := findAgendaItem(ctx, tx, id, false)
	if err != nil {
		return AgendaItem{}, fmt.Errorf("storage: add agenda item %d: %w", id, err)
	}
	if err := agendaChanged(ctx, tx, s.now(), meetingID); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: add agenda item %d: %w", id, err)
	}
	if err := logAction(ctx, tx, s.now(), actorID, "agenda_item.add", "agenda_item", id, map[string]any{"meeting_id": meetingID}); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: add agenda item %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: add agenda item %d: %w", id, err)
	}
	return item, nil
}

// UpdateAgendaItem changes an item's title and speaker (the rest of item
// is ignored) and returns it as stored; on a sent meeting a change is
// recorded as not yet announced. It returns ErrInvalid for an empty
// title, ErrNotFound for an unknown item, and ErrConflict once a decision
// is recorded on it or its meeting is held or cancelled.
func (s *Store) UpdateAgendaItem(ctx context.Context, actorID int64, item AgendaItem) (AgendaItem, error) {
	title := strings.TrimSpace(item.Title)
	if title == "" {
		return AgendaItem{}, fmt.Errorf("storage: update agenda item %d: empty title: %w", item.ID, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return AgendaItem{}, fmt.Errorf("storage: update agenda item %d: %w", item.ID, err)
	}
	defer tx.Rollback(ctx)

	old, err := lockEditableItem(ctx, tx, item.ID)
	if err != nil {
		return AgendaItem{}, fmt.Errorf("storage: update agenda item %d: %w", item.ID, err)
	}
	speaker := strings.TrimSpace(item.Speaker)
	if title == old.Title && speaker == old.Speaker {
		return old, nil
	}
	if _, err := tx.Exec(ctx, `update agenda_items set title = $2, speaker = $3 where id = $1`,
		item.ID, title, speaker); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: update agenda item %d: %w", item.ID, err)
	}
	if item, err = findAgendaItem(ctx, tx, item.ID, false); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: update agenda item %d: %w", old.ID, err)
	}
	if err := agendaChanged(ctx, tx, s.now(), item.MeetingID); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: update agenda item %d: %w", item.ID, err)
	}
	if err := logAction(ctx, tx, s.now(), actorID, "agenda_item.update", "agenda_item", item.ID, map[string]any{"meeting_id": item.MeetingID}); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: update agenda item %d: %w", item.ID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: update agenda item %d: %w", item.ID, err)
	}
	return item, nil
}

// DeleteAgendaItem removes an item and renumbers the rest of its meeting's
// agenda 1..n; on a sent meeting the change is recorded as not yet
// announced. It returns ErrNotFound for an unknown item, and ErrConflict
// once a decision is recorded on it or its meeting is held or cancelled.
func (s *Store) DeleteAgendaItem(ctx context.Context, actorID, itemID int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: delete agenda item %d: %w", itemID, err)
	}
	defer tx.Rollback(ctx)

	item, err := lockEditableItem(ctx, tx, itemID)
	if err != nil {
		return fmt.Errorf("storage: delete agenda item %d: %w", itemID, err)
	}
	if _, err := tx.Exec(ctx, `delete from agenda_items where id = $1`, itemID); err != nil {
		return fmt.Errorf("storage: delete agenda item %d: %w", itemID, err)
	}
	// The positions are unique only at commit, so they can be shifted in
	// any order.
	if _, err := tx.Exec(ctx, `
		update agenda_items i set position = r.n
		from (select id, row_number() over (order by position, id) as n
		      from agenda_items where meeting_id = $1) r
		where i.id = r.id and i.position <> r.n`, item.MeetingID); err != nil {
		return fmt.Errorf("storage: delete agenda item %d: renumber: %w", itemID, err)
	}
	if err := agendaChanged(ctx, tx, s.now(), item.MeetingID); err != nil {
		return fmt.Errorf("storage: delete agenda item %d: %w", itemID, err)
	}
	if err := logAction(ctx, tx, s.now(), actorID, "agenda_item.delete", "agenda_item", itemID, map[string]any{"meeting_id": item.MeetingID}); err != nil {
		return fmt.Errorf("storage: delete agenda item %d: %w", itemID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: delete agenda item %d: %w", itemID, err)
	}
	return nil
}

// FindAgendaItem returns an agenda item, or ErrNotFound.
func (s *Store) FindAgendaItem(ctx context.Context, itemID int64) (AgendaItem, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return AgendaItem{}, fmt.Errorf("storage: find agenda item %d: %w", itemID, err)
	}
	defer tx.Rollback(ctx)

	item, err := findAgendaItem(ctx, tx, itemID, false)
	if err != nil {
		return AgendaItem{}, fmt.Errorf("storage: find agenda item %d: %w", itemID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: find agenda item %d: %w", itemID, err)
	}
	return item, nil
}

// ListAgenda returns a meeting's agenda items by position (none for an
// unknown meeting).
func (s *Store) ListAgenda(ctx context.Context, meetingID int64) ([]AgendaItem, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: list agenda of meeting %d: %w", meetingID, err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `select `+agendaColumns+` from agenda_items i
		where i.meeting_id = $1 order by i.position`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("storage: list agenda of meeting %d: %w", meetingID, err)
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[AgendaItem])
	if err != nil {
		return nil, fmt.Errorf("storage: list agenda of meeting %d: %w", meetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: list agenda of meeting %d: %w", meetingID, err)
	}
	return items, nil
}

// AddMaterial attaches a stored attachment to a meeting's notice under a
// name (the attachment's own name when empty) and Telegram's file id, at
// the next position; the same attachment twice is a no-op. It returns
// ErrNotFound for an unknown meeting or attachment and ErrConflict for a
// held or cancelled meeting.
func (s *Store) AddMaterial(ctx context.Context, actorID, meetingID, attachmentID int64, name, fileID string) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: add material to meeting %d: %w", meetingID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := lockMeeting(ctx, tx, meetingID, MeetingDraft, MeetingSent); err != nil {
		return fmt.Errorf("storage: add material to meeting %d: %w", meetingID, err)
	}
	tag, err := tx.Exec(ctx, `
		insert into meeting_materials (meeting_id, attachment_id, position, name, file_id)
		select $1, a.id,
		       (select coalesce(max(position), 0) + 1 from meeting_materials where meeting_id = $1),
		       coalesce(nullif($3, ''), a.name), $4
		from attachments a where a.id = $2
		on conflict (meeting_id, attachment_id) do nothing`,
		meetingID, attachmentID, strings.TrimSpace(name), strings.TrimSpace(fileID))
	if err != nil {
		return fmt.Errorf("storage: add material to meeting %d: %w", meetingID, err)
	}
	if tag.RowsAffected() == 0 {
		if err := attachmentExists(ctx, tx, attachmentID); err != nil {
			return fmt.Errorf("storage: add material to meeting %d: %w", meetingID, err)
		}
		return nil
	}
	if err := logAction(ctx, tx, s.now(), actorID, "meeting.material", "meeting", meetingID, map[string]any{"attachment_id": attachmentID}); err != nil {
		return fmt.Errorf("storage: add material to meeting %d: %w", meetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: add material to meeting %d: %w", meetingID, err)
	}
	return nil
}

// ListMaterials returns a meeting's materials by position.
func (s *Store) ListMaterials(ctx context.Context, meetingID int64) ([]Material, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: list materials of meeting %d: %w", meetingID, err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `select meeting_id, attachment_id, position, name, file_id
		from meeting_materials where meeting_id = $1 order by position, attachment_id`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("storage: list materials of meeting %d: %w", meetingID, err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Material])
	if err != nil {
		return nil, fmt.Errorf("storage: list materials of meeting %d: %w", meetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: list materials of meeting %d: %w", meetingID, err)
	}
	return list, nil
}

// AddGuest invites a registered person to a meeting as a guest (role
// advisory or guest); inviting again changes the role. It works on drafts
// and sent meetings (a guest added after sending has delivery pending).
// It returns ErrInvalid for a member role (or any other) and for a person
// on the presidium list or invited as a member (they are invited anyway);
// ErrNotFound for an unknown meeting or an unknown or forgotten person;
// ErrConflict for a held or cancelled meeting.
func (s *Store) AddGuest(ctx context.Context, actorID, meetingID, personID int64, role InviteeRole) error {
	if role != InviteeAdvisory && role != InviteeGuest {
		return fmt.Errorf("storage: add guest %d to meeting %d: role %q: %w", personID, meetingID, role, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: add guest %d to meeting %d: %w", personID, meetingID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := lockMeeting(ctx, tx, meetingID, MeetingDraft, MeetingSent); err != nil {
		return fmt.Errorf("storage: add guest %d to meeting %d: %w", personID, meetingID, err)
	}
	if err := addGuest(ctx, tx, meetingID, personID, role); err != nil {
		return fmt.Errorf("storage: add guest %d to meeting %d: %w", personID, meetingID, err)
	}
	detail := map[string]any{"person_id": personID, "role": string(role)}
	if err := logAction(ctx, tx, s.now(), actorID, "meeting.guest_add", "meeting", meetingID, detail); err != nil {
		return fmt.Errorf("storage: add guest %d to meeting %d: %w", personID, meetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: add guest %d to meeting %d: %w", personID, meetingID, err)
	}
	return nil
}

// RemoveGuest removes a guest from a meeting's invitees. It returns
// ErrInvalid for a member, ErrNotFound for an unknown meeting or a person
// not invited, and ErrConflict for a held or cancelled meeting (its list
// is the record of who was there).
func (s *Store) RemoveGuest(ctx context.Context, actorID, meetingID, personID int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: remove guest %d from meeting %d: %w", personID, meetingID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := lockMeeting(ctx, tx, meetingID, MeetingDraft, MeetingSent); err != nil {
		return fmt.Errorf("storage: remove guest %d from meeting %d: %w", personID, meetingID, err)
	}
	var role InviteeRole
	err = tx.QueryRow(ctx, `delete from meeting_invitees where meeting_id = $1 and person_id = $2
		returning role`, meetingID, personID).Scan(&role)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("storage: remove guest %d from meeting %d: %w", personID, meetingID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("storage: remove guest %d from meeting %d: %w", personID, meetingID, err)
	}
	if role == InviteeMember {
		// The deferred rollback puts the member back.
		return fmt.Errorf("storage: remove guest %d from meeting %d: a member: %w", personID, meetingID, ErrInvalid)
	}
	if err := logAction(ctx, tx, s.now(), actorID, "meeting.guest_remove", "meeting", meetingID, map[string]any{"person_id": personID}); err != nil {
		return fmt.Errorf("storage: remove guest %d from meeting %d: %w", personID, meetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: remove guest %d from meeting %d: %w", personID, meetingID, err)
	}
	return nil
}

// SearchPeople returns up to limit registered, not forgotten people whose
// name contains every word of query (case-insensitive), by name. An empty
// query matches everyone; a limit below one matches no one.
func (s *Store) SearchPeople(ctx context.Context, query string, limit int) ([]Person, error) {
	if limit < 1 {
		return nil, nil
	}
	words := strings.Fields(query)
	if words == nil {
		words = []string{}
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: search people: %w", err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `select `+personColumns+` from people p
		where p.forgotten_at is null
		  and not exists (select 1 from unnest($1::text[]) w
		                  where strpos(lower(p.full_name), lower(w)) = 0)
		order by p.full_name, p.id
		limit $2`, words, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: search people: %w", err)
	}
	people, err := pgx.CollectRows(rows, pgx.RowToStructByName[Person])
	if err != nil {
		return nil, fmt.Errorf("storage: search people: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: search people: %w", err)
	}
	return people, nil
}

// PresidiumSize counts the presidium list as SendMeeting takes it: the
// people, not forgotten, holding the presidium or chair role.
func (s *Store) PresidiumSize(ctx context.Context) (int, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("storage: presidium size: %w", err)
	}
	defer tx.Rollback(ctx)

	var n int
	if err := tx.QueryRow(ctx, `select count(*) from people p where `+presidiumWhere).Scan(&n); err != nil {
		return 0, fmt.Errorf("storage: presidium size: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("storage: presidium size: %w", err)
	}
	return n, nil
}

// SendMeeting fixes the invitee list and marks the meeting sent: every
// not forgotten person holding the presidium or chair role becomes a
// member invitee (a guest who is a member becomes a member), all invitees
// with delivery pending. It returns the invitees, as ListInvitees. It
// returns ErrNotFound for an unknown meeting, ErrConflict unless it is a
// draft, and ErrInvalid with no agenda item, neither place nor link, or an
// empty presidium list.
func (s *Store) SendMeeting(ctx context.Context, actorID, meetingID int64) ([]Invitee, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: send meeting %d: %w", meetingID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	if err := sendMeeting(ctx, tx, now, meetingID); err != nil {
		return nil, fmt.Errorf("storage: send meeting %d: %w", meetingID, err)
	}
	list, err := listInvitees(ctx, tx, `where v.meeting_id = $1 `+inviteeOrder, meetingID)
	if err != nil {
		return nil, fmt.Errorf("storage: send meeting %d: %w", meetingID, err)
	}
	if err := logAction(ctx, tx, now, actorID, "meeting.send", "meeting", meetingID, map[string]any{"invitees": len(list)}); err != nil {
		return nil, fmt.Errorf("storage: send meeting %d: %w", meetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: send meeting %d: %w", meetingID, err)
	}
	return list, nil
}

// ListInvitees returns a meeting's invitees: members first, then guests,
// each by name, with their name and Telegram id joined from people.
func (s *Store) ListInvitees(ctx context.Context, meetingID int64) ([]Invitee, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: list invitees of meeting %d: %w", meetingID, err)
	}
	defer tx.Rollback(ctx)

	list, err := listInvitees(ctx, tx, `where v.meeting_id = $1 `+inviteeOrder, meetingID)
	if err != nil {
		return nil, fmt.Errorf("storage: list invitees of meeting %d: %w", meetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: list invitees of meeting %d: %w", meetingID, err)
	}
	return list, nil
}

// FindInvitee returns one invitee of a meeting, or ErrNotFound when the
// person is not invited.
func (s *Store) FindInvitee(ctx context.Context, meetingID, personID int64) (Invitee, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Invitee{}, fmt.Errorf("storage: find invitee %d of meeting %d: %w", personID, meetingID, err)
	}
	defer tx.Rollback(ctx)

	v, err := findInvitee(ctx, tx, meetingID, personID)
	if err != nil {
		return Invitee{}, fmt.Errorf("storage: find invitee %d of meeting %d: %w", personID, meetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Invitee{}, fmt.Errorf("storage: find invitee %d of meeting %d: %w", personID, meetingID, err)
	}
	return v, nil
}

// SetDelivery records the fate of the notice (or update) sent to an
// invitee; the system is the actor. It returns ErrInvalid for an unknown
// status and ErrNotFound when the person is not invited.
func (s *Store) SetDelivery(ctx context.Context, meetingID, personID int64, d DeliveryStatus) error {
	switch d {
	case DeliveryPending, DeliverySent, DeliveryBlocked, DeliveryNoChat, DeliveryFailed:
	default:
		return fmt.Errorf("storage: set delivery to %d of meeting %d: status %q: %w", personID, meetingID, d, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: set delivery to %d of meeting %d: %w", personID, meetingID, err)
	}
	defer tx.Rollback(ctx)

	tag, err := tx.Exec(ctx, `update meeting_invitees set delivery = $3
		where meeting_id = $1 and person_id = $2`, meetingID, personID, d)
	if err != nil {
		return fmt.Errorf("storage: set delivery to %d of meeting %d: %w", personID, meetingID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("storage: set delivery to %d of meeting %d: %w", personID, meetingID, ErrNotFound)
	}
	detail := map[string]any{"person_id": personID, "delivery": string(d)}
	if err := logAction(ctx, tx, s.now(), 0, "meeting.delivery", "meeting", meetingID, detail); err != nil {
		return fmt.Errorf("storage: set delivery to %d of meeting %d: %w", personID, meetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: set delivery to %d of meeting %d: %w", personID, meetingID, err)
	}
	return nil
}

// SetRSVP records an invitee's answer (RSVPYes, RSVPOnline or RSVPNo; the
// reason is kept only with RSVPNo) at the clock's now and returns the
// invitee; the invitee is the actor. It returns ErrInvalid for another
// answer, ErrNotFound for an unknown meeting or a person not invited, and
// ErrConflict unless the meeting is sent (not a draft, held or cancelled).
func (s *Store) SetRSVP(ctx context.Context, meetingID, personID int64, r RSVP, reason string) (Invitee, error) {
	switch r {
	case RSVPYes, RSVPOnline:
		reason = ""
	case RSVPNo:
		reason = strings.TrimSpace(reason)
	default:
		return Invitee{}, fmt.Errorf("storage: rsvp of %d to meeting %d: answer %q: %w", personID, meetingID, r, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Invitee{}, fmt.Errorf("storage: rsvp of %d to meeting %d: %w", personID, meetingID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	// A share lock: answers go in side by side, but not while the date
	// changes (which asks everyone again) or the meeting is cancelled.
	m, err := findMeeting(ctx, tx, `where m.id = $1 for share`, meetingID)
	if err != nil {
		return Invitee{}, fmt.Errorf("storage: rsvp of %d to meeting %d: %w", personID, meetingID, err)
	}
	if m.Status != MeetingSent {
		return Invitee{}, fmt.Errorf("storage: rsvp of %d to meeting %d: meeting %s: %w", personID, meetingID, m.Status, ErrConflict)
	}
	tag, err := tx.Exec(ctx, `update meeting_invitees set rsvp = $3, reason = $4, rsvp_at = $5
		where meeting_id = $1 and person_id = $2`, meetingID, personID, r, reason, now)
	if err != nil {
		return Invitee{}, fmt.Errorf("storage: rsvp of %d to meeting %d: %w", personID, meetingID, err)
	}
	if tag.RowsAffected() == 0 {
		return Invitee{}, fmt.Errorf("storage: rsvp of %d to meeting %d: %w", personID, meetingID, ErrNotFound)
	}
	v, err := findInvitee(ctx, tx, meetingID, personID)
	if err != nil {
		return Invitee{}, fmt.Errorf("storage: rsvp of %d to meeting %d: %w", personID, meetingID, err)
	}
	detail := map[string]any{"rsvp": string(r), "version": m.Version}
	if err := logAction(ctx, tx, now, personID, "meeting.rsvp", "meeting", meetingID, detail); err != nil {
		return Invitee{}, fmt.Errorf("storage: rsvp of %d to meeting %d: %w", personID, meetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Invitee{}, fmt.Errorf("storage: rsvp of %d to meeting %d: %w", personID, meetingID, err)
	}
	return v, nil
}

// SetPresent marks one invitee (member or guest) present or absent. It
// returns ErrNotFound for an unknown meeting or a person not invited, and
// ErrConflict for a draft or cancelled meeting (sent and held are fine, so
// the list can be corrected after).
func (s *Store) SetPresent(ctx context.Context, actorID, meetingID, personID int64, present bool) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: set present %d at meeting %d: %w", personID, meetingID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := lockMeeting(ctx, tx, meetingID, MeetingSent, MeetingHeld); err != nil {
		return fmt.Errorf("storage: set present %d at meeting %d: %w", personID, meetingID, err)
	}
	tag, err := tx.Exec(ctx, `update meeting_invitees set present = $3
		where meeting_id = $1 and person_id = $2`, meetingID, personID, present)
	if err != nil {
		return fmt.Errorf("storage: set present %d at meeting %d: %w", personID, meetingID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("storage: set present %d at meeting %d: %w", personID, meetingID, ErrNotFound)
	}
	detail := map[string]any{"person_id": personID, "present": present}
	if err := logAction(ctx, tx, s.now(), actorID, "meeting.present", "meeting", meetingID, detail); err != nil {
		return fmt.Errorf("storage: set present %d at meeting %d: %w", personID, meetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: set present %d at meeting %d: %w", personID, meetingID, err)
	}
	return nil
}

// MarkHeld sets a sent meeting held (held_at now): members not marked
// present are recorded absent. Holding again is a no-op returning the
// meeting. It returns ErrNotFound for an unknown meeting and ErrConflict
// for a draft or cancelled one.
func (s *Store) MarkHeld(ctx context.Context, actorID, meetingID int64) (Meeting, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Meeting{}, fmt.Errorf("storage: mark meeting %d held: %w", meetingID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	m, err := lockMeeting(ctx, tx, meetingID, MeetingSent, MeetingHeld)
	if err != nil {
		return Meeting{}, fmt.Errorf("storage: mark meeting %d held: %w", meetingID, err)
	}
	if m.Status == MeetingHeld {
		return m, nil
	}
	if _, err := tx.Exec(ctx, `update meeting_invitees set present = false
		where meeting_id = $1 and role = 'member' and present is null`, meetingID); err != nil {
		return Meeting{}, fmt.Errorf("storage: mark meeting %d held: %w", meetingID, err)
	}
	if _, err := tx.Exec(ctx, `update meetings set status = 'held', held_at = $2 where id = $1`, meetingID, now); err != nil {
		return Meeting{}, fmt.Errorf("storage: mark meeting %d held: %w", meetingID, err)
	}
	var present int
	if err := tx.QueryRow(ctx, `select count(*) from meeting_invitees
		where meeting_id = $1 and role = 'member' and present`, meetingID).Scan(&present); err != nil {
		return Meeting{}, fmt.Errorf("storage: mark meeting %d held: %w", meetingID, err)
	}
	if m, err = findMeeting(ctx, tx, `where m.id = $1`, meetingID); err != nil {
		return Meeting{}, fmt.Errorf("storage: mark meeting %d held: %w", meetingID, err)
	}
	if err := logAction(ctx, tx, now, actorID, "meeting.held", "meeting", meetingID, map[string]any{"present": present}); err != nil {
		return Meeting{}, fmt.Errorf("storage: mark meeting %d held: %w", meetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Meeting{}, fmt.Errorf("storage: mark meeting %d held: %w", meetingID, err)
	}
	return m, nil
}

// RecordDecision records an agenda item's decision and votes and returns
// the item; recording again replaces. present is the count of members
// present as the flow saw it; adopted is votesFor*2 >= present (half of
// those present is enough). It returns ErrNotFound for an unknown item;
// ErrConflict unless the meeting is held; ErrInvalid for an empty
// decision, a negative count, no member present, a present count that is
// not the number of members marked present, or votes summing to more
// than present.
func (s *Store) RecordDecision(ctx context.Context, actorID, itemID int64, decision string, votesFor, against, abstain, present int) (AgendaItem, error) {
	decision = strings.TrimSpace(decision)
	switch {
	case decision == "":
		return AgendaItem{}, fmt.Errorf("storage: record decision on %d: empty decision: %w", itemID, ErrInvalid)
	case votesFor < 0 || against < 0 || abstain < 0 || present < 0:
		return AgendaItem{}, fmt.Errorf("storage: record decision on %d: negative count: %w", itemID, ErrInvalid)
	case present == 0:
		return AgendaItem{}, fmt.Errorf("storage: record decision on %d: no member present: %w", itemID, ErrInvalid)
	case votesFor+against+abstain > present:
		return AgendaItem{}, fmt.Errorf("storage: record decision on %d: %d votes of %d present: %w",
			itemID, votesFor+against+abstain, present, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return AgendaItem{}, fmt.Errorf("storage: record decision on %d: %w", itemID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	item, err := findAgendaItem(ctx, tx, itemID, false)
	if err != nil {
		return AgendaItem{}, fmt.Errorf("storage: record decision on %d: %w", itemID, err)
	}
	if _, err := lockMeeting(ctx, tx, item.MeetingID, MeetingHeld); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: record decision on %d: %w", itemID, err)
	}
	var marked int
	if err := tx.QueryRow(ctx, `select count(*) from meeting_invitees
		where meeting_id = $1 and role = 'member' and present`, item.MeetingID).Scan(&marked); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: record decision on %d: %w", itemID, err)
	}
	if marked != present {
		return AgendaItem{}, fmt.Errorf("storage: record decision on %d: %d present, %d marked: %w", itemID, present, marked, ErrInvalid)
	}
	adopted := votesFor*2 >= present
	if _, err := tx.Exec(ctx, `
		update agenda_items set decision = $2, votes_for = $3, votes_against = $4, votes_abstain = $5,
		                        adopted = $6, decided_at = $7
		where id = $1`, itemID, decision, votesFor, against, abstain, adopted, now); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: record decision on %d: %w", itemID, err)
	}
	if item, err = findAgendaItem(ctx, tx, itemID, false); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: record decision on %d: %w", itemID, err)
	}
	detail := map[string]any{"meeting_id": item.MeetingID, "for": votesFor, "against": against,
		"abstain": abstain, "present": present, "adopted": adopted}
	if err := logAction(ctx, tx, now, actorID, "agenda_item.decide", "agenda_item", itemID, detail); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: record decision on %d: %w", itemID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: record decision on %d: %w", itemID, err)
	}
	return item, nil
}

// DecisionTasks returns the ids of the tasks given to carry out an agenda
// item's decision, in the order they were created (none for an unknown
// item).
func (s *Store) DecisionTasks(ctx context.Context, itemID int64) ([]int64, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: tasks of decision %d: %w", itemID, err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `select task_id from decision_tasks where item_id = $1 order by task_id`, itemID)
	if err != nil {
		return nil, fmt.Errorf("storage: tasks of decision %d: %w", itemID, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("storage: tasks of decision %d: %w", itemID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: tasks of decision %d: %w", itemID, err)
	}
	return ids, nil
}

// AddMinutesFile appends a page or file of the signed minutes (f.Position
// is ignored: it goes last); the same attachment twice is a no-op. It
// returns ErrInvalid for a kind other than "photo" or "document";
// ErrNotFound for an unknown meeting or attachment; ErrConflict unless the
// meeting is held, or once the minutes are sent.
func (s *Store) AddMinutesFile(ctx context.Context, actorID int64, f MinutesFile) error {
	if f.Kind != "photo" && f.Kind != "document" {
		return fmt.Errorf("storage: add minutes file to meeting %d: kind %q: %w", f.MeetingID, f.Kind, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: add minutes file to meeting %d: %w", f.MeetingID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := lockMinutes(ctx, tx, f.MeetingID); err != nil {
		return fmt.Errorf("storage: add minutes file to meeting %d: %w", f.MeetingID, err)
	}
	tag, err := tx.Exec(ctx, `
		insert into meeting_minutes_files (meeting_id, attachment_id, position, kind, name, file_id)
		select $1, a.id,
		       (select coalesce(max(position), 0) + 1 from meeting_minutes_files where meeting_id = $1),
		       $3, coalesce(nullif($4, ''), a.name), $5
		from attachments a where a.id = $2
		on conflict (meeting_id, attachment_id) do nothing`,
		f.MeetingID, f.AttachmentID, f.Kind, strings.TrimSpace(f.Name), strings.TrimSpace(f.FileID))
	if err != nil {
		return fmt.Errorf("storage: add minutes file to meeting %d: %w", f.MeetingID, err)
	}
	if tag.RowsAffected() == 0 {
		if err := attachmentExists(ctx, tx, f.AttachmentID); err != nil {
			return fmt.Errorf("storage: add minutes file to meeting %d: %w", f.MeetingID, err)
		}
		return nil
	}
	detail := map[string]any{"attachment_id": f.AttachmentID, "kind": f.Kind}
	if err := logAction(ctx, tx, s.now(), actorID, "meeting.minutes_file", "meeting", f.MeetingID, detail); err != nil {
		return fmt.Errorf("storage: add minutes file to meeting %d: %w", f.MeetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: add minutes file to meeting %d: %w", f.MeetingID, err)
	}
	return nil
}

// ListMinutesFiles returns the signed minutes' files of a meeting by
// position.
func (s *Store) ListMinutesFiles(ctx context.Context, meetingID int64) ([]MinutesFile, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: list minutes of meeting %d: %w", meetingID, err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `select meeting_id, attachment_id, position, kind, name, file_id
		from meeting_minutes_files where meeting_id = $1 order by position, attachment_id`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("storage: list minutes of meeting %d: %w", meetingID, err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[MinutesFile])
	if err != nil {
		return nil, fmt.Errorf("storage: list minutes of meeting %d: %w", meetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: list minutes of meeting %d: %w", meetingID, err)
	}
	return list, nil
}

// ClearMinutesFiles removes the minutes' files uploaded so far, and the
// attachments nothing else refers to. It returns ErrNotFound for an
// unknown meeting and ErrConflict unless the meeting is held, or once the
// minutes are sent.
func (s *Store) ClearMinutesFiles(ctx context.Context, actorID, meetingID int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: clear minutes of meeting %d: %w", meetingID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := lockMinutes(ctx, tx, meetingID); err != nil {
		return fmt.Errorf("storage: clear minutes of meeting %d: %w", meetingID, err)
	}
	rows, err := tx.Query(ctx, `delete from meeting_minutes_files where meeting_id = $1 returning attachment_id`, meetingID)
	if err != nil {
		return fmt.Errorf("storage: clear minutes of meeting %d: %w", meetingID, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("storage: clear minutes of meeting %d: %w", meetingID, err)
	}
	if len(ids) == 0 {
		return nil
	}
	if _, err := deleteOrphanAttachments(ctx, tx, ids); err != nil {
		return fmt.Errorf("storage: clear minutes of meeting %d: %w", meetingID, err)
	}
	if err := logAction(ctx, tx, s.now(), actorID, "meeting.minutes_clear", "meeting", meetingID, map[string]any{"files": len(ids)}); err != nil {
		return fmt.Errorf("storage: clear minutes of meeting %d: %w", meetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: clear minutes of meeting %d: %w", meetingID, err)
	}
	return nil
}

// MarkMinutesSent sets a held meeting's minutes_sent_at to now and returns
// the meeting. It returns ErrNotFound for an unknown meeting, ErrInvalid
// with no minutes file, and ErrConflict when the minutes were sent already
// or the meeting is not held.
//
// Every invitee's delivery is set back to pending with it, for the
// minutes' broadcast, and the minutes are entered in the documents
// journal as an outgoing document with their first file.
func (s *Store) MarkMinutesSent(ctx context.Context, actorID, meetingID int64) (Meeting, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Meeting{}, fmt.Errorf("storage: mark minutes of meeting %d sent: %w", meetingID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	if _, err := lockMinutes(ctx, tx, meetingID); err != nil {
		return Meeting{}, fmt.Errorf("storage: mark minutes of meeting %d sent: %w", meetingID, err)
	}
	var files int
	if err := tx.QueryRow(ctx, `select count(*) from meeting_minutes_files where meeting_id = $1`, meetingID).Scan(&files); err != nil {
		return Meeting{}, fmt.Errorf("storage: mark minutes of meeting %d sent: %w", meetingID, err)
	}
	if files == 0 {
		return Meeting{}, fmt.Errorf("storage: mark minutes of meeting %d sent: no file: %w", meetingID, ErrInvalid)
	}
	if _, err := tx.Exec(ctx, `update meetings set minutes_sent_at = $2 where id = $1`, meetingID, now); err != nil {
		return Meeting{}, fmt.Errorf("storage: mark minutes of meeting %d sent: %w", meetingID, err)
	}
	// In the same transaction, so minutes marked sent always have their
	// broadcast's recipients waiting, whatever happens before it runs.
	if _, err := tx.Exec(ctx, `update meeting_invitees set delivery = 'pending' where meeting_id = $1`, meetingID); err != nil {
		return Meeting{}, fmt.Errorf("storage: mark minutes of meeting %d sent: %w", meetingID, err)
	}
	m, err := findMeeting(ctx, tx, `where m.id = $1`, meetingID)
	if err != nil {
		return Meeting{}, fmt.Errorf("storage: mark minutes of meeting %d sent: %w", meetingID, err)
	}
	if err := logAction(ctx, tx, now, actorID, "meeting.minutes_send", "meeting", meetingID, map[string]any{"files": files}); err != nil {
		return Meeting{}, fmt.Errorf("storage: mark minutes of meeting %d sent: %w", meetingID, err)
	}
	// The journal gets the minutes as an outgoing document in the same
	// transaction: the entry exists exactly when the minutes are sent.
	if _, err := journalMinutes(ctx, tx, now.In(s.loc()), actorID, m); err != nil {
		return Meeting{}, fmt.Errorf("storage: mark minutes of meeting %d sent: journal: %w", meetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Meeting{}, fmt.Errorf("storage: mark minutes of meeting %d sent: %w", meetingID, err)
	}
	return m, nil
}

// MeetingsBetween returns the meetings that are not drafts (sent, held or
// cancelled) starting in [from, to), by start.
func (s *Store) MeetingsBetween(ctx context.Context, from, to time.Time) ([]Meeting, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: meetings between: %w", err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `select `+meetingColumns+` from meetings m
		where m.status <> 'draft' and m.starts_at >= $1 and m.starts_at < $2
		order by m.starts_at, m.id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("storage: meetings between: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Meeting])
	if err != nil {
		return nil, fmt.Errorf("storage: meetings between: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: meetings between: %w", err)
	}
	return list, nil
}

// ClaimReminder claims one reminder of a meeting for a person (0 for the
// meeting as a whole): true the first time, false ever after, across
// replicas. A claim is not logged: the reminder it sends is the record. It
// returns ErrInvalid for an unknown reminder and ErrNotFound for an
// unknown meeting.
func (s *Store) ClaimReminder(ctx context.Context, meetingID, personID int64, kind MeetingReminder) (bool, error) {
	switch kind {
	case RemindNoAnswer, RemindDayBefore, RemindTwoHours, RemindQuorum, RemindMinutes3, RemindMinutes5:
	default:
		return false, fmt.Errorf("storage: claim reminder of meeting %d: kind %q: %w", meetingID, kind, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("storage: claim reminder of meeting %d: %w", meetingID, err)
	}
	defer tx.Rollback(ctx)

	tag, err := tx.Exec(ctx, `
		insert into meeting_reminders (meeting_id, person_id, kind, claimed_at)
		values ($1, $2, $3, $4)
		on conflict do nothing`, meetingID, personID, kind, s.now())
	if pgCode(err) == pgForeignKeyViolation {
		return false, fmt.Errorf("storage: claim reminder of meeting %d: %w", meetingID, ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("storage: claim reminder of meeting %d: %w", meetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("storage: claim reminder of meeting %d: %w", meetingID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ClaimNudge claims the secretary's «Напомнить» of a meeting for a local
// day (a date at midnight; its year, month and day are taken as they are
// in its own location): true once per meeting and day. It returns
// ErrNotFound for an unknown meeting.
func (s *Store) ClaimNudge(ctx context.Context, meetingID int64, day time.Time) (bool, error) {
	y, mo, d := day.Date()
	date := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("storage: claim nudge of meeting %d: %w", meetingID, err)
	}
	defer tx.Rollback(ctx)

	tag, err := tx.Exec(ctx, `
		insert into meeting_nudges (meeting_id, day, claimed_at) values ($1, $2, $3)
		on conflict do nothing`, meetingID, date, s.now())
	if pgCode(err) == pgForeignKeyViolation {
		return false, fmt.Errorf("storage: claim nudge of meeting %d: %w", meetingID, ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("storage: claim nudge of meeting %d: %w", meetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("storage: claim nudge of meeting %d: %w", meetingID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// PurgeMinutes deletes, for the meetings that started before before, the
// signed minutes' files and the materials, and then the attachments no
// longer referenced by anything (findings, other meetings), logging one
// action per meeting with the system as the actor. It returns how many
// files (minutes' files and materials) it removed per meeting id; meetings
// with nothing left to remove are absent.
func (s *Store) PurgeMinutes(ctx context.Context, before time.Time) (map[int64]int, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: purge minutes: %w", err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	rows, err := tx.Query(ctx, `
		select m.id from meetings m
		where m.starts_at < $1
		  and (exists (select 1 from meeting_minutes_files f where f.meeting_id = m.id)
		       or exists (select 1 from meeting_materials f where f.meeting_id = m.id))
		order by m.id
		for update`, before)
	if err != nil {
		return nil, fmt.Errorf("storage: purge minutes: %w", err)
	}
	meetingIDs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("storage: purge minutes: %w", err)
	}
	removed := make(map[int64]int)
	var attachmentIDs []int64
	for _, id := range meetingIDs {
		ids, err := purgeMeetingFiles(ctx, tx, id)
		if err != nil {
			return nil, fmt.Errorf("storage: purge minutes of meeting %d: %w", id, err)
		}
		if len(ids) == 0 {
			continue
		}
		removed[id] = len(ids)
		attachmentIDs = append(attachmentIDs, ids...)
		if err := logAction(ctx, tx, now, 0, "meeting.purge", "meeting", id, map[string]any{"files": len(ids)}); err != nil {
			return nil, fmt.Errorf("storage: purge minutes of meeting %d: %w", id, err)
		}
	}
	// The journal keeps the entry of the minutes (its number, date and
	// subject are the register), but not their file: it goes with them.
	if _, err := tx.Exec(ctx, `
		update journal_entries set attachment_id = null, file_kind = '', file_name = '', file_id = ''
		where source = 'minutes' and source_id = any($1)`, meetingIDs); err != nil {
		return nil, fmt.Errorf("storage: purge minutes: %w", err)
	}
	if _, err := deleteOrphanAttachments(ctx, tx, attachmentIDs); err != nil {
		return nil, fmt.Errorf("storage: purge minutes: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: purge minutes: %w", err)
	}
	return removed, nil
}

// Attendance counts, per person invited as a member to a held meeting
// starting in [from, to), the meetings held (Invited) and those attended
// (Present), by name (forgotten people, nameless, last).
func (s *Store) Attendance(ctx context.Context, from, to time.Time) ([]Attendance, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: attendance: %w", err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `
		select v.person_id, p.full_name, count(*)::integer as invited,
		       (count(*) filter (where v.present))::integer as present
		from meeting_invitees v
		join meetings m on m.id = v.meeting_id
		join people p on p.id = v.person_id
		where m.status = 'held' and m.starts_at >= $1 and m.starts_at < $2 and v.role = 'member'
		group by v.person_id, p.full_name
		order by p.full_name = '', p.full_name, v.person_id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("storage: attendance: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Attendance])
	if err != nil {
		return nil, fmt.Errorf("storage: attendance: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: attendance: %w", err)
	}
	return list, nil
}

// linkDecisionTask records that a task carries out the decision of an
// agenda item; linking again changes nothing. The error wraps ErrNotFound
// for an unknown item or task. It is called in the transaction that
// creates the task.
func linkDecisionTask(ctx context.Context, tx pgx.Tx, itemID, taskID int64) error {
	_, err := tx.Exec(ctx, `insert into decision_tasks (item_id, task_id) values ($1, $2)
		on conflict do nothing`, itemID, taskID)
	if pgCode(err) == pgForeignKeyViolation {
		return fmt.Errorf("decision %d, task %d: %w", itemID, taskID, ErrNotFound)
	}
	return err
}

// checkMeetingTime checks what every stored meeting has: a known kind and
// a start. The error wraps ErrInvalid.
func checkMeetingTime(m Meeting) error {
	if m.Kind != MeetingRegular && m.Kind != MeetingExtraordinary {
		return fmt.Errorf("kind %q: %w", m.Kind, ErrInvalid)
	}
	if m.StartsAt.IsZero() {
		return fmt.Errorf("no start: %w", ErrInvalid)
	}
	return nil
}

func findMeeting(ctx context.Context, tx pgx.Tx, where string, args ...any) (Meeting, error) {
	rows, err := tx.Query(ctx, `select `+meetingColumns+` from meetings m `+where, args...)
	if err != nil {
		return Meeting{}, err
	}
	m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Meeting])
	if errors.Is(err, pgx.ErrNoRows) {
		return Meeting{}, ErrNotFound
	}
	return m, err
}

// lockMeeting locks a meeting's row, so its agenda, invitees and status
// change one transaction at a time, and checks that its status is one of
// allowed. The error wraps ErrNotFound for an unknown meeting and
// ErrConflict for another status.
func lockMeeting(ctx context.Context, tx pgx.Tx, id int64, allowed ...MeetingStatus) (Meeting, error) {
	m, err := findMeeting(ctx, tx, `where m.id = $1 for update`, id)
	if err != nil {
		return Meeting{}, err
	}
	for _, st := range allowed {
		if m.Status == st {
			return m, nil
		}
	}
	return Meeting{}, fmt.Errorf("meeting %d %s: %w", id, m.Status, ErrConflict)
}

// lockMinutes locks a held meeting whose minutes are not sent yet. The
// error wraps ErrNotFound or ErrConflict.
func lockMinutes(ctx context.Context, tx pgx.Tx, id int64) (Meeting, error) {
	m, err := lockMeeting(ctx, tx, id, MeetingHeld)
	if err != nil {
		return Meeting{}, err
	}
	if !m.MinutesSentAt.IsZero() {
		return Meeting{}, fmt.Errorf("meeting %d: minutes sent: %w", id, ErrConflict)
	}
	return m, nil
}

// updateMeeting applies UpdateMeeting to a locked meeting. It returns the
// meeting as stored, whether the answers were reset, and the names of the
// fields changed (none: nothing was written).
func updateMeeting(ctx context.Context, tx pgx.Tx, m Meeting) (Meeting, bool, []string, error) {
	old, err := lockMeeting(ctx, tx, m.ID, MeetingDraft, MeetingSent)
	if err != nil {
		return m, false, nil, err
	}
	m.StartsAt = m.StartsAt.Round(time.Microsecond)
	m.Place = strings.TrimSpace(m.Place)
	m.Link = strings.TrimSpace(m.Link)
	if old.Status == MeetingSent && m.Place == "" && m.Link == "" {
		return m, false, nil, fmt.Errorf("sent without place or link: %w", ErrInvalid)
	}
	var changed []string
	if m.Kind != old.Kind {
		changed = append(changed, "kind")
	}
	moved := !m.StartsAt.Equal(old.StartsAt)
	if moved {
		changed = append(changed, "starts_at")
	}
	if m.Place != old.Place {
		changed = append(changed, "place")
	}
	if m.Link != old.Link {
		changed = append(changed, "link")
	}
	if len(changed) == 0 {
		return old, false, nil, nil
	}
	reset := moved && old.Status == MeetingSent
	if _, err := tx.Exec(ctx, `
		update meetings set kind = $2, starts_at = $3, place = $4, link = $5,
		                    version = version + case when $6 then 1 else 0 end
		where id = $1`, m.ID, m.Kind, m.StartsAt, m.Place, m.Link, reset); err != nil {
		return m, false, nil, err
	}
	if reset {
		if _, err := tx.Exec(ctx, `update meeting_invitees set rsvp = '', reason = '', rsvp_at = null
			where meeting_id = $1`, m.ID); err != nil {
			return m, false, nil, fmt.Errorf("reset answers: %w", err)
		}
		// The reminders before the meeting are due again before the new
		// date; the minutes' ones only follow a held meeting.
		if _, err := tx.Exec(ctx, `delete from meeting_reminders where meeting_id = $1
			and kind in ('no_answer', 'day_before', 'two_hours', 'quorum')`, m.ID); err != nil {
			return m, false, nil, fmt.Errorf("reset reminders: %w", err)
		}
	}
	m, err = findMeeting(ctx, tx, `where m.id = $1`, m.ID)
	return m, reset, changed, err
}

// findAgendaItem returns an item, locking its row when forUpdate. The
// error wraps ErrNotFound.
func findAgendaItem(ctx context.Context, tx pgx.Tx, id int64, forUpdate bool) (AgendaItem, error) {
	lock := ""
	if forUpdate {
		lock = " for update"
	}
	rows, err := tx.Query(ctx, `select `+agendaColumns+` from agenda_items i where i.id = $1`+lock, id)
	if err != nil {
		return AgendaItem{}, err
	}
	item, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[AgendaItem])
	if errors.Is(err, pgx.ErrNoRows) {
		return AgendaItem{}, ErrNotFound
	}
	return item, err
}

// lockEditableItem locks the draft or sent meeting of an item without a
// decision, then returns the item. The meeting is locked before the item,
// as everywhere. The error wraps ErrNotFound or ErrConflict.
func lockEditableItem(ctx context.Context, tx pgx.Tx, id int64) (AgendaItem, error) {
	item, err := findAgendaItem(ctx, tx, id, false)
	if err != nil {
		return AgendaItem{}, err
	}
	if _, err := lockMeeting(ctx, tx, item.MeetingID, MeetingDraft, MeetingSent); err != nil {
		return AgendaItem{}, err
	}
	if item, err = findAgendaItem(ctx, tx, id, true); err != nil {
		return AgendaItem{}, err
	}
	if !item.Decided.IsZero() {
		return AgendaItem{}, fmt.Errorf("agenda item %d decided: %w", id, ErrConflict)
	}
	return item, nil
}

// attachmentExists returns ErrNotFound unless the attachment is stored.
func attachmentExists(ctx context.Context, tx pgx.Tx, id int64) error {
	var ok bool
	if err := tx.QueryRow(ctx, `select exists (select 1 from attachments where id = $1)`, id).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("attachment %d: %w", id, ErrNotFound)
	}
	return nil
}

// addGuest invites a person to a locked meeting as a guest of the role.
// The error wraps ErrNotFound for an unknown or forgotten person and
// ErrInvalid for one on the presidium list or invited as a member.
func addGuest(ctx context.Context, tx pgx.Tx, meetingID, personID int64, role InviteeRole) error {
	var member bool
	err := tx.QueryRow(ctx, `select `+presidiumWhere+` from people p where p.id = $1 and p.forgotten_at is null`,
		personID).Scan(&member)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("person %d: %w", personID, ErrNotFound)
	}
	if err != nil {
		return err
	}
	if member {
		return fmt.Errorf("person %d is on the presidium: %w", personID, ErrInvalid)
	}
	tag, err := tx.Exec(ctx, `
		insert into meeting_invitees (meeting_id, person_id, role) values ($1, $2, $3)
		on conflict (meeting_id, person_id) do update set role = excluded.role
		where meeting_invitees.role <> 'member'`, meetingID, personID, role)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("person %d is invited as a member: %w", personID, ErrInvalid)
	}
	return nil
}

// sendMeeting checks a draft meeting, invites the presidium list and
// marks it sent. The error wraps ErrNotFound, ErrConflict or ErrInvalid.
func sendMeeting(ctx context.Context, tx pgx.Tx, now time.Time, id int64) error {
	m, err := lockMeeting(ctx, tx, id, MeetingDraft)
	if err != nil {
		return err
	}
	if m.Place == "" && m.Link == "" {
		return fmt.Errorf("neither place nor link: %w", ErrInvalid)
	}
	var items int
	if err := tx.QueryRow(ctx, `select count(*) from agenda_items where meeting_id = $1`, id).Scan(&items); err != nil {
		return err
	}
	if items == 0 {
		return fmt.Errorf("no agenda: %w", ErrInvalid)
	}
	tag, err := tx.Exec(ctx, `
		insert into meeting_invitees (meeting_id, person_id, role)
		select $1, p.id, 'member' from people p where `+presidiumWhere+`
		on conflict (meeting_id, person_id) do update set role = 'member'`, id)
	if err != nil {
		return fmt.Errorf("invite the presidium: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("empty presidium: %w", ErrInvalid)
	}
	if _, err := tx.Exec(ctx, `update meeting_invitees set delivery = 'pending' where meeting_id = $1`, id); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `update meetings set status = 'sent', sent_at = $2 where id = $1`, id, now)
	return err
}

func listInvitees(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]Invitee, error) {
	rows, err := tx.Query(ctx, `select `+inviteeColumns+`
		from meeting_invitees v join people p on p.id = v.person_id `+where, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[Invitee])
}

// findInvitee returns one invitee; the error wraps ErrNotFound when the
// person is not invited.
func findInvitee(ctx context.Context, tx pgx.Tx, meetingID, personID int64) (Invitee, error) {
	list, err := listInvitees(ctx, tx, `where v.meeting_id = $1 and v.person_id = $2`, meetingID, personID)
	if err != nil {
		return Invitee{}, err
	}
	if len(list) == 0 {
		return Invitee{}, fmt.Errorf("person %d not invited: %w", personID, ErrNotFound)
	}
	return list[0], nil
}

// purgeMeetingFiles deletes a meeting's minutes' files and materials and
// returns the attachments they referred to.
func purgeMeetingFiles(ctx context.Context, tx pgx.Tx, meetingID int64) ([]int64, error) {
	rows, err := tx.Query(ctx, `
		with minutes as (delete from meeting_minutes_files where meeting_id = $1 returning attachment_id),
		     materials as (delete from meeting_materials where meeting_id = $1 returning attachment_id)
		select attachment_id from minutes union all select attachment_id from materials`, meetingID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// deleteOrphanAttachments deletes those of the attachments that nothing
// refers to any more and returns how many it deleted. An attachment
// referred to by a table this file does not know of is kept: its foreign
// key stops the delete, which is undone alone (a savepoint per
// attachment).
func deleteOrphanAttachments(ctx context.Context, tx pgx.Tx, ids []int64) (int, error) {
	rows, err := tx.Query(ctx, `
		select a.id from attachments a
		where a.id = any($1)
		  and not exists (select 1 from finding_attachments r where r.attachment_id = a.id)
		  and not exists (select 1 from meeting_materials r where r.attachment_id = a.id)
		  and not exists (select 1 from meeting_minutes_files r where r.attachment_id = a.id)
		order by a.id`, ids)
	if err != nil {
		return 0, err
	}
	orphans, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, err
	}
	deleted := 0
	for _, id := range orphans {
		sp, err := tx.Begin(ctx)
		if err != nil {
			return deleted, err
		}
		_, err = sp.Exec(ctx, `delete from attachments where id = $1`, id)
		if pgCode(err) == pgForeignKeyViolation {
			if err := sp.Rollback(ctx); err != nil {
				return deleted, err
			}
			continue
		}
		if err != nil {
			return deleted, fmt.Errorf("delete attachment %d: %w", id, err)
		}
		if err := sp.Commit(ctx); err != nil {
			return deleted, err
		}
		deleted++
	}
	return deleted, nil
}
