package tasks

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// The quality manager's reminder settings: the school's ReminderPolicy
// shown in words, with a button for each part. Choices from a short list
// (reminders after the deadline, telling the manager, days off) are
// buttons; the ladder, quiet hours and holidays are typed, each in a step
// of its own that waits for one message. Every change is saved at once
// and the screen drawn again. A changed policy does not move reminders
// already scheduled: each is placed by the policy of its time as the one
// before it goes out (see NextReminder), and the screen says so.
const (
	stepSetLadder   = "tasks:set_ladder"
	stepSetQuiet    = "tasks:set_quiet"
	stepSetHolidays = "tasks:set_holidays"
)

// setSteps are the typed questions of the settings.
var setSteps = []string{stepSetLadder, stepSetQuiet, stepSetHolidays}

// Session keys of a typed question: the organisation it is about, and the
// step of a new task it stands in front of ("" for none).
const (
	keySetOrg  = "tks.org"
	keySetBack = "tks.back"
)

// The choices offered as buttons.
var (
	setOverdueChoices  = []int{1, 2, 3, 7}
	setEscalateChoices = []int{1, 3, 5, 7, 0} // 0: never
	// setWeekOrder is the week as a Russian calendar shows it.
	setWeekOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
)

// Limits of typed values.
const (
	// setMaxBefore is the earliest reminder before a deadline, in days: a
	// term ahead is planning, not reminding.
	setMaxBefore = 60
	// setMaxLadder is how many reminders may come before a deadline.
	setMaxLadder = 10
	// setMaxHolidays bounds the list of holidays: a school year has fewer.
	setMaxHolidays = 100
	// setMaxRange is the longest range of holidays typed at once ("01.01-08.01").
	setMaxRange = 31
)

func (f *Flow) registerSettings(r *flows.Router) {
	p := flows.ManageTasks
	r.Callback(cbManage, "set", p, f.setShow)
	r.Callback(cbManage, "setovq", p, f.setOverdueAsk)
	r.Callback(cbManage, "setov", p, f.setOverdue)
	r.Callback(cbManage, "setesq", p, f.setEscalateAsk)
	r.Callback(cbManage, "setes", p, f.setEscalate)
	r.Callback(cbManage, "setwd", p, f.setWeekendsAsk)
	r.Callback(cbManage, "setwdt", p, f.setWeekendToggle)
	r.Callback(cbManage, "setholc", p, f.setHolidaysClear)
	r.Callback(cbManage, "setdef", p, f.setDefault)
	r.Callback(cbManage, "setlad", p, f.setAsk(stepSetLadder))
	r.Callback(cbManage, "setqh", p, f.setAsk(stepSetQuiet))
	r.Callback(cbManage, "sethol", p, f.setAsk(stepSetHolidays))
	r.Callback(cbManage, "setx", p, f.setCancel)
	r.Step(stepSetLadder, p, f.setLadderTyped)
	r.Step(stepSetQuiet, p, f.setQuietTyped)
	r.Step(stepSetHolidays, p, f.setHolidaysTyped)
}

// setOrg reads the organisation of a button whose argument starts with
// it (n numbers in all) and checks the actor runs its programme.
func setOrg(c *flows.Context, n int) ([]int64, error) {
	ids, err := manArgs(c, n)
	if err != nil {
		return nil, err
	}
	if err := manOrgArg(c, ids[0]); err != nil {
		return nil, err
	}
	return ids, nil
}

// setPolicy reads the organisation's policy.
func (f *Flow) setPolicy(ctx context.Context, orgID int64) (storage.ReminderPolicy, error) {
	p, err := f.Store.ReminderPolicy(ctx, orgID)
	if err != nil {
		return storage.ReminderPolicy{}, fmt.Errorf("tasks: reminder policy of %d: %w", orgID, err)
	}
	return p, nil
}

