package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// reportColumns selects a reportRow.
const reportColumns = `id, task_id, person_id, comment,
	coalesce(sent_at, ` + zeroTime + `) as sent_at, created_at`

// evidenceColumns selects an Evidence.
const evidenceColumns = `id, report_id, kind, file_id, name, media_group_id`

// requestColumns selects a TaskRequest.
const requestColumns = `id, task_id, person_id, kind, reason,
	coalesce(new_due, ` + zeroTime + `) as new_due, status, created_at,
	coalesce(decided_by, 0) as decided_by, coalesce(decided_at, ` + zeroTime + `) as decided_at`

// reportRow is a Report as one row: its evidence is a list of rows of
// its own.
type reportRow struct {
	ID        int64     `db:"id"`
	TaskID    int64     `db:"task_id"`
	PersonID  int64     `db:"person_id"`
	Comment   string    `db:"comment"`
	SentAt    time.Time `db:"sent_at"`
	CreatedAt time.Time `db:"created_at"`
}

// DraftReport returns the assignee's report on the task being written, with
// its evidence so far, starting one when there is none. It returns
// ErrNotFound when the person is not an assignee of the task.
func (s *Store) DraftReport(ctx context.Context, taskID, personID int64) (Report, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("storage: draft report of %d/%d: %w", taskID, personID, err)
	}
	defer tx.Rollback(ctx)

	// Two presses at once make one draft: the second insert does nothing.
	_, err = tx.Exec(ctx, `
		insert into task_reports (task_id, person_id, created_at) values ($1, $2, $3)
		on conflict (task_id, person_id) where sent_at is null do nothing`, taskID, personID, s.now())
	if pgCode(err) == pgForeignKeyViolation {
		return Report{}, fmt.Errorf("storage: draft report of %d/%d: %w", taskID, personID, ErrNotFound)
	}
	if err != nil {
		return Report{}, fmt.Errorf("storage: draft report of %d/%d: %w", taskID, personID, err)
	}
	r, err := findReport(ctx, tx, `where task_id = $1 and person_id = $2 and sent_at is null`, taskID, personID)
	if err != nil {
		return Report{}, fmt.Errorf("storage: draft report of %d/%d: %w", taskID, personID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Report{}, fmt.Errorf("storage: draft report of %d/%d: %w", taskID, personID, err)
	}
	return r, nil
}

// UpdateReport changes the comment of a draft report; the rest of r is
// ignored. It returns ErrNotFound for an unknown report and ErrConflict
// for one already sent.
func (s *Store) UpdateReport(ctx context.Context, r Report) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: update report %d: %w", r.ID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := lockDraft(ctx, tx, r.ID); err != nil {
		return fmt.Errorf("storage: update report %d: %w", r.ID, err)
	}
	if _, err := tx.Exec(ctx, `update task_reports set comment = $2 where id = $1`,
		r.ID, strings.TrimSpace(r.Comment)); err != nil {
		return fmt.Errorf("storage: update report %d: %w", r.ID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: update report %d: %w", r.ID, err)
	}
	return nil
}

