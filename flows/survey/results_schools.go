package survey

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/report"
	"smkbot/storage"
)

// resSchool is a member school in the association's view: its latest
// survey of the template with enough responses, if any.
type resSchool struct {
	Org       storage.Organisation
	Survey    storage.Survey
	Stats     []resStat
	Responses int // of Survey; of the latest survey tried when none had enough
	Index     float64
	HasIndex  bool
}

// resSchoolsMenu asks which template to compare schools by.
func (f *Flow) resSchoolsMenu(_ context.Context, c *flows.Context) (flows.Next, error) {
	var kb bot.Keyboard
	for _, t := range Templates() {
		label := t.Title
		if id := "survey.results.tpl." + t.Key; c.L.Has(id) {
			label = c.T(id)
		}
		kb = append(kb, []bot.Button{{Text: label, Data: flows.CB(cbResults, "schools", t.Key)}})
	}
	c.Reply(c.L.N("survey.results.schools_ask", MinGroup), kb)
	return flows.End(), nil
}

// resSchools compares the member schools by one template:
// svr:schools:<template key>. Only association-wide roles see every school.
func (f *Flow) resSchools(ctx context.Context, c *flows.Context) (flows.Next, error) {
	tpl, ok := TemplateByKey(c.Callback.Arg)
	if !ok {
		return flows.Stay(), flows.ErrStale
	}
	if !c.Actor.CanIn(flows.CompareSchools, 0) {
		return flows.Stay(), flows.ErrForbidden
	}
	schools, err := f.resSchoolList(ctx, tpl.Key)
	if err != nil {
		return flows.Stay(), err
	}
	if len(schools) == 0 {
		c.Say("survey.results.schools_no_members")
		return flows.Stay(), nil
	}
	// The best first, so the chart reads as a ranking; schools without
	// enough answers last, by name.
	slices.SortStableFunc(schools, func(a, b resSchool) int {
		if a.HasIndex != b.HasIndex {
			if a.HasIndex {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.Index, a.Index)
	})
	lines := []string{c.T("survey.results.schools_head", "Title", tpl.Title)}
	var ranked, few []string
	var bars []report.Bar
	for _, s := range schools {
		name := resShortName(s.Org)
		if !s.HasIndex {
			few = append(few, c.T("survey.results.schools_few_line", "Org", name, "Have", s.Responses))
			continue
		}
		bars = append(bars, report.Bar{Label: name, Value: s.Index})
		ranked = append(ranked, c.L.N("survey.results.schools_line", s.Responses, "Org", name,
			"Index", resPercent(s.Index), "Date", c.L.Date(s.Survey.OpensAt)))
	}
	if ranked != nil {
		lines = append(lines, strings.Join(ranked, "\n"))
	}
	if few != nil {
		lines = append(lines, c.L.N("survey.results.schools_few", MinGroup)+"\n"+strings.Join(few, "\n"))
	}
	if bars == nil {
		c.Reply(strings.Join(lines, "\n\n"), nil)
		return flows.Stay(), nil
	}
	lines = append(lines, c.T("survey.results.schools_note"))
	c.Reply(strings.Join(lines, "\n\n"), nil)
	png, err := report.BarChart(bars, resIndexOptions(c.T("survey.results.chart_schools", "Title", tpl.Title)))
	if err != nil {
		return flows.Stay(), fmt.Errorf("survey: schools chart: %w", err)
	}
	c.Send(bot.Photo{ChatID: c.Chat(), Name: "schools.png", Data: png})
	data, err := resSchoolsWorkbook(c, tpl, schools)
	if err != nil {
		return flows.Stay(), err
	}
	name := resFileName(c.T("survey.results.schools_xlsx_name", "Key", tpl.Key, "Date", c.Now.In(c.L.Location()).Format("2006-01-02")))
	c.Send(bot.Document{ChatID: c.Chat(), Name: name, Data: data})
	return flows.Stay(), nil
}

// resSchoolList finds, for every member school, its newest published
// survey of the template with at least MinGroup responses.
func (f *Flow) resSchoolList(ctx context.Context, key string) ([]resSchool, error) {
	orgs, err := f.Store.ListOrganisations(ctx)
	if err != nil {
		return nil, fmt.Errorf("survey: list organisations: %w", err)
	}
	var out []resSchool
	for _, o := range orgs {
		if o.Status != storage.OrgMember {
			continue
		}
		surveys, err := f.Store.ListSurveys(ctx, o.ID)
		if err != nil {
			return nil, fmt.Errorf("survey: surveys of %d: %w", o.ID, err)
		}
		s := resSchool{Org: o, Responses: -1}
		for _, sv := range surveys { // newest first
			if sv.TemplateKey != key || sv.Status == storage.SurveyDraft || sv.OrgID != o.ID {
				continue
			}
			res, err := f.Store.SurveyResults(ctx, sv.ID)
			if err != nil {
				return nil, fmt.Errorf("survey: results of %d: %w", sv.ID, err)
			}
			if s.Responses < 0 {
				s.Responses = res.Responses
			}
			if res.Responses < MinGroup {
				continue
			}
			s.Survey, s.Responses, s.Stats = sv, res.Responses, resStats(sv, res)
			s.Index, s.HasIndex = resOverall(s.Stats)
			break
		}
		s.Responses = max(s.Responses, 0)
		out = append(out, s)
	}
	return out, nil
}

// resSchoolsWorkbook writes one row per school: its survey, responses,
// overall index, and the index of each scale question of the template,
// matched by text (a school's survey keeps its own copy of the questions).
func resSchoolsWorkbook(c *flows.Context, tpl Template, schools []resSchool) ([]byte, error) {
	header := []string{c.T("survey.results.col_school"), c.T("survey.results.col_survey"), c.T("survey.results.col_date"),
		c.T("survey.results.col_responses"), c.T("survey.results.col_index")}
	var questions []string
	for _, q := range tpl.Questions {
		if q.Kind == storage.QuestionScale {
			questions = append(questions, q.Text)
			header = append(header, resClip(q.Text, resHeaderClip))
		}
	}
	sheet := report.Sheet{Name: c.T("survey.results.sheet_schools"), Header: header}
	for _, s := range schools {
		row := []any{resShortName(s.Org), nil, nil, s.Responses, nil}
		if s.HasIndex {
			row[1], row[2], row[4] = s.Survey.Title, s.Survey.OpensAt.In(c.L.Location()), resRound1(s.Index)
		}
		for _, text := range questions {
			var cell any
			for _, st := range s.Stats {
				if st.Q.Kind == storage.QuestionScale && st.Q.Text == text && st.HasIndex && st.shown() {
					cell = resRound1(st.Sat)
					break
				}
			}
			row = append(row, cell)
		}
		sheet.Rows = append(sheet.Rows, row)
	}
	data, err := report.XLSX(sheet)
	if err != nil {
		return nil, fmt.Errorf("survey: schools workbook: %w", err)
	}
	return data, nil
}
