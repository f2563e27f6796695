package survey

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/report"
	"smkbot/locales"
	"smkbot/storage"
)

// resChart is a rendered chart and the file name it is sent under.
type resChart struct {
	Name string
	PNG  []byte
}

// resIndexOptions draw a satisfaction index: shares of 0–100%.
func resIndexOptions(title string) report.ChartOptions {
	return report.ChartOptions{Title: title, Max: 100, Unit: "%"}
}

// resScaleShown are the scale questions answered by enough people to be
// drawn.
func resScaleShown(stats []resStat) []resStat {
	var out []resStat
	for _, st := range stats {
		if st.Q.Kind == storage.QuestionScale && st.HasIndex && st.shown() {
			out = append(out, st)
		}
	}
	return out
}

// resSurveyCharts renders the charts of a survey's results: one bar chart
// of the index per question for each question group (in the order the
// groups first appear), the summary of the index per question, and the
// distribution of the scale answers. It returns no charts when no scale
// question has enough answers.
func resSurveyCharts(l *locales.Localizer, stats []resStat) ([]resChart, error) {
	scales := resScaleShown(stats)
	if len(scales) == 0 {
		return nil, nil
	}
	var groups []string
	byGroup := map[string][]report.Bar{}
	for _, st := range scales {
		g := st.Q.Group
		if g == "" {
			g = l.T("survey.results.no_group")
		}
		if _, ok := byGroup[g]; !ok {
			groups = append(groups, g)
		}
		byGroup[g] = append(byGroup[g], report.Bar{Label: st.Q.Text, Value: st.Sat})
	}
	var out []resChart
	for i, g := range groups {
		png, err := report.BarChart(byGroup[g], resIndexOptions(l.T("survey.results.chart_group", "Group", g)))
		if err != nil {
			return nil, fmt.Errorf("survey: group chart: %w", err)
		}
		out = append(out, resChart{Name: fmt.Sprintf("group-%d.png", i+1), PNG: png})
	}
	png, err := resSummaryChart(l, scales)
	if err != nil {
		return nil, err
	}
	out = append(out, resChart{Name: "index.png", PNG: png})

	labels := make([]string, len(scales))
	series := make([]report.Series, 5)
	for v := range series {
		series[v] = report.Series{Name: l.T("survey.results.chart_score", "N", v+1), Values: make([]float64, len(scales))}
	}
	for i, st := range scales {
		labels[i] = st.Q.Text
		for v := range series {
			series[v].Values[i] = st.Share(v)
		}
	}
	png, err = report.StackedBarChart(labels, series, report.ChartOptions{
		Title: l.T("survey.results.chart_distribution"), Max: 100, Unit: "%", Ordered: true,
	})
	if err != nil {
		return nil, fmt.Errorf("survey: distribution chart: %w", err)
	}
	out = append(out, resChart{Name: "distribution.png", PNG: png})
	return out, nil
}

// resSummaryChart draws the index of each scale question.
func resSummaryChart(l *locales.Localizer, scales []resStat) ([]byte, error) {
	bars := make([]report.Bar, len(scales))
	for i, st := range scales {
		bars[i] = report.Bar{Label: st.Q.Text, Value: st.Sat}
	}
	png, err := report.BarChart(bars, resIndexOptions(l.T("survey.results.chart_summary")))
	if err != nil {
		return nil, fmt.Errorf("survey: summary chart: %w", err)
	}
	return png, nil
}

// resPhotos sends charts as albums of up to ten photos (one request, one
// message slot per chat), a lone chart as a photo.
func resPhotos(chatID int64, charts []resChart) []bot.Message {
	var out []bot.Message
	for len(charts) > 0 {
		n := min(len(charts), 10)
		part := charts[:n]
		charts = charts[n:]
		if len(part) == 1 {
			out = append(out, bot.Photo{ChatID: chatID, Name: part[0].Name, Data: part[0].PNG})
			continue
		}
		album := bot.Album{ChatID: chatID}
		for _, c := range part {
			album.Photos = append(album.Photos, bot.Photo{ChatID: chatID, Name: c.Name, Data: c.PNG})
		}
		out = append(out, album)
	}
	return out
}

