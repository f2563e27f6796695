package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"smkbot/storage"
	"smkbot/storage/storagetest"
)

// BenchmarkClaimDueReminders100k measures one reminder tick (limit 500)
// with 100,000 tasks in the database, one assignee each: 1% due, two
// thirds waiting for a later reminder, the rest reported (no reminder).
// The data is written with COPY before the timer starts, and before each
// tick the due set is made due again, outside the timer.
func BenchmarkClaimDueReminders100k(b *testing.B) {
	const (
		tasks = 100_000
		limit = 500
	)
	ctx := context.Background()
	s, err := storage.Open(ctx, storagetest.DatabaseURL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 12, 25, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }

	org, err := s.CreateOrganisation(ctx, 0, storage.Organisation{Name: "Школа № 1"})
	if err != nil {
		b.Fatal(err)
	}
	prog, dirs, err := s.EnsureProgramme(ctx, 0, org.ID, "2026/2027")
	if err != nil {
		b.Fatal(err)
	}
	pool := s.Pool()
	var people [][]any
	for i := range 200 {
		people = append(people, []any{int64(1000 + i), fmt.Sprintf("Учитель %d", i), org.ID, true})
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"people"}, []string{"telegram_id", "full_name", "org_id", "active"},
		pgx.CopyFromRows(people)); err != nil {
		b.Fatal(err)
	}
	var personIDs []int64
	if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `select id from people order by id`)
		if err != nil {
			return err
		}
		personIDs, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	}); err != nil {
		b.Fatal(err)
	}

	var taskRows [][]any
	for i := range tasks {
		due := now.AddDate(0, 0, i%120-20).Truncate(24 * time.Hour)
		taskRows = append(taskRows, []any{prog.ID, org.ID, dirs[i%len(dirs)].ID, fmt.Sprintf("Задача %d", i), due, now})
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"tasks"},
		[]string{"programme_id", "org_id", "direction_id", "title", "due", "created_at"}, pgx.CopyFromRows(taskRows)); err != nil {
		b.Fatal(err)
	}
	var taskIDs []int64
	rows, err := pool.Query(ctx, `select id from tasks order by id`)
	if err != nil {
		b.Fatal(err)
	}
	if taskIDs, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		b.Fatal(err)
	}
	var assignments [][]any
	var due []int64
	for i, id := range taskIDs {
		status, next := "assigned", any(now.Add(time.Duration(1+i%(30*24))*time.Hour))
		switch {
		case i%100 == 0:
			next = now.Add(-time.Duration(i%60) * time.Minute)
			due = append(due, id)
		case i%3 == 0:
			status, next = "done", nil
		}
		assignments = append(assignments, []any{id, personIDs[i%len(personIDs)], status, now, next, int32(1)})
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"task_assignments"},
		[]string{"task_id", "person_id", "status", "status_at", "next_remind_at", "remind_step"}, pgx.CopyFromRows(assignments)); err != nil {
		b.Fatal(err)
	}
	for _, sql := range []string{`vacuum analyze tasks`, `vacuum analyze task_assignments`, `vacuum analyze people`} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}

	advance := func(d storage.DueReminder) (time.Time, int) {
		return now.Add(48 * time.Hour), d.Assignment.RemindStep + 1
	}
	claimed := 0
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		if _, err := pool.Exec(ctx, `update task_assignments set next_remind_at = $2, remind_step = 1
			where task_id = any($1)`, due, now.Add(-time.Minute)); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		got, err := s.ClaimDueReminders(ctx, now, limit, advance)
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != limit {
			b.Fatalf("claimed %d reminders, want %d", len(got), limit)
		}
		claimed += len(got)
	}
	b.ReportMetric(float64(claimed)/float64(b.N), "reminders/op")
}
