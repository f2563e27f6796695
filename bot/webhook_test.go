package bot

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"smkbot/bot/bottest"
)

const testSecret = "s3cret_Token-1"

// webhookBot serves WebhookHandler over HTTP and points the fake Bot API at
// it, as Telegram would be.
func (b *testBot) webhook(t *testing.T, h Handler, o WebhookOptions) (*Dispatcher, *httptest.Server) {
	t.Helper()
	d := b.dispatcher(h)
	o.Log = b.log
	o.Metrics = b.metrics
	hs := httptest.NewServer(WebhookHandler(d, testSecret, o))
	// Stop deliveries (srv.Close) before the webhook server goes away.
	t.Cleanup(hs.Close)
	t.Cleanup(b.srv.Close)
	if err := SetWebhook(context.Background(), b.client, hs.URL+"/telegram", testSecret); err != nil {
		t.Fatal(err)
	}
	return d, hs
}

// waitDelivered waits until a delivery of the update was answered with
// status: the webhook's work on it is over.
func waitDelivered(srv *bottest.Server, updateID, status int) error {
	return srv.Wait(waitLong, func() bool {
		for _, d := range srv.Deliveries() {
			if d.UpdateID == updateID && d.Status == status {
				return true
			}
		}
		return false
	})
}

func TestSetWebhookSendsSecret(t *testing.T) {
	b := newTestBot(t)
	b.webhook(t, handlerFunc(echo), WebhookOptions{})
	if got := b.srv.WebhookSecret(); got != testSecret {
		t.Errorf("webhook secret %q; want %q", got, testSecret)
	}
	if err := SetWebhook(context.Background(), b.client, "https://example.org/x", "bad secret!"); err == nil {
		t.Error("SetWebhook accepted a secret Telegram refuses")
	}
}

func TestWebhookHandlesAndDedupes(t *testing.T) {
	b := newTestBot(t)
	var calls atomic.Int32
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		calls.Add(1)
		return echo(ctx, u)
	})
	b.webhook(t, h, WebhookOptions{})
	anna := bottest.User{ID: 81}
	id := b.srv.SendText(anna, "через вебхук")
	if err := waitDelivered(b.srv, id, http.StatusOK); err != nil {
		t.Fatal(err)
	}
	// Telegram delivers the same update again: 200, handled once.
	status, err := b.srv.Deliver(context.Background(), id, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusOK {
		t.Errorf("redelivery answered %d; want 200", status)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("handler called %d times; want 1", n)
	}
	if got := b.srv.Messages(anna.ID); len(got) != 1 {
		t.Errorf("%d replies; want 1", len(got))
	}
}

