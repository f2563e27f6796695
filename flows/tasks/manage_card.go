package tasks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// manCard shows a task to the manager: tkm:task:<id>. The reminders part
// sends this exact data when a task is overdue, so the card answers the
// question "who is late, and what can I do about it".
func (f *Flow) manCard(ctx context.Context, c *flows.Context) (flows.Next, error) {
	t, as, _, err := f.manTask(ctx, c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.manCardView(ctx, c, t, as)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return manKeep(c), nil
}

// manDirOf names the direction of a stored task. The Store has no lookup
// of one direction; the programme's overview lists its directions.
func (f *Flow) manDirOf(ctx context.Context, c *flows.Context, t storage.Task) (string, error) {
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

// manOverdueAt reports whether a deadline has passed at now. A deadline
// without a time is the whole of its day.
func manOverdueAt(t storage.Task, now time.Time) bool {
	end := t.Due
	if !t.HasTime {
		end = end.AddDate(0, 0, 1)
	}
	return !now.Before(end)
}

// manCardView renders a task: title, direction, deadline, evidence,
// description, assignees with their statuses, and the buttons its state
// allows.
func (f *Flow) manCardView(ctx context.Context, c *flows.Context, t storage.Task, as []storage.Assignment) (string, bot.Keyboard, error) {
	dir, err := f.manDirOf(ctx, c, t)
	if err != nil {
		return "", nil, err
	}
	names, err := f.manNames(ctx, c, t.OrgID)
	if err != nil {
		return "", nil, err
	}
	cancelled := !t.CancelledAt.IsZero()
	late := manOverdueAt(t, c.Now) && !cancelled
	head := []string{c.T("tasks.manage.card_title", "Title", t.Title)}
	if dir != "" {
		head = append(head, c.T("tasks.manage.card_direction", "Direction", dir))
	}
	due := c.T("tasks.manage.card_due", "Due", f.manDue(c, t))
	var who []string
	var kb bot.Keyboard
	anyOpen := false
	for _, a := range as {
		status := c.T("tasks.manage.status." + string(a.Status))
		line := c.T("tasks.manage.card_who", "Name", names(a.PersonID), "Status", status)
		if a.Status.Open() {
			anyOpen = true
			if late && !cancelled {
				line = c.T("tasks.manage.card_who_late", "Name", names(a.PersonID), "Status", status)
			}
		}
		who = append(who, line)
		if a.Status == storage.TaskDone || a.Status == storage.TaskConfirmed || a.Status == storage.TaskReturned {
			label := "tasks.manage.btn.report"
			if a.Status == storage.TaskDone {
				label = "tasks.manage.btn.report_new"
			}
			kb = append(kb, []bot.Button{{
				Text: manClip(c.T(label, "Name", names(a.PersonID)), 60),
				Data: flows.CB(cbManage, "rep", fmt.Sprintf("%d.%d", t.ID, a.PersonID)),
			}})
		}
	}
	if late && anyOpen {
		due = c.T("tasks.manage.card_due_late", "Due", f.manDue(c, t), "Late", c.L.N("tasks.manage.days", f.manDaysOverdue(c, t.Due)))
	}
	head = append(head, due, manEvidenceLine(c, t.EvidenceRequired))
	parts := []string{strings.Join(head, "\n")}
	if d := strings.TrimSpace(t.Description); d != "" {
		parts = append(parts, d)
	}
	if cancelled {
		parts = append(parts, c.T("tasks.manage.card_cancelled", "At", c.L.Date(t.CancelledAt)))
	}
	parts = append(parts, c.T("tasks.manage.card_assignees", "Who", strings.Join(who, "\n")))
	if !cancelled {
		kb = append(kb, []bot.Button{
			c.Button("tasks.manage.btn.edit", flows.CB(cbManage, "edit", t.ID)),
			c.Button("tasks.manage.btn.cancel", flows.CB(cbManage, "cancel", t.ID)),
		})
	}
	kb = append(kb, []bot.Button{c.Button("tasks.manage.btn.to_programme", flows.CB(cbManage, "prog", t.OrgID))})
	return strings.Join(parts, "\n\n"), kb, nil
}

func manEvidenceLine(c *flows.Context, required bool) string {
	return c.T("tasks.manage.card_evidence", "Evidence", manEvidenceText(c, required))
}

// manTellAssignee sends an assignee their card of the task, under a line
// saying what happened (lead). People who left or were forgotten get
// nothing: there is no chat to send to.
func (f *Flow) manTellAssignee(ctx context.Context, c *flows.Context, t storage.Task, a storage.Assignment, lead string) error {
	chatID, err := f.manChatOf(ctx, a.PersonID)
	if err != nil || chatID == 0 {
		return err
	}
	dir, err := f.manDirOf(ctx, c, t)
	if err != nil {
		return err
	}
	card := f.AssigneeCard(c, t, dir, a, chatID)
	if lead != "" {
		card.Text = lead + "\n\n" + card.Text
	}
	c.Send(card)
	return nil
}

// manTellText sends a plain message to a person, if they can be reached.
func (f *Flow) manTellText(ctx context.Context, c *flows.Context, personID int64, text string) error {
	chatID, err := f.manChatOf(ctx, personID)
	if err != nil || chatID == 0 {
		return err
	}
	c.Send(bot.Text{ChatID: chatID, Text: text})
	return nil
}

// manChatOf is the Telegram chat of a person, or 0 for one who cannot be
// reached (forgotten, inactive).
func (f *Flow) manChatOf(ctx context.Context, personID int64) (int64, error) {
	p, _, err := f.Store.FindPersonByID(ctx, personID)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("tasks: person %d: %w", personID, err)
	}
	if !p.Active {
		return 0, nil
	}
	return p.TelegramID, nil
}

// manLive loads the task a button names and refuses a cancelled one.
func (f *Flow) manLive(ctx context.Context, c *flows.Context, n int) (storage.Task, []storage.Assignment, []int64, error) {
	t, as, ids, err := f.manTask(ctx, c, n)
	if err != nil {
		return t, as, ids, err
	}
	if !t.CancelledAt.IsZero() {
		c.Notice(c.T("tasks.manage.task_cancelled"))
		return t, as, ids, errManHandled
	}
	return t, as, ids, nil
}

// errManHandled tells a handler the reply is already given (a notice) and
// it should stay where it is.
var errManHandled = errors.New("tasks: handled")

// manDone turns errManHandled into a quiet Stay.
func manDone(err error) (flows.Next, error) {
	if errors.Is(err, errManHandled) {
		return flows.Stay(), nil
	}
	return flows.Stay(), err
}

// manEditMenu offers what to change: tkm:edit:<id>.
func (f *Flow) manEditMenu(ctx context.Context, c *flows.Context) (flows.Next, error) {
	t, _, _, err := f.manLive(ctx, c, 1)
	if err != nil {
		return manDone(err)
	}
	ev, evLabel := int64(1), "tasks.manage.btn.edit_evidence_on"
	if t.EvidenceRequired {
		ev, evLabel = 0, "tasks.manage.btn.edit_evidence_off"
	}
	c.Edit(c.T("tasks.manage.edit_ask", "Title", t.Title), bot.Keyboard{
		{c.Button("tasks.manage.btn.edit_title", flows.CB(cbManage, "et", t.ID)), c.Button("tasks.manage.btn.edit_due", flows.CB(cbManage, "ed", t.ID))},
		{c.Button(evLabel, flows.CB(cbManage, "ee", fmt.Sprintf("%d.%d", t.ID, ev)))},
		{c.Button("common.btn.back", flows.CB(cbManage, "task", t.ID))},
	})
	return manKeep(c), nil
}

// manBorrow remembers the new task being written before a one-step
// question (an edit, a return, an import) takes the session, so that
// answering the question gives it back.
func manBorrow(c *flows.Context) {
	if step := manDraftStep(c); step != "" {
		c.Set(keyManBack, step)
	}
}

// manEditTitleAsk asks for the new title: tkm:et:<id>.
func (f *Flow) manEditTitleAsk(ctx context.Context, c *flows.Context) (flows.Next, error) {
	t, _, _, err := f.manLive(ctx, c, 1)
	if err != nil {
		return manDone(err)
	}
	manBorrow(c)
	c.SetInt(keyManTask, t.ID)
	c.Edit(c.T("tasks.manage.edit_title_ask", "Title", t.Title, "Max", manMaxTitle),
		bot.Keyboard{{c.Button("common.btn.cancel", flows.CB(cbManage, "task", t.ID))}})
	return flows.Goto(stepManEditTitle), nil
}

// manEditTask loads the task a one-step question is about, from the
// session, re-authorised.
func (f *Flow) manEditTask(ctx context.Context, c *flows.Context) (storage.Task, []storage.Assignment, bool, error) {
	id, ok := manInt(c, keyManTask)
	if !ok {
		return storage.Task{}, nil, false, nil
	}
	t, as, err := f.manFindTask(ctx, c, id)
	if err != nil {
		return t, as, false, err
	}
	if !t.CancelledAt.IsZero() {
		return t, as, false, flows.ErrStale
	}
	return t, as, true, nil
}

// manEditTitle takes the typed title.
func (f *Flow) manEditTitle(ctx context.Context, c *flows.Context) (flows.Next, error) {
	t, _, ok, err := f.manEditTask(ctx, c)
	if err != nil {
		return manKeep(c), err
	}
	if !ok {
		return manSessionLost(c)
	}
	title, err := manCheckTitle(c)
	if err != nil {
		return flows.Stay(), err
	}
	t.Title = title
	return f.manSave(ctx, c, t, "tasks.manage.to_assignee.changed")
}

// manSave writes a changed task and goes on as manSaved.
func (f *Flow) manSave(ctx context.Context, c *flows.Context, t storage.Task, lead string) (flows.Next, error) {
	if err := f.Store.UpdateTask(ctx, c.Actor.PersonID(), t); err != nil {
		if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrConflict) {
			// Removed or cancelled meanwhile.
			return manKeep(c), flows.ErrStale
		}
		return flows.Stay(), fmt.Errorf("tasks: update task %d: %w", t.ID, err)
	}
	return f.manSaved(ctx, c, t.ID, lead)
}

