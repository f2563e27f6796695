// Command smkload measures the bot under load. It builds the real bot
// binary and runs it as a child process against a fake Bot API server (in
// this process, on a loopback port), in long-polling or webhook mode, on a
// fresh database it seeds and drops, with simulated people working through
// realistic conversations: parents answering a 15-question survey from a
// class link, teachers reporting tasks, presidium members answering a
// meeting notice. It reports updates handled per second, the latency from
// an update to the bot's first reply, Bot API calls per update, CPU seconds
// per 1,000 updates and the bot's resident memory (idle, with thousands of
// conversations in progress, peak); then it runs a minimal echo bot on the
// same client library against the same fake server and load, and prints
// our throughput as a ratio of the echo bot's. With -broadcast it also
// times a meeting notice to that many members at the default send rate,
// with 5% of the sends answered 429.
//
//	go run ./cmd/smkload -mode polling -people 200 -duration 30s
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"smkbot/bot/bottest"
	"smkbot/storage"
)

type options struct {
	mode      string
	people    int
	rate      float64
	duration  time.Duration
	warmup    time.Duration
	inflight  int
	broadcast int
	echo      bool
	workers   int
	conns     int
	tasks     int
	dbURL     string
	redisURL  string
	bin       string
	cpuprof   string
	jsonOut   bool
	keep      bool
}

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "polling", "how the bot takes updates: polling or webhook")
	flag.IntVar(&o.people, "people", 200, "simulated people working at once (75% parents, 15% teachers, 10% presidium members)")
	flag.Float64Var(&o.rate, "rate", 200, "updates per second of the paced phase, for latency (0: skip it)")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "length of each measured phase")
	flag.DurationVar(&o.warmup, "warmup", 3*time.Second, "unmeasured load before the first phase")
	flag.IntVar(&o.inflight, "inflight", 5000, "survey answerers left mid-survey for the memory figure (0: skip)")
	flag.IntVar(&o.broadcast, "broadcast", 0, "time a meeting notice to this many members at the default send rate, 5% answered 429 (0: skip)")
	flag.BoolVar(&o.echo, "echo", true, "measure the echo bot for the ratio")
	flag.IntVar(&o.workers, "workers", 16, "the bot's WORKERS")
	flag.IntVar(&o.conns, "conns", 40, "webhook connections at once (Telegram's max_connections)")
	flag.IntVar(&o.tasks, "tasks", 40, "open tasks seeded per teacher")
	flag.StringVar(&o.dbURL, "db", envOr("SMKLOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"), "PostgreSQL URL of a database to connect to while creating the load's own")
	flag.StringVar(&o.redisURL, "redis", envOr("SMKLOAD_REDIS_URL", "redis://127.0.0.1:6379/0"), "Redis URL (keys go under a random prefix, removed at the end)")
	flag.StringVar(&o.bin, "bin", "", "the bot binary (default: go build ./cmd/smkbot)")
	flag.StringVar(&o.cpuprof, "cpuprofile", "", "write the bot's CPU profile of the whole run here")
	flag.BoolVar(&o.jsonOut, "json", false, "print the results as JSON instead of a table")
	flag.BoolVar(&o.keep, "keep", false, "keep the database and the temporary directory (logs)")
	flag.Parse()
	if o.mode != "polling" && o.mode != "webhook" {
		fmt.Fprintln(os.Stderr, "smkload: -mode is polling or webhook")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := runLoad(ctx, o)
	if res != nil {
		if o.jsonOut {
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "  ")
			enc.Encode(res)
		} else {
			res.print(os.Stdout)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "smkload:", err)
		os.Exit(1)
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// phase is one measured stretch of load.
type phase struct {
	Name         string         `json:"name"`
	Target       float64        `json:"target_updates_per_s,omitempty"`
	Updates      int64          `json:"updates"`
	Seconds      float64        `json:"seconds"`
	PerSecond    float64        `json:"updates_per_s"`
	P50, P95     float64        `json:"-"`
	P99          float64        `json:"-"`
	Latency      map[string]any `json:"latency_ms"`
	CallsPerUpd  float64        `json:"api_calls_per_update"`
	Calls        map[string]int `json:"api_calls"`
	CPUPer1000   float64        `json:"cpu_s_per_1000_updates"`
	Failed       int64          `json:"conversations_failed"`
	NoReply      int64          `json:"updates_without_reply_seen"`
	RSSMB        float64        `json:"rss_mb_at_end"`
	latencyCount int
}

// result is the whole run.
type result struct {
	Mode          string    `json:"mode"`
	People        int       `json:"people"`
	Workers       int       `json:"workers"`
	CPUs          int       `json:"cpus"`
	Started       time.Time `json:"started"`
	Phases        []*phase  `json:"phases"`
	IdleRSSMB     float64   `json:"idle_rss_mb"`
	Inflight      int       `json:"inflight_conversations"`
	InflightRSSMB float64   `json:"inflight_rss_mb"`
	PeakRSSMB     float64   `json:"peak_rss_mb"`
	Echo          *phase    `json:"echo,omitempty"`
	EchoPeakRSSMB float64   `json:"echo_peak_rss_mb,omitempty"`
	Ratio         float64   `json:"ratio_to_echo,omitempty"`
	PersonalInLog int       `json:"log_lines_with_personal_data"`
	LogLines      int       `json:"log_lines"`
	Broadcast     *bcast    `json:"broadcast,omitempty"`
	ProfilePath   string    `json:"cpu_profile,omitempty"`
	TempDir       string    `json:"temp_dir,omitempty"`
	notes         []string
}

type bcast struct {
	Recipients int     `json:"recipients"`
	Limited    int     `json:"answered_429"`
	Seconds    float64 `json:"seconds"`
	Ideal      float64 `json:"ideal_seconds"`
	Percent    float64 `json:"percent_of_ideal"`
	Duplicates int     `json:"duplicates"`
	Lost       int     `json:"lost"`
}

func runLoad(ctx context.Context, o options) (*result, error) {
	res := &result{Mode: o.mode, People: o.people, Workers: o.workers, CPUs: numCPU(), Started: time.Now()}
	tmp, err := os.MkdirTemp("", "smkload-")
	if err != nil {
		return nil, err
	}
	if o.keep {
		res.TempDir = tmp
	} else {
		defer os.RemoveAll(tmp)
	}
	bin := o.bin
	if bin == "" {
		fmt.Fprintln(os.Stderr, "smkload: building the bot and the echo bot")
		if bin, err = build(ctx, "./cmd/smkbot", tmp, "smkbot"); err != nil {
			return nil, err
		}
	}
	var echoBin string
	if o.echo {
		if echoBin, err = build(ctx, "./cmd/smkload/echobot", tmp, "echobot"); err != nil {
			return nil, err
		}
	}

	dbURL, drop, err := createDatabase(ctx, o.dbURL)
	if err != nil {
		return nil, err
	}
	if !o.keep {
		defer drop()
	} else {
		res.notes = append(res.notes, "database kept: "+dbURL)
	}
	prefix := "smkload" + randomHex(4) + ":"
	defer cleanRedis(o.redisURL, prefix)
	if err := storage.Migrate(ctx, dbURL); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	st, err := storage.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	loc, err := time.LoadLocation("Asia/Barnaul")
	if err != nil {
		return nil, err
	}

	tg := bottest.New("")
	defer tg.Close()
	nTeachers := max(1, o.people*15/100)
	nMembers := max(1, o.people*10/100)
	nParents := max(1, o.people-nTeachers-nMembers)
	fmt.Fprintf(os.Stderr, "smkload: seeding %d teachers with %d tasks each, %d members, a 15-question survey\n", nTeachers, o.tasks, nMembers)
	w, err := seed(ctx, st, tg, nTeachers, nMembers, o.tasks, loc)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}

	// The bot.
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	secret := randomHex(16)
	env := []string{
		"TELEGRAM_BOT_TOKEN=" + tg.Token(), "TELEGRAM_API_ENDPOINT=" + tg.Endpoint(),
		"DATABASE_URL=" + dbURL, "REDIS_URL=" + o.redisURL, "REDIS_PREFIX=" + prefix,
		"HTTP_ADDR=" + addr, "LOG_LEVEL=info", fmt.Sprintf("WORKERS=%d", o.workers),
		// The send limit lifted for the test, as far as the bot allows.
		"SEND_RATE=1000", "CHAT_INTERVAL=1ms",
	}
	if o.mode == "webhook" {
		// The bot takes any https URL with an allowed port; the fake
		// never posts there (the driver posts to HTTP_ADDR itself, as
		// the reverse proxy would pass Telegram's requests on).
		env = append(env, "WEBHOOK_URL=https://127.0.0.1/smkload/hook", "WEBHOOK_SECRET="+secret)
	}
	if o.cpuprof != "" {
		abs, _ := filepath.Abs(o.cpuprof)
		env = append(env, "SMKBOT_CPUPROFILE="+abs)
		res.ProfilePath = abs
	}
	logPath := filepath.Join(tmp, "smkbot.log")
	p, err := startProc(bin, env, logPath, "serve")
	if err != nil {
		return nil, err
	}
	stopped := false
	defer func() {
		if !stopped {
			p.stop(30 * time.Second)
		}
	}()
	if err := waitHealthy(ctx, p, addr, 60*time.Second); err != nil {
		return nil, fmt.Errorf("%w\n%s", err, tail(logPath))
	}
	d := newDriver(tg)
	if o.mode == "webhook" {
		if err := tg.Wait(30*time.Second, func() bool { return tg.WebhookURL() != "" }); err != nil {
			return nil, errors.New("the bot did not set its webhook")
		}
		d.useWebhook("http://"+addr+"/smkload/hook", secret, o.conns)
	} else if _, err := tg.WaitCalls("deleteWebhook", 1, 30*time.Second); err != nil {
		return nil, errors.New("the bot does not poll")
	}
	dctx, stopDriver := context.WithCancel(ctx)
	defer stopDriver()
	go d.run(dctx)

	// Idle: started, nothing to do.
	time.Sleep(3 * time.Second)
	if u, err := p.usage(); err == nil {
		res.IdleRSSMB = mb(u.rss)
	}

	fmt.Fprintln(os.Stderr, "smkload: the secretary sends the meeting notice to the members")
	if _, _, err := sendNotice(ctx, d, loc, 10, 2*time.Minute); err != nil {
		return res, err
	}
	for _, id := range w.members {
		if err := tg.Wait(30*time.Second, func() bool { return hasButton(tg, id, "✅ Буду") }); err != nil {
			return res, fmt.Errorf("member %d has no notice with «✅ Буду»", id)
		}
	}

	// The people, running through every phase.
	pctx, stopPeople := context.WithCancel(ctx)
	var wg sync.WaitGroup
	startKind := func(kind string, ids []int64, n int) {
		for i := range n {
			id := int64(0)
			if len(ids) > 0 {
				id = ids[i%len(ids)]
			}
			wg.Go(func() { d.person(pctx, kind, id, w, uint64(i)+uint64(len(kind))<<32) })
		}
	}
	startKind("parent", nil, nParents)
	startKind("teacher", w.teachers, nTeachers)
	startKind("member", w.members, nMembers)
	fmt.Fprintf(os.Stderr, "smkload: %d people at work (%d parents, %d teachers, %d members); warming up %v\n", o.people, nParents, nTeachers, nMembers, o.warmup)

	measure := func(name string, target float64) (*phase, error) {
		if target > 0 {
			d.limiter.Store(rate.NewLimiter(rate.Limit(target), 1))
		} else {
			d.limiter.Store(nil)
		}
		time.Sleep(min(o.warmup, 2*time.Second))
		fmt.Fprintf(os.Stderr, "smkload: phase %s for %v\n", name, o.duration)
		u0, err := p.usage()
		if err != nil {
			return nil, err
		}
		c0 := tg.CallCount()
		end := d.measure()
		select {
		case <-time.After(o.duration):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		win := end()
		u1, err := p.usage()
		if err != nil {
			return nil, err
		}
		ph := newPhase(name, target, win, tg.CallCounts(c0), u1.cpu-u0.cpu)
		ph.RSSMB = mb(u1.rss)
		return ph, nil
	}
	time.Sleep(o.warmup)
	if o.rate > 0 {
		ph, err := measure(fmt.Sprintf("paced %g/s", o.rate), o.rate)
		if err != nil {
			stopPeople()
			return res, err
		}
		res.Phases = append(res.Phases, ph)
	}
	ph, err := measure("unlimited", 0)
	if err != nil {
		stopPeople()
		return res, err
	}
	res.Phases = append(res.Phases, ph)
	stopPeople()
	wg.Wait()
	d.limiter.Store(nil)

	// Thousands of conversations left mid-survey.
	if o.inflight > 0 {
		fmt.Fprintf(os.Stderr, "smkload: %d parents start the survey and stop at the second question\n", o.inflight)
		var next int64
		var mu sync.Mutex
		var iwg sync.WaitGroup
		for range min(o.people, o.inflight) {
			iwg.Go(func() {
				for {
					mu.Lock()
					next++
					n := next
					mu.Unlock()
					if n > int64(o.inflight) || ctx.Err() != nil {
						return
					}
					who := bottest.User{ID: inflightBase + n, FirstName: "Родитель"}
					steps := []step{say(w.links[int(n)%len(w.links)]), press("Начать"), press("4")}
					if err := d.conversation(ctx, who, steps); err != nil && ctx.Err() == nil {
						d.logFailure("mid-survey parent", who, err)
					}
				}
			})
		}
		iwg.Wait()
		time.Sleep(2 * time.Second)
		res.Inflight = o.inflight
		if u, err := p.usage(); err == nil {
			res.InflightRSSMB = mb(u.rss)
		}
	}
	if u, err := p.usage(); err == nil {
		res.PeakRSSMB = mb(u.peakRSS)
	}
	stopDriver()
	stopped = true
	if err := p.stop(30 * time.Second); err != nil {
		res.notes = append(res.notes, fmt.Sprintf("the bot did not stop cleanly: %v", err))
	}
	res.LogLines, res.PersonalInLog = scanLog(logPath)

	if o.echo {
		fmt.Fprintln(os.Stderr, "smkload: the echo bot under the same number of people")
		e, peak, err := runEcho(ctx, o, echoBin, tmp)
		if err != nil {
			return res, fmt.Errorf("echo bot: %w", err)
		}
		res.Echo, res.EchoPeakRSSMB = e, peak
		if e.PerSecond > 0 {
			res.Ratio = res.unlimited().PerSecond / e.PerSecond
		}
	}
	if o.broadcast > 0 {
		fmt.Fprintf(os.Stderr, "smkload: a meeting notice to %d more members at the default send rate\n", o.broadcast)
		b, err := runBroadcast(ctx, o, bin, env, st, tmp, w, loc)
		if err != nil {
			return res, fmt.Errorf("broadcast: %w", err)
		}
		res.Broadcast = b
	}
	return res, nil
}

func (r *result) unlimited() *phase { return r.Phases[len(r.Phases)-1] }

func newPhase(name string, target float64, w window, calls map[string]int, cpu time.Duration) *phase {
	secs := w.end.Sub(w.start).Seconds()
	lat := slices.Clone(w.latencies)
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	ph := &phase{Name: name, Target: target, Updates: w.handled, Seconds: secs, Failed: w.failed, NoReply: w.noReply, Calls: calls}
	ph.PerSecond = float64(w.handled) / secs
	ph.P50, ph.P95, ph.P99 = ms(percentile(lat, 50)), ms(percentile(lat, 95)), ms(percentile(lat, 99))
	ph.latencyCount = len(lat)
	ph.Latency = map[string]any{"p50": ph.P50, "p95": ph.P95, "p99": ph.P99, "max": ms(percentile(lat, 100)), "samples": len(lat)}
	total := 0
	for _, n := range calls {
		total += n
	}
	if w.handled > 0 {
		ph.CallsPerUpd = float64(total) / float64(w.handled)
		ph.CPUPer1000 = cpu.Seconds() / float64(w.handled) * 1000
	}
	return ph
}

func hasButton(tg *bottest.Server, chat int64, label string) bool {
	msgs := tg.Messages(chat)
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, row := range msgs[i].Buttons {
			for _, b := range row {
				if b.Text == label {
					return true
				}
			}
		}
	}
	return false
}

