package tasks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// The values of a new task a person may change from its summary, in
// callback data.
const (
	fixTitle     = 1
	fixDirection = 2
	fixWho       = 3
	fixDue       = 4
	fixEvidence  = 5
)

// manNew starts a new task in a school's programme: tkm:new:<org>. It asks
// for the title.
func (f *Flow) manNew(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := manArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if err := manOrgArg(c, ids[0]); err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	c.SetInt(keyManOrg, ids[0])
	return f.manAskTitle(c)
}

func (f *Flow) manAskTitle(c *flows.Context) (flows.Next, error) {
	text := c.T("tasks.manage.ask_title", "Max", manMaxTitle)
	if prev := c.Get(keyManTitle); prev != "" {
		text += "\n\n" + c.T("tasks.manage.title_now", "Title", prev)
	}
	c.Reply(text, bot.Keyboard{{c.Button("common.btn.cancel", flows.CB(cbManage, "abort", nil))}})
	return flows.Goto(stepManTitle), nil
}

// manTitle takes the typed title.
func (f *Flow) manTitle(ctx context.Context, c *flows.Context) (flows.Next, error) {
	title, err := manCheckTitle(c)
	if err != nil {
		return flows.Stay(), err
	}
	c.Set(keyManTitle, title)
	if c.Get(keyManReview) != "" {
		return f.manSummary(ctx, c)
	}
	return f.manAskDirection(ctx, c)
}

// manCheckTitle reads a typed title: one line of at most manMaxTitle
// characters, spaces tidied.
func manCheckTitle(c *flows.Context) (string, error) {
	text, err := manText(c)
	if err != nil {
		return "", err
	}
	title := strings.Join(strings.Fields(text), " ")
	if len([]rune(title)) > manMaxTitle {
		return "", flows.Invalid("tasks.manage.title_too_long", "Max", manMaxTitle)
	}
	return title, nil
}

// manAskDirection offers the programme's directions as buttons.
func (f *Flow) manAskDirection(ctx context.Context, c *flows.Context) (flows.Next, error) {
	orgID, ok := manInt(c, keyManOrg)
	if !ok {
		return manSessionLost(c)
	}
	_, dirs, err := f.manProg(ctx, c, orgID)
	if err != nil {
		return flows.Stay(), err
	}
	var kb bot.Keyboard
	for _, d := range dirs {
		kb = append(kb, []bot.Button{{Text: manClip(d.Name, 60), Data: flows.CB(cbManage, "dir", d.ID)}})
	}
	kb = append(kb, []bot.Button{c.Button("common.btn.cancel", flows.CB(cbManage, "abort", nil))})
	c.Reply(c.T("tasks.manage.ask_direction", "Title", c.Get(keyManTitle)), kb)
	return flows.Goto(stepManDir), nil
}

// manDirection takes the direction: tkm:dir:<direction>.
func (f *Flow) manDirection(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := manArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if c.Step() != stepManDir {
		return flows.Stay(), flows.ErrStale
	}
	orgID, ok := manInt(c, keyManOrg)
	if !ok {
		return manSessionLost(c)
	}
	if err := manOrgArg(c, orgID); err != nil {
		return flows.Stay(), err
	}
	_, dirs, err := f.manProg(ctx, c, orgID)
	if err != nil {
		return flows.Stay(), err
	}
	i := slices.IndexFunc(dirs, func(d storage.Direction) bool { return d.ID == ids[0] })
	if i < 0 {
		return flows.Stay(), flows.ErrStale
	}
	c.SetInt(keyManDir, dirs[i].ID)
	c.Edit(c.T("tasks.manage.direction_chosen", "Direction", dirs[i].Name), nil)
	if c.Get(keyManReview) != "" {
		return f.manSummary(ctx, c)
	}
	return f.manAskWho(ctx, c, 1, false)
}

