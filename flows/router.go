// Package flows is the conversation engine: the Router that turns an update
// into a handler call, the Context a handler works with, the role table, and
// the input parsing every flow shares. The flows themselves live in
// sub-packages (onboarding, survey, tasks, ...) and register their commands,
// buttons, steps and menu items with the Router.
package flows

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"smkbot/bot"
	"smkbot/locales"
	"smkbot/storage"
)

// People finds the registered person behind a Telegram account.
type People interface {
	// FindPersonByTelegramID returns storage.ErrNotFound for strangers.
	FindPersonByTelegramID(ctx context.Context, telegramID int64) (storage.Person, []storage.RoleGrant, error)
}

// Sessions keeps where each person is in a conversation.
type Sessions interface {
	Get(ctx context.Context, userID int64) (storage.Session, bool, error)
	Save(ctx context.Context, userID int64, s storage.Session) error
	Delete(ctx context.Context, userID int64) error
}

// Observer records handler latency by flow (bot.Metrics implements it).
type Observer interface {
	ObserveHandler(flow string, d time.Duration, outcome string)
}

// RouterOptions are the Router's dependencies.
type RouterOptions struct {
	People   People
	Sessions Sessions
	L        *locales.Localizer
	Now      func() time.Time
	Log      *slog.Logger
	Metrics  Observer // may be nil
}

// Router implements bot.Handler: it loads the actor and the session, picks
// the handler for the update, checks the role table, runs the handler, turns
// its errors into short Russian replies and saves the session.
type Router struct {
	o            RouterOptions
	commands     map[string]route
	callbacks    map[string]route
	steps        map[string]route
	menu         []MenuItem
	fallback     HandlerFunc
	helpCommands []Command
	deeplinks    []deeplink
	jobs         []Job
}

// Job is periodic work of a flow (reminders, digests, closing what is due).
// Run reads the records and returns the messages to send. Several replicas
// and restarts may run it: it must claim what it sends in Postgres in the
// same transaction that decides to send it, so nothing is sent twice.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context, now time.Time) ([]bot.Message, error)
}

// deeplink routes /start payloads of one shape (a survey link, say) to
// their flow; other payloads go to the start command (invites).
type deeplink struct {
	pattern *regexp.Regexp
	route   route
}

type route struct {
	name string // "flow:action" or "flow:step", for logs and metrics
	perm Permission
	h    HandlerFunc
}

// MenuItem is a button of the role menu (the reply keyboard) and a line of
// /help. Only people holding Perm see it.
type MenuItem struct {
	Label   string // locale id of the button text
	Help    string // locale id of the /help line
	Perm    Permission
	Handler HandlerFunc
}

// Command describes a slash command for registration.
type Command struct {
	Name    string // without the slash
	Help    string // locale id of the /help line; "" keeps it out of /help
	Perm    Permission
	Handler HandlerFunc
}

// NewRouter returns a Router with no routes; flows register theirs.
func NewRouter(o RouterOptions) *Router {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Router{
		o:         o,
		commands:  map[string]route{},
		callbacks: map[string]route{},
		steps:     map[string]route{},
	}
}

// Command registers a slash command.
func (r *Router) Command(cmd Command) {
	r.commands[cmd.Name] = route{name: "cmd:" + cmd.Name, perm: cmd.Perm, h: cmd.Handler}
	r.helpCommands = append(r.helpCommands, cmd)
}

// Callback registers the handler of buttons whose data is flow:action:arg.
func (r *Router) Callback(flow, action string, perm Permission, h HandlerFunc) {
	r.callbacks[flow+":"+action] = route{name: flow + ":" + action, perm: perm, h: h}
}

// Step registers the handler of text, photos and documents sent while a
// person's session is at the named step ("flow:step").
func (r *Router) Step(step string, perm Permission, h HandlerFunc) {
	r.steps[step] = route{name: step, perm: perm, h: h}
}

// Deeplink routes "/start <payload>" to h when the whole payload matches
// pattern. Patterns must not match an invite code (43 characters of
// base64url), which the start command takes.
func (r *Router) Deeplink(name string, pattern *regexp.Regexp, perm Permission, h HandlerFunc) {
	r.deeplinks = append(r.deeplinks, deeplink{pattern: pattern, route: route{name: name, perm: perm, h: h}})
}

// Schedule registers periodic work; the caller of Jobs runs it.
func (r *Router) Schedule(j Job) { r.jobs = append(r.jobs, j) }

// Jobs lists the registered periodic work.
func (r *Router) Jobs() []Job { return r.jobs }

// Localizer is the router's localizer, for jobs that write messages.
func (r *Router) Localizer() *locales.Localizer { return r.o.L }

// Menu registers an item of the role menu.
func (r *Router) Menu(item MenuItem) { r.menu = append(r.menu, item) }

