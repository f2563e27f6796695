// Package flowtest runs conversations with the flows in tests, without
// Telegram: updates go straight into a real flows.Router backed by a
// throwaway Postgres database and a Redis key space of the test's own, and
// the replies come back as bot.Message values.
//
// The harness plays the part of Telegram's chats: it numbers the bot's
// messages per chat, applies edits to them, and lets a test press a button
// by its label. It fails the test on what Telegram or a reader would
// refuse: a missing locale message ("⟦id⟧"), callback data over 64 bytes or
// not parseable, an edit of a message the bot never sent.
package flowtest

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/locales"
	"smkbot/storage"
	"smkbot/storage/storagetest"
)

// SessionTTL is how long test sessions live in Redis.
const SessionTTL = 72 * time.Hour

// Start is the clock's initial time: a weekday morning in the
// association's zone, far from midnight so dates do not flip in a test.
var Start = time.Date(2026, time.November, 20, 10, 0, 0, 0, Zone)

// Zone is the association's time zone in tests.
var Zone = mustZone("Asia/Barnaul")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("flowtest: " + err.Error())
	}
	return loc
}

// Clock is the injected time of the router and the store. It stands still
// unless a test moves it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// User is a Telegram account talking to the bot in a private chat (whose
// chat id is the user id, as in Telegram).
type User struct {
	ID    int64
	First string
}

// Env is one test's bot: the router with the flows the test registered,
// and the records and sessions behind it.
type Env struct {
	Store    *storage.Store
	Sessions *storage.Sessions
	Limiter  *storage.Limiter
	Router   *flows.Router
	L        *locales.Localizer
	Clock    *Clock

	mu     sync.Mutex
	update int
	chats  map[int64]*chat
}

// chat is what a private chat shows: the bot's messages as they stand
// after edits, oldest first.
type chat struct {
	nextID int
	msgs   []*shown
}

type shown struct {
	id      int
	text    string
	buttons bot.Keyboard
}

// New builds an Env on a fresh database and Redis prefix, then calls
// register to add the flows under test to the router.
func New(t testing.TB, register func(r *flows.Router, e *Env)) *Env {
	t.Helper()
	store := storagetest.NewStore(t)
	rdb, prefix := storagetest.Redis(t)
	l, err := locales.New(Zone)
	if err != nil {
		t.Fatal(err)
	}
	clock := &Clock{now: Start}
	store.Now = clock.Now
	e := &Env{
		Store:    store,
		Sessions: storage.NewSessions(rdb, prefix, SessionTTL),
		Limiter:  storage.NewLimiter(rdb, prefix),
		L:        l,
		Clock:    clock,
		chats:    map[int64]*chat{},
	}
	e.Router = flows.NewRouter(flows.RouterOptions{
		People:   store,
		Sessions: e.Sessions,
		L:        l,
		Now:      clock.Now,
	})
	register(e.Router, e)
	return e
}

// Send sends text from u in the private chat. "/cmd args" arrives as a
// command, as Telegram marks it.
func (e *Env) Send(t testing.TB, u User, text string) []bot.Message {
	t.Helper()
	upd := e.newUpdate(u)
	upd.Text = text
	if strings.HasPrefix(text, "/") {
		cmd, args, _ := strings.Cut(text[1:], " ")
		cmd, _, _ = strings.Cut(cmd, "@")
		upd.Command, upd.Args = cmd, strings.TrimSpace(args)
	}
	e.mu.Lock()
	upd.MessageID = e.chat(u.ID).take()
	e.mu.Unlock()
	return e.handle(t, upd)
}

// Press presses a button with data on the newest bot message to u that
// has buttons (the newest message at all when none has): data need not be
// on that message, so a test can forge it.
func (e *Env) Press(t testing.TB, u User, data string) []bot.Message {
	t.Helper()
	e.mu.Lock()
	ch := e.chat(u.ID)
	id := 0
	for i := len(ch.msgs) - 1; i >= 0; i-- {
		if id == 0 {
			id = ch.msgs[i].id
		}
		if len(ch.msgs[i].buttons) > 0 {
			id = ch.msgs[i].id
			break
		}
	}
	e.mu.Unlock()
	if id == 0 {
		t.Fatalf("flowtest: press %q: the bot has sent nothing to %d", data, u.ID)
	}
	return e.press(t, u, id, data)
}

