package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	m.UpdateHandled(OutcomeOK)
	m.UpdateHandled(OutcomeOK)
	m.UpdateHandled(OutcomeDuplicate)
	m.ObserveHandler("survey", 30*time.Millisecond, "ok")
	m.observeUpdate(time.Millisecond)
	m.MessageSent("text")
	m.RateLimited()
	m.SendFailed("photo")
	m.Error("poll")
	m.Panic()
	m.APIRequest("sendMessage")
	m.APIRequest("SENDMESSAGE")
	m.APIRequest("getUpdates")
	m.APIRequest("/etc/passwd")
	m.SetJobsQueued("available", 3)
	m.SetJobsQueued("scheduled", 7)
	m.SetPeopleInactive(2)

	want := `
# HELP smkbot_updates_total Updates received, by outcome.
# TYPE smkbot_updates_total counter
smkbot_updates_total{outcome="duplicate"} 1
smkbot_updates_total{outcome="ok"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "smkbot_updates_total"); err != nil {
		t.Error(err)
	}
	wantAPI := `
# HELP smkbot_api_requests_total Bot API requests made (getUpdates and retries included), by method.
# TYPE smkbot_api_requests_total counter
smkbot_api_requests_total{method="getUpdates"} 1
smkbot_api_requests_total{method="other"} 1
smkbot_api_requests_total{method="sendMessage"} 2
# HELP smkbot_jobs_queued Scheduled jobs waiting in the queue, by state (available, scheduled, retryable, running).
# TYPE smkbot_jobs_queued gauge
smkbot_jobs_queued{state="available"} 3
smkbot_jobs_queued{state="scheduled"} 7
# HELP smkbot_people_inactive People marked inactive (blocked the bot, or switched off by an administrator).
# TYPE smkbot_people_inactive gauge
smkbot_people_inactive 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(wantAPI), "smkbot_api_requests_total", "smkbot_jobs_queued", "smkbot_people_inactive"); err != nil {
		t.Error(err)
	}
	for name, want := range map[string]int{
		"smkbot_handler_duration_seconds": 1,
		"smkbot_messages_sent_total":      1,
		"smkbot_rate_limited_total":       1,
		"smkbot_send_failures_total":      1,
		"smkbot_errors_total":             1,
		"smkbot_panics_total":             1,
	} {
		if got, err := testutil.GatherAndCount(reg, name); err != nil || got != want {
			t.Errorf("%s: %d series, %v; want %d", name, got, err, want)
		}
	}

	// A second set on the same registry is refused, not a panic.
	if _, err := NewMetrics(reg); err == nil {
		t.Error("NewMetrics registered twice on one registry without an error")
	}
}

func TestMetricsNil(t *testing.T) {
	var m *Metrics
	m.UpdateHandled(OutcomeOK)
	m.ObserveHandler("x", time.Second, "ok")
	m.observeUpdate(time.Second)
	m.MessageSent("text")
	m.RateLimited()
	m.SendFailed("text")
	m.Error("poll")
	m.Panic()
	m.APIRequest("sendMessage")
	m.SetJobsQueued("available", 1)
	m.SetPeopleInactive(1)
}