// resEnough loads a survey's results for an action that shows answers,
// refusing (with a notice) a survey below the group size: a press from an
// old message, when the button was never offered, or a forged one.
func (f *Flow) resEnough(ctx context.Context, c *flows.Context) (storage.Survey, storage.Results, bool, error) {
	ids, err := resArgs(c, 1)
	if err != nil {
		return storage.Survey{}, storage.Results{}, false, err
	}
	sv, _, err := f.resSurvey(ctx, c, ids[0])
	if err != nil {
		return sv, storage.Results{}, false, err
	}
	res, err := f.resResults(ctx, sv)
	if err != nil {
		return sv, res, false, err
	}
	if res.Responses < MinGroup {
		c.Notice(c.L.N("survey.results.too_few_short", MinGroup))
		return sv, res, false, nil
	}
	return sv, res, true, nil
}

// resCharts sends the charts of a survey: svr:charts:<survey>.
func (f *Flow) resCharts(ctx context.Context, c *flows.Context) (flows.Next, error) {
	sv, res, ok, err := f.resEnough(ctx, c)
	if !ok || err != nil {
		return flows.Stay(), err
	}
	charts, err := resSurveyCharts(c.L, resStats(sv, res))
	if err != nil {
		return flows.Stay(), err
	}
	if len(charts) == 0 {
		c.Notice(c.T("survey.results.no_charts"))
		return flows.Stay(), nil
	}
	c.Say("survey.results.charts_intro", "Title", sv.Title)
	for _, m := range resPhotos(c.Chat(), charts) {
		c.Send(m)
	}
	return flows.Stay(), nil
}

// resCompare shows the change of index per question since the previous
// run of the same template at the same school: svr:cmp:<survey>.
// Questions are matched by place and text, so a reworded question is not
// compared with what it used to ask.
func (f *Flow) resCompare(ctx context.Context, c *flows.Context) (flows.Next, error) {
	sv, res, ok, err := f.resEnough(ctx, c)
	if !ok || err != nil {
		return flows.Stay(), err
	}
	prev, err := f.Store.PreviousSurvey(ctx, sv)
	if errors.Is(err, storage.ErrNotFound) {
		c.Say("survey.results.cmp_none")
		return flows.Stay(), nil
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("survey: previous of %d: %w", sv.ID, err)
	}
	// The previous run is a survey of the same school: the right to this
	// one covers it, but it is checked all the same.
	if !c.Actor.CanIn(flows.ViewSurveyResults, prev.OrgID) {
		return flows.Stay(), flows.ErrForbidden
	}
	prevRes, err := f.resResults(ctx, prev)
	if err != nil {
		return flows.Stay(), err
	}
	prevWhen, nowWhen := c.L.Date(prev.OpensAt), c.L.Date(sv.OpensAt)
	if prevRes.Responses < MinGroup {
		c.Say("survey.results.cmp_prev_few", "Date", prevWhen, "Have", prevRes.Responses, "Min", MinGroup)
		return flows.Stay(), nil
	}
	cur, old := resStats(sv, res), resStats(prev, prevRes)
	var labels []string
	before := report.Series{Name: prevWhen}
	after := report.Series{Name: nowWhen}
	lines := []string{c.T("survey.results.cmp_head", "Title", sv.Title, "Prev", prevWhen, "Now", nowWhen)}
	for i, st := range cur {
		if i >= len(old) {
			break
		}
		p := old[i]
		if st.Q.Kind != storage.QuestionScale || p.Q.Kind != storage.QuestionScale || p.Q.Text != st.Q.Text ||
			!st.HasIndex || !p.HasIndex || !st.shown() || !p.shown() {
			continue
		}
		labels = append(labels, st.Q.Text)
		before.Values = append(before.Values, p.Sat)
		after.Values = append(after.Values, st.Sat)
		lines = append(lines, c.T("survey.results.cmp_line", "N", i+1, "Text", st.Q.Text,
			"Prev", resPercent(p.Sat), "Now", resPercent(st.Sat), "Delta", resSigned(st.Sat-p.Sat)))
	}
	if len(labels) == 0 {
		c.Say("survey.results.cmp_nothing", "Date", prevWhen)
		return flows.Stay(), nil
	}
	if a, ok := resOverall(cur); ok {
		if b, ok := resOverall(old); ok {
			lines = append(lines, c.T("survey.results.cmp_overall", "Prev", resPercent(b), "Now", resPercent(a), "Delta", resSigned(a-b)))
		}
	}
	c.Reply(strings.Join(lines, "\n\n"), nil)
	png, err := report.GroupedBarChart(labels, []report.Series{before, after}, resIndexOptions(c.T("survey.results.chart_compare")))
	if err != nil {
		return flows.Stay(), fmt.Errorf("survey: compare chart: %w", err)
	}
	c.Send(bot.Photo{ChatID: c.Chat(), Name: "compare.png", Data: png})
	return flows.Stay(), nil
}
