package tasks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/report"
	"smkbot/storage"
)

// manChart sends the programme's progress as a picture: a bar per
// direction, split by the assignments' statuses: tkm:chart:<org>.
func (f *Flow) manChart(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := manArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	orgID := ids[0]
	if err := manOrgArg(c, orgID); err != nil {
		return flows.Stay(), err
	}
	p, dirs, err := f.manProg(ctx, c, orgID)
	if err != nil {
		return flows.Stay(), err
	}
	counts, err := f.Store.Overview(ctx, p.ID, c.Now)
	if err != nil {
		return flows.Stay(), fmt.Errorf("tasks: overview of %d: %w", p.ID, err)
	}
	png, total, confirmed, overdue, err := manChartPNG(c, p, dirs, counts)
	if err != nil {
		return flows.Stay(), err
	}
	if total == 0 {
		c.Notice(c.T("tasks.manage.chart_empty"))
		return flows.Stay(), nil
	}
	c.Send(bot.Photo{ChatID: c.Chat(), Name: "programme.png", Data: png,
		Caption: c.L.N("tasks.manage.chart_caption", total, "Year", p.Year, "Confirmed", confirmed, "Overdue", overdue)})
	return manKeep(c), nil
}

// manChartPNG draws the directions with assignments, by status; total
// counts the assignments drawn (0: nothing to draw, no picture).
func manChartPNG(c *flows.Context, p storage.Programme, dirs []storage.Direction, counts []storage.DirectionCount) (png []byte, total, confirmed, overdue int, err error) {
	byDir := map[int64]storage.DirectionCount{}
	for _, dc := range counts {
		byDir[dc.Direction.ID] = dc
	}
	var labels []string
	series := make([]report.Series, len(manStatuses))
	for i, s := range manStatuses {
		series[i].Name = c.T("tasks.manage.status." + string(s))
	}
	for _, d := range dirs {
		dc := byDir[d.ID]
		sum := 0
		for _, s := range manStatuses {
			sum += dc.ByStatus[s]
		}
		if sum == 0 {
			continue
		}
		labels = append(labels, d.Name)
		for i, s := range manStatuses {
			series[i].Values = append(series[i].Values, float64(dc.ByStatus[s]))
		}
		total += sum
		confirmed += dc.ByStatus[storage.TaskConfirmed]
		overdue += dc.Overdue
	}
	if total == 0 {
		return nil, 0, 0, 0, nil
	}
	png, err = report.StackedBarChart(labels, series, report.ChartOptions{Title: c.T("tasks.manage.chart_title", "Year", p.Year)})
	if err != nil {
		return nil, 0, 0, 0, fmt.Errorf("tasks: chart of %d: %w", p.ID, err)
	}
	return png, total, confirmed, overdue, nil
}

// manExport sends the programme as a workbook, as the association's model
// programme is kept: a task a row, and a summary by direction:
// tkm:xlsx:<org>.
func (f *Flow) manExport(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := manArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	orgID := ids[0]
	if err := manOrgArg(c, orgID); err != nil {
		return flows.Stay(), err
	}
	org, err := f.manOrgName(ctx, orgID)
	if err != nil {
		return flows.Stay(), err
	}
	p, dirs, err := f.manProg(ctx, c, orgID)
	if err != nil {
		return flows.Stay(), err
	}
	list, err := f.Store.ListTasks(ctx, p.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("tasks: tasks of %d: %w", p.ID, err)
	}
	counts, err := f.Store.Overview(ctx, p.ID, c.Now)
	if err != nil {
		return flows.Stay(), fmt.Errorf("tasks: overview of %d: %w", p.ID, err)
	}
	names, err := f.manNames(ctx, c, orgID)
	if err != nil {
		return flows.Stay(), err
	}
	manSortTasks(list, dirs)
	// Cancelled tasks go last: the plan reads first.
	slices.SortStableFunc(list, func(a, b storage.Task) int {
		return manBool(!a.CancelledAt.IsZero()) - manBool(!b.CancelledAt.IsZero())
	})
	assignees := make(map[int64][]storage.Assignment, len(list))
	for _, t := range list {
		_, as, err := f.Store.FindTask(ctx, t.ID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return flows.Stay(), fmt.Errorf("tasks: find task %d: %w", t.ID, err)
		}
		assignees[t.ID] = as
	}
	data, err := f.manWorkbook(c, dirs, list, assignees, counts, names)
	if err != nil {
		return flows.Stay(), err
	}
	name := manFileName(c.T("tasks.manage.xlsx_name", "Org", org, "Year", strings.ReplaceAll(p.Year, "/", "-")))
	c.Send(bot.Document{ChatID: c.Chat(), Name: name, Data: data,
		Caption: c.L.N("tasks.manage.xlsx_caption", len(list), "Year", p.Year, "Org", org)})
	return manKeep(c), nil
}

