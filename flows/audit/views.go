package audit

// The views of findings of closed audits, for following them to closure:
// a school's open findings grouped by audit, the same counted by process,
// the corrective actions past their deadline, and a chart with an XLSX of
// every audit's findings by process and kind.
//
// A quality manager sees their own school's; the chair and the
// administrator (ViewAudits association-wide) see any school's, a list of
// the member schools with their open findings, and every view over all
// member schools at once (organisation 0 in the buttons). Every press
// checks the organisation it names again.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/report"
	"smkbot/storage"
)

const (
	// viewPage is how many findings or overdue actions a screen lists.
	viewPage = 10
	// schoolPage is how many schools the chair's list shows at once.
	schoolPage = 20
	// chartRows bounds the processes drawn: more would not read on a
	// phone; the XLSX has them all.
	chartRows = 30
	// processLines bounds the processes listed in one message; the XLSX
	// has them all.
	processLines = 25
	// lineText clips a finding's description in a list.
	lineText = 120
)

// registerViews adds the views of findings: open findings by organisation
// and by process, overdue corrective actions, the chair's chart and XLSX.
func (f *Flow) registerViews(r *flows.Router) {
	r.Command(flows.Command{Name: "findings", Help: "audit.views.cmd_help", Perm: flows.ViewAudits, Handler: f.startViews})
	r.Menu(flows.MenuItem{Label: "audit.views.menu", Perm: flows.ViewAudits, Handler: f.startViews})
	for action, h := range map[string]flows.HandlerFunc{
		actViews: f.pressViews, actByProcess: f.pressByProcess, actOverdue: f.pressOverdue, actChart: f.pressChart,
	} {
		r.Callback(cb, action, flows.ViewAudits, h)
	}
}

// startViews is /findings and the menu item: the school's open findings
// for a viewer of one school, the list of schools otherwise.
func (f *Flow) startViews(ctx context.Context, c *flows.Context) (flows.Next, error) {
	all, ids := c.Actor.Scope(flows.ViewAudits)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var (
		text string
		kb   bot.Keyboard
		err  error
	)
	switch {
	case all:
		text, kb, err = f.schoolsScreen(ctx, c, 1)
	case len(ids) == 1:
		text, kb, err = f.orgScreen(ctx, c, ids[0], 1)
	case len(ids) > 1:
		text, kb, err = f.ownSchools(ctx, c, ids)
	default:
		return flows.Stay(), flows.ErrForbidden
	}
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(text, kb)
	return flows.End(), nil
}

// viewArgs reads a views button: the organisation (0: every member
// school) and, optionally, the page.
func viewArgs(c *flows.Context) (org, page int64, err error) {
	v, err := flows.ArgInts(c.Callback.Arg)
	if err != nil || len(v) < 1 || len(v) > 2 {
		return 0, 0, flows.ErrStale
	}
	page = 1
	if len(v) == 2 {
		page = v[1]
	}
	return v[0], page, nil
}

// viewAll reports whether the actor views every school's findings.
func viewAll(c *flows.Context) bool {
	all, _ := c.Actor.Scope(flows.ViewAudits)
	return all
}

// viewScope checks the actor's right to the view of org and returns the
// organisations it covers: org itself, or every member school for 0 (an
// association-wide viewer's only). An unknown organisation is ErrStale.
func (f *Flow) viewScope(ctx context.Context, c *flows.Context, org int64) ([]storage.Organisation, error) {
	if org == 0 {
		if !viewAll(c) {
			return nil, flows.ErrForbidden
		}
		return f.memberSchools(ctx)
	}
	if !c.Actor.CanIn(flows.ViewAudits, org) {
		return nil, flows.ErrForbidden
	}
	o, err := f.Store.FindOrganisationByID(ctx, org)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, flows.ErrStale
	}
	if err != nil {
		return nil, fmt.Errorf("audit: organisation %d: %w", org, err)
	}
	return []storage.Organisation{o}, nil
}

// memberSchools lists the association's member organisations by name.
func (f *Flow) memberSchools(ctx context.Context) ([]storage.Organisation, error) {
	all, err := f.Store.ListOrganisations(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: organisations: %w", err)
	}
	return slices.DeleteFunc(all, func(o storage.Organisation) bool { return o.Status != storage.OrgMember }), nil
}

