package survey

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// The steps of authoring. Browsing (the list, a card) needs no step: every
// press there stands on its own and is re-authorised. A new survey is a
// chain of steps whose values wait in the session until «Создать», so a
// refused value (a bad classes list, a past date) costs only that value.
// Extending has a step too, for a typed date, and so that its date
// buttons work only as the answer to the question just asked.
const (
	stepAuthorSource   = "survey:author_source"
	stepAuthorUpload   = "survey:author_upload"
	stepAuthorOrg      = "survey:author_org"
	stepAuthorAudience = "survey:author_audience"
	stepAuthorClasses  = "survey:author_classes"
	stepAuthorDate     = "survey:author_date"
	stepAuthorSummary  = "survey:author_summary"
	stepAuthorExtend   = "survey:author_extend"
)

// authorNewSteps are the steps of a new survey: the list offers to go back
// to one of them, and «Отмена» leaves any of them.
var authorNewSteps = []string{
	stepAuthorSource, stepAuthorUpload, stepAuthorOrg, stepAuthorAudience,
	stepAuthorClasses, stepAuthorDate, stepAuthorSummary,
}

// Session keys of a new survey and of the extend question.
const (
	keyAuthorTemplate = "sva.tpl"     // key of a built-in template
	keyAuthorUpload   = "sva.upload"  // an uploaded template as JSON
	keyAuthorOrg      = "sva.org"     // organisation id; "0" association-wide; "" not chosen
	keyAuthorAudience = "sva.aud"     // storage.Audience
	keyAuthorClasses  = "sva.classes" // FormatClasses of the parsed list
	keyAuthorCloses   = "sva.closes"  // closing date, yyyymmdd
	keyAuthorReview   = "sva.review"  // "1": values are complete, go back to the summary
	keyAuthorSurvey   = "sva.survey"  // the survey being extended
	keyAuthorBack     = "sva.back"    // the new survey's step to return to after extending
	keyAuthorMessage  = "sva.msg"     // the message asking for the new date
)

// authorPageSize is how many surveys or schools a list shows at once: a
// phone screen of buttons.
const authorPageSize = 8

// Errors shown of an uploaded file or a classes list: the first ones are
// enough to start fixing it, and the message stays readable on a phone.
const authorMaxErrors = 15

// qrSize is the side of a class link's QR code in pixels: sharp on a
// printed notice, small enough to send quickly.
const authorQRSize = 512

// Audiences in callback data.
const (
	audParents  = 1
	audStudents = 2
)

// The values of a new survey a person may change from its summary, in
// callback data.
const (
	editClasses  = 1
	editDate     = 2
	editAudience = 3
	editOrg      = 4
)

// How far ahead a closing date may be: a year covers any school survey,
// and a date further than that is a typo ("2062").
const authorMaxDaysAhead = 366

