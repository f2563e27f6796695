package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// policyColumns selects a ReminderPolicy; holidays come back as midnight
// UTC of their dates.
const policyColumns = `org_id, ladder, overdue_every, escalate_after, quiet_from, quiet_to, weekends, holidays`

// ReminderPolicy returns the organisation's reminder policy, or
// DefaultReminderPolicy when it has saved none.
func (s *Store) ReminderPolicy(ctx context.Context, orgID int64) (ReminderPolicy, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return ReminderPolicy{}, fmt.Errorf("storage: reminder policy of %d: %w", orgID, err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `select `+policyColumns+` from reminder_policies where org_id = $1`, orgID)
	if err != nil {
		return ReminderPolicy{}, fmt.Errorf("storage: reminder policy of %d: %w", orgID, err)
	}
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ReminderPolicy])
	if errors.Is(err, pgx.ErrNoRows) {
		p, err = DefaultReminderPolicy(orgID), nil
	}
	if err != nil {
		return ReminderPolicy{}, fmt.Errorf("storage: reminder policy of %d: %w", orgID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return ReminderPolicy{}, fmt.Errorf("storage: reminder policy of %d: %w", orgID, err)
	}
	return normalPolicy(p), nil
}

// normalPolicy turns the empty lists a policy reads back as into nil,
// which keeps it equal to what was saved (and to the default's).
func normalPolicy(p ReminderPolicy) ReminderPolicy {
	if len(p.Ladder) == 0 {
		p.Ladder = nil
	}
	if len(p.Weekends) == 0 {
		p.Weekends = nil
	}
	if len(p.Holidays) == 0 {
		p.Holidays = nil
	}
	return p
}

