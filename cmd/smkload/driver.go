package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"

	"smkbot/bot/bottest"
)

// errNoButton: the person could not do the next step (the bot did not show
// the button the script expected): the conversation is abandoned.
var errNoButton = errors.New("smkload: expected button not shown")

// driver is Telegram as the simulated people see it: it makes their updates
// at the fake Bot API, delivers them to the bot (the fake's getUpdates in
// polling mode, a POST to the bot's webhook in webhook mode, several
// connections at once as Telegram does), waits until the bot has handled
// each, and times each update from its injection to the bot's first reply
// in that chat (a sent or edited message, or the answer to the pressed
// button) as the fake server receives it.
type driver struct {
	tg      *bottest.Server
	webhook string // the bot's webhook address ("" in polling mode)
	secret  string
	client  *http.Client
	conns   chan struct{}                // webhook connections (Telegram's max_connections)
	limiter atomic.Pointer[rate.Limiter] // nil: as fast as the people go
	// replyHandled: the step ends when the first reply is seen, not when
	// the update is confirmed (the echo bot confirms before it replies).
	replyHandled bool

	mu      sync.Mutex
	waiting map[int64]*inflight // by chat: the update the person waits on
	queries map[string]int64    // callback query id → chat
	orphans map[string]time.Time
	// window counts what happens while measuring is set.
	measuring atomic.Bool
	handled   atomic.Int64
	failed    atomic.Int64 // conversations abandoned (a button missing, an error)
	noReply   atomic.Int64 // handled updates whose reply was never seen
	logged    atomic.Int64
	latencies []time.Duration

	// polling: confirmation watermark and its waiters.
	confMu  sync.Mutex
	conf    int
	waiters map[int]chan struct{}
}

type inflight struct {
	start   time.Time
	replied bool
	reply   chan struct{} // closed on the first reply
}

func newDriver(tg *bottest.Server) *driver {
	return &driver{
		tg:      tg,
		waiting: make(map[int64]*inflight),
		queries: make(map[string]int64),
		orphans: make(map[string]time.Time),
		waiters: make(map[int]chan struct{}),
	}
}

// useWebhook makes the driver post updates to the bot's webhook with up to
// conns requests at once.
func (d *driver) useWebhook(url, secret string, conns int) {
	d.webhook, d.secret = url, secret
	d.conns = make(chan struct{}, conns)
	d.client = &http.Client{
		Timeout:   60 * time.Second,
		Transport: &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns},
	}
}

// run follows the fake server's events and, in polling mode, its
// confirmations, until ctx ends.
func (d *driver) run(ctx context.Context) {
	events, stop := d.tg.Subscribe()
	go func() { <-ctx.Done(); stop() }()
	if d.webhook == "" {
		go d.watchConfirmations(ctx)
	}
	for e := range events {
		now := time.Now()
		var chat int64
		switch e.Kind {
		case "sent", "edited":
			chat = e.Message.ChatID
		case "answer":
			d.mu.Lock()
			c, ok := d.queries[e.Answer.QueryID]
			if !ok {
				d.orphans[e.Answer.QueryID] = now
			}
			delete(d.queries, e.Answer.QueryID)
			d.mu.Unlock()
			if !ok {
				continue
			}
			chat = c
		default:
			continue
		}
		d.replied(chat, now)
	}
}

// replied records the first reply in chat to the update it waits on.
func (d *driver) replied(chat int64, at time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := d.waiting[chat]
	if p == nil || p.replied {
		return
	}
	p.replied = true
	close(p.reply)
	if d.measuring.Load() {
		d.latencies = append(d.latencies, at.Sub(p.start))
	}
}

// watchConfirmations wakes the people whose updates the bot has confirmed
// by a getUpdates offset.
func (d *driver) watchConfirmations(ctx context.Context) {
	last := 0
	for ctx.Err() == nil {
		_ = d.tg.Wait(time.Second, func() bool { return d.tg.ConfirmedThrough() > last })
		c := d.tg.ConfirmedThrough()
		if c <= last {
			continue
		}
		d.confMu.Lock()
		d.conf = c
		for id := last + 1; id <= c; id++ {
			if ch, ok := d.waiters[id]; ok {
				close(ch)
				delete(d.waiters, id)
			}
		}
		d.confMu.Unlock()
		last = c
	}
}

// confirmed returns a channel closed once the update is confirmed.
func (d *driver) confirmed(id int) <-chan struct{} {
	ch := make(chan struct{})
	d.confMu.Lock()
	defer d.confMu.Unlock()
	if id <= d.conf {
		close(ch)
		return ch
	}
	d.waiters[id] = ch
	return ch
}

