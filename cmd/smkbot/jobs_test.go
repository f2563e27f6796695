package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"smkbot/bot"
	"smkbot/bot/bottest"
	"smkbot/flows"
	"smkbot/storage"
	"smkbot/storage/storagetest"
)

// jobsWait bounds every wait for jobs to run; a pass takes far less.
const jobsWait = 20 * time.Second

// jobsDatabase returns a fresh database with River's tables. Migrate is
// run again because a template made before River joined the migrations
// lacks them (a no-op otherwise).
func jobsDatabase(t *testing.T) string {
	t.Helper()
	dbURL := storagetest.DatabaseURL(t)
	if err := storage.Migrate(context.Background(), dbURL); err != nil {
		t.Fatal(err)
	}
	return dbURL
}

// replica is one bot process's job queue, on a pool of its own.
func replica(t *testing.T, dbURL string, sender messageSender, every time.Duration) *jobQueue {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	q, err := newJobQueue(pool, sender, log, jobQueueOptions{Every: every, PollInterval: 20 * time.Millisecond, testOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func start(t *testing.T, q *jobQueue, jobs ...flows.Job) {
	t.Helper()
	if err := q.Start(context.Background(), jobs); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop(q) })
}

func stop(q *jobQueue) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	q.Stop(ctx)
}

// waitFor polls cond until it holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(jobsWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, jobsWait)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// telegram is the fake Bot API and a Sender to it; chat 42 exists.
func telegram(t *testing.T) (*bottest.Server, *bot.Sender) {
	t.Helper()
	tg := bottest.New("123456:TEST-token")
	t.Cleanup(tg.Close)
	tg.AddChat(42)
	client, err := bot.NewClient(context.Background(), tg.Token(), tg.Endpoint(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return tg, bot.NewSender(client, bot.SenderOptions{GlobalRate: 1000, ChatInterval: time.Millisecond})
}

// runsOf reports the River rows of a job kind: how many there are, the
// greatest attempt among them, and how many ran (attempt > 0).
func runsOf(t *testing.T, dbURL, kind string) (rows, maxAttempt, ran int) {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	err = pool.QueryRow(context.Background(), `
		select count(*), coalesce(max(attempt), 0), count(*) filter (where attempt > 0)
		from river_job where kind = $1`, kind).Scan(&rows, &maxAttempt, &ran)
	if err != nil {
		t.Fatal(err)
	}
	return rows, maxAttempt, ran
}

// TestPeriodicJobOnceAcrossReplicas runs a periodic job slower than its
// period on two replicas: each occurrence (a River row) runs once, on one
// replica, never overlapping another, and its message is sent once.
func TestPeriodicJobOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	dbURL := jobsDatabase(t)
	tg, sender := telegram(t)

	var runs, inflight, overlaps atomic.Int64
	job := flows.Job{Name: "tick", Every: time.Hour, Run: func(ctx context.Context, now time.Time) ([]bot.Message, error) {
		if inflight.Add(1) > 1 {
			overlaps.Add(1)
		}
		defer inflight.Add(-1)
		time.Sleep(30 * time.Millisecond) // longer than the period below
		runs.Add(1)
		return []bot.Message{bot.Text{ChatID: 42, Text: "tick"}}, nil
	}}
	// JOBS_EVERY's override: 10ms instead of the job's hour.
	a := replica(t, dbURL, sender, 10*time.Millisecond)
	b := replica(t, dbURL, sender, 10*time.Millisecond)
	start(t, a, job)
	start(t, b, job)
	waitFor(t, "5 runs", func() bool { return runs.Load() >= 5 })
	stop(a)
	stop(b)

	rows, maxAttempt, ran := runsOf(t, dbURL, kindPeriodic)
	if int64(ran) != runs.Load() || maxAttempt != 1 {
		t.Errorf("%d runs for %d occurrences run (of %d queued), greatest attempt %d; want one run each", runs.Load(), ran, rows, maxAttempt)
	}
	if n := overlaps.Load(); n > 0 {
		t.Errorf("%d runs overlapped another: a slow run had a copy queued behind it", n)
	}
	if got := len(tg.Messages(42)); int64(got) != runs.Load() {
		t.Errorf("%d messages sent for %d runs", got, runs.Load())
	}
}

// recorder is the handler of the tests' work: it counts the runs of each
// key and notes any run before its time.
type recorder struct {
	mu    sync.Mutex
	runs  map[string]int
	args  map[string]string
	early []string
}

func newRecorder() *recorder {
	return &recorder{runs: map[string]int{}, args: map[string]string{}}
}

func (r *recorder) handle(_ context.Context, w flows.Work, now time.Time) ([]bot.Message, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := w.Key + "@" + w.At.Format("15:04:05.000000")
	r.runs[w.Key]++
	r.args[id] = string(w.Args)
	if now.Before(w.At) {
		r.early = append(r.early, id)
	}
	return nil, nil
}

func (r *recorder) count(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runs[key]
}

func (r *recorder) snapshot() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.runs))
	for k, v := range r.runs {
		out[k] = v
	}
	return out
}

