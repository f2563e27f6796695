package flows_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"smkbot/bot"
	"smkbot/flows"
)

// memScheduler keeps work in memory and runs what is due when told; a
// flow's tests can drive their clock like this. cmd/smkbot has the real,
// durable one.
type memScheduler struct {
	handlers map[string]flows.WorkFunc
	queued   []flows.Work
}

func (s *memScheduler) Handle(kind string, h flows.WorkFunc) { s.handlers[kind] = h }

func (s *memScheduler) At(_ context.Context, kind, key string, args any, at time.Time) error {
	raw, err := json.Marshal(args)
	if err != nil {
		return err
	}
	w := flows.Work{Kind: kind, Key: key, Args: raw, At: at.UTC()}
	if !slices.ContainsFunc(s.queued, func(q flows.Work) bool { return q.Kind == kind && q.Key == key && q.At.Equal(w.At) }) {
		s.queued = append(s.queued, w)
	}
	return nil
}

func (s *memScheduler) Cancel(_ context.Context, kind, key string) error {
	s.queued = slices.DeleteFunc(s.queued, func(q flows.Work) bool { return q.Kind == kind && q.Key == key })
	return nil
}

// runDue runs the work due at now, in order of time.
func (s *memScheduler) runDue(ctx context.Context, now time.Time) []bot.Message {
	slices.SortStableFunc(s.queued, func(a, b flows.Work) int { return a.At.Compare(b.At) })
	var out []bot.Message
	for len(s.queued) > 0 && !s.queued[0].At.After(now) {
		w := s.queued[0]
		s.queued = s.queued[1:]
		w.Attempt = 1
		msgs, _ := s.handlers[w.Kind](ctx, w, now)
		out = append(out, msgs...)
	}
	return out
}

// A flow registers its handler once, schedules a ladder of reminders for
// a task under one key, and cancels what is left when the task is done.
func ExampleScheduler() {
	ctx := context.Background()
	var s flows.Scheduler = &memScheduler{handlers: map[string]flows.WorkFunc{}}
	type remind struct {
		Task int64 `json:"task"`
	}
	s.Handle("tasks:remind", func(_ context.Context, w flows.Work, _ time.Time) ([]bot.Message, error) {
		var r remind
		if err := json.Unmarshal(w.Args, &r); err != nil {
			return nil, err
		}
		return []bot.Message{bot.Text{ChatID: 1, Text: fmt.Sprintf("reminder of task %d, %s", r.Task, w.At.Format("Jan 2"))}}, nil
	})

	deadline := time.Date(2026, 12, 25, 9, 0, 0, 0, time.UTC)
	for _, before := range []int{7, 1} {
		_ = s.At(ctx, "tasks:remind", "task:42", remind{Task: 42}, deadline.AddDate(0, 0, -before))
	}
	_ = s.At(ctx, "tasks:remind", "task:42", remind{Task: 42}, deadline.AddDate(0, 0, -7)) // again: no second reminder

	for _, m := range s.(*memScheduler).runDue(ctx, deadline.AddDate(0, 0, -3)) {
		fmt.Println(m.(bot.Text).Text)
	}
	_ = s.Cancel(ctx, "tasks:remind", "task:42") // the task was reported
	fmt.Println(len(s.(*memScheduler).runDue(ctx, deadline)), "reminders after it was done")
	// Output:
	// reminder of task 42, Dec 18
	// 0 reminders after it was done
}
