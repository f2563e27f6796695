package main

// Helpers of the fault tests (chaos_test.go): the bot as a child process
// that can be killed with SIGKILL, a TCP proxy that takes Postgres away, a
// webhook balancer that spreads (and repeats) deliveries over replicas, a
// proxy that makes the Bot API fail for a while, and people driven from
// several goroutines at once.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"smkbot/bot/bottest"
	"smkbot/storage"
	"smkbot/storage/storagetest"
)

// chaosLong is set by the chaos build tag (chaos_long_test.go): the faults
// then last as long as the issue says (a minute of Telegram errors, a dedupe
// claim left by a killed process expiring on its own) instead of the
// representative few seconds that keep `make test` quick.
var chaosLong = false

// chaosChildEnv makes the test binary run the bot (Main) instead of tests:
// the kill -9 and Postgres tests run the bot as a process of its own.
const chaosChildEnv = "SMKBOT_CHAOS_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(chaosChildEnv) == "1" {
		os.Exit(chaosChildMain())
	}
	os.Exit(m.Run())
}

// chaosChildMain is main() of the child bot.
func chaosChildMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Main(ctx, []string{"serve"}, os.LookupEnv, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "smkbot:", err)
		return 1
	}
	return 0
}

// lockedBuffer collects a log written from several goroutines or processes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// records parses the JSON log lines (slog's JSON handler) written so far.
func (l *lockedBuffer) records() []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil {
			out = append(out, rec)
		}
	}
	return out
}

// handledUpdates counts the router's one line per handled update ("update"
// at info) by update id: how many times each update's handler ran.
func handledUpdates(logs ...*lockedBuffer) map[int]int {
	n := map[int]int{}
	for _, l := range logs {
		for _, rec := range l.records() {
			if rec["msg"] != "update" {
				continue
			}
			if id, ok := rec["update"].(float64); ok {
				n[int(id)]++
			}
		}
	}
	return n
}

// chaosWait bounds a person's wait for the bot in the fault tests: long
// enough to ride out the fault and the retries after it.
func chaosWait() time.Duration {
	if chaosLong {
		return 4 * time.Minute
	}
	return time.Minute
}

// childBot is the bot run as a separate process (this test binary with
// chaosChildEnv set), configured through the environment as in production.
type childBot struct {
	t    *testing.T
	env  []string
	addr string // HTTP_ADDR, fixed across restarts
	logs *lockedBuffer

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// newChildBot prepares (but does not start) a bot process talking to tg,
// with the database and Redis prefix given.
func newChildBot(t *testing.T, tg *bottest.Server, dbURL, prefix string, extra ...string) *childBot {
	t.Helper()
	addr := freeAddr(t)
	env := []string{
		chaosChildEnv + "=1",
		"TELEGRAM_BOT_TOKEN=" + tg.Token(),
		"TELEGRAM_API_ENDPOINT=" + tg.Endpoint(),
		"DATABASE_URL=" + dbURL,
		"REDIS_URL=" + redisURL(),
		"REDIS_PREFIX=" + prefix,
		"HTTP_ADDR=" + addr,
		"LOG_LEVEL=info",
		"SEND_RATE=1000",
		"CHAT_INTERVAL=1ms",
		"WORKERS=8",
		"SHUTDOWN_GRACE=5s",
		"WEBHOOK_URL=",
	}
	b := &childBot{t: t, env: append(env, extra...), addr: addr, logs: &lockedBuffer{}}
	t.Cleanup(func() {
		b.kill()
		if t.Failed() {
			t.Logf("bot log:\n%s", tail(b.logs.String(), 8000))
		}
	})
	return b
}

// start runs the process and waits until /healthz answers.
func (b *childBot) start() {
	b.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	// Later entries win: the Makefile's DATABASE_URL and REDIS_URL are
	// overridden.
	cmd.Env = append(os.Environ(), b.env...)
	cmd.Stdout = b.logs
	cmd.Stderr = b.logs
	if err := cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	b.mu.Lock()
	b.cmd, b.done = cmd, done
	b.mu.Unlock()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + b.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-done:
			b.t.Fatalf("the bot exited at start:\n%s", tail(b.logs.String(), 4000))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("the bot did not start within a minute:\n%s", tail(b.logs.String(), 4000))
		}
	}
}

