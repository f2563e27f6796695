package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"smkbot/bot"
	"smkbot/flows"
)

// River job kinds. They are stored in river_job rows: renaming one strands
// the rows already queued under the old name.
const (
	kindPeriodic = "flow_job"  // a flows.Job, by name
	kindWork     = "flow_work" // one occurrence of flows.Scheduler work
)

const (
	// jobTimeout bounds one run, sending included. The Sender waits out
	// Telegram's retry_after and paces chats, so a digest to many people
	// may take minutes; River's default of a minute would cut it short.
	// River's rescue of stuck jobs (after an hour) must stay above it.
	jobTimeout = 10 * time.Minute
	// periodicMaxAttempts: a failed periodic run is retried soon (River
	// waits attempt⁴ seconds), then dropped, because the next period runs
	// it anyway; a run retrying for hours would hold the next ones back.
	periodicMaxAttempts = 3
	// workMaxAttempts: one-off work is retried for about four hours in
	// all, then dropped with a log line; a reminder later than that is
	// more confusing than useful.
	workMaxAttempts = 10
	// jobWorkers is how many jobs one replica runs at once. Sending is
	// bounded by the Sender's rate anyway.
	jobWorkers = 10
	// riverSchedulerInterval is how often River's leader makes scheduled
	// jobs available (River's fixed default).
	riverSchedulerInterval = 5 * time.Second
	// hardStopWait is how long Stop waits for cancelled jobs to return.
	hardStopWait = 5 * time.Second
)

// unfinished are the states in which a periodic run blocks the next one:
// a slow or retrying run never has a second copy queued behind it.
var unfinished = []rivertype.JobState{
	rivertype.JobStateAvailable,
	rivertype.JobStatePending,
	rivertype.JobStateRetryable,
	rivertype.JobStateRunning,
	rivertype.JobStateScheduled,
}

// periodicArgs names the flows.Job a periodic run runs.
type periodicArgs struct {
	Name string `json:"name"`
}

func (periodicArgs) Kind() string { return kindPeriodic }

// workArgs is one occurrence of scheduled work. Kind, key and time make it
// unique (the river:"unique" fields), so scheduling it again is a no-op,
// while one key may have occurrences at several times.
type workArgs struct {
	Work string          `json:"kind" river:"unique"`
	Key  string          `json:"key" river:"unique"`
	At   time.Time       `json:"at" river:"unique"`
	Args json.RawMessage `json:"args,omitempty"`
}

func (workArgs) Kind() string { return kindWork }

// messageSender delivers what a job returns; *bot.Sender implements it.
type messageSender interface {
	Send(ctx context.Context, msgs ...bot.Message) []bot.Delivery
}

// jobQueueOptions tune the job queue. Zero values take the defaults.
type jobQueueOptions struct {
	// Every, when non-zero, replaces every periodic job's period
	// (JOBS_EVERY, for tests and trials).
	Every time.Duration
	// PollInterval is how often a replica looks for due work besides
	// River's LISTEN/NOTIFY wake-ups (default 1s, or Every when shorter).
	PollInterval time.Duration
	// testOnly skips River's random stagger of up to a second when a
	// replica becomes leader.
	testOnly bool
}

// jobQueue runs the flows' scheduled work as River jobs in Postgres:
// periodic flows.Jobs, enqueued by the elected leader, and one-off work
// through flows.Scheduler. Jobs are fetched with SKIP LOCKED, so each runs
// on one replica; they survive restarts, and errors are retried by River
// with backoff. What a job returns is sent through the Sender.
type jobQueue struct {
	client *river.Client[pgx.Tx]
	sender messageSender
	log    *slog.Logger
	every  time.Duration

	mu       sync.RWMutex
	periodic map[string]flows.Job
	handlers map[string]flows.WorkFunc
}

var _ flows.Scheduler = (*jobQueue)(nil)

// newJobQueue returns a queue on pool that is not running yet: flows
// register their handlers, then Start runs it.
func newJobQueue(pool *pgxpool.Pool, sender messageSender, log *slog.Logger, o jobQueueOptions) (*jobQueue, error) {
	q := &jobQueue{
		sender:   sender,
		log:      log,
		every:    o.Every,
		periodic: map[string]flows.Job{},
		handlers: map[string]flows.WorkFunc{},
	}
	poll := o.PollInterval
	if poll == 0 {
		poll = time.Second
		if o.Every > 0 {
			poll = min(o.Every, poll)
		}
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(q.runPeriodic))
	river.AddWorker(workers, river.WorkFunc(q.runWork))
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: jobWorkers}},
		Workers:           workers,
		FetchCooldown:     min(poll, 100*time.Millisecond),
		FetchPollInterval: poll,
		JobTimeout:        jobTimeout,
		ErrorHandler:      jobErrors{log: log},
		Hooks:             []rivertype.Hook{river.HookInsertBeginFunc(availableSoon)},
		Logger:            log.With("component", "river"),
		TestOnly:          o.testOnly,
	})
	if err != nil {
		return nil, fmt.Errorf("river: %w", err)
	}
	q.client = client
	return q, nil
}

