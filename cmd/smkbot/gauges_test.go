package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"smkbot/bot"
	"smkbot/storage"
)

// TestGauges: a job scheduled for later shows as one scheduled job, and a
// person who blocked the bot as one inactive person.
func TestGauges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := jobsDatabase(t)
	q := replica(t, dbURL, nil, 0)
	q.Handle("test:remind", newRecorder().handle)
	if err := q.At(ctx, "test:remind", "later", remindArgs{Task: 7}, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	store, err := storage.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for i, id := range []int64{5101, 5102} {
		code, _, err := store.CreateInvite(ctx, 0, storage.RolePresidium, 0, 1, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := store.Register(ctx, code, id, "Член президиума "+string(rune('А'+i)), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.MarkInactiveByTelegramID(ctx, 5102); err != nil {
		t.Fatal(err)
	}

	reg := prometheus.NewRegistry()
	m, err := bot.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	if err := refreshGauges(ctx, store.Pool(), m); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP smkbot_jobs_queued Scheduled jobs waiting in the queue, by state (available, scheduled, retryable, running).
# TYPE smkbot_jobs_queued gauge
smkbot_jobs_queued{state="available"} 0
smkbot_jobs_queued{state="retryable"} 0
smkbot_jobs_queued{state="running"} 0
smkbot_jobs_queued{state="scheduled"} 1
# HELP smkbot_people_inactive People marked inactive (blocked the bot, or switched off by an administrator).
# TYPE smkbot_people_inactive gauge
smkbot_people_inactive 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "smkbot_jobs_queued", "smkbot_people_inactive"); err != nil {
		t.Error(err)
	}
	if peakRSS() <= 0 {
		t.Error("peak RSS not read from /proc/self/status")
	}
}