// kill ends the process with SIGKILL, as the OOM killer or a power cut
// would: no shutdown code runs.
func (b *childBot) kill() {
	b.mu.Lock()
	cmd, done := b.cmd, b.done
	b.cmd = nil
	b.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Kill()
	<-done
}

// stop ends the process with SIGTERM and checks it exits cleanly.
func (b *childBot) stop() {
	b.t.Helper()
	b.mu.Lock()
	cmd, done := b.cmd, b.done
	b.cmd = nil
	b.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
		if !cmd.ProcessState.Success() {
			b.t.Errorf("the bot exited with %v", cmd.ProcessState)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		b.t.Error("the bot did not stop within 30s of SIGTERM")
	}
}

// goroutines reads the bot's go_goroutines gauge from /metrics.
func (b *childBot) goroutines() (int, error) {
	resp, err := http.Get("http://" + b.addr + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(body)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "go_goroutines "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int(f), err
		}
	}
	return 0, fmt.Errorf("no go_goroutines in /metrics")
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// inprocBot runs the bot in this process, as the harness does, with its
// JSON log kept in logs.
type inprocBot struct {
	t    *testing.T
	stop context.CancelFunc
	done chan error
	addr string
	logs *lockedBuffer
}

func startInproc(t *testing.T, cfg Config) *inprocBot {
	t.Helper()
	b := &inprocBot{t: t, logs: &lockedBuffer{}, done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	b.stop = cancel
	ready := make(chan string, 1)
	log := slog.New(slog.NewJSONHandler(b.logs, &slog.HandlerOptions{Level: cfg.LogLevel}))
	go func() { b.done <- run(ctx, cfg, log, func(addr string) { ready <- addr }) }()
	select {
	case b.addr = <-ready:
	case err := <-b.done:
		cancel()
		t.Fatalf("bot did not start: %v\n%s", err, b.logs.String())
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("bot did not start within 30s")
	}
	t.Cleanup(func() {
		b.shutdown()
		if t.Failed() {
			t.Logf("bot log:\n%s", tail(b.logs.String(), 8000))
		}
	})
	return b
}

func (b *inprocBot) shutdown() {
	if b.stop == nil {
		return
	}
	b.stop()
	b.stop = nil
	select {
	case err := <-b.done:
		if err != nil {
			b.t.Errorf("bot stopped with: %v", err)
		}
	case <-time.After(30 * time.Second):
		b.t.Error("bot did not stop within 30s")
	}
}

// chaosConfig is the harness's configuration without starting anything:
// the fake Bot API, a fresh database and a Redis prefix of the test's own.
func chaosConfig(t *testing.T, tg *bottest.Server) Config {
	t.Helper()
	_, prefix := storagetest.Redis(t)
	loc, err := time.LoadLocation("Asia/Barnaul")
	if err != nil {
		t.Fatal(err)
	}
	return Config{
		Token:         tg.Token(),
		APIEndpoint:   tg.Endpoint(),
		DatabaseURL:   storagetest.DatabaseURL(t),
		RedisURL:      redisURL(),
		HTTPAddr:      "127.0.0.1:0",
		Timezone:      loc,
		SessionTTL:    72 * time.Hour,
		SendRate:      1000,
		ChatInterval:  time.Millisecond,
		Workers:       8,
		ShutdownGrace: 5 * time.Second,
		RedisPrefix:   prefix,
		LogLevel:      slog.LevelInfo,
	}
}

// bareHarness is a harness whose bot the test runs itself (a child
// process, replicas): h.user and the person's helpers work as usual.
func bareHarness(t *testing.T, tg *bottest.Server, cfg Config) *harness {
	t.Helper()
	store, err := storage.Open(context.Background(), cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	return &harness{t: t, tg: tg, cfg: cfg, store: store}
}

// person drives one chat from any goroutine: it returns errors instead of
// failing the test, and waits as long as chaosWait.
type person struct {
	tg *bottest.Server
	u  bottest.User
}

func (p person) handled(id int) error {
	if err := p.tg.Wait(chaosWait(), func() bool { return p.tg.Confirmed(id) }); err != nil {
		return fmt.Errorf("person %d: update %d not handled: %w", p.u.ID, id, err)
	}
	return nil
}

func (p person) send(text string) error { return p.handled(p.tg.SendText(p.u, text)) }

func (p person) press(label string) error {
	id, err := p.tg.PressButton(p.u, label)
	if err != nil {
		return fmt.Errorf("person %d: %w\n%s", p.u.ID, err, p.chat())
	}
	return p.handled(id)
}

// expect checks the newest message the bot sent.
func (p person) expect(fragment string) error {
	msgs := p.tg.Messages(p.u.ID)
	if len(msgs) == 0 || !strings.Contains(msgs[len(msgs)-1].Text, fragment) {
		return fmt.Errorf("person %d: the newest message lacks %q\n%s", p.u.ID, fragment, p.chat())
	}
	return nil
}

func (p person) chat() string {
	var b strings.Builder
	for _, m := range p.tg.Messages(p.u.ID) {
		fmt.Fprintf(&b, "  #%d [%s] %.120q\n", m.MessageID, m.Kind, m.Text)
	}
	return b.String()
}

// answerFrom answers the survey of answerQuestions from question q (0-based,
// shown as the newest message) to the end, and submits.
func (p person) answerFrom(q int) error {
	steps := [][]func() error{
		{func() error { return p.press("4") }},
		{func() error { return p.press("Да") }},
		{func() error { return p.press("Раз в месяц") }},
		{func() error { return p.press("☐ Футбол") }, func() error { return p.press("Готово") }},
		{func() error { return p.send("Больше кружков") }},
		{func() error { return p.press("5") }},
	}
	for _, qs := range steps[q:] {
		for _, f := range qs {
			if err := f(); err != nil {
				return err
			}
		}
	}
	if err := p.expect("Почти готово!"); err != nil {
		return err
	}
	if err := p.press("✅ Отправить"); err != nil {
		return err
	}
	return p.expect("Спасибо!")
}

// checkAllAnswered checks the results of answerQuestions with n people who
// all answered as answerFrom does: every answer counted once.
func checkAllAnswered(t *testing.T, h *harness, surveyID int64, n int) {
	t.Helper()
	ctx := context.Background()
	r, err := h.store.SurveyResults(ctx, surveyID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Responses != n {
		t.Errorf("%d responses, want %d", r.Responses, n)
	}
	if q := r.Questions[0]; q.Counts[4] != n || q.Sum != 4*n {
		t.Errorf("question 1 (all said 4): %+v", q)
	}
	if q := r.Questions[1]; q.Counts[1] != n {
		t.Errorf("question 2 (all said yes): %+v", q)
	}
	if q := r.Questions[3]; q.Answered != n || q.Counts[0] != n {
		t.Errorf("question 4 (all ticked football): %+v", q)
	}
	if q := r.Questions[4]; len(q.Texts) != n {
		t.Errorf("question 5: %d texts, want %d", len(q.Texts), n)
	}
	var responses, completions int
	pool := h.store.Pool()
	if err := pool.QueryRow(ctx, `select count(*) from survey_responses where survey_id = $1`, surveyID).Scan(&responses); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `select count(*) from survey_completions where survey_id = $1`, surveyID).Scan(&completions); err != nil {
		t.Fatal(err)
	}
	if responses != n || completions != n {
		t.Errorf("%d response rows and %d completions, want %d each", responses, completions, n)
	}
	if d := answerDrafts(t, h); d != 0 {
		t.Errorf("%d drafts left after every submit", d)
	}
}

// pgProxy stands between the bot and Postgres; down cuts every connection
// and refuses new ones until up.
type pgProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	down  bool
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

// newPGProxy proxies the server of dbURL and returns the proxy and dbURL
// pointing at it.
func newPGProxy(t *testing.T, dbURL string) (*pgProxy, string) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pgProxy{ln: ln, target: u.Host, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.setDown(true)
		p.wg.Wait()
	})
	via := *u
	via.Host = ln.Addr().String()
	return p, via.String()
}

