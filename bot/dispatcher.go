package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// ErrShuttingDown is returned by Dispatch after Shutdown has begun; the
// update is left for Telegram to deliver again.
var ErrShuttingDown = errors.New("bot: dispatcher is shutting down")

// ErrSkipped is returned by DispatchBatch for an update not attempted because
// an earlier update of the same chat failed: handling it would break the
// chat's order, so it waits for the retry of the earlier one.
var ErrSkipped = errors.New("bot: skipped after an earlier update of the chat failed")

// Deduper remembers which updates have been handled. Dedupe implements it
// with Redis.
type Deduper interface {
	// Claim takes the update for handling. It reports false with a nil
	// error when the update was handled before, and an error (ErrInProgress
	// among others) when it cannot be decided now and must be retried.
	Claim(ctx context.Context, id int) (bool, error)
	// Done records the update as handled.
	Done(ctx context.Context, id int) error
	// Release gives up the claim after a failure, so a redelivery is handled.
	Release(ctx context.Context, id int) error
}

// ChatLocker orders one chat's updates across processes. RedisChatLock
// implements it.
type ChatLocker interface {
	// Lock waits until the chat is free or ctx is done; unlock releases it.
	Lock(ctx context.Context, chatID int64) (unlock func(), err error)
}

// The implementations in this package.
var (
	_ Deduper     = (*Dedupe)(nil)
	_ ChatLocker  = (*RedisChatLock)(nil)
	_ SendMetrics = (*Metrics)(nil)
	_ replySender = (*Sender)(nil)
)

// replySender delivers replies; *Sender implements it. An interface so the
// dispatcher can be tested on its own.
type replySender interface {
	Send(ctx context.Context, msgs ...Message) []Delivery
}

// DispatcherOptions configures a Dispatcher. Only Log has no sensible zero
// value, and it defaults to slog.Default.
type DispatcherOptions struct {
	// Workers bounds how many updates are handled at once across chats
	// (default 16).
	Workers int
	// Dedupe, when set, makes a redelivered update be handled once.
	Dedupe Deduper
	// ChatLock, when set, keeps a chat's order across replicas (webhook
	// mode with several processes). Order within the process is kept
	// without it.
	ChatLock ChatLocker
	Log      *slog.Logger
	Metrics  *Metrics
	// PanicText is the apology sent to a chat whose update made the handler
	// panic. It comes from the locale; nothing is sent when empty.
	PanicText string
	// UnavailableText is the short apology sent once for an update the
	// handler could not handle because something it needs failed
	// (Postgres or Redis down): the update is retried later and answered
	// then, so the person knows it is not lost. Nothing is sent when empty.
	UnavailableText string
	// HandleTimeout bounds the handler, and separately the delivery of its
	// replies (default 30s).
	HandleTimeout time.Duration
}

// Dispatcher runs a Handler over updates: each update once, one chat's
// updates in order, different chats in parallel within a bound, panics
// recovered, callbacks always answered, replies delivered by the Sender.
type Dispatcher struct {
	h       Handler
	send    replySender
	o       DispatcherOptions
	log     *slog.Logger
	slots   chan struct{} // a token per running update
	chats   *chatMutex
	mu      sync.Mutex
	closing bool
	running sync.WaitGroup
	// hardStop is cancelled when Shutdown runs out of time, which cancels
	// every update still running.
	hardStop   context.Context
	cancelHard context.CancelFunc
	// apologised holds the updates told UnavailableText, so a retried
	// update is apologised for once (in this process).
	apologised map[int]bool
}

// maxApologised bounds the apologised set; past it the set starts again,
// at worst apologising twice for an update failing that long.
const maxApologised = 4096

// NewDispatcher returns a Dispatcher handing updates to h and its replies to
// s, which must not be nil.
func NewDispatcher(h Handler, s *Sender, o DispatcherOptions) *Dispatcher {
	d := newDispatcher(h, o)
	d.send = s
	return d
}

