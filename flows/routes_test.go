package flows

import (
	"context"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
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