func (p *pgProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns[c] = true
		p.mu.Unlock()
		p.wg.Add(1)
		go p.pipe(c)
	}
}

func (p *pgProxy) pipe(c net.Conn) {
	defer p.wg.Done()
	defer func() {
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
		c.Close()
	}()
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	p.mu.Lock()
	if p.down {
		p.mu.Unlock()
		s.Close()
		return
	}
	p.conns[s] = true
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.conns, s)
		p.mu.Unlock()
		s.Close()
	}()
	done := make(chan struct{}, 2)
	go func() { io.Copy(s, c); s.Close(); done <- struct{}{} }()
	go func() { io.Copy(c, s); c.Close(); done <- struct{}{} }()
	<-done
	<-done
}

// setDown takes Postgres away (closing every open connection) or gives it
// back.
func (p *pgProxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for c := range p.conns {
			c.Close()
		}
	}
}

// hookBalancer is what Telegram's webhook reaches: it passes each delivery
// to the replicas in turn and, with copies > 1, delivers it that many times
// at once (to different replicas when there are several), answering with
// the best status.
type hookBalancer struct {
	targets []string // base URLs of the replicas' webhook
	copies  int
	next    atomic.Int64
	srv     *httptest.Server
}

func newHookBalancer(t *testing.T, copies int) *hookBalancer {
	t.Helper()
	b := &hookBalancer{copies: copies}
	b.srv = httptest.NewServer(b)
	t.Cleanup(b.srv.Close)
	return b
}

