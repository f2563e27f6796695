package tasks

// Requests to the quality manager: «Нужна помощь» with a reason, and
// «Перенести срок» with the date asked for and a reason. A request is
// written only when complete; until then its parts wait in the session, so
// leaving half-way leaves nothing behind. The managers are told at once,
// with a button that opens the request on their side.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// mineQuickWeeks are the quick answers to «until when?»: the deadline moved
// by one or two weeks.
var mineQuickWeeks = []int{1, 2}

// mineAskHelp is «🆘 Нужна помощь»: it asks what the trouble is.
func (f *Flow) mineAskHelp(ctx context.Context, c *flows.Context) (flows.Next, error) {
	w, _, err := f.minePress(ctx, c, 0, mineOpenStatus)
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	c.SetInt(mineKeyTask, w.t.ID)
	c.Reply(c.T("tasks.mine.help_ask", "Title", w.t.Title), mineCancelKeyboard(c, w.t.ID))
	return flows.Goto(stepMineHelp), nil
}

// mineHelpReason takes the reason and sends the request.
func (f *Flow) mineHelpReason(ctx context.Context, c *flows.Context) (flows.Next, error) {
	w, ok, err := f.mineStepWork(ctx, c)
	if err != nil || !ok {
		return flows.End(), err
	}
	reason, err := mineReason(c)
	if err != nil {
		return flows.Stay(), err
	}
	return f.mineRequest(ctx, c, w, storage.TaskRequest{Kind: storage.RequestHelp, Reason: reason})
}

// mineAskPostpone is «📅 Перенести срок»: it asks for the new date, with
// quick buttons a week or two past the deadline (or past today, when the
// deadline has gone).
func (f *Flow) mineAskPostpone(ctx context.Context, c *flows.Context) (flows.Next, error) {
	w, _, err := f.minePress(ctx, c, 0, mineOpenStatus)
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	c.SetInt(mineKeyTask, w.t.ID)
	from := f.mineDay(w.t.Due)
	if today := f.mineDay(c.Now); from.Before(today) {
		from = today
	}
	var row []bot.Button
	for _, n := range mineQuickWeeks {
		d := from.AddDate(0, 0, 7*n)
		row = append(row, bot.Button{
			Text: c.T("tasks.mine.btn.weeks", "Date", c.L.DayMonth(d), "Weeks", n),
			Data: flows.CB(cbMine, mineDate, fmt.Sprintf("%d.%d", w.t.ID, mineYMD(d))),
		})
	}
	kb := append(bot.Keyboard{row}, mineCancelKeyboard(c, w.t.ID)...)
	c.Reply(c.T("tasks.mine.due_ask", "Title", w.t.Title, "Due", mineDue(c, w.t)), kb)
	return flows.Goto(stepMineDue), nil
}

// mineQuickDate is a quick date button of the deadline question.
func (f *Flow) mineQuickDate(ctx context.Context, c *flows.Context) (flows.Next, error) {
	w, args, err := f.minePress(ctx, c, 1, mineOpenStatus)
	if err != nil {
		return flows.Stay(), err
	}
	if c.Step() != stepMineDue || c.GetInt(mineKeyTask) != w.t.ID {
		// An answer to a question no longer asked.
		return flows.Stay(), flows.ErrStale
	}
	d, ok := f.mineFromYMD(args[0])
	if !ok {
		return flows.Stay(), flows.ErrStale
	}
	if err := f.mineCheckDue(c, w, d); err != nil {
		return flows.Stay(), err
	}
	c.Edit(c.T("tasks.mine.due_chosen", "Title", w.t.Title, "Date", c.L.DayMonth(d)), nil)
	return f.mineAskReason(c, d), nil
}

// mineDueInput reads a typed date for the deadline request.
func (f *Flow) mineDueInput(ctx context.Context, c *flows.Context) (flows.Next, error) {
	w, ok, err := f.mineStepWork(ctx, c)
	if err != nil || !ok {
		return flows.End(), err
	}
	d, err := flows.ParseDate(c.Update.Text, c.Now, f.mineZone())
	if err != nil {
		return flows.Stay(), err
	}
	if err := f.mineCheckDue(c, w, d); err != nil {
		return flows.Stay(), err
	}
	return f.mineAskReason(c, d), nil
}

// mineCheckDue refuses a date in the past or not after the deadline.
func (f *Flow) mineCheckDue(c *flows.Context, w mineWork, d time.Time) error {
	if d.Before(f.mineDay(c.Now)) {
		return flows.Invalid("input.date_past")
	}
	if !d.After(f.mineDay(w.t.Due)) {
		return flows.Invalid("tasks.mine.due_not_later", "Due", mineDue(c, w.t))
	}
	return nil
}

