package tasks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/locales"
	"smkbot/storage"
)

// Reminders run as two periodic jobs. "task-reminders" claims, every
// minute, the assignments whose reminder is due (found by the index on
// next_remind_at, so tasks that are not due cost nothing), moves each to
// its next point of the ladder (ladder.go) in the same transaction, and
// reminds the assignee; an assignment past the policy's EscalateAfter days
// is claimed once more (MarkEscalated) and the school's quality managers
// are told. "task-digest" sends the quality managers a weekly digest on
// Monday morning, claimed per school and week. Claims in Postgres make
// each message go out once, however many replicas run the jobs.
const (
	remJob       = "task-reminders"
	remEvery     = time.Minute
	remDigestJob = "task-digest"
	// remDigestEvery: the digest is due on Monday at 09:00, but a job a
	// week apart would drift with restarts; an hourly look at whether
	// this week's digest has gone costs a query.
	remDigestEvery = time.Hour
	// remBatch is how many reminders one run claims. The Sender's 30
	// messages a second send it in under 20 seconds, and what is left
	// goes a minute later.
	remBatch = 500
	// remDigestItems is how many tasks a digest lists per section.
	remDigestItems = 10
)

func (f *Flow) registerReminders(r *flows.Router) {
	l := r.Localizer()
	r.Schedule(flows.Job{Name: remJob, Every: remEvery, Run: func(ctx context.Context, now time.Time) ([]bot.Message, error) {
		return f.remRun(ctx, l, now)
	}})
	r.Schedule(flows.Job{Name: remDigestJob, Every: remDigestEvery, Run: func(ctx context.Context, now time.Time) ([]bot.Message, error) {
		return f.remDigest(ctx, l, now)
	}})
}

// remLoc is the zone of deadlines and quiet hours.
func (f *Flow) remLoc(l *locales.Localizer) *time.Location {
	if f.Location != nil {
		return f.Location
	}
	return l.Location()
}

// remRun claims the reminders due at now and writes them. A reminder
// whose escalation fails to load is still sent; the error is returned
// with the messages (the job logs it and sends them).
func (f *Flow) remRun(ctx context.Context, l *locales.Localizer, now time.Time) ([]bot.Message, error) {
	loc := f.remLoc(l)
	// Every stored policy is read before the claim: advance runs inside
	// the claim's transaction and must not wait for a second connection.
	stored, err := f.Store.ReminderPolicies(ctx)
	if err != nil {
		return nil, fmt.Errorf("tasks: reminder policies: %w", err)
	}
	policies := remPolicies(stored)
	advance := func(d storage.DueReminder) (time.Time, int) {
		if !remOpen(d) {
			return time.Time{}, 0
		}
		p := policies.get(d.Task.OrgID)
		if morning, held := remHeld(p, now, loc); held {
			return morning, d.Assignment.RemindStep
		}
		return NextReminder(p, d.Task.Due, d.Task.HasTime, d.Assignment.RemindStep, now, loc)
	}
	due, err := f.Store.ClaimDueReminders(ctx, now, remBatch, advance)
	if err != nil {
		return nil, fmt.Errorf("tasks: claim reminders: %w", err)
	}
	var msgs []bot.Message
	var errs []error
	managers := map[int64][]int64{}
	for _, d := range due {
		if !remOpen(d) {
			continue
		}
		if _, held := remHeld(policies.get(d.Task.OrgID), now, loc); held {
			continue
		}
		if d.TelegramID != 0 {
			msgs = append(msgs, remReminder(l, loc, d, now))
		}
		p := policies.get(d.Task.OrgID)
		if !remEscalates(p, d, now, loc) {
			continue
		}
		m, err := f.remEscalate(ctx, l, loc, d, now, managers)
		if err != nil {
			errs = append(errs, fmt.Errorf("tasks: escalate task %d of person %d: %w", d.Task.ID, d.Assignment.PersonID, err))
		}
		msgs = append(msgs, m...)
	}
	return msgs, errors.Join(errs...)
}