func newDispatcher(h Handler, o DispatcherOptions) *Dispatcher {
	if o.Workers <= 0 {
		o.Workers = 16
	}
	if o.HandleTimeout <= 0 {
		o.HandleTimeout = 30 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	hard, cancel := context.WithCancel(context.Background())
	return &Dispatcher{
		h:          h,
		o:          o,
		log:        o.Log,
		slots:      make(chan struct{}, o.Workers),
		chats:      newChatMutex(),
		hardStop:   hard,
		cancelHard: cancel,
	}
}

// Dispatch handles one update: it claims the update_id (an update handled
// before returns nil at once), waits for the chat, runs the handler, answers
// a pressed button if the handler did not, delivers the replies and records
// the update as handled.
//
// An error means the update was not handled and should come again: the
// handler failed (a database down), the dedupe store is unreachable, or the
// dispatcher is shutting down. Delivery failures are logged, not returned,
// since handling again would repeat what was already delivered.
func (d *Dispatcher) Dispatch(ctx context.Context, u Update) error {
	if !d.enter() {
		return ErrShuttingDown
	}
	defer d.running.Done()
	start := time.Now()
	outcome, err := d.dispatch(ctx, u)
	d.o.Metrics.UpdateHandled(outcome)
	if outcome != OutcomeDuplicate {
		d.o.Metrics.observeUpdate(time.Since(start))
	}
	return err
}

// enter registers an update as running unless shutdown has begun.
func (d *Dispatcher) enter() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closing {
		return false
	}
	d.running.Add(1)
	return true
}

func (d *Dispatcher) dispatch(ctx context.Context, u Update) (outcome string, err error) {
	// Shutdown's deadline cancels the work too, so the process can exit
	// within its grace period.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(d.hardStop, cancel)()

	log := d.log.With("update_id", u.ID)
	if d.o.Dedupe != nil {
		ok, err := d.o.Dedupe.Claim(ctx, u.ID)
		if err != nil {
			if !errors.Is(err, ErrInProgress) {
				d.o.Metrics.Error("dedupe")
			}
			return OutcomeError, fmt.Errorf("dispatch update %d: %w", u.ID, err)
		}
		if !ok {
			log.Debug("duplicate update skipped")
			return OutcomeDuplicate, nil
		}
	}
	outcome, err = d.locked(ctx, log, u)
	if d.o.Dedupe == nil {
		return outcome, err
	}
	// The claim is settled even when ctx is over, or the update would stay
	// "processing" until the claim expires.
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer scancel()
	if err != nil {
		if rerr := d.o.Dedupe.Release(sctx, u.ID); rerr != nil {
			d.o.Metrics.Error("dedupe")
			log.Error("release update claim", "err", rerr)
		}
		return outcome, err
	}
	if derr := d.o.Dedupe.Done(sctx, u.ID); derr != nil {
		// The replies are out: failing now would deliver them again. The
		// claim expires, and the poller's offset or the webhook's 200
		// keeps Telegram from redelivering anyway.
		d.o.Metrics.Error("dedupe")
		log.Error("mark update handled", "err", derr)
	}
	return outcome, nil
}

// locked runs the update while holding its chat and a worker slot.
func (d *Dispatcher) locked(ctx context.Context, log *slog.Logger, u Update) (string, error) {
	unlock, err := d.chats.lock(ctx, u.ChatID)
	if err != nil {
		return OutcomeError, fmt.Errorf("dispatch update %d: %w", u.ID, err)
	}
	defer unlock()
	if d.o.ChatLock != nil {
		unlockShared, err := d.o.ChatLock.Lock(ctx, u.ChatID)
		if err != nil {
			d.o.Metrics.Error("chatlock")
			return OutcomeError, fmt.Errorf("dispatch update %d: %w", u.ID, err)
		}
		defer unlockShared()
	}
	// The slot is taken after the chat lock, so updates queued behind a busy
	// chat do not hold slots other chats could use.
	select {
	case d.slots <- struct{}{}:
	case <-ctx.Done():
		return OutcomeError, fmt.Errorf("dispatch update %d: %w", u.ID, ctx.Err())
	}
	defer func() { <-d.slots }()

	replies, outcome, err := d.handle(ctx, log, u)
	if err != nil {
		// Logged by the caller (poller or webhook), which knows whether it
		// will be retried.
		d.o.Metrics.Error("handler")
		d.apologise(ctx, log, u)
		return OutcomeError, fmt.Errorf("dispatch update %d: %w", u.ID, err)
	}
	replies = answerCallback(u, replies)
	if len(replies) == 0 {
		return outcome, nil
	}
	sctx, cancel := context.WithTimeout(ctx, d.o.HandleTimeout)
	defer cancel()
	for _, dl := range d.send.Send(sctx, replies...) {
		if dl.Err != nil {
			// The Sender counts failures and marks blocked people; the
			// log keeps the reason, never the text (personal data).
			log.Warn("reply not delivered", "kind", fmt.Sprintf("%T", dl.Message), "err", dl.Err)
		}
	}
	return outcome, nil
}