// where names what a view covers: the school, or every school.
func where(c *flows.Context, org int64, orgs []storage.Organisation) string {
	if org == 0 || len(orgs) != 1 {
		return c.T("audit.views.all_schools")
	}
	return orgs[0].ShortName
}

func orgIDs(orgs []storage.Organisation) []int64 {
	ids := make([]int64, len(orgs))
	for i, o := range orgs {
		ids[i] = o.ID
	}
	return ids
}

// viewButtons are the ways from a screen of org to the other views.
func viewButtons(c *flows.Context, org int64) bot.Keyboard {
	return bot.Keyboard{
		{c.Button("audit.views.btn.by_process", flows.CB(cb, actByProcess, org)),
			c.Button("audit.views.btn.overdue", flows.CB(cb, actOverdue, org))},
		{c.Button("audit.views.btn.chart", flows.CB(cb, actChart, org))},
	}
}

// listButton returns to the list of schools; nil for a viewer of one
// school, who has none.
func listButton(c *flows.Context) []bot.Button {
	if !viewAll(c) {
		return nil
	}
	return []bot.Button{c.Button("audit.views.btn.schools", flows.CB(cb, actViews, 0))}
}

// backButton returns from a view of org to its open findings, or to the
// list of schools for 0.
func backButton(c *flows.Context, org int64) []bot.Button {
	if org == 0 {
		return listButton(c)
	}
	return []bot.Button{c.Button("audit.views.btn.back", flows.CB(cb, actViews, org))}
}

