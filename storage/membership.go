package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// Limits of what an application holds.
const (
	// MaxApplicationText is the longest address or reason, in characters.
	MaxApplicationText = 1000
	// MaxApplicationFiles is how many files an application may have.
	MaxApplicationFiles = 30
)

// applicationColumns selects a MembershipApplication from applicationFrom.
const applicationColumns = `a.id, a.org_id, o.name as org_name, a.kind, a.status,
	coalesce(a.applicant_id, 0) as applicant_id, coalesce(ap.full_name, '') as applicant_name,
	a.address, a.ground, a.has_order, a.has_plan, a.has_trained,
	coalesce(a.recommender_id, 0) as recommender_id, coalesce(rp.full_name, '') as recommender_name,
	a.recommender_set, a.documents_done, a.reason,
	coalesce(a.agenda_item_id, 0) as agenda_item_id, coalesce(i.meeting_id, 0) as meeting_id,
	a.created_at, a.updated_at,
	coalesce(a.submitted_at, ` + zeroTime + `) as submitted_at,
	coalesce(a.decided_at, ` + zeroTime + `) as decided_at`

const applicationFrom = ` from membership_applications a
	join organisations o on o.id = a.org_id
	left join people ap on ap.id = a.applicant_id
	left join people rp on rp.id = a.recommender_id
	left join agenda_items i on i.id = a.agenda_item_id `

// certificateColumns selects a Certificate from certificates c with the
// signatories' people.
const certificateColumns = `c.id, c.year, c.number, c.org_id, c.application_id, c.kind, c.issued_at,
	c.org_name, c.org_address, coalesce(c.chair_id, 0) as chair_id, coalesce(pc.full_name, '') as chair_name,
	coalesce(c.secretary_id, 0) as secretary_id, coalesce(ps.full_name, '') as secretary_name
	from certificates c
	left join people pc on pc.id = c.chair_id
	left join people ps on ps.id = c.secretary_id `

// CreateApplication starts a draft application of an organisation: to
// join as a member (unless it is one), as a candidate (unless it is a
// member), to leave, or an exclusion case (both only for a member or a
// candidate). The actor is the applicant. It returns ErrInvalid for an
// unknown kind, ErrNotFound for an unknown organisation, and ErrConflict
// when the kind does not fit the organisation's status or it has an open
// (draft or submitted) application of its own — or, for an exclusion, an
// open case — already.
func (s *Store) CreateApplication(ctx context.Context, actorID, orgID int64, kind MembershipKind) (MembershipApplication, error) {
	switch kind {
	case KindMember, KindCandidate, KindLeave, KindExclude:
	default:
		return MembershipApplication{}, fmt.Errorf("storage: create application of %d: kind %q: %w", orgID, kind, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: create application of %d: %w", orgID, err)
	}
	defer tx.Rollback(ctx)

	var status OrgStatus
	err = tx.QueryRow(ctx, `select status from organisations where id = $1 for update`, orgID).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return MembershipApplication{}, fmt.Errorf("storage: create application of %d: %w", orgID, ErrNotFound)
	}
	if err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: create application of %d: %w", orgID, err)
	}
	if !kindFits(kind, status) {
		return MembershipApplication{}, fmt.Errorf("storage: create application of %d: %s while %s: %w", orgID, kind, status, ErrConflict)
	}
	now := s.now()
	var id int64
	err = tx.QueryRow(ctx, `
		insert into membership_applications (org_id, kind, applicant_id, created_at, updated_at)
		values ($1, $2, $3, $4, $4) returning id`, orgID, kind, nullID(actorID), now).Scan(&id)
	if pgCode(err) == pgUniqueViolation {
		return MembershipApplication{}, fmt.Errorf("storage: create application of %d: an open one exists: %w", orgID, ErrConflict)
	}
	if err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: create application of %d: %w", orgID, err)
	}
	a, err := findApplication(ctx, tx, id, false)
	if err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: create application %d: %w", id, err)
	}
	if err := logAction(ctx, tx, now, actorID, "membership.create", "membership_application", id,
		map[string]any{"org_id": orgID, "kind": string(kind)}); err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: create application %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: create application %d: %w", id, err)
	}
	return a, nil
}

// kindFits reports whether an organisation of status may be the subject
// of an application of kind.
func kindFits(kind MembershipKind, status OrgStatus) bool {
	switch kind {
	case KindMember, KindCandidate:
		return status != OrgMember
	case KindLeave, KindExclude:
		return status == OrgMember || status == OrgCandidate
	}
	return false
}