func (b *hookBalancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	statuses := make([]int, b.copies)
	var wg sync.WaitGroup
	for i := range b.copies {
		target := b.targets[int(b.next.Add(1))%len(b.targets)]
		wg.Go(func() {
			req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, target+r.URL.Path, bytes.NewReader(body))
			if err != nil {
				return
			}
			req.Header = r.Header.Clone()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	wg.Wait()
	best := http.StatusServiceUnavailable
	for _, s := range statuses {
		if s/100 == 2 {
			best = s
		}
	}
	w.WriteHeader(best)
}

// apiFaults stands in front of the fake Bot API and, while on, answers
// calls as a Telegram in trouble does: 429 with retry_after, 500, 502, a
// connection dropped after a long wait (a timeout), in turn. Calls that
// fail never reach the fake, so what it records is what was delivered.
type apiFaults struct {
	tg    *bottest.Server
	proxy *httputil.ReverseProxy
	srv   *httptest.Server

	on     atomic.Bool
	n      atomic.Int64
	polls  atomic.Int64
	failed sync.Map // kind → *atomic.Int64
}

func newAPIFaults(t *testing.T, tg *bottest.Server) *apiFaults {
	t.Helper()
	target, err := url.Parse(tg.URL())
	if err != nil {
		t.Fatal(err)
	}
	f := &apiFaults{tg: tg, proxy: httputil.NewSingleHostReverseProxy(target)}
	f.proxy.ErrorLog = log.New(io.Discard, "", 0) // a poll cut at shutdown
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

// Endpoint is the API endpoint the bot is given.
func (f *apiFaults) Endpoint() string { return f.srv.URL + "/bot%s/%s" }

func (f *apiFaults) count(kind string) {
	v, _ := f.failed.LoadOrStore(kind, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

func (f *apiFaults) counts() map[string]int64 {
	out := map[string]int64{}
	f.failed.Range(func(k, v any) bool {
		out[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	return out
}

func (f *apiFaults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	// getUpdates fails too, but only now and then: the poller backs off
	// after each failure (up to 30 s), and the sends are what is tested.
	poll := (strings.EqualFold(method, "getUpdates") || strings.EqualFold(method, "deleteWebhook")) && f.polls.Add(1)%5 != 1
	if !f.on.Load() || poll || strings.EqualFold(method, "getMe") {
		f.proxy.ServeHTTP(w, r)
		return
	}
	fail := func(code int, desc string, retryAfter int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		body := map[string]any{"ok": false, "error_code": code, "description": desc}
		if retryAfter > 0 {
			body["parameters"] = map[string]int{"retry_after": retryAfter}
		}
		json.NewEncoder(w).Encode(body)
	}
	switch f.n.Add(1) % 4 {
	case 0:
		f.count("429")
		fail(http.StatusTooManyRequests, "Too Many Requests: retry after 1", 1)
	case 1:
		f.count("500")
		fail(http.StatusInternalServerError, "Internal Server Error", 0)
	case 2:
		f.count("502")
		fail(http.StatusBadGateway, "Bad Gateway", 0)
	case 3:
		// No answer for a long while, then the connection drops: what a
		// client sees when a request times out.
		f.count("timeout")
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
		panic(http.ErrAbortHandler)
	}
}
