package tasks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// Request statuses as the store keeps them.
const (
	manRequestOpen     = "open"
	manRequestApproved = "approved"
	manRequestRefused  = "refused"
)

// manAlbumMax is Telegram's limit of photos in one album.
const manAlbumMax = 10

// manAssignee finds a person's assignment among a task's.
func manAssignee(as []storage.Assignment, personID int64) (storage.Assignment, bool) {
	i := slices.IndexFunc(as, func(a storage.Assignment) bool { return a.PersonID == personID })
	if i < 0 {
		return storage.Assignment{}, false
	}
	return as[i], true
}

// manReport shows an assignee's last report with its evidence sent again,
// and «Принять» / «Вернуть» while it waits: tkm:rep:<task>.<person>. The
// assignee part sends this exact data when a report arrives.
func (f *Flow) manReport(ctx context.Context, c *flows.Context) (flows.Next, error) {
	t, as, ids, err := f.manTask(ctx, c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	a, ok := manAssignee(as, ids[1])
	if !ok {
		return flows.Stay(), flows.ErrStale
	}
	r, err := f.Store.LastReport(ctx, t.ID, a.PersonID)
	if errors.Is(err, storage.ErrNotFound) || err == nil && r.SentAt.IsZero() {
		c.Notice(c.T("tasks.manage.report_none"))
		return flows.Stay(), nil
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("tasks: report on %d by %d: %w", t.ID, a.PersonID, err)
	}
	names, err := f.manNames(ctx, c, t.OrgID)
	if err != nil {
		return flows.Stay(), err
	}
	// The evidence first, so that the buttons stay under the last message.
	var photos []bot.Photo
	var links []string
	counts := map[string]int{}
	for _, e := range r.Evidence {
		counts[e.Kind]++
		switch e.Kind {
		case "photo":
			photos = append(photos, bot.Photo{ChatID: c.Chat(), FileID: e.FileID})
		case "document":
			c.Send(bot.Document{ChatID: c.Chat(), FileID: e.FileID, Name: e.Name})
		case "link":
			links = append(links, e.Name)
		}
	}
	for chunk := range slices.Chunk(photos, manAlbumMax) {
		if len(chunk) == 1 {
			c.Send(chunk[0])
		} else {
			c.Send(bot.Album{ChatID: c.Chat(), Photos: chunk})
		}
	}
	c.Reply(f.manReportText(c, t, a, r, names(a.PersonID), counts, links), manReportButtons(c, t, a))
	return manKeep(c), nil
}

// manReportText describes a report: who, when, the comment, the evidence
// by kind with the links written out, and where the report stands.
func (f *Flow) manReportText(c *flows.Context, t storage.Task, a storage.Assignment, r storage.Report, name string, counts map[string]int, links []string) string {
	lines := []string{c.T("tasks.manage.report_head", "Title", t.Title, "Name", name, "At", c.L.DateTime(r.SentAt))}
	if cm := strings.TrimSpace(r.Comment); cm != "" {
		lines = append(lines, c.T("tasks.manage.report_comment", "Comment", cm))
	} else {
		lines = append(lines, c.T("tasks.manage.report_no_comment"))
	}
	var ev []string
	if n := counts["photo"]; n > 0 {
		ev = append(ev, c.L.N("tasks.manage.report_photos", n))
	}
	if n := counts["document"]; n > 0 {
		ev = append(ev, c.L.N("tasks.manage.report_documents", n))
	}
	if n := counts["link"]; n > 0 {
		ev = append(ev, c.L.N("tasks.manage.report_links", n))
	}
	if len(ev) == 0 {
		lines = append(lines, c.T("tasks.manage.report_no_evidence"))
	} else {
		lines = append(lines, c.T("tasks.manage.report_evidence", "Evidence", strings.Join(ev, ", ")))
	}
	for _, l := range links {
		lines = append(lines, "🔗 "+l)
	}
	lines = append(lines, c.T("tasks.manage.report_status", "Status", c.T("tasks.manage.status."+string(a.Status))))
	if a.Status == storage.TaskReturned && a.Comment != "" {
		lines = append(lines, c.T("tasks.manage.report_returned", "Comment", a.Comment))
	}
	return strings.Join(lines, "\n\n")
}

// manReportButtons are «Принять» and «Вернуть» while the report waits for
// a decision, and the way back to the task.
func manReportButtons(c *flows.Context, t storage.Task, a storage.Assignment) bot.Keyboard {
	var kb bot.Keyboard
	arg := fmt.Sprintf("%d.%d", t.ID, a.PersonID)
	if a.Status == storage.TaskDone && t.CancelledAt.IsZero() {
		kb = append(kb, []bot.Button{
			c.Button("tasks.manage.btn.accept", flows.CB(cbManage, "acc", arg)),
			c.Button("tasks.manage.btn.return", flows.CB(cbManage, "ret", arg)),
		})
	}
	return append(kb, []bot.Button{c.Button("tasks.manage.btn.to_task", flows.CB(cbManage, "task", t.ID))})
}

// manWaiting loads the task and the assignment a report button names and
// checks the report still waits for a decision.
func (f *Flow) manWaiting(ctx context.Context, c *flows.Context) (storage.Task, storage.Assignment, error) {
	t, as, ids, err := f.manLive(ctx, c, 2)
	if err != nil {
		return t, storage.Assignment{}, err
	}
	a, ok := manAssignee(as, ids[1])
	if !ok {
		return t, a, flows.ErrStale
	}
	if a.Status != storage.TaskDone {
		// Decided already, perhaps from another message.
		c.Notice(c.T("tasks.manage.report_decided", "Status", c.T("tasks.manage.status."+string(a.Status))))
		return t, a, errManHandled
	}
	return t, a, nil
}

// manAccept confirms a report and tells the assignee:
// tkm:acc:<task>.<person>.
func (f *Flow) manAccept(ctx context.Context, c *flows.Context) (flows.Next, error) {
	t, a, err := f.manWaiting(ctx, c)
	if err != nil {
		return manDone(err)
	}
	a.Status, a.StatusAt, a.Comment, a.NextRemindAt = storage.TaskConfirmed, c.Now, "", time.Time{}
	if err := f.Store.SetAssignment(ctx, c.Actor.PersonID(), a); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return flows.Stay(), flows.ErrStale
		}
		return flows.Stay(), fmt.Errorf("tasks: accept %d of %d: %w", t.ID, a.PersonID, err)
	}
	if err := f.manTellText(ctx, c, a.PersonID, c.T("tasks.manage.to_assignee.accepted", "Title", t.Title)); err != nil {
		return flows.Stay(), err
	}
	_, as, err := f.manFindTask(ctx, c, t.ID)
	if err != nil {
		return flows.Stay(), err
	}
	names, err := f.manNames(ctx, c, t.OrgID)
	if err != nil {
		return flows.Stay(), err
	}
	text := c.T("tasks.manage.accepted", "Title", t.Title, "Name", names(a.PersonID))
	if !slices.ContainsFunc(as, func(x storage.Assignment) bool { return x.Status != storage.TaskConfirmed }) {
		text += "\n\n" + c.T("tasks.manage.task_complete")
	}
	c.Edit(text, bot.Keyboard{{c.Button("tasks.manage.btn.to_task", flows.CB(cbManage, "task", t.ID))}})
	return manKeep(c), nil
}