// UpdateApplication changes the answers of a draft: address, ground,
// the candidate's documents, the recommender (RecommenderSet marks the
// question answered), DocumentsDone and the reason; the rest of a is
// ignored. It returns the application as stored, ErrNotFound for an
// unknown application or recommender (or a forgotten one), ErrConflict
// unless a draft, and ErrInvalid for an unknown ground or a text over
// MaxApplicationText.
func (s *Store) UpdateApplication(ctx context.Context, actorID int64, a MembershipApplication) (MembershipApplication, error) {
	a.Address = strings.TrimSpace(a.Address)
	a.Reason = strings.TrimSpace(a.Reason)
	switch {
	case a.Ground != "" && !validGround(a.Ground):
		return MembershipApplication{}, fmt.Errorf("storage: update application %d: ground %q: %w", a.ID, a.Ground, ErrInvalid)
	case len([]rune(a.Address)) > MaxApplicationText || len([]rune(a.Reason)) > MaxApplicationText:
		return MembershipApplication{}, fmt.Errorf("storage: update application %d: text too long: %w", a.ID, ErrInvalid)
	case !utf8.ValidString(a.Address+a.Reason) || strings.ContainsRune(a.Address+a.Reason, 0):
		return MembershipApplication{}, fmt.Errorf("storage: update application %d: not text: %w", a.ID, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: update application %d: %w", a.ID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := lockApplication(ctx, tx, a.ID, ApplicationDraft); err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: update application %d: %w", a.ID, err)
	}
	if a.RecommenderID != 0 {
		var forgotten bool
		err := tx.QueryRow(ctx, `select forgotten_at is not null from people where id = $1`, a.RecommenderID).Scan(&forgotten)
		if errors.Is(err, pgx.ErrNoRows) || forgotten {
			return MembershipApplication{}, fmt.Errorf("storage: update application %d: recommender %d: %w", a.ID, a.RecommenderID, ErrNotFound)
		}
		if err != nil {
			return MembershipApplication{}, fmt.Errorf("storage: update application %d: %w", a.ID, err)
		}
	}
	now := s.now()
	if _, err := tx.Exec(ctx, `
		update membership_applications
		set address = $2, ground = $3, has_order = $4, has_plan = $5, has_trained = $6,
		    recommender_id = $7, recommender_set = $8, documents_done = $9, reason = $10, updated_at = $11
		where id = $1`,
		a.ID, a.Address, a.Ground, a.HasOrder, a.HasPlan, a.HasTrained,
		nullID(a.RecommenderID), a.RecommenderSet || a.RecommenderID != 0, a.DocumentsDone, a.Reason, now); err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: update application %d: %w", a.ID, err)
	}
	out, err := findApplication(ctx, tx, a.ID, false)
	if err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: update application %d: %w", a.ID, err)
	}
	if err := logAction(ctx, tx, now, actorID, "membership.update", "membership_application", a.ID, nil); err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: update application %d: %w", a.ID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: update application %d: %w", a.ID, err)
	}
	return out, nil
}

func validGround(g MembershipGround) bool {
	for _, x := range Grounds() {
		if x == g {
			return true
		}
	}
	return false
}

