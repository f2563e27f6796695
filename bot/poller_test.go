package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"smkbot/bot/bottest"
)

const waitLong = 20 * time.Second // only reached when something is broken

// syncBuffer is a log sink the tests read while the bot writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testBot is the transport wired as main wires it, against the fake Bot API
// and the real Redis.
type testBot struct {
	srv     *bottest.Server
	client  *Client
	sender  *Sender
	dedupe  *Dedupe
	metrics *Metrics
	reg     *prometheus.Registry
	logs    *syncBuffer
	log     *slog.Logger
}

func newTestBot(t *testing.T) *testBot {
	t.Helper()
	rdb, prefix := testRedis(t)
	srv := bottest.New("")
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := NewClient(ctx, srv.Token(), srv.Endpoint(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		if strings.Contains(logs.String(), srv.Token()) {
			t.Errorf("the bot token appears in the logs:\n%s", logs.String())
		}
	})
	return &testBot{
		srv:     srv,
		client:  c,
		sender:  NewSender(c, SenderOptions{ChatInterval: time.Millisecond, RetryBase: 10 * time.Millisecond, Log: log, Metrics: m}),
		dedupe:  NewDedupe(rdb, DedupeOptions{Prefix: prefix + "update:"}),
		metrics: m,
		reg:     reg,
		logs:    logs,
		log:     log,
	}
}

func (b *testBot) dispatcher(h Handler) *Dispatcher {
	return NewDispatcher(h, b.sender, DispatcherOptions{
		Dedupe:    b.dedupe,
		Log:       b.log,
		Metrics:   b.metrics,
		PanicText: "Извините, произошла ошибка.",
	})
}

// poll runs a poller until the test ends (or stop is called) and reports
// Run's result.
func (b *testBot) poll(t *testing.T, d *Dispatcher, o PollerOptions) (stop func() error) {
	t.Helper()
	o.Timeout = time.Second
	o.Log = b.log
	o.Metrics = b.metrics
	if o.MinBackoff == 0 {
		o.MinBackoff = 10 * time.Millisecond
		o.MaxBackoff = 50 * time.Millisecond
	}
	p := NewPoller(b.client, d, o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(waitLong):
				err = errors.New("poller did not stop")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

// echo replies with the text it got.
func echo(ctx context.Context, u Update) ([]Message, error) {
	return []Message{Text{ChatID: u.ChatID, Text: "echo: " + u.Text}}, nil
}

func texts(ss []bottest.Sent) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Text)
	}
	return out
}

func TestPollerHandlesAndConfirms(t *testing.T) {
	b := newTestBot(t)
	stop := b.poll(t, b.dispatcher(handlerFunc(echo)), PollerOptions{})

	anna := bottest.User{ID: 11, FirstName: "Анна"}
	boris := bottest.User{ID: 12, FirstName: "Борис"}
	b.srv.SendText(anna, "/start")
	b.srv.SendText(boris, "привет")
	b.srv.SendText(anna, "второе")
	got, err := b.srv.WaitMessages(anna.ID, 2, waitLong)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"echo: /start", "echo: второе"}; !equal(texts(got), want) {
		t.Errorf("Анна got %q; want %q", texts(got), want)
	}
	if _, err := b.srv.WaitMessages(boris.ID, 1, waitLong); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Errorf("Run = %v; want nil after cancel", err)
	}
	// Everything handled was confirmed to Telegram.
	if n := b.srv.Pending(); n != 0 {
		t.Errorf("%d updates left unconfirmed after a clean stop", n)
	}
	if calls := b.srv.CallsTo("deleteWebhook"); len(calls) == 0 {
		t.Error("the poller did not delete a leftover webhook")
	}
	if n := testutil.ToFloat64(b.metrics.updates.WithLabelValues(OutcomeOK)); n != 3 {
		t.Errorf("updates ok = %v; want 3", n)
	}
}

func equal(a, b []string) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