// manSaved tells the open assignees of a changed task, with their cards,
// and shows the card: in place of the pressed message, or under the typed
// answer.
func (f *Flow) manSaved(ctx context.Context, c *flows.Context, id int64, lead string) (flows.Next, error) {
	t, as, err := f.manFindTask(ctx, c, id)
	if err != nil {
		return flows.Stay(), err
	}
	for _, a := range as {
		if a.Status.Open() {
			if err := f.manTellAssignee(ctx, c, t, a, c.T(lead)); err != nil {
				return flows.Stay(), err
			}
		}
	}
	text, kb, err := f.manCardView(ctx, c, t, as)
	if err != nil {
		return flows.Stay(), err
	}
	if c.Update.Callback != nil {
		c.Edit(text, kb)
	} else {
		c.Say("tasks.manage.saved")
		c.Reply(text, kb)
	}
	return manKeep(c), nil
}

// manEditDueAsk asks for the new deadline: tkm:ed:<id>.
func (f *Flow) manEditDueAsk(ctx context.Context, c *flows.Context) (flows.Next, error) {
	t, _, _, err := f.manLive(ctx, c, 1)
	if err != nil {
		return manDone(err)
	}
	manBorrow(c)
	c.SetInt(keyManTask, t.ID)
	kb := f.manDueButtons(c, func(d int64) string { return flows.CB(cbManage, "edd", fmt.Sprintf("%d.%d", t.ID, d)) })
	kb = append(kb, []bot.Button{c.Button("common.btn.cancel", flows.CB(cbManage, "task", t.ID))})
	c.Edit(c.T("tasks.manage.edit_due_ask", "Title", t.Title, "Due", f.manDue(c, t)), kb)
	return flows.Goto(stepManEditDue), nil
}

