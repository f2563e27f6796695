package tasks

import (
	"cmp"
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

// The quality manager's side of the programme. Browsing (the overview, the
// lists, a task's card, a report, a request) needs no step: every press
// stands on its own and is re-authorised against the organisation of the
// object it names. A new task is a chain of steps whose values wait in the
// session until «Создать», so a refused value (a past date) costs only that
// value. Editing a task, returning a report and importing a workbook have a
// step each, for the typed text or the file they wait for.
const (
	stepManTitle   = "tasks:man_title"
	stepManDir     = "tasks:man_dir"
	stepManWho     = "tasks:man_who"
	stepManDue     = "tasks:man_due"
	stepManEv      = "tasks:man_ev"
	stepManConfirm = "tasks:man_confirm"

	stepManEditTitle = "tasks:man_edit_title"
	stepManEditDue   = "tasks:man_edit_due"
	stepManReturn    = "tasks:man_return"
	stepManImport    = "tasks:man_import"
)

// manNewSteps are the steps of a new task: the overview offers to go back
// to one of them, and «Отмена» leaves any of them.
var manNewSteps = []string{stepManTitle, stepManDir, stepManWho, stepManDue, stepManEv, stepManConfirm}

// Session keys. A new task keeps its values under "tkm.*"; the one-step
// questions (edit, return, import) keep what they act on.
const (
	keyManOrg    = "tkm.org"    // organisation of the new task or the import
	keyManTitle  = "tkm.title"  // title of the new task
	keyManDir    = "tkm.dir"    // direction id
	keyManWho    = "tkm.who"    // chosen assignees: person ids joined by "."
	keyManQuery  = "tkm.q"      // the letters typed to find a teacher
	keyManDue    = "tkm.due"    // deadline, yyyymmdd
	keyManTime   = "tkm.time"   // deadline time, hhmm; "" for none
	keyManEv     = "tkm.ev"     // "1" evidence required, "0" not
	keyManReview = "tkm.review" // "1": values are complete, back to the summary
	keyManTask   = "tkm.task"   // the task being edited
	keyManPerson = "tkm.person" // the assignee whose report is returned
	keyManBack   = "tkm.back"   // the new task's step a question stands in front of
	keyManImport = "tkm.imp"    // organisation whose programme is imported
)

// manPageSize is how many teachers or tasks a list shows at once: a phone
// screen of buttons.
const manPageSize = 8

// Limits of typed values: a title is a line of a plan, a comment a few
// sentences; longer is a pasted document.
const (
	manMaxTitle   = 200
	manMaxComment = 1000
	manMaxWho     = 20
	// manMaxDaysAhead keeps a typo ("2062") out of the programme; two
	// years covers any plan a school makes.
	manMaxDaysAhead = 730
)

// manStatuses are the assignment statuses in the order a task goes
// through them, as the overview, the chart and the export list them.
var manStatuses = []storage.TaskStatus{
	storage.TaskAssigned, storage.TaskAccepted, storage.TaskDone, storage.TaskReturned, storage.TaskConfirmed,
}

func (f *Flow) registerManage(r *flows.Router) {
	p := flows.ManageTasks
	r.Menu(flows.MenuItem{Label: "tasks.manage.menu", Help: "tasks.manage.help", Perm: p, Handler: f.manMenu})

	// The programme.
	r.Callback(cbManage, "prog", p, f.manProgramme)
	r.Callback(cbManage, "list", p, f.manList)
	r.Callback(cbManage, "over", p, f.manOverdue)
	r.Callback(cbManage, "chart", p, f.manChart)
	r.Callback(cbManage, "xlsx", p, f.manExport)
	r.Callback(cbManage, "imp", p, f.manImportStart)
	r.Step(stepManImport, p, f.manImport)

	// A new task.
	r.Callback(cbManage, "new", p, f.manNew)
	r.Callback(cbManage, "resume", p, f.manResume)
	r.Callback(cbManage, "abort", p, f.manAbort)
	r.Step(stepManTitle, p, f.manTitle)
	r.Callback(cbManage, "dir", p, f.manDirection)
	r.Step(stepManDir, p, manPressButton)
	r.Callback(cbManage, "who", p, f.manWhoToggle)
	r.Callback(cbManage, "whop", p, f.manWhoPage)
	r.Callback(cbManage, "whoall", p, f.manWhoAll)
	r.Callback(cbManage, "whook", p, f.manWhoDone)
	r.Step(stepManWho, p, f.manWhoSearch)
	r.Callback(cbManage, "due", p, f.manDueButton)
	r.Step(stepManDue, p, f.manDueTyped)
	r.Callback(cbManage, "ev", p, f.manEvidence)
	r.Step(stepManEv, p, manPressButton)
	r.Callback(cbManage, "fix", p, f.manFix)
	r.Callback(cbManage, "create", p, f.manCreate)
	r.Step(stepManConfirm, p, manPressButton)

	// A task's life.
	r.Callback(cbManage, "task", p, f.manCard)
	r.Callback(cbManage, "edit", p, f.manEditMenu)
	r.Callback(cbManage, "et", p, f.manEditTitleAsk)
	r.Step(stepManEditTitle, p, f.manEditTitle)
	r.Callback(cbManage, "ed", p, f.manEditDueAsk)
	r.Callback(cbManage, "edd", p, f.manEditDueButton)
	r.Step(stepManEditDue, p, f.manEditDueTyped)
	r.Callback(cbManage, "ee", p, f.manEditEvidence)
	r.Callback(cbManage, "cancel", p, f.manCancelAsk)
	r.Callback(cbManage, "cancelok", p, f.manCancel)

	// Reports and requests.
	r.Callback(cbManage, "rep", p, f.manReport)
	r.Callback(cbManage, "acc", p, f.manAccept)
	r.Callback(cbManage, "ret", p, f.manReturnAsk)
	r.Step(stepManReturn, p, f.manReturn)
	r.Callback(cbManage, "req", p, f.manRequest)
	r.Callback(cbManage, "reqok", p, f.manRequestApprove)
	r.Callback(cbManage, "reqno", p, f.manRequestRefuse)
}

// manPressButton answers text typed where the bot waits for a press.
func manPressButton(context.Context, *flows.Context) (flows.Next, error) {
	return flows.Stay(), flows.Invalid("tasks.manage.press_button")
}

// manArgs parses the pressed button's argument as exactly n numbers.
// Anything else is not a button of this version of the bot: stale.
func manArgs(c *flows.Context, n int) ([]int64, error) {
	ids, err := flows.ArgInts(c.Callback.Arg)
	if err != nil || len(ids) != n {
		return nil, flows.ErrStale
	}
	return ids, nil
}

// manNoArg checks a button that carries no argument.
func manNoArg(c *flows.Context) error {
	if c.Callback.Arg != "" {
		return flows.ErrStale
	}
	return nil
}

// manLoc is the association's zone: deadlines are local dates.
func (f *Flow) manLoc(c *flows.Context) *time.Location {
	if f.Location != nil {
		return f.Location
	}
	return c.L.Location()
}

// manToday is the local date of now, at 00:00.
func (f *Flow) manToday(c *flows.Context) time.Time {
	return manDay(c.Now, f.manLoc(c))
}

func manDay(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// manOrgs lists the organisations whose programme the actor runs. An
// association-wide grant (none gives ManageTasks today) counts for the
// person's own organisation: the store has no list of every school here.
func manOrgs(c *flows.Context) []int64 {
	all, ids := c.Actor.Scope(flows.ManageTasks)
	if all && c.Actor.Person != nil && c.Actor.Person.OrgID != 0 {
		ids = append(ids, c.Actor.Person.OrgID)
	}
	ids = slices.DeleteFunc(ids, func(id int64) bool { return id == 0 })
	slices.Sort(ids)
	return slices.Compact(ids)
}

// manOrgArg reads an organisation id from the button and checks the
// actor runs its programme.
func manOrgArg(c *flows.Context, id int64) error {
	if id <= 0 || !c.Actor.CanIn(flows.ManageTasks, id) {
		return flows.ErrForbidden
	}
	return nil
}

// manProg returns the organisation's programme of the current school year
// with its directions, creating it with the model directions on first use.
func (f *Flow) manProg(ctx context.Context, c *flows.Context, orgID int64) (storage.Programme, []storage.Direction, error) {
	p, dirs, err := f.Store.EnsureProgramme(ctx, c.Actor.PersonID(), orgID, SchoolYear(c.Now.In(f.manLoc(c))))
	if errors.Is(err, storage.ErrNotFound) {
		return storage.Programme{}, nil, flows.ErrStale
	}
	if err != nil {
		return storage.Programme{}, nil, fmt.Errorf("tasks: programme of %d: %w", orgID, err)
	}
	slices.SortStableFunc(dirs, func(a, b storage.Direction) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
	})
	return p, dirs, nil
}

// manTask authorises and loads the task a button names by the first of n
// numbers of its argument. The right is checked against the task's own
// organisation on every press.
func (f *Flow) manTask(ctx context.Context, c *flows.Context, n int) (storage.Task, []storage.Assignment, []int64, error) {
	ids, err := manArgs(c, n)
	if err != nil {
		return storage.Task{}, nil, nil, err
	}
	t, as, err := f.manFindTask(ctx, c, ids[0])
	return t, as, ids, err
}

// manFindTask loads a task by id and checks the actor runs its school's
// programme.
func (f *Flow) manFindTask(ctx context.Context, c *flows.Context, id int64) (storage.Task, []storage.Assignment, error) {
	t, as, err := f.Store.FindTask(ctx, id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return storage.Task{}, nil, flows.ErrStale
	case err != nil:
		return storage.Task{}, nil, fmt.Errorf("tasks: find task %d: %w", id, err)
	case !c.Actor.CanIn(flows.ManageTasks, t.OrgID):
		return storage.Task{}, nil, flows.ErrForbidden
	}
	return t, as, nil
}

// manOrgName is how a school appears in titles.
func (f *Flow) manOrgName(ctx context.Context, orgID int64) (string, error) {
	o, err := f.Store.FindOrganisationByID(ctx, orgID)
	if errors.Is(err, storage.ErrNotFound) {
		return "", flows.ErrStale
	}
	if err != nil {
		return "", fmt.Errorf("tasks: organisation %d: %w", orgID, err)
	}
	if o.ShortName != "" {
		return o.ShortName, nil
	}
	return o.Name, nil
}

// manNames returns a function naming people of an organisation by id,
// from one read of its list; a forgotten person reads as such.
func (f *Flow) manNames(ctx context.Context, c *flows.Context, orgID int64) (func(int64) string, error) {
	people, err := f.Store.ListPeople(ctx, orgID, "")
	if err != nil {
		return nil, fmt.Errorf("tasks: people of %d: %w", orgID, err)
	}
	byID := make(map[int64]string, len(people))
	for _, p := range people {
		byID[p.ID] = p.FullName
	}
	return func(id int64) string {
		if n, ok := byID[id]; ok && n != "" {
			return n
		}
		// Someone who left the school keeps their tasks: ask the records.
		p, _, err := f.Store.FindPersonByID(ctx, id)
		if err == nil && p.FullName != "" {
			byID[id] = p.FullName
			return p.FullName
		}
		return c.T("tasks.manage.person_gone")
	}, nil
}

// manClip shortens a title for a button.
func manClip(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return string([]rune(s)[:limit-1]) + "…"
}

// manText is the typed text of a step, or an error for a photo, a file or
// a sticker.
func manText(c *flows.Context) (string, error) {
	if c.Update.Document != nil || c.Update.Photo != nil || strings.TrimSpace(c.Update.Text) == "" {
		return "", flows.Invalid("tasks.manage.text_expected")
	}
	return strings.TrimSpace(c.Update.Text), nil
}

// manSessionLost returns the person to their menu when a step's session
// values are missing: an error would keep them in the step, answering every
// message with the same notice.
func manSessionLost(c *flows.Context) (flows.Next, error) {
	c.ReplyMenu(c.T("common.session_lost"))
	return flows.End(), nil
}

// manQuestions are the one-step questions: each waits for one typed
// value or file, and may stand in front of a new task being written.
var manQuestions = []string{stepManEditTitle, stepManEditDue, stepManReturn, stepManImport}

// manDraftStep is the step of the new task being written, or "" when
// none: a one-step question may stand in front of it.
func manDraftStep(c *flows.Context) string {
	step := c.Step()
	if slices.Contains(manQuestions, step) {
		step = c.Get(keyManBack)
	}
	if slices.Contains(manNewSteps, step) {
		return step
	}
	return ""
}

// manKeep is where a press or an answer leaves the conversation: a new
// task being written keeps its place (the overview offers to resume it); a
// one-step question, answered or left, gives the session back to the new
// task it stood in front of, or ends.
func manKeep(c *flows.Context) flows.Next {
	if !slices.Contains(manQuestions, c.Step()) {
		return flows.Stay()
	}
	back := manDraftStep(c)
	c.Set(keyManTask, "")
	c.Set(keyManPerson, "")
	c.Set(keyManImport, "")
	c.Set(keyManBack, "")
	if back == "" {
		return flows.End()
	}
	c.Reply(c.T("tasks.manage.draft_waiting"), bot.Keyboard{{c.Button("tasks.manage.btn.resume", flows.CB(cbManage, "resume", nil))}})
	return flows.Goto(back)
}

// manMenu opens the programme: of the one school the manager runs, or a
// choice of their schools.
func (f *Flow) manMenu(ctx context.Context, c *flows.Context) (flows.Next, error) {
	orgs := manOrgs(c)
	switch len(orgs) {
	case 0:
		return flows.Stay(), flows.ErrForbidden
	case 1:
		text, kb, err := f.manOverview(ctx, c, orgs[0])
		if err != nil {
			return flows.Stay(), err
		}
		c.Reply(text, kb)
		return manKeep(c), nil
	}
	var kb bot.Keyboard
	for _, id := range orgs {
		name, err := f.manOrgName(ctx, id)
		if errors.Is(err, flows.ErrStale) {
			continue
		}
		if err != nil {
			return flows.Stay(), err
		}
		kb = append(kb, []bot.Button{{Text: name, Data: flows.CB(cbManage, "prog", id)}})
	}
	c.Reply(c.T("tasks.manage.pick_school"), kb)
	return manKeep(c), nil
}

// manProgramme shows a school's programme: tkm:prog:<org>.
func (f *Flow) manProgramme(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := manArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if err := manOrgArg(c, ids[0]); err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.manOverview(ctx, c, ids[0])
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return manKeep(c), nil
}

// manOverview renders the programme: per direction, the assignments by
// status and how many are overdue, with the buttons of the programme.
func (f *Flow) manOverview(ctx context.Context, c *flows.Context, orgID int64) (string, bot.Keyboard, error) {
	org, err := f.manOrgName(ctx, orgID)
	if err != nil {
		return "", nil, err
	}
	p, dirs, err := f.manProg(ctx, c, orgID)
	if err != nil {
		return "", nil, err
	}
	counts, err := f.Store.Overview(ctx, p.ID, c.Now)
	if err != nil {
		return "", nil, fmt.Errorf("tasks: overview of %d: %w", p.ID, err)
	}
	list, err := f.Store.ListTasks(ctx, p.ID)
	if err != nil {
		return "", nil, fmt.Errorf("tasks: tasks of %d: %w", p.ID, err)
	}
	tasks := 0
	for _, t := range list {
		if t.CancelledAt.IsZero() {
			tasks++
		}
	}
	byDir := map[int64]storage.DirectionCount{}
	for _, dc := range counts {
		byDir[dc.Direction.ID] = dc
	}
	lines := []string{c.T("tasks.manage.overview_title", "Year", p.Year, "Org", org), c.L.N("tasks.manage.overview_tasks", tasks)}
	overdue := 0
	for _, d := range dirs {
		dc := byDir[d.ID]
		overdue += dc.Overdue
		lines = append(lines, c.T("tasks.manage.overview_dir", "Name", d.Name, "Counts", manCounts(c, dc)))
	}
	if tasks == 0 {
		lines = append(lines, c.T("tasks.manage.overview_empty"))
	}
	kb := bot.Keyboard{
		{c.Button("tasks.manage.btn.new", flows.CB(cbManage, "new", orgID)), c.Button("tasks.manage.btn.list", flows.CB(cbManage, "list", fmt.Sprintf("%d.1", orgID)))},
		{c.Button("tasks.manage.btn.overdue", flows.CB(cbManage, "over", fmt.Sprintf("%d.1", orgID))), c.Button("tasks.manage.btn.chart", flows.CB(cbManage, "chart", orgID))},
		{c.Button("tasks.manage.btn.xlsx", flows.CB(cbManage, "xlsx", orgID)), c.Button("tasks.manage.btn.import", flows.CB(cbManage, "imp", orgID))},
		{c.Button("tasks.settings.btn.open", flows.CB(cbManage, "set", orgID))},
	}
	if overdue > 0 {
		kb[1][0].Text = c.L.N("tasks.manage.btn.overdue_n", overdue)
	}
	if manDraftStep(c) != "" {
		kb = append(kb, []bot.Button{c.Button("tasks.manage.btn.resume", flows.CB(cbManage, "resume", nil))})
	}
	return strings.Join(lines, "\n\n"), kb, nil
}

// manCounts is a direction's line of counts: the statuses that have any,
// and the overdue; "no tasks" when none.
func manCounts(c *flows.Context, dc storage.DirectionCount) string {
	var parts []string
	for _, s := range manStatuses {
		if n := dc.ByStatus[s]; n > 0 {
			parts = append(parts, c.T("tasks.manage.count."+string(s), "Count", n))
		}
	}
	if dc.Overdue > 0 {
		parts = append(parts, c.T("tasks.manage.count.overdue", "Count", dc.Overdue))
	}
	if len(parts) == 0 {
		return c.T("tasks.manage.count.none")
	}
	return strings.Join(parts, " · ")
}

// manList shows a page of the programme's tasks, each a button to its
// card: tkm:list:<org>.<page>.
func (f *Flow) manList(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := manArgs(c, 2)
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
	list, err := f.Store.ListTasks(ctx, p.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("tasks: tasks of %d: %w", p.ID, err)
	}
	list = slices.DeleteFunc(list, func(t storage.Task) bool { return !t.CancelledAt.IsZero() })
	manSortTasks(list, dirs)
	from, to, page, count := flows.Pages(int64(len(list)), manPageSize, ids[1])
	var kb bot.Keyboard
	var lines []string
	for i, t := range list[from:to] {
		n := int(from) + i + 1
		lines = append(lines, c.T("tasks.manage.list_line", "N", n, "Title", t.Title, "Due", f.manDue(c, t)))
		kb = append(kb, []bot.Button{{Text: c.T("tasks.manage.btn.list_item", "N", n, "Title", manClip(t.Title, 40)), Data: flows.CB(cbManage, "task", t.ID)}})
	}
	if row := c.PageNav(page, count, func(n int64) string { return flows.CB(cbManage, "list", fmt.Sprintf("%d.%d", orgID, n)) }); row != nil {
		kb = append(kb, row)
	}
	kb = append(kb, []bot.Button{c.Button("tasks.manage.btn.to_programme", flows.CB(cbManage, "prog", orgID))})
	text := c.T("tasks.manage.list_empty")
	if len(list) > 0 {
		text = c.L.N("tasks.manage.list_title", len(list)) + "\n\n" + strings.Join(lines, "\n") + c.PageLine(page, count)
	}
	c.Edit(text, kb)
	return manKeep(c), nil
}

// manSortTasks orders tasks as the programme reads: by direction, then by
// deadline.
func manSortTasks(list []storage.Task, dirs []storage.Direction) {
	pos := map[int64]int{}
	for i, d := range dirs {
		pos[d.ID] = i
	}
	slices.SortStableFunc(list, func(a, b storage.Task) int {
		return cmp.Or(cmp.Compare(pos[a.DirectionID], pos[b.DirectionID]), a.Due.Compare(b.Due), cmp.Compare(a.ID, b.ID))
	})
}

// manDue shows a deadline: "25 декабря 2026" or "25 декабря 2026, 14:00".
func (f *Flow) manDue(c *flows.Context, t storage.Task) string {
	if t.HasTime {
		return c.L.DateTime(t.Due)
	}
	return c.L.Date(t.Due)
}

// manDaysOverdue counts the whole local days since the deadline's date.
func (f *Flow) manDaysOverdue(c *flows.Context, due time.Time) int {
	loc := f.manLoc(c)
	d, today := manDay(due, loc), f.manToday(c)
	n := 0
	for d.Before(today) && n < 10000 {
		d = d.AddDate(0, 0, 1)
		n++
	}
	return n
}

// manOverdue lists the overdue tasks with their late assignees:
// tkm:over:<org>.<page>.
func (f *Flow) manOverdue(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := manArgs(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	orgID := ids[0]
	if err := manOrgArg(c, orgID); err != nil {
		return flows.Stay(), err
	}
	due, err := f.Store.ListOverdue(ctx, orgID, c.Now)
	if err != nil {
		return flows.Stay(), fmt.Errorf("tasks: overdue of %d: %w", orgID, err)
	}
	names, err := f.manNames(ctx, c, orgID)
	if err != nil {
		return flows.Stay(), err
	}
	// One entry per task, the oldest deadline first.
	type entry struct {
		task storage.Task
		who  []string
	}
	var order []int64
	byTask := map[int64]*entry{}
	for _, d := range due {
		e, ok := byTask[d.Task.ID]
		if !ok {
			e = &entry{task: d.Task}
			byTask[d.Task.ID] = e
			order = append(order, d.Task.ID)
		}
		e.who = append(e.who, c.T("tasks.manage.overdue_who", "Name", names(d.Assignment.PersonID),
			"Status", c.T("tasks.manage.status."+string(d.Assignment.Status))))
	}
	slices.SortStableFunc(order, func(a, b int64) int {
		return cmp.Or(byTask[a].task.Due.Compare(byTask[b].task.Due), cmp.Compare(a, b))
	})
	from, to, page, count := flows.Pages(int64(len(order)), manPageSize, ids[1])
	var lines []string
	var kb bot.Keyboard
	for i, id := range order[from:to] {
		e := byTask[id]
		n := int(from) + i + 1
		lines = append(lines, c.T("tasks.manage.overdue_line", "N", n, "Title", e.task.Title, "Due", f.manDue(c, e.task),
			"Late", c.L.N("tasks.manage.days", f.manDaysOverdue(c, e.task.Due)), "Who", strings.Join(e.who, "\n")))
		kb = append(kb, []bot.Button{{Text: c.T("tasks.manage.btn.list_item", "N", n, "Title", manClip(e.task.Title, 40)), Data: flows.CB(cbManage, "task", id)}})
	}
	if row := c.PageNav(page, count, func(n int64) string { return flows.CB(cbManage, "over", fmt.Sprintf("%d.%d", orgID, n)) }); row != nil {
		kb = append(kb, row)
	}
	kb = append(kb, []bot.Button{c.Button("tasks.manage.btn.to_programme", flows.CB(cbManage, "prog", orgID))})
	text := c.T("tasks.manage.overdue_none")
	if len(order) > 0 {
		text = c.L.N("tasks.manage.overdue_title", len(order)) + "\n\n" + strings.Join(lines, "\n\n") + c.PageLine(page, count)
	}
	c.Edit(text, kb)
	return manKeep(c), nil
}