// manTeachers lists the school's active teachers, by name: the people a
// task may go to.
func (f *Flow) manTeachers(ctx context.Context, orgID int64) ([]storage.PersonRoles, error) {
	people, err := f.Store.ListPeople(ctx, orgID, storage.RoleTeacher)
	if err != nil {
		return nil, fmt.Errorf("tasks: teachers of %d: %w", orgID, err)
	}
	return slices.DeleteFunc(people, func(p storage.PersonRoles) bool { return !p.Active || p.FullName == "" }), nil
}

// manFold makes names comparable as people type them: lower case, ё as е,
// single spaces.
func manFold(s string) string {
	s = strings.ReplaceAll(strings.ToLower(s), "ё", "е")
	return strings.Join(strings.Fields(s), " ")
}

// manMatch filters teachers by the letters typed: those whose surname (the
// first word of the name) starts with them; when no surname does, those
// whose name contains them anywhere, so a typo at the start still finds
// someone.
func manMatch(people []storage.PersonRoles, query string) []storage.PersonRoles {
	q := manFold(query)
	if q == "" {
		return people
	}
	var byPrefix, byPart []storage.PersonRoles
	for _, p := range people {
		name := manFold(p.FullName)
		switch {
		case strings.HasPrefix(name, q):
			byPrefix = append(byPrefix, p)
		case strings.Contains(name, q):
			byPart = append(byPart, p)
		}
	}
	if len(byPrefix) > 0 {
		return byPrefix
	}
	return byPart
}

// manWho reads the chosen assignees from the session.
func manWho(c *flows.Context) []int64 {
	s := c.Get(keyManWho)
	if s == "" {
		return nil
	}
	ids, err := flows.ArgInts(s)
	if err != nil {
		return nil
	}
	return ids
}

func manSetWho(c *flows.Context, ids []int64) {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	c.Set(keyManWho, strings.Join(parts, "."))
}

// manAskWho shows a page of the school's teachers, filtered by the letters
// typed, chosen ones ticked. edit redraws the pressed message.
func (f *Flow) manAskWho(ctx context.Context, c *flows.Context, page int64, edit bool) (flows.Next, error) {
	orgID, ok := manInt(c, keyManOrg)
	if !ok {
		return manSessionLost(c)
	}
	all, err := f.manTeachers(ctx, orgID)
	if err != nil {
		return flows.Stay(), err
	}
	query := c.Get(keyManQuery)
	list := manMatch(all, query)
	chosen := manWho(c)
	from, to, p, count := flows.Pages(int64(len(list)), manPageSize, page)
	var kb bot.Keyboard
	for _, t := range list[from:to] {
		label := t.FullName
		if slices.Contains(chosen, t.ID) {
			label = c.T("tasks.manage.btn.who_chosen", "Name", t.FullName)
		}
		kb = append(kb, []bot.Button{{Text: manClip(label, 60), Data: flows.CB(cbManage, "who", fmt.Sprintf("%d.%d", t.ID, p))}})
	}
	if row := c.PageNav(p, count, func(n int64) string { return flows.CB(cbManage, "whop", n) }); row != nil {
		kb = append(kb, row)
	}
	if query != "" {
		kb = append(kb, []bot.Button{c.Button("tasks.manage.btn.who_all", flows.CB(cbManage, "whoall", nil))})
	}
	kb = append(kb, []bot.Button{
		{Text: c.L.N("tasks.manage.btn.who_done", len(chosen)), Data: flows.CB(cbManage, "whook", nil)},
		c.Button("common.btn.cancel", flows.CB(cbManage, "abort", nil)),
	})
	var lines []string
	switch {
	case len(all) == 0:
		lines = append(lines, c.T("tasks.manage.who_no_teachers"))
	case query != "" && len(list) == 0:
		lines = append(lines, c.T("tasks.manage.who_not_found", "Query", query))
	case query != "":
		lines = append(lines, c.T("tasks.manage.who_found", "Query", query))
	default:
		lines = append(lines, c.T("tasks.manage.ask_who"))
	}
	if len(chosen) > 0 {
		names, err := f.manNames(ctx, c, orgID)
		if err != nil {
			return flows.Stay(), err
		}
		var who []string
		for _, id := range chosen {
			who = append(who, names(id))
		}
		lines = append(lines, c.T("tasks.manage.who_chosen", "Names", strings.Join(who, ", ")))
	}
	text := strings.Join(lines, "\n\n") + c.PageLine(p, count)
	if edit {
		c.Edit(text, kb)
	} else {
		c.Reply(text, kb)
	}
	return flows.Goto(stepManWho), nil
}

