package onboarding

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

func (f *Flow) registerStart(r *flows.Router) {
	r.Command(flows.Command{Name: "start", Perm: flows.Anyone, Handler: f.start})
	r.Command(flows.Command{Name: "menu", Help: "help.menu", Perm: flows.Anyone, Handler: f.menu})
	r.Command(flows.Command{Name: "help", Help: "help.help", Perm: flows.Anyone, Handler: f.help})
	r.Command(flows.Command{Name: "cancel", Help: "help.cancel", Perm: flows.Anyone, Handler: f.cancel})
	r.Callback(cbOnb, "consent", flows.Anyone, f.consent)
	r.Step(stepConsent, flows.Anyone, pressButton)
	r.Step(stepName, flows.Anyone, f.name)
	r.Callback(cbOnb, "confirm", flows.Anyone, f.confirm)
	r.Step(stepConfirm, flows.Anyone, pressButton)
	r.Fallback(f.fallback)
}

// redeemKey counts a Telegram account's invite redemptions. It names the
// account, so forget-me removes it.
func redeemKey(telegramID int64) string { return "redeem:" + strconv.FormatInt(telegramID, 10) }

// start greets a person. With an invite code it begins registration;
// without one it shows the menu, or tells a stranger how to get an invite.
func (f *Flow) start(ctx context.Context, c *flows.Context) (flows.Next, error) {
	code := strings.TrimSpace(c.Update.Args)
	if code == "" {
		return f.menu(ctx, c)
	}
	ok, err := f.Limiter.Allow(ctx, redeemKey(c.Actor.TelegramID), redeemLimit, redeemWindow)
	if err != nil {
		return flows.Stay(), fmt.Errorf("onboarding: limit redemption: %w", err)
	}
	if !ok {
		c.Say("onboarding.invite_too_many")
		return flows.End(), nil
	}
	inv, org, err := f.Store.PeekInvite(ctx, code)
	if err != nil {
		return f.inviteFailed(c, err)
	}
	if c.Actor.Registered() && holds(c.Actor.Roles, inv.Role, inv.OrgID) {
		c.ReplyMenu(c.T("onboarding.already_has_role", "Role", roleName(c, inv.Role), "Org", orgName(c, org)))
		return flows.End(), nil
	}
	c.Clear()
	c.Set("code", code)
	if c.Actor.Registered() {
		// A registered person taking a second role has consented and given
		// their name already: only the new role needs their word.
		c.Set("name", c.Actor.Person.FullName)
		c.Reply(c.T("onboarding.add_role", "Role", roleName(c, inv.Role), "Org", orgName(c, org)), bot.Keyboard{{
			c.Button("onboarding.btn.accept_role", flows.CB(cbOnb, "confirm", "yes")),
			c.Button("common.btn.cancel", flows.CB(cbOnb, "confirm", "no")),
		}})
		return flows.Goto(stepConfirm), nil
	}
	c.Reply(c.T("onboarding.invite", "Role", roleName(c, inv.Role), "Org", orgName(c, org)), nil)
	c.Reply(c.T("onboarding.consent"), bot.Keyboard{{
		c.Button("onboarding.btn.agree", flows.CB(cbOnb, "consent", "yes")),
		c.Button("onboarding.btn.disagree", flows.CB(cbOnb, "consent", "no")),
	}})
	return flows.Goto(stepConsent), nil
}

// inviteFailed explains why an invite cannot be used.
func (f *Flow) inviteFailed(c *flows.Context, err error) (flows.Next, error) {
	switch {
	case errors.Is(err, storage.ErrInviteExpired):
		c.Say("onboarding.invite_expired")
	case errors.Is(err, storage.ErrInviteUsedUp):
		c.Say("onboarding.invite_used")
	case errors.Is(err, storage.ErrInviteInvalid):
		c.Say("onboarding.invite_invalid")
	default:
		return flows.Stay(), fmt.Errorf("onboarding: invite: %w", err)
	}
	return flows.End(), nil
}

// consent records the answer to the personal data consent.
func (f *Flow) consent(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if c.Step() != stepConsent || c.Get("code") == "" {
		return flows.Stay(), flows.ErrStale
	}
	switch c.Callback.Arg {
	case "yes":
		c.Set("consent_at", c.Now.UTC().Format(time.RFC3339))
		c.Edit(c.T("onboarding.consent")+"\n\n"+c.T("onboarding.consent_given"), nil)
		c.Say("onboarding.ask_name")
		return flows.Goto(stepName), nil
	case "no":
		c.Edit(c.T("onboarding.consent")+"\n\n"+c.T("onboarding.consent_refused_mark"), nil)
		c.Say("onboarding.consent_refused")
		return flows.End(), nil
	}
	return flows.Stay(), flows.ErrStale
}

// name reads the person's full name and asks to confirm the registration.
func (f *Flow) name(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if c.Update.Text == "" {
		return flows.Stay(), flows.Invalid("onboarding.name_expected")
	}
	name, err := flows.ParseFullName(c.Update.Text)
	if err != nil {
		return flows.Stay(), err
	}
	inv, org, err := f.Store.PeekInvite(ctx, c.Get("code"))
	if err != nil {
		return f.inviteFailed(c, err)
	}
	c.Set("name", name)
	c.Reply(c.T("onboarding.confirm", "Name", name, "Role", roleName(c, inv.Role), "Org", orgName(c, org)), bot.Keyboard{
		{c.Button("onboarding.btn.confirm", flows.CB(cbOnb, "confirm", "yes"))},
		{c.Button("onboarding.btn.change_name", flows.CB(cbOnb, "confirm", "rename"))},
	})
	return flows.Goto(stepConfirm), nil
}

