package bot

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes of an update, the "outcome" label of smkbot_updates_total.
const (
	OutcomeOK        = "ok"        // handled, replies handed to the Sender
	OutcomeDuplicate = "duplicate" // seen before, skipped
	OutcomeError     = "error"     // the handler failed; the update will be retried
	OutcomePanic     = "panic"     // the handler panicked; the person got the apology
	OutcomeIgnored   = "ignored"   // an update kind the bot does not act on
	OutcomeDropped   = "dropped"   // failed too many times; given up
)

// Metrics are the transport's Prometheus metrics. A nil *Metrics records
// nothing, so tests and tools may leave it out. It implements the Sender's
// SendMetrics.
type Metrics struct {
	updates     *prometheus.CounterVec
	updateTime  prometheus.Histogram
	handlerTime *prometheus.HistogramVec
	sent        *prometheus.CounterVec
	rateLimited prometheus.Counter
	sendFailed  *prometheus.CounterVec
	errs        *prometheus.CounterVec
	panics      prometheus.Counter
	apiCalls    *prometheus.CounterVec
	jobsQueued  *prometheus.GaugeVec
	inactive    prometheus.Gauge
}

// NewMetrics creates the metrics and registers them on reg (never the
// global registry, so tests and several bots in one process do not clash).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "smkbot_updates_total",
			Help: "Updates received, by outcome.",
		}, []string{"outcome"}),
		updateTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "smkbot_update_duration_seconds",
			Help:    "Time to handle one update and deliver its replies.",
			Buckets: prometheus.DefBuckets,
		}),
		handlerTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "smkbot_handler_duration_seconds",
			Help:    "Time a flow took to handle an update, by flow and outcome.",
			Buckets: prometheus.DefBuckets,
		}, []string{"flow", "outcome"}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "smkbot_messages_sent_total",
			Help: "Messages delivered to Telegram, by kind.",
		}, []string{"kind"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "smkbot_rate_limited_total",
			Help: "Telegram answers 429 Too Many Requests.",
		}),
		sendFailed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "smkbot_send_failures_total",
			Help: "Messages that could not be delivered, by kind.",
		}, []string{"kind"}),
		errs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "smkbot_errors_total",
			Help: "Errors in the transport, by where they happened.",
		}, []string{"where"}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "smkbot_panics_total",
			Help: "Handler panics recovered.",
		}),
		apiCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "smkbot_api_requests_total",
			Help: "Bot API requests made (getUpdates and retries included), by method.",
		}, []string{"method"}),
		jobsQueued: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "smkbot_jobs_queued",
			Help: "Scheduled jobs waiting in the queue, by state (available, scheduled, retryable, running).",
		}, []string{"state"}),
		inactive: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "smkbot_people_inactive",
			Help: "People marked inactive (blocked the bot, or switched off by an administrator).",
		}),
	}
	cs := []prometheus.Collector{m.updates, m.updateTime, m.handlerTime, m.sent,
		m.rateLimited, m.sendFailed, m.errs, m.panics, m.apiCalls, m.jobsQueued, m.inactive}
	var errs []error
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("bot: register metrics: %w", err)
	}
	return m, nil
}

// UpdateHandled counts an update by its outcome (one of the Outcome constants).
func (m *Metrics) UpdateHandled(outcome string) {
	if m == nil {
		return
	}
	m.updates.WithLabelValues(outcome).Inc()
}

// observeUpdate records the time one update took, end to end.
func (m *Metrics) observeUpdate(d time.Duration) {
	if m == nil {
		return
	}
	m.updateTime.Observe(d.Seconds())
}

// ObserveHandler records how long a flow took with an update. The router
// calls it, since only the router knows the flow; flow and outcome must come
// from small fixed sets (never user input), or the series multiply.
func (m *Metrics) ObserveHandler(flow string, d time.Duration, outcome string) {
	if m == nil {
		return
	}
	m.handlerTime.WithLabelValues(flow, outcome).Observe(d.Seconds())
}

// MessageSent counts a delivered message of a kind ("text", "photo", ...).
func (m *Metrics) MessageSent(kind string) {
	if m == nil {
		return
	}
	m.sent.WithLabelValues(kind).Inc()
}

// RateLimited counts a 429 answer from Telegram.
func (m *Metrics) RateLimited() {
	if m == nil {
		return
	}
	m.rateLimited.Inc()
}

// SendFailed counts a message of a kind that could not be delivered.
func (m *Metrics) SendFailed(kind string) {
	if m == nil {
		return
	}
	m.sendFailed.WithLabelValues(kind).Inc()
}

// Error counts an error by where it happened ("poll", "dedupe", "chatlock",
// "handler", "webhook", "gauges").
func (m *Metrics) Error(where string) {
	if m == nil {
		return
	}
	m.errs.WithLabelValues(where).Inc()
}

// Panic counts a recovered handler panic.
func (m *Metrics) Panic() {
	if m == nil {
		return
	}
	m.panics.Inc()
}

// apiMethods are the Bot API methods counted by name; any other method is
// counted as "other", so a path never multiplies the series.
var apiMethods = map[string]string{}

func init() {
	for _, m := range []string{"getMe", "getUpdates", "setWebhook", "deleteWebhook", "getWebhookInfo",
		"sendMessage", "editMessageText", "editMessageReplyMarkup", "deleteMessage", "answerCallbackQuery",
		"sendPhoto", "sendDocument", "sendMediaGroup", "getFile", "setMyCommands", "sendChatAction"} {
		apiMethods[strings.ToLower(m)] = m
	}
}

// APIRequest counts one Bot API request of a method (any case; unknown
// methods count as "other").
func (m *Metrics) APIRequest(method string) {
	if m == nil {
		return
	}
	name, ok := apiMethods[strings.ToLower(method)]
	if !ok {
		name = "other"
	}
	m.apiCalls.WithLabelValues(name).Inc()
}

// SetJobsQueued sets how many scheduled jobs are in a state; the caller
// reads it from the queue's table now and then.
func (m *Metrics) SetJobsQueued(state string, n int) {
	if m == nil {
		return
	}
	m.jobsQueued.WithLabelValues(state).Set(float64(n))
}

// SetPeopleInactive sets how many people are marked inactive.
func (m *Metrics) SetPeopleInactive(n int) {
	if m == nil {
		return
	}
	m.inactive.Set(float64(n))
}