// manReturnAsk asks what is to be done again: tkm:ret:<task>.<person>.
func (f *Flow) manReturnAsk(ctx context.Context, c *flows.Context) (flows.Next, error) {
	t, a, err := f.manWaiting(ctx, c)
	if err != nil {
		return manDone(err)
	}
	names, err := f.manNames(ctx, c, t.OrgID)
	if err != nil {
		return flows.Stay(), err
	}
	manBorrow(c)
	c.SetInt(keyManTask, t.ID)
	c.SetInt(keyManPerson, a.PersonID)
	c.Reply(c.T("tasks.manage.return_ask", "Name", names(a.PersonID), "Max", manMaxComment),
		bot.Keyboard{{c.Button("common.btn.cancel", flows.CB(cbManage, "rep", fmt.Sprintf("%d.%d", t.ID, a.PersonID)))}})
	return flows.Goto(stepManReturn), nil
}

// manReturn takes the comment, returns the report, restarts the
// assignee's reminders and sends them the comment with their card.
func (f *Flow) manReturn(ctx context.Context, c *flows.Context) (flows.Next, error) {
	t, as, ok, err := f.manEditTask(ctx, c)
	if err != nil {
		return manKeep(c), err
	}
	personID, ok2 := manInt(c, keyManPerson)
	if !ok || !ok2 {
		return manSessionLost(c)
	}
	a, ok := manAssignee(as, personID)
	if !ok || a.Status != storage.TaskDone {
		c.Say("tasks.manage.report_decided", "Status", c.T("tasks.manage.status."+string(a.Status)))
		return manKeep(c), nil
	}
	text, err := manText(c)
	if err != nil {
		return flows.Stay(), err
	}
	if len([]rune(text)) > manMaxComment {
		return flows.Stay(), flows.Invalid("tasks.manage.comment_too_long", "Max", manMaxComment)
	}
	policy, err := f.manPolicy(ctx, t.OrgID)
	if err != nil {
		return flows.Stay(), err
	}
	a.Status, a.StatusAt, a.Comment = storage.TaskReturned, c.Now, text
	a.NextRemindAt, a.RemindStep = FirstReminder(policy, t.Due, t.HasTime, c.Now, f.manLoc(c))
	if err := f.Store.SetAssignment(ctx, c.Actor.PersonID(), a); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return manKeep(c), flows.ErrStale
		}
		return flows.Stay(), fmt.Errorf("tasks: return %d of %d: %w", t.ID, a.PersonID, err)
	}
	if err := f.manTellAssignee(ctx, c, t, a, c.T("tasks.manage.to_assignee.returned")); err != nil {
		return flows.Stay(), err
	}
	names, err := f.manNames(ctx, c, t.OrgID)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(c.T("tasks.manage.returned", "Title", t.Title, "Name", names(a.PersonID)),
		bot.Keyboard{{c.Button("tasks.manage.btn.to_task", flows.CB(cbManage, "task", t.ID))}})
	return manKeep(c), nil
}

