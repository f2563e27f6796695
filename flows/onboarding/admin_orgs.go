package onboarding

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// orgsMenu shows the first page of the organisations. It leaves any
// conversation the person was in: the menu is a fresh start.
func (f *Flow) orgsMenu(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text, kb, err := f.orgList(ctx, c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(text, kb)
	return flows.End(), nil
}

// orgsPage turns the list to another page: adm:orgs:<page>.
func (f *Flow) orgsPage(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := argInts(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.orgList(ctx, c, ids[0])
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// orgList renders a page of every organisation, a button each, with the
// page buttons and «Добавить».
func (f *Flow) orgList(ctx context.Context, c *flows.Context, page int64) (string, bot.Keyboard, error) {
	orgs, err := f.Store.ListOrganisations(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("onboarding: list organisations: %w", err)
	}
	from, to, p, count := flows.Pages(int64(len(orgs)), pageSize, page)
	var kb bot.Keyboard
	for _, o := range orgs[from:to] {
		kb = append(kb, []bot.Button{{Text: orgButtonLabel(c, o), Data: flows.CB(cbAdm, "org", o.ID)}})
	}
	if row := c.PageNav(p, count, func(n int64) string { return flows.CB(cbAdm, "orgs", n) }); row != nil {
		kb = append(kb, row)
	}
	kb = append(kb, []bot.Button{c.Button("admin.btn.add", flows.CB(cbAdm, "add", nil))})
	if len(orgs) == 0 {
		return c.T("admin.orgs_empty"), kb, nil
	}
	return c.L.N("admin.orgs_title", len(orgs)) + c.PageLine(p, count), kb, nil
}

// orgCard shows an organisation with its edit buttons: adm:org:<id>.
func (f *Flow) orgCard(ctx context.Context, c *flows.Context) (flows.Next, error) {
	o, err := f.pressedOrg(ctx, c, flows.ManageOrganisations)
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.card(ctx, c, o)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// pressedOrg authorises and loads the organisation named by a one-id
// button argument.
func (f *Flow) pressedOrg(ctx context.Context, c *flows.Context, perm flows.Permission) (storage.Organisation, error) {
	ids, err := argInts(c, 1)
	if err != nil {
		return storage.Organisation{}, err
	}
	if !c.Actor.CanIn(perm, ids[0]) {
		return storage.Organisation{}, flows.ErrForbidden
	}
	return f.findOrg(ctx, ids[0])
}

// card renders an organisation: every field, its mentor (for a candidate)
// or the schools it mentors (for a member), and the buttons to change them.
func (f *Flow) card(ctx context.Context, c *flows.Context, o storage.Organisation) (string, bot.Keyboard, error) {
	orgs, err := f.Store.ListOrganisations(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("onboarding: list organisations: %w", err)
	}
	var mentor string
	if o.Status == storage.OrgCandidate {
		mentor = c.T("admin.no_mentor_line")
	} else {
		mentor = c.T("admin.no_mentees_line")
	}
	var mentees []string
	listPage := int64(1)
	for i, x := range orgs {
		switch {
		case x.ID == o.ID:
			listPage = int64(i)/pageSize + 1
		case x.ID == o.MentorID && o.Status == storage.OrgCandidate:
			mentor = c.T("admin.mentor_line", "Mentor", orgName(c, x))
		case x.MentorID == o.ID:
			mentees = append(mentees, orgName(c, x))
		}
	}
	if len(mentees) > 0 && o.Status == storage.OrgMember {
		mentor = c.T("admin.mentees_line", "Mentees", strings.Join(mentees, ", "))
	}
	text := c.T("admin.org_card", "Name", o.Name, "Short", orEmpty(c, o.ShortName),
		"Municipality", orEmpty(c, o.Municipality), "Status", statusName(c, o.Status), "Mentor", mentor)
	kb := bot.Keyboard{
		{
			c.Button("admin.btn.edit_name", flows.CB(cbAdm, "edit", fmt.Sprintf("%d.%d", o.ID, fieldName))),
			c.Button("admin.btn.edit_short", flows.CB(cbAdm, "edit", fmt.Sprintf("%d.%d", o.ID, fieldShort))),
		},
		{
			c.Button("admin.btn.edit_municipality", flows.CB(cbAdm, "edit", fmt.Sprintf("%d.%d", o.ID, fieldMunicipality))),
			c.Button("admin.btn.edit_status", flows.CB(cbAdm, "estatus", o.ID)),
		},
	}
	if o.Status == storage.OrgCandidate && c.Actor.CanIn(flows.PairMentors, o.ID) {
		kb = append(kb, []bot.Button{c.Button("admin.btn.mentor", flows.CB(cbAdm, "mentor", fmt.Sprintf("%d.1", o.ID)))})
	}
	kb = append(kb, []bot.Button{c.Button("admin.btn.to_list", flows.CB(cbAdm, "orgs", listPage))})
	return text, kb, nil
}

// addOrg starts the new-organisation draft: adm:add:.
func (f *Flow) addOrg(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if c.Callback.Arg != "" {
		return flows.Stay(), flows.ErrStale
	}
	c.Clear()
	c.Edit(c.T("admin.add_started"), nil)
	c.Say("admin.ask_name")
	return flows.Goto(stepOrgName), nil
}

// addName reads the full name; a draft that is otherwise complete (its
// name was refused as taken) goes straight back to its summary.
func (f *Flow) addName(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := textValue(c, fieldName)
	if err != nil {
		return flows.Stay(), err
	}
	c.Set(keyName, v)
	if c.Get(keyReview) != "" {
		return f.summary(c)
	}
	c.Say("admin.ask_short")
	return flows.Goto(stepOrgShort), nil
}

func (f *Flow) addShort(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := textValue(c, fieldShort)
	if err != nil {
		return flows.Stay(), err
	}
	c.Set(keyShort, v)
	c.Say("admin.ask_municipality")
	return flows.Goto(stepOrgMunicipality), nil
}

func (f *Flow) addMunicipality(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := textValue(c, fieldMunicipality)
	if err != nil {
		return flows.Stay(), err
	}
	c.Set(keyMunicipality, v)
	c.Reply(c.T("admin.ask_status"), bot.Keyboard{{
		c.Button("admin.btn.member", flows.CB(cbAdm, "newst", statusMember)),
		c.Button("admin.btn.candidate", flows.CB(cbAdm, "newst", statusCandidate)),
	}})
	return flows.Goto(stepOrgStatus), nil
}

// addStatus takes the draft's status and shows the summary:
// adm:newst:<1 member|2 candidate>.
func (f *Flow) addStatus(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := argInts(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	status, ok := statusOf(ids[0])
	if !ok || c.Step() != stepOrgStatus {
		return flows.Stay(), flows.ErrStale
	}
	c.Set(keyStatus, string(status))
	c.Edit(c.T("admin.ask_status")+"\n"+c.T("admin.status_chosen", "Status", statusName(c, status)), nil)
	return f.summary(c)
}

// draft is the organisation being added, from the session; ok is false
// when a value is missing (the session was lost or tampered with).
func draft(c *flows.Context) (o storage.Organisation, ok bool) {
	o = storage.Organisation{
		Name:         c.Get(keyName),
		ShortName:    c.Get(keyShort),
		Municipality: c.Get(keyMunicipality),
		Status:       storage.OrgStatus(c.Get(keyStatus)),
	}
	ok = o.Name != "" && o.ShortName != "" && o.Municipality != "" &&
		(o.Status == storage.OrgMember || o.Status == storage.OrgCandidate)
	return o, ok
}

// summary shows the complete draft with «Сохранить» and «Отмена».
func (f *Flow) summary(c *flows.Context) (flows.Next, error) {
	o, ok := draft(c)
	if !ok {
		return sessionLost(c)
	}
	c.Set(keyReview, "1")
	c.Reply(summaryText(c, o), bot.Keyboard{{
		c.Button("admin.btn.save", flows.CB(cbAdm, "save", "yes")),
		c.Button("common.btn.cancel", flows.CB(cbAdm, "save", "no")),
	}})
	return flows.Goto(stepOrgSave), nil
}

func summaryText(c *flows.Context, o storage.Organisation) string {
	return c.T("admin.summary", "Name", o.Name, "Short", o.ShortName, "Municipality", o.Municipality,
		"Status", statusName(c, o.Status))
}

// addSave saves the draft or drops it: adm:save:<yes|no>. A taken name
// sends the person back to the name alone; the other values stay.
func (f *Flow) addSave(ctx context.Context, c *flows.Context) (flows.Next, error) {
	arg := c.Callback.Arg
	if arg != "yes" && arg != "no" {
		return flows.Stay(), flows.ErrStale
	}
	o, ok := draft(c)
	if c.Step() != stepOrgSave || !ok {
		return flows.Stay(), flows.ErrStale
	}
	if arg == "no" {
		c.Edit(summaryText(c, o)+"\n\n"+c.T("admin.add_cancelled"), nil)
		return flows.End(), nil
	}
	saved, err := f.Store.CreateOrganisation(ctx, c.Actor.PersonID(), o)
	if errors.Is(err, storage.ErrConflict) {
		c.Edit(summaryText(c, o)+"\n\n"+c.T("admin.not_saved_mark"), nil)
		c.Say("admin.org_exists")
		c.Say("admin.ask_name")
		return flows.Goto(stepOrgName), nil
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("onboarding: add organisation: %w", err)
	}
	c.Edit(summaryText(c, o)+"\n\n"+c.T("admin.saved_mark"), nil)
	text, kb, err := f.card(ctx, c, saved)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(text, kb)
	c.Say("admin.org_added")
	return flows.End(), nil
}

// editField asks for a new value of a text field: adm:edit:<org>.<field>.
func (f *Flow) editField(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := argInts(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	label, ok := fieldLabels[ids[1]]
	if !ok {
		return flows.Stay(), flows.ErrStale
	}
	if !c.Actor.CanIn(flows.ManageOrganisations, ids[0]) {
		return flows.Stay(), flows.ErrForbidden
	}
	o, err := f.findOrg(ctx, ids[0])
	if err != nil {
		return flows.Stay(), err
	}
	text, _, err := f.card(ctx, c, o)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text+"\n\n"+c.T("admin.editing", "Field", c.T(label)), nil)
	c.Say("admin.ask_new_value", "Field", c.T(label), "Value", orEmpty(c, fieldValue(o, ids[1])))
	c.Clear()
	c.SetInt(keyOrg, o.ID)
	c.SetInt(keyField, ids[1])
	return flows.Goto(stepOrgEdit), nil
}

func fieldValue(o storage.Organisation, field int64) string {
	switch field {
	case fieldName:
		return o.Name
	case fieldShort:
		return o.ShortName
	}
	return o.Municipality
}

// editValue saves the typed value of the field chosen in editField and
// shows the card again.
func (f *Flow) editValue(ctx context.Context, c *flows.Context) (flows.Next, error) {
	field, id := c.GetInt(keyField), c.GetInt(keyOrg)
	if _, ok := fieldLabels[field]; !ok || id == 0 {
		return sessionLost(c)
	}
	if !c.Actor.CanIn(flows.ManageOrganisations, id) {
		return flows.Stay(), flows.ErrForbidden
	}
	v, err := textValue(c, field)
	if err != nil {
		return flows.Stay(), err
	}
	o, err := f.findOrg(ctx, id)
	if errors.Is(err, flows.ErrStale) {
		c.Say("admin.org_gone")
		return flows.End(), nil
	}
	if err != nil {
		return flows.Stay(), err
	}
	switch field {
	case fieldName:
		o.Name = v
	case fieldShort:
		o.ShortName = v
	case fieldMunicipality:
		o.Municipality = v
	}
	err = f.Store.UpdateOrganisation(ctx, c.Actor.PersonID(), o)
	switch {
	case errors.Is(err, storage.ErrConflict):
		return flows.Stay(), flows.Invalid("admin.org_exists")
	case errors.Is(err, storage.ErrNotFound):
		c.Say("admin.org_gone")
		return flows.End(), nil
	case err != nil:
		return flows.Stay(), fmt.Errorf("onboarding: edit organisation %d: %w", o.ID, err)
	}
	text, kb, err := f.card(ctx, c, o)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(c.T("admin.org_saved")+"\n\n"+text, kb)
	return flows.End(), nil
}

// editStatus offers the two statuses: adm:estatus:<org>.
func (f *Flow) editStatus(ctx context.Context, c *flows.Context) (flows.Next, error) {
	o, err := f.pressedOrg(ctx, c, flows.ManageOrganisations)
	if err != nil {
		return flows.Stay(), err
	}
	text, _, err := f.card(ctx, c, o)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text+"\n\n"+c.T("admin.choose_status"), bot.Keyboard{
		{
			c.Button("admin.btn.member", flows.CB(cbAdm, "status", fmt.Sprintf("%d.%d", o.ID, statusMember))),
			c.Button("admin.btn.candidate", flows.CB(cbAdm, "status", fmt.Sprintf("%d.%d", o.ID, statusCandidate))),
		},
		{c.Button("common.btn.back", flows.CB(cbAdm, "org", o.ID))},
	})
	return flows.Stay(), nil
}

// setStatus changes an organisation's status: adm:status:<org>.<status>.
// A school that becomes a member loses its mentor: only candidates have
// one.
func (f *Flow) setStatus(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := argInts(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	status, ok := statusOf(ids[1])
	if !ok {
		return flows.Stay(), flows.ErrStale
	}
	if !c.Actor.CanIn(flows.ManageOrganisations, ids[0]) {
		return flows.Stay(), flows.ErrForbidden
	}
	o, err := f.findOrg(ctx, ids[0])
	if err != nil {
		return flows.Stay(), err
	}
	notes := []string{c.T("admin.org_saved")}
	if status == storage.OrgMember && o.MentorID != 0 {
		if err := f.Store.SetMentor(ctx, c.Actor.PersonID(), o.ID, 0); err != nil {
			return flows.Stay(), fmt.Errorf("onboarding: clear mentor of %d: %w", o.ID, err)
		}
		o.MentorID = 0
		notes = append(notes, c.T("admin.status_member_note"))
	}
	o.Status = status
	if err := f.Store.UpdateOrganisation(ctx, c.Actor.PersonID(), o); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return flows.Stay(), flows.ErrStale
		}
		return flows.Stay(), fmt.Errorf("onboarding: set status of %d: %w", o.ID, err)
	}
	text, kb, err := f.card(ctx, c, o)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(strings.Join(notes, "\n")+"\n\n"+text, kb)
	return flows.Stay(), nil
}

// mentorList offers the member organisations as mentors of a candidate:
// adm:mentor:<candidate>.<page>.
func (f *Flow) mentorList(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := argInts(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	if !c.Actor.CanIn(flows.PairMentors, ids[0]) {
		return flows.Stay(), flows.ErrForbidden
	}
	o, err := f.findOrg(ctx, ids[0])
	if err != nil {
		return flows.Stay(), err
	}
	if o.Status != storage.OrgCandidate {
		return flows.Stay(), flows.ErrStale
	}
	all, err := f.Store.ListOrganisations(ctx)
	if err != nil {
		return flows.Stay(), fmt.Errorf("onboarding: list organisations: %w", err)
	}
	var members []storage.Organisation
	for _, x := range all {
		if x.Status == storage.OrgMember && x.ID != o.ID {
			members = append(members, x)
		}
	}
	from, to, p, count := flows.Pages(int64(len(members)), pageSize, ids[1])
	var kb bot.Keyboard
	for _, m := range members[from:to] {
		kb = append(kb, []bot.Button{{Text: orgName(c, m), Data: flows.CB(cbAdm, "setm", fmt.Sprintf("%d.%d", o.ID, m.ID))}})
	}
	if row := c.PageNav(p, count, func(n int64) string { return flows.CB(cbAdm, "mentor", fmt.Sprintf("%d.%d", o.ID, n)) }); row != nil {
		kb = append(kb, row)
	}
	if o.MentorID != 0 {
		kb = append(kb, []bot.Button{c.Button("admin.btn.no_mentor", flows.CB(cbAdm, "nomentor", o.ID))})
	}
	kb = append(kb, []bot.Button{c.Button("common.btn.back", flows.CB(cbAdm, "org", o.ID))})
	text := c.T("admin.choose_mentor", "Org", orgName(c, o))
	if len(members) == 0 {
		text = c.T("admin.no_members")
	}
	c.Edit(text+c.PageLine(p, count), kb)
	return flows.Stay(), nil
}

// setMentor pairs a candidate with a member school:
// adm:setm:<candidate>.<mentor>.
func (f *Flow) setMentor(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := argInts(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	if !c.Actor.CanIn(flows.PairMentors, ids[0]) || !c.Actor.CanIn(flows.PairMentors, ids[1]) {
		return flows.Stay(), flows.ErrForbidden
	}
	o, err := f.findOrg(ctx, ids[0])
	if err != nil {
		return flows.Stay(), err
	}
	m, err := f.findOrg(ctx, ids[1])
	if err != nil {
		return flows.Stay(), err
	}
	// The list was drawn earlier: either school may have changed status
	// since, and a school never mentors itself.
	if o.Status != storage.OrgCandidate || m.Status != storage.OrgMember || m.ID == o.ID {
		return flows.Stay(), flows.ErrStale
	}
	return f.pairMentor(ctx, c, o, m.ID, "admin.mentor_set")
}

// clearMentor removes a candidate's mentor: adm:nomentor:<candidate>.
func (f *Flow) clearMentor(ctx context.Context, c *flows.Context) (flows.Next, error) {
	o, err := f.pressedOrg(ctx, c, flows.PairMentors)
	if err != nil {
		return flows.Stay(), err
	}
	return f.pairMentor(ctx, c, o, 0, "admin.mentor_cleared")
}

func (f *Flow) pairMentor(ctx context.Context, c *flows.Context, o storage.Organisation, mentorID int64, noteID string) (flows.Next, error) {
	err := f.Store.SetMentor(ctx, c.Actor.PersonID(), o.ID, mentorID)
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrConflict) {
		return flows.Stay(), flows.ErrStale
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("onboarding: set mentor of %d: %w", o.ID, err)
	}
	o.MentorID = mentorID
	text, kb, err := f.card(ctx, c, o)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(c.T(noteID)+"\n\n"+text, kb)
	return flows.Stay(), nil
}