// manWhoSearch filters the teachers by the letters typed.
func (f *Flow) manWhoSearch(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text, err := manText(c)
	if err != nil {
		return flows.Stay(), err
	}
	if len([]rune(text)) > 50 {
		return flows.Stay(), flows.Invalid("tasks.manage.who_query_long")
	}
	c.Set(keyManQuery, text)
	return f.manAskWho(ctx, c, 1, false)
}

// manWhoPage turns the teachers' list: tkm:whop:<page>.
func (f *Flow) manWhoPage(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := manArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if c.Step() != stepManWho {
		return flows.Stay(), flows.ErrStale
	}
	return f.manAskWho(ctx, c, ids[0], true)
}

// manWhoAll drops the search: tkm:whoall:.
func (f *Flow) manWhoAll(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if err := manNoArg(c); err != nil {
		return flows.Stay(), err
	}
	if c.Step() != stepManWho {
		return flows.Stay(), flows.ErrStale
	}
	c.Set(keyManQuery, "")
	return f.manAskWho(ctx, c, 1, true)
}

// manWhoToggle ticks or unticks a teacher: tkm:who:<person>.<page>.
func (f *Flow) manWhoToggle(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := manArgs(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	if c.Step() != stepManWho {
		return flows.Stay(), flows.ErrStale
	}
	orgID, ok := manInt(c, keyManOrg)
	if !ok {
		return manSessionLost(c)
	}
	if err := manOrgArg(c, orgID); err != nil {
		return flows.Stay(), err
	}
	teachers, err := f.manTeachers(ctx, orgID)
	if err != nil {
		return flows.Stay(), err
	}
	if !slices.ContainsFunc(teachers, func(p storage.PersonRoles) bool { return p.ID == ids[0] }) {
		// Left the school, or not a teacher of it: the list was old.
		return flows.Stay(), flows.ErrStale
	}
	chosen := manWho(c)
	if i := slices.Index(chosen, ids[0]); i >= 0 {
		chosen = slices.Delete(chosen, i, i+1)
	} else {
		if len(chosen) >= manMaxWho {
			c.Notice(c.T("tasks.manage.who_too_many", "Max", manMaxWho))
			return flows.Stay(), nil
		}
		chosen = append(chosen, ids[0])
	}
	manSetWho(c, chosen)
	return f.manAskWho(ctx, c, ids[1], true)
}

// manWhoDone takes the ticked teachers: tkm:whook:.
func (f *Flow) manWhoDone(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if err := manNoArg(c); err != nil {
		return flows.Stay(), err
	}
	if c.Step() != stepManWho {
		return flows.Stay(), flows.ErrStale
	}
	chosen := manWho(c)
	if len(chosen) == 0 {
		c.Notice(c.T("tasks.manage.who_none"))
		return flows.Stay(), nil
	}
	orgID, ok := manInt(c, keyManOrg)
	if !ok {
		return manSessionLost(c)
	}
	names, err := f.manNames(ctx, c, orgID)
	if err != nil {
		return flows.Stay(), err
	}
	var who []string
	for _, id := range chosen {
		who = append(who, names(id))
	}
	c.Set(keyManQuery, "")
	c.Edit(c.T("tasks.manage.who_taken", "Names", strings.Join(who, ", ")), nil)
	if c.Get(keyManReview) != "" {
		return f.manSummary(ctx, c)
	}
	return f.manAskDue(c)
}

// manQuickDates are the deadlines offered as buttons from today: a week,
// two weeks and the end of the month (of the next month when this one
// ends within a day), without repeats.
func manQuickDates(today time.Time) []time.Time {
	week, two := today.AddDate(0, 0, 7), today.AddDate(0, 0, 14)
	eom := time.Date(today.Year(), today.Month()+1, 0, 0, 0, 0, 0, today.Location())
	if !eom.After(today.AddDate(0, 0, 1)) {
		eom = time.Date(today.Year(), today.Month()+2, 0, 0, 0, 0, 0, today.Location())
	}
	out := []time.Time{week, two}
	if !eom.Equal(week) && !eom.Equal(two) {
		out = append(out, eom)
	}
	return out
}

// manDateLabels are the locale ids of the quick date buttons, in the order
// of manQuickDates.
var manDateLabels = []string{"tasks.manage.btn.week", "tasks.manage.btn.two_weeks", "tasks.manage.btn.month_end"}

// manDueButtons are the quick dates as buttons whose data data builds.
func (f *Flow) manDueButtons(c *flows.Context, data func(yyyymmdd int64) string) bot.Keyboard {
	var kb bot.Keyboard
	for i, d := range manQuickDates(f.manToday(c)) {
		kb = append(kb, []bot.Button{{Text: c.T(manDateLabels[i], "Date", c.L.DayMonth(d)), Data: data(flows.DateKey(d))}})
	}
	return kb
}

// manAskDue asks for the deadline.
func (f *Flow) manAskDue(c *flows.Context) (flows.Next, error) {
	kb := f.manDueButtons(c, func(d int64) string { return flows.CB(cbManage, "due", d) })
	kb = append(kb, []bot.Button{c.Button("common.btn.cancel", flows.CB(cbManage, "abort", nil))})
	c.Reply(c.T("tasks.manage.ask_due"), kb)
	return flows.Goto(stepManDue), nil
}

// manDueButton takes a quick date: tkm:due:<yyyymmdd>.
func (f *Flow) manDueButton(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := manArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	d, ok := flows.KeyDate(ids[0], f.manLoc(c))
	if !ok || c.Step() != stepManDue {
		return flows.Stay(), flows.ErrStale
	}
	if err := f.manCheckDue(c, d, false); err != nil {
		// A button drawn days ago: the date it offers has passed.
		return flows.Stay(), err
	}
	c.Edit(c.T("tasks.manage.due_chosen", "Due", c.L.Date(d)), nil)
	return f.manTakeDue(ctx, c, d, false)
}

// manDueTyped reads a typed deadline, with an optional time.
func (f *Flow) manDueTyped(ctx context.Context, c *flows.Context) (flows.Next, error) {
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
	return f.manTakeDue(ctx, c, due, hasTime)
}

func (f *Flow) manTakeDue(ctx context.Context, c *flows.Context, due time.Time, hasTime bool) (flows.Next, error) {
	c.SetInt(keyManDue, flows.DateKey(due))
	c.Set(keyManTime, "")
	if hasTime {
		c.Set(keyManTime, due.In(f.manLoc(c)).Format("1504"))
	}
	if c.Get(keyManReview) != "" {
		return f.manSummary(ctx, c)
	}
	return f.manAskEvidence(c)
}

// manTimeWords are words people put between a date and a time ("25.12 в
// 14:00"); they are input vocabulary, not text the bot shows.
var manTimeWords = []string{"в", "at"}

// manParseDue reads a deadline as people type it: a date in any form
// flows.ParseDate reads, optionally followed by a time ("25.12 14:00",
// "завтра в 9:30"). The date is in loc at 00:00, or at the time given.
// Errors are *flows.InputError{MsgID: "tasks.manage.due_invalid"}.
func manParseDue(s string, now time.Time, loc *time.Location) (time.Time, bool, error) {
	bad := flows.Invalid("tasks.manage.due_invalid")
	words := strings.Fields(s)
	hasTime := false
	h, m := 0, 0
	if n := len(words); n >= 2 {
		if hh, mm, err := flows.ParseTime(words[n-1]); err == nil {
			h, m, hasTime = hh, mm, true
			words = words[:n-1]
			if len(words) > 1 && slices.Contains(manTimeWords, strings.ToLower(words[len(words)-1])) {
				words = words[:len(words)-1]
			}
		}
	}
	d, err := flows.ParseDate(strings.Join(words, " "), now, loc)
	if err != nil {
		return time.Time{}, false, bad
	}
	if hasTime {
		d = time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc)
	}
	return d, hasTime, nil
}

