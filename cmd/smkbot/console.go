package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"smkbot/bot/bottest"
	"smkbot/locales"
	"smkbot/storage"
)

// console is a terminal chat with the bot. It runs the real bot (same run,
// storage, router and sender) against the in-process fake Telegram, and
// types, presses and uploads as the person at the keyboard.
func console(ctx context.Context, cfg Config, stdin io.Reader, stdout io.Writer) error {
	tg := bottest.New("1000000:console")
	defer tg.Close()
	cfg.Token, cfg.APIEndpoint, cfg.WebhookURL = tg.Token(), tg.Endpoint(), ""
	l, err := locales.New(cfg.Timezone)
	if err != nil {
		return fmt.Errorf("locales: %w", err)
	}
	// The bot's log would drown the chat: it goes to a file.
	logPath := filepath.Join(os.TempDir(), "smkbot-console.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("console log: %w", err)
	}
	defer logFile.Close()
	log := slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: cfg.LogLevel}))

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, log, func(addr string) { ready <- addr }) }()
	select {
	case <-ready:
	case err := <-done:
		return err
	}

	c := &chat{tg: tg, out: stdout, l: l, me: bottest.User{ID: 1, FirstName: "Console"}, last: map[int64]bottest.Sent{}}
	events, unsubscribe := tg.Subscribe()
	defer unsubscribe()
	go c.show(events)

	c.println(l.T("console.intro", "Log", logPath))
	if code, err := firstAdminInvite(ctx, cfg); err != nil {
		c.println(l.T("console.error", "Err", err))
	} else if code != "" {
		c.println(l.T("console.first_admin", "Code", code))
	}
	c.prompt()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdin)
		sc.Buffer(make([]byte, 64*1024), 64*1024)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-done:
			return err
		case line, ok := <-lines:
			if !ok || strings.TrimSpace(line) == "/quit" {
				break loop
			}
			c.input(strings.TrimSpace(line))
			c.prompt()
		}
	}
	cancel()
	return <-done
}

// firstAdminInvite makes an admin invite when nobody is registered yet, so
// the person at the console can start as the administrator.
func firstAdminInvite(ctx context.Context, cfg Config) (string, error) {
	store, err := storage.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return "", err
	}
	defer store.Close()
	people, err := store.ListPeople(ctx, 0, "")
	if err != nil || len(people) > 0 {
		return "", err
	}
	code, _, err := store.CreateInvite(ctx, 0, storage.RoleAdmin, 0, 1, 24*time.Hour)
	return code, err
}

// chat is the terminal side of the console.
type chat struct {
	tg  *bottest.Server
	out io.Writer
	l   *locales.Localizer

	mu   sync.Mutex
	me   bottest.User
	last map[int64]bottest.Sent // the newest message with buttons, per chat
}

func (c *chat) println(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintln(c.out, s)
}

func (c *chat) prompt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.out, "%s> ", c.me.FirstName)
}

// input acts on one typed line: a console command, a button number, or a
// message to the bot.
func (c *chat) input(line string) {
	c.mu.Lock()
	me := c.me
	c.mu.Unlock()
	switch {
	case line == "":
	case strings.HasPrefix(line, "/as "):
		f := strings.Fields(line)
		id, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || id <= 0 || len(f) < 3 {
			c.println(c.l.T("console.as_usage"))
			return
		}
		c.mu.Lock()
		c.me = bottest.User{ID: id, FirstName: strings.Join(f[2:], " ")}
		c.mu.Unlock()
		c.println(c.l.T("console.now_as", "Name", strings.Join(f[2:], " "), "ID", id))
	case strings.HasPrefix(line, "#"):
		n, err := strconv.Atoi(line[1:])
		c.mu.Lock()
		m, ok := c.last[me.ID]
		c.mu.Unlock()
		btn, found := nthButton(m, n)
		if err != nil || !ok || !found {
			c.println(c.l.T("console.no_button", "N", line))
			return
		}
		if btn.URL != "" {
			c.println(btn.URL)
			return
		}
		c.tg.Press(me, m.MessageID, btn.Data)
	case strings.HasPrefix(line, "/photo "), strings.HasPrefix(line, "/doc "):
		cmd, path, _ := strings.Cut(line, " ")
		data, err := os.ReadFile(strings.TrimSpace(path))
		if err != nil {
			c.println(c.l.T("console.error", "Err", err))
			return
		}
		if cmd == "/photo" {
			c.tg.SendPhoto(me, data, "", "")
		} else {
			c.tg.SendDocument(me, filepath.Base(path), data, "")
		}
	default:
		c.tg.SendText(me, line)
	}
}

func nthButton(m bottest.Sent, n int) (bottest.Button, bool) {
	i := 0
	for _, row := range m.Buttons {
		for _, b := range row {
			i++
			if i == n {
				return b, true
			}
		}
	}
	return bottest.Button{}, false
}

// show prints what the bot does as it happens.
func (c *chat) show(events <-chan bottest.Event) {
	for e := range events {
		if e.Kind == "answer" {
			if e.Answer.Text != "" {
				c.println("  (" + e.Answer.Text + ")")
			}
			continue
		}
		if e.Kind == "deleted" {
			continue
		}
		c.println(c.render(e))
	}
}

func (c *chat) render(e bottest.Event) string {
	m := e.Message
	var b strings.Builder
	b.WriteString("\n")
	c.mu.Lock()
	if m.ChatID != c.me.ID {
		fmt.Fprintf(&b, "→ [%d] ", m.ChatID)
	}
	if len(m.Buttons) > 0 {
		c.last[m.ChatID] = m
	}
	c.mu.Unlock()
	if e.Kind == "edited" {
		b.WriteString(c.l.T("console.edited") + " ")
	}
	for _, f := range m.Files {
		path := filepath.Join(os.TempDir(), "smkbot-console-"+strconv.Itoa(m.MessageID)+"-"+filepath.Base(f.Name))
		if err := os.WriteFile(path, f.Data, 0o600); err == nil {
			b.WriteString(c.l.T("console.file", "Path", path) + "\n")
		}
	}
	b.WriteString(m.Text)
	n := 0
	for _, row := range m.Buttons {
		b.WriteString("\n ")
		for _, btn := range row {
			n++
			fmt.Fprintf(&b, " [#%d %s]", n, btn.Text)
		}
	}
	if len(m.Menu) > 0 {
		var labels []string
		for _, row := range m.Menu {
			labels = append(labels, row...)
		}
		b.WriteString("\n" + c.l.T("console.menu", "Items", strings.Join(labels, " | ")))
	}
	return b.String()
}
