package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"smkbot/storage"
)

// freeAddr returns a loopback address nobody listens on, for a webhook URL
// that must be known before the bot starts.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestWebhookSecretAndRedelivery(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	h := newHarness(t, func(c *Config) {
		c.HTTPAddr = addr
		c.WebhookURL = "http://" + addr + "/telegram/hook"
		c.WebhookSecret = "s3cret_token-1"
	})
	if got := h.tg.WebhookURL(); got != "http://"+addr+"/telegram/hook" {
		t.Fatalf("webhook URL at Telegram = %q", got)
	}
	if got := h.tg.WebhookSecret(); got != "s3cret_token-1" {
		t.Fatalf("webhook secret at Telegram = %q", got)
	}
	if n := len(h.tg.CallsTo("getUpdates")); n != 0 {
		t.Errorf("webhook mode polled getUpdates %d times", n)
	}

	code := h.invite(storage.RoleAdmin, 0, 1, time.Hour)
	u := h.user(8001, "Нина")
	u.send("/start " + code)
	u.expect("Вы согласны?")
	before := len(h.tg.Messages(u.u.ID))

	// The same update delivered again (Telegram retries after a timeout)
	// is handled once.
	first := h.tg.Deliveries()[0].UpdateID
	status, err := h.tg.Deliver(context.Background(), first, "s3cret_token-1")
	if err != nil || status != http.StatusOK {
		t.Fatalf("redelivery: %d, %v", status, err)
	}
	if after := len(h.tg.Messages(u.u.ID)); after != before {
		t.Errorf("a redelivered update was handled again: %d messages, want %d", after, before)
	}

	// Without the secret, or with a wrong one, the request is refused.
	for _, secret := range []string{"", "wrong"} {
		status, err := h.tg.Deliver(context.Background(), first, secret)
		if err != nil || status != http.StatusUnauthorized {
			t.Errorf("secret %q: status %d, %v; want 401", secret, status, err)
		}
	}
}

func TestHealthAndMetrics(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code := h.invite(storage.RoleAdmin, 0, 1, time.Hour)
	h.user(9001, "Тест").send("/start " + code)

	body := get(t, "http://"+h.addr+"/healthz", http.StatusOK)
	if strings.TrimSpace(body) != "ok" {
		t.Errorf("healthz body = %q", body)
	}
	metrics := get(t, "http://"+h.addr+"/metrics", http.StatusOK)
	for _, name := range []string{"smkbot_updates_total", "smkbot_handler_duration_seconds", "smkbot_messages_sent_total",
		"smkbot_update_duration_seconds", `smkbot_api_requests_total{method="sendMessage"}`, `smkbot_api_requests_total{method="getUpdates"}`,
		`smkbot_jobs_queued{state="scheduled"}`, "smkbot_people_inactive", "smkbot_process_peak_resident_memory_bytes",
		"process_cpu_seconds_total", "process_resident_memory_bytes"} {
		if !strings.Contains(metrics, name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	if strings.Contains(metrics, h.cfg.Token) {
		t.Error("/metrics shows the bot token")
	}
	// The health check subcommand reads the same endpoint.
	cfg := h.cfg
	cfg.HTTPAddr = h.addr
	if err := healthcheck(context.Background(), cfg); err != nil {
		t.Errorf("healthcheck: %v", err)
	}
}

func get(t *testing.T, url string, want int) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d: %s", url, resp.StatusCode, want, b)
	}
	return string(b)
}