// manCheckDue refuses a deadline in the past (today is allowed without a
// time; with one, the time must be ahead) or more than two years ahead.
func (f *Flow) manCheckDue(c *flows.Context, due time.Time, hasTime bool) error {
	today := f.manToday(c)
	switch {
	case !hasTime && due.Before(today):
		return flows.Invalid("tasks.manage.due_past", "Today", c.L.Date(today))
	case hasTime && !due.After(c.Now):
		return flows.Invalid("tasks.manage.due_time_past", "Now", c.L.DateTime(c.Now))
	case due.After(today.AddDate(0, 0, manMaxDaysAhead)):
		return flows.Invalid("tasks.manage.due_too_far")
	}
	return nil
}

// manAskEvidence asks whether the report needs evidence.
func (f *Flow) manAskEvidence(c *flows.Context) (flows.Next, error) {
	c.Reply(c.T("tasks.manage.ask_evidence"), bot.Keyboard{
		{c.Button("tasks.manage.btn.evidence_yes", flows.CB(cbManage, "ev", 1)), c.Button("tasks.manage.btn.evidence_no", flows.CB(cbManage, "ev", 0))},
		{c.Button("common.btn.cancel", flows.CB(cbManage, "abort", nil))},
	})
	return flows.Goto(stepManEv), nil
}