// setSave stores the policy, turning the store's refusals into what the
// manager is told.
func (f *Flow) setSave(ctx context.Context, c *flows.Context, p storage.ReminderPolicy) error {
	err := f.Store.SaveReminderPolicy(ctx, c.Actor.PersonID(), p)
	switch {
	case errors.Is(err, storage.ErrInvalid):
		return flows.Invalid("tasks.settings.invalid")
	case errors.Is(err, storage.ErrNotFound):
		return flows.ErrStale
	case err != nil:
		return fmt.Errorf("tasks: save reminder policy of %d: %w", p.OrgID, err)
	}
	return nil
}

// setKeep is where a press on the settings leaves the conversation: a
// typed question of the settings is left (back to a new task it stood in
// front of); anything else is kept as manKeep keeps it.
func setKeep(c *flows.Context) flows.Next {
	if !slices.Contains(setSteps, c.Step()) {
		return manKeep(c)
	}
	back := c.Get(keySetBack)
	c.Set(keySetOrg, "")
	c.Set(keySetBack, "")
	if back == "" {
		return flows.End()
	}
	c.Reply(c.T("tasks.manage.draft_waiting"), bot.Keyboard{{c.Button("tasks.manage.btn.resume", flows.CB(cbManage, "resume", nil))}})
	return flows.Goto(back)
}