// remHeld reports whether now is in the policy's quiet hours or on its
// day off, and if so when the next working moment is. The ladder never
// puts a reminder there, but a reminder time set otherwise (a deadline
// moved by a decision, a policy changed since the time was set) is held
// to that moment, its step unchanged, rather than sent at night. A
// policy without a working moment holds nothing: its reminders end on the
// ladder instead.
func remHeld(p storage.ReminderPolicy, now time.Time, loc *time.Location) (time.Time, bool) {
	at, ok := ladderShift(p, now, loc)
	if !ok || at.Equal(now) {
		return time.Time{}, false
	}
	return at, true
}

// remOpen reports whether the assignee still has the task to do. The claim
// takes only open assignments (reporting or cancelling clears their
// reminder); this holds the line should a claim race a cancellation.
func remOpen(d storage.DueReminder) bool {
	return d.Task.CancelledAt.IsZero() && d.Assignment.Status.Open()
}

// remPolicies are the organisations' reminder policies by id; an
// organisation without a stored one has the default.
type remPolicies map[int64]storage.ReminderPolicy

func (ps remPolicies) get(orgID int64) storage.ReminderPolicy {
	if p, ok := ps[orgID]; ok {
		return p
	}
	return storage.DefaultReminderPolicy(orgID)
}

// remReminder is the reminder to the assignee: the task, its deadline as
// it stands at now, and the button to its card (the assignee's part of the
// flow handles "tk:open:<task>").
func remReminder(l *locales.Localizer, loc *time.Location, d storage.DueReminder, now time.Time) bot.Message {
	head := "tasks.remind.head"
	if remOverdue(d.Task, now, loc) {
		head = "tasks.remind.head_overdue"
	}
	text := strings.Join([]string{
		l.T(head),
		l.T("tasks.remind.title", "Title", d.Task.Title),
		remDeadline(l, loc, d.Task, now),
		l.T("tasks.remind.tail"),
	}, "\n")
	return bot.Text{ChatID: d.TelegramID, Text: text, Buttons: bot.Keyboard{{
		{Text: l.T("tasks.remind.btn.open"), Data: flows.CB(cbMine, "open", d.Task.ID)},
	}}}
}

// remDeadline says when the task is due, seen from now: «до 25 декабря»,
// «завтра», «сегодня до 14:00», «просрочено на 2 дня».
func remDeadline(l *locales.Localizer, loc *time.Location, t storage.Task, now time.Time) string {
	due := t.Due.In(loc)
	clock := due.Format("15:04")
	days := remDays(now, due, loc)
	switch {
	case days < 0:
		return l.N("tasks.remind.overdue", -days, "Date", remDate(l, loc, due, now))
	case days == 0 && t.HasTime && !now.Before(due):
		return l.T("tasks.remind.due_passed_today", "Time", clock)
	case days == 0 && t.HasTime:
		return l.T("tasks.remind.due_today_time", "Time", clock)
	case days == 0:
		return l.T("tasks.remind.due_today")
	case days == 1 && t.HasTime:
		return l.T("tasks.remind.due_tomorrow_time", "Time", clock)
	case days == 1:
		return l.T("tasks.remind.due_tomorrow", "Date", remDate(l, loc, due, now))
	case t.HasTime:
		return l.T("tasks.remind.due_date_time", "Date", remDate(l, loc, due, now), "Time", clock)
	}
	return l.T("tasks.remind.due_date", "Date", remDate(l, loc, due, now))
}

// remDate shows a date as «25 декабря», with the year when it is not
// now's.
func remDate(l *locales.Localizer, loc *time.Location, t, now time.Time) string {
	if t.In(loc).Year() != now.In(loc).Year() {
		return l.Date(t)
	}
	return l.DayMonth(t)
}

