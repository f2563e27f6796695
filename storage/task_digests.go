package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// TaskDigestWeek is the week a quality manager's digest covers. The flow
// works out its bounds in the association's zone; the store compares
// instants only.
type TaskDigestWeek struct {
	// Week is the local midnight starting the Monday of the week; its
	// calendar date names the week's digest.
	Week time.Time
	// DoneSince: reports sent from then until Week count as done in the
	// digest (a week before Week).
	DoneSince time.Time
	// Today is the local midnight of now's day: a deadline without a time
	// before it has passed.
	Today time.Time
	// DueBefore: open assignments due from now until then are due this
	// week (a week after Week).
	DueBefore time.Time
	Now       time.Time
}

// TaskDigestLine is one assignment in a digest.
type TaskDigestLine struct {
	TaskID     int64     `db:"task_id"`
	Title      string    `db:"title"`
	Due        time.Time `db:"due"`
	HasTime    bool      `db:"has_time"`
	PersonID   int64     `db:"person_id"`
	PersonName string    `db:"person_name"` // "" once forgotten
}

// TaskDigest is a school's week for its quality managers, each list by
// deadline.
type TaskDigest struct {
	Done    []TaskDigestLine // reported in the week before Week (done, confirmed)
	Due     []TaskDigestLine // open, due this week and not passed yet
	Overdue []TaskDigestLine // open, past the deadline
}

// weekKey is the calendar date naming a digest's week, as a date value:
// pgx writes a date from the year, month and day of the time it is given.
func weekKey(week time.Time) time.Time {
	y, m, d := week.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// TaskDigestOrgs lists the organisations with tasks that are not cancelled
// whose digest of the week has not gone yet.
func (s *Store) TaskDigestOrgs(ctx context.Context, week time.Time) ([]int64, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: task digest orgs: %w", err)
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, `select o.id from organisations o
		where exists (select 1 from tasks t where t.org_id = o.id and t.cancelled_at is null)
		and not exists (select 1 from task_digests d where d.org_id = o.id and d.week = $1)
		order by o.id`, weekKey(week))
	if err != nil {
		return nil, fmt.Errorf("storage: task digest orgs: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("storage: task digest orgs: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: task digest orgs: %w", err)
	}
	return ids, nil
}

// ClaimTaskDigest claims the organisation's digest of week w and, if this
// call claimed it, returns its contents, read in the same transaction:
// whoever claims the week sends the digest, nobody else does. ok is false
// when the week's digest was claimed already.
func (s *Store) ClaimTaskDigest(ctx context.Context, orgID int64, w TaskDigestWeek) (_ TaskDigest, ok bool, _ error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return TaskDigest{}, false, fmt.Errorf("storage: claim task digest of %d: %w", orgID, err)
	}
	defer tx.Rollback(ctx)

	tag, err := tx.Exec(ctx, `insert into task_digests (org_id, week, sent_at) values ($1, $2, $3)
		on conflict do nothing`, orgID, weekKey(w.Week), w.Now)
	if err != nil {
		return TaskDigest{}, false, fmt.Errorf("storage: claim task digest of %d: %w", orgID, err)
	}
	if tag.RowsAffected() == 0 {
		return TaskDigest{}, false, nil
	}
	var dg TaskDigest
	// Done: a report sent in the week before that still stands (not
	// returned since). The week ends at Week, not now, so that a report
	// sent on Monday before the digest counts in the next one, once.
	dg.Done, err = digestLines(ctx, tx, `a.status in ('done', 'confirmed')
		and exists (select 1 from task_reports r where r.task_id = a.task_id and r.person_id = a.person_id
			and r.sent_at >= $2 and r.sent_at < $3)`, orgID, w.DoneSince, w.Week)
	if err != nil {
		return TaskDigest{}, false, fmt.Errorf("storage: claim task digest of %d: %w", orgID, err)
	}
	// Due: open, the deadline not passed yet ($2 is today's local
	// midnight, $3 now) and before the week's end.
	dg.Due, err = digestLines(ctx, tx, `a.status in `+openStatuses+`
		and t.due < $4 and (case when t.has_time then t.due > $3 else t.due >= $2 end)`,
		orgID, w.Today, w.Now, w.DueBefore)
	if err != nil {
		return TaskDigest{}, false, fmt.Errorf("storage: claim task digest of %d: %w", orgID, err)
	}
	dg.Overdue, err = digestLines(ctx, tx, `a.status in `+openStatuses+`
		and (case when t.has_time then t.due <= $3 else t.due < $2 end)`, orgID, w.Today, w.Now)
	if err != nil {
		return TaskDigest{}, false, fmt.Errorf("storage: claim task digest of %d: %w", orgID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return TaskDigest{}, false, fmt.Errorf("storage: claim task digest of %d: %w", orgID, err)
	}
	return dg, true, nil
}

// digestLines lists the assignments of the organisation's tasks that are
// not cancelled and meet where ($1 is the organisation), by deadline.
func digestLines(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]TaskDigestLine, error) {
	rows, err := tx.Query(ctx, `
		select t.id as task_id, t.title, t.due, t.has_time, a.person_id, p.full_name as person_name
		from tasks t
		join task_assignments a on a.task_id = t.id
		join people p on p.id = a.person_id
		where t.org_id = $1 and t.cancelled_at is null and `+where+`
		order by t.due, t.id, p.full_name`, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[TaskDigestLine])
}