// setShow shows the settings: tkm:set:<org>.
func (f *Flow) setShow(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := setOrg(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if err := f.setScreen(ctx, c, ids[0], ""); err != nil {
		return flows.Stay(), err
	}
	return setKeep(c), nil
}

// setScreen draws the settings of the organisation in place of the pressed
// message (or as a new one after a typed answer), headed by a notice when
// one is given.
func (f *Flow) setScreen(ctx context.Context, c *flows.Context, orgID int64, notice string) error {
	org, err := f.manOrgName(ctx, orgID)
	if err != nil {
		return err
	}
	p, err := f.setPolicy(ctx, orgID)
	if err != nil {
		return err
	}
	var lines []string
	if notice != "" {
		lines = append(lines, c.T(notice))
	}
	lines = append(lines,
		c.T("tasks.settings.title", "Org", org),
		c.T("tasks.settings.line_ladder", "Ladder", setLadderText(c, p.Ladder))+"\n"+
			c.T("tasks.settings.line_overdue", "Overdue", setOverdueText(c, p.OverdueEvery))+"\n"+
			c.T("tasks.settings.line_escalate", "Escalate", setEscalateText(c, p.EscalateAfter)),
		c.T("tasks.settings.line_quiet", "Quiet", setQuietText(c, p))+"\n"+
			c.T("tasks.settings.line_weekends", "Days", setWeekendsText(c, p.Weekends))+"\n"+
			c.T("tasks.settings.line_holidays", "Dates", setHolidaysText(c, p.Holidays)),
		c.T("tasks.settings.note"),
	)
	kb := bot.Keyboard{
		{c.Button("tasks.settings.btn.ladder", flows.CB(cbManage, "setlad", orgID)), c.Button("tasks.settings.btn.overdue", flows.CB(cbManage, "setovq", orgID))},
		{c.Button("tasks.settings.btn.escalate", flows.CB(cbManage, "setesq", orgID)), c.Button("tasks.settings.btn.quiet", flows.CB(cbManage, "setqh", orgID))},
		{c.Button("tasks.settings.btn.weekends", flows.CB(cbManage, "setwd", orgID)), c.Button("tasks.settings.btn.holidays", flows.CB(cbManage, "sethol", orgID))},
	}
	if len(p.Holidays) > 0 {
		kb = append(kb, []bot.Button{c.Button("tasks.settings.btn.holidays_clear", flows.CB(cbManage, "setholc", orgID))})
	}
	kb = append(kb,
		[]bot.Button{c.Button("tasks.settings.btn.default", flows.CB(cbManage, "setdef", orgID))},
		[]bot.Button{c.Button("tasks.manage.btn.to_programme", flows.CB(cbManage, "prog", orgID))},
	)
	c.Edit(strings.Join(lines, "\n\n"), kb)
	return nil
}

// setJoin joins parts as a list reads: "a, b и c".
func setJoin(c *flows.Context, parts []string) string {
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + c.T("tasks.settings.and") + parts[len(parts)-1]
}

// setLadderText is the ladder in words: "за 7 дней, за 1 день и в день
// срока", earliest first.
func setLadderText(c *flows.Context, ladder []int) string {
	days := slices.Clone(ladder)
	slices.Sort(days)
	days = slices.Compact(days)
	if len(days) == 0 {
		return c.T("tasks.settings.ladder_none")
	}
	parts := make([]string, 0, len(days))
	for _, d := range days {
		switch {
		case d < 0:
			parts = append(parts, c.L.N("tasks.settings.ladder_before", -d))
		case d == 0:
			parts = append(parts, c.T("tasks.settings.ladder_day"))
		default:
			parts = append(parts, c.L.N("tasks.settings.ladder_after", d))
		}
	}
	return setJoin(c, parts)
}

func setOverdueText(c *flows.Context, every int) string {
	switch {
	case every <= 0:
		return c.T("tasks.settings.overdue_none")
	case every == 1:
		return c.T("tasks.settings.overdue_daily")
	}
	return c.L.N("tasks.settings.overdue_every", every)
}

func setEscalateText(c *flows.Context, after int) string {
	if after <= 0 {
		return c.T("tasks.settings.escalate_none")
	}
	return c.L.N("tasks.settings.escalate", after)
}

// setClock shows minutes after midnight as "08:00".
func setClock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func setQuietText(c *flows.Context, p storage.ReminderPolicy) string {
	if p.QuietFrom == p.QuietTo {
		return c.T("tasks.settings.quiet_none")
	}
	return c.T("tasks.settings.quiet", "From", setClock(p.QuietFrom), "To", setClock(p.QuietTo))
}

func setDayName(c *flows.Context, d time.Weekday) string {
	return c.T("tasks.settings.wd." + strconv.Itoa(int(d)))
}

func setWeekendsText(c *flows.Context, days []int) string {
	var names []string
	for _, d := range setWeekOrder {
		if slices.Contains(days, int(d)) {
			names = append(names, setDayName(c, d))
		}
	}
	if len(names) == 0 {
		return c.T("tasks.settings.weekends_none")
	}
	return strings.Join(names, ", ")
}

// setDates are the calendar dates of holidays (as the store hands them
// over, midnight UTC), sorted and without repeats, as midnight UTC.
func setDates(list []time.Time) []time.Time {
	out := make([]time.Time, 0, len(list))
	for _, h := range list {
		y, m, d := h.Date()
		out = append(out, time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(out, func(a, b time.Time) bool { return a.Equal(b) })
}

// setHolidaysText lists the holidays, runs of days as ranges: "31 декабря
// 2026 – 8 января 2027, 23 февраля 2027".
func setHolidaysText(c *flows.Context, list []time.Time) string {
	dates := setDates(list)
	if len(dates) == 0 {
		return c.T("tasks.settings.holidays_none")
	}
	// Shown from the calendar date, not the instant: midnight UTC is the
	// day before west of Greenwich.
	show := func(t time.Time) string {
		return c.L.Date(time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, c.L.Location()))
	}
	var parts []string
	for i := 0; i < len(dates); {
		j := i
		for j+1 < len(dates) && dates[j+1].Equal(dates[j].AddDate(0, 0, 1)) {
			j++
		}
		if j == i {
			parts = append(parts, show(dates[i]))
		} else {
			parts = append(parts, c.T("tasks.settings.range", "From", show(dates[i]), "To", show(dates[j])))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// setMark marks the current choice of a list of buttons.
func setMark(c *flows.Context, label string, current bool) string {
	if current {
		return c.T("tasks.settings.btn.current", "Label", label)
	}
	return label
}

func setBackRow(c *flows.Context, orgID int64) []bot.Button {
	return []bot.Button{c.Button("tasks.settings.btn.back", flows.CB(cbManage, "set", orgID))}
}

// setOverdueAsk offers the intervals of reminders after the deadline:
// tkm:setovq:<org>.
func (f *Flow) setOverdueAsk(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := setOrg(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	p, err := f.setPolicy(ctx, ids[0])
	if err != nil {
		return flows.Stay(), err
	}
	var row []bot.Button
	for _, n := range setOverdueChoices {
		row = append(row, bot.Button{Text: setMark(c, setOverdueText(c, n), p.OverdueEvery == n), Data: flows.CB(cbManage, "setov", fmt.Sprintf("%d.%d", ids[0], n))})
	}
	c.Edit(c.T("tasks.settings.ask_overdue"), bot.Keyboard{row[:2], row[2:], setBackRow(c, ids[0])})
	return setKeep(c), nil
}

// setOverdue saves the interval: tkm:setov:<org>.<days>.
func (f *Flow) setOverdue(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := setOrg(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	if !slices.Contains(setOverdueChoices, int(ids[1])) {
		return flows.Stay(), flows.ErrStale
	}
	return f.setChange(ctx, c, ids[0], func(p *storage.ReminderPolicy) { p.OverdueEvery = int(ids[1]) })
}

// setEscalateAsk offers when to tell the manager: tkm:setesq:<org>.
func (f *Flow) setEscalateAsk(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := setOrg(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	p, err := f.setPolicy(ctx, ids[0])
	if err != nil {
		return flows.Stay(), err
	}
	var row []bot.Button
	for _, n := range setEscalateChoices {
		label, current := c.T("tasks.settings.btn.escalate_none"), p.EscalateAfter <= 0
		if n > 0 {
			label, current = c.L.N("tasks.settings.days", n), p.EscalateAfter == n
		}
		row = append(row, bot.Button{Text: setMark(c, label, current), Data: flows.CB(cbManage, "setes", fmt.Sprintf("%d.%d", ids[0], n))})
	}
	c.Edit(c.T("tasks.settings.ask_escalate"), bot.Keyboard{row[:2], row[2:4], row[4:], setBackRow(c, ids[0])})
	return setKeep(c), nil
}

// setEscalate saves it: tkm:setes:<org>.<days>, 0 for never.
func (f *Flow) setEscalate(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := setOrg(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	if !slices.Contains(setEscalateChoices, int(ids[1])) {
		return flows.Stay(), flows.ErrStale
	}
	return f.setChange(ctx, c, ids[0], func(p *storage.ReminderPolicy) { p.EscalateAfter = int(ids[1]) })
}

// setWeekendsAsk shows the days of the week as toggles: tkm:setwd:<org>.
func (f *Flow) setWeekendsAsk(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := setOrg(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	p, err := f.setPolicy(ctx, ids[0])
	if err != nil {
		return flows.Stay(), err
	}
	f.setWeekendsScreen(c, p)
	return setKeep(c), nil
}

func (f *Flow) setWeekendsScreen(c *flows.Context, p storage.ReminderPolicy) {
	var row []bot.Button
	for _, d := range setWeekOrder {
		label := setDayName(c, d)
		if slices.Contains(p.Weekends, int(d)) {
			label = c.T("tasks.settings.btn.day_off", "Day", label)
		}
		row = append(row, bot.Button{Text: label, Data: flows.CB(cbManage, "setwdt", fmt.Sprintf("%d.%d", p.OrgID, d))})
	}
	c.Edit(c.T("tasks.settings.ask_weekends"), bot.Keyboard{row[:4], row[4:], setBackRow(c, p.OrgID)})
}

// setWeekendToggle turns a day of the week off or on and saves at once:
// tkm:setwdt:<org>.<weekday>, Sunday 0.
func (f *Flow) setWeekendToggle(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := setOrg(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	if ids[1] > 6 {
		return flows.Stay(), flows.ErrStale
	}
	p, err := f.setPolicy(ctx, ids[0])
	if err != nil {
		return flows.Stay(), err
	}
	d := int(ids[1])
	if i := slices.Index(p.Weekends, d); i >= 0 {
		p.Weekends = slices.Delete(slices.Clone(p.Weekends), i, i+1)
	} else {
		p.Weekends = append(slices.Clone(p.Weekends), d)
		slices.Sort(p.Weekends)
	}
	if err := f.setSave(ctx, c, p); err != nil {
		return flows.Stay(), err
	}
	f.setWeekendsScreen(c, p)
	return setKeep(c), nil
}

// setHolidaysClear empties the holidays: tkm:setholc:<org>.
func (f *Flow) setHolidaysClear(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := setOrg(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	return f.setChange(ctx, c, ids[0], func(p *storage.ReminderPolicy) { p.Holidays = nil })
}

// setDefault puts back the association's default policy:
// tkm:setdef:<org>.
func (f *Flow) setDefault(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := setOrg(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if err := f.setSave(ctx, c, storage.DefaultReminderPolicy(ids[0])); err != nil {
		return flows.Stay(), err
	}
	if err := f.setScreen(ctx, c, ids[0], "tasks.settings.reset"); err != nil {
		return flows.Stay(), err
	}
	return setKeep(c), nil
}

// setChange reads the policy, changes it, saves it and draws the screen
// again.
func (f *Flow) setChange(ctx context.Context, c *flows.Context, orgID int64, change func(*storage.ReminderPolicy)) (flows.Next, error) {
	p, err := f.setPolicy(ctx, orgID)
	if err != nil {
		return flows.Stay(), err
	}
	change(&p)
	p.OrgID = orgID
	if err := f.setSave(ctx, c, p); err != nil {
		return flows.Stay(), err
	}
	if err := f.setScreen(ctx, c, orgID, "tasks.settings.saved"); err != nil {
		return flows.Stay(), err
	}
	return setKeep(c), nil
}

// setAsk asks for a typed value: tkm:setlad, tkm:setqh and tkm:sethol,
// each with the organisation. A new task being written waits behind the
// question, as behind the manager's other questions.
func (f *Flow) setAsk(step string) flows.HandlerFunc {
	return func(ctx context.Context, c *flows.Context) (flows.Next, error) {
		ids, err := setOrg(c, 1)
		if err != nil {
			return flows.Stay(), err
		}
		p, err := f.setPolicy(ctx, ids[0])
		if err != nil {
			return flows.Stay(), err
		}
		back := ""
		switch cur := c.Step(); {
		case slices.Contains(setSteps, cur):
			back = c.Get(keySetBack)
		case slices.Contains(manQuestions, cur):
			back = manDraftStep(c)
			c.Set(keyManTask, "")
			c.Set(keyManPerson, "")
			c.Set(keyManImport, "")
			c.Set(keyManBack, "")
		case slices.Contains(manNewSteps, cur):
			back = cur
		}
		c.SetInt(keySetOrg, ids[0])
		c.Set(keySetBack, back)
		var text string
		switch step {
		case stepSetLadder:
			text = c.T("tasks.settings.ask_ladder", "Ladder", setLadderText(c, p.Ladder))
		case stepSetQuiet:
			text = c.T("tasks.settings.ask_quiet", "Quiet", setQuietText(c, p))
		default:
			text = c.T("tasks.settings.ask_holidays", "Dates", setHolidaysText(c, p.Holidays))
		}
		c.Reply(text, bot.Keyboard{{c.Button("tasks.settings.btn.cancel", flows.CB(cbManage, "setx", ids[0]))}})
		return flows.Goto(step), nil
	}
}

// setCancel leaves a typed question for the settings: tkm:setx:<org>.
func (f *Flow) setCancel(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := setOrg(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if err := f.setScreen(ctx, c, ids[0], ""); err != nil {
		return flows.Stay(), err
	}
	return setKeep(c), nil
}

// setTyped reads the answer to a typed question: the organisation it is
// about (checked again) and the text.
func (f *Flow) setTyped(c *flows.Context) (int64, string, bool, error) {
	orgID, err := strconv.ParseInt(c.Get(keySetOrg), 10, 64)
	if err != nil || orgID <= 0 {
		return 0, "", false, nil
	}
	if err := manOrgArg(c, orgID); err != nil {
		return 0, "", false, err
	}
	text, err := manText(c)
	if err != nil {
		return 0, "", false, err
	}
	return orgID, text, true, nil
}

// setTypedChange is the end of a typed question: the changed policy saved,
// the screen drawn again, the question left.
func (f *Flow) setTypedChange(ctx context.Context, c *flows.Context, orgID int64, change func(*storage.ReminderPolicy) error) (flows.Next, error) {
	p, err := f.setPolicy(ctx, orgID)
	if err != nil {
		return flows.Stay(), err
	}
	if err := change(&p); err != nil {
		return flows.Stay(), err
	}
	p.OrgID = orgID
	if err := f.setSave(ctx, c, p); err != nil {
		return flows.Stay(), err
	}
	if err := f.setScreen(ctx, c, orgID, "tasks.settings.saved"); err != nil {
		return flows.Stay(), err
	}
	return setKeep(c), nil
}

// setWords reads a locale list of words a person may type ("нет, не надо").
func setWords(c *flows.Context, id string) []string {
	var out []string
	for w := range strings.SplitSeq(c.T(id), ",") {
		if w = setFold(w); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// setFold makes typed words comparable: lower case, single spaces, no
// final full stop.
func setFold(s string) string {
	s = strings.Join(strings.Fields(strings.ToLower(s)), " ")
	return strings.TrimSuffix(s, ".")
}

func (f *Flow) setLadderTyped(ctx context.Context, c *flows.Context) (flows.Next, error) {
	orgID, text, ok, err := f.setTyped(c)
	if err != nil || !ok {
		if err == nil {
			return manSessionLost(c)
		}
		return flows.Stay(), err
	}
	ladder, err := parseLadder(text, setWords(c, "tasks.settings.words_none"))
	if err != nil {
		return flows.Stay(), err
	}
	return f.setTypedChange(ctx, c, orgID, func(p *storage.ReminderPolicy) error {
		p.Ladder = ladder
		return nil
	})
}

func (f *Flow) setQuietTyped(ctx context.Context, c *flows.Context) (flows.Next, error) {
	orgID, text, ok, err := f.setTyped(c)
	if err != nil || !ok {
		if err == nil {
			return manSessionLost(c)
		}
		return flows.Stay(), err
	}
	from, to, err := parseQuiet(text, setWords(c, "tasks.settings.words_none"))
	if err != nil {
		return flows.Stay(), err
	}
	return f.setTypedChange(ctx, c, orgID, func(p *storage.ReminderPolicy) error {
		p.QuietFrom, p.QuietTo = from, to
		return nil
	})
}

func (f *Flow) setHolidaysTyped(ctx context.Context, c *flows.Context) (flows.Next, error) {
	orgID, text, ok, err := f.setTyped(c)
	if err != nil || !ok {
		if err == nil {
			return manSessionLost(c)
		}
		return flows.Stay(), err
	}
	clear := slices.Contains(setWords(c, "tasks.settings.words_clear"), setFold(text))
	var dates []time.Time
	if !clear {
		if dates, err = parseHolidays(text, c.Now, f.manLoc(c)); err != nil {
			return flows.Stay(), err
		}
	}
	return f.setTypedChange(ctx, c, orgID, func(p *storage.ReminderPolicy) error {
		if clear {
			p.Holidays = nil
			return nil
		}
		all := setDates(append(slices.Clone(p.Holidays), dates...))
		if len(all) > setMaxHolidays {
			return flows.Invalid("tasks.settings.holidays_many", "Max", setMaxHolidays)
		}
		p.Holidays = all
		return nil
	})
}

// setListSep splits typed lists: commas, semicolons, spaces and new lines.
var setListSep = regexp.MustCompile(`[\s,;]+`)

// parseLadder reads the days before the deadline a reminder goes out,
// typed as "7, 1, 0" (or "7 1 0"): whole numbers from 0 to setMaxBefore,
// at most setMaxLadder of them. One of none ("нет") means no reminder
// before the deadline. It returns the policy's ladder: the days relative
// to the deadline, earliest first (-7, -1, 0), without repeats.
func parseLadder(s string, none []string) ([]int, error) {
	s = strings.TrimSpace(s)
	if slices.Contains(none, setFold(s)) {
		return nil, nil
	}
	var days []int
	for _, f := range setListSep.Split(strings.Trim(s, " \t\n,;."), -1) {
		n, err := strconv.Atoi(f)
		if err != nil || f == "" || f[0] < '0' || f[0] > '9' || len(f) > 2 || n > setMaxBefore {
			return nil, flows.Invalid("tasks.settings.ladder_bad", "Text", f, "Max", setMaxBefore)
		}
		days = append(days, -n)
	}
	slices.Sort(days)
	days = slices.Compact(days)
	if len(days) > setMaxLadder {
		return nil, flows.Invalid("tasks.settings.ladder_many", "Max", setMaxLadder)
	}
	return days, nil
}

// quietTimes finds the times of day in typed quiet hours: "21:00", "8.00"
// or a bare hour "21".
var quietTimes = regexp.MustCompile(`\d+(?:[:.]\d+)?`)

// quietRest is what may stand around the two times: dashes, spaces and
// words ("с 21:00 до 08:00").
var quietRest = regexp.MustCompile(`^[\s\p{L}\-–—]*$`)

// parseQuiet reads quiet hours typed as "21:00-08:00", "21.00 – 8.00",
// "22-7" or "с 21:00 до 08:00": two times of day, start first, as minutes
// after midnight. One of none ("нет") means no quiet hours: 0 and 0.
// Equal times are refused, as a person who means none should say so.
func parseQuiet(s string, none []string) (from, to int, err error) {
	if slices.Contains(none, setFold(s)) {
		return 0, 0, nil
	}
	bad := flows.Invalid("tasks.settings.quiet_bad")
	if len(s) > 64 {
		return 0, 0, bad
	}
	times := quietTimes.FindAllString(s, -1)
	if len(times) != 2 || !quietRest.MatchString(quietTimes.ReplaceAllString(s, "")) {
		return 0, 0, bad
	}
	var mins [2]int
	for i, t := range times {
		if !strings.ContainsAny(t, ":.") {
			t += ":00"
		}
		h, m, err := flows.ParseTime(t)
		if err != nil {
			return 0, 0, bad
		}
		mins[i] = h*60 + m
	}
	if mins[0] == mins[1] {
		return 0, 0, flows.Invalid("tasks.settings.quiet_same")
	}
	return mins[0], mins[1], nil
}

// holidaySep splits typed holidays: commas, semicolons and new lines (a
// space stays within a date: "25 декабря").
var holidaySep = regexp.MustCompile(`[,;\n]+`)

// rangeSep separates the ends of a range of holidays.
var rangeSep = regexp.MustCompile(`\s*[-–—]\s*`)

// parseHolidays reads dates typed as flows.ParseDate reads them, relative
// to now in loc, separated by commas or new lines; "01.01-08.01" is a range
// of up to setMaxRange days. Past dates are allowed. The dates come back
// as midnight UTC of their calendar dates, sorted and without repeats.
func parseHolidays(s string, now time.Time, loc *time.Location) ([]time.Time, error) {
	var out []time.Time
	for item := range strings.SplitSeq(holidaySep.ReplaceAllString(s, "\n"), "\n") {
		item = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(item), "."))
		if item == "" {
			continue
		}
		if d, err := flows.ParseDate(item, now, loc); err == nil {
			out = append(out, d)
			continue
		}
		ends := rangeSep.Split(item, -1)
		if len(ends) != 2 {
			return nil, flows.Invalid("tasks.settings.holiday_bad", "Text", item)
		}
		a, errA := flows.ParseDate(ends[0], now, loc)
		b, errB := flows.ParseDate(ends[1], now, loc)
		if errA != nil || errB != nil {
			return nil, flows.Invalid("tasks.settings.holiday_bad", "Text", item)
		}
		if b.Before(a) || b.After(a.AddDate(0, 0, setMaxRange-1)) {
			return nil, flows.Invalid("tasks.settings.holiday_range_bad", "Text", item, "Max", setMaxRange)
		}
		for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
			out = append(out, d)
		}
		if len(out) > setMaxHolidays {
			break
		}
	}
	if len(out) == 0 {
		return nil, flows.Invalid("tasks.settings.holiday_bad", "Text", strings.TrimSpace(s))
	}
	if len(out) > setMaxHolidays {
		return nil, flows.Invalid("tasks.settings.holidays_many", "Max", setMaxHolidays)
	}
	return setDates(out), nil
}
