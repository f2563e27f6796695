package survey

import (
	"context"
	"fmt"
	"strings"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/report"
	"smkbot/locales"
	"smkbot/storage"
)

// resHeaderClip cuts a question's text in a column header; the summary
// sheet has the whole text.
const resHeaderClip = 60

// resXLSX sends the results as a workbook: svr:xlsx:<survey>.
func (f *Flow) resXLSX(ctx context.Context, c *flows.Context) (flows.Next, error) {
	sv, res, ok, err := f.resEnough(ctx, c)
	if !ok || err != nil {
		return flows.Stay(), err
	}
	rows, err := f.Store.SurveyAnswerRows(ctx, sv.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("survey: export of %d: %w", sv.ID, err)
	}
	org, err := f.resOrgName(ctx, c.L, sv.OrgID)
	if err != nil {
		return flows.Stay(), err
	}
	data, err := resWorkbook(c.L, sv, res, rows)
	if err != nil {
		return flows.Stay(), err
	}
	name := resFileName(c.T("survey.results.xlsx_name", "Org", org, "Date", sv.OpensAt.In(c.L.Location()).Format("2006-01-02")))
	c.Send(bot.Document{ChatID: c.Chat(), Name: name, Data: data,
		Caption: c.L.N("survey.results.xlsx_caption", res.Responses, "Title", resClip(sv.Title, 200))})
	return flows.Stay(), nil
}

// resFileName makes a file name safe on every system people open it on.
func resFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < ' ' {
			return '_'
		}
		return r
	}, s)
}

// resWorkbook writes three sheets: the summary per question, the
// responses per class, and the anonymised raw answers.
func resWorkbook(l *locales.Localizer, sv storage.Survey, res storage.Results, rows []storage.AnswerRow) ([]byte, error) {
	stats := resStats(sv, res)
	summary := report.Sheet{
		Name: l.T("survey.results.sheet_summary"),
		Header: []string{l.T("survey.results.col_n"), l.T("survey.results.col_question"), l.T("survey.results.col_group"),
			l.T("survey.results.col_answered"), l.T("survey.results.col_mean"), l.T("survey.results.col_index"),
			l.T("survey.results.col_distribution")},
		Widths: []float64{5, 60, 20, 10, 10, 10, 60},
	}
	for _, st := range stats {
		var mean, index, dist any
		if st.shown() {
			if st.HasIndex {
				mean, index = resRound1(st.Mean), resRound1(st.Sat)
			}
			if d := resDistribution(l, st); d != "" {
				dist = d
			}
		}
		summary.Rows = append(summary.Rows, []any{st.Index + 1, st.Q.Text, st.Q.Group, st.Answered, mean, index, dist})
	}
	if idx, ok := resOverall(stats); ok {
		summary.Rows = append(summary.Rows, []any{nil, l.T("survey.results.col_overall"), nil, res.Responses, nil, resRound1(idx), nil})
	}

	classes := report.Sheet{
		Name: l.T("survey.results.sheet_classes"),
		Header: []string{l.T("survey.results.col_class"), l.T("survey.results.col_headcount"),
			l.T("survey.results.col_responses"), l.T("survey.results.col_rate")},
	}
	head := 0
	for _, c := range res.Classes {
		head += c.Headcount
		classes.Rows = append(classes.Rows, []any{c.Name, c.Headcount, c.Responses, resRound1(resRate(c.Responses, c.Headcount))})
	}
	classes.Rows = append(classes.Rows, []any{l.T("survey.results.col_total"), head, res.Responses, resRound1(resRate(res.Responses, head))})

	return report.XLSX(summary, classes, resRawSheet(l, sv, res, rows))
}

// resRawSheet is one row per response, in the random order the store
// gives. A class below the group size is not named: its rows are marked as
// "other classes" together, and when those together are still fewer than
// MinGroup the class column is left out altogether, since naming the
// others would point at them.
func resRawSheet(l *locales.Localizer, sv storage.Survey, res storage.Results, rows []storage.AnswerRow) report.Sheet {
	small := map[int64]bool{}
	smallTotal := 0
	for _, c := range res.Classes {
		if c.Responses < MinGroup {
			small[c.ClassID] = true
			smallTotal += c.Responses
		}
	}
	withClass := smallTotal == 0 || smallTotal >= MinGroup
	s := report.Sheet{Name: l.T("survey.results.sheet_raw")}
	if withClass {
		s.Header = append(s.Header, l.T("survey.results.col_class"))
	}
	for i, q := range sv.Questions {
		s.Header = append(s.Header, l.T("survey.results.col_q", "N", i+1, "Text", resClip(q.Text, resHeaderClip)))
	}
	yes, no := l.T("survey.results.yes"), l.T("survey.results.no")
	for _, r := range rows {
		var row []any
		if withClass {
			name := r.Class
			if small[r.ClassID] {
				name = l.T("survey.results.other_classes")
			}
			row = append(row, name)
		}
		for i, q := range sv.Questions {
			a, ok := r.Answers[i]
			if !ok {
				row = append(row, nil)
				continue
			}
			row = append(row, resCell(q, a, yes, no))
		}
		s.Rows = append(s.Rows, row)
	}
	return s
}

// resCell writes one answer as a spreadsheet cell: a number for a scale,
// words for the rest.
func resCell(q storage.Question, a storage.Answer, yes, no string) any {
	switch q.Kind {
	case storage.QuestionScale:
		if a.Value != nil {
			return *a.Value
		}
	case storage.QuestionYesNo:
		if a.Value != nil {
			if *a.Value == 1 {
				return yes
			}
			return no
		}
	case storage.QuestionSingle:
		if a.Value != nil && *a.Value >= 0 && *a.Value < len(q.Options) {
			return q.Options[*a.Value]
		}
	case storage.QuestionMulti:
		var chosen []string
		for _, o := range a.Choices {
			if o >= 0 && o < len(q.Options) {
				chosen = append(chosen, q.Options[o])
			}
		}
		if chosen != nil {
			return strings.Join(chosen, "; ")
		}
	case storage.QuestionText:
		if a.Text != "" {
			return a.Text
		}
	}
	return nil
}

// resDistribution writes a question's answers as counts with shares:
// "5: 8 (50%) · 4: 4 (25%) …" for a scale, options by name for choices.
func resDistribution(l *locales.Localizer, st resStat) string {
	var parts []string
	part := func(label string, i int) {
		parts = append(parts, l.T("survey.results.dist_part", "Label", label, "Count", st.Counts[i], "Share", resPercent(st.Share(i))))
	}
	switch st.Q.Kind {
	case storage.QuestionScale:
		for v := 5; v >= 1; v-- {
			part(fmt.Sprint(v), v-1)
		}
	case storage.QuestionYesNo:
		part(l.T("survey.results.yes"), 1)
		part(l.T("survey.results.no"), 0)
	case storage.QuestionSingle, storage.QuestionMulti:
		for i, o := range st.Q.Options {
			part(o, i)
		}
	}
	return strings.Join(parts, " · ")
}
