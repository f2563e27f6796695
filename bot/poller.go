package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// PollerOptions configures a Poller.
type PollerOptions struct {
	// Timeout is the long-poll timeout of getUpdates (default 30s). Keep it
	// equal to the pollTimeout given to NewClient, which sets the HTTP
	// timeout above it.
	Timeout time.Duration
	// Limit is the most updates fetched at once (default 100, Telegram's
	// maximum).
	Limit int
	// MaxAttempts bounds how often an update whose handling failed is tried
	// before it is logged and dropped (default 10). With the default
	// backoff that is about two and a half minutes, longer than a dedupe
	// claim left by a crashed process lives.
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the pause after a failure; it doubles
	// from MinBackoff (default 1s) up to MaxBackoff (default 30s).
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// AllowedUpdates are the update kinds asked for (default message and
	// callback_query, the only ones the bot acts on).
	AllowedUpdates []string
	Log            *slog.Logger
	Metrics        *Metrics
}

// Poller receives updates by long polling and hands them to a Dispatcher.
// Unlike the library's GetUpdatesChan, it confirms an update to Telegram
// (by asking for the next offset) only after the update has been handled, so
// a crash loses nothing: the unconfirmed updates come again and the dedupe
// skips those already handled. Only one poller may run per bot token.
type Poller struct {
	c   *Client
	d   *Dispatcher
	o   PollerOptions
	log *slog.Logger
	// stuckID is the update the offset is stuck at, and stuckN its failed
	// attempts so far.
	stuckID, stuckN int
}

// NewPoller returns a Poller reading updates through c.
func NewPoller(c *Client, d *Dispatcher, o PollerOptions) *Poller {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	// Telegram counts the timeout in whole seconds, and 0 would turn long
	// polling into a busy loop.
	o.Timeout = max(o.Timeout.Truncate(time.Second), time.Second)
	if o.Limit <= 0 || o.Limit > 100 {
		o.Limit = 100
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(30*time.Second, o.MinBackoff)
	}
	if o.AllowedUpdates == nil {
		o.AllowedUpdates = []string{"message", "callback_query"}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Poller{c: c, d: d, o: o, log: o.Log}
}

// Run polls until ctx is cancelled, then finishes the batch in flight and
// returns nil. It first deletes any webhook, which would make getUpdates
// fail with 409. Errors from Telegram or the network are logged (without
// the token) and retried with backoff; only a token Telegram no longer
// accepts (401) ends Run with an error, since no retry can mend it.
func (p *Poller) Run(ctx context.Context) error {
	if err := p.deleteWebhook(ctx); err != nil {
		return err
	}
	offset := 0
	netFails := 0
	for ctx.Err() == nil {
		ups, err := p.c.GetUpdates(ctx, tgbotapi.UpdateConfig{
			Offset:         offset,
			Limit:          p.o.Limit,
			Timeout:        int(p.o.Timeout / time.Second),
			AllowedUpdates: p.o.AllowedUpdates,
		})
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if unauthorized(err) {
				return fmt.Errorf("bot: getUpdates: %w", err)
			}
			netFails++
			p.o.Metrics.Error("poll")
			p.log.Warn("getUpdates failed", "err", Redact(err.Error(), p.c.API().Token), "attempt", netFails)
			pollPause(ctx, p.backoff(netFails))
			continue
		}
		netFails = 0
		if len(ups) == 0 {
			continue
		}
		next, stuck := p.handle(ctx, ups)
		if next > offset {
			offset = next
		}
		if stuck > 0 {
			pollPause(ctx, p.backoff(stuck))
		}
	}
	p.confirm(offset)
	return nil
}

// handle dispatches a batch and returns the offset to ask for next: one past
// the last update handled (or given up) without a failure before it. stuck is
// the number of failed attempts of the update the offset stops at (0 when
// the whole batch went through).
func (p *Poller) handle(ctx context.Context, ups []tgbotapi.Update) (next, stuck int) {
	var (
		batch []Update
		pos   = make([]int, len(ups)) // index into batch, -1 when ignored
	)
	for i, tu := range ups {
		u, ok := FromTelegram(tu)
		if !ok {
			pos[i] = -1
			p.o.Metrics.UpdateHandled(OutcomeIgnored)
			continue
		}
		pos[i] = len(batch)
		batch = append(batch, u)
	}
	// The batch is finished even when ctx is cancelled meanwhile: stopping
	// halfway would leave people with half an answer. The dispatcher's
	// Shutdown bounds it.
	errs := p.d.DispatchBatch(context.WithoutCancel(ctx), batch)

	for i, tu := range ups {
		id := tu.UpdateID
		if pos[i] < 0 || errs[pos[i]] == nil {
			next = id + 1
			continue
		}
		err := errs[pos[i]]
		if id != p.stuckID {
			p.stuckID, p.stuckN = id, 0
		}
		if errors.Is(err, ErrSkipped) || errors.Is(err, ErrShuttingDown) {
			// Not tried: it comes again after the update before it.
			return next, max(p.stuckN, 1)
		}
		p.stuckN++
		if p.stuckN < p.o.MaxAttempts {
			p.log.Warn("update failed, will retry", "update_id", id, "attempt", p.stuckN, "err", err)
			return next, p.stuckN
		}
		p.stuckID, p.stuckN = 0, 0
		p.o.Metrics.UpdateHandled(OutcomeDropped)
		p.log.Error("update dropped after repeated failures", "update_id", id,
			"attempts", p.o.MaxAttempts, "err", err)
		next = id + 1
	}
	return next, 0
}

// deleteWebhook removes a webhook left from webhook mode, retrying until it
// succeeds or ctx ends (nil: Run then returns at once).
func (p *Poller) deleteWebhook(ctx context.Context) error {
	for n := 1; ; n++ {
		_, err := p.c.MakeRequest(ctx, "deleteWebhook", tgbotapi.Params{"drop_pending_updates": "false"})
		if err == nil || ctx.Err() != nil {
			return nil
		}
		if unauthorized(err) {
			return fmt.Errorf("bot: deleteWebhook: %w", err)
		}
		p.o.Metrics.Error("poll")
		p.log.Warn("deleteWebhook failed", "err", Redact(err.Error(), p.c.API().Token), "attempt", n)
		pollPause(ctx, p.backoff(n))
	}
}

// unauthorized reports whether Telegram refused the token.
func unauthorized(err error) bool {
	var e *tgbotapi.Error
	return errors.As(err, &e) && e.Code == http.StatusUnauthorized
}

// confirm tells Telegram the handled updates are done, so a restart does not
// fetch them again (the dedupe would skip them, but only for a day and at a
// cost). Best effort: it is an optimisation, not a guarantee.
func (p *Poller) confirm(offset int) {
	if offset == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// limit=1 with timeout 0 returns at once; the one update it may return
	// stays unconfirmed, since only offsets below the one asked for are.
	_, err := p.c.MakeRequest(ctx, "getUpdates", tgbotapi.Params{
		"offset": strconv.Itoa(offset), "limit": "1", "timeout": "0",
	})
	if err != nil {
		p.log.Warn("confirm handled updates", "err", Redact(err.Error(), p.c.API().Token))
	}
}

// backoff is the pause after the n-th failure in a row.
func (p *Poller) backoff(n int) time.Duration {
	d := p.o.MinBackoff
	for i := 1; i < n && d < p.o.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, p.o.MaxBackoff)
}

// pollPause waits for d or until ctx is done.
func pollPause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