// manEvidence takes the answer: tkm:ev:<1 yes|0 no>.
func (f *Flow) manEvidence(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := manArgs(c, 1)
	if err != nil || ids[0] > 1 {
		return flows.Stay(), flows.ErrStale
	}
	if c.Step() != stepManEv {
		return flows.Stay(), flows.ErrStale
	}
	c.SetInt(keyManEv, ids[0])
	c.Edit(c.T("tasks.manage.evidence_chosen", "Evidence", manEvidenceText(c, ids[0] == 1)), nil)
	return f.manSummary(ctx, c)
}

func manEvidenceText(c *flows.Context, required bool) string {
	if required {
		return c.T("tasks.manage.evidence_required")
	}
	return c.T("tasks.manage.evidence_optional")
}

// manDraft is the new task as the session holds it.
type manDraft struct {
	org      int64
	title    string
	dir      int64
	who      []int64
	due      time.Time
	hasTime  bool
	evidence bool
}

// manDraftOf reads the new task from the session; ok is false when a value
// is missing (the session was lost or is from an older version).
func (f *Flow) manDraftOf(c *flows.Context) (manDraft, bool) {
	var d manDraft
	var ok bool
	if d.org, ok = manInt(c, keyManOrg); !ok {
		return d, false
	}
	if d.title = c.Get(keyManTitle); d.title == "" {
		return d, false
	}
	if d.dir, ok = manInt(c, keyManDir); !ok {
		return d, false
	}
	if d.who = manWho(c); len(d.who) == 0 {
		return d, false
	}
	day, ok := manInt(c, keyManDue)
	if !ok {
		return d, false
	}
	loc := f.manLoc(c)
	if d.due, ok = flows.KeyDate(day, loc); !ok {
		return d, false
	}
	if hm := c.Get(keyManTime); hm != "" {
		n, err := strconv.Atoi(hm)
		if err != nil || len(hm) != 4 || n/100 > 23 || n%100 > 59 {
			return d, false
		}
		d.due = time.Date(d.due.Year(), d.due.Month(), d.due.Day(), n/100, n%100, 0, 0, loc)
		d.hasTime = true
	}
	ev, ok := manInt(c, keyManEv)
	if !ok {
		return d, false
	}
	d.evidence = ev == 1
	return d, true
}