func (f *Flow) registerAuthor(r *flows.Router) {
	r.Menu(flows.MenuItem{Label: "survey.author.menu", Help: "survey.author.help", Perm: flows.ManageSurveys, Handler: f.authorMenu})

	// Browsing.
	r.Callback(cbAuthor, "list", flows.ManageSurveys, f.authorListPage)
	r.Callback(cbAuthor, "card", flows.ManageSurveys, f.authorCard)

	// A new survey.
	r.Callback(cbAuthor, "new", flows.ManageSurveys, f.authorNew)
	r.Callback(cbAuthor, "resume", flows.ManageSurveys, f.authorResume)
	r.Callback(cbAuthor, "cancel", flows.ManageSurveys, f.authorCancel)
	r.Callback(cbAuthor, "tpl", flows.ManageSurveys, f.authorTemplate)
	r.Callback(cbAuthor, "upload", flows.ManageSurveys, f.authorUploadStart)
	r.Step(stepAuthorSource, flows.ManageSurveys, authorPressButton)
	r.Step(stepAuthorUpload, flows.ManageSurveys, f.authorUpload)
	r.Callback(cbAuthor, "orgs", flows.ManageSurveys, f.authorOrgsPage)
	r.Callback(cbAuthor, "org", flows.ManageSurveys, f.authorOrg)
	r.Step(stepAuthorOrg, flows.ManageSurveys, authorPressButton)
	r.Callback(cbAuthor, "aud", flows.ManageSurveys, f.authorAudience)
	r.Step(stepAuthorAudience, flows.ManageSurveys, authorPressButton)
	r.Step(stepAuthorClasses, flows.ManageSurveys, f.authorClasses)
	r.Callback(cbAuthor, "date", flows.ManageSurveys, f.authorDateButton)
	r.Step(stepAuthorDate, flows.ManageSurveys, f.authorDateTyped)
	r.Callback(cbAuthor, "edit", flows.ManageSurveys, f.authorEdit)
	r.Callback(cbAuthor, "dprev", flows.ManageSurveys, f.authorDraftPreview)
	r.Callback(cbAuthor, "create", flows.ManageSurveys, f.authorCreate)
	r.Step(stepAuthorSummary, flows.ManageSurveys, authorPressButton)

	// A survey's life.
	r.Callback(cbAuthor, "prev", flows.ManageSurveys, f.authorPreview)
	r.Callback(cbAuthor, "pub", flows.ManageSurveys, f.authorPublish)
	r.Callback(cbAuthor, "links", flows.ManageSurveys, f.authorLinks)
	r.Callback(cbAuthor, "close", flows.ManageSurveys, f.authorCloseAsk)
	r.Callback(cbAuthor, "closeok", flows.ManageSurveys, f.authorClose)
	r.Callback(cbAuthor, "ext", flows.ManageSurveys, f.authorExtendAsk)
	r.Callback(cbAuthor, "extd", flows.ManageSurveys, f.authorExtendButton)
	r.Step(stepAuthorExtend, flows.ManageSurveys, f.authorExtendTyped)
}

// authorPressButton answers text typed where the bot waits for a press.
func authorPressButton(context.Context, *flows.Context) (flows.Next, error) {
	return flows.Stay(), flows.Invalid("survey.author.press_button")
}

// authorArgs parses the pressed button's argument as exactly n numbers.
// Anything else is not a button of this version of the bot: stale.
func authorArgs(c *flows.Context, n int) ([]int64, error) {
	ids, err := flows.ArgInts(c.Callback.Arg)
	if err != nil || len(ids) != n {
		return nil, flows.ErrStale
	}
	return ids, nil
}

// authorSurvey authorises and loads the survey a button names by the first
// of n numbers of its argument. The right is checked against the survey's
// own organisation on every press: an association-wide survey (OrgID 0)
// passes only association-wide roles.
func (f *Flow) authorSurvey(ctx context.Context, c *flows.Context, n int) (storage.Survey, []storage.SurveyClass, []int64, error) {
	ids, err := authorArgs(c, n)
	if err != nil {
		return storage.Survey{}, nil, nil, err
	}
	sv, classes, err := f.Store.FindSurveyByID(ctx, ids[0])
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return storage.Survey{}, nil, nil, flows.ErrStale
	case err != nil:
		return storage.Survey{}, nil, nil, fmt.Errorf("survey: find survey %d: %w", ids[0], err)
	case !c.Actor.CanIn(flows.ManageSurveys, sv.OrgID):
		return storage.Survey{}, nil, nil, flows.ErrForbidden
	}
	return sv, classes, ids, nil
}

