package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/association"
	"smkbot/flows/audit"
	"smkbot/flows/meetings"
	"smkbot/flows/onboarding"
	"smkbot/flows/survey"
	"smkbot/flows/tasks"
	"smkbot/locales"
	"smkbot/storage"
)

// pollTimeout is how long one getUpdates call waits for updates.
const pollTimeout = 50 * time.Second

// started is told the address the HTTP server listens on once the bot is
// taking updates (tests and the console wait for it).
type started func(httpAddr string)

// run is the bot: it migrates the database, wires storage, flows and the
// transport, and takes updates until ctx is cancelled, then shuts down
// within cfg.ShutdownGrace.
func run(ctx context.Context, cfg Config, log *slog.Logger, ready started) error {
	if err := storage.Migrate(ctx, cfg.DatabaseURL); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	store, err := storage.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()
	store.Location = cfg.Timezone
	rdb, err := openRedis(ctx, cfg.RedisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	// The survey anonymity key is fixed at the first start so that every
	// replica and every restart agree on it.
	anonSecret, err := store.AnonSecret(ctx, cfg.AnonSecret)
	if err != nil {
		return fmt.Errorf("anonymity key: %w", err)
	}
	l, err := locales.New(cfg.Timezone)
	if err != nil {
		return fmt.Errorf("locales: %w", err)
	}
	client, err := bot.NewClient(ctx, cfg.Token, cfg.APIEndpoint, pollTimeout)
	if err != nil {
		return fmt.Errorf("telegram: %w", err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), newPeakRSSGauge())
	metrics, err := bot.NewMetrics(reg)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	client.SetMetrics(metrics)
	sender := bot.NewSender(client, bot.SenderOptions{
		GlobalRate:   cfg.SendRate,
		ChatInterval: cfg.ChatInterval,
		Log:          log,
		Metrics:      metrics,
		OnBlocked: func(ctx context.Context, chatID int64) {
			if err := store.MarkInactiveByTelegramID(ctx, chatID); err != nil {
				log.Error("mark blocked person inactive", "err", err)
			}
		},
	})
	// The job queue exists before the flows register, so that they can
	// schedule work through it (flows.Scheduler); it runs after Start.
	jobs, err := newJobQueue(store.Pool(), sender, log, jobQueueOptions{Every: cfg.JobsEvery})
	if err != nil {
		return err
	}
	router := flows.NewRouter(flows.RouterOptions{
		People:   store,
		Sessions: storage.NewSessions(rdb, cfg.RedisPrefix, cfg.SessionTTL),
		L:        l,
		Now:      time.Now,
		Log:      log,
		Metrics:  metrics,
	})
	(&onboarding.Flow{
		Store:       store,
		Limiter:     storage.NewLimiter(rdb, cfg.RedisPrefix),
		BotUsername: client.Username(),
	}).Register(router)
	// The tasks flow first: survey results make improvement tasks with it.
	tasksFlow := &tasks.Flow{
		Store:    store,
		Files:    client,
		Location: cfg.Timezone,
	}
	(&survey.Flow{
		Store:       store,
		Secret:      anonSecret,
		BotUsername: client.Username(),
		Files:       client,
		Tasks:       tasksFlow,
	}).Register(router)
	tasksFlow.Register(router)
	(&audit.Flow{Store: store, Files: client, Location: cfg.Timezone, Tasks: tasksFlow}).Register(router)
	(&meetings.Flow{Store: store, Files: client, Scheduler: jobs, Tasks: tasksFlow, Location: cfg.Timezone}).Register(router)
	(&association.Journal{Store: store, Files: client, Location: cfg.Timezone}).Register(router)
	(&association.Groups{Store: store, Scheduler: jobs, Tasks: tasksFlow, Location: cfg.Timezone}).Register(router)
	(&association.Membership{Store: store, Files: client, Location: cfg.Timezone}).Register(router)

	dispatchOpts := bot.DispatcherOptions{
		Workers:         cfg.Workers,
		Dedupe:          bot.NewDedupe(rdb, bot.DedupeOptions{Prefix: cfg.RedisPrefix + "update:"}),
		Log:             log,
		Metrics:         metrics,
		PanicText:       l.T("common.panic"),
		UnavailableText: l.T("common.unavailable"),
	}
	if cfg.WebhookURL != "" {
		// Several replicas may take one chat's updates: keep them in order.
		dispatchOpts.ChatLock = bot.NewRedisChatLock(rdb, bot.RedisChatLockOptions{Prefix: cfg.RedisPrefix + "chatlock:"})
	}
	dispatcher := bot.NewDispatcher(router, sender, dispatchOpts)
	setCommands(ctx, client, router, l, log)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := health(r.Context(), store, rdb); err != nil {
			log.Warn("health check failed", "err", err)
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	if cfg.WebhookURL != "" {
		mux.Handle("POST "+webhookPath(cfg.WebhookURL), bot.WebhookHandler(dispatcher, cfg.WebhookSecret, bot.WebhookOptions{Log: log, Metrics: metrics}))
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR %s: %w", cfg.HTTPAddr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	srvErr := make(chan error, 1)
	go func() { srvErr <- srv.Serve(ln) }()

	var intake func(context.Context) error
	if cfg.WebhookURL != "" {
		if err := bot.SetWebhook(ctx, client, cfg.WebhookURL, cfg.WebhookSecret); err != nil {
			return fmt.Errorf("set webhook: %w", err)
		}
		intake = func(ctx context.Context) error { <-ctx.Done(); return nil }
		log.Info("taking updates by webhook", "addr", ln.Addr().String())
	} else {
		intake = bot.NewPoller(client, dispatcher, bot.PollerOptions{Timeout: pollTimeout, Log: log, Metrics: metrics}).Run
		log.Info("taking updates by long polling", "addr", ln.Addr().String())
	}
	if ready != nil {
		ready(ln.Addr().String())
	}

	if err := jobs.Start(ctx, router.Jobs()); err != nil {
		return err
	}
	gaugesCtx, stopGauges := context.WithCancel(ctx)
	gaugesDone := make(chan struct{})
	go func() { watchGauges(gaugesCtx, store.Pool(), metrics, gaugeEvery, log); close(gaugesDone) }()
	defer func() { stopGauges(); <-gaugesDone }()

	intakeCtx, stopIntake := context.WithCancel(ctx)
	defer stopIntake()
	intakeErr := make(chan error, 1)
	go func() { intakeErr <- intake(intakeCtx) }()
	intakeDone := false
	select {
	case <-ctx.Done():
	case err = <-srvErr:
	case err = <-intakeErr:
		intakeDone = true
	}
	stopIntake()
	// Stop taking updates and finish those in flight within the grace
	// period: the dispatcher refuses new work and cuts the rest short at
	// the deadline, the poller confirms what was handled, and the server
	// lets a webhook request in flight finish.
	grace, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownGrace)
	defer cancel()
	jobsStopped := make(chan struct{})
	go func() { jobs.Stop(grace); close(jobsStopped) }()
	if derr := dispatcher.Shutdown(grace); derr != nil {
		log.Warn("dispatcher shutdown", "err", derr)
	}
	if serr := srv.Shutdown(grace); serr != nil {
		log.Warn("http shutdown", "err", serr)
	}
	if !intakeDone {
		if ierr := <-intakeErr; err == nil {
			err = ierr
		}
	}
	<-jobsStopped
	log.Info("stopped")
	if err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func openRedis(ctx context.Context, rawURL string) (*redis.Client, error) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis at %s is unreachable (start it with `make services`): %w", opt.Addr, err)
	}
	return rdb, nil
}

func health(ctx context.Context, store *storage.Store, rdb *redis.Client) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := store.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	return nil
}

// webhookPath is the path part of the public webhook URL, which the
// reverse proxy passes through unchanged.
func webhookPath(webhookURL string) string {
	u, err := url.Parse(webhookURL)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}

// setCommands publishes the slash commands with their help lines so that
// Telegram offers them in the chat's menu.
func setCommands(ctx context.Context, client *bot.Client, r *flows.Router, l *locales.Localizer, log *slog.Logger) {
	var cmds []tgbotapi.BotCommand
	for _, c := range r.Commands() {
		if c.Help == "" {
			continue
		}
		cmds = append(cmds, tgbotapi.BotCommand{Command: c.Name, Description: l.T(c.Help + ".short")})
	}
	if _, err := client.Request(ctx, tgbotapi.NewSetMyCommands(cmds...)); err != nil {
		log.Warn("set commands", "err", err)
	}
}
