package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"

	"smkbot/flows"
	"smkbot/flows/flowtest"
)

// surveyLogBuffer collects log lines from concurrent handlers.
type surveyLogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *surveyLogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *surveyLogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSurveyLogsHoldNoIdentity is the anonymity promise in the logs (the
// schema's half is storage's TestSurveyTablesHoldNoIdentity): a respondent
// opens a class link, answers every question — a free text among them —
// and sends; no log line of the router at debug level holds their
// Telegram id or name.
func TestSurveyLogsHoldNoIdentity(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	var logs surveyLogBuffer
	w.Router = flows.NewRouter(flows.RouterOptions{People: w.Store, Sessions: w.Sessions, L: w.L, Now: w.Clock.Now,
		Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	wireFlows(w.Router, w.Env)

	u := flowtest.User{ID: 5820193746, First: "Анонимия"}
	w.Send(t, u, "/start s_"+w.a.class.Code)
	msgs := w.Press(t, u, fmt.Sprintf("sv:go:%d", w.a.survey.ID))
	for range 3 * len(w.a.survey.Questions) {
		var data string
		bs := flowtest.ButtonData(msgs)
		for _, pick := range []func(string) bool{
			func(b string) bool { return strings.HasPrefix(b, "sv:a:") },
			func(b string) bool { return strings.HasPrefix(b, "sv:d:") && !strings.HasSuffix(b, ".0") },
			func(b string) bool { return strings.HasPrefix(b, "sv:t:") },
			func(b string) bool { return strings.HasPrefix(b, "sv:send:") },
		} {
			for _, b := range bs {
				if data == "" && pick(b) {
					data = b
				}
			}
		}
		if data == "" {
			msgs = w.Send(t, u, "Хотелось бы больше кружков")
			continue
		}
		msgs = w.Press(t, u, data)
		if strings.HasPrefix(data, "sv:send:") {
			break
		}
	}
	flowtest.Has(t, msgs, "Спасибо")
	// A forged press and a stale one are logged too.
	w.Press(t, u, fmt.Sprintf("sv:a:%d.0.1", w.a.survey.ID))
	w.Press(t, u, "sv:go:999999")

	out := logs.String()
	if !strings.Contains(out, "survey") {
		t.Fatalf("no survey log lines captured:\n%s", out)
	}
	for _, secret := range []string{strconv.FormatInt(u.ID, 10), u.First} {
		if strings.Contains(out, secret) {
			t.Errorf("the logs hold the respondent's %q:\n%s", secret, out)
		}
	}
}
