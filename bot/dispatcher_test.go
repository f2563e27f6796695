package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// HandlerFunc adapts a function to Handler in tests.
type handlerFunc func(ctx context.Context, u Update) ([]Message, error)

func (f handlerFunc) Handle(ctx context.Context, u Update) ([]Message, error) { return f(ctx, u) }

// fakeSender records what the dispatcher hands over, for the tests that are
// about the dispatcher alone.
type fakeSender struct {
	mu   sync.Mutex
	sent []Message
}

func (s *fakeSender) Send(ctx context.Context, msgs ...Message) []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Delivery, len(msgs))
	for i, m := range msgs {
		s.sent = append(s.sent, m)
		out[i] = Delivery{Message: m, MessageIDs: []int{len(s.sent)}}
	}
	return out
}

func (s *fakeSender) messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.sent...)
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func testDispatcher(h Handler, o DispatcherOptions) (*Dispatcher, *fakeSender) {
	if o.Log == nil {
		o.Log = quietLog()
	}
	d := newDispatcher(h, o)
	s := &fakeSender{}
	d.send = s
	return d, s
}

func TestDispatchDedupe(t *testing.T) {
	rdb, prefix := testRedis(t)
	var calls atomic.Int32
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		calls.Add(1)
		return []Message{Text{ChatID: u.ChatID, Text: "ok"}}, nil
	})
	d, s := testDispatcher(h, DispatcherOptions{Dedupe: NewDedupe(rdb, DedupeOptions{Prefix: prefix})})
	u := Update{ID: 100, ChatID: 1, Text: "x"}
	for range 3 {
		if err := d.Dispatch(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("handler called %d times for one update_id; want 1", n)
	}
	if n := len(s.messages()); n != 1 {
		t.Errorf("%d replies sent; want 1", n)
	}
}

func TestDispatchErrorReleasesClaim(t *testing.T) {
	rdb, prefix := testRedis(t)
	fail := errors.New("postgres down")
	var calls atomic.Int32
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		if calls.Add(1) == 1 {
			return nil, fail
		}
		return []Message{Text{ChatID: u.ChatID, Text: "ok"}}, nil
	})
	d, s := testDispatcher(h, DispatcherOptions{Dedupe: NewDedupe(rdb, DedupeOptions{Prefix: prefix})})
	u := Update{ID: 5, ChatID: 1}
	if err := d.Dispatch(context.Background(), u); !errors.Is(err, fail) {
		t.Fatalf("Dispatch = %v; want the handler's error", err)
	}
	if err := d.Dispatch(context.Background(), u); err != nil {
		t.Fatalf("Dispatch of the redelivery = %v", err)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("handler called %d times; want 2 (failure, then redelivery)", n)
	}
	if n := len(s.messages()); n != 1 {
		t.Errorf("%d replies; want 1", n)
	}
}