func manBool(b bool) int {
	if b {
		return 1
	}
	return 0
}

// manWorkbook writes the programme's two sheets.
func (f *Flow) manWorkbook(c *flows.Context, dirs []storage.Direction, list []storage.Task, assignees map[int64][]storage.Assignment,
	counts []storage.DirectionCount, names func(int64) string) ([]byte, error) {
	loc := f.manLoc(c)
	tasks := report.Sheet{
		Name: c.T("tasks.manage.sheet_tasks"),
		Header: []string{c.T("tasks.manage.col.n"), c.T("tasks.manage.col.direction"), c.T("tasks.manage.col.title"),
			c.T("tasks.manage.col.description"), c.T("tasks.manage.col.assignee"), c.T("tasks.manage.col.due_export"),
			c.T("tasks.manage.col.status"), c.T("tasks.manage.col.evidence_export")},
		Widths: []float64{5, 30, 50, 40, 35, 14, 30, 16},
	}
	for i, t := range list {
		var who []string
		for _, a := range assignees[t.ID] {
			who = append(who, names(a.PersonID))
		}
		var desc any
		if d := strings.TrimSpace(t.Description); d != "" {
			desc = d
		}
		tasks.Rows = append(tasks.Rows, []any{i + 1, manDirName(dirs, t.DirectionID), t.Title, desc,
			strings.Join(who, "; "), t.Due.In(loc), f.manTaskStatus(c, t, assignees[t.ID]), manEvidenceText(c, t.EvidenceRequired)})
	}

	summary := report.Sheet{
		Name:   c.T("tasks.manage.sheet_summary"),
		Header: []string{c.T("tasks.manage.col.direction"), c.T("tasks.manage.col.tasks")},
		Widths: []float64{40},
	}
	for _, s := range manStatuses {
		summary.Header = append(summary.Header, c.T("tasks.manage.status."+string(s)))
	}
	summary.Header = append(summary.Header, c.T("tasks.manage.col.overdue"))
	perDir := map[int64]int{}
	for _, t := range list {
		if t.CancelledAt.IsZero() {
			perDir[t.DirectionID]++
		}
	}
	byDir := map[int64]storage.DirectionCount{}
	for _, dc := range counts {
		byDir[dc.Direction.ID] = dc
	}
	totals := make([]int, len(manStatuses)+2)
	for _, d := range dirs {
		dc := byDir[d.ID]
		row := []any{d.Name, perDir[d.ID]}
		totals[0] += perDir[d.ID]
		for i, s := range manStatuses {
			row = append(row, dc.ByStatus[s])
			totals[i+1] += dc.ByStatus[s]
		}
		row = append(row, dc.Overdue)
		totals[len(totals)-1] += dc.Overdue
		summary.Rows = append(summary.Rows, row)
	}
	total := []any{c.T("tasks.manage.col.total")}
	for _, n := range totals {
		total = append(total, n)
	}
	summary.Rows = append(summary.Rows, total)
	data, err := report.XLSX(tasks, summary)
	if err != nil {
		return nil, fmt.Errorf("tasks: programme workbook: %w", err)
	}
	return data, nil
}

// manTaskStatus is a task's status in a word or a few: cancelled; the one
// status all its assignees share; or the statuses with their counts; with
// the overdue mark while someone is late.
func (f *Flow) manTaskStatus(c *flows.Context, t storage.Task, as []storage.Assignment) string {
	if !t.CancelledAt.IsZero() {
		return c.T("tasks.manage.status.cancelled")
	}
	n := map[storage.TaskStatus]int{}
	open := false
	for _, a := range as {
		n[a.Status]++
		open = open || a.Status.Open()
	}
	var parts []string
	for _, s := range manStatuses {
		if n[s] == 0 {
			continue
		}
		if n[s] == len(as) {
			parts = append(parts, c.T("tasks.manage.status."+string(s)))
			break
		}
		parts = append(parts, c.T("tasks.manage.status_count", "Status", c.T("tasks.manage.status."+string(s)), "Count", n[s]))
	}
	s := strings.Join(parts, ", ")
	if open && manOverdueAt(t, c.Now) {
		s = c.T("tasks.manage.status_overdue", "Status", s)
	}
	return s
}

