package flows

import (
	"context"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smkbot/bot"
	"smkbot/locales"
)

func TestRoutes(t *testing.T) {
	r := NewRouter(RouterOptions{})
	h := func(context.Context, *Context) (Next, error) { return Stay(), nil }
	r.Command(Command{Name: "audit", Perm: ConductAudits, Handler: h})
	r.Command(Command{Name: "help", Perm: Anyone, Handler: h})
	r.Callback("au", "mf", ViewAudits, h)
	r.Callback("au", "add", ConductAudits, h)
	r.Step("audit:area", ConductAudits, h)
	r.Menu(MenuItem{Label: "audit.menu", Perm: ConductAudits, Handler: h})
	r.Deeplink("survey:open", regexp.MustCompile(`^s_\w+$`), Anyone, h)
	r.Schedule(Job{Name: "not a route"})

	want := []Route{
		{Kind: RouteCallback, Name: "au:add", Perm: ConductAudits},
		{Kind: RouteCallback, Name: "au:mf", Perm: ViewAudits},
		{Kind: RouteCommand, Name: "audit", Perm: ConductAudits},
		{Kind: RouteCommand, Name: "help", Perm: Anyone},
		{Kind: RouteDeeplink, Name: "survey:open", Perm: Anyone},
		{Kind: RouteMenu, Name: "audit.menu", Perm: ConductAudits},
		{Kind: RouteStep, Name: "audit:area", Perm: ConductAudits},
	}
	if diff := cmp.Diff(want, r.Routes()); diff != "" {
		t.Errorf("Routes() (-want +got):\n%s", diff)
	}
	if got := NewRouter(RouterOptions{}).Routes(); len(got) != 0 {
		t.Errorf("an empty router lists %v", got)
	}
}

// TestNotPrivate: in a group or a channel the router handles nothing —
// everyone there would read the answer — and points commands and buttons
// to the private chat.
func TestNotPrivate(t *testing.T) {
	l, err := locales.New(zone)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRouter(RouterOptions{L: l}) // no People, no Sessions: none is asked
	ran := false
	h := func(context.Context, *Context) (Next, error) { ran = true; return Stay(), nil }
	r.Command(Command{Name: "profile", Perm: Anyone, Handler: h})
	r.Callback("onb", "rename", Anyone, h)
	r.Fallback(h)
	note := l.T("common.private_only")
	for _, tc := range []struct {
		name string
		u    bot.Update
		want []bot.Message
	}{
		{"group command", bot.Update{ID: 1, ChatID: -100, From: bot.User{ID: 5}, Command: "profile", Text: "/profile"},
			[]bot.Message{bot.Text{ChatID: -100, Text: note}}},
		{"group button", bot.Update{ID: 2, ChatID: -100, From: bot.User{ID: 5}, Callback: &bot.Callback{ID: "q", Data: "onb:rename:"}},
			[]bot.Message{bot.CallbackAnswer{ID: "q", Text: note}}},
		{"group text", bot.Update{ID: 3, ChatID: -100, From: bot.User{ID: 5}, Text: "привет"}, nil},
		{"channel post", bot.Update{ID: 4, ChatID: -1001, Command: "profile", Text: "/profile"},
			[]bot.Message{bot.Text{ChatID: -1001, Text: note}}},
	} {
		got, err := r.Handle(context.Background(), tc.u)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	if ran {
		t.Error("a handler ran for an update from a group or a channel")
	}
}