// manEditDueButton takes a quick date: tkm:edd:<id>.<yyyymmdd>.
func (f *Flow) manEditDueButton(ctx context.Context, c *flows.Context) (flows.Next, error) {
	t, as, ids, err := f.manLive(ctx, c, 2)
	if err != nil {
		return manDone(err)
	}
	d, ok := flows.KeyDate(ids[1], f.manLoc(c))
	if !ok || c.Step() != stepManEditDue || c.GetInt(keyManTask) != t.ID {
		return flows.Stay(), flows.ErrStale
	}
	if err := f.manCheckDue(c, d, false); err != nil {
		return flows.Stay(), err
	}
	return f.manMoveDue(ctx, c, t, as, d, false)
}

// manEditDueTyped reads a typed deadline.
func (f *Flow) manEditDueTyped(ctx context.Context, c *flows.Context) (flows.Next, error) {
	t, as, ok, err := f.manEditTask(ctx, c)
	if err != nil {
		return manKeep(c), err
	}
	if !ok {
		return manSessionLost(c)
	}
	text, err := manText(c)
	if err != nil {
		return flows.Stay(), err
	}
	due, hasTime, err := manParseDue(text, c.Now, f.manLoc(c))
	if err != nil {
		return flows.Stay(), err
	}
	if err := f.manCheckDue(c, due, hasTime); err != nil {
		return flows.Stay(), err
	}
	return f.manMoveDue(ctx, c, t, as, due, hasTime)
}