func TestDispatchBatchOrderAndParallel(t *testing.T) {
	const workers = 4
	var (
		mu      sync.Mutex
		seen    = map[int64][]int{}
		running int
		most    int
	)
	// The first updates of chats 2 and 3 each wait for the other to start:
	// they finish only if different chats really run at the same time.
	started2, started3 := make(chan struct{}), make(chan struct{})
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		mu.Lock()
		running++
		most = max(most, running)
		seen[u.ChatID] = append(seen[u.ChatID], u.ID)
		mu.Unlock()
		defer func() {
			mu.Lock()
			running--
			mu.Unlock()
		}()
		wait := func(mine, other chan struct{}) error {
			close(mine)
			select {
			case <-other:
				return nil
			case <-ctx.Done():
				return fmt.Errorf("chat %d ran alone: %w", u.ChatID, ctx.Err())
			}
		}
		switch u.ID {
		case 1002:
			return nil, wait(started2, started3)
		case 1003:
			return nil, wait(started3, started2)
		}
		return []Message{Text{ChatID: u.ChatID, Text: fmt.Sprint(u.ID)}}, nil
	})
	d, s := testDispatcher(h, DispatcherOptions{Workers: workers, HandleTimeout: 10 * time.Second})

	var us []Update
	want := map[int64][]int{}
	us = append(us, Update{ID: 1002, ChatID: 2}, Update{ID: 1003, ChatID: 3})
	want[2], want[3] = []int{1002}, []int{1003}
	for i := range 50 {
		us = append(us, Update{ID: i, ChatID: 1})
		want[1] = append(want[1], i)
		other := int64(4 + i%5)
		us = append(us, Update{ID: 2000 + i, ChatID: other})
		want[other] = append(want[other], 2000+i)
	}
	for i, err := range d.DispatchBatch(context.Background(), us) {
		if err != nil {
			t.Errorf("update %d: %v", us[i].ID, err)
		}
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("order per chat (-want +got):\n%s", diff)
	}
	if most > workers {
		t.Errorf("%d updates ran at once; Workers is %d", most, workers)
	}
	// Replies of chat 1 left in the order of its updates.
	var got []string
	for _, m := range s.messages() {
		if m.Chat() == 1 {
			got = append(got, m.(Text).Text)
		}
	}
	for i, text := range got {
		if text != fmt.Sprint(i) {
			t.Fatalf("reply %d of chat 1 is %q; want %q", i, text, fmt.Sprint(i))
		}
	}
}

func TestDispatchBatchSkipsAfterFailure(t *testing.T) {
	fail := errors.New("redis down")
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		if u.ID == 2 {
			return nil, fail
		}
		return nil, nil
	})
	d, _ := testDispatcher(h, DispatcherOptions{})
	us := []Update{{ID: 1, ChatID: 1}, {ID: 2, ChatID: 1}, {ID: 3, ChatID: 2}, {ID: 4, ChatID: 1}}
	errs := d.DispatchBatch(context.Background(), us)
	if errs[0] != nil || !errors.Is(errs[1], fail) || errs[2] != nil || !errors.Is(errs[3], ErrSkipped) {
		t.Errorf("DispatchBatch errors = %v; want [nil, handler error, nil, ErrSkipped]", errs)
	}
}

func TestDispatchPanic(t *testing.T) {
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		if u.Text == "boom" {
			var m map[string]int
			m["x"]++ // a nil map write: a real bug, not a test's panic("...")
		}
		return []Message{Text{ChatID: u.ChatID, Text: "после: " + u.Text}}, nil
	})
	d, s := testDispatcher(h, DispatcherOptions{PanicText: "Извините, что-то пошло не так.", Workers: 1})
	errs := d.DispatchBatch(context.Background(), []Update{
		{ID: 1, ChatID: 9, Text: "boom"},
		{ID: 2, ChatID: 9, Text: "дальше"},
	})
	for _, err := range errs {
		if err != nil {
			t.Fatalf("DispatchBatch: %v", err)
		}
	}
	want := []Message{
		Text{ChatID: 9, Text: "Извините, что-то пошло не так."},
		Text{ChatID: 9, Text: "после: дальше"},
	}
	if diff := cmp.Diff(want, s.messages()); diff != "" {
		t.Errorf("replies (-want +got):\n%s", diff)
	}
}

