package tasks

// The assignee's side: a teacher's task card, accepting a task, reporting
// it with evidence, asking for help or more time, and the list of their
// open tasks.
//
// Every button names its task, and every press re-reads the task and the
// presser's assignment: a button of someone else's task is refused as
// forbidden, a button whose moment has passed (accepting a task already
// reported) as stale. The session only says which task typed text and files
// belong to; the report itself is a draft in Postgres from its first piece
// of evidence, so a lost session costs nothing but a press of «Выполнено».

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

// The actions of the assignee's buttons (flow cbMine). The argument is the
// task id, then what the action needs.
const (
	mineOpen   = "open"   // tk:open:<task>              the card as a new message (reminders send it)
	mineCardA  = "card"   // tk:card:<task>.<page>       the card in place of the list
	mineList   = "list"   // tk:list:<page>              my open tasks
	mineAccept = "acc"    // tk:acc:<task>               accept
	mineDone   = "done"   // tk:done:<task>              start (or resume) the report
	mineSend   = "send"   // tk:send:<task>              send the report
	mineHelp   = "help"   // tk:help:<task>              ask for help
	minePost   = "post"   // tk:post:<task>              ask for a later deadline
	mineDate   = "pdate"  // tk:pdate:<task>.<yyyymmdd>  a quick date for the deadline request
	mineCancel = "cancel" // tk:cancel:<task>            leave the report or request
)

// The steps of the assignee's conversation: what typed text, photos and
// documents are for.
const (
	stepMineReport = "tasks:mine_report" // comment and evidence of a report
	stepMineHelp   = "tasks:mine_help"   // the reason help is needed
	stepMineDue    = "tasks:mine_due"    // the deadline asked for
	stepMineReason = "tasks:mine_reason" // why the deadline should move
)

// Session keys.
const (
	mineKeyTask = "tk.task" // the task the step is about
	mineKeyCard = "tk.card" // the card's message, edited when the report is sent
	mineKeyDue  = "tk.due"  // the deadline asked for, yyyymmdd
)

// Sizes.
const (
	// minePageSize is how many tasks the list shows at once: a phone
	// screen of buttons.
	minePageSize = 8
	// mineButtonTitle clips a title on a button, where a phone shows
	// little more anyway.
	mineButtonTitle = 40
	// mineMaxComment and mineMaxReason bound what a person types: a report
	// comment and a request's reason are read on a phone too.
	mineMaxComment = 2000
	mineMaxReason  = 1000
	// mineMaxEvidence bounds one report's files and links, so that the
	// managers' copy stays a few albums.
	mineMaxEvidence = 50
	// mineAlbum is Telegram's largest media group.
	mineAlbum = 10
)

func (f *Flow) registerMine(r *flows.Router) {
	r.Command(flows.Command{Name: "tasks", Help: "tasks.mine.cmd_help", Perm: flows.Registered, Handler: f.mineListCmd})
	r.Menu(flows.MenuItem{Label: "tasks.mine.menu", Perm: flows.Registered, Handler: f.mineListCmd})
	r.Callback(cbMine, mineList, flows.Registered, f.mineListPage)
	r.Callback(cbMine, mineOpen, flows.Registered, f.mineOpenCard)
	r.Callback(cbMine, mineCardA, flows.Registered, f.mineCardInPlace)
	r.Callback(cbMine, mineAccept, flows.Registered, f.mineAccept)
	r.Callback(cbMine, mineDone, flows.Registered, f.mineStartReport)
	r.Callback(cbMine, mineSend, flows.Registered, f.mineSendReport)
	r.Callback(cbMine, mineHelp, flows.Registered, f.mineAskHelp)
	r.Callback(cbMine, minePost, flows.Registered, f.mineAskPostpone)
	r.Callback(cbMine, mineDate, flows.Registered, f.mineQuickDate)
	r.Callback(cbMine, mineCancel, flows.Registered, f.mineCancel)
	r.Step(stepMineReport, flows.Registered, f.mineReportInput)
	r.Step(stepMineHelp, flows.Registered, f.mineHelpReason)
	r.Step(stepMineDue, flows.Registered, f.mineDueInput)
	r.Step(stepMineReason, flows.Registered, f.minePostponeReason)
}

// mineWork is a task with the presser's part of it.
type mineWork struct {
	t storage.Task
	a storage.Assignment
}