// Fallback registers the handler of input that matches nothing: a stranger's
// message, or text after the session was lost.
func (r *Router) Fallback(h HandlerFunc) { r.fallback = h }

// Handle implements bot.Handler. It returns an error only when the update
// could not be handled at all (Postgres or Redis unreachable), so that it is
// delivered again.
//
// Only private chats are served: in a group or a channel whatever the bot
// answers is read by everyone there, so a command or a button gets a short
// note pointing to the private chat and nothing else is handled.
func (r *Router) Handle(ctx context.Context, u bot.Update) ([]bot.Message, error) {
	if !u.Private {
		r.o.Log.Info("update", "update", u.ID, "route", "not_private", "outcome", "ignored")
		return r.notPrivate(u), nil
	}
	start := r.o.Now()
	actor, err := r.actor(ctx, u.From.ID)
	if err != nil {
		return nil, err
	}
	sess, found, err := r.o.Sessions.Get(ctx, u.From.ID)
	if err != nil {
		return nil, fmt.Errorf("flows: load session: %w", err)
	}
	c := &Context{Update: u, Actor: actor, L: r.o.L, Now: start, session: sess, router: r}
	rt := r.route(c)
	before := c.session
	next, outcome := r.run(ctx, c, rt)
	if outcome == "error" {
		c.session = before
	}
	if err := r.save(ctx, c, next, found); err != nil {
		// The replies still go out: what the person entered is already in
		// Postgres, and the session is only a cursor.
		r.o.Log.Error("save session", "update", u.ID, "route", rt.name, "err", err)
	}
	d := r.o.Now().Sub(start)
	if r.o.Metrics != nil {
		r.o.Metrics.ObserveHandler(flowOf(rt.name), d, outcome)
	}
	r.o.Log.Info("update", "update", u.ID, "route", rt.name, "step", c.session.Step, "outcome", outcome, "ms", d.Milliseconds())
	return c.replies, nil
}

// notPrivate answers an update from a group or a channel without looking
// at who sent it.
func (r *Router) notPrivate(u bot.Update) []bot.Message {
	text := r.o.L.T("common.private_only")
	switch {
	case u.Callback != nil:
		return []bot.Message{bot.CallbackAnswer{ID: u.Callback.ID, Text: text}}
	case u.Command != "" && u.ChatID != 0:
		return []bot.Message{bot.Text{ChatID: u.ChatID, Text: text}}
	}
	return nil
}

func (r *Router) actor(ctx context.Context, telegramID int64) (*Actor, error) {
	p, roles, err := r.o.People.FindPersonByTelegramID(ctx, telegramID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return &Actor{TelegramID: telegramID}, nil
	case err != nil:
		return nil, fmt.Errorf("flows: load actor: %w", err)
	}
	return &Actor{TelegramID: telegramID, Person: &p, Roles: roles}, nil
}

// route picks the handler: a pressed button by its data, a command by its
// name, a menu button by its label, then the session's step, then the
// fallback.
func (r *Router) route(c *Context) route {
	u := c.Update
	if u.Callback != nil {
		cb, err := ParseCallback(u.Callback.Data)
		if err != nil {
			return route{name: "callback:invalid", perm: Anyone, h: stale}
		}
		c.Callback = cb
		if rt, ok := r.callbacks[cb.Flow+":"+cb.Action]; ok {
			return rt
		}
		return route{name: "callback:unknown", perm: Anyone, h: stale}
	}
	if u.Command == "start" && u.Args != "" {
		for _, d := range r.deeplinks {
			if d.pattern.MatchString(u.Args) {
				return d.route
			}
		}
	}
	if u.Command != "" {
		if rt, ok := r.commands[u.Command]; ok {
			return rt
		}
		return route{name: "cmd:unknown", perm: Anyone, h: func(_ context.Context, c *Context) (Next, error) {
			c.Say("common.unknown")
			return Stay(), nil
		}}
	}
	if text := strings.TrimSpace(u.Text); text != "" {
		// A label of an item the person may not use gets the forbidden
		// notice from the role check, not a confusing fallback.
		for _, item := range r.menu {
			if text == r.o.L.T(item.Label) {
				return route{name: "menu:" + item.Label, perm: item.Perm, h: item.Handler}
			}
		}
	}
	if step := c.session.Step; step != "" {
		if rt, ok := r.steps[step]; ok {
			return rt
		}
	}
	if r.fallback == nil {
		return route{name: "fallback", perm: Anyone, h: func(context.Context, *Context) (Next, error) { return End(), nil }}
	}
	return route{name: "fallback", perm: Anyone, h: r.fallback}
}

func stale(_ context.Context, c *Context) (Next, error) { return Stay(), ErrStale }

