package audit

// Following a nonconformity to closure. The quality manager of the
// audited school opens the finding (from the closing report or the
// views), gives the cause found, the person responsible and a deadline,
// and the corrective action becomes a task of the school's programme,
// linked to the finding. When the task is reported done, a periodic job
// asks the audit's auditors to verify it: «Эффективно» closes the
// finding; «Не эффективно» asks for a comment and returns the task to its
// assignee with it, and the question comes again with the next report.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/locales"
	"smkbot/storage"
)

// The steps of the corrective action and the verification.
const (
	stepCause   = "audit:cause"   // the cause found
	stepDue     = "audit:due"     // a typed deadline
	stepComment = "audit:comment" // why the action was not effective
)

// Session keys of the corrective action.
const (
	keyCause = "au.cause" // the cause found
	keyWho   = "au.who"   // the person responsible
	keyDue   = "au.due"   // the deadline, yyyymmdd
)

const (
	// verifyJob asks auditors to verify actions reported done.
	verifyJob   = "audit-verify"
	verifyEvery = time.Minute
	// verifyBatch bounds one run's claims; the next run takes the rest.
	verifyBatch = 200
	maxCause    = 1000
	maxComment  = 1000
	// whoPage is how many people the choice of the responsible shows.
	whoPage = 8
)

// registerActions adds the finding card, the corrective action's
// conversation and the verification.
func (f *Flow) registerActions(r *flows.Router) {
	// The card is open to the school's viewers and the audit's auditors:
	// the handler decides.
	r.Callback(cb, actView, flows.Registered, f.pressView)
	for action, h := range map[string]flows.HandlerFunc{
		actAssign: f.pressAssign, actWho: f.pressWho, actWhoPage: f.pressWhoPage,
		actDue: f.pressDue, actAssignOK: f.pressAssignOK,
	} {
		r.Callback(cb, action, flows.ManageTasks, h)
	}
	r.Step(stepCause, flows.ManageTasks, f.inputCause)
	r.Step(stepDue, flows.ManageTasks, f.inputDue)
	r.Callback(cb, actEffective, flows.ConductAudits, f.pressEffective)
	r.Callback(cb, actNotEff, flows.ConductAudits, f.pressNotEffective)
	r.Step(stepComment, flows.ConductAudits, f.inputComment)
	l := r.Localizer()
	r.Schedule(flows.Job{Name: verifyJob, Every: verifyEvery, Run: func(ctx context.Context, now time.Time) ([]bot.Message, error) {
		return f.askVerifications(ctx, l, now)
	}})
}

// viewFinding loads the finding a button names for the card: the actor
// must view the audited school's findings or be one of the audit's
// auditors.
func (f *Flow) viewFinding(ctx context.Context, c *flows.Context, id int64) (storage.FindingView, storage.Audit, error) {
	v, err := f.Store.FindFindingView(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return v, storage.Audit{}, flows.ErrStale
	}
	if err != nil {
		return v, storage.Audit{}, fmt.Errorf("audit: finding %d: %w", id, err)
	}
	a, err := f.Store.FindAudit(ctx, v.AuditID)
	if err != nil {
		return v, a, fmt.Errorf("audit: audit %d: %w", v.AuditID, err)
	}
	if !c.Actor.CanIn(flows.ViewAudits, v.OrgID) && !auditor(c, a) {
		return v, a, flows.ErrForbidden
	}
	return v, a, nil
}

// manageFinding loads the finding a corrective-action button names: a
// nonconformity of a closed audit without an action yet, in a school whose
// programme the actor runs.
func (f *Flow) manageFinding(ctx context.Context, c *flows.Context, id int64) (storage.FindingView, error) {
	v, err := f.Store.FindFindingView(ctx, id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return v, flows.ErrStale
	case err != nil:
		return v, fmt.Errorf("audit: finding %d: %w", id, err)
	case !c.Actor.CanIn(flows.ManageTasks, v.OrgID):
		return v, flows.ErrForbidden
	case f.Tasks == nil || !assignable(v):
		return v, flows.ErrStale
	}
	return v, nil
}

// assignable reports whether a corrective action can be assigned to the
// finding now: a nonconformity of a closed audit, still open.
func assignable(v storage.FindingView) bool {
	return v.Kind.Class() == storage.ClassNonconformity && v.Status == storage.FindingOpen && v.TaskID == 0
}

