// Package audit is the internal auditor's side of audits: starting an audit
// of the auditor's own school or of a candidate school it mentors, logging
// findings quickly on site (kind, requirement, description, photos, place),
// editing and deleting them while the audit is open, and closing it, which
// sends the audited school's quality managers a summary, a PDF report with
// the photos and an XLSX of the findings.
//
// Records are the truth: a finding is stored as soon as its description is
// given, and each photo is attached the moment it arrives, so a lost session
// loses nothing typed. Every button names the audit or finding it acts on
// and is checked again on each press: the presser must lead the audit or be
// one of its co-auditors, and the audit must still be open.
package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// Store is what the audit flow reads and writes; *storage.Store implements
// it.
type Store interface {
	CreateAudit(ctx context.Context, actorID int64, a storage.Audit) (storage.Audit, error)
	FindAudit(ctx context.Context, id int64) (storage.Audit, error)
	OpenAuditOf(ctx context.Context, personID int64) (storage.Audit, error)
	CloseAudit(ctx context.Context, actorID, id int64) error
	ListAuditAreas(ctx context.Context, orgID int64) ([]storage.AuditArea, error)
	AddAuditArea(ctx context.Context, actorID, orgID int64, name string) (storage.AuditArea, error)
	AddFinding(ctx context.Context, actorID int64, f storage.Finding) (storage.Finding, error)
	FindFinding(ctx context.Context, id int64) (storage.Finding, error)
	UpdateFinding(ctx context.Context, actorID int64, f storage.Finding) (storage.Finding, error)
	DeleteFinding(ctx context.Context, actorID, id int64) error
	ListFindings(ctx context.Context, auditID int64) ([]storage.Finding, error)
	OpenFindingsOf(ctx context.Context, orgID int64) (storage.Audit, []storage.Finding, error)
	SaveAttachment(ctx context.Context, data []byte, name, mime string) (storage.Attachment, error)
	AttachToFinding(ctx context.Context, actorID, findingID, attachmentID int64, kind storage.AttachmentKind, position int) error
	FindingAttachments(ctx context.Context, findingID int64, withData bool) ([]storage.FindingAttachment, error)
	FindOrganisationByID(ctx context.Context, id int64) (storage.Organisation, error)
	ListOrganisations(ctx context.Context) ([]storage.Organisation, error)
	ListPeople(ctx context.Context, orgID int64, role storage.Role) ([]storage.PersonRoles, error)
	FindPersonByID(ctx context.Context, id int64) (storage.Person, []storage.RoleGrant, error)

	// Following findings to closure.
	OpenFindings(ctx context.Context, orgIDs []int64) ([]storage.FindingView, error)
	OverdueActions(ctx context.Context, orgIDs []int64, now time.Time) ([]storage.FindingView, error)
	FindFindingView(ctx context.Context, id int64) (storage.FindingView, error)
	FindingsByProcess(ctx context.Context, orgIDs []int64) ([]storage.ProcessCount, error)
	FindCorrectiveAction(ctx context.Context, findingID int64) (storage.CorrectiveAction, error)
	FindTask(ctx context.Context, id int64) (storage.Task, []storage.Assignment, error)
	ClaimVerifications(ctx context.Context, limit int) ([]storage.Verification, error)
	VerifyAction(ctx context.Context, actorID, findingID int64, effective bool, comment string) (storage.Finding, error)
}

// Files downloads what auditors send. bot.Client implements it and returns
// bot.ErrFileTooLarge for files over Telegram's 20 MB limit.
type Files interface {
	Download(ctx context.Context, fileID string) ([]byte, error)
}

// Flow holds what the audit handlers share.
type Flow struct {
	Store Store
	Files Files
	// Location is the association's zone: the audit's day.
	Location *time.Location
	// Tasks places corrective actions in the audited school's programme;
	// nil when the tasks capability is absent (no action can be assigned).
	Tasks flows.TaskOrders
}

// cb is the callback data flow name of the audit buttons.
const cb = "au"