// manFileName makes a file name safe on every system people open it on.
func manFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < ' ' {
			return '_'
		}
		return r
	}, s)
}

// manImportStart sends the template and waits for the filled workbook:
// tkm:imp:<org>.
func (f *Flow) manImportStart(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := manArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	orgID := ids[0]
	if err := manOrgArg(c, orgID); err != nil {
		return flows.Stay(), err
	}
	_, dirs, err := f.manProg(ctx, c, orgID)
	if err != nil {
		return flows.Stay(), err
	}
	teachers, err := f.manTeachers(ctx, orgID)
	if err != nil {
		return flows.Stay(), err
	}
	data, err := manTemplate(c, dirs, teachers)
	if err != nil {
		return flows.Stay(), err
	}
	c.Send(bot.Document{ChatID: c.Chat(), Name: c.T("tasks.manage.template_name"), Data: data, Caption: c.T("tasks.manage.template_caption")})
	manBorrow(c)
	c.SetInt(keyManImport, orgID)
	c.Reply(c.T("tasks.manage.import_ask", "Max", manMaxFile>>20),
		bot.Keyboard{{c.Button("common.btn.cancel", flows.CB(cbManage, "prog", orgID))}})
	return flows.Goto(stepManImport), nil
}

// manTemplate is the import template: the programme sheet with its header
// only, then how to fill it, and the directions and teachers to copy from.
func manTemplate(c *flows.Context, dirs []storage.Direction, teachers []storage.PersonRoles) ([]byte, error) {
	var header []string
	for _, key := range manFieldKeys {
		header = append(header, c.T("tasks.manage.col."+key))
	}
	howto := report.Sheet{
		Name:   c.T("tasks.manage.sheet_howto"),
		Header: []string{c.T("tasks.manage.col.column"), c.T("tasks.manage.col.how")},
		Widths: []float64{30, 90},
	}
	for _, key := range manFieldKeys {
		howto.Rows = append(howto.Rows, []any{c.T("tasks.manage.col." + key), c.T("tasks.manage.howto." + key)})
	}
	dirSheet := report.Sheet{Name: c.T("tasks.manage.sheet_directions"), Header: []string{c.T("tasks.manage.col.direction")}, Widths: []float64{50}}
	for _, d := range dirs {
		dirSheet.Rows = append(dirSheet.Rows, []any{d.Name})
	}
	people := report.Sheet{Name: c.T("tasks.manage.sheet_teachers"), Header: []string{c.T("tasks.manage.col.assignee")}, Widths: []float64{45}}
	for _, t := range teachers {
		people.Rows = append(people.Rows, []any{t.FullName})
	}
	widths := []float64{30, 50, 40, 35, 16, 16}
	data, err := report.XLSX(report.Sheet{Name: c.T("tasks.manage.sheet_tasks"), Header: header, Widths: widths}, howto, dirSheet, people)
	if err != nil {
		return nil, fmt.Errorf("tasks: import template: %w", err)
	}
	return data, nil
}