func TestCallbackAnsweredOnce(t *testing.T) {
	b := newTestBot(t)
	var failedOnce atomic.Bool
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		switch u.Callback.Data {
		case "t:silent:1":
			// The handler forgets to answer: the dispatcher does.
			return []Message{Text{ChatID: u.ChatID, Text: "нажато"}}, nil
		case "t:notice:1":
			return []Message{CallbackAnswer{ID: u.Callback.ID, Text: "Кнопка устарела"}}, nil
		case "t:twice:1":
			return []Message{
				CallbackAnswer{ID: u.Callback.ID, Text: "раз"},
				CallbackAnswer{ID: u.Callback.ID, Text: "два"},
			}, nil
		case "t:error:1":
			if !failedOnce.Swap(true) {
				return nil, errors.New("postgres down")
			}
			return nil, nil
		}
		panic("unexpected data " + u.Callback.Data)
	})
	b.poll(t, b.dispatcher(h), PollerOptions{})

	anna := bottest.User{ID: 21, FirstName: "Анна"}
	b.srv.AddChat(anna.ID)
	var ids []string
	for _, data := range []string{"t:silent:1", "t:notice:1", "t:twice:1", "t:error:1"} {
		id, _ := b.srv.Press(anna, 1, data)
		ids = append(ids, id)
	}
	if err := b.srv.Wait(waitLong, func() bool { return b.srv.Answered(ids[len(ids)-1]) }); err != nil {
		t.Fatal(err)
	}
	answers := map[string][]string{}
	for _, a := range b.srv.CallbackAnswers() {
		answers[a.QueryID] = append(answers[a.QueryID], a.Text)
	}
	want := map[string][]string{ids[0]: {""}, ids[1]: {"Кнопка устарела"}, ids[2]: {"раз"}, ids[3]: {""}}
	if fmt.Sprint(answers) != fmt.Sprint(want) {
		t.Errorf("callback answers %q; want %q", answers, want)
	}
	for _, c := range b.srv.CallsTo("answerCallbackQuery") {
		if c.Status != 200 {
			t.Errorf("answerCallbackQuery refused (%d): a query answered twice?", c.Status)
		}
	}
}

func TestPollerRetriesFailedUpdate(t *testing.T) {
	b := newTestBot(t)
	var attempts atomic.Int32
	var mu sync.Mutex
	var order []string
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		if u.Text == "flaky" {
			n := attempts.Add(1)
			if n <= 2 {
				// Still unconfirmed: the offset has not moved past it.
				if b.srv.Pending() == 0 {
					t.Errorf("attempt %d: the failing update was confirmed to Telegram", n)
				}
				return nil, errors.New("postgres down")
			}
		}
		mu.Lock()
		order = append(order, u.Text)
		mu.Unlock()
		return echo(ctx, u)
	})
	b.poll(t, b.dispatcher(h), PollerOptions{})

	anna := bottest.User{ID: 31}
	boris := bottest.User{ID: 32}
	b.srv.SendText(anna, "flaky")
	b.srv.SendText(anna, "after")
	b.srv.SendText(boris, "other chat")
	got, err := b.srv.WaitMessages(anna.ID, 2, waitLong)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"echo: flaky", "echo: after"}; !equal(texts(got), want) {
		t.Errorf("replies %q; want %q (in order, each once)", texts(got), want)
	}
	if n := attempts.Load(); n != 3 {
		t.Errorf("flaky update tried %d times; want 3", n)
	}
	if _, err := b.srv.WaitMessages(boris.ID, 1, waitLong); err != nil {
		t.Fatal(err)
	}
	// Boris's update, handled in the first batch, was not handled again
	// when the batch was fetched anew.
	if got := b.srv.Messages(boris.ID); len(got) != 1 {
		t.Errorf("Борис got %d replies; want 1", len(got))
	}
}

func TestPollerDropsPoisonUpdate(t *testing.T) {
	b := newTestBot(t)
	var attempts atomic.Int32
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		if u.Text == "poison" {
			attempts.Add(1)
			return nil, errors.New("always fails")
		}
		return echo(ctx, u)
	})
	b.poll(t, b.dispatcher(h), PollerOptions{MaxAttempts: 3})
	anna := bottest.User{ID: 41}
	b.srv.SendText(anna, "poison")
	b.srv.SendText(anna, "next")
	got, err := b.srv.WaitMessages(anna.ID, 1, waitLong)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"echo: next"}; !equal(texts(got), want) {
		t.Errorf("replies %q; want %q", texts(got), want)
	}
	if n := attempts.Load(); n != 3 {
		t.Errorf("poison update tried %d times; want MaxAttempts = 3", n)
	}
	if n := testutil.ToFloat64(b.metrics.updates.WithLabelValues(OutcomeDropped)); n != 1 {
		t.Errorf("dropped = %v; want 1", n)
	}
}