// pressViews shows the open findings of the organisation, or the list of
// schools for 0.
func (f *Flow) pressViews(ctx context.Context, c *flows.Context) (flows.Next, error) {
	org, page, err := viewArgs(c)
	if err != nil {
		return flows.Stay(), err
	}
	var text string
	var kb bot.Keyboard
	if org == 0 {
		if !viewAll(c) {
			return flows.Stay(), flows.ErrForbidden
		}
		text, kb, err = f.schoolsScreen(ctx, c, page)
	} else {
		text, kb, err = f.orgScreen(ctx, c, org, page)
	}
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// schoolsScreen is the chair's list of member schools with their open
// findings and overdue actions, a page of schools at a time.
func (f *Flow) schoolsScreen(ctx context.Context, c *flows.Context, page int64) (string, bot.Keyboard, error) {
	orgs, err := f.memberSchools(ctx)
	if err != nil {
		return "", nil, err
	}
	if len(orgs) == 0 {
		return c.T("audit.views.schools_empty"), nil, nil
	}
	from, to, p, count := flows.Pages(int64(len(orgs)), schoolPage, page)
	text, kb, err := f.schoolList(ctx, c, orgs[from:to], orgIDs(orgs))
	if err != nil {
		return "", nil, err
	}
	if row := c.PageNav(p, count, func(n int64) string { return flows.CB(cb, actViews, fmt.Sprintf("0.%d", n)) }); row != nil {
		kb = append(kb, row)
	}
	return text + c.PageLine(p, count), append(kb, viewButtons(c, 0)...), nil
}

// ownSchools lists the schools of a viewer of several (but not every) of
// them.
func (f *Flow) ownSchools(ctx context.Context, c *flows.Context, ids []int64) (string, bot.Keyboard, error) {
	var orgs []storage.Organisation
	for _, id := range ids {
		o, err := f.Store.FindOrganisationByID(ctx, id)
		if err != nil {
			return "", nil, fmt.Errorf("audit: organisation %d: %w", id, err)
		}
		orgs = append(orgs, o)
	}
	return f.schoolList(ctx, c, orgs, ids)
}

// schoolList is the lines and buttons of schools with their counts;
// counted covers every school the list may page through, so one query
// counts them all.
func (f *Flow) schoolList(ctx context.Context, c *flows.Context, orgs []storage.Organisation, counted []int64) (string, bot.Keyboard, error) {
	open, err := f.Store.OpenFindings(ctx, counted)
	if err != nil {
		return "", nil, fmt.Errorf("audit: open findings: %w", err)
	}
	late, err := f.Store.OverdueActions(ctx, counted, c.Now)
	if err != nil {
		return "", nil, fmt.Errorf("audit: overdue actions: %w", err)
	}
	opens, lates := map[int64]int{}, map[int64]int{}
	for _, v := range open {
		opens[v.OrgID]++
	}
	for _, v := range late {
		lates[v.OrgID]++
	}
	lines := []string{c.T("audit.views.schools_head")}
	var kb bot.Keyboard
	for _, o := range orgs {
		line := c.T("audit.views.school_none", "Org", o.ShortName)
		if n := opens[o.ID]; n > 0 {
			line = c.L.N("audit.views.school_line", n, "Org", o.ShortName)
		}
		if n := lates[o.ID]; n > 0 {
			line += c.T("audit.views.school_overdue", "Count", n)
		}
		lines = append(lines, line)
		label := clip(o.ShortName, buttonText)
		if n := opens[o.ID]; n > 0 {
			label = c.T("audit.views.btn.school", "Org", clip(o.ShortName, buttonText), "Count", n)
		}
		kb = append(kb, []bot.Button{{Text: label, Data: flows.CB(cb, actViews, o.ID)}})
	}
	lines = append(lines, "", c.T("audit.views.schools_hint"))
	return strings.Join(lines, "\n"), kb, nil
}

// orgScreen is an organisation's open findings, a page at a time, grouped
// by audit, each with its status and a button to its card.
func (f *Flow) orgScreen(ctx context.Context, c *flows.Context, org, page int64) (string, bot.Keyboard, error) {
	orgs, err := f.viewScope(ctx, c, org)
	if err != nil {
		return "", nil, err
	}
	o := orgs[0]
	vs, err := f.Store.OpenFindings(ctx, []int64{org})
	if err != nil {
		return "", nil, fmt.Errorf("audit: open findings of %d: %w", org, err)
	}
	kb := viewButtons(c, org)
	if back := listButton(c); back != nil {
		kb = append(kb, back)
	}
	if len(vs) == 0 {
		return c.T("audit.views.org_empty", "Org", o.ShortName), kb, nil
	}
	late, err := f.Store.OverdueActions(ctx, []int64{org}, c.Now)
	if err != nil {
		return "", nil, fmt.Errorf("audit: overdue actions of %d: %w", org, err)
	}
	overdue := map[int64]bool{}
	for _, v := range late {
		overdue[v.ID] = true
	}
	fs := make([]storage.Finding, len(vs))
	for i, v := range vs {
		fs[i] = v.Finding
	}
	from, to, p, count := flows.Pages(int64(len(vs)), viewPage, page)
	parts := []string{c.T("audit.views.org_head", "Org", o.ShortName) + "\n" + summary(c, fs)}
	var rows bot.Keyboard
	var lastAudit int64
	for _, v := range vs[from:to] {
		if v.AuditID != lastAudit {
			lastAudit = v.AuditID
			a, err := f.Store.FindAudit(ctx, v.AuditID)
			if err != nil {
				return "", nil, fmt.Errorf("audit: audit %d: %w", v.AuditID, err)
			}
			parts = append(parts, c.T("audit.views.audit_head", "Number", auditNumber(a), "Area", a.Area, "Date", f.day(c, a.Date)))
		}
		parts = append(parts, c.T("audit.views.line", "Number", findingNumber(c, v.Finding),
			"Kind", c.T("audit.kind."+string(v.Kind)), "Status", viewStatus(c, v, overdue[v.ID]),
			"Text", clip(v.Description, lineText)))
		rows = append(rows, []bot.Button{{Text: findingLabel(c, v, ""), Data: flows.CB(cb, actView, v.ID)}})
	}
	if row := c.PageNav(p, count, func(n int64) string { return flows.CB(cb, actViews, fmt.Sprintf("%d.%d", org, n)) }); row != nil {
		rows = append(rows, row)
	}
	return strings.Join(parts, "\n\n") + c.PageLine(p, count), append(rows, kb...), nil
}

// findingLabel is a finding's button: «Н-1 · 2026-3 · description»,
// with the school first when org is given.
func findingLabel(c *flows.Context, v storage.FindingView, org string) string {
	label := c.T("audit.views.btn.finding", "Number", findingNumber(c, v.Finding),
		"Audit", fmt.Sprintf("%d-%d", v.AuditYear, v.AuditNumber), "Text", clip(v.Description, buttonText))
	if org != "" {
		label = clip(org, 20) + " · " + label
	}
	return clip(label, 64)
}

// viewStatus is where a finding is on its way to closure, with its
// corrective action's deadline.
func viewStatus(c *flows.Context, v storage.FindingView, overdue bool) string {
	switch v.Status {
	case storage.FindingOpen:
		if v.Kind.Class() != storage.ClassNonconformity {
			return c.T("audit.views.status.note")
		}
		return c.T("audit.views.status.open")
	case storage.FindingAction:
		switch {
		case v.TaskID == 0:
			return c.T("audit.views.status.assigned")
		case overdue:
			return c.T("audit.views.status.overdue", "Due", dueText(c, v))
		}
		return c.T("audit.views.status.action", "Due", dueText(c, v))
	case storage.FindingReopened:
		if v.TaskID != 0 {
			return c.T("audit.views.status.reopened_due", "Due", dueText(c, v))
		}
		return c.T("audit.views.status.reopened")
	case storage.FindingVerified:
		return c.T("audit.views.status.verified")
	}
	return c.T("audit.views.status.closed")
}

// dueText is the corrective action's deadline: «15 декабря 2026», with the
// time when the task has one.
func dueText(c *flows.Context, v storage.FindingView) string {
	if v.HasTime {
		return c.L.DateTime(v.Due)
	}
	return c.L.Date(v.Due)
}

// pressByProcess counts the open findings by process and kind.
func (f *Flow) pressByProcess(ctx context.Context, c *flows.Context) (flows.Next, error) {
	org, _, err := viewArgs(c)
	if err != nil {
		return flows.Stay(), err
	}
	orgs, err := f.viewScope(ctx, c, org)
	if err != nil {
		return flows.Stay(), err
	}
	w := where(c, org, orgs)
	kb := bot.Keyboard{{c.Button("audit.views.btn.chart", flows.CB(cb, actChart, org))}, backButton(c, org)}
	vs, err := f.Store.OpenFindings(ctx, orgIDs(orgs))
	if err != nil {
		return flows.Stay(), fmt.Errorf("audit: open findings: %w", err)
	}
	if len(vs) == 0 {
		c.Edit(c.T("audit.views.process_empty", "Where", w), kb)
		return flows.Stay(), nil
	}
	type process struct {
		area  string
		first int64 // the earliest audit, whose spelling is shown
		fs    []storage.Finding
	}
	byKey := map[string]*process{}
	var ps []*process
	var all []storage.Finding
	for _, v := range vs {
		key := strings.ToLower(strings.TrimSpace(v.Area))
		p := byKey[key]
		if p == nil {
			p = &process{area: v.Area, first: v.AuditID}
			byKey[key] = p
			ps = append(ps, p)
		}
		if v.AuditID < p.first {
			p.area, p.first = v.Area, v.AuditID
		}
		p.fs = append(p.fs, v.Finding)
		all = append(all, v.Finding)
	}
	slices.SortStableFunc(ps, func(a, b *process) int {
		return cmp.Or(cmp.Compare(len(b.fs), len(a.fs)), strings.Compare(strings.ToLower(a.area), strings.ToLower(b.area)))
	})
	lines := []string{c.T("audit.views.process_head", "Where", w), summary(c, all), ""}
	for _, p := range ps[:min(len(ps), processLines)] {
		lines = append(lines, c.L.N("audit.views.process_line", len(p.fs), "Area", p.area, "Kinds", kindCounts(c, p.fs)))
	}
	if more := len(ps) - processLines; more > 0 {
		lines = append(lines, "", c.L.N("audit.views.chart_more", more))
	}
	c.Edit(strings.Join(lines, "\n"), kb)
	return flows.Stay(), nil
}

// kindCounts is «1 значительное несоответствие, 2 наблюдения».
func kindCounts(c *flows.Context, fs []storage.Finding) string {
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
	return strings.Join(parts, ", ")
}

// pressOverdue lists the corrective actions past their deadline.
func (f *Flow) pressOverdue(ctx context.Context, c *flows.Context) (flows.Next, error) {
	org, page, err := viewArgs(c)
	if err != nil {
		return flows.Stay(), err
	}
	orgs, err := f.viewScope(ctx, c, org)
	if err != nil {
		return flows.Stay(), err
	}
	w := where(c, org, orgs)
	back := backButton(c, org)
	vs, err := f.Store.OverdueActions(ctx, orgIDs(orgs), c.Now)
	if err != nil {
		return flows.Stay(), fmt.Errorf("audit: overdue actions: %w", err)
	}
	if len(vs) == 0 {
		c.Edit(c.T("audit.views.overdue_empty", "Where", w), bot.Keyboard{back})
		return flows.Stay(), nil
	}
	names := map[int64]string{}
	for _, o := range orgs {
		names[o.ID] = o.ShortName
	}
	// The longest overdue first.
	slices.SortStableFunc(vs, func(a, b storage.FindingView) int { return a.Due.Compare(b.Due) })
	from, to, p, count := flows.Pages(int64(len(vs)), viewPage, page)
	parts := []string{c.T("audit.views.overdue_head", "Where", w, "Count", len(vs))}
	var kb bot.Keyboard
	for _, v := range vs[from:to] {
		school := ""
		if org == 0 {
			school = names[v.OrgID]
		}
		line := c.T("audit.views.overdue_line", "Number", findingNumber(c, v.Finding),
			"Audit", fmt.Sprintf("%d-%d", v.AuditYear, v.AuditNumber), "Area", v.Area,
			"Text", clip(v.Description, lineText), "Due", dueText(c, v), "Late", lateText(c, v))
		if school != "" {
			line = c.T("audit.views.overdue_org", "Org", school) + "\n" + line
		}
		parts = append(parts, line)
		kb = append(kb, []bot.Button{{Text: findingLabel(c, v, school), Data: flows.CB(cb, actView, v.ID)}})
	}
	if row := c.PageNav(p, count, func(n int64) string { return flows.CB(cb, actOverdue, fmt.Sprintf("%d.%d", org, n)) }); row != nil {
		kb = append(kb, row)
	}
	c.Edit(strings.Join(parts, "\n\n")+c.PageLine(p, count), append(kb, back))
	return flows.Stay(), nil
}

// lateText says how long an action is overdue: whole days since its due day
// in the association's zone («просрочено на 3 дня»), or that a deadline
// with a time ran out today.
func lateText(c *flows.Context, v storage.FindingView) string {
	loc := c.L.Location()
	due, now := v.Due.In(loc), c.Now.In(loc)
	d0 := time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, time.UTC)
	d1 := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	days := int(d1.Sub(d0).Hours() / 24)
	if days < 1 {
		return c.T("audit.views.late_today")
	}
	return c.L.N("audit.views.late_days", days)
}