// SaveReminderPolicy stores the organisation's reminder policy in place of
// the one it had. Holidays are kept as the calendar dates they carry. It
// returns ErrInvalid for quiet hours outside 0–1439 minutes, a negative
// overdue interval or a weekday outside 0–6, and ErrNotFound for an
// unknown organisation.
func (s *Store) SaveReminderPolicy(ctx context.Context, actorID int64, p ReminderPolicy) error {
	bad := p.QuietFrom < 0 || p.QuietFrom >= 24*60 || p.QuietTo < 0 || p.QuietTo >= 24*60 || p.OverdueEvery < 0
	for _, d := range p.Weekends {
		bad = bad || d < 0 || d > 6
	}
	if bad {
		return fmt.Errorf("storage: save reminder policy of %d: %w", p.OrgID, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: save reminder policy of %d: %w", p.OrgID, err)
	}
	defer tx.Rollback(ctx)

	ladder, weekends := p.Ladder, p.Weekends
	if ladder == nil {
		ladder = []int{}
	}
	if weekends == nil {
		weekends = []int{}
	}
	holidays := make([]time.Time, len(p.Holidays))
	for i, h := range p.Holidays {
		// pgx writes a date from the year, month and day of the time it
		// is given; UTC makes the date the one the caller saw.
		y, m, d := h.Date()
		holidays[i] = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	_, err = tx.Exec(ctx, `
		insert into reminder_policies (`+policyColumns+`)
		values ($1, $2, $3, $4, $5, $6, $7, $8::date[])
		on conflict (org_id) do update
		set ladder = excluded.ladder, overdue_every = excluded.overdue_every,
		    escalate_after = excluded.escalate_after, quiet_from = excluded.quiet_from,
		    quiet_to = excluded.quiet_to, weekends = excluded.weekends, holidays = excluded.holidays`,
		p.OrgID, ladder, p.OverdueEvery, p.EscalateAfter, p.QuietFrom, p.QuietTo, weekends, holidays)
	if pgCode(err) == pgForeignKeyViolation {
		return fmt.Errorf("storage: save reminder policy of %d: %w", p.OrgID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("storage: save reminder policy of %d: %w", p.OrgID, err)
	}
	if err := logAction(ctx, tx, s.now(), actorID, "reminders.policy", "organisation", p.OrgID, nil); err != nil {
		return fmt.Errorf("storage: save reminder policy of %d: %w", p.OrgID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: save reminder policy of %d: %w", p.OrgID, err)
	}
	return nil
}

// ClaimDueReminders locks up to limit assignments whose next reminder is
// at or before now, earliest first, asks advance for each one's next time
// and step (zero time: no more), stores them and commits, so that each
// reminder is handed out once: a concurrent caller skips the locked rows
// and, once this one commits, no longer sees them due. The reminders come
// back as claimed, before advancing. advance runs inside the transaction:
// it must be quick and must not write the same rows.
func (s *Store) ClaimDueReminders(ctx context.Context, now time.Time, limit int,
	advance func(DueReminder) (next time.Time, step int)) ([]DueReminder, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: claim reminders: %w", err)
	}
	defer tx.Rollback(ctx)

	// The partial index on next_remind_at hands over the due rows in
	// order; the rest of the table is never read.
	rows, err := tx.Query(ctx, `
		select `+taskColumns+`, `+assignmentColumns+`, `+telegramColumn+`
		from task_assignments a
		join tasks t on t.id = a.task_id
		join people p on p.id = a.person_id
		where a.next_remind_at <= $1
		order by a.next_remind_at
		limit $2
		for update of a skip locked`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: claim reminders: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[taskAssignment])
	if err != nil {
		return nil, fmt.Errorf("storage: claim reminders: %w", err)
	}
	if len(list) == 0 {
		return nil, tx.Commit(ctx)
	}
	due := dueReminders(list)
	taskIDs := make([]int64, len(due))
	personIDs := make([]int64, len(due))
	nexts := make([]*time.Time, len(due))
	steps := make([]int, len(due))
	for i, d := range due {
		next, step := advance(d)
		taskIDs[i], personIDs[i], nexts[i], steps[i] = d.Task.ID, d.Assignment.PersonID, nullTime(next), step
	}
	// One statement for the whole batch rather than one round trip each.
	if _, err := tx.Exec(ctx, `
		update task_assignments a
		set next_remind_at = u.next, remind_step = u.step
		from unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::int[]) as u (task_id, person_id, next, step)
		where a.task_id = u.task_id and a.person_id = u.person_id`,
		taskIDs, personIDs, nexts, steps); err != nil {
		return nil, fmt.Errorf("storage: claim reminders: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: claim reminders: %w", err)
	}
	return due, nil
}

// MarkEscalated claims the escalation of an assignment: it records at as
// the time the quality managers were told, unless that was done already,
// and reports whether this call did it, so that of several callers one
// tells them. It returns ErrNotFound for an unknown assignment.
func (s *Store) MarkEscalated(ctx context.Context, taskID, personID int64, at time.Time) (bool, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("storage: mark escalated %d/%d: %w", taskID, personID, err)
	}
	defer tx.Rollback(ctx)

	tag, err := tx.Exec(ctx, `
		update task_assignments set escalated_at = $3
		where task_id = $1 and person_id = $2 and escalated_at is null`, taskID, personID, at)
	if err != nil {
		return false, fmt.Errorf("storage: mark escalated %d/%d: %w", taskID, personID, err)
	}
	won := tag.RowsAffected() == 1
	if !won {
		var exists bool
		if err := tx.QueryRow(ctx, `select exists (select 1 from task_assignments
			where task_id = $1 and person_id = $2)`, taskID, personID).Scan(&exists); err != nil {
			return false, fmt.Errorf("storage: mark escalated %d/%d: %w", taskID, personID, err)
		}
		if !exists {
			return false, fmt.Errorf("storage: mark escalated %d/%d: %w", taskID, personID, ErrNotFound)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("storage: mark escalated %d/%d: %w", taskID, personID, err)
	}
	return won, nil
}

// ReminderPolicies returns every stored reminder policy by organisation;
// organisations missing from it use DefaultReminderPolicy. The reminder
// job reads them all before it claims, so it never needs a second
// connection inside the claim's transaction.
func (s *Store) ReminderPolicies(ctx context.Context) (map[int64]ReminderPolicy, error) {
	rows, err := s.pool.Query(ctx, `select `+policyColumns+` from reminder_policies`)
	if err != nil {
		return nil, fmt.Errorf("storage: reminder policies: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[ReminderPolicy])
	if err != nil {
		return nil, fmt.Errorf("storage: reminder policies: %w", err)
	}
	byOrg := make(map[int64]ReminderPolicy, len(list))
	for _, p := range list {
		byOrg[p.OrgID] = normalPolicy(p)
	}
	return byOrg, nil
}