// manMoveDue moves a task's deadline and restarts the reminder ladder of
// each open assignee from the new deadline.
func (f *Flow) manMoveDue(ctx context.Context, c *flows.Context, t storage.Task, as []storage.Assignment, due time.Time, hasTime bool) (flows.Next, error) {
	t.Due, t.HasTime = due, hasTime
	if err := f.Store.UpdateTask(ctx, c.Actor.PersonID(), t); err != nil {
		if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrConflict) {
			// Removed or cancelled meanwhile.
			return manKeep(c), flows.ErrStale
		}
		return flows.Stay(), fmt.Errorf("tasks: move task %d: %w", t.ID, err)
	}
	policy, err := f.manPolicy(ctx, t.OrgID)
	if err != nil {
		return flows.Stay(), err
	}
	next, step := FirstReminder(policy, due, hasTime, c.Now, f.manLoc(c))
	for _, a := range as {
		if !a.Status.Open() {
			continue
		}
		a.NextRemindAt, a.RemindStep, a.EscalatedAt = next, step, time.Time{}
		if err := f.Store.SetAssignment(ctx, c.Actor.PersonID(), a); err != nil {
			return flows.Stay(), fmt.Errorf("tasks: reschedule task %d for %d: %w", t.ID, a.PersonID, err)
		}
	}
	return f.manSaved(ctx, c, t.ID, "tasks.manage.to_assignee.moved")
}

// manEditEvidence switches whether evidence is required:
// tkm:ee:<id>.<1 required|0 not>.
func (f *Flow) manEditEvidence(ctx context.Context, c *flows.Context) (flows.Next, error) {
	t, as, ids, err := f.manLive(ctx, c, 2)
	if err != nil {
		return manDone(err)
	}
	if ids[1] > 1 {
		return flows.Stay(), flows.ErrStale
	}
	want := ids[1] == 1
	if t.EvidenceRequired == want {
		// A second press of the same button: nothing to change.
		text, kb, err := f.manCardView(ctx, c, t, as)
		if err != nil {
			return flows.Stay(), err
		}
		c.Edit(text, kb)
		return manKeep(c), nil
	}
	t.EvidenceRequired = want
	return f.manSave(ctx, c, t, "tasks.manage.to_assignee.changed")
}

// manCancelAsk asks before cancelling a task: tkm:cancel:<id>.
func (f *Flow) manCancelAsk(ctx context.Context, c *flows.Context) (flows.Next, error) {
	t, _, _, err := f.manLive(ctx, c, 1)
	if err != nil {
		return manDone(err)
	}
	c.Edit(c.T("tasks.manage.cancel_ask", "Title", t.Title), bot.Keyboard{
		{c.Button("tasks.manage.btn.cancel_yes", flows.CB(cbManage, "cancelok", t.ID))},
		{c.Button("common.btn.back", flows.CB(cbManage, "task", t.ID))},
	})
	return manKeep(c), nil
}

// manCancel cancels a task and tells the assignees still on it:
// tkm:cancelok:<id>.
func (f *Flow) manCancel(ctx context.Context, c *flows.Context) (flows.Next, error) {
	t, as, _, err := f.manLive(ctx, c, 1)
	if err != nil {
		return manDone(err)
	}
	if err := f.Store.CancelTask(ctx, c.Actor.PersonID(), t.ID); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return flows.Stay(), flows.ErrStale
		}
		return flows.Stay(), fmt.Errorf("tasks: cancel task %d: %w", t.ID, err)
	}
	for _, a := range as {
		if a.Status == storage.TaskConfirmed || a.Status == storage.TaskCancelled {
			continue
		}
		if err := f.manTellText(ctx, c, a.PersonID, c.T("tasks.manage.to_assignee.cancelled", "Title", t.Title)); err != nil {
			return flows.Stay(), err
		}
	}
	t, as, err = f.manFindTask(ctx, c, t.ID)
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.manCardView(ctx, c, t, as)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return manKeep(c), nil
}