// manSummary shows the new task before it is created, with the buttons to
// create it or change a value.
func (f *Flow) manSummary(ctx context.Context, c *flows.Context) (flows.Next, error) {
	d, ok := f.manDraftOf(c)
	if !ok {
		return manSessionLost(c)
	}
	_, dirs, err := f.manProg(ctx, c, d.org)
	if err != nil {
		return flows.Stay(), err
	}
	names, err := f.manNames(ctx, c, d.org)
	if err != nil {
		return flows.Stay(), err
	}
	var who []string
	for _, id := range d.who {
		who = append(who, names(id))
	}
	c.Set(keyManReview, "1")
	text := c.T("tasks.manage.summary",
		"Title", d.title,
		"Direction", manDirName(dirs, d.dir),
		"Who", strings.Join(who, ", "),
		"Due", f.manDue(c, storage.Task{Due: d.due, HasTime: d.hasTime}),
		"Evidence", manEvidenceText(c, d.evidence))
	kb := bot.Keyboard{
		{c.Button("tasks.manage.btn.create", flows.CB(cbManage, "create", nil))},
		{c.Button("tasks.manage.btn.fix_title", flows.CB(cbManage, "fix", fixTitle)), c.Button("tasks.manage.btn.fix_direction", flows.CB(cbManage, "fix", fixDirection))},
		{c.Button("tasks.manage.btn.fix_who", flows.CB(cbManage, "fix", fixWho)), c.Button("tasks.manage.btn.fix_due", flows.CB(cbManage, "fix", fixDue))},
		{c.Button("tasks.manage.btn.fix_evidence", flows.CB(cbManage, "fix", fixEvidence)), c.Button("common.btn.cancel", flows.CB(cbManage, "abort", nil))},
	}
	c.Reply(text, kb)
	return flows.Goto(stepManConfirm), nil
}

// manDirName names a direction of the list ("" when it is not there).
func manDirName(dirs []storage.Direction, id int64) string {
	for _, d := range dirs {
		if d.ID == id {
			return d.Name
		}
	}
	return ""
}

// manFix goes back from the summary to one value:
// tkm:fix:<1 title|2 direction|3 assignees|4 deadline|5 evidence>.
func (f *Flow) manFix(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := manArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if c.Step() != stepManConfirm {
		return flows.Stay(), flows.ErrStale
	}
	switch ids[0] {
	case fixTitle:
		c.Edit("", nil)
		return f.manAskTitle(c)
	case fixDirection:
		c.Edit("", nil)
		return f.manAskDirection(ctx, c)
	case fixWho:
		c.Edit("", nil)
		return f.manAskWho(ctx, c, 1, false)
	case fixDue:
		c.Edit("", nil)
		return f.manAskDue(c)
	case fixEvidence:
		c.Edit("", nil)
		return f.manAskEvidence(c)
	}
	return flows.Stay(), flows.ErrStale
}

// manResume asks again the question of the step a new task is at:
// tkm:resume:.
func (f *Flow) manResume(ctx context.Context, c *flows.Context) (flows.Next, error) {
	step := manDraftStep(c)
	if err := manNoArg(c); err != nil || step == "" {
		return flows.Stay(), flows.ErrStale
	}
	// A question left unanswered gives way to the new task.
	c.Set(keyManTask, "")
	c.Set(keyManPerson, "")
	c.Set(keyManBack, "")
	switch step {
	case stepManTitle:
		return f.manAskTitle(c)
	case stepManDir:
		return f.manAskDirection(ctx, c)
	case stepManWho:
		return f.manAskWho(ctx, c, 1, false)
	case stepManDue:
		return f.manAskDue(c)
	case stepManEv:
		return f.manAskEvidence(c)
	}
	return f.manSummary(ctx, c)
}

// manAbort leaves a new task unsaved: tkm:abort:.
func (f *Flow) manAbort(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if err := manNoArg(c); err != nil || manDraftStep(c) == "" {
		return flows.Stay(), flows.ErrStale
	}
	c.Edit(c.T("tasks.manage.new_cancelled"), nil)
	return flows.End(), nil
}