// mineAskReason keeps the date asked for and asks why.
func (f *Flow) mineAskReason(c *flows.Context, d time.Time) flows.Next {
	c.SetInt(mineKeyDue, mineYMD(d))
	c.Reply(c.T("tasks.mine.reason_ask", "Date", c.L.DayMonth(d)), mineCancelKeyboard(c, c.GetInt(mineKeyTask)))
	return flows.Goto(stepMineReason)
}

// minePostponeReason takes the reason and sends the deadline request.
func (f *Flow) minePostponeReason(ctx context.Context, c *flows.Context) (flows.Next, error) {
	w, ok, err := f.mineStepWork(ctx, c)
	if err != nil || !ok {
		return flows.End(), err
	}
	d, ok := f.mineFromYMD(c.GetInt(mineKeyDue))
	if !ok {
		c.Say("tasks.mine.step_gone")
		return flows.End(), nil
	}
	reason, err := mineReason(c)
	if err != nil {
		return flows.Stay(), err
	}
	if w.t.HasTime {
		// The deadline moves by days; its time of day stays.
		due := w.t.Due.In(d.Location())
		d = time.Date(d.Year(), d.Month(), d.Day(), due.Hour(), due.Minute(), 0, 0, d.Location())
	}
	return f.mineRequest(ctx, c, w, storage.TaskRequest{Kind: storage.RequestPostpone, Reason: reason, NewDue: d})
}

// mineRequest writes the request and tells the managers. A second open
// request of the same kind is refused by the store; the person is told
// that the first one still waits.
func (f *Flow) mineRequest(ctx context.Context, c *flows.Context, w mineWork, r storage.TaskRequest) (flows.Next, error) {
	r.TaskID, r.PersonID, r.Status, r.CreatedAt = w.t.ID, w.a.PersonID, "open", c.Now
	created, err := f.Store.CreateRequest(ctx, r)
	if errors.Is(err, storage.ErrConflict) {
		c.Say("tasks.mine.request_open." + string(r.Kind))
		return flows.End(), nil
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("tasks: request about %d: %w", w.t.ID, err)
	}
	r = created
	c.Say("tasks.mine.request_sent." + string(r.Kind))
	name := c.Actor.Person.FullName
	return flows.End(), f.mineTellManagers(ctx, c, w.t, func(chatID int64) []bot.Message {
		var text string
		switch r.Kind {
		case storage.RequestPostpone:
			text = c.T("tasks.mine.mgr_postpone", "Name", name, "Title", w.t.Title,
				"Due", mineDue(c, w.t), "Date", mineDue(c, storage.Task{Due: r.NewDue, HasTime: w.t.HasTime}), "Reason", r.Reason)
		default:
			text = c.T("tasks.mine.mgr_help", "Name", name, "Title", w.t.Title, "Due", mineDue(c, w.t), "Reason", r.Reason)
		}
		return []bot.Message{bot.Text{ChatID: chatID, Text: text, Buttons: bot.Keyboard{{
			c.Button("tasks.mine.btn.mgr_request", flows.CB(cbManage, "req", r.ID)),
		}}}}
	})
}

// mineReason reads a request's reason: text, not too long.
func mineReason(c *flows.Context) (string, error) {
	reason := strings.TrimSpace(c.Update.Text)
	switch {
	case reason == "" || c.Update.Photo != nil || c.Update.Document != nil:
		return "", flows.Invalid("tasks.mine.reason_text")
	case utf8.RuneCountInString(reason) > mineMaxReason:
		return "", flows.Invalid("tasks.mine.reason_long", "Max", mineMaxReason)
	}
	return reason, nil
}

func mineCancelKeyboard(c *flows.Context, taskID int64) bot.Keyboard {
	return bot.Keyboard{{c.Button("common.btn.cancel", flows.CB(cbMine, mineCancel, taskID))}}
}

// mineZone is the association's zone, where deadlines are local dates.
func (f *Flow) mineZone() *time.Location {
	if f.Location != nil {
		return f.Location
	}
	return time.UTC
}

// mineDay is the local day of t, at 00:00.
func (f *Flow) mineDay(t time.Time) time.Time {
	t = t.In(f.mineZone())
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// mineYMD is a date as yyyymmdd, for buttons and the session.
func mineYMD(t time.Time) int64 {
	return int64(t.Year())*10000 + int64(t.Month())*100 + int64(t.Day())
}

// mineFromYMD reads a yyyymmdd date in the flow's zone; false when it is
// not a real date.
func (f *Flow) mineFromYMD(n int64) (time.Time, bool) {
	y, m, d := int(n/10000), int(n/100%100), int(n%100)
	if y < 2000 || y > 2199 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, f.mineZone())
	return t, t.Year() == y && int(t.Month()) == m && t.Day() == d
}