// Button actions: the data is au:<action>:<arg>.
const (
	actOrg       = "org"     // au:org:<org>               the organisation audited
	actArea      = "area"    // au:area:<area>             an area from the list
	actToday     = "today"   // au:today:                  the audit is today
	actCard      = "card"    // au:card:<audit>            the audit card
	actAdd       = "add"     // au:add:<audit>             a new finding: its kind
	actKind      = "kind"    // au:kind:<audit>.<kind>     the new finding's kind
	actNoReq     = "noreq"   // au:noreq:<audit>           no requirement
	actPhotosEnd = "next"    // au:next:<finding>          no (more) photos
	actNoPlace   = "noplace" // au:noplace:<finding>       no place
	actList      = "list"    // au:list:<audit>.<page>     the findings
	actFinding   = "fc"      // au:fc:<finding>            a finding's card
	actEdit      = "edit"    // au:edit:<finding>          what to change
	actEditField = "ef"      // au:ef:<finding>.<field>    change a field
	actEditKind  = "ek"      // au:ek:<finding>.<kind>     change the kind
	actDelete    = "del"     // au:del:<finding>           ask to delete
	actDeleteOK  = "delok"   // au:delok:<finding>         delete
	actClose     = "close"   // au:close:<audit>           ask to close
	actCloseOK   = "closeok" // au:closeok:<audit>         close and report
	actCo        = "co"      // au:co:<person>             toggle a co-auditor (start)
	actCoDone    = "codone"  // au:codone:                 co-auditors chosen (start)

	// Following a finding to closure (quality manager, chair, auditor).
	actView      = "mf"  // au:mf:<finding>            a closed audit's finding card
	actAssign    = "ca"  // au:ca:<finding>            assign a corrective action: the cause
	actWho       = "cw"  // au:cw:<finding>.<person>   the responsible person
	actWhoPage   = "cp"  // au:cp:<finding>.<page>     more people
	actDue       = "cd"  // au:cd:<finding>.<yyyymmdd> the deadline
	actAssignOK  = "cok" // au:cok:<finding>           create the task
	actEffective = "ve"  // au:ve:<finding>            verified effective
	actNotEff    = "vn"  // au:vn:<finding>            not effective: a comment

	// The views (views.go).
	actViews     = "v"  // au:v:<org>                  open findings of an organisation (0: the chair's list of schools)
	actByProcess = "vp" // au:vp:<org>                 open findings by process (0: every member school)
	actOverdue   = "vo" // au:vo:<org>                 overdue corrective actions (0: every member school)
	actChart     = "vc" // au:vc:<org>                 findings by process and kind: chart and XLSX (0: every member school)
)

// The steps: what typed text, photos and documents are for.
const (
	stepArea   = "audit:area"   // a typed area
	stepDate   = "audit:date"   // a typed date
	stepReq    = "audit:req"    // the requirement of a new finding
	stepDesc   = "audit:desc"   // the description of a new finding
	stepPhotos = "audit:photos" // photos of the finding
	stepPlace  = "audit:place"  // the place of the finding
	stepEdit   = "audit:edit"   // a new value of a field
	stepCo     = "audit:co"     // co-auditors being ticked
)

// Session keys.
const (
	keyOrg     = "au.org"     // the organisation being audited (start)
	keyArea    = "au.area"    // the area chosen (start)
	keyAudit   = "au.audit"   // the audit a new finding belongs to
	keyKind    = "au.kind"    // the new finding's kind
	keyReq     = "au.req"     // the new finding's requirement
	keyFinding = "au.finding" // the finding the step is about
	keyGroup   = "au.group"   // the album last answered
	keyField   = "au.field"   // the field being edited
	keyDay     = "au.day"     // the audit's day, yyyymmdd (start)
	keyCo      = "au.co"      // the co-auditors ticked, "12.40" (start)
)

// Fields of a finding that can be edited, by their number in callbacks.
const (
	fieldKind = iota
	fieldReq
	fieldDesc
	fieldPlace
)

// Limits of what an auditor types and sends.
const (
	maxArea        = 200
	maxRequirement = 300
	maxDescription = 3000
	maxPlace       = 300
	// maxPhotos bounds one finding's photos: a few albums.
	maxPhotos = 30
	// maxAreaButtons is how many areas the start offers as buttons.
	maxAreaButtons = 20
	// pageSize is how many findings the list shows at once.
	pageSize = 10
	// buttonText clips a description on a button.
	buttonText = 40
)