// pressChart sends the findings of every audit by process and kind: a
// stacked bar chart and an XLSX (with a sheet per school for 0).
func (f *Flow) pressChart(ctx context.Context, c *flows.Context) (flows.Next, error) {
	org, _, err := viewArgs(c)
	if err != nil {
		return flows.Stay(), err
	}
	orgs, err := f.viewScope(ctx, c, org)
	if err != nil {
		return flows.Stay(), err
	}
	w := where(c, org, orgs)
	counts, err := f.Store.FindingsByProcess(ctx, orgIDs(orgs))
	if err != nil {
		return flows.Stay(), fmt.Errorf("audit: findings by process: %w", err)
	}
	if len(counts) == 0 {
		c.Reply(c.T("audit.views.chart_empty", "Where", w), nil)
		return flows.Stay(), nil
	}
	table := processTable(counts)
	png, total, more, err := processChart(c, table, w)
	if err != nil {
		return flows.Stay(), err
	}
	caption := c.L.N("audit.views.chart_caption", total, "Where", w)
	if more > 0 {
		caption += "\n" + c.L.N("audit.views.chart_more", more)
	}
	c.Send(bot.Photo{ChatID: c.Chat(), Name: "findings-by-process.png", Data: png, Caption: caption})

	kinds := storage.FindingKinds()
	header := func(first string) []string {
		h := []string{c.T(first)}
		for _, k := range kinds {
			h = append(h, c.T("audit.kind_plain."+string(k)))
		}
		return append(h, c.T("audit.views.xlsx.total"))
	}
	sheets := []report.Sheet{{Name: c.T("audit.views.xlsx.sheet_process"), Header: header("audit.views.xlsx.process"),
		Rows: countRows(c, table)}}
	if org == 0 {
		var schools []processRow
		for _, o := range orgs {
			cs, err := f.Store.FindingsByProcess(ctx, []int64{o.ID})
			if err != nil {
				return flows.Stay(), fmt.Errorf("audit: findings by process of %d: %w", o.ID, err)
			}
			row := processRow{name: o.ShortName, n: map[storage.FindingKind]int{}}
			for _, x := range cs {
				row.n[x.Kind] += x.Count
			}
			schools = append(schools, row)
		}
		sheets = append(sheets, report.Sheet{Name: c.T("audit.views.xlsx.sheet_schools"),
			Header: header("audit.views.xlsx.school"), Rows: countRows(c, schools)})
	}
	data, err := report.XLSX(sheets...)
	if err != nil {
		return flows.Stay(), fmt.Errorf("audit: findings xlsx: %w", err)
	}
	c.Send(bot.Document{ChatID: c.Chat(), Name: fmt.Sprintf("findings-%s.xlsx", c.Now.In(c.L.Location()).Format("2006-01-02")),
		Data: data, Caption: c.T("audit.views.xlsx_caption", "Where", w)})
	return flows.Stay(), nil
}