// A poller stopped (or crashed) while an update keeps failing leaves it
// unconfirmed; the next poller handles it.
func TestPollerRestartAfterFailedBatch(t *testing.T) {
	b := newTestBot(t)
	tried := make(chan struct{}, 100)
	failing := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		tried <- struct{}{}
		return nil, errors.New("redis down")
	})
	stop := b.poll(t, b.dispatcher(failing), PollerOptions{MaxAttempts: 1000})
	anna := bottest.User{ID: 51}
	b.srv.SendText(anna, "регистрация")
	<-tried
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if n := b.srv.Pending(); n != 1 {
		t.Fatalf("%d updates pending after the failed batch; want 1", n)
	}
	if got := b.srv.Messages(anna.ID); len(got) != 0 {
		t.Fatalf("replies %q before any success", texts(got))
	}

	b.poll(t, b.dispatcher(handlerFunc(echo)), PollerOptions{})
	got, err := b.srv.WaitMessages(anna.ID, 1, waitLong)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"echo: регистрация"}; !equal(texts(got), want) {
		t.Errorf("replies %q; want %q", texts(got), want)
	}
}

// A restart before the offset was confirmed fetches handled updates again;
// the dedupe keeps them from being handled twice.
func TestPollerRestartDedupes(t *testing.T) {
	b := newTestBot(t)
	var calls atomic.Int32
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		calls.Add(1)
		return echo(ctx, u)
	})
	anna := bottest.User{ID: 55}
	id := b.srv.SendText(anna, "один раз")
	tu, _ := b.srv.Update(id)
	u, _ := FromTelegram(tu)
	// The first process handled it and died before confirming.
	if err := b.dispatcher(h).Dispatch(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	stop := b.poll(t, b.dispatcher(h), PollerOptions{})
	if err := b.srv.Wait(waitLong, func() bool { return b.srv.Pending() == 0 }); err != nil {
		t.Fatal(err)
	}
	stop()
	if n := calls.Load(); n != 1 {
		t.Errorf("handler called %d times; want 1", n)
	}
	if got := b.srv.Messages(anna.ID); len(got) != 1 {
		t.Errorf("%d replies; want 1", len(got))
	}
}

func TestPollerNetworkErrors(t *testing.T) {
	b := newTestBot(t)
	b.srv.Inject(bottest.Fault{Method: "deleteWebhook", Code: 502})
	b.srv.Inject(bottest.Fault{Method: "getUpdates", Hangup: true})
	b.srv.Inject(bottest.Fault{Method: "getUpdates", Code: 500, Times: 2})
	b.poll(t, b.dispatcher(handlerFunc(echo)), PollerOptions{})
	anna := bottest.User{ID: 61}
	b.srv.SendText(anna, "всё равно дошло")
	if _, err := b.srv.WaitMessages(anna.ID, 1, waitLong); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.logs.String(), "getUpdates failed") {
		t.Errorf("network errors not logged:\n%s", b.logs.String())
	}
	// newTestBot's cleanup checks the logs hold no token.
}

// Stopping the poller lets the batch in flight finish and deliver.
func TestPollerStopFinishesBatch(t *testing.T) {
	b := newTestBot(t)
	entered, release := make(chan struct{}), make(chan struct{})
	var finished atomic.Bool
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		close(entered)
		<-release
		finished.Store(true)
		return echo(ctx, u)
	})
	d := b.dispatcher(h)
	stop := b.poll(t, d, PollerOptions{})
	anna := bottest.User{ID: 71}
	b.srv.SendText(anna, "в последний момент")
	<-entered
	stopped := make(chan error)
	go func() { stopped <- stop() }()
	// Run cannot return before the handler does.
	close(release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if !finished.Load() {
		t.Fatal("Run returned before the update in flight finished")
	}
	if err := d.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := b.srv.Messages(anna.ID); len(got) != 1 {
		t.Errorf("%d replies; want the in-flight update's reply", len(got))
	}
	if n := b.srv.Pending(); n != 0 {
		t.Errorf("%d updates unconfirmed after a clean stop", n)
	}
}
