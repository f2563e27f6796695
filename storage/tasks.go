package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ModelDirections are the directions of the association's model programme,
// in the order a new programme gets them. They are stored records (a
// school renames or adds to them), not interface text, so they live here
// rather than in locales/.
var ModelDirections = []string{
	"Нормативно-правовой ресурс",
	"Информационно-методический ресурс",
	"Кадровый ресурс",
	"Контроль процессов",
}

// programmeColumns selects a Programme.
const programmeColumns = `id, org_id, year, created_at`

// directionColumns selects a Direction.
const directionColumns = `id, programme_id, name, position`

// taskColumns selects a Task from tasks t.
const taskColumns = `t.id, t.programme_id, t.org_id, t.direction_id, t.title, t.description,
	t.due, t.has_time, t.evidence_required, coalesce(t.created_by, 0) as created_by, t.created_at,
	coalesce(t.cancelled_at, ` + zeroTime + `) as cancelled_at`

// assignmentColumns selects an Assignment from task_assignments a.
const assignmentColumns = `a.task_id, a.person_id, a.status, a.comment, a.status_at,
	coalesce(a.next_remind_at, ` + zeroTime + `) as next_remind_at, a.remind_step,
	coalesce(a.escalated_at, ` + zeroTime + `) as escalated_at`

// openStatuses is TaskStatus.Open in SQL.
const openStatuses = `('assigned', 'accepted', 'returned')`

// overdueSQL tells whether the task t is past its deadline at $now: the
// time when it has one, else the end of its local day. The store knows no
// zone; a date-only deadline is the local midnight, so its day ends a day
// later (the association's zone keeps no summer time).
const overdueSQL = `(case when t.has_time then t.due <= %[1]s else t.due + interval '1 day' <= %[1]s end)`

// taskAssignment is a task and one of its assignments in one row (their
// column names do not collide), with the assignee's chat.
type taskAssignment struct {
	Task
	Assignment
	TelegramID int64 `db:"telegram_id"`
}

// telegramColumn is the assignee's chat: 0 when forgotten or inactive,
// so nothing is sent to a person who blocked the bot or left.
const telegramColumn = `case when p.active then coalesce(p.telegram_id, 0) else 0 end as telegram_id`

// EnsureProgramme returns the organisation's programme of the school year
// and its directions in order, creating it with ModelDirections the first
// time. It returns ErrNotFound for an unknown organisation and ErrInvalid
// for a year not like "2026/2027".
func (s *Store) EnsureProgramme(ctx context.Context, actorID, orgID int64, year string) (Programme, []Direction, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Programme{}, nil, fmt.Errorf("storage: ensure programme: %w", err)
	}
	defer tx.Rollback(ctx)

	p, dirs, err := ensureProgramme(ctx, tx, s.now(), actorID, orgID, year)
	if err != nil {
		return Programme{}, nil, fmt.Errorf("storage: ensure programme of %d %s: %w", orgID, year, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Programme{}, nil, fmt.Errorf("storage: ensure programme: %w", err)
	}
	return p, dirs, nil
}