// personal matches what the people typed or are called, and their
// Telegram ids: none of it may reach the log.
var personal = regexp.MustCompile(`Учителева|Членова|Менеджерова|Секретарёва|Командировка|Провели открытый урок|Больше кружков|\b7[1-8]\d{8}\b`)

// scanLog counts the bot's log lines and those with personal data.
func scanLog(path string) (lines, bad int) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if line == "" {
			continue
		}
		lines++
		if personal.MatchString(line) {
			bad++
		}
	}
	return lines, bad
}

func tail(path string) string {
	data, _ := os.ReadFile(path)
	if len(data) > 2000 {
		data = data[len(data)-2000:]
	}
	return string(data)
}

func cleanRedis(rawURL, prefix string) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
		if len(keys) == 1000 {
			rdb.Del(ctx, keys...)
			keys = keys[:0]
		}
	}
	if len(keys) > 0 {
		rdb.Del(ctx, keys...)
	}
}

// runEcho measures the echo bot: the same number of people, each sending a
// text and waiting for the echo, against a fresh fake server.
func runEcho(ctx context.Context, o options, bin, tmp string) (*phase, float64, error) {
	tg := bottest.New("")
	defer tg.Close()
	p, err := startProc(bin, []string{"TELEGRAM_BOT_TOKEN=" + tg.Token(), "TELEGRAM_API_ENDPOINT=" + tg.Endpoint()}, filepath.Join(tmp, "echobot.log"))
	if err != nil {
		return nil, 0, err
	}
	defer p.stop(5 * time.Second)
	if _, err := tg.WaitCalls("getMe", 1, 30*time.Second); err != nil {
		return nil, 0, errors.New("the echo bot does not poll")
	}
	d := newDriver(tg)
	d.replyHandled = true
	dctx, stopDriver := context.WithCancel(ctx)
	defer stopDriver()
	go d.run(dctx)
	pctx, stopPeople := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for i := range o.people {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(i), 9))
			who := bottest.User{ID: echoBase + int64(i), FirstName: "Эхо"}
			for pctx.Err() == nil {
				if err := d.do(pctx, who, say(fmt.Sprintf("Привет %d", r.IntN(1000)))); err != nil && pctx.Err() == nil {
					d.failed.Add(1)
				}
			}
		})
	}
	time.Sleep(o.warmup)
	u0, err := p.usage()
	if err != nil {
		stopPeople()
		return nil, 0, err
	}
	c0 := tg.CallCount()
	end := d.measure()
	time.Sleep(o.duration)
	win := end()
	u1, err := p.usage()
	stopPeople()
	wg.Wait()
	if err != nil {
		return nil, 0, err
	}
	ph := newPhase("echo bot", 0, win, tg.CallCounts(c0), u1.cpu-u0.cpu)
	ph.RSSMB = mb(u1.rss)
	return ph, mb(u1.peakRSS), nil
}

