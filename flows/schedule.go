package flows

import (
	"context"
	"encoding/json"
	"time"

	"smkbot/bot"
)

// Scheduler runs one-off work of the flows at a set time (a task's
// reminders, a meeting's notice), durably: scheduled work is kept in
// Postgres, so it survives restarts, and it runs on one replica only.
// cmd/smkbot implements it with River; flows never see River.
//
// Work is named by a kind ("tasks:remind"), which picks the handler, and a
// key ("task:42"), which names what the work is about. One kind and key
// may have several occurrences at different times (a reminder ladder); the
// same kind, key and time is one occurrence, however often it is
// scheduled. Cancel stops every occurrence of a key that has not started.
//
// Running is at least once: a replica that dies in the middle of a handler
// has it run again. A handler therefore claims what it sends in Postgres,
// as a Job does, and re-reads its record (a task done since the reminder
// was scheduled gets none).
type Scheduler interface {
	// Handle registers the handler of a kind of work. Every kind is
	// registered before the bot starts, on every replica.
	Handle(kind string, h WorkFunc)
	// At schedules work of kind about key to run at at (at once when at
	// has passed). args is stored as JSON and handed to the handler; it
	// should hold ids, never personal data. Scheduling an occurrence that
	// exists (same kind, key and time) does nothing. A kind without a
	// handler is an error.
	At(ctx context.Context, kind, key string, args any, at time.Time) error
	// Cancel cancels every occurrence of kind and key that has not started
	// yet. One running now finishes. Nothing to cancel is not an error.
	Cancel(ctx context.Context, kind, key string) error
}

// Work is one occurrence of scheduled work, as handed to its handler.
type Work struct {
	Kind string
	Key  string
	// Args is the JSON of the args given to At; json.Unmarshal it.
	Args json.RawMessage
	// At is the time the work was scheduled for. It may run later: after
	// a restart, a retry or Telegram's rate limits.
	At time.Time
	// Attempt is 1 on the first run, more on retries after an error.
	Attempt int
	// Deliver sends messages now, through the same Sender, and reports
	// each one's fate, for work that must know who was reached (a
	// broadcast's delivery report). Messages returned by the handler are
	// sent after it, their fate only logged.
	Deliver func(ctx context.Context, msgs ...bot.Message) []bot.Delivery
}

// WorkFunc does one occurrence of scheduled work and returns the messages
// to send, which go through the same Sender as replies. An error is logged
// and the work is retried later with backoff; the messages returned with it
// are sent all the same.
type WorkFunc func(ctx context.Context, w Work, now time.Time) ([]bot.Message, error)