// PressLabel presses the button labelled label on the newest of the bot's
// messages to u that has one, as the chat shows it now. The test fails
// when no message has such a button.
func (e *Env) PressLabel(t testing.TB, u User, label string) []bot.Message {
	t.Helper()
	e.mu.Lock()
	ch := e.chat(u.ID)
	var id int
	var data string
	var seen []string
find:
	for i := len(ch.msgs) - 1; i >= 0; i-- {
		for _, row := range ch.msgs[i].buttons {
			for _, b := range row {
				seen = append(seen, b.Text)
				if b.Text == label && b.Data != "" {
					id, data = ch.msgs[i].id, b.Data
					break find
				}
			}
		}
	}
	e.mu.Unlock()
	if id == 0 {
		t.Fatalf("flowtest: no button %q in the chat of %d; buttons: %q", label, u.ID, seen)
	}
	return e.press(t, u, id, data)
}

// Labels returns the labels of every button the chat of u shows now,
// newest message first.
func (e *Env) Labels(u User) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	ch := e.chat(u.ID)
	var out []string
	for i := len(ch.msgs) - 1; i >= 0; i-- {
		for _, row := range ch.msgs[i].buttons {
			for _, b := range row {
				out = append(out, b.Text)
			}
		}
	}
	return out
}

func (e *Env) press(t testing.TB, u User, msgID int, data string) []bot.Message {
	t.Helper()
	upd := e.newUpdate(u)
	upd.Callback = &bot.Callback{ID: "cb" + strconv.Itoa(upd.ID), Data: data, MessageID: msgID}
	return e.handle(t, upd)
}

func (e *Env) newUpdate(u User) bot.Update {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.update++
	return bot.Update{ID: e.update, ChatID: u.ID, Private: true, From: bot.User{ID: u.ID, FirstName: u.First}}
}

// handle runs the update through the router and records the replies in
// the chats they go to.
func (e *Env) handle(t testing.TB, upd bot.Update) []bot.Message {
	t.Helper()
	msgs, err := e.Router.Handle(context.Background(), upd)
	if err != nil {
		t.Fatalf("flowtest: update %d: %v", upd.ID, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, m := range msgs {
		e.record(t, m)
	}
	return msgs
}

func (e *Env) record(t testing.TB, m bot.Message) {
	t.Helper()
	switch m := m.(type) {
	case bot.Text:
		e.show(t, m.ChatID, m.Text, m.Buttons)
		for _, row := range m.Menu {
			for _, label := range row {
				checkText(t, label)
			}
		}
	case bot.Photo:
		e.show(t, m.ChatID, m.Caption, m.Buttons)
		if len(m.Data) == 0 && m.FileID == "" {
			t.Fatalf("flowtest: photo to %d without data or file id", m.ChatID)
		}
	case bot.Document:
		e.show(t, m.ChatID, m.Caption, m.Buttons)
	case bot.Album:
		for _, p := range m.Photos {
			e.show(t, m.ChatID, p.Caption, nil)
		}
	case bot.Edit:
		checkText(t, m.Text)
		checkButtons(t, m.Buttons)
		var target *shown
		for _, s := range e.chat(m.ChatID).msgs {
			if s.id == m.MessageID {
				target = s
			}
		}
		if target == nil {
			t.Fatalf("flowtest: edit of message %d, which the bot never sent to %d", m.MessageID, m.ChatID)
		}
		if m.Text != "" {
			target.text = m.Text
		}
		// Telegram drops the inline keyboard of an edited message unless
		// the edit carries one.
		target.buttons = m.Buttons
	case bot.CallbackAnswer:
		checkText(t, m.Text)
	default:
		t.Fatalf("flowtest: unknown message type %T", m)
	}
}

func (e *Env) show(t testing.TB, chatID int64, text string, buttons bot.Keyboard) {
	t.Helper()
	if chatID == 0 {
		t.Fatalf("flowtest: message without a chat: %q", text)
	}
	checkText(t, text)
	checkButtons(t, buttons)
	ch := e.chat(chatID)
	ch.msgs = append(ch.msgs, &shown{id: ch.take(), text: text, buttons: buttons})
}

func (e *Env) chat(id int64) *chat {
	ch, ok := e.chats[id]
	if !ok {
		ch = &chat{}
		e.chats[id] = ch
	}
	return ch
}

// take returns the next message id of the chat: people's and the bot's
// messages share one sequence, as in Telegram.
func (ch *chat) take() int {
	ch.nextID++
	return ch.nextID
}

// checkText fails on a missing or broken locale message.
func checkText(t testing.TB, s string) {
	t.Helper()
	if strings.Contains(s, "⟦") {
		t.Fatalf("flowtest: missing locale message in reply: %q", s)
	}
}

// checkButtons fails on buttons Telegram would refuse or the router could
// not parse back.
func checkButtons(t testing.TB, kb bot.Keyboard) {
	t.Helper()
	for _, row := range kb {
		for _, b := range row {
			checkText(t, b.Text)
			switch {
			case b.Text == "":
				t.Fatalf("flowtest: button without text (data %q)", b.Data)
			case b.URL != "":
				continue
			case len(b.Data) > 64:
				t.Fatalf("flowtest: callback data over 64 bytes: %q", b.Data)
			}
			if _, err := flows.ParseCallback(b.Data); err != nil {
				t.Fatalf("flowtest: button %q: callback data %q does not parse: %v", b.Text, b.Data, err)
			}
		}
	}
}

// Person registers u as a person named name with role in orgID (0 for an
// association-wide role), the way a person does: an invite, redeemed.
func (e *Env) Person(t testing.TB, u User, name string, role storage.Role, orgID int64) storage.Person {
	t.Helper()
	ctx := context.Background()
	code, _, err := e.Store.CreateInvite(ctx, 0, role, orgID, 1, time.Hour)
	if err != nil {
		t.Fatalf("flowtest: invite %s in %d: %v", role, orgID, err)
	}
	p, _, err := e.Store.Register(ctx, code, u.ID, name, e.Clock.Now())
	if err != nil {
		t.Fatalf("flowtest: register %d: %v", u.ID, err)
	}
	return p
}

// Org creates a member organisation named name (short name the same,
// municipality "г. Бийск").
func (e *Env) Org(t testing.TB, name string) storage.Organisation {
	t.Helper()
	o, err := e.Store.CreateOrganisation(context.Background(), 0, storage.Organisation{
		Name: name, ShortName: name, Municipality: "г. Бийск", Status: storage.OrgMember,
	})
	if err != nil {
		t.Fatalf("flowtest: organisation %q: %v", name, err)
	}
	return o
}

// Texts returns what a person reads in msgs: message texts, captions, the
// new texts of edits and the notices answering a button, in order.
func Texts(msgs []bot.Message) []string {
	var out []string
	for _, m := range msgs {
		switch m := m.(type) {
		case bot.Text:
			out = append(out, m.Text)
		case bot.Photo:
			out = append(out, m.Caption)
		case bot.Document:
			out = append(out, m.Caption)
		case bot.Album:
			for _, p := range m.Photos {
				out = append(out, p.Caption)
			}
		case bot.Edit:
			if m.Text != "" {
				out = append(out, m.Text)
			}
		case bot.CallbackAnswer:
			if m.Text != "" {
				out = append(out, m.Text)
			}
		}
	}
	return out
}

// Joined is Texts joined by newlines, for strings.Contains asserts.
func Joined(msgs []bot.Message) string { return strings.Join(Texts(msgs), "\n") }

// Has fails the test unless the messages' texts contain every fragment.
func Has(t testing.TB, msgs []bot.Message, want ...string) {
	t.Helper()
	got := Joined(msgs)
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Fatalf("reply lacks %q; got:\n%s", w, got)
		}
	}
}