// Register adds the audit flow's command, menu item, buttons and steps to r.
func (f *Flow) Register(r *flows.Router) {
	r.Command(flows.Command{Name: "audit", Help: "audit.cmd_help", Perm: flows.ConductAudits, Handler: f.start})
	r.Menu(flows.MenuItem{Label: "audit.menu", Perm: flows.ConductAudits, Handler: f.start})
	for action, h := range map[string]flows.HandlerFunc{
		actOrg: f.pressOrg, actArea: f.pressArea, actToday: f.pressToday, actCard: f.pressCard,
		actAdd: f.pressAdd, actKind: f.pressKind, actNoReq: f.pressNoReq, actPhotosEnd: f.pressPhotosEnd,
		actNoPlace: f.pressNoPlace, actList: f.pressList, actFinding: f.pressFinding, actEdit: f.pressEdit,
		actEditField: f.pressEditField, actEditKind: f.pressEditKind, actDelete: f.pressDelete,
		actDeleteOK: f.pressDeleteOK, actClose: f.pressClose, actCloseOK: f.pressCloseOK,
		actCo: f.pressCo, actCoDone: f.pressCoDone,
	} {
		r.Callback(cb, action, flows.ConductAudits, h)
	}
	r.Step(stepArea, flows.ConductAudits, f.inputArea)
	r.Step(stepDate, flows.ConductAudits, f.inputDate)
	r.Step(stepReq, flows.ConductAudits, f.inputReq)
	r.Step(stepDesc, flows.ConductAudits, f.inputDesc)
	r.Step(stepPhotos, flows.ConductAudits, f.inputPhoto)
	r.Step(stepPlace, flows.ConductAudits, f.inputPlace)
	r.Step(stepEdit, flows.ConductAudits, f.inputEdit)
	r.Step(stepCo, flows.ConductAudits, f.inputCo)
	f.registerActions(r)
	f.registerViews(r)
}

func (f *Flow) loc() *time.Location {
	if f.Location == nil {
		return time.UTC
	}
	return f.Location
}

// auditor reports whether the actor leads the audit or is a co-auditor.
func auditor(c *flows.Context, a storage.Audit) bool {
	me := c.Actor.PersonID()
	return me != 0 && (a.LeadID == me || slices.Contains(a.CoAuditors, me))
}

// loadAudit returns audit id when the actor audits it and it is open. It
// returns ErrStale for an unknown or closed audit and ErrForbidden for
// someone else's.
func (f *Flow) loadAudit(ctx context.Context, c *flows.Context, id int64) (storage.Audit, error) {
	a, err := f.Store.FindAudit(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return storage.Audit{}, flows.ErrStale
	}
	if err != nil {
		return storage.Audit{}, fmt.Errorf("audit: find audit %d: %w", id, err)
	}
	if !auditor(c, a) {
		return storage.Audit{}, flows.ErrForbidden
	}
	if a.Status != storage.AuditOpen {
		return a, flows.ErrStale
	}
	return a, nil
}

// loadFinding returns finding id with its audit, checked as loadAudit does;
// a deleted or unknown finding is ErrStale.
func (f *Flow) loadFinding(ctx context.Context, c *flows.Context, id int64) (storage.Finding, storage.Audit, error) {
	fd, err := f.Store.FindFinding(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return storage.Finding{}, storage.Audit{}, flows.ErrStale
	}
	if err != nil {
		return storage.Finding{}, storage.Audit{}, fmt.Errorf("audit: find finding %d: %w", id, err)
	}
	a, err := f.loadAudit(ctx, c, fd.AuditID)
	return fd, a, err
}

// args reads the pressed button's numbers: exactly n of them, the first an
// id (not 0).
func args(c *flows.Context, n int) ([]int64, error) {
	v, err := flows.ArgInts(c.Callback.Arg)
	if err != nil || len(v) != n || v[0] == 0 {
		return nil, flows.ErrStale
	}
	return v, nil
}

// kindAt is the kind numbered i in callbacks.
func kindAt(i int64) (storage.FindingKind, bool) {
	kinds := storage.FindingKinds()
	if i < 0 || i >= int64(len(kinds)) {
		return "", false
	}
	return kinds[i], true
}

// auditNumber is «2026-3».
func auditNumber(a storage.Audit) string { return fmt.Sprintf("%d-%d", a.Year, a.Number) }

// findingNumber is «Н-1», «О-2», «В-1».
func findingNumber(c *flows.Context, fd storage.Finding) string {
	return c.T("audit.num."+string(fd.Kind.Class()), "Seq", fd.Seq)
}

