package onboarding

import (
	"context"
	"fmt"
	"strings"

	"smkbot/bot"
	"smkbot/flows"
)

func (f *Flow) registerProfile(r *flows.Router) {
	r.Command(flows.Command{Name: "profile", Help: "help.profile", Perm: flows.Registered, Handler: f.profile})
	r.Menu(flows.MenuItem{Label: "onboarding.menu_profile", Perm: flows.Registered, Handler: f.profile})
	r.Callback(cbOnb, "rename", flows.Registered, f.askRename)
	r.Step(stepRename, flows.Registered, f.rename)
	r.Command(flows.Command{Name: "forget_me", Help: "help.forget_me", Perm: flows.Registered, Handler: f.forgetMe})
	r.Callback(cbOnb, "forget", flows.Registered, f.forget)
	r.Step(stepForget, flows.Registered, pressButton)
}

// profile shows who the bot thinks the person is.
func (f *Flow) profile(ctx context.Context, c *flows.Context) (flows.Next, error) {
	var roles []string
	for _, g := range c.Actor.Roles {
		org, err := f.org(ctx, g.OrgID)
		if err != nil {
			return flows.Stay(), err
		}
		roles = append(roles, c.T("onboarding.profile_role", "Role", roleName(c, g.Role), "Org", orgName(c, org)))
	}
	p := c.Actor.Person
	c.Reply(c.T("onboarding.profile", "Name", p.FullName, "Roles", strings.Join(roles, "\n"), "Since", c.L.Date(p.CreatedAt)),
		bot.Keyboard{{c.Button("onboarding.btn.change_name", flows.CB(cbOnb, "rename", ""))}})
	return flows.End(), nil
}

func (f *Flow) askRename(ctx context.Context, c *flows.Context) (flows.Next, error) {
	c.Say("onboarding.ask_new_name")
	return flows.Goto(stepRename), nil
}

func (f *Flow) rename(ctx context.Context, c *flows.Context) (flows.Next, error) {
	name, err := flows.ParseFullName(c.Update.Text)
	if err != nil {
		return flows.Stay(), err
	}
	if err := f.Store.RenamePerson(ctx, c.Actor.Person.ID, name); err != nil {
		return flows.Stay(), fmt.Errorf("onboarding: rename %d: %w", c.Actor.Person.ID, err)
	}
	c.ReplyMenu(c.T("onboarding.renamed", "Name", name))
	return flows.End(), nil
}

// forgetMe explains what forgetting means and asks for confirmation.
func (f *Flow) forgetMe(ctx context.Context, c *flows.Context) (flows.Next, error) {
	c.Reply(c.T("onboarding.forget_ask"), bot.Keyboard{{
		c.Button("onboarding.btn.forget_yes", flows.CB(cbOnb, "forget", "yes")),
		c.Button("common.btn.cancel", flows.CB(cbOnb, "forget", "no")),
	}})
	return flows.Goto(stepForget), nil
}

func (f *Flow) forget(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if c.Step() != stepForget {
		return flows.Stay(), flows.ErrStale
	}
	switch c.Callback.Arg {
	case "no":
		c.Edit(c.T("onboarding.forget_kept"), nil)
		return flows.End(), nil
	case "yes":
	default:
		return flows.Stay(), flows.ErrStale
	}
	// The redemption counter names the Telegram account; it goes first,
	// so that a failure leaves the person registered to try again.
	if err := f.Limiter.Forget(ctx, redeemKey(c.Actor.TelegramID)); err != nil {
		return flows.Stay(), fmt.Errorf("onboarding: forget %d: %w", c.Actor.Person.ID, err)
	}
	if err := f.Store.ForgetPerson(ctx, c.Actor.Person.ID); err != nil {
		return flows.Stay(), fmt.Errorf("onboarding: forget %d: %w", c.Actor.Person.ID, err)
	}
	c.Edit(c.T("onboarding.forget_done_mark"), nil)
	c.Send(bot.Text{ChatID: c.Chat(), Text: c.T("onboarding.forgotten"), RemoveMenu: true})
	return flows.End(), nil
}
