package onboarding

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// peopleMenu asks whose people to show: the organisations in the actor's
// ViewPeople scope (the only one at once when there is one), and for
// association-wide roles also the people who belong to no organisation.
func (f *Flow) peopleMenu(ctx context.Context, c *flows.Context) (flows.Next, error) {
	all, scoped := c.Actor.Scope(flows.ViewPeople)
	if !all && len(scoped) == 1 {
		o, err := f.findOrg(ctx, scoped[0])
		if err != nil {
			return flows.End(), err
		}
		people, err := f.listPeople(ctx, o.ID)
		if err != nil {
			return flows.End(), err
		}
		text, kb := peopleList(c, orgName(c, o), people, 1, o.ID)
		c.Reply(text, kb)
		return flows.End(), nil
	}
	text, kb, err := f.peopleOrgs(ctx, c, 1)
	if err != nil {
		return flows.End(), err
	}
	c.Reply(text, kb)
	return flows.End(), nil
}

// peopleOrgsPage turns the organisation list: adm:porgs:<page>.
func (f *Flow) peopleOrgsPage(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := argInts(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.peopleOrgs(ctx, c, ids[0])
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.Stay(), nil
}

func (f *Flow) peopleOrgs(ctx context.Context, c *flows.Context, page int64) (string, bot.Keyboard, error) {
	all, scoped := c.Actor.Scope(flows.ViewPeople)
	var orgs []storage.Organisation
	var err error
	if all {
		orgs, err = f.Store.ListOrganisations(ctx)
		if err != nil {
			return "", nil, fmt.Errorf("onboarding: list organisations: %w", err)
		}
	} else if orgs, err = f.orgsByID(ctx, scoped); err != nil {
		return "", nil, err
	}
	from, to, p, count := flows.Pages(int64(len(orgs)), pageSize, page)
	var kb bot.Keyboard
	for _, o := range orgs[from:to] {
		kb = append(kb, []bot.Button{{Text: orgButtonLabel(c, o), Data: flows.CB(cbAdm, "porg", fmt.Sprintf("%d.1", o.ID))}})
	}
	if row := c.PageNav(p, count, func(n int64) string { return flows.CB(cbAdm, "porgs", n) }); row != nil {
		kb = append(kb, row)
	}
	if all {
		kb = append(kb, []bot.Button{c.Button("admin.btn.association", flows.CB(cbAdm, "passoc", 1))})
	}
	if len(orgs) == 0 && !all {
		return c.T("admin.people_no_orgs"), kb, nil
	}
	return c.T("admin.people_choose_org") + c.PageLine(p, count), kb, nil
}

// peopleOfOrg lists an organisation's people: adm:porg:<org>.<page>.
func (f *Flow) peopleOfOrg(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := argInts(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	if !c.Actor.CanIn(flows.ViewPeople, ids[0]) {
		return flows.Stay(), flows.ErrForbidden
	}
	o, err := f.findOrg(ctx, ids[0])
	if err != nil {
		return flows.Stay(), err
	}
	people, err := f.listPeople(ctx, o.ID)
	if err != nil {
		return flows.Stay(), err
	}
	text, kb := peopleList(c, orgName(c, o), people, ids[1], o.ID)
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// peopleOfAssociation lists the people of no organisation (the chair, the
// secretary, the presidium, admins): adm:passoc:<page>. Only holders of an
// association-wide ViewPeople may see them.
func (f *Flow) peopleOfAssociation(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := argInts(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if !c.Actor.CanIn(flows.ViewPeople, 0) {
		return flows.Stay(), flows.ErrForbidden
	}
	people, err := f.listPeople(ctx, 0)
	if err != nil {
		return flows.Stay(), err
	}
	text, kb := peopleList(c, c.T("onboarding.association"), people, ids[0], 0)
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// listPeople returns the people of an organisation, or those of no
// organisation for orgID 0.
func (f *Flow) listPeople(ctx context.Context, orgID int64) ([]storage.PersonRoles, error) {
	people, err := f.Store.ListPeople(ctx, orgID, "")
	if err != nil {
		return nil, fmt.Errorf("onboarding: list people of %d: %w", orgID, err)
	}
	if orgID == 0 {
		// The store reads 0 as "everyone".
		people = slices.DeleteFunc(people, func(p storage.PersonRoles) bool { return p.OrgID != 0 })
	}
	return people, nil
}

// listArg is the argument that brings a person card back to its list page:
// "<page>" for the association, "<page>.<org>" for an organisation.
func listArg(page, orgID int64) string {
	if orgID == 0 {
		return fmt.Sprint(page)
	}
	return fmt.Sprintf("%d.%d", page, orgID)
}

// peopleList renders a page of people: numbered lines with their roles
// (inactive people marked) and a button for each person's card.
func peopleList(c *flows.Context, title string, people []storage.PersonRoles, page, orgID int64) (string, bot.Keyboard) {
	from, to, p, count := flows.Pages(int64(len(people)), pageSize, page)
	var lines []string
	var kb bot.Keyboard
	for i, pr := range people[from:to] {
		name := personName(c, pr.Person)
		line, btn := "admin.person_line", "admin.person_btn"
		if !pr.Active {
			line, btn = "admin.person_line_inactive", "admin.person_btn_inactive"
		}
		lines = append(lines, c.T(line, "N", from+int64(i)+1, "Name", name, "Roles", roleNames(c, pr.Roles)))
		kb = append(kb, []bot.Button{{Text: c.T(btn, "Name", name),
			Data: flows.CB(cbAdm, "person", fmt.Sprintf("%d.%s", pr.ID, listArg(p, orgID)))}})
	}
	if row := c.PageNav(p, count, func(n int64) string {
		if orgID == 0 {
			return flows.CB(cbAdm, "passoc", n)
		}
		return flows.CB(cbAdm, "porg", fmt.Sprintf("%d.%d", orgID, n))
	}); row != nil {
		kb = append(kb, row)
	}
	text := c.L.N("admin.people_title", len(people), "Org", title)
	if len(people) == 0 {
		return text + "\n\n" + c.T("admin.people_empty"), kb
	}
	return text + "\n\n" + strings.Join(lines, "\n") + c.PageLine(p, count), kb
}

// roleNames lists a person's roles in words, each once.
func roleNames(c *flows.Context, grants []storage.RoleGrant) string {
	var names []string
	for _, g := range grants {
		if n := roleName(c, g.Role); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return c.T("admin.no_roles")
	}
	return strings.Join(names, ", ")
}

// personName is a person's name, or «удалённый пользователь» once they
// are forgotten.
func personName(c *flows.Context, p storage.Person) string {
	if p.FullName == "" {
		return c.T("onboarding.deleted_user")
	}
	return p.FullName
}

// pressedPerson authorises and loads the person of a card button:
// "<person>.<page>" (from the association's list) or
// "<person>.<page>.<org>" (from an organisation's). The actor must see that
// list, and the person must be on it: a forged button pairing a stranger's
// id with the actor's own organisation is refused.
func (f *Flow) pressedPerson(ctx context.Context, c *flows.Context) (storage.Person, []storage.RoleGrant, error) {
	ids, err := flows.ArgInts(c.Callback.Arg)
	if err != nil || len(ids) < 2 || len(ids) > 3 {
		return storage.Person{}, nil, flows.ErrStale
	}
	var orgID int64
	if len(ids) == 3 {
		orgID = ids[2]
	}
	if !c.Actor.CanIn(flows.ViewPeople, orgID) {
		return storage.Person{}, nil, flows.ErrForbidden
	}
	p, roles, err := f.Store.FindPersonByID(ctx, ids[0])
	if errors.Is(err, storage.ErrNotFound) {
		return p, nil, flows.ErrStale
	}
	if err != nil {
		return p, nil, fmt.Errorf("onboarding: person %d: %w", ids[0], err)
	}
	if !belongs(p, roles, orgID) {
		return p, nil, flows.ErrForbidden
	}
	return p, roles, nil
}

// belongs reports whether a person is on the list of orgID, as
// storage.ListPeople draws it (0: the people of no organisation).
func belongs(p storage.Person, roles []storage.RoleGrant, orgID int64) bool {
	if p.OrgID == orgID {
		return true
	}
	for _, g := range roles {
		if orgID != 0 && g.OrgID == orgID {
			return true
		}
	}
	return false
}

// personCard shows a person: adm:person:<person>.<page>[.<org>].
func (f *Flow) personCard(ctx context.Context, c *flows.Context) (flows.Next, error) {
	p, roles, err := f.pressedPerson(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	text, err := f.personText(ctx, c, p, roles)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, f.personButtons(c, p))
	return flows.Stay(), nil
}

func (f *Flow) personText(ctx context.Context, c *flows.Context, p storage.Person, roles []storage.RoleGrant) (string, error) {
	org, err := f.org(ctx, p.OrgID)
	if err != nil {
		return "", err
	}
	var lines []string
	for _, g := range roles {
		o, err := f.org(ctx, g.OrgID)
		if err != nil {
			return "", err
		}
		lines = append(lines, c.T("admin.person_role", "Role", roleName(c, g.Role), "Org", orgName(c, o)))
	}
	if len(lines) == 0 {
		lines = append(lines, c.T("admin.no_roles"))
	}
	active := c.T("admin.person_active")
	if !p.Active {
		active = c.T("admin.person_inactive")
	}
	return c.T("admin.person_card", "Name", personName(c, p), "Org", orgName(c, org),
		"Roles", strings.Join(lines, "\n"), "Active", active, "Since", c.L.Date(p.CreatedAt)), nil
}

// personButtons are «Отключить» (for those who may, on an active person
// other than themselves) and the way back to the list the card came from.
func (f *Flow) personButtons(c *flows.Context, p storage.Person) bot.Keyboard {
	var kb bot.Keyboard
	if mayDeactivate(c, p) && p.Active {
		kb = append(kb, []bot.Button{c.Button("admin.btn.deactivate", flows.CB(cbAdm, "deact", c.Callback.Arg))})
	}
	return append(kb, []bot.Button{c.Button("admin.btn.to_list", backToList(c.Callback.Arg))})
}

// backToList is the callback data of the list a card argument came from.
func backToList(arg string) string {
	_, list, _ := strings.Cut(arg, ".")
	page, org, ok := strings.Cut(list, ".")
	if !ok {
		return flows.CB(cbAdm, "passoc", page)
	}
	return flows.CB(cbAdm, "porg", org+"."+page)
}

// mayDeactivate: the actor holds DeactivatePeople for the person's
// organisation, and the person is not the actor (an admin locking
// themselves out would need the command line to come back).
func mayDeactivate(c *flows.Context, p storage.Person) bool {
	return c.Actor.CanIn(flows.DeactivatePeople, p.OrgID) && p.ID != c.Actor.PersonID()
}

// deactivateAsk asks to confirm: adm:deact:<person>.<page>[.<org>].
func (f *Flow) deactivateAsk(ctx context.Context, c *flows.Context) (flows.Next, error) {
	p, roles, err := f.pressedPerson(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	if !mayDeactivate(c, p) {
		return flows.Stay(), flows.ErrForbidden
	}
	if !p.Active {
		return flows.Stay(), flows.ErrStale
	}
	text, err := f.personText(ctx, c, p, roles)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text+"\n\n"+c.T("admin.deactivate_ask", "Name", personName(c, p)), bot.Keyboard{{
		c.Button("admin.btn.deactivate_yes", flows.CB(cbAdm, "deactok", c.Callback.Arg)),
		c.Button("common.btn.cancel", flows.CB(cbAdm, "deactno", c.Callback.Arg)),
	}})
	c.Clear()
	c.SetInt(keyPerson, p.ID)
	return flows.Goto(stepDeactivate), nil
}

// deactivate switches the person off: adm:deactok:<person>.<page>[.<org>].
// From the next update on the router treats them as a stranger.
func (f *Flow) deactivate(ctx context.Context, c *flows.Context) (flows.Next, error) {
	p, roles, err := f.pressedPerson(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	if !mayDeactivate(c, p) {
		return flows.Stay(), flows.ErrForbidden
	}
	if c.Step() != stepDeactivate || c.GetInt(keyPerson) != p.ID || !p.Active {
		return flows.Stay(), flows.ErrStale
	}
	err = f.Store.DeactivatePerson(ctx, c.Actor.PersonID(), p.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return flows.End(), flows.ErrStale
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("onboarding: deactivate %d: %w", p.ID, err)
	}
	p.Active = false
	text, err := f.personText(ctx, c, p, roles)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(c.T("admin.deactivated", "Name", personName(c, p))+"\n\n"+text, f.personButtons(c, p))
	return flows.End(), nil
}

// deactivateCancel keeps the person: adm:deactno:<person>.<page>[.<org>].
func (f *Flow) deactivateCancel(ctx context.Context, c *flows.Context) (flows.Next, error) {
	p, roles, err := f.pressedPerson(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	if c.Step() != stepDeactivate || c.GetInt(keyPerson) != p.ID {
		return flows.Stay(), flows.ErrStale
	}
	text, err := f.personText(ctx, c, p, roles)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, f.personButtons(c, p))
	return flows.End(), nil
}