// AddEvidence attaches a photo, document or link to a draft report and
// returns it as stored. It returns ErrNotFound for an unknown report,
// ErrConflict for one already sent, and ErrInvalid for an unknown kind, a
// file without its file id or a link without its address.
func (s *Store) AddEvidence(ctx context.Context, reportID int64, e Evidence) (Evidence, error) {
	switch {
	case e.Kind != "photo" && e.Kind != "document" && e.Kind != "link":
		return Evidence{}, fmt.Errorf("storage: add evidence to %d: kind %q: %w", reportID, e.Kind, ErrInvalid)
	case e.Kind == "link" && strings.TrimSpace(e.Name) == "", e.Kind != "link" && e.FileID == "":
		return Evidence{}, fmt.Errorf("storage: add evidence to %d: empty %s: %w", reportID, e.Kind, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Evidence{}, fmt.Errorf("storage: add evidence to %d: %w", reportID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := lockDraft(ctx, tx, reportID); err != nil {
		return Evidence{}, fmt.Errorf("storage: add evidence to %d: %w", reportID, err)
	}
	rows, err := tx.Query(ctx, `
		insert into task_evidence (report_id, kind, file_id, name, media_group_id)
		values ($1, $2, $3, $4, $5)
		returning `+evidenceColumns, reportID, e.Kind, e.FileID, strings.TrimSpace(e.Name), e.MediaGroupID)
	if err != nil {
		return Evidence{}, fmt.Errorf("storage: add evidence to %d: %w", reportID, err)
	}
	e, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Evidence])
	if err != nil {
		return Evidence{}, fmt.Errorf("storage: add evidence to %d: %w", reportID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Evidence{}, fmt.Errorf("storage: add evidence to %d: %w", reportID, err)
	}
	return e, nil
}

// SubmitReport sends a draft report: it is stamped now and the assignment
// becomes done, its reminders stopped, together. It returns ErrNotFound
// for an unknown report; ErrConflict for one already sent, a cancelled
// task or an assignment not open (confirmed, say); ErrInvalid for a
// report with neither comment nor evidence, or without evidence when the
// task requires it.
func (s *Store) SubmitReport(ctx context.Context, reportID int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: submit report %d: %w", reportID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	r, err := lockDraft(ctx, tx, reportID)
	if err != nil {
		return fmt.Errorf("storage: submit report %d: %w", reportID, err)
	}
	var (
		evidence          int
		required, running bool
		status            TaskStatus
	)
	// The assignment is locked too: a cancellation waits for the report,
	// or the report sees the cancellation.
	err = tx.QueryRow(ctx, `
		select (select count(*) from task_evidence where report_id = $3)::int,
		       t.evidence_required, t.cancelled_at is null, a.status
		from task_assignments a join tasks t on t.id = a.task_id
		where a.task_id = $1 and a.person_id = $2
		for update of a`, r.TaskID, r.PersonID, r.ID).Scan(&evidence, &required, &running, &status)
	if err != nil {
		return fmt.Errorf("storage: submit report %d: %w", reportID, err)
	}
	switch {
	case !running || !status.Open():
		return fmt.Errorf("storage: submit report %d: task cancelled or assignment %s: %w", reportID, status, ErrConflict)
	case evidence == 0 && r.Comment == "":
		return fmt.Errorf("storage: submit report %d: empty: %w", reportID, ErrInvalid)
	case evidence == 0 && required:
		return fmt.Errorf("storage: submit report %d: evidence required: %w", reportID, ErrInvalid)
	}
	if _, err := tx.Exec(ctx, `update task_reports set sent_at = $2 where id = $1`, reportID, now); err != nil {
		return fmt.Errorf("storage: submit report %d: %w", reportID, err)
	}
	if _, err := tx.Exec(ctx, `
		update task_assignments set status = 'done', status_at = $3, next_remind_at = null
		where task_id = $1 and person_id = $2`, r.TaskID, r.PersonID, now); err != nil {
		return fmt.Errorf("storage: submit report %d: %w", reportID, err)
	}
	detail := map[string]any{"report_id": reportID, "evidence": evidence}
	if err := logAction(ctx, tx, now, r.PersonID, "task.report", "task", r.TaskID, detail); err != nil {
		return fmt.Errorf("storage: submit report %d: %w", reportID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: submit report %d: %w", reportID, err)
	}
	return nil
}

// LastReport returns the assignee's newest sent report on the task with
// its evidence, or ErrNotFound when none was sent.
func (s *Store) LastReport(ctx context.Context, taskID, personID int64) (Report, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("storage: last report of %d/%d: %w", taskID, personID, err)
	}
	defer tx.Rollback(ctx)

	r, err := findReport(ctx, tx, `where task_id = $1 and person_id = $2 and sent_at is not null
		order by sent_at desc, id desc limit 1`, taskID, personID)
	if err != nil {
		return Report{}, fmt.Errorf("storage: last report of %d/%d: %w", taskID, personID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Report{}, fmt.Errorf("storage: last report of %d/%d: %w", taskID, personID, err)
	}
	return r, nil
}

// CreateRequest records an assignee's request («нужна помощь», «просьба
// перенести срок») as open and returns it as stored; ID, Status, times and
// decision of r are ignored. It returns ErrInvalid for an unknown kind or
// a postponement without the date asked for, ErrNotFound when the person
// is not an assignee of the task, and ErrConflict when a request of the
// kind is already open for them.
func (s *Store) CreateRequest(ctx context.Context, r TaskRequest) (TaskRequest, error) {
	switch {
	case r.Kind != RequestHelp && r.Kind != RequestPostpone:
		return TaskRequest{}, fmt.Errorf("storage: create request: kind %q: %w", r.Kind, ErrInvalid)
	case r.Kind == RequestPostpone && r.NewDue.IsZero():
		return TaskRequest{}, fmt.Errorf("storage: create request: no date: %w", ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return TaskRequest{}, fmt.Errorf("storage: create request: %w", err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	var newDue *time.Time
	if r.Kind == RequestPostpone {
		newDue = &r.NewDue
	}
	rows, err := tx.Query(ctx, `
		insert into task_requests (task_id, person_id, kind, reason, new_due, created_at)
		values ($1, $2, $3, $4, $5, $6)
		returning `+requestColumns, r.TaskID, r.PersonID, string(r.Kind), strings.TrimSpace(r.Reason), newDue, now)
	if err == nil {
		r, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[TaskRequest])
	}
	switch pgCode(err) {
	case pgUniqueViolation:
		return TaskRequest{}, fmt.Errorf("storage: create request: one open already: %w", ErrConflict)
	case pgForeignKeyViolation:
		return TaskRequest{}, fmt.Errorf("storage: create request: %w", ErrNotFound)
	}
	if err != nil {
		return TaskRequest{}, fmt.Errorf("storage: create request: %w", err)
	}
	detail := map[string]any{"request_id": r.ID, "kind": string(r.Kind)}
	if err := logAction(ctx, tx, now, r.PersonID, "task.request", "task", r.TaskID, detail); err != nil {
		return TaskRequest{}, fmt.Errorf("storage: create request: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return TaskRequest{}, fmt.Errorf("storage: create request: %w", err)
	}
	return r, nil
}

// FindRequest returns the request, or ErrNotFound.
func (s *Store) FindRequest(ctx context.Context, id int64) (TaskRequest, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return TaskRequest{}, fmt.Errorf("storage: find request %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	r, err := findRequest(ctx, tx, `where id = $1`, id)
	if err != nil {
		return TaskRequest{}, fmt.Errorf("storage: find request %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return TaskRequest{}, fmt.Errorf("storage: find request %d: %w", id, err)
	}
	return r, nil
}

// DecideRequest approves or refuses an open request. An approved
// postponement moves the task's deadline (one deadline for all its
// assignees) to the date asked for, and every open assignment of the task
// gets nextRemindAt as its next reminder, its escalation cleared; any
// other decision gives nextRemindAt to the requester's assignment alone,
// when open. A zero nextRemindAt means no reminder. It returns
// ErrNotFound for an unknown request and ErrConflict for one decided.
func (s *Store) DecideRequest(ctx context.Context, actorID, requestID int64, approve bool, nextRemindAt time.Time) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: decide request %d: %w", requestID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	r, err := findRequest(ctx, tx, `where id = $1 for update`, requestID)
	if err != nil {
		return fmt.Errorf("storage: decide request %d: %w", requestID, err)
	}
	if r.Status != "open" {
		return fmt.Errorf("storage: decide request %d: %s already: %w", requestID, r.Status, ErrConflict)
	}
	status := "refused"
	if approve {
		status = "approved"
	}
	if _, err := tx.Exec(ctx, `
		update task_requests set status = $2, decided_by = $3, decided_at = $4 where id = $1`,
		requestID, status, nullID(actorID), now); err != nil {
		return fmt.Errorf("storage: decide request %d: %w", requestID, err)
	}
	if approve && r.Kind == RequestPostpone {
		if _, err := tx.Exec(ctx, `update tasks set due = $2 where id = $1`, r.TaskID, r.NewDue); err != nil {
			return fmt.Errorf("storage: decide request %d: %w", requestID, err)
		}
		if _, err := tx.Exec(ctx, `
			update task_assignments set next_remind_at = $2, escalated_at = null
			where task_id = $1 and status in `+openStatuses, r.TaskID, nullTime(nextRemindAt)); err != nil {
			return fmt.Errorf("storage: decide request %d: %w", requestID, err)
		}
	} else if _, err := tx.Exec(ctx, `
		update task_assignments set next_remind_at = $3
		where task_id = $1 and person_id = $2 and status in `+openStatuses,
		r.TaskID, r.PersonID, nullTime(nextRemindAt)); err != nil {
		return fmt.Errorf("storage: decide request %d: %w", requestID, err)
	}
	detail := map[string]any{"request_id": requestID, "kind": string(r.Kind), "status": status}
	if err := logAction(ctx, tx, now, actorID, "task.request_decide", "task", r.TaskID, detail); err != nil {
		return fmt.Errorf("storage: decide request %d: %w", requestID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: decide request %d: %w", requestID, err)
	}
	return nil
}

// findReport returns the one report matched by where, with its evidence.
func findReport(ctx context.Context, tx pgx.Tx, where string, args ...any) (Report, error) {
	rows, err := tx.Query(ctx, `select `+reportColumns+` from task_reports `+where, args...)
	if err != nil {
		return Report{}, err
	}
	row, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[reportRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return Report{}, ErrNotFound
	}
	if err != nil {
		return Report{}, err
	}
	rows, err = tx.Query(ctx, `select `+evidenceColumns+` from task_evidence
		where report_id = $1 order by id`, row.ID)
	if err != nil {
		return Report{}, err
	}
	evidence, err := pgx.CollectRows(rows, pgx.RowToStructByName[Evidence])
	if err != nil {
		return Report{}, err
	}
	if len(evidence) == 0 {
		evidence = nil // a report without evidence has none, not an empty list
	}
	return Report{ID: row.ID, TaskID: row.TaskID, PersonID: row.PersonID, Comment: row.Comment,
		SentAt: row.SentAt, CreatedAt: row.CreatedAt, Evidence: evidence}, nil
}

// lockDraft locks a report that is still a draft: ErrNotFound when there
// is none, ErrConflict when it was sent. Its evidence is left out.
func lockDraft(ctx context.Context, tx pgx.Tx, id int64) (reportRow, error) {
	rows, err := tx.Query(ctx, `select `+reportColumns+` from task_reports where id = $1 for update`, id)
	if err != nil {
		return reportRow{}, err
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[reportRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return reportRow{}, ErrNotFound
	}
	if err != nil {
		return reportRow{}, err
	}
	if !r.SentAt.IsZero() {
		return reportRow{}, fmt.Errorf("report %d sent: %w", id, ErrConflict)
	}
	return r, nil
}

func findRequest(ctx context.Context, tx pgx.Tx, where string, args ...any) (TaskRequest, error) {
	rows, err := tx.Query(ctx, `select `+requestColumns+` from task_requests `+where, args...)
	if err != nil {
		return TaskRequest{}, err
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[TaskRequest])
	if errors.Is(err, pgx.ErrNoRows) {
		return TaskRequest{}, ErrNotFound
	}
	return r, err
}
