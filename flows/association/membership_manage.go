package association

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// Actions of the chair's and the secretary's side.
const (
	mbList   = "list"   // mb:list:                 the open applications
	mbApp    = "app"    // mb:app:<app>             an application's card
	mbFiles  = "files"  // mb:files:<app>           its files, sent
	mbAgenda = "agenda" // mb:agenda:<app>          the meetings to put it on
	mbSched  = "sched"  // mb:sched:<app>.<meeting> put it on that meeting's agenda
	mbExNew  = "exnew"  // mb:exnew:                an exclusion case: the organisations
	mbExOrg  = "exorg"  // mb:exorg:<org>           open the case on this one
	mbExCont = "excont" // mb:excont:<app>          continue the case
	mbExSend = "exsend" // mb:exsend:<app>          submit the case
	mbExDrop = "exdrop" // mb:exdrop:<app>          withdraw the case
	mbReg    = "reg"    // mb:reg:                  the register of certificates
)

// stepMbExReason is the grounds of an exclusion case.
const stepMbExReason = "association:mb.exreason"

// listLimit is how many applications and certificates a screen shows.
const listLimit = 30

func (m *Membership) registerManage(r *flows.Router) {
	p := flows.ManageMembership
	r.Command(flows.Command{Name: "applications", Help: "association.mb.cmd_help", Perm: p, Handler: m.list})
	r.Menu(flows.MenuItem{Label: "association.mb.apps_menu", Perm: p, Handler: m.list})
	r.Callback(mbcb, mbList, p, m.pressList)
	r.Callback(mbcb, mbApp, p, m.pressApp)
	r.Callback(mbcb, mbFiles, p, m.pressFiles)
	r.Callback(mbcb, mbAgenda, p, m.pressAgenda)
	r.Callback(mbcb, mbSched, p, m.pressSched)
	r.Callback(mbcb, mbExNew, p, m.pressExNew)
	r.Callback(mbcb, mbExOrg, p, m.pressExOrg)
	r.Callback(mbcb, mbExCont, p, m.pressExCont)
	r.Callback(mbcb, mbExSend, p, m.pressExSend)
	r.Callback(mbcb, mbExDrop, p, m.pressExDrop)
	r.Callback(mbcb, mbReg, p, m.pressReg)
	r.Step(stepMbExReason, p, m.inputExReason)
}