// status is the assignment's status, or cancelled when the task is, in
// case the assignments have not caught up with the task.
func (w mineWork) status() storage.TaskStatus {
	if !w.t.CancelledAt.IsZero() {
		return storage.TaskCancelled
	}
	return w.a.Status
}

// mineAnyStatus lets any assignment through (opening a card).
func mineAnyStatus(storage.TaskStatus) bool { return true }

// mineOpenStatus lets through an assignment with work left to do.
func mineOpenStatus(s storage.TaskStatus) bool { return s.Open() }

// mineFind loads task id and the actor's assignment in it. It returns
// ErrStale when the task is gone or its status is not one ok accepts, and
// ErrForbidden when the actor is not an assignee.
func (f *Flow) mineFind(ctx context.Context, c *flows.Context, id int64, ok func(storage.TaskStatus) bool) (mineWork, error) {
	t, as, err := f.Store.FindTask(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return mineWork{}, flows.ErrStale
	}
	if err != nil {
		return mineWork{}, fmt.Errorf("tasks: find task %d: %w", id, err)
	}
	me := c.Actor.PersonID()
	i := slices.IndexFunc(as, func(a storage.Assignment) bool { return a.PersonID == me })
	if me == 0 || i < 0 {
		return mineWork{}, flows.ErrForbidden
	}
	w := mineWork{t: t, a: as[i]}
	if !ok(w.status()) {
		return w, flows.ErrStale
	}
	return w, nil
}

// minePress reads the task id (and want more numbers) from the pressed
// button and loads the task as mineFind does.
func (f *Flow) minePress(ctx context.Context, c *flows.Context, want int, ok func(storage.TaskStatus) bool) (mineWork, []int64, error) {
	args, err := flows.ArgInts(c.Callback.Arg)
	if err != nil || len(args) != 1+want || args[0] == 0 {
		return mineWork{}, nil, flows.ErrStale
	}
	w, err := f.mineFind(ctx, c, args[0], ok)
	return w, args[1:], err
}

// mineStepWork loads the task the session's step is about. When the task
// is no longer open for the person, they are told and the step ends.
func (f *Flow) mineStepWork(ctx context.Context, c *flows.Context) (mineWork, bool, error) {
	w, err := f.mineFind(ctx, c, c.GetInt(mineKeyTask), mineOpenStatus)
	switch {
	case errors.Is(err, flows.ErrStale), errors.Is(err, flows.ErrForbidden):
		c.Say("tasks.mine.step_gone")
		return w, false, nil
	case err != nil:
		return w, false, err
	}
	return w, true, nil
}

// AssigneeCard is a task's card as its assignee sees it, addressed to
// chatID: title, direction (dir, "" to leave the line out), description,
// deadline (marked when overdue at c.Now), whether evidence is required,
// the status with the manager's comment on a returned report, and the
// buttons the status allows. The manager's part sends it to each assignee
// of a new task; a stored task's direction is found by mineDirection.
func (f *Flow) AssigneeCard(c *flows.Context, t storage.Task, dir string, a storage.Assignment, chatID int64) bot.Text {
	return bot.Text{ChatID: chatID, Text: mineCardText(c, t, dir, a), Buttons: mineCardButtons(c, t, a)}
}

func mineCardText(c *flows.Context, t storage.Task, dir string, a storage.Assignment) string {
	parts := []string{c.T("tasks.mine.card_title", "Title", t.Title)}
	if dir != "" {
		parts = append(parts, c.T("tasks.mine.card_direction", "Direction", dir))
	}
	if d := strings.TrimSpace(t.Description); d != "" {
		parts = append(parts, d)
	}
	due := c.T("tasks.mine.card_due", "Due", mineDue(c, t))
	if mineOverdue(t, c.Now) && (mineWork{t: t, a: a}).status().Open() {
		due = c.T("tasks.mine.card_due_overdue", "Due", mineDue(c, t))
	}
	evidence := c.T("tasks.mine.card_evidence_optional")
	if t.EvidenceRequired {
		evidence = c.T("tasks.mine.card_evidence_required")
	}
	parts = append(parts, due+"\n"+evidence+"\n"+c.T("tasks.mine.card_status", "Status", c.T(mineStatusID(t, a))))
	if a.Status == storage.TaskReturned && strings.TrimSpace(a.Comment) != "" {
		parts = append(parts, c.T("tasks.mine.card_returned", "Comment", strings.TrimSpace(a.Comment)))
	}
	return strings.Join(parts, "\n\n")
}