// processRow counts the findings of a process (or a school) by kind.
type processRow struct {
	name string
	n    map[storage.FindingKind]int
}

func (r processRow) total() int {
	t := 0
	for _, n := range r.n {
		t += n
	}
	return t
}

// processTable turns the store's counts (by area, then kind) into rows.
func processTable(counts []storage.ProcessCount) []processRow {
	var rows []processRow
	for _, x := range counts {
		if len(rows) == 0 || rows[len(rows)-1].name != x.Area {
			rows = append(rows, processRow{name: x.Area, n: map[storage.FindingKind]int{}})
		}
		rows[len(rows)-1].n[x.Kind] += x.Count
	}
	return rows
}

// processChart draws the processes with the most findings as stacked bars,
// a series per kind; it returns the findings counted and how
// many processes were left out.
func processChart(c *flows.Context, table []processRow, w string) ([]byte, int, int, error) {
	rows := slices.Clone(table)
	slices.SortStableFunc(rows, func(a, b processRow) int { return cmp.Compare(b.total(), a.total()) })
	total := 0
	for _, r := range rows {
		total += r.total()
	}
	more := max(len(rows)-chartRows, 0)
	rows = rows[:len(rows)-more]
	labels := make([]string, len(rows))
	for i, r := range rows {
		labels[i] = r.name
	}
	// Every kind, so that each keeps its colour from chart to chart: from
	// red for a major nonconformity to green for an improvement.
	var series []report.Series
	for _, k := range storage.FindingKinds() {
		s := report.Series{Name: c.T("audit.kind_plain." + string(k)), Values: make([]float64, len(rows))}
		for i, r := range rows {
			s.Values[i] = float64(r.n[k])
		}
		series = append(series, s)
	}
	png, err := report.StackedBarChart(labels, series, report.ChartOptions{
		Title: c.T("audit.views.chart_title", "Where", w), Ordered: true})
	if err != nil {
		return nil, 0, 0, fmt.Errorf("audit: findings chart: %w", err)
	}
	return png, total, more, nil
}

// countRows are the XLSX rows of the table: a name, a count per kind and
// the row's total, then the totals of every column.
func countRows(c *flows.Context, table []processRow) [][]any {
	kinds := storage.FindingKinds()
	sums := make([]int, len(kinds)+1)
	var rows [][]any
	for _, r := range table {
		row := []any{r.name}
		for i, k := range kinds {
			row = append(row, r.n[k])
			sums[i] += r.n[k]
		}
		row = append(row, r.total())
		sums[len(kinds)] += r.total()
		rows = append(rows, row)
	}
	last := []any{c.T("audit.views.xlsx.totals")}
	for _, s := range sums {
		last = append(last, s)
	}
	return append(rows, last)
}
