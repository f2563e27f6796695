package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"smkbot/bot/bottest"
	"smkbot/storage"
	"smkbot/storage/storagetest"
)

// harness runs the whole bot — the same run as production — against the
// fake Bot API server, a throwaway database and a Redis key prefix.
type harness struct {
	t     *testing.T
	tg    *bottest.Server
	cfg   Config
	store *storage.Store // the test's own view of the same database

	mu     sync.Mutex
	stop   context.CancelFunc
	done   chan error
	addr   string
	update int // the newest update id a person sent
}

func newHarness(t *testing.T, edit ...func(*Config)) *harness {
	t.Helper()
	tg := bottest.New("123456:TEST-token")
	t.Cleanup(tg.Close)
	_, prefix := storagetest.Redis(t)
	loc, err := time.LoadLocation("Asia/Barnaul")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Token:         tg.Token(),
		APIEndpoint:   tg.Endpoint(),
		DatabaseURL:   storagetest.DatabaseURL(t),
		RedisURL:      redisURL(),
		HTTPAddr:      "127.0.0.1:0",
		Timezone:      loc,
		SessionTTL:    72 * time.Hour,
		SendRate:      1000,
		ChatInterval:  time.Millisecond,
		Workers:       8,
		ShutdownGrace: 5 * time.Second,
		RedisPrefix:   prefix,
		LogLevel:      slog.LevelWarn,
	}
	for _, f := range edit {
		f(&cfg)
	}
	store, err := storage.Open(context.Background(), cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	h := &harness{t: t, tg: tg, cfg: cfg, store: store}
	h.start()
	t.Cleanup(h.shutdown)
	return h
}

func redisURL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// start runs the bot and waits until it takes updates.
func (h *harness) start() {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	log := slog.New(slog.NewTextHandler(testWriter{h.t}, &slog.HandlerOptions{Level: h.cfg.LogLevel}))
	go func() { done <- run(ctx, h.cfg, log, func(addr string) { ready <- addr }) }()
	select {
	case addr := <-ready:
		h.mu.Lock()
		h.stop, h.done, h.addr = cancel, done, addr
		h.mu.Unlock()
	case err := <-done:
		cancel()
		h.t.Fatalf("bot did not start: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		h.t.Fatal("bot did not start within 30s")
	}
}

// shutdown stops the bot as SIGTERM would and checks it exits cleanly.
func (h *harness) shutdown() {
	h.mu.Lock()
	stop, done := h.stop, h.done
	h.stop, h.done = nil, nil
	h.mu.Unlock()
	if stop == nil {
		return
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			h.t.Errorf("bot stopped with: %v", err)
		}
	case <-time.After(30 * time.Second):
		h.t.Error("bot did not stop within 30s")
	}
}

// restart stops the bot and starts a new one on the same database and Redis.
func (h *harness) restart() {
	h.shutdown()
	h.start()
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// user is a person in a private chat with the bot.
type user struct {
	h *harness
	u bottest.User
	// said is what the person typed or pressed, each after the newest bot
	// message they had seen, for readable transcripts.
	said []said
}

type said struct {
	after int // the newest bot message id at the time (0: none)
	text  string
}

func (u *user) note(text string) {
	after := 0
	if msgs := u.h.tg.Messages(u.u.ID); len(msgs) > 0 {
		after = msgs[len(msgs)-1].MessageID
	}
	u.said = append(u.said, said{after: after, text: text})
}

func (h *harness) user(id int64, first string) *user {
	return &user{h: h, u: bottest.User{ID: id, FirstName: first}}
}

// send types a message and waits until the bot has handled it.
func (u *user) send(text string) {
	u.h.t.Helper()
	u.note("» " + text)
	u.h.waitHandled(u.h.tg.SendText(u.u, text))
}

// press presses the button with this label on the newest bot message that
// has one, and waits until the bot has handled it.
func (u *user) press(label string) {
	u.h.t.Helper()
	u.note("» [" + label + "]")
	id, err := u.h.tg.PressButton(u.u, label)
	if err != nil {
		u.h.t.Fatalf("press %q: %v\nchat:\n%s", label, err, u.transcript())
	}
	u.h.waitHandled(id)
}

// pressData presses a button with arbitrary data on the newest message (a
// forged or stale press) and waits until it is handled.
func (u *user) pressData(data string) string {
	u.h.t.Helper()
	msgs := u.h.tg.Messages(u.u.ID)
	if len(msgs) == 0 {
		u.h.t.Fatal("no message to press a button on")
	}
	qid, id := u.h.tg.Press(u.u, msgs[len(msgs)-1].MessageID, data)
	u.h.waitHandled(id)
	return qid
}

// last returns the newest message the bot sent to this person.
func (u *user) last() bottest.Sent {
	u.h.t.Helper()
	msgs := u.h.tg.Messages(u.u.ID)
	if len(msgs) == 0 {
		u.h.t.Fatal("the bot sent nothing")
	}
	return msgs[len(msgs)-1]
}

// expect fails unless the newest message contains every fragment.
func (u *user) expect(fragments ...string) bottest.Sent {
	u.h.t.Helper()
	m := u.last()
	for _, f := range fragments {
		if !strings.Contains(m.Text, f) {
			u.h.t.Fatalf("the newest message lacks %q\nchat:\n%s", f, u.transcript())
		}
	}
	return m
}

// transcript is the chat as the person sees it — the bot's messages as
// they stand after edits, with what the person sent between them — for
// failure messages and golden files.
func (u *user) transcript() string {
	var b strings.Builder
	said := u.said
	flush := func(upTo int) {
		for len(said) > 0 && said[0].after <= upTo {
			fmt.Fprintf(&b, "%s\n", said[0].text)
			said = said[1:]
		}
	}
	for _, m := range u.h.tg.Messages(u.u.ID) {
		flush(m.MessageID - 1)
		fmt.Fprintf(&b, "[%s] %s\n", m.Kind, m.Text)
		for _, row := range m.Buttons {
			for _, btn := range row {
				fmt.Fprintf(&b, "   [%s → %s]", btn.Text, btn.Data)
			}
			b.WriteString("\n")
		}
		if len(m.Menu) > 0 {
			fmt.Fprintf(&b, "   menu: %v\n", m.Menu)
		}
	}
	flush(1 << 30)
	return b.String()
}

// waitHandled waits until the bot has confirmed the update to Telegram,
// which it does only after the update was handled and its replies sent.
func (h *harness) waitHandled(updateID int) {
	h.t.Helper()
	if err := h.tg.Wait(20*time.Second, func() bool { return h.tg.Confirmed(updateID) }); err != nil {
		h.t.Fatalf("update %d was not handled within 20s: %v", updateID, err)
	}
}

// invite makes an invite as the command line does.
func (h *harness) invite(role storage.Role, orgID int64, uses int, ttl time.Duration) string {
	h.t.Helper()
	code, _, err := h.store.CreateInvite(context.Background(), 0, role, orgID, uses, ttl)
	if err != nil {
		h.t.Fatal(err)
	}
	return code
}

// register takes a person through the whole registration with an invite.
func (u *user) register(code, name string) {
	u.h.t.Helper()
	u.send("/start " + code)
	u.press("✅ Согласен(на)")
	u.send(name)
	u.press("✅ Всё верно")
	u.expect("Добро пожаловать")
}