// Start registers the periodic jobs and starts working. Every replica
// registers them all: River enqueues periodic jobs on the elected leader
// only, and any replica may be elected. Each job runs once at start (on
// the new leader), then every period.
func (q *jobQueue) Start(ctx context.Context, jobs []flows.Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, j := range jobs {
		if _, dup := q.periodic[j.Name]; dup || j.Name == "" {
			return fmt.Errorf("jobs: periodic job %q is registered twice or has no name", j.Name)
		}
		every := j.Every
		if q.every > 0 {
			every = q.every
		}
		if every <= 0 {
			return fmt.Errorf("jobs: periodic job %q has no period", j.Name)
		}
		q.periodic[j.Name] = j
		args := periodicArgs{Name: j.Name}
		q.client.PeriodicJobs().Add(river.NewPeriodicJob(
			river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) {
				return args, &river.InsertOpts{
					MaxAttempts: periodicMaxAttempts,
					UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: unfinished},
				}
			},
			&river.PeriodicJobOpts{RunOnStart: true},
		))
	}
	// River stops when the context of Start ends; run stops it through
	// Stop instead, within the shutdown grace.
	if err := q.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// Stop stops fetching work and lets running jobs finish until ctx is done;
// then their contexts are cancelled and they get hardStopWait to return.
// A job cut short is retried by the next replica or start.
func (q *jobQueue) Stop(ctx context.Context) {
	err := q.client.Stop(ctx)
	if err == nil {
		return
	}
	if ctx.Err() == nil {
		q.log.Warn("jobs stop", "err", err)
		return
	}
	hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), hardStopWait)
	defer cancel()
	if err := q.client.StopAndCancel(hard); err != nil {
		q.log.Warn("jobs did not stop", "err", err)
	}
}

// Handle implements flows.Scheduler.
func (q *jobQueue) Handle(kind string, h flows.WorkFunc) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.handlers[kind] = h
}

func (q *jobQueue) handler(kind string) flows.WorkFunc {
	q.mu.RLock()
	defer q.mu.RUnlock()
	return q.handlers[kind]
}

// At implements flows.Scheduler. The time is kept in UTC to the
// microsecond, so the same deadline computed in any zone or read back
// from Postgres names the same occurrence.
func (q *jobQueue) At(ctx context.Context, kind, key string, args any, at time.Time) error {
	if kind == "" || key == "" {
		return fmt.Errorf("jobs: schedule %q %q: kind and key are required", kind, key)
	}
	if q.handler(kind) == nil {
		return fmt.Errorf("jobs: schedule %s: no handler for this kind", kind)
	}
	raw, err := json.Marshal(args)
	if err != nil {
		return fmt.Errorf("jobs: schedule %s: %w", kind, err)
	}
	if at.IsZero() {
		at = time.Now()
	}
	at = at.UTC().Round(time.Microsecond)
	_, err = q.client.Insert(ctx, workArgs{Work: kind, Key: key, At: at, Args: raw}, &river.InsertOpts{
		ScheduledAt: at,
		MaxAttempts: workMaxAttempts,
		// The default states: an occurrence that ran and is still kept
		// (a day) is not scheduled again; a cancelled one may be.
		UniqueOpts: river.UniqueOpts{ByArgs: true},
	})
	if err != nil {
		return fmt.Errorf("jobs: schedule %s: %w", kind, err)
	}
	return nil
}

// Cancel implements flows.Scheduler. The occurrences are found by their
// args (river_job has a GIN index on them) and cancelled one by one
// through River, which also stops one that started in between.
func (q *jobQueue) Cancel(ctx context.Context, kind, key string) error {
	filter, err := json.Marshal(map[string]string{"kind": kind, "key": key})
	if err != nil {
		return fmt.Errorf("jobs: cancel %s: %w", kind, err)
	}
	const batch = 100
	params := river.NewJobListParams().
		Kinds(kindWork).
		States(rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable, rivertype.JobStateScheduled).
		Where("args @> @filter::jsonb", river.NamedArgs{"filter": string(filter)}).
		First(batch)
	for {
		res, err := q.client.JobList(ctx, params)
		if err != nil {
			return fmt.Errorf("jobs: cancel %s: %w", kind, err)
		}
		for _, job := range res.Jobs {
			if _, err := q.client.JobCancel(ctx, job.ID); err != nil && !errors.Is(err, river.ErrNotFound) {
				return fmt.Errorf("jobs: cancel %s %d: %w", kind, job.ID, err)
			}
		}
		// Cancelled jobs leave the listed states, so the next page is
		// the first page again.
		if len(res.Jobs) < batch {
			return nil
		}
	}
}