// run calls the handler after the role check and turns its errors into
// replies. The outcome is "ok", "invalid", "stale", "forbidden" or "error".
func (r *Router) run(ctx context.Context, c *Context, rt route) (Next, string) {
	if !c.Actor.Can(rt.perm) {
		c.Notice(c.T("common.forbidden"))
		if c.session.Step != "" && r.steps[c.session.Step].name == rt.name {
			// The person lost the right to the step they were in.
			return End(), "forbidden"
		}
		return Stay(), "forbidden"
	}
	next, err := rt.h(ctx, c)
	var invalid *InputError
	switch {
	case err == nil:
		return next, "ok"
	case errors.As(err, &invalid):
		c.Say(invalid.MsgID, invalid.Data...)
		return Stay(), "invalid"
	case errors.Is(err, ErrStale):
		c.Notice(c.T("common.stale_button"))
		return Stay(), "stale"
	case errors.Is(err, ErrForbidden):
		c.Notice(c.T("common.forbidden"))
		return Stay(), "forbidden"
	}
	ref := newRef()
	r.o.Log.Error("handler failed", "update", c.Update.ID, "route", rt.name, "ref", ref, "err", err)
	c.replies = nil
	c.Say("common.error", "Ref", ref)
	return Stay(), "error"
}

func (r *Router) save(ctx context.Context, c *Context, next Next, existed bool) error {
	switch {
	case next.end:
		c.session = storage.Session{}
	case !next.stay:
		c.session.Step = next.step
	}
	if c.session.Step == "" && len(c.session.Data) == 0 {
		if existed {
			return r.o.Sessions.Delete(ctx, c.Update.From.ID)
		}
		return nil
	}
	return r.o.Sessions.Save(ctx, c.Update.From.ID, c.session)
}

// MenuFor returns the role menu of an actor as reply keyboard rows, two
// buttons a row (nil when the actor may use no item).
func (r *Router) MenuFor(a *Actor) [][]string {
	var rows [][]string
	for _, item := range r.menu {
		if !a.Can(item.Perm) {
			continue
		}
		label := r.o.L.T(item.Label)
		if n := len(rows); n > 0 && len(rows[n-1]) < 2 {
			rows[n-1] = append(rows[n-1], label)
			continue
		}
		rows = append(rows, []string{label})
	}
	return rows
}

// HelpFor returns the /help lines of what an actor may do: commands first,
// then menu items.
func (r *Router) HelpFor(a *Actor) []string {
	var lines []string
	for _, cmd := range r.helpCommands {
		if cmd.Help != "" && a.Can(cmd.Perm) {
			lines = append(lines, r.o.L.T(cmd.Help))
		}
	}
	for _, item := range r.menu {
		if item.Help != "" && a.Can(item.Perm) {
			lines = append(lines, r.o.L.T(item.Help))
		}
	}
	return lines
}

// Commands lists the registered commands (for setMyCommands).
func (r *Router) Commands() []Command { return r.helpCommands }

// RouteKind is what kind of input a route answers.
type RouteKind string

// The kinds of routes.
const (
	RouteCommand  RouteKind = "command"  // a slash command
	RouteCallback RouteKind = "callback" // a button's flow:action
	RouteStep     RouteKind = "step"     // input while a session is at a step
	RouteMenu     RouteKind = "menu"     // a button of the role menu
	RouteDeeplink RouteKind = "deeplink" // a /start payload of one shape
)

// Route is a registered route as Routes lists it.
type Route struct {
	Kind RouteKind
	// Name identifies the route within its kind: the command without the
	// slash ("audit"), the callback's "flow:action" ("au:mf"), the step
	// ("audit:area"), the menu item's label id ("audit.menu"), the deep
	// link's name ("survey:open").
	Name string
	// Perm is what the router checks before the handler runs.
	Perm Permission
}

// Routes lists every registered route, sorted by kind and name, for tests
// that check the role table against what is registered.
func (r *Router) Routes() []Route {
	var out []Route
	for name, rt := range r.commands {
		out = append(out, Route{Kind: RouteCommand, Name: name, Perm: rt.perm})
	}
	for name, rt := range r.callbacks {
		out = append(out, Route{Kind: RouteCallback, Name: name, Perm: rt.perm})
	}
	for name, rt := range r.steps {
		out = append(out, Route{Kind: RouteStep, Name: name, Perm: rt.perm})
	}
	for _, item := range r.menu {
		out = append(out, Route{Kind: RouteMenu, Name: item.Label, Perm: item.Perm})
	}
	for _, d := range r.deeplinks {
		out = append(out, Route{Kind: RouteDeeplink, Name: d.route.name, Perm: d.route.perm})
	}
	slices.SortFunc(out, func(a, b Route) int {
		return cmp.Or(strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.Name, b.Name))
	})
	return out
}

func flowOf(name string) string {
	if i := strings.IndexByte(name, ':'); i > 0 {
		return name[:i]
	}
	return name
}

// newRef returns a short reference id that ties an apology to a log line.
func newRef() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