// list is the menu item and /applications.
func (m *Membership) list(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text, kb, err := m.listScreen(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(text, kb)
	return flows.End(), nil
}

func (m *Membership) pressList(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text, kb, err := m.listScreen(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.End(), nil
}

// listScreen: the submitted applications and exclusion cases (those on an
// agenda marked), the ways to an exclusion case and the register.
func (m *Membership) listScreen(ctx context.Context, c *flows.Context) (string, bot.Keyboard, error) {
	apps, err := m.Store.OpenApplications(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("membership: open applications: %w", err)
	}
	var kb bot.Keyboard
	for i, a := range apps {
		if i == listLimit {
			break
		}
		label := "association.mb.list.item"
		switch {
		case a.Status == storage.ApplicationDraft:
			label = "association.mb.list.item_draft"
		case a.AgendaItemID != 0:
			label = "association.mb.list.item_scheduled"
		}
		kb = append(kb, []bot.Button{{Text: c.T(label, "Kind", c.T("association.mb.kind_short."+string(a.Kind)), "Org", clip(a.OrgName, 30)),
			Data: flows.CB(mbcb, mbApp, a.ID)}})
	}
	kb = append(kb, []bot.Button{c.Button("association.mb.btn.exclude", flows.CB(mbcb, mbExNew, nil)),
		c.Button("association.mb.btn.register", flows.CB(mbcb, mbReg, nil))})
	text := c.L.N("association.mb.list.head", len(apps))
	if len(apps) == 0 {
		text = c.T("association.mb.list.empty")
	}
	return text, kb, nil
}

// clip shortens s to n characters with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// managedApplication loads an application for the chair's buttons:
// association-wide, so any school's; drafts are the schools' own, except
// exclusion cases.
func (m *Membership) managedApplication(ctx context.Context, id int64) (storage.MembershipApplication, error) {
	a, err := m.Store.FindApplication(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return a, flows.ErrStale
	}
	if err != nil {
		return a, fmt.Errorf("membership: application %d: %w", id, err)
	}
	if a.Status == storage.ApplicationDraft && a.Kind != storage.KindExclude {
		return a, flows.ErrStale
	}
	return a, nil
}

// pressApp shows an application's card.
func (m *Membership) pressApp(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := mbArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	a, err := m.managedApplication(ctx, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := m.card(ctx, c, a)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.End(), nil
}

func (m *Membership) card(ctx context.Context, c *flows.Context, a storage.MembershipApplication) (string, bot.Keyboard, error) {
	files, err := m.Store.ApplicationFiles(ctx, a.ID)
	if err != nil {
		return "", nil, fmt.Errorf("membership: files of %d: %w", a.ID, err)
	}
	status, err := m.statusLine(ctx, c, a)
	if err != nil {
		return "", nil, err
	}
	text := describe(c, a, files) + "\n\n" + status
	var kb bot.Keyboard
	if len(files) > 0 {
		kb = append(kb, []bot.Button{{Text: c.L.N("association.mb.btn.files", len(files)), Data: flows.CB(mbcb, mbFiles, a.ID)}})
	}
	switch {
	case a.Status == storage.ApplicationDraft:
		kb = append(kb, []bot.Button{c.Button("association.mb.btn.continue", flows.CB(mbcb, mbExCont, a.ID)),
			c.Button("association.mb.btn.drop", flows.CB(mbcb, mbExDrop, a.ID))})
	case a.Status == storage.ApplicationSubmitted && a.AgendaItemID == 0:
		kb = append(kb, []bot.Button{c.Button("association.mb.btn.agenda", flows.CB(mbcb, mbAgenda, a.ID))})
		if a.Kind == storage.KindExclude {
			kb = append(kb, []bot.Button{c.Button("association.mb.btn.drop", flows.CB(mbcb, mbExDrop, a.ID))})
		}
	}
	kb = append(kb, []bot.Button{c.Button("association.mb.btn.to_list", flows.CB(mbcb, mbList, nil))})
	return text, kb, nil
}

// pressFiles sends the application's files as the director sent them.
func (m *Membership) pressFiles(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := mbArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	a, err := m.managedApplication(ctx, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	files, err := m.Store.ApplicationFiles(ctx, a.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("membership: files of %d: %w", a.ID, err)
	}
	if len(files) == 0 {
		return flows.Stay(), flows.ErrStale
	}
	for _, f := range files {
		c.Send(bot.Document{ChatID: c.Chat(), Name: f.Name, FileID: f.FileID,
			Caption: c.T("association.mb.file_caption", "Doc", c.T("association.mb.doc."+string(f.Doc)), "Org", a.OrgName)})
	}
	return flows.Stay(), nil
}

// pressAgenda lists the meetings (drafts and sent) the application can
// be put on.
func (m *Membership) pressAgenda(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := mbArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	a, err := m.managedApplication(ctx, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	if a.Status != storage.ApplicationSubmitted || a.AgendaItemID != 0 {
		return flows.Stay(), flows.ErrStale
	}
	ms, err := m.Store.OpenMeetings(ctx)
	if err != nil {
		return flows.Stay(), fmt.Errorf("membership: open meetings: %w", err)
	}
	var kb bot.Keyboard
	for i, mt := range ms {
		if i == listLimit {
			break
		}
		label := "association.mb.meeting." + string(mt.Status)
		kb = append(kb, []bot.Button{{Text: c.T(label, "When", c.L.DateTime(mt.StartsAt.In(m.loc()))),
			Data: flows.CB(mbcb, mbSched, fmt.Sprintf("%d.%d", a.ID, mt.ID))}})
	}
	kb = append(kb, []bot.Button{c.Button("association.mb.btn.back", flows.CB(mbcb, mbApp, a.ID))})
	text := c.T("association.mb.agenda.ask", "Title", agendaTitle(c, a))
	if len(ms) == 0 {
		text = c.T("association.mb.agenda.none")
	}
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// agendaTitle is the agenda item deciding an application.
func agendaTitle(c *flows.Context, a storage.MembershipApplication) string {
	return c.T("association.mb.agenda.title."+string(a.Kind), "Org", a.OrgName)
}

// pressSched puts the application on the meeting's agenda.
func (m *Membership) pressSched(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := mbArgs(c, 2)
	if err != nil || v[1] == 0 {
		return flows.Stay(), flows.ErrStale
	}
	a, err := m.managedApplication(ctx, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	item, err := m.Store.ScheduleApplication(ctx, c.Actor.PersonID(), a.ID, v[1], agendaTitle(c, a))
	if err != nil {
		return flows.Stay(), mbStoreErr(err, "schedule %d on %d", a.ID, v[1])
	}
	mt, err := m.Store.FindMeeting(ctx, v[1])
	if err != nil {
		return flows.Stay(), fmt.Errorf("membership: meeting %d: %w", v[1], err)
	}
	if a, err = m.Store.FindApplication(ctx, a.ID); err != nil {
		return flows.Stay(), fmt.Errorf("membership: application %d: %w", a.ID, err)
	}
	text, kb, err := m.card(ctx, c, a)
	if err != nil {
		return flows.Stay(), err
	}
	note := "association.mb.agenda.added"
	if mt.Status == storage.MeetingSent {
		note = "association.mb.agenda.added_sent"
	}
	c.Edit(c.T(note, "N", item.Position, "When", c.L.DateTime(mt.StartsAt.In(m.loc())))+"\n\n"+text, kb)
	if a.Kind != storage.KindExclude {
		if err := m.tellDirectors(ctx, c, a.OrgID, c.T("association.mb.scheduled_note",
			"Kind", c.T("association.mb.kind."+string(a.Kind)), "When", c.L.DateTime(mt.StartsAt.In(m.loc())))); err != nil {
			return flows.Stay(), err
		}
	}
	return flows.Stay(), nil
}

// tellDirectors sends text to the active directors of an organisation.
func (m *Membership) tellDirectors(ctx context.Context, c *flows.Context, orgID int64, text string) error {
	chats, err := m.directorChats(ctx, orgID)
	if err != nil {
		return err
	}
	for _, chat := range chats {
		c.Send(bot.Text{ChatID: chat, Text: text})
	}
	return nil
}

func (m *Membership) directorChats(ctx context.Context, orgID int64) ([]int64, error) {
	ps, err := m.Store.ListPeople(ctx, orgID, storage.RoleDirector)
	if err != nil {
		return nil, fmt.Errorf("membership: directors of %d: %w", orgID, err)
	}
	var out []int64
	for _, p := range ps {
		if p.Active && p.TelegramID != 0 && holds(p, storage.RoleDirector, orgID) {
			out = append(out, p.TelegramID)
		}
	}
	return out, nil
}

// holds reports whether p holds role in orgID itself.
func holds(p storage.PersonRoles, role storage.Role, orgID int64) bool {
	for _, g := range p.Roles {
		if g.Role == role && g.OrgID == orgID {
			return true
		}
	}
	return false
}

// pressExNew lists the members and candidates an exclusion case can be
// opened on.
func (m *Membership) pressExNew(ctx context.Context, c *flows.Context) (flows.Next, error) {
	orgs, err := m.Store.ListOrganisations(ctx)
	if err != nil {
		return flows.Stay(), fmt.Errorf("membership: organisations: %w", err)
	}
	var kb bot.Keyboard
	for _, o := range orgs {
		if o.Status != storage.OrgMember && o.Status != storage.OrgCandidate {
			continue
		}
		name := o.ShortName
		if name == "" {
			name = o.Name
		}
		kb = append(kb, []bot.Button{{Text: clip(name, 40), Data: flows.CB(mbcb, mbExOrg, o.ID)}})
	}
	kb = append(kb, []bot.Button{c.Button("association.mb.btn.to_list", flows.CB(mbcb, mbList, nil))})
	c.Edit(c.T("association.mb.ex.ask_org"), kb)
	return flows.Stay(), nil
}

// pressExOrg opens an exclusion case on the organisation (or continues
// the open one) and asks for its grounds.
func (m *Membership) pressExOrg(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := mbArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	a, err := m.Store.CreateApplication(ctx, c.Actor.PersonID(), v[0], storage.KindExclude)
	if err != nil {
		return flows.Stay(), mbStoreErr(err, "exclusion of %d", v[0])
	}
	return m.askEx(c, a)
}

// askEx asks for the case's grounds, or shows it for review.
func (m *Membership) askEx(c *flows.Context, a storage.MembershipApplication) (flows.Next, error) {
	c.Clear()
	c.SetInt(mbKeyApp, a.ID)
	if a.Reason == "" {
		c.Reply(c.T("association.mb.ex.ask_reason", "Org", a.OrgName), nil)
		return flows.Goto(stepMbExReason), nil
	}
	c.Reply(c.T("association.mb.ex.review")+"\n\n"+describe(c, a, nil), bot.Keyboard{
		{c.Button("association.mb.btn.ex_send", flows.CB(mbcb, mbExSend, a.ID))},
		{c.Button("association.mb.btn.drop", flows.CB(mbcb, mbExDrop, a.ID))},
	})
	return flows.End(), nil
}

// exclusion loads an exclusion case in one of the statuses given.
func (m *Membership) exclusion(ctx context.Context, id int64, allowed ...storage.ApplicationStatus) (storage.MembershipApplication, error) {
	a, err := m.managedApplication(ctx, id)
	if err != nil {
		return a, err
	}
	if a.Kind != storage.KindExclude {
		return a, flows.ErrStale
	}
	for _, st := range allowed {
		if a.Status == st {
			return a, nil
		}
	}
	return a, flows.ErrStale
}

func (m *Membership) pressExCont(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := mbArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	a, err := m.exclusion(ctx, v[0], storage.ApplicationDraft)
	if err != nil {
		return flows.Stay(), err
	}
	return m.askEx(c, a)
}

// inputExReason keeps the grounds of the case.
func (m *Membership) inputExReason(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text := cleanText(c.Update.Text)
	if text == "" || c.Update.Document != nil || c.Update.Photo != nil {
		return flows.Stay(), flows.Invalid("association.mb.reason_text")
	}
	if len([]rune(text)) > storage.MaxApplicationText {
		return flows.Stay(), flows.Invalid("association.mb.too_long", "Max", storage.MaxApplicationText)
	}
	a, err := m.exclusion(ctx, c.GetInt(mbKeyApp), storage.ApplicationDraft)
	if err != nil {
		return stepGone(c, err)
	}
	a.Reason = text
	a, err = m.Store.UpdateApplication(ctx, c.Actor.PersonID(), a)
	if err != nil {
		return stepGone(c, mbStoreErr(err, "update exclusion %d", a.ID))
	}
	return m.askEx(c, a)
}

// pressExSend submits the case; it goes to the list, to be put on an
// agenda.
func (m *Membership) pressExSend(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := mbArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	a, err := m.exclusion(ctx, v[0], storage.ApplicationDraft)
	if err != nil {
		return flows.Stay(), err
	}
	a, err = m.Store.SubmitApplication(ctx, c.Actor.PersonID(), a.ID)
	if errors.Is(err, storage.ErrInvalid) {
		return m.askEx(c, a)
	}
	if err != nil {
		return flows.Stay(), mbStoreErr(err, "submit exclusion %d", v[0])
	}
	text, kb, err := m.card(ctx, c, a)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(c.T("association.mb.ex.submitted")+"\n\n"+text, kb)
	return flows.End(), nil
}

// pressExDrop withdraws a case not on an agenda.
func (m *Membership) pressExDrop(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := mbArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	a, err := m.exclusion(ctx, v[0], storage.ApplicationDraft, storage.ApplicationSubmitted)
	if err != nil {
		return flows.Stay(), err
	}
	if err := m.Store.WithdrawApplication(ctx, c.Actor.PersonID(), a.ID); err != nil {
		return flows.Stay(), mbStoreErr(err, "withdraw exclusion %d", a.ID)
	}
	c.Edit(c.T("association.mb.ex.withdrawn", "Org", a.OrgName), bot.Keyboard{{c.Button("association.mb.btn.to_list", flows.CB(mbcb, mbList, nil))}})
	return flows.End(), nil
}

// pressReg shows the register of certificates, newest first.
func (m *Membership) pressReg(ctx context.Context, c *flows.Context) (flows.Next, error) {
	list, err := m.Store.ListCertificates(ctx)
	if err != nil {
		return flows.Stay(), fmt.Errorf("membership: certificates: %w", err)
	}
	lines := []string{c.L.N("association.mb.reg.head", len(list))}
	if len(list) == 0 {
		lines = []string{c.T("association.mb.reg.empty")}
	}
	for i, cert := range list {
		if i == listLimit {
			lines = append(lines, c.T("association.mb.reg.more", "N", len(list)-listLimit))
			break
		}
		lines = append(lines, c.T("association.mb.reg.item", "Number", cert.Label(), "Date", c.L.Date(cert.IssuedAt.In(m.loc())),
			"Org", cert.OrgName, "Kind", c.T("association.mb.kind_short."+string(cert.Kind))))
	}
	c.Edit(strings.Join(lines, "\n"), bot.Keyboard{{c.Button("association.mb.btn.to_list", flows.CB(mbcb, mbList, nil))}})
	return flows.Stay(), nil
}