// pressView shows a finding of a closed audit with its corrective action.
func (f *Flow) pressView(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	fv, a, err := f.viewFinding(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.viewCard(ctx, c, fv, a)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// viewCard is a finding as its school follows it: what was found, its
// status, and the corrective action when there is one.
func (f *Flow) viewCard(ctx context.Context, c *flows.Context, v storage.FindingView, a storage.Audit) (string, bot.Keyboard, error) {
	o, err := f.Store.FindOrganisationByID(ctx, v.OrgID)
	if err != nil {
		return "", nil, fmt.Errorf("audit: organisation %d: %w", v.OrgID, err)
	}
	lines := []string{
		c.T("audit.finding_head", "Number", findingNumber(c, v.Finding), "Kind", c.T("audit.kind."+string(v.Kind))),
		c.T("audit.action.of_audit", "Number", auditNumber(a), "Org", o.ShortName, "Area", a.Area, "Date", f.day(c, a.Date)),
	}
	if v.Requirement != "" {
		lines = append(lines, c.T("audit.finding_req", "Req", v.Requirement))
	}
	if v.Place != "" {
		lines = append(lines, c.T("audit.finding_place", "Place", v.Place))
	}
	lines = append(lines, "", v.Description, "", c.T("audit.status."+string(v.Status)))
	if v.TaskID != 0 {
		more, err := f.actionLines(ctx, c, v)
		if err != nil {
			return "", nil, err
		}
		lines = append(lines, more...)
	}
	var kb bot.Keyboard
	if f.Tasks != nil && assignable(v) && c.Actor.CanIn(flows.ManageTasks, v.OrgID) {
		kb = append(kb, []bot.Button{c.Button("audit.btn.assign", flows.CB(cb, actAssign, v.ID))})
	}
	if c.Actor.CanIn(flows.ViewAudits, v.OrgID) {
		kb = append(kb, []bot.Button{c.Button("audit.btn.to_open", flows.CB(cb, actViews, v.OrgID))})
	}
	return strings.Join(lines, "\n"), kb, nil
}

// actionLines describe a finding's corrective action: the task, who does
// it by when, the cause, and the last verification.
func (f *Flow) actionLines(ctx context.Context, c *flows.Context, v storage.FindingView) ([]string, error) {
	ca, err := f.Store.FindCorrectiveAction(ctx, v.ID)
	if err != nil {
		return nil, fmt.Errorf("audit: corrective action of %d: %w", v.ID, err)
	}
	t, as, err := f.Store.FindTask(ctx, ca.TaskID)
	if err != nil {
		return nil, fmt.Errorf("audit: task %d: %w", ca.TaskID, err)
	}
	var names []string
	for _, as := range as {
		p, _, err := f.Store.FindPersonByID(ctx, as.PersonID)
		if err != nil {
			return nil, fmt.Errorf("audit: person %d: %w", as.PersonID, err)
		}
		names = append(names, p.FullName)
	}
	lines := []string{"", c.T("audit.action.task", "Title", t.Title, "Who", strings.Join(names, ", "), "Due", c.L.Date(t.Due))}
	if ca.Cause != "" {
		lines = append(lines, c.T("audit.action.cause", "Cause", ca.Cause))
	}
	if ca.Effective != nil && !*ca.Effective {
		lines = append(lines, c.T("audit.action.not_effective", "Comment", ca.Comment))
	}
	return lines, nil
}

// pressAssign begins the corrective action: the cause found.
func (f *Flow) pressAssign(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	fv, err := f.manageFinding(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	c.SetInt(keyFinding, fv.ID)
	c.Reply(c.T("audit.action.ask_cause", "Number", findingNumber(c, fv.Finding), "Max", maxCause), nil)
	return flows.Goto(stepCause), nil
}

// stepAction is the finding whose corrective action the session is
// writing, checked again; ok is false when it no longer applies (the
// person is told).
func (f *Flow) stepAction(ctx context.Context, c *flows.Context) (storage.FindingView, bool, error) {
	fv, err := f.manageFinding(ctx, c, c.GetInt(keyFinding))
	switch {
	case errors.Is(err, flows.ErrStale), errors.Is(err, flows.ErrForbidden):
		c.Say("audit.action.gone")
		return fv, false, nil
	case err != nil:
		return fv, false, err
	}
	return fv, true, nil
}

// inputCause takes the cause and asks who is responsible.
func (f *Flow) inputCause(ctx context.Context, c *flows.Context) (flows.Next, error) {
	cause, ok, err := text(c, maxCause)
	if err != nil {
		return flows.Stay(), err
	}
	if !ok {
		return flows.Stay(), flows.Invalid("audit.action.cause_what")
	}
	fv, ok, err := f.stepAction(ctx, c)
	if err != nil || !ok {
		return flows.End(), err
	}
	c.Set(keyCause, cause)
	text, kb, err := f.whoScreen(ctx, c, fv, 1)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(text, kb)
	return flows.Stay(), nil
}

// people lists who may be responsible: the school's active people who
// can be reached, by name.
func (f *Flow) people(ctx context.Context, orgID int64) ([]storage.PersonRoles, error) {
	ps, err := f.Store.ListPeople(ctx, orgID, "")
	if err != nil {
		return nil, fmt.Errorf("audit: people of %d: %w", orgID, err)
	}
	return slices.DeleteFunc(ps, func(p storage.PersonRoles) bool { return !p.Active || p.OrgID != orgID }), nil
}

// whoScreen is a page of the people to choose the responsible from.
func (f *Flow) whoScreen(ctx context.Context, c *flows.Context, fv storage.FindingView, page int64) (string, bot.Keyboard, error) {
	ps, err := f.people(ctx, fv.OrgID)
	if err != nil {
		return "", nil, err
	}
	from, to, p, count := flows.Pages(int64(len(ps)), whoPage, page)
	var kb bot.Keyboard
	for _, person := range ps[from:to] {
		kb = append(kb, []bot.Button{{Text: clip(person.FullName, buttonText), Data: flows.CB(cb, actWho, fmt.Sprintf("%d.%d", fv.ID, person.ID))}})
	}
	if nav := c.PageNav(p, count, func(n int64) string { return flows.CB(cb, actWhoPage, fmt.Sprintf("%d.%d", fv.ID, n)) }); len(nav) > 0 {
		kb = append(kb, nav)
	}
	return c.T("audit.action.ask_who") + c.PageLine(p, count), kb, nil
}

// pressWhoPage shows another page of people.
func (f *Flow) pressWhoPage(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := flows.ArgInts(c.Callback.Arg)
	if err != nil || len(v) != 2 || v[0] == 0 || v[0] != c.GetInt(keyFinding) || c.Get(keyCause) == "" {
		return flows.Stay(), flows.ErrStale
	}
	fv, err := f.manageFinding(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.whoScreen(ctx, c, fv, v[1])
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// pressWho takes the responsible and asks for the deadline.
func (f *Flow) pressWho(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 2)
	if err != nil || v[0] != c.GetInt(keyFinding) || c.Get(keyCause) == "" {
		return flows.Stay(), flows.ErrStale
	}
	fv, err := f.manageFinding(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	ps, err := f.people(ctx, fv.OrgID)
	if err != nil {
		return flows.Stay(), err
	}
	i := slices.IndexFunc(ps, func(p storage.PersonRoles) bool { return p.ID == v[1] })
	if i < 0 {
		return flows.Stay(), flows.ErrStale
	}
	c.SetInt(keyWho, ps[i].ID)
	c.Edit(c.T("audit.action.who_chosen", "Name", ps[i].FullName), nil)
	today := f.today(c)
	kb := bot.Keyboard{}
	for _, d := range []time.Time{today.AddDate(0, 0, 14), today.AddDate(0, 1, 0)} {
		kb = append(kb, []bot.Button{{Text: c.T("audit.action.btn.due", "Date", c.L.DayMonth(d)), Data: flows.CB(cb, actDue, fmt.Sprintf("%d.%d", fv.ID, flows.DateKey(d)))}})
	}
	c.Reply(c.T("audit.action.ask_due"), kb)
	return flows.Goto(stepDue), nil
}

// today is the local date of now, at 00:00 in the association's zone.
func (f *Flow) today(c *flows.Context) time.Time {
	y, m, d := c.Now.In(f.loc()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, f.loc())
}

// pressDue takes a proposed deadline.
func (f *Flow) pressDue(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 2)
	if err != nil || v[0] != c.GetInt(keyFinding) || c.GetInt(keyWho) == 0 {
		return flows.Stay(), flows.ErrStale
	}
	d, ok := flows.KeyDate(v[1], f.loc())
	if !ok {
		return flows.Stay(), flows.ErrStale
	}
	return f.confirmAction(ctx, c, d)
}

// inputDue takes a typed deadline.
func (f *Flow) inputDue(ctx context.Context, c *flows.Context) (flows.Next, error) {
	d, err := f.typedDate(c)
	if err != nil {
		return flows.Stay(), err
	}
	return f.confirmAction(ctx, c, d)
}

// confirmAction shows the corrective action as it will be assigned.
func (f *Flow) confirmAction(ctx context.Context, c *flows.Context, due time.Time) (flows.Next, error) {
	if due.Before(f.today(c)) {
		return flows.Stay(), flows.Invalid("audit.action.due_passed")
	}
	fv, ok, err := f.stepAction(ctx, c)
	if err != nil || !ok {
		return flows.End(), err
	}
	who, _, err := f.Store.FindPersonByID(ctx, c.GetInt(keyWho))
	if err != nil {
		return flows.Stay(), fmt.Errorf("audit: person %d: %w", c.GetInt(keyWho), err)
	}
	c.SetInt(keyDue, flows.DateKey(due))
	c.Reply(c.T("audit.action.confirm", "Number", findingNumber(c, fv.Finding), "Who", who.FullName,
		"Due", c.L.Date(due), "Cause", c.Get(keyCause)), bot.Keyboard{
		{c.Button("audit.action.btn.assign", flows.CB(cb, actAssignOK, fv.ID))},
		{c.Button("audit.action.btn.back", flows.CB(cb, actView, fv.ID))},
	})
	return flows.Stay(), nil
}

// pressAssignOK places the corrective action in the school's programme.
func (f *Flow) pressAssignOK(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil || v[0] != c.GetInt(keyFinding) || c.GetInt(keyWho) == 0 || c.GetInt(keyDue) == 0 {
		return flows.Stay(), flows.ErrStale
	}
	fv, err := f.manageFinding(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	a, err := f.Store.FindAudit(ctx, fv.AuditID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("audit: audit %d: %w", fv.AuditID, err)
	}
	due, ok := flows.KeyDate(c.GetInt(keyDue), f.loc())
	if !ok {
		return flows.Stay(), flows.ErrStale
	}
	number := findingNumber(c, fv.Finding)
	cause := c.Get(keyCause)
	desc := []string{c.T("audit.action.task_finding", "Number", number, "Audit", auditNumber(a), "Area", a.Area), fv.Description}
	if fv.Requirement != "" {
		desc = append(desc, c.T("audit.finding_req", "Req", fv.Requirement))
	}
	desc = append(desc, c.T("audit.action.cause", "Cause", cause))
	t, err := f.Tasks.AssignTask(ctx, c, flows.TaskOrder{
		OrgID:       fv.OrgID,
		Direction:   c.T("audit.action.direction"),
		Title:       c.T("audit.action.task_title", "Number", number, "Audit", auditNumber(a), "Text", strings.TrimRight(clip(fv.Description, 80), ".")),
		Description: strings.Join(desc, "\n"),
		AssigneeID:  c.GetInt(keyWho),
		Due:         due,
		Link:        storage.TaskLink{FindingID: fv.ID, Cause: cause},
	})
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	fv, err = f.Store.FindFindingView(ctx, fv.ID)
	if err != nil {
		return flows.End(), fmt.Errorf("audit: finding %d: %w", fv.ID, err)
	}
	text, kb, err := f.viewCard(ctx, c, fv, a)
	if err != nil {
		return flows.End(), err
	}
	c.Edit(c.T("audit.action.assigned", "Title", t.Title), nil)
	c.Reply(text, kb)
	return flows.End(), nil
}

// askVerifications claims the corrective actions reported done and asks
// each audit's auditors to verify them.
func (f *Flow) askVerifications(ctx context.Context, l *locales.Localizer, now time.Time) ([]bot.Message, error) {
	vs, err := f.Store.ClaimVerifications(ctx, verifyBatch)
	if err != nil {
		return nil, fmt.Errorf("audit: claim verifications: %w", err)
	}
	var out []bot.Message
	for _, v := range vs {
		o, err := f.Store.FindOrganisationByID(ctx, v.OrgID)
		if err != nil {
			return out, fmt.Errorf("audit: organisation %d: %w", v.OrgID, err)
		}
		number := l.T("audit.num."+string(v.Kind.Class()), "Seq", v.Seq)
		text := l.T("audit.verify.ask", "Number", number, "Audit", fmt.Sprintf("%d-%d", v.AuditYear, v.AuditNumber),
			"Org", o.ShortName, "Area", v.Area, "Text", clip(v.Description, 300), "Title", v.TaskTitle, "Cause", v.Cause)
		kb := bot.Keyboard{
			{{Text: l.T("audit.verify.btn.yes"), Data: flows.CB(cb, actEffective, v.ID)},
				{Text: l.T("audit.verify.btn.no"), Data: flows.CB(cb, actNotEff, v.ID)}},
		}
		for _, id := range append([]int64{v.LeadID}, v.CoAuditors...) {
			p, _, err := f.Store.FindPersonByID(ctx, id)
			if err != nil {
				return out, fmt.Errorf("audit: auditor %d: %w", id, err)
			}
			if p.Active && p.TelegramID != 0 {
				out = append(out, bot.Text{ChatID: p.TelegramID, Text: text, Buttons: kb})
			}
		}
	}
	return out, nil
}

// verifyFinding loads the finding a verification button names: its
// audit's auditor presses it, and it awaits verification.
func (f *Flow) verifyFinding(ctx context.Context, c *flows.Context, id int64) (storage.FindingView, storage.Audit, error) {
	fv, a, err := f.viewFinding(ctx, c, id)
	if err != nil {
		return fv, a, err
	}
	if !auditor(c, a) {
		return fv, a, flows.ErrForbidden
	}
	if fv.Status != storage.FindingAction || fv.TaskID == 0 {
		return fv, a, flows.ErrStale
	}
	return fv, a, nil
}

// pressEffective closes the finding.
func (f *Flow) pressEffective(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	fv, a, err := f.verifyFinding(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	if _, err := f.Store.VerifyAction(ctx, c.Actor.PersonID(), fv.ID, true, ""); errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrNotFound) {
		return flows.Stay(), flows.ErrStale
	} else if err != nil {
		return flows.Stay(), fmt.Errorf("audit: verify %d: %w", fv.ID, err)
	}
	number := findingNumber(c, fv.Finding)
	c.Edit(c.T("audit.verify.closed", "Number", number, "Audit", auditNumber(a)), nil)
	return flows.Stay(), f.tellManagers(ctx, c, fv, c.T("audit.verify.to_manager_closed", "Number", number, "Audit", auditNumber(a)))
}

// pressNotEffective asks why the action was not effective.
func (f *Flow) pressNotEffective(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	fv, _, err := f.verifyFinding(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	c.SetInt(keyFinding, fv.ID)
	c.Reply(c.T("audit.verify.ask_comment", "Number", findingNumber(c, fv.Finding), "Max", maxComment), nil)
	return flows.Goto(stepComment), nil
}

// inputComment takes why the action was not effective: the task goes back
// to its assignee with the comment, then the finding is reopened. In this
// order, a failure between the two leaves the finding awaiting
// verification, to be asked again, never a reopened finding whose task
// nobody is working on.
func (f *Flow) inputComment(ctx context.Context, c *flows.Context) (flows.Next, error) {
	comment, ok, err := text(c, maxComment)
	if err != nil {
		return flows.Stay(), err
	}
	if !ok {
		return flows.Stay(), flows.Invalid("audit.verify.comment_what")
	}
	fv, a, err := f.verifyFinding(ctx, c, c.GetInt(keyFinding))
	if errors.Is(err, flows.ErrStale) || errors.Is(err, flows.ErrForbidden) {
		c.Say("audit.verify.gone")
		return flows.End(), nil
	}
	if err != nil {
		return flows.Stay(), err
	}
	if f.Tasks != nil {
		if err := f.Tasks.ReturnTask(ctx, c, fv.TaskID, comment); err != nil {
			return flows.Stay(), err
		}
	}
	if _, err := f.Store.VerifyAction(ctx, c.Actor.PersonID(), fv.ID, false, comment); errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrNotFound) {
		c.Say("audit.verify.gone")
		return flows.End(), nil
	} else if err != nil {
		return flows.Stay(), fmt.Errorf("audit: verify %d: %w", fv.ID, err)
	}
	number := findingNumber(c, fv.Finding)
	c.Say("audit.verify.reopened", "Number", number, "Audit", auditNumber(a))
	return flows.End(), f.tellManagers(ctx, c, fv, c.T("audit.verify.to_manager_reopened", "Number", number, "Audit", auditNumber(a), "Comment", comment))
}

// tellManagers sends the audited school's quality managers a line about a
// finding, with its card's button.
func (f *Flow) tellManagers(ctx context.Context, c *flows.Context, fv storage.FindingView, text string) error {
	ps, err := f.Store.ListPeople(ctx, fv.OrgID, storage.RoleQualityManager)
	if err != nil {
		return fmt.Errorf("audit: managers of %d: %w", fv.OrgID, err)
	}
	for _, p := range ps {
		if p.Active && p.TelegramID != 0 && p.TelegramID != c.Chat() {
			c.Send(bot.Text{ChatID: p.TelegramID, Text: text, Buttons: bot.Keyboard{
				{c.Button("audit.btn.open_finding", flows.CB(cb, actView, fv.ID))},
			}})
		}
	}
	return nil
}
