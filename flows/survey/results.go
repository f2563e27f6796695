package survey

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/locales"
	"smkbot/storage"
)

// Results: the surveys a person may read, the results of one (whole, or of
// a class), charts, the spreadsheet, the comparison with the previous run
// and the association's side-by-side view of schools. Browsing needs no
// step: each press stands on its own and is re-authorised against the
// survey it names.
//
// Callback data (flow cbResults):
//
//	svr:list:<page>             a page of the survey list
//	svr:open:<survey>           the results of a survey
//	svr:classes:<survey>        the classes that may be shown apart
//	svr:class:<survey>.<class>  the results of one class
//	svr:charts:<survey>         PNG charts
//	svr:xlsx:<survey>           the XLSX export
//	svr:cmp:<survey>            the change since the previous run
//	svr:schools:<template key>  the association's view of one template
//	svr:task:<survey>.<q>       an improvement task from question q (0-based)

// Limits of what the results show in the chat.
const (
	// resPageSize is how many surveys a page of the list shows.
	resPageSize = 8
	// resMaxTexts is how many free-text answers a question lists in the
	// chat; the spreadsheet has them all.
	resMaxTexts = 15
	// resTextClip cuts a long free-text answer in the chat.
	resTextClip = 300
	// resButtonClip cuts a survey title on a button.
	resButtonClip = 48
)

func (f *Flow) registerResults(r *flows.Router) {
	r.Menu(flows.MenuItem{Label: "survey.results.menu", Help: "survey.results.menu_help",
		Perm: flows.ViewSurveyResults, Handler: f.resMenu})
	r.Menu(flows.MenuItem{Label: "survey.results.schools_menu", Help: "survey.results.schools_help",
		Perm: flows.CompareSchools, Handler: f.resSchoolsMenu})
	r.Callback(cbResults, "list", flows.ViewSurveyResults, f.resListPage)
	r.Callback(cbResults, "open", flows.ViewSurveyResults, f.resOpen)
	r.Callback(cbResults, "classes", flows.ViewSurveyResults, f.resClasses)
	r.Callback(cbResults, "class", flows.ViewSurveyResults, f.resClass)
	r.Callback(cbResults, "charts", flows.ViewSurveyResults, f.resCharts)
	r.Callback(cbResults, "xlsx", flows.ViewSurveyResults, f.resXLSX)
	r.Callback(cbResults, "cmp", flows.ViewSurveyResults, f.resCompare)
	r.Callback(cbResults, "schools", flows.CompareSchools, f.resSchools)
	r.Callback(cbResults, "task", flows.ViewSurveyResults, f.resTask)
	f.registerResultReminders(r)
}

// resArgs reads a callback argument of exactly n numbers; anything else is
// a button not of our making.
func resArgs(c *flows.Context, n int) ([]int64, error) {
	ids, err := flows.ArgInts(c.Callback.Arg)
	if err != nil || len(ids) != n {
		return nil, flows.ErrStale
	}
	return ids, nil
}

// resSurvey loads the survey a button names and checks that the actor may
// read its results now: an unknown survey or a draft (it has no results,
// and its buttons never existed) is stale; another school's survey, or an
// association-wide one for a school's quality manager, is forbidden.
func (f *Flow) resSurvey(ctx context.Context, c *flows.Context, id int64) (storage.Survey, []storage.SurveyClass, error) {
	sv, classes, err := f.Store.FindSurveyByID(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return sv, nil, flows.ErrStale
	}
	if err != nil {
		return sv, nil, fmt.Errorf("survey: results of %d: %w", id, err)
	}
	if !c.Actor.CanIn(flows.ViewSurveyResults, sv.OrgID) {
		return sv, nil, flows.ErrForbidden
	}
	if sv.Status == storage.SurveyDraft {
		return sv, nil, flows.ErrStale
	}
	return sv, classes, nil
}

// resResults counts the survey's answers.
func (f *Flow) resResults(ctx context.Context, sv storage.Survey) (storage.Results, error) {
	res, err := f.Store.SurveyResults(ctx, sv.ID)
	if err != nil {
		return res, fmt.Errorf("survey: results of %d: %w", sv.ID, err)
	}
	return res, nil
}