// runBroadcast restarts the bot at the default send rate and chat pace
// against a fresh fake server, registers more presidium members, answers
// 5% of the notices with 429 (retry_after 1), and times the secretary's
// notice to all members from the press of «📨 Отправить» to the delivery
// report; then counts the notices each member got.
func runBroadcast(ctx context.Context, o options, bin string, env []string, st *storage.Store, tmp string, w *world, loc *time.Location) (*bcast, error) {
	tg := bottest.New("")
	defer tg.Close()
	members := slices.Clone(w.members)
	for _, id := range members {
		tg.AddChat(id)
	}
	for i := range o.broadcast {
		id := broadcastBase + int64(i)
		if err := registerMember(ctx, st, tg, id, 1000+i); err != nil {
			return nil, err
		}
		members = append(members, id)
	}
	r := rand.New(rand.NewPCG(42, 42))
	limited := 0
	for _, id := range members {
		if r.IntN(100) < 5 {
			tg.Inject(bottest.Fault{Method: "sendMessage", ChatID: id, Code: 429, RetryAfter: 1})
			limited++
		}
	}
	var benv []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "SEND_RATE=") || strings.HasPrefix(kv, "CHAT_INTERVAL=") || strings.HasPrefix(kv, "SMKBOT_CPUPROFILE=") ||
			strings.HasPrefix(kv, "TELEGRAM_API_ENDPOINT=") || strings.HasPrefix(kv, "WEBHOOK_") || strings.HasPrefix(kv, "REDIS_PREFIX=") {
			continue
		}
		benv = append(benv, kv)
	}
	// A fresh fake server numbers updates from 1 again, which the bot's
	// dedupe would take for updates handled before: a prefix of its own.
	prefix := "smkload" + randomHex(4) + ":"
	defer cleanRedis(o.redisURL, prefix)
	benv = append(benv, "REDIS_PREFIX="+prefix)
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	benv = append(benv, "TELEGRAM_API_ENDPOINT="+tg.Endpoint(), "HTTP_ADDR="+addr)
	for i, kv := range benv {
		if strings.HasPrefix(kv, "HTTP_ADDR=") && kv != "HTTP_ADDR="+addr {
			benv[i] = "HTTP_ADDR=" + addr
		}
	}
	logPath := filepath.Join(tmp, "smkbot-broadcast.log")
	p, err := startProc(bin, benv, logPath, "serve")
	if err != nil {
		return nil, err
	}
	defer p.stop(30 * time.Second)
	if err := waitHealthy(ctx, p, addr, 60*time.Second); err != nil {
		return nil, fmt.Errorf("%w\n%s", err, tail(logPath))
	}
	if _, err := tg.WaitCalls("deleteWebhook", 1, 30*time.Second); err != nil {
		return nil, errors.New("the bot does not poll")
	}
	d := newDriver(tg)
	dctx, stopDriver := context.WithCancel(ctx)
	defer stopDriver()
	go d.run(dctx)
	ideal := float64(len(members)) / 25
	took, _, err := sendNotice(ctx, d, loc, 20, time.Duration(ideal*3)*time.Second+time.Minute)
	if err != nil {
		return nil, err
	}
	b := &bcast{Recipients: len(members), Limited: limited, Seconds: took.Seconds(), Ideal: ideal, Percent: took.Seconds() / ideal * 100}
	for _, id := range members {
		n := 0
		for _, m := range tg.Messages(id) {
			if hasLabel(m, "✅ Буду") {
				n++
			}
		}
		switch {
		case n == 0:
			b.Lost++
		case n > 1:
			b.Duplicates += n - 1
		}
	}
	return b, nil
}