// remDays is the number of local calendar days from a to b: 1 when b is
// tomorrow, negative when b has passed. Days are counted on the calendar,
// so a day of 23 or 25 hours counts as one.
func remDays(a, b time.Time, loc *time.Location) int {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	da := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// remOverdue reports whether the task's deadline has passed at now: the
// time when it has one, else the end of its local day.
func remOverdue(t storage.Task, now time.Time, loc *time.Location) bool {
	if t.HasTime && !now.Before(t.Due) {
		return true
	}
	return remDays(now, t.Due, loc) < 0
}

// remEscalates reports whether an assignment's reminder at now is the one
// to tell the quality managers of: the task is EscalateAfter or more days
// overdue (calendar days after the deadline's day), and they were not told
// yet. EscalateAfter of 0 or less means never.
func remEscalates(p storage.ReminderPolicy, d storage.DueReminder, now time.Time, loc *time.Location) bool {
	if p.EscalateAfter <= 0 || !d.Assignment.EscalatedAt.IsZero() || !remOverdue(d.Task, now, loc) {
		return false
	}
	return -remDays(now, d.Task.Due, loc) >= p.EscalateAfter
}

// remEscalate claims the escalation of an assignment and, if this run won
// it, writes the notice to each active quality manager of the school with
// a chat (the manager's part of the flow handles "tkm:task:<task>").
// managers caches the managers' chats by organisation for the run.
func (f *Flow) remEscalate(ctx context.Context, l *locales.Localizer, loc *time.Location, d storage.DueReminder, now time.Time, managers map[int64][]int64) ([]bot.Message, error) {
	won, err := f.Store.MarkEscalated(ctx, d.Task.ID, d.Assignment.PersonID, now)
	if err != nil || !won {
		return nil, err
	}
	chats, ok := managers[d.Task.OrgID]
	if !ok {
		chats, err = f.remManagers(ctx, d.Task.OrgID)
		if err != nil {
			return nil, err
		}
		managers[d.Task.OrgID] = chats
	}
	if len(chats) == 0 {
		return nil, nil
	}
	name := l.T("tasks.remind.unknown_person")
	p, _, err := f.Store.FindPersonByID(ctx, d.Assignment.PersonID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return nil, fmt.Errorf("assignee: %w", err)
	case p.FullName != "":
		name = p.FullName
	}
	lines := []string{
		l.N("tasks.remind.escalate_head", -remDays(now, d.Task.Due, loc)),
		l.T("tasks.remind.escalate_body", "Title", d.Task.Title, "Name", name, "Date", remDate(l, loc, d.Task.Due, now)),
	}
	if d.TelegramID == 0 {
		lines = append(lines, l.T("tasks.remind.escalate_no_chat"))
	}
	text := strings.Join(lines, "\n")
	kb := bot.Keyboard{{{Text: l.T("tasks.remind.btn.task"), Data: flows.CB(cbManage, "task", d.Task.ID)}}}
	msgs := make([]bot.Message, 0, len(chats))
	for _, chat := range chats {
		msgs = append(msgs, bot.Text{ChatID: chat, Text: text, Buttons: kb})
	}
	return msgs, nil
}

// remManagers are the chats of an organisation's active quality managers
// who have one (a forgotten person has none).
func (f *Flow) remManagers(ctx context.Context, orgID int64) ([]int64, error) {
	people, err := f.Store.ListPeople(ctx, orgID, storage.RoleQualityManager)
	if err != nil {
		return nil, fmt.Errorf("quality managers of %d: %w", orgID, err)
	}
	var chats []int64
	for _, p := range people {
		if p.Active && p.TelegramID != 0 {
			chats = append(chats, p.TelegramID)
		}
	}
	return chats, nil
}

// remDigest sends each school's quality managers the digest of the week:
// done in the week before, due this week, overdue. It goes on Monday at
// 09:00, or at the school's first working moment of the week after it
// (quiet hours, weekends and holidays as for reminders: a bot started on
// Wednesday sends this week's digest on Wednesday), once per school and
// week. A school without a quality manager with a chat is looked at again
// next hour, unclaimed, in case one registers during the week.
func (f *Flow) remDigest(ctx context.Context, l *locales.Localizer, now time.Time) ([]bot.Message, error) {
	loc := f.remLoc(l)
	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, loc)
	monday := time.Date(y, m, d-(int(today.Weekday())+6)%7, 0, 0, 0, 0, loc)
	w := storage.TaskDigestWeek{
		Week:      monday,
		DoneSince: monday.AddDate(0, 0, -7),
		Today:     today,
		DueBefore: monday.AddDate(0, 0, 7),
		Now:       now,
	}
	orgs, err := f.Store.TaskDigestOrgs(ctx, monday)
	if err != nil {
		return nil, fmt.Errorf("tasks: digest: %w", err)
	}
	stored, err := f.Store.ReminderPolicies(ctx)
	if err != nil {
		return nil, fmt.Errorf("tasks: digest: %w", err)
	}
	policies := remPolicies(stored)
	var msgs []bot.Message
	var errs []error
	for _, org := range orgs {
		p := policies.get(org)
		start, ok := ladderShift(p, monday.Add(ladderHour*time.Hour), loc)
		if !ok || now.Before(start) {
			continue
		}
		if at, ok := ladderShift(p, now, loc); !ok || !at.Equal(now) {
			continue // quiet hours or a day off: the next hour looks again
		}
		chats, err := f.remManagers(ctx, org)
		if err != nil {
			errs = append(errs, fmt.Errorf("tasks: digest of %d: %w", org, err))
			continue
		}
		if len(chats) == 0 {
			continue
		}
		o, err := f.Store.FindOrganisationByID(ctx, org)
		if err != nil {
			errs = append(errs, fmt.Errorf("tasks: digest of %d: %w", org, err))
			continue
		}
		dg, won, err := f.Store.ClaimTaskDigest(ctx, org, w)
		if err != nil {
			errs = append(errs, fmt.Errorf("tasks: digest of %d: %w", org, err))
			continue
		}
		if !won {
			continue
		}
		name := o.ShortName
		if name == "" {
			name = o.Name
		}
		text := remDigestText(l, loc, name, dg, now)
		for _, chat := range chats {
			msgs = append(msgs, bot.Text{ChatID: chat, Text: text})
		}
	}
	return msgs, errors.Join(errs...)
}