// manImport reads the filled workbook. A file with mistakes gets them by
// row and nothing is imported; the step stays, waiting for the corrected
// file. A good one is imported whole.
func (f *Flow) manImport(ctx context.Context, c *flows.Context) (flows.Next, error) {
	orgID, ok := manInt(c, keyManImport)
	if !ok {
		return manSessionLost(c)
	}
	if err := manOrgArg(c, orgID); err != nil {
		return manKeep(c), err
	}
	doc := c.Update.Document
	switch {
	case doc == nil && c.Update.Photo != nil:
		return flows.Stay(), flows.Invalid("tasks.manage.import_photo")
	case doc == nil:
		return flows.Stay(), flows.Invalid("tasks.manage.import_text")
	case doc.Size > manMaxFile:
		// Not worth downloading: no programme is that big.
		return flows.Stay(), flows.Invalid("tasks.manage.import_too_big", "Max", manMaxFile>>20)
	}
	if f.Files == nil {
		return flows.Stay(), errors.New("tasks: no file downloader")
	}
	data, err := f.Files.Download(ctx, doc.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("tasks: download programme file: %w", err)
	}
	p, dirs, err := f.manProg(ctx, c, orgID)
	if err != nil {
		return flows.Stay(), err
	}
	teachers, err := f.manTeachers(ctx, orgID)
	if err != nil {
		return flows.Stay(), err
	}
	in := manImportWords(c.L)
	in.People, in.Directions, in.Now, in.Loc = teachers, dirs, c.Now, f.manLoc(c)
	rows, errs := manParseProgramme(data, in)
	if len(errs) > 0 {
		c.Reply(manImportErrors(c, errs), nil)
		return flows.Stay(), nil
	}
	before, err := f.Store.ListTasks(ctx, p.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("tasks: tasks of %d: %w", p.ID, err)
	}
	n, err := f.Store.ImportProgramme(ctx, c.Actor.PersonID(), orgID, p.Year, rows)
	if ie := (*storage.ImportError)(nil); errors.As(err, &ie) {
		// The rows were checked a moment ago; what the store still refuses
		// changed in between (a teacher left, a deadline passed at midnight).
		var errs []manRowError
		for _, r := range ie.Rows {
			errs = append(errs, manRowError{Row: r.Row, MsgID: "tasks.manage.import.row_refused"})
		}
		c.Reply(manImportErrors(c, errs), nil)
		return flows.Stay(), nil
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("tasks: import programme of %d: %w", orgID, err)
	}
	if err := f.manAfterImport(ctx, c, p, before); err != nil {
		return flows.Stay(), err
	}
	c.Say("tasks.manage.imported", "Tasks", c.L.N("tasks.manage.tasks", n))
	text, kb, err := f.manOverview(ctx, c, orgID)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(text, kb)
	return manKeep(c), nil
}

// manAfterImport starts the reminders of the imported tasks' assignees
// and tells each of them once how many tasks they were given. The tasks
// that were not there before the import are the imported ones.
func (f *Flow) manAfterImport(ctx context.Context, c *flows.Context, p storage.Programme, before []storage.Task) error {
	old := map[int64]bool{}
	for _, t := range before {
		old[t.ID] = true
	}
	after, err := f.Store.ListTasks(ctx, p.ID)
	if err != nil {
		return fmt.Errorf("tasks: tasks of %d: %w", p.ID, err)
	}
	policy, err := f.manPolicy(ctx, p.OrgID)
	if err != nil {
		return err
	}
	given := map[int64]int{}
	var people []int64
	for _, t := range after {
		if old[t.ID] {
			continue
		}
		_, as, err := f.Store.FindTask(ctx, t.ID)
		if err != nil {
			return fmt.Errorf("tasks: find task %d: %w", t.ID, err)
		}
		next, step := FirstReminder(policy, t.Due, t.HasTime, c.Now, f.manLoc(c))
		for _, a := range as {
			if given[a.PersonID] == 0 {
				people = append(people, a.PersonID)
			}
			given[a.PersonID]++
			if !a.Status.Open() || a.NextRemindAt.Equal(next) {
				continue
			}
			a.NextRemindAt, a.RemindStep = next, step
			if err := f.Store.SetAssignment(ctx, c.Actor.PersonID(), a); err != nil {
				return fmt.Errorf("tasks: schedule task %d for %d: %w", t.ID, a.PersonID, err)
			}
		}
	}
	for _, id := range people {
		if err := f.manTellText(ctx, c, id, c.L.N("tasks.manage.to_assignee.imported", given[id])); err != nil {
			return err
		}
	}
	return nil
}

// manImportErrors is the reply to a workbook with mistakes: how many, then
// the first of them by row.
func manImportErrors(c *flows.Context, errs []manRowError) string {
	lines := []string{c.L.N("tasks.manage.import_errors", len(errs))}
	for _, e := range errs[:min(len(errs), manMaxImportShown)] {
		text := c.T(e.MsgID, e.Data...)
		if e.Row > 0 {
			text = c.T("tasks.manage.import_row", "Row", e.Row, "Text", text)
		}
		lines = append(lines, text)
	}
	if n := len(errs) - manMaxImportShown; n > 0 {
		lines = append(lines, c.L.N("tasks.manage.import_errors_more", n))
	}
	lines = append(lines, c.T("tasks.manage.import_try_again"))
	return strings.Join(lines, "\n")
}