// step is one thing a person does: type text, or press the button with a
// label on the newest message that has it.
type step struct {
	text     string
	press    string
	optional bool // a missing button skips the step
}

func say(text string) step    { return step{text: text} }
func press(label string) step { return step{press: label} }

// do makes the person's update, delivers it and waits until the bot has
// handled it (and, with replyHandled, replied).
func (d *driver) do(ctx context.Context, who bottest.User, s step) error {
	if lim := d.limiter.Load(); lim != nil {
		if err := lim.Wait(ctx); err != nil {
			return err
		}
	}
	p := &inflight{start: time.Now(), reply: make(chan struct{})}
	d.mu.Lock()
	d.waiting[who.ID] = p
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		if d.waiting[who.ID] == p {
			delete(d.waiting, who.ID)
		}
		d.mu.Unlock()
	}()

	var err error
	if d.webhook != "" {
		err = d.post(ctx, who, s)
	} else {
		err = d.queue(ctx, who, s)
	}
	if err != nil {
		return err
	}
	if d.replyHandled {
		select {
		case <-p.reply:
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(30 * time.Second):
			return fmt.Errorf("smkload: no reply within 30s")
		}
	} else {
		// The reply may trail the confirmation by the subscriber's lag:
		// give it a moment, so the next step sees the bot's last message.
		select {
		case <-p.reply:
		case <-time.After(200 * time.Millisecond):
			if d.measuring.Load() {
				d.noReply.Add(1)
			}
		}
	}
	if d.measuring.Load() {
		d.handled.Add(1)
	}
	return nil
}

// queue puts the update in the fake's getUpdates queue and waits for the
// bot to confirm it.
func (d *driver) queue(ctx context.Context, who bottest.User, s step) error {
	var id int
	if s.press != "" {
		var err error
		if id, err = d.tg.PressButton(who, s.press); err != nil {
			return fmt.Errorf("%w: %q", errNoButton, s.press)
		}
		if u, ok := d.tg.Update(id); ok && u.CallbackQuery != nil {
			d.track(u.CallbackQuery.ID, who.ID)
		}
	} else {
		id = d.tg.SendText(who, s.text)
	}
	if d.replyHandled {
		return nil
	}
	select {
	case <-d.confirmed(id):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(60 * time.Second):
		return fmt.Errorf("smkload: update %d not confirmed within 60s", id)
	}
}

// track maps a callback query to its chat, for the answer's event; an
// answer that came before (polling can be that quick) counts at once.
func (d *driver) track(queryID string, chat int64) {
	d.mu.Lock()
	at, early := d.orphans[queryID]
	if early {
		delete(d.orphans, queryID)
	} else {
		d.queries[queryID] = chat
	}
	d.mu.Unlock()
	if early {
		d.replied(chat, at)
	}
}

// post delivers the update to the webhook as Telegram does: a POST with the
// secret header, again after a pause until the bot answers 2xx.
func (d *driver) post(ctx context.Context, who bottest.User, s step) error {
	var u tgbotapi.Update
	if s.press != "" {
		var err error
		if u, err = d.tg.NewPress(who, s.press); err != nil {
			return fmt.Errorf("%w: %q", errNoButton, s.press)
		}
		d.track(u.CallbackQuery.ID, who.ID)
	} else {
		u = d.tg.NewText(who, s.text)
	}
	body, err := json.Marshal(u)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		status, err := d.postOnce(ctx, body)
		if err == nil && status/100 == 2 {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if attempt >= 10 {
			return fmt.Errorf("smkload: webhook: status %d, %v", status, err)
		}
		time.Sleep(time.Duration(10<<min(attempt, 6)) * time.Millisecond)
	}
}

func (d *driver) postOnce(ctx context.Context, body []byte) (int, error) {
	select {
	case d.conns <- struct{}{}:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	defer func() { <-d.conns }()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.webhook, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", d.secret)
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// window is what one measured phase saw.
type window struct {
	start, end time.Time
	handled    int64
	failed     int64
	noReply    int64
	latencies  []time.Duration
}

// measure starts counting; the returned function stops and reports.
func (d *driver) measure() func() window {
	d.mu.Lock()
	d.latencies = nil
	d.mu.Unlock()
	d.handled.Store(0)
	d.failed.Store(0)
	d.noReply.Store(0)
	start := time.Now()
	d.measuring.Store(true)
	return func() window {
		d.measuring.Store(false)
		w := window{start: start, end: time.Now(), handled: d.handled.Load(), failed: d.failed.Load(), noReply: d.noReply.Load()}
		d.mu.Lock()
		w.latencies = slices.Clone(d.latencies)
		d.mu.Unlock()
		return w
	}
}

// percentile of sorted durations (p in 0..100).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}