type remindArgs struct {
	Task int64 `json:"task"`
}

func TestScheduledWork(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := jobsDatabase(t)
	q := replica(t, dbURL, nil, 0)
	rec := newRecorder()
	q.Handle("test:remind", rec.handle)

	if err := q.At(ctx, "test:unknown", "k", nil, time.Now()); err == nil {
		t.Error("At with a kind that has no handler: no error")
	}
	soon := time.Now().Add(200 * time.Millisecond)
	later := soon.Add(100 * time.Millisecond)
	schedule := func(key string, at time.Time) {
		t.Helper()
		if err := q.At(ctx, "test:remind", key, remindArgs{Task: 7}, at); err != nil {
			t.Fatalf("At %s: %v", key, err)
		}
	}
	schedule("once", soon)
	schedule("cancelled", soon)
	schedule("cancelled", later)
	schedule("far-cancelled", time.Now().Add(time.Hour)) // waits in River's scheduled state
	schedule("twice-asked", soon)
	schedule("twice-asked", soon.In(time.FixedZone("Barnaul", 7*3600))) // the same instant
	schedule("ladder", soon)
	schedule("ladder", later)
	for _, key := range []string{"cancelled", "far-cancelled", "nothing-there"} {
		if err := q.Cancel(ctx, "test:remind", key); err != nil {
			t.Fatalf("Cancel %s: %v", key, err)
		}
	}
	start(t, q)
	waitFor(t, "the work to run", func() bool {
		return rec.count("once") >= 1 && rec.count("twice-asked") >= 1 && rec.count("ladder") >= 2
	})
	stop(q)

	want := map[string]int{"once": 1, "twice-asked": 1, "ladder": 2}
	if diff := cmp.Diff(want, rec.snapshot()); diff != "" {
		t.Errorf("runs by key (-want +got):\n%s", diff)
	}
	if len(rec.early) > 0 {
		t.Errorf("ran before their time: %v", rec.early)
	}
	id := "once@" + soon.UTC().Round(time.Microsecond).Format("15:04:05.000000")
	var got remindArgs
	if err := json.Unmarshal([]byte(rec.args[id]), &got); err != nil || got.Task != 7 {
		t.Errorf("args of %s = %q, want task 7; have %v", id, rec.args[id], rec.args)
	}
	// once, cancelled ×2, far-cancelled, twice-asked, ladder ×2.
	if rows, _, _ := runsOf(t, dbURL, kindWork); rows != 7 {
		t.Errorf("%d occurrences queued, want 7", rows)
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var cancelled int
	err = pool.QueryRow(ctx, `select count(*) from river_job where kind = $1 and state = 'cancelled'`, kindWork).Scan(&cancelled)
	if err != nil || cancelled != 3 {
		t.Errorf("%d cancelled occurrences (err %v), want 3", cancelled, err)
	}
}

// TestScheduledWorkOnceAcrossReplicas schedules work through one replica
// and runs it on two: every occurrence runs once, on one of them.
func TestScheduledWorkOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := jobsDatabase(t)
	rec := newRecorder()
	a := replica(t, dbURL, nil, 0)
	b := replica(t, dbURL, nil, 0)
	var onA, onB atomic.Int64
	a.Handle("test:remind", func(ctx context.Context, w flows.Work, now time.Time) ([]bot.Message, error) {
		onA.Add(1)
		return rec.handle(ctx, w, now)
	})
	b.Handle("test:remind", func(ctx context.Context, w flows.Work, now time.Time) ([]bot.Message, error) {
		onB.Add(1)
		return rec.handle(ctx, w, now)
	})
	start(t, a)
	start(t, b)

	const n = 20
	at := time.Now().Add(200 * time.Millisecond)
	want := map[string]int{}
	for i := range n {
		key := string(rune('a' + i))
		want[key] = 1
		if err := a.At(ctx, "test:remind", key, remindArgs{Task: int64(i)}, at); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "every key to run", func() bool { return len(rec.snapshot()) == n })
	stop(a)
	stop(b)

	if diff := cmp.Diff(want, rec.snapshot()); diff != "" {
		t.Errorf("runs by key (-want +got):\n%s", diff)
	}
	if _, maxAttempt, ran := runsOf(t, dbURL, kindWork); ran != n || maxAttempt != 1 {
		t.Errorf("%d occurrences ran, greatest attempt %d; want %d, 1", ran, maxAttempt, n)
	}
	t.Logf("replica a ran %d, b ran %d", onA.Load(), onB.Load())
}