func TestAnswerCallback(t *testing.T) {
	cb := Update{ID: 1, ChatID: 5, Callback: &Callback{ID: "q1", Data: "a:b:1"}}
	text := Text{ChatID: 5, Text: "готово"}
	tests := []struct {
		name    string
		u       Update
		replies []Message
		want    []Message
	}{
		{"no answer: an empty one goes first", cb, []Message{text},
			[]Message{CallbackAnswer{ID: "q1"}, text}},
		{"no replies at all", cb, nil,
			[]Message{CallbackAnswer{ID: "q1"}}},
		{"the handler's answer is kept", cb, []Message{text, CallbackAnswer{ID: "q1", Text: "Устарело"}},
			[]Message{text, CallbackAnswer{ID: "q1", Text: "Устарело"}}},
		{"a second answer is dropped", cb, []Message{CallbackAnswer{ID: "q1", Text: "1"}, CallbackAnswer{ID: "q1", Text: "2"}},
			[]Message{CallbackAnswer{ID: "q1", Text: "1"}}},
		{"not a callback", Update{ID: 2, ChatID: 5}, []Message{text}, []Message{text}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, answerCallback(tt.u, tt.replies)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDispatchPanicAnswersCallback(t *testing.T) {
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) { panic("bug") })
	d, s := testDispatcher(h, DispatcherOptions{PanicText: "sorry"})
	u := Update{ID: 1, ChatID: 5, Callback: &Callback{ID: "q1"}}
	if err := d.Dispatch(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	want := []Message{CallbackAnswer{ID: "q1"}, Text{ChatID: 5, Text: "sorry"}}
	if diff := cmp.Diff(want, s.messages()); diff != "" {
		t.Errorf("replies (-want +got):\n%s", diff)
	}
}

func TestShutdownFinishesInFlight(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		close(entered)
		<-release
		return []Message{Text{ChatID: u.ChatID, Text: "done"}}, nil
	})
	d, s := testDispatcher(h, DispatcherOptions{})
	dispatched := make(chan error)
	go func() { dispatched <- d.Dispatch(context.Background(), Update{ID: 1, ChatID: 1}) }()
	<-entered

	shut := make(chan error)
	go func() { shut <- d.Shutdown(context.Background()) }()
	// New work is refused once shutdown has begun.
	for {
		err := d.Dispatch(context.Background(), Update{ID: 2, ChatID: 2})
		if errors.Is(err, ErrShuttingDown) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) while an update was in flight", err)
	default:
	}
	close(release)
	if err := <-dispatched; err != nil {
		t.Fatal(err)
	}
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, m := range s.messages() {
		texts = append(texts, m.(Text).Text)
	}
	if !cmp.Equal(texts[len(texts)-1:], []string{"done"}) {
		t.Errorf("replies %q; want the in-flight update's reply delivered", texts)
	}
}

func TestShutdownDeadlineCancelsWork(t *testing.T) {
	entered := make(chan struct{})
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		close(entered)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	d, _ := testDispatcher(h, DispatcherOptions{HandleTimeout: time.Hour})
	dispatched := make(chan error)
	go func() { dispatched <- d.Dispatch(context.Background(), Update{ID: 1, ChatID: 1}) }()
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown = %v; want context.Canceled", err)
	}
	if err := <-dispatched; !errors.Is(err, context.Canceled) {
		t.Errorf("Dispatch = %v; want the in-flight update cancelled", err)
	}
}

// TestDispatchApologisesOnce: an update failing because a service is down
// is apologised for once, however often it is retried, then answered when
// it passes; a pressed button gets the apology as its answer.
func TestDispatchApologisesOnce(t *testing.T) {
	down := true
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		if down {
			return nil, errors.New("postgres: connection refused")
		}
		return []Message{Text{ChatID: u.ChatID, Text: "принято"}}, nil
	})
	d, s := testDispatcher(h, DispatcherOptions{UnavailableText: "ненадолго недоступен"})
	msg := Update{ID: 1, ChatID: 5, Text: "да"}
	press := Update{ID: 2, ChatID: 6, Callback: &Callback{ID: "q2"}}
	for range 3 {
		for _, u := range []Update{msg, press} {
			if err := d.Dispatch(context.Background(), u); err == nil {
				t.Fatal("a failing update dispatched without an error")
			}
		}
	}
	down = false
	if err := d.Dispatch(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	want := []Message{
		Text{ChatID: 5, Text: "ненадолго недоступен"},
		CallbackAnswer{ID: "q2", Text: "ненадолго недоступен"},
		Text{ChatID: 5, Text: "принято"},
	}
	if diff := cmp.Diff(want, s.messages()); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
}
