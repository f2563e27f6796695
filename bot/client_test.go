package bot_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"smkbot/bot"
	"smkbot/bot/bottest"
)

var anna = bottest.User{ID: 201, FirstName: "Анна", LastName: "Иванова"}

// newClient starts a fake Bot API and a Client talking to it.
func newClient(t testing.TB) (*bottest.Server, *bot.Client) {
	t.Helper()
	s := bottest.New("")
	t.Cleanup(s.Close)
	c, err := bot.NewClient(context.Background(), s.Token(), s.Endpoint(), time.Second)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return s, c
}

func TestNewClient(t *testing.T) {
	s, c := newClient(t)
	if c.Username() != bottest.Username {
		t.Errorf("Username = %q", c.Username())
	}

	_, err := bot.NewClient(context.Background(), "42:secret-token", s.Endpoint(), time.Second)
	var e *tgbotapi.Error
	if !errors.As(err, &e) || e.Code != 401 {
		t.Errorf("wrong token: err = %v, want a 401 *tgbotapi.Error", err)
	}

	if _, err := bot.NewClient(context.Background(), "42:secret-token", "http://example.org/api", time.Second); err == nil {
		t.Errorf("endpoint without the /bot%%s/%%s suffix accepted")
	}
}

func TestErrorsHideToken(t *testing.T) {
	s := bottest.New("")
	c, err := bot.NewClient(context.Background(), s.Token(), s.Endpoint(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// With the server gone the transport's error names the URL, token and all.
	_, err = c.Send(context.Background(), tgbotapi.NewMessage(1, "x"))
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	if strings.Contains(err.Error(), s.Token()) || !strings.Contains(err.Error(), "<token>") {
		t.Errorf("error = %q, want the token redacted", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Send(ctx, tgbotapi.NewMessage(1, "x"))
	if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), s.Token()) {
		t.Errorf("cancelled: err = %v, want context.Canceled without the token", err)
	}
}

func TestRedact(t *testing.T) {
	tok := "123:AB/C+D"
	got := bot.Redact("post https://api/bot123:AB/C+D/x and token=123%3AAB%2FC%2BD", tok)
	if strings.Contains(got, "AB") {
		t.Errorf("Redact = %q", got)
	}
	if got := bot.Redact("nothing", ""); got != "nothing" {
		t.Errorf("empty token: %q", got)
	}
}

func TestGetUpdatesHonoursContext(t *testing.T) {
	s, c := newClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() {
		_, err := c.GetUpdates(ctx, tgbotapi.UpdateConfig{Timeout: 60})
		errc <- err
	}()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}

	id := s.SendText(anna, "/start")
	ups, err := c.GetUpdates(context.Background(), tgbotapi.UpdateConfig{Timeout: 1})
	if err != nil || len(ups) != 1 || ups[0].UpdateID != id {
		t.Fatalf("GetUpdates = %+v, %v", ups, err)
	}
}

func TestDownload(t *testing.T) {
	s, c := newClient(t)
	ctx := context.Background()
	uid := s.SendDocument(anna, "акт проверки.pdf", []byte("%PDF"), "")
	u, _ := s.Update(uid)
	got, err := c.Download(ctx, u.Message.Document.FileID)
	if err != nil || string(got) != "%PDF" {
		t.Fatalf("Download = %q, %v", got, err)
	}

	uid = s.SendPhoto(anna, []byte("jpeg"), "", "")
	u, _ = s.Update(uid)
	if got, err := c.Download(ctx, u.Message.Photo[len(u.Message.Photo)-1].FileID); err != nil || string(got) != "jpeg" {
		t.Fatalf("photo Download = %q, %v", got, err)
	}

	big := bytes.Repeat([]byte{1}, bot.MaxDownload+1)
	uid = s.SendDocument(anna, "big.zip", big, "")
	u, _ = s.Update(uid)
	if _, err := c.Download(ctx, u.Message.Document.FileID); !errors.Is(err, bot.ErrFileTooLarge) {
		t.Errorf("big file: err = %v, want ErrFileTooLarge", err)
	}

	_, err = c.Download(ctx, "unknown")
	var e *tgbotapi.Error
	if !errors.As(err, &e) || e.Code != 400 {
		t.Errorf("unknown file: err = %v", err)
	}
}

func TestClientCountsRequests(t *testing.T) {
	s, c := newClient(t)
	reg := prometheus.NewRegistry()
	m, err := bot.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	c.SetMetrics(m)
	s.AddChat(anna.ID)
	for range 2 {
		if _, err := c.Send(context.Background(), tgbotapi.NewMessage(anna.ID, "hi")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.GetUpdates(context.Background(), tgbotapi.UpdateConfig{}); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP smkbot_api_requests_total Bot API requests made (getUpdates and retries included), by method.
# TYPE smkbot_api_requests_total counter
smkbot_api_requests_total{method="getUpdates"} 1
smkbot_api_requests_total{method="sendMessage"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "smkbot_api_requests_total"); err != nil {
		t.Error(err)
	}
}
