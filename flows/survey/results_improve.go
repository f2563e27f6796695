package survey

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// Improvement tasks: under a school survey's results, a quality manager who
// runs the school's programme gets one button per scale question with a low
// index (the lowest few), which begins a task in the programme with the
// title and a description citing the survey filled in. The task itself is
// the tasks flow's, reached through flows.TaskDrafts.

const (
	// resLowIndex is the satisfaction index, in percent, below which a
	// question is offered as an improvement task.
	resLowIndex = 60.0
	// resMaxTaskButtons is how many questions a results message offers.
	resMaxTaskButtons = 3
	// resTaskClip cuts a question's text on its button.
	resTaskClip = 40
	// resTaskTitleClip cuts a question's text in the task's title.
	resTaskTitleClip = 150
)

// resMayTask reports whether the actor may make tasks of the survey's
// questions: the tasks capability exists, the survey is a school's, and the
// actor runs that school's programme.
func (f *Flow) resMayTask(c *flows.Context, sv storage.Survey) bool {
	return f.Tasks != nil && sv.OrgID != 0 && c.Actor.CanIn(flows.ManageTasks, sv.OrgID)
}

// resLow reports whether a question's results call for an improvement
// task: a scale question answered by at least MinGroup people with an
// index below resLowIndex.
func resLow(st resStat) bool {
	return st.Q.Kind == storage.QuestionScale && st.HasIndex && st.shown() && st.Sat < resLowIndex
}

// resTaskButtons are the improvement-task buttons under a survey's results,
// the lowest index first; none when the actor may not make tasks or the
// survey has too few responses.
func (f *Flow) resTaskButtons(c *flows.Context, sv storage.Survey, res storage.Results) bot.Keyboard {
	if res.Responses < MinGroup || !f.resMayTask(c, sv) {
		return nil
	}
	low := slices.DeleteFunc(resStats(sv, res), func(st resStat) bool { return !resLow(st) })
	slices.SortStableFunc(low, func(a, b resStat) int {
		return cmp.Or(cmp.Compare(a.Sat, b.Sat), cmp.Compare(a.Index, b.Index))
	})
	var kb bot.Keyboard
	for _, st := range low[:min(len(low), resMaxTaskButtons)] {
		kb = append(kb, []bot.Button{{
			Text: c.T("survey.improve.btn", "Question", resClip(st.Q.Text, resTaskClip)),
			Data: flows.CB(cbResults, "task", fmt.Sprintf("%d.%d", sv.ID, st.Index)),
		}})
	}
	return kb
}

// resTask begins an improvement task from a question:
// svr:task:<survey>.<question>. The survey, the right to run the school's
// programme and the question's index are checked again: the results may
// have changed since the button was drawn.
func (f *Flow) resTask(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := resArgs(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	sv, _, err := f.resSurvey(ctx, c, ids[0])
	if err != nil {
		return flows.Stay(), err
	}
	switch {
	case f.Tasks == nil || sv.OrgID == 0:
		// Not a button of this bot: none is drawn for these.
		return flows.Stay(), flows.ErrStale
	case !c.Actor.CanIn(flows.ManageTasks, sv.OrgID):
		return flows.Stay(), flows.ErrForbidden
	case ids[1] < 0 || ids[1] >= int64(len(sv.Questions)):
		return flows.Stay(), flows.ErrStale
	}
	res, err := f.resResults(ctx, sv)
	if err != nil {
		return flows.Stay(), err
	}
	st := resStats(sv, res)[ids[1]]
	if st.Q.Kind != storage.QuestionScale {
		return flows.Stay(), flows.ErrStale
	}
	if res.Responses < MinGroup || !resLow(st) {
		c.Notice(c.T("survey.improve.not_low", "Min", resPercent(resLowIndex)))
		return flows.Stay(), nil
	}
	org, err := f.resOrgName(ctx, c.L, sv.OrgID)
	if err != nil {
		return flows.Stay(), err
	}
	title := c.T("survey.improve.title", "Question", resClip(st.Q.Text, resTaskTitleClip))
	desc := c.T("survey.improve.description",
		"Survey", sv.Title, "Org", org, "Date", c.L.Date(c.Now),
		"N", st.Index+1, "Question", st.Q.Text,
		"Index", resPercent(st.Sat), "Mean", resDecimal(st.Mean), "Answered", st.Answered)
	c.Reply(c.T("survey.improve.intro", "Description", desc), nil)
	return f.Tasks.StartTaskDraft(ctx, c, sv.OrgID, title, desc)
}