// Lacks fails the test if the messages' texts contain any fragment.
func Lacks(t testing.TB, msgs []bot.Message, texts ...string) {
	t.Helper()
	got := Joined(msgs)
	for _, w := range texts {
		if strings.Contains(got, w) {
			t.Fatalf("reply has %q; got:\n%s", w, got)
		}
	}
}

// To returns the messages that go to u's chat.
func To(msgs []bot.Message, u User) []bot.Message {
	var out []bot.Message
	for _, m := range msgs {
		if m.Chat() == u.ID {
			out = append(out, m)
		}
	}
	return out
}

// Buttons lists the inline buttons of the messages, in order.
func Buttons(msgs []bot.Message) []bot.Button {
	var out []bot.Button
	for _, m := range msgs {
		var kb bot.Keyboard
		switch m := m.(type) {
		case bot.Text:
			kb = m.Buttons
		case bot.Edit:
			kb = m.Buttons
		case bot.Photo:
			kb = m.Buttons
		case bot.Document:
			kb = m.Buttons
		}
		for _, row := range kb {
			out = append(out, row...)
		}
	}
	return out
}

// ButtonLabels lists the labels of the messages' inline buttons.
func ButtonLabels(msgs []bot.Message) []string {
	var out []string
	for _, b := range Buttons(msgs) {
		out = append(out, b.Text)
	}
	return out
}

// ButtonData lists the callback data of the messages' inline buttons.
func ButtonData(msgs []bot.Message) []string {
	var out []string
	for _, b := range Buttons(msgs) {
		out = append(out, b.Data)
	}
	return out
}