// AddApplicationFile attaches a stored file to a draft as a document of
// doc, at the next position, under a name and Telegram's file id; the same
// file twice is a no-op. It returns the number of files of that doc,
// ErrInvalid for an unknown doc or a draft holding MaxApplicationFiles
// already, ErrNotFound for an unknown application or attachment, and
// ErrConflict unless a draft.
func (s *Store) AddApplicationFile(ctx context.Context, actorID, appID, attachmentID int64, doc ApplicationDoc, name, fileID string) (int, error) {
	switch doc {
	case DocOrder, DocPlan, DocTrained, DocSupport:
	default:
		return 0, fmt.Errorf("storage: add file to application %d: doc %q: %w", appID, doc, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("storage: add file to application %d: %w", appID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := lockApplication(ctx, tx, appID, ApplicationDraft); err != nil {
		return 0, fmt.Errorf("storage: add file to application %d: %w", appID, err)
	}
	var count int
	if err := tx.QueryRow(ctx, `select count(*) from membership_files where application_id = $1`, appID).Scan(&count); err != nil {
		return 0, fmt.Errorf("storage: add file to application %d: %w", appID, err)
	}
	if count >= MaxApplicationFiles {
		return 0, fmt.Errorf("storage: add file to application %d: %d files: %w", appID, count, ErrInvalid)
	}
	tag, err := tx.Exec(ctx, `
		insert into membership_files (application_id, attachment_id, doc, position, name, file_id)
		select $1, a.id, $3, $4, coalesce(nullif($5, ''), a.name), $6 from attachments a where a.id = $2
		on conflict (application_id, attachment_id) do nothing`,
		appID, attachmentID, doc, count+1, strings.TrimSpace(name), fileID)
	if err != nil {
		return 0, fmt.Errorf("storage: add file to application %d: %w", appID, err)
	}
	if tag.RowsAffected() == 0 {
		var exists bool
		if err := tx.QueryRow(ctx, `select exists (select 1 from attachments where id = $1)`, attachmentID).Scan(&exists); err != nil {
			return 0, fmt.Errorf("storage: add file to application %d: %w", appID, err)
		}
		if !exists {
			return 0, fmt.Errorf("storage: add file to application %d: attachment %d: %w", appID, attachmentID, ErrNotFound)
		}
	} else if err := logAction(ctx, tx, s.now(), actorID, "membership.add_file", "membership_application", appID,
		map[string]any{"attachment_id": attachmentID, "doc": string(doc)}); err != nil {
		return 0, fmt.Errorf("storage: add file to application %d: %w", appID, err)
	}
	var n int
	if err := tx.QueryRow(ctx, `select count(*) from membership_files where application_id = $1 and doc = $2`, appID, doc).Scan(&n); err != nil {
		return 0, fmt.Errorf("storage: add file to application %d: %w", appID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("storage: add file to application %d: %w", appID, err)
	}
	return n, nil
}

// ApplicationFiles returns an application's files by position.
func (s *Store) ApplicationFiles(ctx context.Context, appID int64) ([]ApplicationFile, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: files of application %d: %w", appID, err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `select application_id, attachment_id, doc, position, name, file_id
		from membership_files where application_id = $1 order by position, attachment_id`, appID)
	if err != nil {
		return nil, fmt.Errorf("storage: files of application %d: %w", appID, err)
	}
	files, err := pgx.CollectRows(rows, pgx.RowToStructByName[ApplicationFile])
	if err != nil {
		return nil, fmt.Errorf("storage: files of application %d: %w", appID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: files of application %d: %w", appID, err)
	}
	return files, nil
}

// ApplicationComplete reports whether a draft has every answer its kind
// needs (files aside from the candidate's documents answered «yes»):
// the address and ground of a member; the address and three documents
// of a candidate, each «no» or with a file; the recommender question and
// the supporting documents of both; the reason of an exit or exclusion.
func ApplicationComplete(a MembershipApplication, files []ApplicationFile) bool {
	switch a.Kind {
	case KindLeave, KindExclude:
		return a.Reason != ""
	case KindMember:
		if a.Ground == "" {
			return false
		}
	case KindCandidate:
		for _, d := range CandidateDocs() {
			has := a.Has(d)
			if has == nil || (*has && countDoc(files, d) == 0) {
				return false
			}
		}
	default:
		return false
	}
	return a.Address != "" && a.RecommenderSet && a.DocumentsDone
}

func countDoc(files []ApplicationFile, d ApplicationDoc) int {
	n := 0
	for _, f := range files {
		if f.Doc == d {
			n++
		}
	}
	return n
}

// SubmitApplication submits a complete draft (ApplicationComplete) and
// returns it. It returns ErrNotFound for an unknown application,
// ErrConflict unless a draft, and ErrInvalid for an incomplete one.
func (s *Store) SubmitApplication(ctx context.Context, actorID, appID int64) (MembershipApplication, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: submit application %d: %w", appID, err)
	}
	defer tx.Rollback(ctx)

	a, err := lockApplication(ctx, tx, appID, ApplicationDraft)
	if err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: submit application %d: %w", appID, err)
	}
	rows, err := tx.Query(ctx, `select application_id, attachment_id, doc, position, name, file_id
		from membership_files where application_id = $1`, appID)
	if err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: submit application %d: %w", appID, err)
	}
	files, err := pgx.CollectRows(rows, pgx.RowToStructByName[ApplicationFile])
	if err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: submit application %d: %w", appID, err)
	}
	if !ApplicationComplete(a, files) {
		return MembershipApplication{}, fmt.Errorf("storage: submit application %d: incomplete: %w", appID, ErrInvalid)
	}
	now := s.now()
	if _, err := tx.Exec(ctx, `update membership_applications set status = 'submitted', submitted_at = $2, updated_at = $2
		where id = $1`, appID, now); err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: submit application %d: %w", appID, err)
	}
	if a, err = findApplication(ctx, tx, appID, false); err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: submit application %d: %w", appID, err)
	}
	if err := logAction(ctx, tx, now, actorID, "membership.submit", "membership_application", appID, nil); err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: submit application %d: %w", appID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: submit application %d: %w", appID, err)
	}
	return a, nil
}

// WithdrawApplication withdraws a draft, or a submitted application not
// on an agenda yet. It returns ErrNotFound for an unknown application and
// ErrConflict otherwise.
func (s *Store) WithdrawApplication(ctx context.Context, actorID, appID int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: withdraw application %d: %w", appID, err)
	}
	defer tx.Rollback(ctx)

	a, err := lockApplication(ctx, tx, appID, ApplicationDraft, ApplicationSubmitted)
	if err != nil {
		return fmt.Errorf("storage: withdraw application %d: %w", appID, err)
	}
	if a.AgendaItemID != 0 {
		return fmt.Errorf("storage: withdraw application %d: on the agenda: %w", appID, ErrConflict)
	}
	now := s.now()
	if _, err := tx.Exec(ctx, `update membership_applications set status = 'withdrawn', updated_at = $2 where id = $1`, appID, now); err != nil {
		return fmt.Errorf("storage: withdraw application %d: %w", appID, err)
	}
	if err := logAction(ctx, tx, now, actorID, "membership.withdraw", "membership_application", appID, nil); err != nil {
		return fmt.Errorf("storage: withdraw application %d: %w", appID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: withdraw application %d: %w", appID, err)
	}
	return nil
}

// FindApplication returns an application, or ErrNotFound.
func (s *Store) FindApplication(ctx context.Context, id int64) (MembershipApplication, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: find application %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	a, err := findApplication(ctx, tx, id, false)
	if err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: find application %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: find application %d: %w", id, err)
	}
	return a, nil
}

// LatestApplication returns the organisation's newest application of its
// own (exclusion cases aside), or ErrNotFound.
func (s *Store) LatestApplication(ctx context.Context, orgID int64) (MembershipApplication, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: latest application of %d: %w", orgID, err)
	}
	defer tx.Rollback(ctx)

	list, err := listApplications(ctx, tx, `where a.org_id = $1 and a.kind <> 'exclude'
		order by a.created_at desc, a.id desc limit 1`, orgID)
	if err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: latest application of %d: %w", orgID, err)
	}
	if len(list) == 0 {
		return MembershipApplication{}, fmt.Errorf("storage: latest application of %d: %w", orgID, ErrNotFound)
	}
	if err := tx.Commit(ctx); err != nil {
		return MembershipApplication{}, fmt.Errorf("storage: latest application of %d: %w", orgID, err)
	}
	return list[0], nil
}

// OpenApplications returns what the chair and the secretary work on: the
// submitted applications and exclusion cases, oldest first, then the
// exclusion drafts, oldest first.
func (s *Store) OpenApplications(ctx context.Context) ([]MembershipApplication, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: open applications: %w", err)
	}
	defer tx.Rollback(ctx)

	list, err := listApplications(ctx, tx, `where a.status = 'submitted' or (a.status = 'draft' and a.kind = 'exclude')
		order by a.status desc, coalesce(a.submitted_at, a.created_at), a.id`)
	if err != nil {
		return nil, fmt.Errorf("storage: open applications: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: open applications: %w", err)
	}
	return list, nil
}

// OpenMeetings returns the presidium meetings an item can still be added
// to (drafts and sent ones), by start.
func (s *Store) OpenMeetings(ctx context.Context) ([]Meeting, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: open meetings: %w", err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `select `+meetingColumns+` from meetings m
		where m.status in ('draft', 'sent') order by m.starts_at, m.id`)
	if err != nil {
		return nil, fmt.Errorf("storage: open meetings: %w", err)
	}
	ms, err := pgx.CollectRows(rows, pgx.RowToStructByName[Meeting])
	if err != nil {
		return nil, fmt.Errorf("storage: open meetings: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: open meetings: %w", err)
	}
	return ms, nil
}

// ScheduleApplication puts a submitted application on the agenda of a
// draft or sent meeting as a new item titled title (appended, as
// AddAgendaItem does) and records the item on the application. An
// application whose item was deleted may be put on an agenda again. It
// returns the item, ErrNotFound for an unknown application or meeting,
// ErrConflict when the application is not submitted or already on an
// agenda, or the meeting is held or cancelled, and ErrInvalid for an
// empty title.
func (s *Store) ScheduleApplication(ctx context.Context, actorID, appID, meetingID int64, title string) (AgendaItem, error) {
	title = strings.TrimSpace(title)
	if title == "" {
		return AgendaItem{}, fmt.Errorf("storage: schedule application %d: empty title: %w", appID, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return AgendaItem{}, fmt.Errorf("storage: schedule application %d: %w", appID, err)
	}
	defer tx.Rollback(ctx)

	a, err := lockApplication(ctx, tx, appID, ApplicationSubmitted)
	if err != nil {
		return AgendaItem{}, fmt.Errorf("storage: schedule application %d: %w", appID, err)
	}
	if a.AgendaItemID != 0 {
		return AgendaItem{}, fmt.Errorf("storage: schedule application %d: on the agenda: %w", appID, ErrConflict)
	}
	if _, err := lockMeeting(ctx, tx, meetingID, MeetingDraft, MeetingSent); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: schedule application %d: %w", appID, err)
	}
	now := s.now()
	var itemID int64
	if err := tx.QueryRow(ctx, `
		insert into agenda_items (meeting_id, position, title, speaker)
		select $1, coalesce(max(position), 0) + 1, $2, '' from agenda_items where meeting_id = $1
		returning id`, meetingID, title).Scan(&itemID); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: schedule application %d: %w", appID, err)
	}
	if err := agendaChanged(ctx, tx, now, meetingID); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: schedule application %d: %w", appID, err)
	}
	if _, err := tx.Exec(ctx, `update membership_applications set agenda_item_id = $2, updated_at = $3 where id = $1`,
		appID, itemID, now); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: schedule application %d: %w", appID, err)
	}
	item, err := findAgendaItem(ctx, tx, itemID, false)
	if err != nil {
		return AgendaItem{}, fmt.Errorf("storage: schedule application %d: %w", appID, err)
	}
	if err := logAction(ctx, tx, now, actorID, "agenda_item.add", "agenda_item", itemID, map[string]any{"meeting_id": meetingID}); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: schedule application %d: %w", appID, err)
	}
	if err := logAction(ctx, tx, now, actorID, "membership.schedule", "membership_application", appID,
		map[string]any{"meeting_id": meetingID, "item_id": itemID}); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: schedule application %d: %w", appID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return AgendaItem{}, fmt.Errorf("storage: schedule application %d: %w", appID, err)
	}
	return item, nil
}

// ClaimMembershipOutcomes applies up to limit decisions recorded on the
// agenda items of submitted applications, each once across replicas (the
// application's row is claimed with skip locked and leaves «submitted»
// in the same transaction). An adopted item accepts the application —
// but an exclusion needs at least two thirds of the meeting's presidium
// list for (3·for ≥ 2·members), else it is refused. Acceptance of a
// joining application sets the organisation's status and address, issues
// the next certificate of the decision's year with the current chair and
// secretary as signatories, and — for a candidate becoming a member —
// ends its mentor pair (4.11). Acceptance of an exit or exclusion sets
// the organisation former and ends the pairs it is in. Every change is
// logged by the system (actor 0).
func (s *Store) ClaimMembershipOutcomes(ctx context.Context, limit int) ([]MembershipOutcome, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: claim membership outcomes: %w", err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `
		select a.id from membership_applications a join agenda_items i on i.id = a.agenda_item_id
		where a.status = 'submitted' and i.decided_at is not null
		order by i.decided_at, a.id
		limit $1
		for update of a skip locked`, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: claim membership outcomes: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("storage: claim membership outcomes: %w", err)
	}
	// In the association's zone: the journal numbers by its year.
	now := s.now().In(s.loc())
	var out []MembershipOutcome
	for _, id := range ids {
		o, err := applyOutcome(ctx, tx, now, id)
		if err != nil {
			return nil, fmt.Errorf("storage: claim membership outcome %d: %w", id, err)
		}
		out = append(out, o)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: claim membership outcomes: %w", err)
	}
	return out, nil
}

func applyOutcome(ctx context.Context, tx pgx.Tx, now time.Time, id int64) (MembershipOutcome, error) {
	a, err := findApplication(ctx, tx, id, false)
	if err != nil {
		return MembershipOutcome{}, err
	}
	o := MembershipOutcome{}
	if o.Item, err = findAgendaItem(ctx, tx, a.AgendaItemID, false); err != nil {
		return o, err
	}
	if err := tx.QueryRow(ctx, `select count(*) from meeting_invitees where meeting_id = $1 and role = 'member'`,
		o.Item.MeetingID).Scan(&o.Members); err != nil {
		return o, err
	}
	o.Accepted = o.Item.Adopted
	if a.Kind == KindExclude && o.Accepted && 3*o.Item.For < 2*o.Members {
		o.Accepted, o.TwoThirdsShort = false, true
	}
	org, err := findOrganisationByID(ctx, tx, a.OrgID)
	if err != nil {
		return o, err
	}
	if o.Accepted {
		if err := acceptApplication(ctx, tx, now, a, org, &o); err != nil {
			return o, err
		}
	}
	status := ApplicationRefused
	if o.Accepted {
		status = ApplicationAccepted
	}
	if _, err := tx.Exec(ctx, `update membership_applications set status = $2, decided_at = $3, updated_at = $3
		where id = $1`, id, status, now); err != nil {
		return o, err
	}
	if o.Application, err = findApplication(ctx, tx, id, false); err != nil {
		return o, err
	}
	if o.Org, err = findOrganisationByID(ctx, tx, a.OrgID); err != nil {
		return o, err
	}
	detail := map[string]any{"item_id": o.Item.ID, "status": string(status), "for": o.Item.For, "members": o.Members}
	if o.Certificate != nil {
		detail["certificate_id"] = o.Certificate.ID
	}
	if err := logAction(ctx, tx, now, 0, "membership.decide", "membership_application", id, detail); err != nil {
		return o, err
	}
	return o, nil
}

// acceptApplication changes the organisation as an accepted application
// says and, for a joining one, issues the certificate.
func acceptApplication(ctx context.Context, tx pgx.Tx, now time.Time, a MembershipApplication, org Organisation, o *MembershipOutcome) error {
	switch a.Kind {
	case KindMember, KindCandidate:
		status := OrgCandidate
		if a.Kind == KindMember {
			status = OrgMember
		}
		mentor := org.MentorID
		if status == OrgMember && mentor != 0 {
			o.FormerMentorID = mentor
			mentor = 0
		}
		address := org.Address
		if a.Address != "" {
			address = a.Address
		}
		if _, err := tx.Exec(ctx, `update organisations set status = $2, address = $3, mentor_id = $4 where id = $1`,
			org.ID, status, address, nullID(mentor)); err != nil {
			return err
		}
		if err := logAction(ctx, tx, now, 0, "organisation.status", "organisation", org.ID,
			map[string]any{"status": string(status), "application_id": a.ID}); err != nil {
			return err
		}
		cert, err := issueCertificate(ctx, tx, now, a, org.Name, address)
		if err != nil {
			return err
		}
		o.Certificate = &cert
	case KindLeave, KindExclude:
		o.FormerMentorID = org.MentorID
		if _, err := tx.Exec(ctx, `update organisations set status = 'former', mentor_id = null where id = $1`, org.ID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `update organisations set mentor_id = null where mentor_id = $1 returning id`, org.ID)
		if err != nil {
			return err
		}
		if o.Mentees, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return err
		}
		if err := logAction(ctx, tx, now, 0, "organisation.status", "organisation", org.ID,
			map[string]any{"status": string(OrgFormer), "application_id": a.ID}); err != nil {
			return err
		}
	}
	return nil
}

// certificateSubject is the journal's wording of an issued certificate.
const certificateSubject = "Свидетельство о членстве в ассоциации № %d/%d"

// issueCertificate takes the next number of now's year (in the zone of now) and
// enters the certificate in the register.
func issueCertificate(ctx context.Context, tx pgx.Tx, now time.Time, a MembershipApplication, name, address string) (Certificate, error) {
	year := now.Year()
	var number int
	if err := tx.QueryRow(ctx, `
		insert into certificate_counters (year, last) values ($1, 1)
		on conflict (year) do update set last = certificate_counters.last + 1
		returning last`, year).Scan(&number); err != nil {
		return Certificate{}, err
	}
	signer := func(role Role) (*int64, error) {
		var id int64
		err := tx.QueryRow(ctx, `select p.id from people p join person_roles r on r.person_id = p.id
			where r.role = $1 and p.active and p.forgotten_at is null order by p.id limit 1`, role).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, nil
		}
		return &id, err
	}
	chair, err := signer(RoleChair)
	if err != nil {
		return Certificate{}, err
	}
	secretary, err := signer(RoleSecretary)
	if err != nil {
		return Certificate{}, err
	}
	var id int64
	if err := tx.QueryRow(ctx, `
		insert into certificates (year, number, org_id, application_id, kind, issued_at, org_name, org_address, chair_id, secretary_id)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id`,
		year, number, a.OrgID, a.ID, a.Kind, now, name, address, chair, secretary).Scan(&id); err != nil {
		return Certificate{}, err
	}
	if err := logAction(ctx, tx, now, 0, "certificate.issue", "certificate", id,
		map[string]any{"org_id": a.OrgID, "number": number, "year": year}); err != nil {
		return Certificate{}, err
	}
	// The journal enters the certificate as an outgoing document, in the
	// transaction that issues it.
	if _, err := addJournalEntry(ctx, tx, now, 0, JournalEntry{
		Direction:     JournalOut,
		Source:        JournalCertificate,
		SourceID:      id,
		Date:          now,
		Correspondent: name,
		Subject:       fmt.Sprintf(certificateSubject, number, year),
	}); err != nil {
		return Certificate{}, fmt.Errorf("journal: %w", err)
	}
	return findCertificate(ctx, tx, `where c.id = $1`, id)
}

// CertificateOf returns the organisation's newest certificate, or
// ErrNotFound.
func (s *Store) CertificateOf(ctx context.Context, orgID int64) (Certificate, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Certificate{}, fmt.Errorf("storage: certificate of %d: %w", orgID, err)
	}
	defer tx.Rollback(ctx)

	c, err := findCertificate(ctx, tx, `where c.org_id = $1 order by c.issued_at desc, c.id desc limit 1`, orgID)
	if err != nil {
		return Certificate{}, fmt.Errorf("storage: certificate of %d: %w", orgID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Certificate{}, fmt.Errorf("storage: certificate of %d: %w", orgID, err)
	}
	return c, nil
}

// ListCertificates returns the register of certificates, newest first.
func (s *Store) ListCertificates(ctx context.Context) ([]Certificate, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: list certificates: %w", err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `select `+certificateColumns+` order by c.year desc, c.number desc`)
	if err != nil {
		return nil, fmt.Errorf("storage: list certificates: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Certificate])
	if err != nil {
		return nil, fmt.Errorf("storage: list certificates: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: list certificates: %w", err)
	}
	return list, nil
}

func findCertificate(ctx context.Context, tx pgx.Tx, where string, args ...any) (Certificate, error) {
	rows, err := tx.Query(ctx, `select `+certificateColumns+where, args...)
	if err != nil {
		return Certificate{}, err
	}
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Certificate])
	if errors.Is(err, pgx.ErrNoRows) {
		return Certificate{}, ErrNotFound
	}
	return c, err
}

func listApplications(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]MembershipApplication, error) {
	rows, err := tx.Query(ctx, `select `+applicationColumns+applicationFrom+where, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[MembershipApplication])
}

func findApplication(ctx context.Context, tx pgx.Tx, id int64, forUpdate bool) (MembershipApplication, error) {
	lock := ""
	if forUpdate {
		lock = " for update of a"
	}
	list, err := listApplications(ctx, tx, `where a.id = $1`+lock, id)
	if err != nil {
		return MembershipApplication{}, err
	}
	if len(list) == 0 {
		return MembershipApplication{}, ErrNotFound
	}
	return list[0], nil
}

// lockApplication locks an application's row and checks its status.
func lockApplication(ctx context.Context, tx pgx.Tx, id int64, allowed ...ApplicationStatus) (MembershipApplication, error) {
	a, err := findApplication(ctx, tx, id, true)
	if err != nil {
		return a, err
	}
	for _, st := range allowed {
		if a.Status == st {
			return a, nil
		}
	}
	return MembershipApplication{}, fmt.Errorf("application %d %s: %w", id, a.Status, ErrConflict)
}