func TestWebhookSecret(t *testing.T) {
	b := newTestBot(t)
	var calls atomic.Int32
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		calls.Add(1)
		return nil, nil
	})
	_, hs := b.webhook(t, h, WebhookOptions{})
	anna := bottest.User{ID: 82}
	id := b.srv.SendText(anna, "x")
	if err := b.srv.Wait(waitLong, func() bool { return calls.Load() == 1 }); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"", "wrong", testSecret + "x", strings.ToUpper(testSecret)} {
		status, err := b.srv.Deliver(context.Background(), id, secret)
		if err != nil {
			t.Fatal(err)
		}
		if status != http.StatusUnauthorized {
			t.Errorf("secret %q: status %d; want 401", secret, status)
		}
	}
	// The handler with no secret configured refuses everything.
	open := httptest.NewServer(WebhookHandler(b.dispatcher(h), "", WebhookOptions{Log: b.log}))
	defer open.Close()
	resp, err := http.Post(open.URL, "application/json", strings.NewReader(`{"update_id":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("empty configured secret: status %d; want 401", resp.StatusCode)
	}
	// GET is not a delivery.
	req, _ := http.NewRequest(http.MethodGet, hs.URL, nil)
	req.Header.Set(SecretHeader, testSecret)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: status %d; want 405", resp.StatusCode)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("handler called %d times; want 1 (only the real delivery)", n)
	}
}

func TestWebhook503ThenRetry(t *testing.T) {
	b := newTestBot(t)
	var calls atomic.Int32
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		if calls.Add(1) == 1 {
			return nil, errors.New("postgres down")
		}
		return echo(ctx, u)
	})
	b.webhook(t, h, WebhookOptions{})
	anna := bottest.User{ID: 83}
	id := b.srv.SendText(anna, "повтор")
	// Telegram retries after the 503 and the retry is handled.
	if err := waitDelivered(b.srv, id, http.StatusOK); err != nil {
		t.Fatal(err)
	}
	got := b.srv.Messages(anna.ID)
	if want := []string{"echo: повтор"}; !equal(texts(got), want) {
		t.Errorf("replies %q; want %q", texts(got), want)
	}
	var statuses []int
	for _, dl := range b.srv.Deliveries() {
		if dl.UpdateID == id {
			statuses = append(statuses, dl.Status)
		}
	}
	if len(statuses) != 2 || statuses[0] != http.StatusServiceUnavailable || statuses[1] != http.StatusOK {
		t.Errorf("delivery statuses %v; want [503 200]", statuses)
	}
}

func TestWebhookBodyTooLarge(t *testing.T) {
	b := newTestBot(t)
	var calls atomic.Int32
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		calls.Add(1)
		return nil, nil
	})
	_, hs := b.webhook(t, h, WebhookOptions{MaxBody: 64 << 10})
	huge := `{"update_id":1,"message":{"message_id":1,"chat":{"id":1,"type":"private"},"text":"` +
		strings.Repeat("я", 100<<10) + `"}}`
	req, _ := http.NewRequest(http.MethodPost, hs.URL, strings.NewReader(huge))
	req.Header.Set(SecretHeader, testSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("huge body: status %d; want 413", resp.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodPost, hs.URL, strings.NewReader(`{not json`))
	req.Header.Set(SecretHeader, testSecret)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("broken JSON: status %d; want 400", resp.StatusCode)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("handler called %d times; want 0", n)
	}
}

func TestWebhookIgnoredUpdateAcknowledged(t *testing.T) {
	b := newTestBot(t)
	var calls atomic.Int32
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		calls.Add(1)
		return nil, nil
	})
	_, hs := b.webhook(t, h, WebhookOptions{})
	body := `{"update_id":5,"edited_message":{"message_id":1,"chat":{"id":1,"type":"private"},"text":"x"}}`
	req, _ := http.NewRequest(http.MethodPost, hs.URL, strings.NewReader(body))
	req.Header.Set(SecretHeader, testSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("edited message: status %d; want 200", resp.StatusCode)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("handler called for an ignored update")
	}
}

// Several replicas behind one webhook share a Redis lock per chat, so one
// chat's updates never run at once even in different processes.
func TestWebhookReplicasKeepChatOrder(t *testing.T) {
	b := newTestBot(t)
	rdb, prefix := testRedis(t)
	var inside, overlap atomic.Int32
	h := handlerFunc(func(ctx context.Context, u Update) ([]Message, error) {
		if inside.Add(1) > 1 {
			overlap.Add(1)
		}
		defer inside.Add(-1)
		return nil, nil
	})
	var replicas []*Dispatcher
	for range 3 {
		replicas = append(replicas, NewDispatcher(h, b.sender, DispatcherOptions{
			Dedupe:   b.dedupe,
			ChatLock: NewRedisChatLock(rdb, RedisChatLockOptions{Prefix: prefix + "chat:"}),
			Log:      b.log,
		}))
	}
	errs := make(chan error)
	for i := range 30 {
		go func() {
			errs <- replicas[i%3].Dispatch(context.Background(), Update{ID: 9000 + i, ChatID: 84})
		}()
	}
	for range 30 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := overlap.Load(); n != 0 {
		t.Errorf("%d times two replicas handled one chat at once", n)
	}
}
