package bot

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// SecretHeader carries the webhook's secret token on every delivery.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// validSecret is what Telegram accepts as a secret_token.
var validSecret = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// SetWebhook points Telegram at url, to deliver message and callback_query
// updates with secret in SecretHeader. It goes through MakeRequest because
// the library's WebhookConfig has no secret_token.
func SetWebhook(ctx context.Context, c *Client, url, secret string) error {
	if !validSecret.MatchString(secret) {
		return errors.New("bot: setWebhook: the secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
	}
	allowed, err := json.Marshal([]string{"message", "callback_query"})
	if err != nil {
		return fmt.Errorf("bot: setWebhook: %w", err)
	}
	_, err = c.MakeRequest(ctx, "setWebhook", tgbotapi.Params{
		"url":             url,
		"secret_token":    secret,
		"allowed_updates": string(allowed),
	})
	if err != nil {
		return fmt.Errorf("bot: setWebhook: %w", err)
	}
	return nil
}

// WebhookOptions configures WebhookHandler.
type WebhookOptions struct {
	// MaxBody caps a request body (default 1 MB; an update is a few KB).
	MaxBody int64
	Log     *slog.Logger
	Metrics *Metrics
}

// WebhookHandler receives Telegram's webhook deliveries. A request needs
// POST and the exact secret in SecretHeader (else 401; an empty secret
// refuses every request). The update is handled within the request: 200 when
// it was handled (or is of a kind the bot ignores), 503 when it could not be
// (a database down, shutting down) so that Telegram delivers it again. The
// dedupe makes that redelivery safe.
func WebhookHandler(d *Dispatcher, secret string, o WebhookOptions) http.Handler {
	if o.MaxBody <= 0 {
		o.MaxBody = 1 << 20
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &webhook{d: d, secret: []byte(secret), o: o}
}

type webhook struct {
	d      *Dispatcher
	secret []byte
	o      WebhookOptions
}

func (h *webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := []byte(r.Header.Get(SecretHeader))
	if len(h.secret) == 0 || subtle.ConstantTimeCompare(got, h.secret) != 1 {
		h.o.Metrics.Error("webhook")
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var tu tgbotapi.Update
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, h.o.MaxBody)).Decode(&tu); err != nil {
		h.o.Metrics.Error("webhook")
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "bad update", http.StatusBadRequest)
		return
	}
	u, ok := FromTelegram(tu)
	if !ok {
		h.o.Metrics.UpdateHandled(OutcomeIgnored)
		w.WriteHeader(http.StatusOK)
		return
	}
	// The work goes on if Telegram hangs up: stopping halfway would leave
	// half an answer, and the finished update is then skipped on redelivery.
	if err := h.d.Dispatch(context.WithoutCancel(r.Context()), u); err != nil {
		h.o.Log.Warn("webhook update not handled", "update_id", u.ID, "err", err)
		http.Error(w, "try again later", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}