// apologise tells the person, once per update, that their update failed
// for now and will be answered later: a pressed button's spinner stops
// with the apology, a message gets it as a reply. Not while shutting down,
// when the update is simply taken up by the next start.
func (d *Dispatcher) apologise(ctx context.Context, log *slog.Logger, u Update) {
	if d.o.UnavailableText == "" || u.ChatID == 0 || ctx.Err() != nil {
		return
	}
	d.mu.Lock()
	if d.apologised == nil || len(d.apologised) >= maxApologised {
		d.apologised = make(map[int]bool)
	}
	first := !d.apologised[u.ID]
	d.apologised[u.ID] = true
	d.mu.Unlock()
	if !first {
		return
	}
	var m Message = Text{ChatID: u.ChatID, Text: d.o.UnavailableText}
	if u.Callback != nil {
		m = CallbackAnswer{ID: u.Callback.ID, Text: d.o.UnavailableText}
	}
	sctx, cancel := context.WithTimeout(ctx, d.o.HandleTimeout)
	defer cancel()
	for _, dl := range d.send.Send(sctx, m) {
		if dl.Err != nil {
			log.Warn("apology not delivered", "err", dl.Err)
		}
	}
}

// handle calls the handler within HandleTimeout and turns a panic into the
// apology.
func (d *Dispatcher) handle(ctx context.Context, log *slog.Logger, u Update) (replies []Message, outcome string, err error) {
	ctx, cancel := context.WithTimeout(ctx, d.o.HandleTimeout)
	defer cancel()
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		// A panic is a bug, not a passing failure: retrying would panic
		// again, so the update counts as handled and the person is told.
		d.o.Metrics.Panic()
		log.Error("handler panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		replies, outcome, err = nil, OutcomePanic, nil
		if d.o.PanicText != "" && u.ChatID != 0 {
			replies = []Message{Text{ChatID: u.ChatID, Text: d.o.PanicText}}
		}
	}()
	replies, err = d.h.Handle(ctx, u)
	return replies, OutcomeOK, err
}

// answerCallback makes sure a pressed button is answered exactly once:
// Telegram shows a spinner until it is, and refuses a second answer. An
// empty answer goes first when the handler gave none; extra answers to the
// same query are dropped.
func answerCallback(u Update, replies []Message) []Message {
	if u.Callback == nil {
		return replies
	}
	out := make([]Message, 0, len(replies)+1)
	answered := false
	for _, m := range replies {
		if a, ok := m.(CallbackAnswer); ok && a.ID == u.Callback.ID {
			if answered {
				continue
			}
			answered = true
		}
		out = append(out, m)
	}
	if !answered {
		out = append([]Message{CallbackAnswer{ID: u.Callback.ID}}, out...)
	}
	return out
}

// DispatchBatch handles updates as Dispatch does: one chat's updates in the
// order given, different chats in parallel (bounded by Workers). It returns
// when all are done, with an error per update (nil when handled). After a
// chat's update fails, that chat's later updates are not attempted and get
// ErrSkipped, so they are retried after it, in order.
func (d *Dispatcher) DispatchBatch(ctx context.Context, us []Update) []error {
	errs := make([]error, len(us))
	byChat := make(map[int64][]int)
	var chats []int64
	for i, u := range us {
		if _, ok := byChat[u.ChatID]; !ok {
			chats = append(chats, u.ChatID)
		}
		byChat[u.ChatID] = append(byChat[u.ChatID], i)
	}
	var wg sync.WaitGroup
	for _, chat := range chats {
		wg.Go(func() {
			idx := byChat[chat]
			for k, i := range idx {
				if errs[i] = d.Dispatch(ctx, us[i]); errs[i] != nil {
					for _, j := range idx[k+1:] {
						errs[j] = ErrSkipped
					}
					return
				}
			}
		})
	}
	wg.Wait()
	return errs
}

// Shutdown stops taking new updates (Dispatch returns ErrShuttingDown) and
// waits for those in flight. When ctx ends first, the running updates are
// cancelled and ctx's error is returned without waiting further: the
// process is about to exit, and a redelivery will handle them.
func (d *Dispatcher) Shutdown(ctx context.Context) error {
	d.mu.Lock()
	d.closing = true
	d.mu.Unlock()
	done := make(chan struct{})
	go func() {
		d.running.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		d.cancelHard()
		return fmt.Errorf("bot: shutdown: %w", ctx.Err())
	}
}