// manCreate saves the new task and sends it to each assignee:
// tkm:create:.
func (f *Flow) manCreate(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if err := manNoArg(c); err != nil || c.Step() != stepManConfirm {
		return flows.Stay(), flows.ErrStale
	}
	d, ok := f.manDraftOf(c)
	if !ok {
		return manSessionLost(c)
	}
	// The right is checked again: a role may have been taken away since
	// the task was begun.
	if err := manOrgArg(c, d.org); err != nil {
		return flows.Stay(), err
	}
	if err := f.manCheckDue(c, d.due, d.hasTime); err != nil {
		// The summary waited past its deadline: ask for a new one.
		c.Say("tasks.manage.due_expired")
		return f.manAskDue(c)
	}
	p, dirs, err := f.manProg(ctx, c, d.org)
	if err != nil {
		return flows.Stay(), err
	}
	if manDirName(dirs, d.dir) == "" {
		c.Say("tasks.manage.direction_gone")
		return f.manAskDirection(ctx, c)
	}
	teachers, err := f.manTeachers(ctx, d.org)
	if err != nil {
		return flows.Stay(), err
	}
	for _, id := range d.who {
		if !slices.ContainsFunc(teachers, func(p storage.PersonRoles) bool { return p.ID == id }) {
			manSetWho(c, slices.DeleteFunc(d.who, func(x int64) bool { return x == id }))
			c.Say("tasks.manage.who_gone")
			return f.manAskWho(ctx, c, 1, false)
		}
	}
	policy, err := f.manPolicy(ctx, d.org)
	if err != nil {
		return flows.Stay(), err
	}
	next, step := FirstReminder(policy, d.due, d.hasTime, c.Now, f.manLoc(c))
	var as []storage.Assignment
	for _, id := range d.who {
		as = append(as, storage.Assignment{PersonID: id, Status: storage.TaskAssigned, StatusAt: c.Now, NextRemindAt: next, RemindStep: step})
	}
	t, err := f.Store.CreateTask(ctx, c.Actor.PersonID(), storage.Task{
		ProgrammeID:      p.ID,
		OrgID:            d.org,
		DirectionID:      d.dir,
		Title:            d.title,
		Description:      c.Get(keyManDesc),
		Due:              d.due,
		HasTime:          d.hasTime,
		EvidenceRequired: d.evidence,
		CreatedBy:        c.Actor.PersonID(),
	}, as)
	if errors.Is(err, storage.ErrNotFound) {
		return flows.Stay(), flows.ErrStale
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("tasks: create task: %w", err)
	}
	c.Edit("", nil)
	t, as, err = f.manFindTask(ctx, c, t.ID)
	if err != nil {
		return flows.Stay(), err
	}
	for _, a := range as {
		if err := f.manTellAssignee(ctx, c, t, a, c.T("tasks.manage.to_assignee.new")); err != nil {
			return flows.Stay(), err
		}
	}
	text, kb, err := f.manCardView(ctx, c, t, as)
	if err != nil {
		return flows.Stay(), err
	}
	c.Say("tasks.manage.created", "Who", c.L.N("tasks.manage.assignees", len(as)))
	c.Reply(text, kb)
	return flows.End(), nil
}

// manPolicy is the school's reminder policy.
func (f *Flow) manPolicy(ctx context.Context, orgID int64) (storage.ReminderPolicy, error) {
	p, err := f.Store.ReminderPolicy(ctx, orgID)
	if errors.Is(err, storage.ErrNotFound) {
		return storage.DefaultReminderPolicy(orgID), nil
	}
	if err != nil {
		return storage.ReminderPolicy{}, fmt.Errorf("tasks: reminder policy of %d: %w", orgID, err)
	}
	return p, nil
}

// manInt reads a numeric session value; ok is false when it is absent.
func manInt(c *flows.Context, key string) (int64, bool) {
	s := c.Get(key)
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