func hasLabel(m bottest.Sent, label string) bool {
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.Text == label {
				return true
			}
		}
	}
	return false
}

func (r *result) print(out io.Writer) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(out, "smkload: mode %s, %d people, WORKERS=%d, %d CPUs, %s\n\n", r.Mode, r.People, r.Workers, r.CPUs, r.Started.Format(time.DateTime))
	fmt.Fprintln(tw, "phase\tupdates\tupd/s\tp50 ms\tp95 ms\tp99 ms\tcalls/upd\tCPU s/1000\tRSS MB\tfailed\t")
	rows := slices.Clone(r.Phases)
	if r.Echo != nil {
		rows = append(rows, r.Echo)
	}
	for _, ph := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.1f\t%.1f\t%.1f\t%.2f\t%.2f\t%.0f\t%d\t\n", ph.Name, ph.Updates, ph.PerSecond,
			ph.P50, ph.P95, ph.P99, ph.CallsPerUpd, ph.CPUPer1000, ph.RSSMB, ph.Failed)
	}
	tw.Flush()
	fmt.Fprintln(out)
	fmt.Fprintf(out, "idle RSS: %.1f MB; with %d conversations in progress: %.1f MB; peak RSS: %.1f MB", r.IdleRSSMB, r.Inflight, r.InflightRSSMB, r.PeakRSSMB)
	if r.Echo != nil {
		fmt.Fprintf(out, " (echo bot: %.1f MB)", r.EchoPeakRSSMB)
	}
	fmt.Fprintln(out)
	if r.Echo != nil {
		fmt.Fprintf(out, "throughput as a ratio of the echo bot's: %.2f (%.0f / %.0f updates/s)\n", r.Ratio, r.unlimited().PerSecond, r.Echo.PerSecond)
	}
	fmt.Fprintf(out, "bot log: %d lines, %d with personal data\n", r.LogLines, r.PersonalInLog)
	if b := r.Broadcast; b != nil {
		fmt.Fprintf(out, "broadcast: %d recipients (%d answered 429) in %.1f s, ideal %.1f s at 25/s: %.0f%%; duplicates %d, lost %d\n",
			b.Recipients, b.Limited, b.Seconds, b.Ideal, b.Percent, b.Duplicates, b.Lost)
	}
	for _, n := range r.notes {
		fmt.Fprintln(out, "note:", n)
	}
	if len(r.Phases) == 0 {
		return
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, "targets:")
	check := func(ok bool, format string, a ...any) {
		mark := "no "
		if ok {
			mark = "yes"
		}
		fmt.Fprintf(out, "  [%s] %s\n", mark, fmt.Sprintf(format, a...))
	}
	un := r.unlimited()
	check(un.PerSecond >= 1000, "sustained ≥ 1000 updates/s: %.0f", un.PerSecond)
	if r.Echo != nil {
		check(r.Ratio >= 0.5, "≥ 50%% of the echo bot's throughput: %.0f%%", r.Ratio*100)
	}
	for _, ph := range r.Phases {
		if ph.Target > 0 {
			check(ph.P99 <= 50 && ph.PerSecond >= ph.Target*0.95, "p99 ≤ 50 ms at %g updates/s: %.1f ms at %.0f/s", ph.Target, ph.P99, ph.PerSecond)
		}
	}
	if r.Inflight > 0 {
		check(r.PeakRSSMB <= 150, "peak RSS ≤ 150 MB with %d conversations in progress: %.1f MB", r.Inflight, r.PeakRSSMB)
	}
	check(r.IdleRSSMB <= 40, "idle RSS ≤ 40 MB: %.1f MB", r.IdleRSSMB)
	if b := r.Broadcast; b != nil {
		check(b.Percent <= 110 && b.Duplicates == 0 && b.Lost == 0, "broadcast within 110%% of the ideal time, no duplicates, no losses: %.0f%%, %d, %d", b.Percent, b.Duplicates, b.Lost)
	}
	check(r.PersonalInLog == 0, "no personal data in the log: %d lines", r.PersonalInLog)
}
