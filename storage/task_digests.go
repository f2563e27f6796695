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
	// DoneSince: reports sent from then on count as done in the digest
	// (a week before Week).
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
	Done    []TaskDigestLine // reported in the week before (sent, confirmed)
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
