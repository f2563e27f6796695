package main

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"smkbot/bot"
)

// gaugeEvery is how often the gauges read from the database are refreshed.
const gaugeEvery = 15 * time.Second

// queuedStates are the River job states shown by smkbot_jobs_queued: work
// waiting to run, waiting for its time, waiting to be retried, and running.
var queuedStates = []string{"available", "scheduled", "retryable", "running"}

// watchGauges refreshes the gauges that come from the database — queue
// depths of scheduled jobs and the count of people marked inactive — now
// and then every period, until ctx ends.
func watchGauges(ctx context.Context, pool *pgxpool.Pool, m *bot.Metrics, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := refreshGauges(ctx, pool, m); err != nil && ctx.Err() == nil {
			m.Error("gauges")
			log.Warn("refresh gauges", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// refreshGauges reads the queue depths and the inactive people once.
func refreshGauges(ctx context.Context, pool *pgxpool.Pool, m *bot.Metrics) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	counts := make(map[string]int, len(queuedStates))
	rows, err := pool.Query(ctx, `
		select state::text, count(*) from river_job
		where state = any($1::text[]::river_job_state[])
		group by state`, queuedStates)
	if err != nil {
		return fmt.Errorf("queue depths: %w", err)
	}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			rows.Close()
			return fmt.Errorf("queue depths: %w", err)
		}
		counts[state] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("queue depths: %w", err)
	}
	for _, s := range queuedStates {
		m.SetJobsQueued(s, counts[s])
	}
	var inactive int
	if err := pool.QueryRow(ctx, `select count(*) from people where not active`).Scan(&inactive); err != nil {
		return fmt.Errorf("inactive people: %w", err)
	}
	m.SetPeopleInactive(inactive)
	return nil
}

// peakRSS is the process's peak resident set size in bytes (VmHWM of
// /proc/self/status), 0 where there is no /proc.
func peakRSS() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}

// newPeakRSSGauge is smkbot_process_peak_resident_memory_bytes, which the
// standard process collector lacks.
func newPeakRSSGauge() prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "smkbot_process_peak_resident_memory_bytes",
		Help: "Peak resident memory of the process since it started (VmHWM).",
	}, peakRSS)
}