// runPeriodic runs a flows.Job and sends what it returns.
//
// Telegram's 429 is left to the Sender, which waits retry_after (within
// jobTimeout) rather than having River snooze the job: a Job claims what it
// sends in Postgres before returning it, so a snoozed re-run would find
// nothing left to send and the messages would be lost.
func (q *jobQueue) runPeriodic(ctx context.Context, job *river.Job[periodicArgs]) error {
	q.mu.RLock()
	j, ok := q.periodic[job.Args.Name]
	q.mu.RUnlock()
	if !ok {
		// Queued by a replica of another version: retried, and dropped
		// when no replica knows it.
		return fmt.Errorf("no periodic job %q on this replica", job.Args.Name)
	}
	msgs, err := j.Run(ctx, time.Now())
	q.deliver(ctx, job.Args.Name, msgs)
	return err
}

// runWork runs one occurrence of scheduled work and sends what it returns;
// see runPeriodic for Telegram's 429.
func (q *jobQueue) runWork(ctx context.Context, job *river.Job[workArgs]) error {
	h := q.handler(job.Args.Work)
	if h == nil {
		return fmt.Errorf("no handler for work %q on this replica", job.Args.Work)
	}
	w := flows.Work{Kind: job.Args.Work, Key: job.Args.Key, Args: job.Args.Args, At: job.Args.At, Attempt: job.Attempt,
		Deliver: q.send}
	msgs, err := h(ctx, w, time.Now())
	q.deliver(ctx, job.Args.Work, msgs)
	return err
}

// send delivers messages for work that wants each one's fate.
func (q *jobQueue) send(ctx context.Context, msgs ...bot.Message) []bot.Delivery {
	if q.sender == nil {
		out := make([]bot.Delivery, len(msgs))
		for i, m := range msgs {
			out[i] = bot.Delivery{Message: m, Err: errors.New("jobs: no sender")}
		}
		return out
	}
	return q.sender.Send(ctx, msgs...)
}

// deliver sends a job's messages. What could not be delivered is logged
// and not retried: the job has claimed it, and the Sender has already
// retried what Telegram allows.
func (q *jobQueue) deliver(ctx context.Context, name string, msgs []bot.Message) {
	if len(msgs) == 0 {
		return
	}
	for _, d := range q.sender.Send(ctx, msgs...) {
		if d.Err != nil {
			q.log.Warn("job message not delivered", "job", name, "err", d.Err)
		}
	}
}

// availableSoon makes a job due within River's scheduler interval available
// at once, keeping its scheduled_at. Replicas fetch only jobs whose
// scheduled_at has passed, so it still runs no earlier than asked, but
// within a poll interval rather than after the leader's next scheduler
// pass, up to 5s late. River does the same with its own short snoozes and
// retries.
func availableSoon(_ context.Context, p *rivertype.JobInsertParams) error {
	if p.State == rivertype.JobStateScheduled && p.ScheduledAt != nil && time.Until(*p.ScheduledAt) <= riverSchedulerInterval {
		p.State = rivertype.JobStateAvailable
	}
	return nil
}

// jobErrors logs one line per failed run: the job's name or kind and key,
// never its args (which flows keep free of personal data anyway).
type jobErrors struct{ log *slog.Logger }

func (h jobErrors) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	h.log.Error("job failed", append(jobAttrs(job), "err", err)...)
	return nil
}

func (h jobErrors) HandlePanic(ctx context.Context, job *rivertype.JobRow, panicVal any, trace string) *river.ErrorHandlerResult {
	h.log.Error("job panicked", append(jobAttrs(job), "panic", fmt.Sprint(panicVal), "trace", trace)...)
	return nil
}

func jobAttrs(job *rivertype.JobRow) []any {
	var names struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
		Key  string `json:"key"`
	}
	_ = json.Unmarshal(job.EncodedArgs, &names)
	attrs := []any{"id", job.ID, "attempt", job.Attempt, "max_attempts", job.MaxAttempts}
	switch job.Kind {
	case kindPeriodic:
		return append(attrs, "job", names.Name)
	case kindWork:
		return append(attrs, "job", names.Kind, "key", names.Key)
	}
	return append(attrs, "job", job.Kind)
}