// remDigestText writes a digest: a section each for done, due and overdue,
// each listing up to remDigestItems tasks with their assignees.
func remDigestText(l *locales.Localizer, loc *time.Location, org string, dg storage.TaskDigest, now time.Time) string {
	parts := []string{l.T("tasks.remind.digest_head", "Org", org)}
	section := func(lines []storage.TaskDigestLine, head, none, item string) {
		if len(lines) == 0 {
			parts = append(parts, l.T(none))
			return
		}
		out := []string{l.N(head, len(lines))}
		for i, ln := range lines {
			if i == remDigestItems {
				out = append(out, l.N("tasks.remind.digest_more", len(lines)-i))
				break
			}
			name := ln.PersonName
			if name == "" {
				name = l.T("tasks.remind.unknown_person")
			}
			out = append(out, l.T(item, "Title", ln.Title, "Name", name, "Date", remDate(l, loc, ln.Due, now)))
		}
		parts = append(parts, strings.Join(out, "\n"))
	}
	section(dg.Done, "tasks.remind.digest_done", "tasks.remind.digest_done_none", "tasks.remind.digest_item")
	section(dg.Due, "tasks.remind.digest_due", "tasks.remind.digest_due_none", "tasks.remind.digest_item_due")
	section(dg.Overdue, "tasks.remind.digest_overdue", "tasks.remind.digest_overdue_none", "tasks.remind.digest_item_overdue")
	return strings.Join(parts, "\n\n")
}