// manFindRequest authorises and loads the request a button names, with
// its task.
func (f *Flow) manFindRequest(ctx context.Context, c *flows.Context) (storage.TaskRequest, storage.Task, []storage.Assignment, error) {
	ids, err := manArgs(c, 1)
	if err != nil {
		return storage.TaskRequest{}, storage.Task{}, nil, err
	}
	r, err := f.Store.FindRequest(ctx, ids[0])
	if errors.Is(err, storage.ErrNotFound) {
		return r, storage.Task{}, nil, flows.ErrStale
	}
	if err != nil {
		return r, storage.Task{}, nil, fmt.Errorf("tasks: find request %d: %w", ids[0], err)
	}
	t, as, err := f.manFindTask(ctx, c, r.TaskID)
	return r, t, as, err
}

// manRequest shows an assignee's request: tkm:req:<request>. The assignee
// part sends this exact data when a request is made.
func (f *Flow) manRequest(ctx context.Context, c *flows.Context) (flows.Next, error) {
	r, t, _, err := f.manFindRequest(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	text, err := f.manRequestText(ctx, c, r, t)
	if err != nil {
		return flows.Stay(), err
	}
	var kb bot.Keyboard
	if r.Status == manRequestOpen && t.CancelledAt.IsZero() {
		switch r.Kind {
		case storage.RequestPostpone:
			kb = append(kb, []bot.Button{
				c.Button("tasks.manage.btn.request_approve", flows.CB(cbManage, "reqok", r.ID)),
				c.Button("tasks.manage.btn.request_refuse", flows.CB(cbManage, "reqno", r.ID)),
			})
		default:
			kb = append(kb, []bot.Button{c.Button("tasks.manage.btn.request_seen", flows.CB(cbManage, "reqok", r.ID))})
		}
	}
	kb = append(kb, []bot.Button{c.Button("tasks.manage.btn.to_task", flows.CB(cbManage, "task", t.ID))})
	c.Edit(text, kb)
	return manKeep(c), nil
}

// manRequestText describes a request and, once decided, the decision.
func (f *Flow) manRequestText(ctx context.Context, c *flows.Context, r storage.TaskRequest, t storage.Task) (string, error) {
	names, err := f.manNames(ctx, c, t.OrgID)
	if err != nil {
		return "", err
	}
	var text string
	switch r.Kind {
	case storage.RequestPostpone:
		text = c.T("tasks.manage.request_postpone", "Title", t.Title, "Name", names(r.PersonID), "Due", f.manDue(c, t),
			"NewDue", f.manDue(c, storage.Task{Due: r.NewDue, HasTime: t.HasTime}), "Reason", r.Reason)
	default:
		text = c.T("tasks.manage.request_help", "Title", t.Title, "Name", names(r.PersonID), "Due", f.manDue(c, t), "Reason", r.Reason)
	}
	switch {
	case !t.CancelledAt.IsZero():
		text += "\n\n" + c.T("tasks.manage.task_cancelled")
	case r.Status != manRequestOpen:
		who := names(r.DecidedBy)
		text += "\n\n" + c.T("tasks.manage.request_decided."+string(r.Kind)+"."+manDecision(r.Status), "Name", who, "At", c.L.DateTime(r.DecidedAt))
	}
	return text, nil
}

// manDecision is the locale key part of a decided request's status.
func manDecision(status string) string {
	if status == manRequestApproved {
		return manRequestApproved
	}
	return manRequestRefused
}

// manOpenRequest loads an open request of a live task, for a decision.
func (f *Flow) manOpenRequest(ctx context.Context, c *flows.Context) (storage.TaskRequest, storage.Task, []storage.Assignment, storage.Assignment, error) {
	r, t, as, err := f.manFindRequest(ctx, c)
	if err != nil {
		return r, t, as, storage.Assignment{}, err
	}
	if !t.CancelledAt.IsZero() {
		c.Notice(c.T("tasks.manage.task_cancelled"))
		return r, t, as, storage.Assignment{}, errManHandled
	}
	if r.Status != manRequestOpen {
		c.Notice(c.T("tasks.manage.request_closed"))
		return r, t, as, storage.Assignment{}, errManHandled
	}
	a, ok := manAssignee(as, r.PersonID)
	if !ok {
		return r, t, as, a, flows.ErrStale
	}
	return r, t, as, a, nil
}

// manRequestApprove approves a deadline change, moving the deadline and
// restarting the reminders from it, or marks a call for help as seen:
// tkm:reqok:<request>. The assignee is told either way.
func (f *Flow) manRequestApprove(ctx context.Context, c *flows.Context) (flows.Next, error) {
	r, t, _, a, err := f.manOpenRequest(ctx, c)
	if err != nil {
		return manDone(err)
	}
	if r.Kind != storage.RequestPostpone {
		if err := f.manDecide(ctx, c, r, true, a.NextRemindAt); err != nil {
			return flows.Stay(), err
		}
		if err := f.manTellText(ctx, c, r.PersonID, c.T("tasks.manage.to_assignee.help_seen", "Title", t.Title)); err != nil {
			return flows.Stay(), err
		}
		return f.manRequestShown(ctx, c, r.ID, t)
	}
	if err := f.manCheckDue(c, r.NewDue, t.HasTime); err != nil {
		// The date asked for has passed while the request waited.
		c.Notice(c.T("tasks.manage.request_date_past"))
		return flows.Stay(), nil
	}
	policy, err := f.manPolicy(ctx, t.OrgID)
	if err != nil {
		return flows.Stay(), err
	}
	next, step := FirstReminder(policy, r.NewDue, t.HasTime, c.Now, f.manLoc(c))
	if err := f.manDecide(ctx, c, r, true, next); err != nil {
		return flows.Stay(), err
	}
	// A task has one deadline: it moves for everyone on it, and the
	// others' reminders restart from it too.
	t2, as2, err := f.manFindTask(ctx, c, t.ID)
	if err != nil {
		return flows.Stay(), err
	}
	if !t2.Due.Equal(r.NewDue) {
		t2.Due = r.NewDue
		if err := f.Store.UpdateTask(ctx, c.Actor.PersonID(), t2); err != nil {
			return flows.Stay(), fmt.Errorf("tasks: move task %d: %w", t.ID, err)
		}
	}
	for _, x := range as2 {
		if !x.Status.Open() {
			continue
		}
		if x.PersonID != r.PersonID || !x.NextRemindAt.Equal(next) {
			x.NextRemindAt, x.RemindStep, x.EscalatedAt = next, step, time.Time{}
			if err := f.Store.SetAssignment(ctx, c.Actor.PersonID(), x); err != nil {
				return flows.Stay(), fmt.Errorf("tasks: reschedule task %d for %d: %w", t.ID, x.PersonID, err)
			}
		}
		lead := c.T("tasks.manage.to_assignee.moved")
		if x.PersonID == r.PersonID {
			lead = c.T("tasks.manage.to_assignee.postpone_approved")
		}
		if err := f.manTellAssignee(ctx, c, t2, x, lead); err != nil {
			return flows.Stay(), err
		}
	}
	return f.manRequestShown(ctx, c, r.ID, t2)
}

// manRequestRefuse refuses a deadline change; the deadline stays:
// tkm:reqno:<request>.
func (f *Flow) manRequestRefuse(ctx context.Context, c *flows.Context) (flows.Next, error) {
	r, t, _, a, err := f.manOpenRequest(ctx, c)
	if err != nil {
		return manDone(err)
	}
	if r.Kind != storage.RequestPostpone {
		// Help is not refused: «Понятно» is its only answer.
		return flows.Stay(), flows.ErrStale
	}
	if err := f.manDecide(ctx, c, r, false, a.NextRemindAt); err != nil {
		return flows.Stay(), err
	}
	if err := f.manTellText(ctx, c, r.PersonID, c.T("tasks.manage.to_assignee.postpone_refused", "Title", t.Title, "Due", f.manDue(c, t))); err != nil {
		return flows.Stay(), err
	}
	return f.manRequestShown(ctx, c, r.ID, t)
}

// manDecide records the decision on a request, with the requester's next
// reminder. A request decided meanwhile (another press, another manager)
// is stale.
func (f *Flow) manDecide(ctx context.Context, c *flows.Context, r storage.TaskRequest, approve bool, next time.Time) error {
	err := f.Store.DecideRequest(ctx, c.Actor.PersonID(), r.ID, approve, next)
	switch {
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrConflict):
		return flows.ErrStale
	case err != nil:
		return fmt.Errorf("tasks: decide request %d: %w", r.ID, err)
	}
	return nil
}

// manRequestShown redraws the decided request in place.
func (f *Flow) manRequestShown(ctx context.Context, c *flows.Context, id int64, t storage.Task) (flows.Next, error) {
	r, err := f.Store.FindRequest(ctx, id)
	if err != nil {
		return flows.Stay(), fmt.Errorf("tasks: find request %d: %w", id, err)
	}
	text, err := f.manRequestText(ctx, c, r, t)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, bot.Keyboard{{c.Button("tasks.manage.btn.to_task", flows.CB(cbManage, "task", t.ID))}})
	return manKeep(c), nil
}