// authorMenu shows the first page of the person's surveys. A new survey in
// progress stays in the session, and the list offers to go back to it.
func (f *Flow) authorMenu(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text, kb, err := f.authorList(ctx, c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(text, kb)
	switch {
	case c.Step() == stepAuthorExtend:
		return authorLeaveExtend(c), nil
	case authorDraftStep(c) != "":
		return flows.Stay(), nil
	}
	return flows.End(), nil
}

// authorDraftStep is the step of the new survey the person is writing, or
// "" when none: the extend question may stand in front of it.
func authorDraftStep(c *flows.Context) string {
	step := c.Step()
	if step == stepAuthorExtend {
		step = c.Get(keyAuthorBack)
	}
	if slices.Contains(authorNewSteps, step) {
		return step
	}
	return ""
}

// authorListPage turns the list to another page: sva:list:<page>.
func (f *Flow) authorListPage(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := authorArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.authorList(ctx, c, ids[0])
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// authorSurveys returns the surveys the actor manages, newest first: every
// survey for an association-wide role, else those of the actor's schools.
func (f *Flow) authorSurveys(ctx context.Context, c *flows.Context) ([]storage.Survey, error) {
	all, orgIDs := c.Actor.Scope(flows.ManageSurveys)
	if all {
		list, err := f.Store.ListSurveys(ctx, 0)
		if err != nil {
			return nil, fmt.Errorf("survey: list surveys: %w", err)
		}
		return list, nil
	}
	var list []storage.Survey
	slices.Sort(orgIDs)
	for _, id := range slices.Compact(orgIDs) {
		if id == 0 {
			continue
		}
		part, err := f.Store.ListSurveys(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("survey: list surveys of %d: %w", id, err)
		}
		list = append(list, part...)
	}
	slices.SortStableFunc(list, func(a, b storage.Survey) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	return list, nil
}

// authorList renders a page of the person's surveys: a line each with its
// status and dates, a button each to its card, and «Новый опрос».
func (f *Flow) authorList(ctx context.Context, c *flows.Context, page int64) (string, bot.Keyboard, error) {
	list, err := f.authorSurveys(ctx, c)
	if err != nil {
		return "", nil, err
	}
	names, err := f.authorOrgNames(ctx, c)
	if err != nil {
		return "", nil, err
	}
	from, to, p, count := flows.Pages(int64(len(list)), authorPageSize, page)
	var kb bot.Keyboard
	var lines []string
	for i, sv := range list[from:to] {
		n := int(from) + i + 1
		lines = append(lines, c.T("survey.author.list_line", "N", n, "Status", authorStatusMark(sv.Status),
			"Title", sv.Title, "Org", names(sv.OrgID), "When", authorWhen(c, sv)))
		kb = append(kb, []bot.Button{{
			Text: c.T("survey.author.btn.list_item", "N", n, "Status", authorStatusMark(sv.Status), "Title", authorClip(sv.Title, 40)),
			Data: flows.CB(cbAuthor, "card", sv.ID),
		}})
	}
	if row := c.PageNav(p, count, func(n int64) string { return flows.CB(cbAuthor, "list", n) }); row != nil {
		kb = append(kb, row)
	}
	kb = append(kb, []bot.Button{c.Button("survey.author.btn.new", flows.CB(cbAuthor, "new", nil))})
	if authorDraftStep(c) != "" {
		kb = append(kb, []bot.Button{c.Button("survey.author.btn.resume", flows.CB(cbAuthor, "resume", nil))})
	}
	if len(list) == 0 {
		return c.T("survey.author.list_empty"), kb, nil
	}
	text := c.L.N("survey.author.list_title", len(list)) + "\n\n" + strings.Join(lines, "\n\n")
	return text + c.PageLine(p, count), kb, nil
}

// authorOrgNames returns a function naming organisations by id, the
// association for 0, from one read of the list.
func (f *Flow) authorOrgNames(ctx context.Context, c *flows.Context) (func(int64) string, error) {
	orgs, err := f.Store.ListOrganisations(ctx)
	if err != nil {
		return nil, fmt.Errorf("survey: list organisations: %w", err)
	}
	byID := make(map[int64]storage.Organisation, len(orgs))
	for _, o := range orgs {
		byID[o.ID] = o
	}
	return func(id int64) string {
		if id == 0 {
			return c.T("survey.author.association")
		}
		return authorOrgName(byID[id])
	}, nil
}

// authorOrgName is how a school appears in lists and cards.
func authorOrgName(o storage.Organisation) string {
	if o.ShortName != "" {
		return o.ShortName
	}
	return o.Name
}

// authorOrgTitle names a survey's organisation; the association for 0.
func (f *Flow) authorOrgTitle(ctx context.Context, c *flows.Context, orgID int64) (string, error) {
	if orgID == 0 {
		return c.T("survey.author.association"), nil
	}
	o, err := f.Store.FindOrganisationByID(ctx, orgID)
	if errors.Is(err, storage.ErrNotFound) {
		return "", flows.ErrStale
	}
	if err != nil {
		return "", fmt.Errorf("survey: organisation %d: %w", orgID, err)
	}
	return authorOrgName(o), nil
}

func authorStatusMark(s storage.SurveyStatus) string {
	switch s {
	case storage.SurveyOpen:
		return "🟢"
	case storage.SurveyClosed:
		return "⏹"
	}
	return "📝"
}

// authorWhen is the dates part of a list line: what a person looks for
// first in each status.
func authorWhen(c *flows.Context, sv storage.Survey) string {
	switch sv.Status {
	case storage.SurveyOpen:
		if sv.ClosesAt.IsZero() {
			return c.T("survey.author.when_open_unlimited")
		}
		return c.T("survey.author.when_open", "Closes", c.L.DayMonth(sv.ClosesAt))
	case storage.SurveyClosed:
		return c.T("survey.author.when_closed", "Closed", c.L.DayMonth(sv.ClosedAt))
	}
	if sv.ClosesAt.IsZero() {
		return c.T("survey.author.when_draft_unlimited")
	}
	return c.T("survey.author.when_draft", "Closes", c.L.DayMonth(sv.ClosesAt))
}

// authorClip shortens a title for a button.
func authorClip(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return string([]rune(s)[:limit-1]) + "…"
}

// authorCard shows a survey with the buttons its status allows:
// sva:card:<id>.
func (f *Flow) authorCard(ctx context.Context, c *flows.Context) (flows.Next, error) {
	sv, classes, _, err := f.authorSurvey(ctx, c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.authorCardView(ctx, c, sv, classes)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	// «Отмена» of the extend question is this button.
	return authorLeaveExtend(c), nil
}

// authorCardView renders a survey: title, organisation, audience, status,
// dates, classes with headcounts, and the buttons of its status.
func (f *Flow) authorCardView(ctx context.Context, c *flows.Context, sv storage.Survey, classes []storage.SurveyClass) (string, bot.Keyboard, error) {
	org, err := f.authorOrgTitle(ctx, c, sv.OrgID)
	if err != nil {
		return "", nil, err
	}
	var dates []string
	if !sv.PublishedAt.IsZero() {
		dates = append(dates, c.T("survey.author.card_published", "At", c.L.DateTime(sv.PublishedAt)))
	}
	switch {
	case sv.Status == storage.SurveyClosed && !sv.ClosedAt.IsZero():
		dates = append(dates, c.T("survey.author.card_closed", "At", c.L.DateTime(sv.ClosedAt)))
	case sv.ClosesAt.IsZero():
		dates = append(dates, c.T("survey.author.card_no_closing"))
	case sv.Status == storage.SurveyDraft && !c.Now.Before(sv.ClosesAt):
		dates = append(dates, c.T("survey.author.card_closing_passed", "At", c.L.DateTime(sv.ClosesAt)))
	default:
		dates = append(dates, c.T("survey.author.card_closes", "At", c.L.DateTime(sv.ClosesAt)))
	}
	text := c.T("survey.author.card",
		"Title", sv.Title,
		"Status", c.T("survey.author.status."+string(sv.Status)),
		"Org", org,
		"Audience", c.T("survey.author.audience."+string(sv.Audience)),
		"Questions", len(sv.Questions),
		"Dates", strings.Join(dates, "\n"),
		"Classes", authorClassesText(c, classes))

	id := sv.ID
	var kb bot.Keyboard
	switch sv.Status {
	case storage.SurveyDraft:
		kb = append(kb, []bot.Button{
			c.Button("survey.author.btn.preview", flows.CB(cbAuthor, "prev", id)),
			c.Button("survey.author.btn.publish", flows.CB(cbAuthor, "pub", id)),
		})
		if !sv.ClosesAt.IsZero() && !c.Now.Before(sv.ClosesAt) {
			// A draft whose closing date passed cannot be published; a
			// new date is the way out.
			kb = append(kb, []bot.Button{c.Button("survey.author.btn.new_date", flows.CB(cbAuthor, "ext", id))})
		}
	case storage.SurveyOpen:
		kb = append(kb,
			[]bot.Button{c.Button("survey.author.btn.links", flows.CB(cbAuthor, "links", id))},
			[]bot.Button{
				c.Button("survey.author.btn.close", flows.CB(cbAuthor, "close", id)),
				c.Button("survey.author.btn.extend", flows.CB(cbAuthor, "ext", id)),
			})
	case storage.SurveyClosed:
		kb = append(kb, []bot.Button{c.Button("survey.author.btn.reopen", flows.CB(cbAuthor, "ext", id))})
	}
	kb = append(kb, []bot.Button{c.Button("survey.author.btn.to_list", flows.CB(cbAuthor, "list", 1))})
	return text, kb, nil
}

// authorClassesText lists classes with headcounts under a total line.
func authorClassesText(c *flows.Context, classes []storage.SurveyClass) string {
	total := 0
	lines := make([]string, 0, len(classes)+1)
	for _, cl := range classes {
		total += cl.Headcount
	}
	lines = append(lines, c.L.N("survey.author.classes_total", len(classes), "Pupils", c.L.N("survey.author.pupils", total)))
	for _, cl := range classes {
		lines = append(lines, c.L.N("survey.author.class_line", cl.Headcount, "Name", cl.Name))
	}
	return strings.Join(lines, "\n")
}

// authorMinutes estimates how long answering takes, at about ten seconds
// a question, rounded up to whole minutes.
func authorMinutes(questions int) int {
	return max(1, (questions*10+59)/60)
}

// authorDay is the local date of t at 00:00 in the bot's zone.
func authorDay(c *flows.Context, t time.Time) time.Time {
	loc := c.L.Location()
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// authorClosing is when a survey closing on date d stops taking answers:
// the end of that day, local time, so "до 4 декабря" includes the 4th.
func authorClosing(c *flows.Context, d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 0, 0, c.L.Location())
}

// authorCheckDate refuses a closing date that is today or past (a survey
// needs at least a day of answers) or more than a year ahead.
func authorCheckDate(c *flows.Context, d time.Time) error {
	today := authorDay(c, c.Now)
	switch {
	case !d.After(today):
		return flows.Invalid("survey.author.date_too_early")
	case d.After(today.AddDate(0, 0, authorMaxDaysAhead)):
		return flows.Invalid("survey.author.date_too_far")
	}
	return nil
}

// authorQuickDates are the dates offered as buttons after base: a week, two
// weeks and the end of the month (of the next month when this one ends
// within a day), without repeats.
func authorQuickDates(base time.Time) []time.Time {
	week, two := base.AddDate(0, 0, 7), base.AddDate(0, 0, 14)
	eom := time.Date(base.Year(), base.Month()+1, 0, 0, 0, 0, 0, base.Location())
	if !eom.After(base.AddDate(0, 0, 1)) {
		eom = time.Date(base.Year(), base.Month()+2, 0, 0, 0, 0, 0, base.Location())
	}
	out := []time.Time{week, two}
	if !eom.Equal(week) && !eom.Equal(two) {
		out = append(out, eom)
	}
	return out
}

// authorDateLabels are the locale ids of the quick date buttons, in the
// order of authorQuickDates.
var authorDateLabels = []string{"survey.author.btn.week", "survey.author.btn.two_weeks", "survey.author.btn.month_end"}

// authorText is the typed text of a step, or an error for a photo, a file
// or a sticker.
func authorText(c *flows.Context) (string, error) {
	if c.Update.Document != nil || c.Update.Photo != nil || strings.TrimSpace(c.Update.Text) == "" {
		return "", flows.Invalid("survey.author.text_expected")
	}
	return c.Update.Text, nil
}

// authorAudienceArg maps an audience to its callback number and back.
func authorAudienceArg(a storage.Audience) int64 {
	if a == storage.AudienceStudents {
		return audStudents
	}
	return audParents
}

func authorAudienceOf(n int64) (storage.Audience, bool) {
	switch n {
	case audParents:
		return storage.AudienceParents, true
	case audStudents:
		return storage.AudienceStudents, true
	}
	return "", false
}

// authorInt reads a numeric session value; ok is false when it is absent.
func authorInt(c *flows.Context, key string) (int64, bool) {
	s := c.Get(key)
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// authorSessionLost returns the person to their menu when a step's session
// values are missing: an error would keep them in the step, answering every
// message with the same notice.
func authorSessionLost(c *flows.Context) (flows.Next, error) {
	c.ReplyMenu(c.T("common.session_lost"))
	return flows.End(), nil
}