// TestScheduledWorkSurvivesRestart schedules work on a replica that stops
// before it is due; the next start runs it, once.
func TestScheduledWorkSurvivesRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := jobsDatabase(t)
	rec := newRecorder()

	first := replica(t, dbURL, nil, 0)
	first.Handle("test:remind", rec.handle)
	start(t, first)
	if err := first.At(ctx, "test:remind", "task:1", remindArgs{Task: 1}, time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	stop(first)
	if rows, _, ran := runsOf(t, dbURL, kindWork); rows != 1 || ran != 0 {
		t.Fatalf("before the restart: %d occurrences, %d ran; want 1 waiting (a very slow machine?)", rows, ran)
	}

	second := replica(t, dbURL, nil, 0)
	second.Handle("test:remind", rec.handle)
	start(t, second)
	waitFor(t, "the work to run after the restart", func() bool { return rec.count("task:1") >= 1 })
	stop(second)
	if got := rec.count("task:1"); got != 1 {
		t.Errorf("ran %d times, want once", got)
	}
}

// TestWorkErrorIsRetried: an error is logged and retried by River; the
// messages returned with it are sent all the same.
func TestWorkErrorIsRetried(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := jobsDatabase(t)
	tg, sender := telegram(t)
	q := replica(t, dbURL, sender, 0)
	var attempts []int
	var mu sync.Mutex
	q.Handle("test:flaky", func(_ context.Context, w flows.Work, _ time.Time) ([]bot.Message, error) {
		mu.Lock()
		defer mu.Unlock()
		attempts = append(attempts, w.Attempt)
		var a remindArgs
		if err := json.Unmarshal(w.Args, &a); err != nil {
			return nil, err
		}
		if w.Attempt == 1 {
			return []bot.Message{bot.Text{ChatID: 42, Text: "partial"}}, errFlaky
		}
		return []bot.Message{bot.Text{ChatID: 42, Text: "done"}}, nil
	})
	start(t, q)
	if err := q.At(ctx, "test:flaky", "k", remindArgs{Task: 3}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	// River retries after about a second.
	if _, err := tg.WaitMessages(42, 2, jobsWait); err != nil {
		t.Fatal(err)
	}
	stop(q)
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]int{1, 2}, attempts); diff != "" {
		t.Errorf("attempts (-want +got):\n%s", diff)
	}
}

var errFlaky = flakyError{}

type flakyError struct{}

func (flakyError) Error() string { return "flaky" }