// AddDirection adds a direction at the end of the programme. It returns
// ErrInvalid for an empty name, ErrConflict for a name the programme has
// (in any case) and ErrNotFound for an unknown programme.
func (s *Store) AddDirection(ctx context.Context, actorID, programmeID int64, name string) (Direction, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Direction{}, fmt.Errorf("storage: add direction: %w", err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	if _, err := findProgramme(ctx, tx, `where id = $1 for update`, programmeID); err != nil {
		return Direction{}, fmt.Errorf("storage: add direction to %d: %w", programmeID, err)
	}
	d, err := addDirection(ctx, tx, programmeID, name)
	if err != nil {
		return Direction{}, fmt.Errorf("storage: add direction to %d: %w", programmeID, err)
	}
	if err := logAction(ctx, tx, now, actorID, "direction.add", "direction", d.ID, map[string]any{"programme_id": programmeID}); err != nil {
		return Direction{}, fmt.Errorf("storage: add direction: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Direction{}, fmt.Errorf("storage: add direction: %w", err)
	}
	return d, nil
}

// RenameDirection renames a direction. It returns ErrInvalid for an empty
// name, ErrConflict for a name another direction of the programme has and
// ErrNotFound for an unknown direction.
func (s *Store) RenameDirection(ctx context.Context, actorID, directionID int64, name string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return fmt.Errorf("storage: rename direction %d: empty name: %w", directionID, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: rename direction %d: %w", directionID, err)
	}
	defer tx.Rollback(ctx)

	tag, err := tx.Exec(ctx, `update directions set name = $2 where id = $1`, directionID, name)
	if pgCode(err) == pgUniqueViolation {
		return fmt.Errorf("storage: rename direction %d: %w", directionID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("storage: rename direction %d: %w", directionID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("storage: rename direction %d: %w", directionID, ErrNotFound)
	}
	if err := logAction(ctx, tx, s.now(), actorID, "direction.rename", "direction", directionID, nil); err != nil {
		return fmt.Errorf("storage: rename direction %d: %w", directionID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: rename direction %d: %w", directionID, err)
	}
	return nil
}

// CreateTask adds a task of t.ProgrammeID and one assignment per assignee
// (status assigned, the NextRemindAt and RemindStep given), and returns
// the task as stored. t.OrgID may be zero (the programme's is taken). It
// returns ErrNotFound for an unknown programme, or a direction not of the
// programme; ErrInvalid for an empty title, no assignees, an assignee
// twice, one who is not an active person of the organisation, or a
// deadline whose day has passed. The store has no zone: it refuses
// deadlines more than a day before now, and the flow refuses exactly
// those before today's local date.
func (s *Store) CreateTask(ctx context.Context, actorID int64, t Task, assignees []Assignment) (Task, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Task{}, fmt.Errorf("storage: create task: %w", err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	t, err = createTask(ctx, tx, now, actorID, t, assignees)
	if err != nil {
		return Task{}, fmt.Errorf("storage: create task: %w", err)
	}
	detail := map[string]any{"programme_id": t.ProgrammeID, "assignees": len(assignees)}
	if err := logAction(ctx, tx, now, actorID, "task.create", "task", t.ID, detail); err != nil {
		return Task{}, fmt.Errorf("storage: create task: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Task{}, fmt.Errorf("storage: create task: %w", err)
	}
	return t, nil
}

// UpdateTask changes the title, description, direction, deadline and
// evidence flag of a task; the rest of t is ignored. It returns
// ErrNotFound for an unknown task or a direction not of its programme,
// ErrInvalid for an empty title or a deadline moved to a day that has
// passed (an unchanged deadline may have passed), and ErrConflict for a
// cancelled task.
func (s *Store) UpdateTask(ctx context.Context, actorID int64, t Task) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: update task %d: %w", t.ID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	old, err := findTask(ctx, tx, `where t.id = $1 for update`, t.ID)
	if err != nil {
		return fmt.Errorf("storage: update task %d: %w", t.ID, err)
	}
	if !old.CancelledAt.IsZero() {
		return fmt.Errorf("storage: update task %d: cancelled: %w", t.ID, ErrConflict)
	}
	t.Title = strings.TrimSpace(t.Title)
	if t.Title == "" {
		return fmt.Errorf("storage: update task %d: empty title: %w", t.ID, ErrInvalid)
	}
	if !t.Due.Equal(old.Due) && pastDue(t.Due, now) {
		return fmt.Errorf("storage: update task %d: deadline passed: %w", t.ID, ErrInvalid)
	}
	if err := checkDirection(ctx, tx, old.ProgrammeID, t.DirectionID); err != nil {
		return fmt.Errorf("storage: update task %d: %w", t.ID, err)
	}
	if _, err := tx.Exec(ctx, `
		update tasks
		set title = $2, description = $3, direction_id = $4, due = $5, has_time = $6, evidence_required = $7
		where id = $1`,
		t.ID, t.Title, t.Description, t.DirectionID, t.Due, t.HasTime, t.EvidenceRequired); err != nil {
		return fmt.Errorf("storage: update task %d: %w", t.ID, err)
	}
	if err := logAction(ctx, tx, now, actorID, "task.update", "task", t.ID, nil); err != nil {
		return fmt.Errorf("storage: update task %d: %w", t.ID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: update task %d: %w", t.ID, err)
	}
	return nil
}

// CancelTask cancels a task: every open assignment becomes cancelled and
// its reminders stop. Reported and confirmed assignments keep their
// status. Cancelling a cancelled task changes nothing. It returns
// ErrNotFound for an unknown task.
func (s *Store) CancelTask(ctx context.Context, actorID, taskID int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: cancel task %d: %w", taskID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	t, err := findTask(ctx, tx, `where t.id = $1 for update`, taskID)
	if err != nil {
		return fmt.Errorf("storage: cancel task %d: %w", taskID, err)
	}
	if !t.CancelledAt.IsZero() {
		return tx.Commit(ctx)
	}
	if _, err := tx.Exec(ctx, `update tasks set cancelled_at = $2 where id = $1`, taskID, now); err != nil {
		return fmt.Errorf("storage: cancel task %d: %w", taskID, err)
	}
	if _, err := tx.Exec(ctx, `
		update task_assignments
		set status = 'cancelled', status_at = $2, next_remind_at = null
		where task_id = $1 and status in `+openStatuses, taskID, now); err != nil {
		return fmt.Errorf("storage: cancel task %d: %w", taskID, err)
	}
	if err := logAction(ctx, tx, now, actorID, "task.cancel", "task", taskID, nil); err != nil {
		return fmt.Errorf("storage: cancel task %d: %w", taskID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: cancel task %d: %w", taskID, err)
	}
	return nil
}

// FindTask returns the task and its assignments (by person id), or
// ErrNotFound.
func (s *Store) FindTask(ctx context.Context, id int64) (Task, []Assignment, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Task{}, nil, fmt.Errorf("storage: find task %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	t, err := findTask(ctx, tx, `where t.id = $1`, id)
	if err != nil {
		return Task{}, nil, fmt.Errorf("storage: find task %d: %w", id, err)
	}
	as, err := taskAssignments(ctx, tx, id)
	if err != nil {
		return Task{}, nil, fmt.Errorf("storage: find task %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Task{}, nil, fmt.Errorf("storage: find task %d: %w", id, err)
	}
	return t, as, nil
}

// ListTasks returns the programme's tasks, cancelled ones included, by
// deadline then id. An unknown programme has none.
func (s *Store) ListTasks(ctx context.Context, programmeID int64) ([]Task, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: list tasks of %d: %w", programmeID, err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `select `+taskColumns+` from tasks t
		where t.programme_id = $1 order by t.due, t.id`, programmeID)
	if err != nil {
		return nil, fmt.Errorf("storage: list tasks of %d: %w", programmeID, err)
	}
	ts, err := pgx.CollectRows(rows, pgx.RowToStructByName[Task])
	if err != nil {
		return nil, fmt.Errorf("storage: list tasks of %d: %w", programmeID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: list tasks of %d: %w", programmeID, err)
	}
	return ts, nil
}

// ListPersonTasks returns the person's tasks still on their list (not
// cancelled, not confirmed: reported ones wait for the manager there too),
// by deadline then id, each with the person's assignment at the same index.
func (s *Store) ListPersonTasks(ctx context.Context, personID int64) ([]Task, []Assignment, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("storage: list tasks of person %d: %w", personID, err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `
		select `+taskColumns+`, `+assignmentColumns+`, 0::bigint as telegram_id
		from task_assignments a join tasks t on t.id = a.task_id
		where a.person_id = $1 and a.status not in ('cancelled', 'confirmed') and t.cancelled_at is null
		order by t.due, t.id`, personID)
	if err != nil {
		return nil, nil, fmt.Errorf("storage: list tasks of person %d: %w", personID, err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[taskAssignment])
	if err != nil {
		return nil, nil, fmt.Errorf("storage: list tasks of person %d: %w", personID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, nil, fmt.Errorf("storage: list tasks of person %d: %w", personID, err)
	}
	var ts []Task
	var as []Assignment
	for _, x := range list {
		ts = append(ts, x.Task)
		as = append(as, x.Assignment)
	}
	return ts, as, nil
}

// ListOverdue returns the organisation's open assignments of tasks not
// cancelled whose deadline has passed at now (the time when the task has
// one, else the end of its day), by deadline, task and person.
func (s *Store) ListOverdue(ctx context.Context, orgID int64, now time.Time) ([]DueReminder, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: list overdue of %d: %w", orgID, err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `
		select `+taskColumns+`, `+assignmentColumns+`, `+telegramColumn+`
		from tasks t
		join task_assignments a on a.task_id = t.id
		join people p on p.id = a.person_id
		where t.org_id = $1 and t.cancelled_at is null and a.status in `+openStatuses+`
		  and `+fmt.Sprintf(overdueSQL, "$2")+`
		order by t.due, t.id, a.person_id`, orgID, now)
	if err != nil {
		return nil, fmt.Errorf("storage: list overdue of %d: %w", orgID, err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[taskAssignment])
	if err != nil {
		return nil, fmt.Errorf("storage: list overdue of %d: %w", orgID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: list overdue of %d: %w", orgID, err)
	}
	return dueReminders(list), nil
}

// Overview counts the programme's assignments per direction by status, and
// the open ones overdue at now, in direction order; a direction without
// tasks is there with no counts. It returns ErrNotFound for an unknown
// programme.
func (s *Store) Overview(ctx context.Context, programmeID int64, now time.Time) ([]DirectionCount, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: overview of %d: %w", programmeID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := findProgramme(ctx, tx, `where id = $1`, programmeID); err != nil {
		return nil, fmt.Errorf("storage: overview of %d: %w", programmeID, err)
	}
	type countRow struct {
		Direction
		Status  string `db:"status"`
		N       int    `db:"n"`
		Overdue int    `db:"overdue"`
	}
	rows, err := tx.Query(ctx, `
		select d.id, d.programme_id, d.name, d.position,
		       coalesce(a.status, '') as status,
		       count(a.task_id)::int as n,
		       count(a.task_id) filter (where a.status in `+openStatuses+` and t.cancelled_at is null
		                                and `+fmt.Sprintf(overdueSQL, "$2")+`)::int as overdue
		from directions d
		left join tasks t on t.direction_id = d.id
		left join task_assignments a on a.task_id = t.id
		where d.programme_id = $1
		group by d.id, a.status
		order by d.position, d.id, a.status`, programmeID, now)
	if err != nil {
		return nil, fmt.Errorf("storage: overview of %d: %w", programmeID, err)
	}
	counts, err := pgx.CollectRows(rows, pgx.RowToStructByName[countRow])
	if err != nil {
		return nil, fmt.Errorf("storage: overview of %d: %w", programmeID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: overview of %d: %w", programmeID, err)
	}
	var out []DirectionCount
	for _, c := range counts {
		if len(out) == 0 || out[len(out)-1].Direction.ID != c.Direction.ID {
			out = append(out, DirectionCount{Direction: c.Direction, ByStatus: map[TaskStatus]int{}})
		}
		dc := &out[len(out)-1]
		if c.N > 0 {
			dc.ByStatus[TaskStatus(c.Status)] = c.N
		}
		dc.Overdue += c.Overdue
	}
	return out, nil
}

// SetAssignment records an assignee's progress: the status, comment,
// next reminder and reminder step of a.TaskID and a.PersonID, and an
// EscalatedAt cleared (zero) or kept; StatusAt becomes now when the
// status changes. A status that is not open stops the reminders whatever
// a.NextRemindAt says. It returns ErrNotFound for an unknown assignment
// and ErrInvalid for an unknown status.
func (s *Store) SetAssignment(ctx context.Context, actorID int64, a Assignment) error {
	if !validTaskStatus(a.Status) {
		return fmt.Errorf("storage: set assignment %d/%d: status %q: %w", a.TaskID, a.PersonID, a.Status, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: set assignment %d/%d: %w", a.TaskID, a.PersonID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	next := nullTime(a.NextRemindAt)
	if !a.Status.Open() {
		next = nil
	}
	// escalated_at is only ever cleared here (a new deadline starts the
	// count again); setting it is MarkEscalated's claim.
	tag, err := tx.Exec(ctx, `
		update task_assignments
		set status_at = case when status = $3 then status_at else $7 end,
		    status = $3, comment = $4, next_remind_at = $5, remind_step = $6,
		    escalated_at = case when $8 then null else escalated_at end
		where task_id = $1 and person_id = $2`,
		a.TaskID, a.PersonID, string(a.Status), a.Comment, next, a.RemindStep, now, a.EscalatedAt.IsZero())
	if err != nil {
		return fmt.Errorf("storage: set assignment %d/%d: %w", a.TaskID, a.PersonID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("storage: set assignment %d/%d: %w", a.TaskID, a.PersonID, ErrNotFound)
	}
	detail := map[string]any{"person_id": a.PersonID, "status": string(a.Status)}
	if err := logAction(ctx, tx, now, actorID, "task.assignment", "task", a.TaskID, detail); err != nil {
		return fmt.Errorf("storage: set assignment %d/%d: %w", a.TaskID, a.PersonID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: set assignment %d/%d: %w", a.TaskID, a.PersonID, err)
	}
	return nil
}

// validTaskStatus reports whether st is one of the statuses.
func validTaskStatus(st TaskStatus) bool {
	switch st {
	case TaskAssigned, TaskAccepted, TaskDone, TaskConfirmed, TaskReturned, TaskCancelled:
		return true
	}
	return false
}

// pastDue reports whether a deadline is certainly of a day before now's,
// in whatever zone: more than a day before now.
func pastDue(due, now time.Time) bool {
	return due.Before(now.Add(-24 * time.Hour))
}

func ensureProgramme(ctx context.Context, tx pgx.Tx, now time.Time, actorID, orgID int64, year string) (Programme, []Direction, error) {
	var p Programme
	rows, err := tx.Query(ctx, `
		insert into programmes (org_id, year, created_at) values ($1, $2, $3)
		on conflict (org_id, year) do nothing
		returning `+programmeColumns, orgID, year, now)
	if err == nil {
		p, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Programme])
	}
	switch {
	case pgCode(err) == pgForeignKeyViolation:
		return Programme{}, nil, ErrNotFound
	case pgCode(err) == pgCheckViolation:
		return Programme{}, nil, ErrInvalid
	case errors.Is(err, pgx.ErrNoRows):
		// There already: another caller may have just made it, and its
		// directions are committed with it.
		p, err = findProgramme(ctx, tx, `where org_id = $1 and year = $2`, orgID, year)
		if err != nil {
			return Programme{}, nil, err
		}
		dirs, err := programmeDirections(ctx, tx, p.ID)
		return p, dirs, err
	case err != nil:
		return Programme{}, nil, err
	}
	var dirs []Direction
	for _, name := range ModelDirections {
		d, err := addDirection(ctx, tx, p.ID, name)
		if err != nil {
			return Programme{}, nil, err
		}
		dirs = append(dirs, d)
	}
	detail := map[string]any{"org_id": orgID, "year": year}
	if err := logAction(ctx, tx, now, actorID, "programme.create", "programme", p.ID, detail); err != nil {
		return Programme{}, nil, err
	}
	return p, dirs, nil
}

func findProgramme(ctx context.Context, tx pgx.Tx, where string, args ...any) (Programme, error) {
	rows, err := tx.Query(ctx, `select `+programmeColumns+` from programmes `+where, args...)
	if err != nil {
		return Programme{}, err
	}
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Programme])
	if errors.Is(err, pgx.ErrNoRows) {
		return Programme{}, ErrNotFound
	}
	return p, err
}

func programmeDirections(ctx context.Context, tx pgx.Tx, programmeID int64) ([]Direction, error) {
	rows, err := tx.Query(ctx, `select `+directionColumns+` from directions
		where programme_id = $1 order by position, id`, programmeID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[Direction])
}

// addDirection appends a direction to the programme, which the caller has
// locked (or just made), so positions do not race.
func addDirection(ctx context.Context, tx pgx.Tx, programmeID int64, name string) (Direction, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Direction{}, fmt.Errorf("empty direction name: %w", ErrInvalid)
	}
	rows, err := tx.Query(ctx, `
		insert into directions (programme_id, name, position)
		values ($1, $2, (select coalesce(max(position), 0) + 1 from directions where programme_id = $1))
		returning `+directionColumns, programmeID, name)
	var d Direction
	if err == nil {
		d, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Direction])
	}
	switch pgCode(err) {
	case pgUniqueViolation:
		return Direction{}, fmt.Errorf("direction %q: %w", name, ErrConflict)
	case pgForeignKeyViolation:
		return Direction{}, ErrNotFound
	}
	return d, err
}

// checkDirection returns ErrNotFound unless the direction is the
// programme's.
func checkDirection(ctx context.Context, tx pgx.Tx, programmeID, directionID int64) error {
	var ok bool
	err := tx.QueryRow(ctx, `select exists (select 1 from directions where id = $1 and programme_id = $2)`,
		directionID, programmeID).Scan(&ok)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("direction %d of programme %d: %w", directionID, programmeID, ErrNotFound)
	}
	return nil
}

func findTask(ctx context.Context, tx pgx.Tx, where string, args ...any) (Task, error) {
	rows, err := tx.Query(ctx, `select `+taskColumns+` from tasks t `+where, args...)
	if err != nil {
		return Task{}, err
	}
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Task])
	if errors.Is(err, pgx.ErrNoRows) {
		return Task{}, ErrNotFound
	}
	return t, err
}

func taskAssignments(ctx context.Context, tx pgx.Tx, taskID int64) ([]Assignment, error) {
	rows, err := tx.Query(ctx, `select `+assignmentColumns+` from task_assignments a
		where a.task_id = $1 order by a.person_id`, taskID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[Assignment])
}

// createTask checks and inserts a task and its assignments. The error
// wraps ErrNotFound or ErrInvalid for what the caller gave wrong.
func createTask(ctx context.Context, tx pgx.Tx, now time.Time, actorID int64, t Task, assignees []Assignment) (Task, error) {
	t.Title = strings.TrimSpace(t.Title)
	if t.Title == "" {
		return Task{}, fmt.Errorf("empty title: %w", ErrInvalid)
	}
	if pastDue(t.Due, now) {
		return Task{}, fmt.Errorf("deadline passed: %w", ErrInvalid)
	}
	if len(assignees) == 0 {
		return Task{}, fmt.Errorf("no assignees: %w", ErrInvalid)
	}
	p, err := findProgramme(ctx, tx, `where id = $1`, t.ProgrammeID)
	if err != nil {
		return Task{}, fmt.Errorf("programme %d: %w", t.ProgrammeID, err)
	}
	if t.OrgID == 0 {
		t.OrgID = p.OrgID
	}
	if t.OrgID != p.OrgID {
		return Task{}, fmt.Errorf("organisation %d is not the programme's: %w", t.OrgID, ErrInvalid)
	}
	if err := checkDirection(ctx, tx, t.ProgrammeID, t.DirectionID); err != nil {
		return Task{}, err
	}
	ids := make([]int64, len(assignees))
	for i, a := range assignees {
		ids[i] = a.PersonID
	}
	if bad, err := strangers(ctx, tx, t.OrgID, ids); err != nil {
		return Task{}, err
	} else if len(bad) > 0 {
		return Task{}, fmt.Errorf("assignees %v are not active people of organisation %d: %w", bad, t.OrgID, ErrInvalid)
	}

	var id int64
	if err := tx.QueryRow(ctx, `
		insert into tasks (programme_id, org_id, direction_id, title, description, due, has_time,
		                   evidence_required, created_by, created_at)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		returning id`,
		t.ProgrammeID, t.OrgID, t.DirectionID, t.Title, t.Description, t.Due, t.HasTime,
		t.EvidenceRequired, nullID(actorID), now).Scan(&id); err != nil {
		return Task{}, err
	}
	if t, err = findTask(ctx, tx, `where t.id = $1`, id); err != nil {
		return Task{}, err
	}
	for _, a := range assignees {
		_, err := tx.Exec(ctx, `
			insert into task_assignments (task_id, person_id, status, status_at, next_remind_at, remind_step)
			values ($1, $2, 'assigned', $3, $4, $5)`,
			t.ID, a.PersonID, now, nullTime(a.NextRemindAt), a.RemindStep)
		if pgCode(err) == pgUniqueViolation {
			return Task{}, fmt.Errorf("assignee %d twice: %w", a.PersonID, ErrInvalid)
		}
		if err != nil {
			return Task{}, err
		}
	}
	return t, nil
}

// strangers returns those of ids who are not active people of the
// organisation, by their own organisation or a role granted in it.
func strangers(ctx context.Context, tx pgx.Tx, orgID int64, ids []int64) ([]int64, error) {
	rows, err := tx.Query(ctx, `
		select u.id from unnest($2::bigint[]) as u (id)
		where not exists (
			select 1 from people p
			where p.id = u.id and p.active and p.forgotten_at is null
			  and (p.org_id = $1 or exists (
			       select 1 from person_roles r where r.person_id = p.id and r.org_id = $1)))
		order by u.id`, orgID, ids)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// dueReminders turns joined rows into reminders.
func dueReminders(list []taskAssignment) []DueReminder {
	var out []DueReminder
	for _, x := range list {
		out = append(out, DueReminder{Task: x.Task, Assignment: x.Assignment, TelegramID: x.TelegramID})
	}
	return out
}