// confirm registers the person (or adds the role to them) by redeeming the
// invite, shows their menu and tells whoever invited them.
func (f *Flow) confirm(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if c.Step() != stepConfirm || c.Get("code") == "" || c.Get("name") == "" {
		return flows.Stay(), flows.ErrStale
	}
	switch c.Callback.Arg {
	case "rename":
		c.Edit(c.T("onboarding.rename_asked"), nil)
		c.Say("onboarding.ask_name")
		return flows.Goto(stepName), nil
	case "no":
		c.Edit(c.T("onboarding.role_declined"), nil)
		c.ReplyMenu(c.T("onboarding.menu"))
		return flows.End(), nil
	case "yes":
	default:
		return flows.Stay(), flows.ErrStale
	}
	consentAt := c.Now
	if c.Actor.Registered() {
		consentAt = c.Actor.Person.ConsentAt
	} else if t, err := time.Parse(time.RFC3339, c.Get("consent_at")); err == nil {
		consentAt = t
	}
	p, inv, err := f.Store.Register(ctx, c.Get("code"), c.Actor.TelegramID, c.Get("name"), consentAt)
	if err != nil {
		c.Edit(c.T("onboarding.not_registered"), nil)
		return f.inviteFailed(c, err)
	}
	person, roles, err := f.Store.FindPersonByID(ctx, p.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("onboarding: reload person %d: %w", p.ID, err)
	}
	c.Actor = &flows.Actor{TelegramID: c.Actor.TelegramID, Person: &person, Roles: roles}
	org, err := f.org(ctx, inv.OrgID)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(c.T("onboarding.registered_mark"), nil)
	c.ReplyMenu(c.T("onboarding.welcome_registered", "Name", person.FullName, "Role", roleName(c, inv.Role), "Org", orgName(c, org)))
	f.tellInviter(ctx, c, inv, person, org)
	return flows.End(), nil
}

// tellInviter lets the person who made the invite know it was used.
func (f *Flow) tellInviter(ctx context.Context, c *flows.Context, inv storage.Invite, p storage.Person, org storage.Organisation) {
	if inv.CreatedBy == 0 || inv.CreatedBy == p.ID {
		return
	}
	inviter, _, err := f.Store.FindPersonByID(ctx, inv.CreatedBy)
	if err != nil || !inviter.Active || inviter.TelegramID == 0 {
		return
	}
	c.Send(bot.Text{ChatID: inviter.TelegramID, Text: c.T("onboarding.inviter_notice",
		"Name", p.FullName, "Role", roleName(c, inv.Role), "Org", orgName(c, org))})
}

// menu shows a registered person their menu, and a stranger what the bot is.
func (f *Flow) menu(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if !c.Actor.Registered() {
		c.Reply(c.T("onboarding.stranger"), nil)
		return flows.End(), nil
	}
	c.ReplyMenu(c.T("onboarding.menu"))
	return flows.End(), nil
}

// help lists what this person can do.
func (f *Flow) help(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if !c.Actor.Registered() {
		c.Say("onboarding.help_stranger")
		return flows.Stay(), nil
	}
	c.Reply(c.T("onboarding.help_title")+"\n\n"+strings.Join(c.Help(), "\n"), nil)
	return flows.Stay(), nil
}

// cancel leaves the current step; what was saved stays saved.
func (f *Flow) cancel(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if c.Step() == "" {
		c.Say("common.nothing_to_cancel")
		return flows.End(), nil
	}
	if c.Actor.Registered() {
		c.ReplyMenu(c.T("common.cancelled"))
	} else {
		c.Say("common.cancelled")
	}
	return flows.End(), nil
}

// fallback answers input that matched nothing: usually the session was
// lost (expired, Redis emptied), so the person goes back to their menu.
func (f *Flow) fallback(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if !c.Actor.Registered() {
		c.Reply(c.T("onboarding.stranger"), nil)
		return flows.End(), nil
	}
	c.ReplyMenu(c.T("common.session_lost"))
	return flows.End(), nil
}

// pressButton answers text typed where a button is expected.
func pressButton(ctx context.Context, c *flows.Context) (flows.Next, error) {
	return flows.Stay(), flows.Invalid("onboarding.press_button")
}

func (f *Flow) org(ctx context.Context, id int64) (storage.Organisation, error) {
	if id == 0 {
		return storage.Organisation{}, nil
	}
	o, err := f.Store.FindOrganisationByID(ctx, id)
	if err != nil {
		return o, fmt.Errorf("onboarding: organisation %d: %w", id, err)
	}
	return o, nil
}

func holds(roles []storage.RoleGrant, r storage.Role, orgID int64) bool {
	for _, g := range roles {
		if g.Role == r && (g.OrgID == orgID || !r.OrgScoped()) {
			return true
		}
	}
	return false
}

// roleName is a role's Russian name.
func roleName(c *flows.Context, r storage.Role) string { return c.T("role." + string(r)) }

// orgName is how an organisation is shown: its short name when it has one;
// association-wide roles have none.
func orgName(c *flows.Context, o storage.Organisation) string {
	switch {
	case o.ID == 0:
		return c.T("onboarding.association")
	case o.ShortName != "":
		return o.ShortName
	}
	return o.Name
}
