package onboarding

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/report"
	"smkbot/storage"
)

// qrSize is the side of the invitation's QR code in pixels: sharp on a
// phone screen and when printed on a notice board.
const qrSize = 512

// inviteMenu starts an invitation with the roles the actor may hand out.
// The choices that follow travel in the buttons' data and are re-checked on
// every press; the step only makes the buttons of an older invitation
// message stale.
func (f *Flow) inviteMenu(ctx context.Context, c *flows.Context) (flows.Next, error) {
	roles := c.Actor.InvitableRoles()
	if len(roles) == 0 {
		return flows.End(), flows.ErrForbidden
	}
	var kb bot.Keyboard
	for i, r := range roles {
		b := bot.Button{Text: roleName(c, r), Data: flows.CB(cbAdm, "irole", string(r))}
		if i%2 == 1 {
			kb[len(kb)-1] = append(kb[len(kb)-1], b)
			continue
		}
		kb = append(kb, []bot.Button{b})
	}
	c.Clear()
	c.Reply(c.T("admin.invite_choose_role"), kb)
	return flows.Goto(stepInvite), nil
}

// roleArg reads a button argument "<role>.<id>.<id>..." with exactly n ids
// after the role. An unknown role or a malformed argument is stale.
func roleArg(c *flows.Context, n int) (storage.Role, []int64, error) {
	s, rest, found := strings.Cut(c.Callback.Arg, ".")
	r := storage.Role(s)
	if !r.Valid() {
		return "", nil, flows.ErrStale
	}
	if n == 0 {
		if found {
			return "", nil, flows.ErrStale
		}
		return r, nil, nil
	}
	ids, err := flows.ArgInts(rest)
	if err != nil || len(ids) != n {
		return "", nil, flows.ErrStale
	}
	return r, ids, nil
}

// inviteRole takes the role: adm:irole:<role>. Association-wide roles go
// straight to the number of uses; organisation roles to the organisation.
func (f *Flow) inviteRole(ctx context.Context, c *flows.Context) (flows.Next, error) {
	role, _, err := roleArg(c, 0)
	if err != nil {
		return flows.Stay(), err
	}
	if !slices.Contains(c.Actor.InvitableRoles(), role) {
		return flows.Stay(), flows.ErrForbidden
	}
	if c.Step() != stepInvite {
		return flows.Stay(), flows.ErrStale
	}
	if !role.OrgScoped() {
		if !c.Actor.CanInvite(role, 0) {
			return flows.Stay(), flows.ErrForbidden
		}
		text, kb := usesPrompt(c, role, storage.Organisation{})
		c.Edit(text, kb)
		return flows.Stay(), nil
	}
	return f.inviteOrgList(ctx, c, role, 1)
}