// resOrgName names the survey's school, or the association for an
// association-wide survey.
func (f *Flow) resOrgName(ctx context.Context, l *locales.Localizer, orgID int64) (string, error) {
	if orgID == 0 {
		return l.T("survey.results.association"), nil
	}
	o, err := f.Store.FindOrganisationByID(ctx, orgID)
	if errors.Is(err, storage.ErrNotFound) {
		return l.T("survey.results.unknown_org"), nil
	}
	if err != nil {
		return "", fmt.Errorf("survey: organisation %d: %w", orgID, err)
	}
	return resShortName(o), nil
}

func resShortName(o storage.Organisation) string {
	if o.ShortName != "" {
		return o.ShortName
	}
	return o.Name
}

// resMenu shows the first page of the surveys the actor may read.
func (f *Flow) resMenu(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text, kb, err := f.resList(ctx, c, 1)
	if err != nil {
		return flows.End(), err
	}
	c.Reply(text, kb)
	return flows.End(), nil
}

// resListPage turns the list: svr:list:<page>.
func (f *Flow) resListPage(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := resArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.resList(ctx, c, ids[0])
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// resVisibleSurveys returns the published surveys in the actor's scope,
// newest first: every survey for association-wide roles, their schools'
// for a quality manager.
func (f *Flow) resVisibleSurveys(ctx context.Context, a *flows.Actor) ([]storage.Survey, error) {
	all, orgIDs := a.Scope(flows.ViewSurveyResults)
	var surveys []storage.Survey
	if all {
		list, err := f.Store.ListSurveys(ctx, 0)
		if err != nil {
			return nil, fmt.Errorf("survey: list surveys: %w", err)
		}
		surveys = list
	}
	for _, id := range orgIDs {
		if id == 0 {
			continue // ListSurveys reads 0 as every school
		}
		list, err := f.Store.ListSurveys(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("survey: list surveys of %d: %w", id, err)
		}
		surveys = append(surveys, list...)
	}
	surveys = slices.DeleteFunc(surveys, func(s storage.Survey) bool { return s.Status == storage.SurveyDraft })
	slices.SortFunc(surveys, func(a, b storage.Survey) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	// A person with the right in two schools of one survey list sees it once.
	return slices.CompactFunc(surveys, func(a, b storage.Survey) bool { return a.ID == b.ID }), nil
}

func (f *Flow) resList(ctx context.Context, c *flows.Context, page int64) (string, bot.Keyboard, error) {
	surveys, err := f.resVisibleSurveys(ctx, c.Actor)
	if err != nil {
		return "", nil, err
	}
	if len(surveys) == 0 {
		return c.T("survey.results.list_empty"), nil, nil
	}
	orgs, err := f.Store.ListOrganisations(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("survey: list organisations: %w", err)
	}
	names := make(map[int64]string, len(orgs))
	for _, o := range orgs {
		names[o.ID] = resShortName(o)
	}
	from, to, p, count := flows.Pages(int64(len(surveys)), resPageSize, page)

	var kb bot.Keyboard
	for _, s := range surveys[from:to] {
		org := c.T("survey.results.association")
		if s.OrgID != 0 {
			org = cmp.Or(names[s.OrgID], c.T("survey.results.unknown_org"))
		}
		id := "survey.results.item_open"
		if s.Status == storage.SurveyClosed {
			id = "survey.results.item_closed"
		}
		label := c.T(id, "Title", resClip(s.Title, resButtonClip), "Org", org, "Date", c.L.DayMonth(s.OpensAt))
		kb = append(kb, []bot.Button{{Text: label, Data: flows.CB(cbResults, "open", s.ID)}})
	}
	if nav := c.PageNav(p, count, func(n int64) string { return flows.CB(cbResults, "list", n) }); nav != nil {
		kb = append(kb, nav)
	}
	return c.L.N("survey.results.list", len(surveys)) + c.PageLine(p, count), kb, nil
}

// resOpen shows a survey's results: svr:open:<survey>.
func (f *Flow) resOpen(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := resArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	sv, _, err := f.resSurvey(ctx, c, ids[0])
	if err != nil {
		return flows.Stay(), err
	}
	res, err := f.resResults(ctx, sv)
	if err != nil {
		return flows.Stay(), err
	}
	org, err := f.resOrgName(ctx, c.L, sv.OrgID)
	if err != nil {
		return flows.Stay(), err
	}
	// A new message rather than an edit of the list: results can run over
	// one message, and the list stays to pick the next survey.
	kb := append(resButtons(c.L, sv, res), f.resTaskButtons(c, sv, res)...)
	c.Reply(resText(c.L, sv, org, res, ""), kb)
	return flows.Stay(), nil
}

// resButtons are the actions under a survey's results. A survey with too
// few responses has none: each of them would break the group out.
func resButtons(l *locales.Localizer, sv storage.Survey, res storage.Results) bot.Keyboard {
	if res.Responses < MinGroup {
		return nil
	}
	btn := func(label, action string) bot.Button {
		return bot.Button{Text: l.T(label), Data: flows.CB(cbResults, action, sv.ID)}
	}
	kb := bot.Keyboard{{btn("survey.results.btn.charts", "charts"), btn("survey.results.btn.xlsx", "xlsx")}}
	var row []bot.Button
	if resBreakable(res) {
		row = append(row, btn("survey.results.btn.classes", "classes"))
	}
	if sv.TemplateKey != "" {
		row = append(row, btn("survey.results.btn.compare", "cmp"))
	}
	if row != nil {
		kb = append(kb, row)
	}
	return kb
}

// resBreakable reports whether some class has enough responses to be
// shown apart.
func resBreakable(res storage.Results) bool {
	return slices.ContainsFunc(res.Classes, func(c storage.ClassResult) bool { return c.Responses >= MinGroup })
}

// resClasses lists the classes whose results may be shown apart:
// svr:classes:<survey>.
func (f *Flow) resClasses(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := resArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	sv, _, err := f.resSurvey(ctx, c, ids[0])
	if err != nil {
		return flows.Stay(), err
	}
	res, err := f.resResults(ctx, sv)
	if err != nil {
		return flows.Stay(), err
	}
	var kb bot.Keyboard
	var row []bot.Button
	for _, cl := range res.Classes {
		if cl.Responses < MinGroup {
			continue
		}
		row = append(row, bot.Button{
			Text: c.T("survey.results.class_btn", "Class", cl.Name, "Count", cl.Responses),
			Data: flows.CB(cbResults, "class", fmt.Sprintf("%d.%d", sv.ID, cl.ClassID)),
		})
		if len(row) == 3 {
			kb, row = append(kb, row), nil
		}
	}
	if row != nil {
		kb = append(kb, row)
	}
	if kb == nil {
		c.Notice(c.L.N("survey.results.no_classes", MinGroup))
		return flows.Stay(), nil
	}
	c.Reply(c.L.N("survey.results.classes", MinGroup, "Title", sv.Title), kb)
	return flows.Stay(), nil
}

// resClass shows the results of one class: svr:class:<survey>.<class>.
// A class below the group size is refused even when the button is forged.
func (f *Flow) resClass(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := resArgs(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	sv, _, err := f.resSurvey(ctx, c, ids[0])
	if err != nil {
		return flows.Stay(), err
	}
	res, err := f.Store.ClassResults(ctx, sv.ID, ids[1])
	if errors.Is(err, storage.ErrNotFound) {
		return flows.Stay(), flows.ErrStale
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("survey: results of %d class %d: %w", sv.ID, ids[1], err)
	}
	if res.Responses < MinGroup || len(res.Classes) != 1 {
		c.Notice(c.L.N("survey.results.class_too_few", MinGroup))
		return flows.Stay(), nil
	}
	org, err := f.resOrgName(ctx, c.L, sv.OrgID)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(resText(c.L, sv, org, res, res.Classes[0].Name), nil)
	return flows.Stay(), nil
}

// resText writes the results of a survey (of one class when class is not
// ""): the header, responses per class against headcount, and each
// question. Below MinGroup responses it gives the counts only and says
// why. Paragraphs are apart, so the Sender splits a long text between them.
func resText(l *locales.Localizer, sv storage.Survey, org string, res storage.Results, class string) string {
	var parts []string
	if class == "" {
		parts = append(parts, l.T("survey.results.title", "Title", sv.Title, "Org", org))
	} else {
		parts = append(parts, l.T("survey.results.class_title", "Title", sv.Title, "Org", org, "Class", class))
	}
	parts = append(parts, resStatus(l, sv))
	parts = append(parts, resRates(l, res))
	if res.Responses < MinGroup {
		parts = append(parts, l.N("survey.results.too_few", MinGroup, "Have", res.Responses))
		return strings.Join(parts, "\n\n")
	}
	stats := resStats(sv, res)
	if idx, ok := resOverall(stats); ok {
		parts = append(parts, l.T("survey.results.overall", "Index", resPercent(idx)))
	}
	for _, st := range stats {
		parts = append(parts, resQuestionText(l, st))
	}
	if class == "" && slices.ContainsFunc(res.Classes, func(c storage.ClassResult) bool { return c.Responses < MinGroup }) {
		parts = append(parts, l.N("survey.results.small_classes", MinGroup))
	}
	return strings.Join(parts, "\n\n")
}

// resStatus says whether the survey is open and its dates.
func resStatus(l *locales.Localizer, sv storage.Survey) string {
	switch {
	case sv.Status == storage.SurveyClosed:
		return l.T("survey.results.status_closed", "Opened", l.Date(sv.OpensAt), "Closed", l.DateTime(sv.ClosedAt))
	case sv.ClosesAt.IsZero():
		return l.T("survey.results.status_open_nodate", "Opened", l.Date(sv.OpensAt))
	}
	return l.T("survey.results.status_open", "Opened", l.Date(sv.OpensAt), "Closes", l.DateTime(sv.ClosesAt))
}

// resRates lists the responses per class against headcount, and the total.
// Counts alone identify nobody, so they are shown for every class.
func resRates(l *locales.Localizer, res storage.Results) string {
	lines := []string{l.T("survey.results.rates_head")}
	head := 0
	for _, c := range res.Classes {
		head += c.Headcount
		lines = append(lines, l.T("survey.results.rate_line", "Class", c.Name, "Count", c.Responses,
			"Of", c.Headcount, "Rate", resPercent(resRate(c.Responses, c.Headcount))))
	}
	if len(res.Classes) > 1 {
		lines = append(lines, l.T("survey.results.rate_total", "Count", res.Responses,
			"Of", head, "Rate", resPercent(resRate(res.Responses, head))))
	}
	return strings.Join(lines, "\n")
}

// resQuestionText is one question's paragraph.
func resQuestionText(l *locales.Localizer, st resStat) string {
	head := l.T("survey.results.q_head", "N", st.Index+1, "Text", st.Q.Text)
	switch {
	case st.Answered == 0:
		return head + "\n" + l.T("survey.results.q_none")
	case !st.shown():
		return head + "\n" + l.N("survey.results.q_few", st.Answered, "Min", MinGroup)
	}
	lines := []string{head}
	switch st.Q.Kind {
	case storage.QuestionScale:
		lines = append(lines, l.T("survey.results.q_scale", "Answered", st.Answered,
			"Mean", resDecimal(st.Mean), "Index", resPercent(st.Sat)))
	case storage.QuestionYesNo:
		lines = append(lines, l.T("survey.results.q_yesno", "Answered", st.Answered,
			"Yes", resPercent(st.Share(1)), "No", resPercent(st.Share(0))))
	case storage.QuestionSingle, storage.QuestionMulti:
		id := "survey.results.q_single"
		if st.Q.Kind == storage.QuestionMulti {
			id = "survey.results.q_multi"
		}
		lines = append(lines, l.T(id, "Answered", st.Answered))
		for i, o := range st.Q.Options {
			lines = append(lines, l.T("survey.results.q_option", "Option", o, "Share", resPercent(st.Share(i))))
		}
	case storage.QuestionText:
		lines = append(lines, l.N("survey.results.q_texts", st.Answered))
		for _, t := range st.Texts[:min(len(st.Texts), resMaxTexts)] {
			lines = append(lines, l.T("survey.results.q_text", "Text", resClip(strings.Join(strings.Fields(t), " "), resTextClip)))
		}
		if rest := len(st.Texts) - resMaxTexts; rest > 0 {
			lines = append(lines, l.N("survey.results.q_texts_more", rest))
		}
	}
	return strings.Join(lines, "\n")
}