func mineCardButtons(c *flows.Context, t storage.Task, a storage.Assignment) bot.Keyboard {
	if !(mineWork{t: t, a: a}).status().Open() {
		return nil
	}
	var kb bot.Keyboard
	if a.Status == storage.TaskAssigned {
		kb = append(kb, []bot.Button{c.Button("tasks.mine.btn.accept", flows.CB(cbMine, mineAccept, t.ID))})
	}
	return append(kb,
		[]bot.Button{c.Button("tasks.mine.btn.done", flows.CB(cbMine, mineDone, t.ID))},
		[]bot.Button{
			c.Button("tasks.mine.btn.help", flows.CB(cbMine, mineHelp, t.ID)),
			c.Button("tasks.mine.btn.postpone", flows.CB(cbMine, minePost, t.ID)),
		})
}

// mineStatusID is the locale id of an assignment's status line.
func mineStatusID(t storage.Task, a storage.Assignment) string {
	return "tasks.mine.status." + string(mineWork{t: t, a: a}.status())
}

// mineDue shows a deadline as «25 декабря, 14:00», with the year when it is
// not this year's.
func mineDue(c *flows.Context, t storage.Task) string {
	s := c.L.DayMonth(t.Due)
	if t.Due.In(c.L.Location()).Year() != c.Now.In(c.L.Location()).Year() {
		s = c.L.Date(t.Due)
	}
	if t.HasTime {
		s += ", " + t.Due.In(c.L.Location()).Format("15:04")
	}
	return s
}

// mineOverdue reports whether the deadline has passed at now. A deadline
// without a time is the whole of its day.
func mineOverdue(t storage.Task, now time.Time) bool {
	end := t.Due
	if !t.HasTime {
		end = end.AddDate(0, 0, 1)
	}
	return !now.Before(end)
}

// mineDirection names the direction of a stored task. The Store has no
// lookup of one direction, so it takes the programme's overview, which
// lists every direction with tasks; "" when it is not there.
func (f *Flow) mineDirection(ctx context.Context, c *flows.Context, t storage.Task) (string, error) {
	counts, err := f.Store.Overview(ctx, t.ProgrammeID, c.Now)
	if err != nil {
		return "", fmt.Errorf("tasks: direction of task %d: %w", t.ID, err)
	}
	for _, d := range counts {
		if d.Direction.ID == t.DirectionID {
			return d.Direction.Name, nil
		}
	}
	return "", nil
}

// mineCard renders the card of a stored task for the actor.
func (f *Flow) mineCard(ctx context.Context, c *flows.Context, w mineWork) (string, bot.Keyboard, error) {
	dir, err := f.mineDirection(ctx, c, w.t)
	if err != nil {
		return "", nil, err
	}
	return mineCardText(c, w.t, dir, w.a), mineCardButtons(c, w.t, w.a), nil
}

// mineOpenCard sends the card as a new message: the button comes from a
// reminder or a notice that should stay readable.
func (f *Flow) mineOpenCard(ctx context.Context, c *flows.Context) (flows.Next, error) {
	w, _, err := f.minePress(ctx, c, 0, mineAnyStatus)
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.mineCard(ctx, c, w)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(text, kb)
	return flows.Stay(), nil
}