// day shows the audit's date (stored at midnight UTC) as «22 ноября 2026».
func (f *Flow) day(c *flows.Context, d time.Time) string {
	return c.L.Date(time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, c.L.Location()))
}

// clip shortens s to n runes with an ellipsis, on one line.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// text reads the typed text of the update, trimmed, refusing anything longer
// than max runes; ok is false when the update is not text.
func text(c *flows.Context, max int) (string, bool, error) {
	u := c.Update
	s := strings.TrimSpace(u.Text)
	if u.Photo != nil || u.Document != nil || s == "" {
		return "", false, nil
	}
	if utf8.RuneCountInString(s) > max {
		return "", true, flows.Invalid("audit.too_long", "Max", max)
	}
	return s, true, nil
}

// start is /audit and the menu item: back to the person's open audit, or
// the start of a new one.
func (f *Flow) start(ctx context.Context, c *flows.Context) (flows.Next, error) {
	a, err := f.Store.OpenAuditOf(ctx, c.Actor.PersonID())
	switch {
	case err == nil:
		text, kb, err := f.card(ctx, c, a)
		if err != nil {
			return flows.Stay(), err
		}
		c.Reply(text, kb)
		return flows.End(), nil
	case !errors.Is(err, storage.ErrNotFound):
		return flows.Stay(), fmt.Errorf("audit: open audit of %d: %w", c.Actor.PersonID(), err)
	}
	own := c.Actor.Person.OrgID
	if own == 0 || !c.Actor.CanIn(flows.ConductAudits, own) {
		c.Say("audit.no_org")
		return flows.End(), nil
	}
	orgs, err := f.auditable(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	if len(orgs) == 1 {
		return f.askArea(ctx, c, orgs[0])
	}
	var kb bot.Keyboard
	for _, o := range orgs {
		kb = append(kb, []bot.Button{{Text: clip(o.ShortName, buttonText), Data: flows.CB(cb, actOrg, o.ID)}})
	}
	c.Reply(c.T("audit.ask_org"), kb)
	return flows.End(), nil
}

// auditable lists the organisations the actor may audit: their own, then
// the candidate schools it mentors.
func (f *Flow) auditable(ctx context.Context, c *flows.Context) ([]storage.Organisation, error) {
	own := c.Actor.Person.OrgID
	o, err := f.Store.FindOrganisationByID(ctx, own)
	if err != nil {
		return nil, fmt.Errorf("audit: organisation %d: %w", own, err)
	}
	all, err := f.Store.ListOrganisations(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: organisations: %w", err)
	}
	out := []storage.Organisation{o}
	for _, x := range all {
		if x.MentorID == own && x.ID != own {
			out = append(out, x)
		}
	}
	return out, nil
}

// pressOrg takes the organisation chosen.
func (f *Flow) pressOrg(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if c.Actor.Person.OrgID == 0 || !c.Actor.CanIn(flows.ConductAudits, c.Actor.Person.OrgID) {
		return flows.Stay(), flows.ErrForbidden
	}
	orgs, err := f.auditable(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	i := slices.IndexFunc(orgs, func(o storage.Organisation) bool { return o.ID == v[0] })
	if i < 0 {
		return flows.Stay(), flows.ErrForbidden
	}
	c.Clear()
	return f.askArea(ctx, c, orgs[i])
}

// askArea asks for the process or area audited: the organisation's list as
// buttons, or a typed one.
func (f *Flow) askArea(ctx context.Context, c *flows.Context, o storage.Organisation) (flows.Next, error) {
	areas, err := f.Store.ListAuditAreas(ctx, o.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("audit: areas of %d: %w", o.ID, err)
	}
	c.SetInt(keyOrg, o.ID)
	var kb bot.Keyboard
	for _, a := range areas[:min(len(areas), maxAreaButtons)] {
		kb = append(kb, []bot.Button{{Text: clip(a.Name, buttonText), Data: flows.CB(cb, actArea, a.ID)}})
	}
	id := "audit.ask_area"
	if len(areas) == 0 {
		id = "audit.ask_area_first"
	}
	c.Reply(c.T(id, "Org", o.ShortName), kb)
	return flows.Goto(stepArea), nil
}

// pressArea takes an area from the list.
func (f *Flow) pressArea(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	org := c.GetInt(keyOrg)
	if org == 0 || c.Step() != stepArea {
		return flows.Stay(), flows.ErrStale
	}
	areas, err := f.Store.ListAuditAreas(ctx, org)
	if err != nil {
		return flows.Stay(), fmt.Errorf("audit: areas of %d: %w", org, err)
	}
	i := slices.IndexFunc(areas, func(a storage.AuditArea) bool { return a.ID == v[0] })
	if i < 0 {
		return flows.Stay(), flows.ErrStale
	}
	return f.askDate(c, areas[i].Name)
}

// inputArea takes a typed area and keeps it on the organisation's list.
func (f *Flow) inputArea(ctx context.Context, c *flows.Context) (flows.Next, error) {
	name, ok, err := text(c, maxArea)
	if err != nil {
		return flows.Stay(), err
	}
	if !ok {
		return flows.Stay(), flows.Invalid("audit.area_what")
	}
	org := c.GetInt(keyOrg)
	if org == 0 {
		return flows.End(), flows.ErrStale
	}
	_, err = f.Store.AddAuditArea(ctx, c.Actor.PersonID(), org, name)
	if errors.Is(err, storage.ErrConflict) {
		// On the list already, perhaps in other case: take the list's.
		areas, err := f.Store.ListAuditAreas(ctx, org)
		if err != nil {
			return flows.Stay(), fmt.Errorf("audit: areas of %d: %w", org, err)
		}
		for _, a := range areas {
			if strings.EqualFold(a.Name, name) {
				name = a.Name
			}
		}
	} else if err != nil {
		return flows.Stay(), fmt.Errorf("audit: add area to %d: %w", org, err)
	}
	return f.askDate(c, name)
}

// askDate asks for the day of the audit.
func (f *Flow) askDate(c *flows.Context, area string) (flows.Next, error) {
	c.Set(keyArea, area)
	c.Reply(c.T("audit.ask_date", "Area", area), bot.Keyboard{
		{{Text: c.T("audit.btn.today", "Date", c.L.DayMonth(c.Now)), Data: flows.CB(cb, actToday, nil)}},
	})
	return flows.Goto(stepDate), nil
}

// pressToday starts the audit today.
func (f *Flow) pressToday(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if c.Step() != stepDate || c.GetInt(keyOrg) == 0 {
		return flows.Stay(), flows.ErrStale
	}
	return f.askCo(ctx, c, c.Now.In(f.loc()))
}

// typedDate reads a date typed as text («25.11», «завтра»).
func (f *Flow) typedDate(c *flows.Context) (time.Time, error) {
	s, ok, err := text(c, 64)
	if err != nil {
		return time.Time{}, err
	}
	if !ok {
		return time.Time{}, flows.Invalid("input.date_invalid")
	}
	return flows.ParseDate(s, c.Now, f.loc())
}

// inputDate takes a typed date.
func (f *Flow) inputDate(ctx context.Context, c *flows.Context) (flows.Next, error) {
	d, err := f.typedDate(c)
	if err != nil {
		return flows.Stay(), err
	}
	if c.GetInt(keyOrg) == 0 {
		return flows.End(), flows.ErrStale
	}
	return f.askCo(ctx, c, d)
}

// coCandidates lists who may audit with the actor: the active auditors
// and quality managers of the actor's organisation, by name.
func (f *Flow) coCandidates(ctx context.Context, c *flows.Context) ([]storage.PersonRoles, error) {
	org := c.Actor.Person.OrgID
	var out []storage.PersonRoles
	for _, role := range []storage.Role{storage.RoleAuditor, storage.RoleQualityManager} {
		ps, err := f.Store.ListPeople(ctx, org, role)
		if err != nil {
			return nil, fmt.Errorf("audit: %s of %d: %w", role, org, err)
		}
		for _, p := range ps {
			if p.Active && p.ID != c.Actor.PersonID() && !slices.ContainsFunc(out, func(q storage.PersonRoles) bool { return q.ID == p.ID }) {
				out = append(out, p)
			}
		}
	}
	slices.SortFunc(out, func(a, b storage.PersonRoles) int { return strings.Compare(a.FullName, b.FullName) })
	return out[:min(len(out), maxAreaButtons)], nil
}

// askCo keeps the audit's day and asks who audits with the actor, when
// anyone can; otherwise the audit opens at once.
func (f *Flow) askCo(ctx context.Context, c *flows.Context, d time.Time) (flows.Next, error) {
	ps, err := f.coCandidates(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	if len(ps) == 0 {
		return f.create(ctx, c, d)
	}
	c.SetInt(keyDay, flows.DateKey(d))
	c.Set(keyCo, "")
	c.Reply(c.T("audit.ask_co"), coButtons(c, ps, nil))
	return flows.Goto(stepCo), nil
}

// coButtons are the candidates, ticked when chosen, and the way on.
func coButtons(c *flows.Context, ps []storage.PersonRoles, chosen []int64) bot.Keyboard {
	var kb bot.Keyboard
	for _, p := range ps {
		label := clip(p.FullName, buttonText)
		if slices.Contains(chosen, p.ID) {
			label = "✅ " + label
		}
		kb = append(kb, []bot.Button{{Text: label, Data: flows.CB(cb, actCo, p.ID)}})
	}
	done := "audit.btn.co_none"
	if len(chosen) > 0 {
		done = "audit.btn.co_done"
	}
	return append(kb, []bot.Button{c.Button(done, flows.CB(cb, actCoDone, nil))})
}

// chosenCo reads the co-auditors ticked so far.
func chosenCo(c *flows.Context) []int64 {
	ids, err := flows.ArgInts(c.Get(keyCo))
	if err != nil {
		return nil
	}
	return slices.DeleteFunc(ids, func(id int64) bool { return id == 0 })
}

// pressCo ticks or unticks a co-auditor.
func (f *Flow) pressCo(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if c.Step() != stepCo || c.GetInt(keyOrg) == 0 {
		return flows.Stay(), flows.ErrStale
	}
	ps, err := f.coCandidates(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	if !slices.ContainsFunc(ps, func(p storage.PersonRoles) bool { return p.ID == v[0] }) {
		return flows.Stay(), flows.ErrStale
	}
	chosen := chosenCo(c)
	if i := slices.Index(chosen, v[0]); i >= 0 {
		chosen = slices.Delete(chosen, i, i+1)
	} else {
		chosen = append(chosen, v[0])
	}
	parts := make([]string, len(chosen))
	for i, id := range chosen {
		parts[i] = fmt.Sprint(id)
	}
	c.Set(keyCo, strings.Join(parts, "."))
	c.Edit(c.T("audit.ask_co"), coButtons(c, ps, chosen))
	return flows.Stay(), nil
}

// pressCoDone opens the audit with the co-auditors ticked.
func (f *Flow) pressCoDone(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if c.Step() != stepCo || c.GetInt(keyOrg) == 0 {
		return flows.Stay(), flows.ErrStale
	}
	d, ok := flows.KeyDate(c.GetInt(keyDay), f.loc())
	if !ok {
		return flows.Stay(), flows.ErrStale
	}
	c.Edit(c.T("audit.ask_co"), nil)
	return f.create(ctx, c, d)
}

// create opens the audit on day d, shows its card and, when the
// organisation's last audit left findings open, lists them to be checked.
func (f *Flow) create(ctx context.Context, c *flows.Context, d time.Time) (flows.Next, error) {
	org := c.GetInt(keyOrg)
	a, err := f.Store.CreateAudit(ctx, c.Actor.PersonID(), storage.Audit{
		OrgID:        org,
		AuditorOrgID: c.Actor.Person.OrgID,
		Area:         c.Get(keyArea),
		Date:         time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC),
		LeadID:       c.Actor.PersonID(),
		CoAuditors:   chosenCo(c),
	})
	switch {
	case errors.Is(err, storage.ErrConflict):
		// Another chat opened one meanwhile: back to it.
		return f.start(ctx, c)
	case errors.Is(err, storage.ErrInvalid), errors.Is(err, storage.ErrNotFound):
		return flows.End(), flows.ErrForbidden
	case err != nil:
		return flows.Stay(), fmt.Errorf("audit: create audit of %d: %w", org, err)
	}
	text, kb, err := f.card(ctx, c, a)
	if err != nil {
		return flows.End(), err
	}
	c.Clear()
	c.Reply(text, kb)
	if err := f.tellCo(ctx, c, a); err != nil {
		return flows.End(), err
	}
	last, open, err := f.Store.OpenFindingsOf(ctx, org)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return flows.End(), fmt.Errorf("audit: open findings of %d: %w", org, err)
	case len(open) > 0:
		lines := []string{c.L.N("audit.previous_head", len(open), "Number", auditNumber(last), "Date", f.day(c, last.Date))}
		for _, fd := range open {
			lines = append(lines, f.findingLine(c, fd))
		}
		c.Reply(strings.Join(lines, "\n\n"), nil)
	}
	return flows.End(), nil
}

// card is the audit card with its buttons.
func (f *Flow) card(ctx context.Context, c *flows.Context, a storage.Audit) (string, bot.Keyboard, error) {
	o, err := f.Store.FindOrganisationByID(ctx, a.OrgID)
	if err != nil {
		return "", nil, fmt.Errorf("audit: organisation %d: %w", a.OrgID, err)
	}
	lead, _, err := f.Store.FindPersonByID(ctx, a.LeadID)
	if err != nil {
		return "", nil, fmt.Errorf("audit: lead %d: %w", a.LeadID, err)
	}
	fs, err := f.Store.ListFindings(ctx, a.ID)
	if err != nil {
		return "", nil, fmt.Errorf("audit: findings of %d: %w", a.ID, err)
	}
	text := c.T("audit.card", "Number", auditNumber(a), "Org", o.Name, "Area", a.Area,
		"Date", f.day(c, a.Date), "Lead", lead.FullName)
	if len(a.CoAuditors) > 0 {
		names, err := f.names(ctx, a.CoAuditors)
		if err != nil {
			return "", nil, err
		}
		text += c.T("audit.card_co", "Names", strings.Join(names, ", ")) + "\n"
	}
	text += "\n" + summary(c, fs)
	return text, bot.Keyboard{
		{c.Button("audit.btn.add", flows.CB(cb, actAdd, a.ID))},
		{c.Button("audit.btn.list", flows.CB(cb, actList, fmt.Sprintf("%d.1", a.ID))),
			c.Button("audit.btn.close", flows.CB(cb, actClose, a.ID))},
	}, nil
}

// summary counts the findings by kind: «Замечаний: 3 — 1 несоответствие
// значительное, 2 наблюдения».
func summary(c *flows.Context, fs []storage.Finding) string {
	if len(fs) == 0 {
		return c.T("audit.none")
	}
	var parts []string
	for _, k := range storage.FindingKinds() {
		n := 0
		for _, fd := range fs {
			if fd.Kind == k {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, c.L.N("audit.count."+string(k), n))
		}
	}
	return c.L.N("audit.total", len(fs), "Kinds", strings.Join(parts, ", "))
}

// pressCard shows the audit card in place of the pressed message.
func (f *Flow) pressCard(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	a, err := f.loadAudit(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.card(ctx, c, a)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// names are the full names of people, in order.
func (f *Flow) names(ctx context.Context, ids []int64) ([]string, error) {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		p, _, err := f.Store.FindPersonByID(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("audit: person %d: %w", id, err)
		}
		out = append(out, p.FullName)
	}
	return out, nil
}

// tellCo tells the co-auditors of a new audit they are on it.
func (f *Flow) tellCo(ctx context.Context, c *flows.Context, a storage.Audit) error {
	if len(a.CoAuditors) == 0 {
		return nil
	}
	o, err := f.Store.FindOrganisationByID(ctx, a.OrgID)
	if err != nil {
		return fmt.Errorf("audit: organisation %d: %w", a.OrgID, err)
	}
	for _, id := range a.CoAuditors {
		p, _, err := f.Store.FindPersonByID(ctx, id)
		if err != nil {
			return fmt.Errorf("audit: person %d: %w", id, err)
		}
		if p.Active && p.TelegramID != 0 {
			c.Send(bot.Text{ChatID: p.TelegramID, Text: c.T("audit.to_co", "Lead", c.Actor.Person.FullName,
				"Number", auditNumber(a), "Org", o.ShortName, "Area", a.Area, "Date", f.day(c, a.Date)),
				Buttons: bot.Keyboard{{c.Button("audit.btn.to_audit", flows.CB(cb, actCard, a.ID))}}})
		}
	}
	return nil
}

// inputCo answers typing while co-auditors are being ticked.
func (f *Flow) inputCo(ctx context.Context, c *flows.Context) (flows.Next, error) {
	return flows.Stay(), flows.Invalid("audit.co_what")
}