// inviteOrgsPage turns the organisation list: adm:iorgs:<role>.<page>.
func (f *Flow) inviteOrgsPage(ctx context.Context, c *flows.Context) (flows.Next, error) {
	role, ids, err := roleArg(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if !role.OrgScoped() {
		return flows.Stay(), flows.ErrStale
	}
	if !slices.Contains(c.Actor.InvitableRoles(), role) {
		return flows.Stay(), flows.ErrForbidden
	}
	if c.Step() != stepInvite {
		return flows.Stay(), flows.ErrStale
	}
	return f.inviteOrgList(ctx, c, role, ids[0])
}

// inviteOrgList offers the organisations the actor may invite role into:
// every one for an admin, their own for a quality manager — chosen at once
// when there is only one.
func (f *Flow) inviteOrgList(ctx context.Context, c *flows.Context, role storage.Role, page int64) (flows.Next, error) {
	all, scoped := c.Actor.Scope(flows.InvitePeople)
	var orgs []storage.Organisation
	var err error
	if all {
		orgs, err = f.Store.ListOrganisations(ctx)
		if err != nil {
			return flows.Stay(), fmt.Errorf("onboarding: list organisations: %w", err)
		}
	} else if orgs, err = f.orgsByID(ctx, scoped); err != nil {
		return flows.Stay(), err
	}
	orgs = slices.DeleteFunc(orgs, func(o storage.Organisation) bool { return !c.Actor.CanInvite(role, o.ID) })
	switch {
	case len(orgs) == 0:
		c.Edit(c.T("admin.invite_no_orgs"), nil)
		return flows.End(), nil
	case len(orgs) == 1 && !all:
		text, kb := usesPrompt(c, role, orgs[0])
		c.Edit(text, kb)
		return flows.Stay(), nil
	}
	from, to, p, count := flows.Pages(int64(len(orgs)), pageSize, page)
	var kb bot.Keyboard
	for _, o := range orgs[from:to] {
		kb = append(kb, []bot.Button{{Text: orgButtonLabel(c, o), Data: flows.CB(cbAdm, "iorg", fmt.Sprintf("%s.%d", role, o.ID))}})
	}
	if row := c.PageNav(p, count, func(n int64) string { return flows.CB(cbAdm, "iorgs", fmt.Sprintf("%s.%d", role, n)) }); row != nil {
		kb = append(kb, row)
	}
	c.Edit(c.T("admin.invite_choose_org", "Role", roleName(c, role))+c.PageLine(p, count), kb)
	return flows.Stay(), nil
}

// inviteOrg takes the organisation: adm:iorg:<role>.<org>.
func (f *Flow) inviteOrg(ctx context.Context, c *flows.Context) (flows.Next, error) {
	role, ids, err := roleArg(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if !c.Actor.CanInvite(role, ids[0]) {
		return flows.Stay(), flows.ErrForbidden
	}
	if c.Step() != stepInvite {
		return flows.Stay(), flows.ErrStale
	}
	o, err := f.findOrg(ctx, ids[0])
	if err != nil {
		return flows.Stay(), err
	}
	text, kb := usesPrompt(c, role, o)
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// usesPrompt asks how many people the link is for.
func usesPrompt(c *flows.Context, role storage.Role, o storage.Organisation) (string, bot.Keyboard) {
	prefix := string(role)
	if o.ID != 0 {
		prefix = fmt.Sprintf("%s.%d", role, o.ID)
	}
	var row []bot.Button
	for _, n := range inviteUses {
		row = append(row, bot.Button{Text: c.L.N("admin.btn.uses", int(n)), Data: flows.CB(cbAdm, "iuses", fmt.Sprintf("%s.%d", prefix, n))})
	}
	return c.T("admin.invite_choose_uses", "Role", roleName(c, role), "Org", orgName(c, o)), bot.Keyboard{row}
}

// inviteUses creates the invitation and sends its link and QR code:
// adm:iuses:<role>.<uses> for association-wide roles,
// adm:iuses:<role>.<org>.<uses> for organisation roles.
func (f *Flow) inviteUses(ctx context.Context, c *flows.Context) (flows.Next, error) {
	s, _, _ := strings.Cut(c.Callback.Arg, ".")
	want := 1
	if storage.Role(s).OrgScoped() {
		want = 2
	}
	role, ids, err := roleArg(c, want)
	if err != nil {
		return flows.Stay(), err
	}
	var orgID int64
	if want == 2 {
		orgID = ids[0]
	}
	uses := ids[len(ids)-1]
	if !c.Actor.CanInvite(role, orgID) {
		return flows.Stay(), flows.ErrForbidden
	}
	if c.Step() != stepInvite || !slices.Contains(inviteUses, uses) {
		return flows.Stay(), flows.ErrStale
	}
	var o storage.Organisation
	if orgID != 0 {
		if o, err = f.findOrg(ctx, orgID); err != nil {
			return flows.Stay(), err
		}
	}
	code, inv, err := f.Store.CreateInvite(ctx, c.Actor.PersonID(), role, orgID, int(uses), f.InviteTTL)
	if err != nil {
		return flows.Stay(), fmt.Errorf("onboarding: create invite %s in %d: %w", role, orgID, err)
	}
	link := DeepLink(f.BotUsername, code)
	rn, on := roleName(c, role), orgName(c, o)
	c.Edit(c.T("admin.invite_made_mark", "Role", rn, "Org", on), nil)
	c.Send(bot.Text{ChatID: c.Chat(), DisablePreview: true, Text: c.T("admin.invite_ready",
		"Role", rn, "Org", on, "Uses", c.L.N("admin.invite_uses", inv.UsesLeft),
		"Until", c.L.Date(inv.ExpiresAt), "Link", link)})
	// The link above is the invitation; the QR code is a convenience for
	// showing it on a screen or a printed notice. Failing it must not hide
	// the link of an invite that already exists, so there is no error path.
	if png, err := report.QR(link, qrSize); err == nil {
		c.Send(bot.Photo{ChatID: c.Chat(), Name: "invite.png", Data: png,
			Caption: c.T("admin.invite_qr", "Role", rn, "Org", on)})
	}
	return flows.End(), nil
}