// mineCardInPlace shows the card in place of the list it was chosen from,
// with a way back to the same page.
func (f *Flow) mineCardInPlace(ctx context.Context, c *flows.Context) (flows.Next, error) {
	w, args, err := f.minePress(ctx, c, 1, mineAnyStatus)
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.mineCard(ctx, c, w)
	if err != nil {
		return flows.Stay(), err
	}
	kb = append(kb, []bot.Button{c.Button("tasks.mine.btn.to_list", flows.CB(cbMine, mineList, max(args[0], 1)))})
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// mineAccept marks the task accepted. The reminder schedule stays as it
// is: accepting is not doing.
func (f *Flow) mineAccept(ctx context.Context, c *flows.Context) (flows.Next, error) {
	w, _, err := f.minePress(ctx, c, 0, func(s storage.TaskStatus) bool { return s == storage.TaskAssigned })
	if err != nil {
		return flows.Stay(), err
	}
	w.a.Status = storage.TaskAccepted
	w.a.StatusAt = c.Now
	if err := f.Store.SetAssignment(ctx, c.Actor.PersonID(), w.a); err != nil {
		return flows.Stay(), fmt.Errorf("tasks: accept %d: %w", w.t.ID, err)
	}
	text, kb, err := f.mineCard(ctx, c, w)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	c.Notice(c.T("tasks.mine.accepted"))
	return flows.Stay(), f.mineTellManagers(ctx, c, w.t, func(chatID int64) []bot.Message {
		return []bot.Message{bot.Text{ChatID: chatID, Text: c.T("tasks.mine.mgr_accepted",
			"Name", c.Actor.Person.FullName, "Title", w.t.Title, "Due", mineDue(c, w.t))}}
	})
}

// mineTellManagers sends what msgs makes for each active quality manager
// of the task's organisation who can be reached.
func (f *Flow) mineTellManagers(ctx context.Context, c *flows.Context, t storage.Task, msgs func(chatID int64) []bot.Message) error {
	people, err := f.Store.ListPeople(ctx, t.OrgID, storage.RoleQualityManager)
	if err != nil {
		return fmt.Errorf("tasks: managers of %d: %w", t.OrgID, err)
	}
	for _, p := range people {
		if !p.Active || p.TelegramID == 0 {
			continue
		}
		for _, m := range msgs(p.TelegramID) {
			c.Send(m)
		}
	}
	return nil
}

// mineListCmd is /tasks and the menu item: the first page of the list.
func (f *Flow) mineListCmd(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text, kb, err := f.mineListView(ctx, c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(text, kb)
	return flows.Stay(), nil
}

// mineListPage shows a page of the list in place of the pressed message.
func (f *Flow) mineListPage(ctx context.Context, c *flows.Context) (flows.Next, error) {
	args, err := flows.ArgInts(c.Callback.Arg)
	if err != nil || len(args) != 1 {
		return flows.Stay(), flows.ErrStale
	}
	text, kb, err := f.mineListView(ctx, c, args[0])
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// mineListView is a page of the actor's open tasks, earliest deadline
// first, and a count of reports waiting for the manager.
func (f *Flow) mineListView(ctx context.Context, c *flows.Context, page int64) (string, bot.Keyboard, error) {
	ts, as, err := f.Store.ListPersonTasks(ctx, c.Actor.PersonID())
	if err != nil {
		return "", nil, fmt.Errorf("tasks: list tasks of %d: %w", c.Actor.PersonID(), err)
	}
	me := c.Actor.PersonID()
	status := map[int64]storage.Assignment{}
	for _, a := range as {
		if a.PersonID == me {
			status[a.TaskID] = a
		}
	}
	var open []mineWork
	waiting := 0
	for _, t := range ts {
		a, ok := status[t.ID]
		switch {
		case !ok || !t.CancelledAt.IsZero():
		case a.Status.Open():
			open = append(open, mineWork{t: t, a: a})
		case a.Status == storage.TaskDone:
			waiting++
		}
	}
	slices.SortFunc(open, func(x, y mineWork) int {
		return cmp.Or(x.t.Due.Compare(y.t.Due), cmp.Compare(x.t.ID, y.t.ID))
	})
	var tail string
	if waiting > 0 {
		tail = "\n\n" + c.L.N("tasks.mine.list_waiting", waiting)
	}
	if len(open) == 0 {
		return c.T("tasks.mine.list_empty") + tail, nil, nil
	}
	from, to, p, count := flows.Pages(int64(len(open)), minePageSize, page)
	lines := []string{c.L.N("tasks.mine.list_head", len(open))}
	var kb bot.Keyboard
	for i, w := range open[from:to] {
		mark := ""
		if mineOverdue(w.t, c.Now) {
			mark = c.T("tasks.mine.overdue_mark")
		}
		n := int(from) + i + 1
		lines = append(lines, c.T("tasks.mine.list_line", "N", n, "Mark", mark, "Title", w.t.Title,
			"Due", mineDue(c, w.t), "Status", c.T(mineStatusID(w.t, w.a))))
		kb = append(kb, []bot.Button{{
			Text: c.T("tasks.mine.btn.list_item", "N", n, "Mark", mark, "Title", mineClip(w.t.Title, mineButtonTitle)),
			Data: flows.CB(cbMine, mineCardA, fmt.Sprintf("%d.%d", w.t.ID, p)),
		}})
	}
	if row := c.PageNav(p, count, func(n int64) string { return flows.CB(cbMine, mineList, n) }); row != nil {
		kb = append(kb, row)
	}
	return strings.Join(lines, "\n\n") + tail + c.PageLine(p, count), kb, nil
}

// mineClip shortens s to n runes with an ellipsis.
func mineClip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
