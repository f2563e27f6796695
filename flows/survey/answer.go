package survey

// Answering: anyone with a class link answers a survey, one question per
// message, without registering.
//
// Postgres is the truth and the session only a cursor: every answer is saved
// in the respondent's draft the moment it is given, and every button carries
// the survey and the question it belongs to, so a press works the same after
// a restart or with the Redis session gone. Where the person is, is derived
// from the draft (the first question without an answer). The only thing the
// session holds is which question a typed text answers; when it is lost, the
// router sends the text to the fallback and reopening the link shows the
// question again.
//
// Each press recomputes the respondent key from the presser's Telegram id,
// so a button forwarded to or forged by someone else finds no draft of theirs
// and is refused as stale. Nothing here logs or stores the Telegram id.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// The actions of respondents' buttons (flow cbAnswer). Arguments are dotted
// integers: the survey id first, then the question index, then a value.
const (
	ansGo     = "go"   // sv:go:<sid>            start or continue from the intro
	ansValue  = "a"    // sv:a:<sid>.<q>.<value> scale 1–5, yes 1 / no 0, option index
	ansToggle = "t"    // sv:t:<sid>.<q>.<mask>  multiple choice: the choices after the press
	ansDone   = "d"    // sv:d:<sid>.<q>.<mask>  multiple choice: confirm the choices
	ansBack   = "b"    // sv:b:<sid>.<q>         to the question before q
	ansSkip   = "s"    // sv:s:<sid>.<q>         skip an optional question
	ansKeep   = "k"    // sv:k:<sid>.<q>         keep the answer already given and go on
	ansFix    = "fix"  // sv:fix:<sid>.<q>       from the review back to question q
	ansSend   = "send" // sv:send:<sid>          submit
)

// Session keys of the free-text step: the survey and the question a typed
// text answers.
const (
	ansKeySurvey   = "sv_survey"
	ansKeyQuestion = "sv_q"
)

// Sizes of what the respondent reads.
const (
	// ansSecondsPerQuestion estimates the time a question takes on a
	// phone, for the intro's "about N minutes".
	ansSecondsPerQuestion = 10
	// ansReviewQuestion and ansReviewAnswer clip the review lines, so that
	// the review of the longest survey (30 questions) stays one message
	// within Telegram's 4096 characters.
	ansReviewQuestion = 60
	ansReviewAnswer   = 40
	// ansShownText clips a free-text answer quoted back to its author.
	ansShownText = 200
	// ansFixPerRow is how many «✏️ N» buttons share a row.
	ansFixPerRow = 5
	// ansMaxArg bounds each number after the survey id: question indexes
	// and values are small, and anything larger is forged.
	ansMaxArg = 1 << 20
)

// Refusals that are not errors of the flow: the respondent is told, and
// nothing changes.
var (
	errAnsAnswered = errors.New("survey: already answered")
	errAnsClosed   = errors.New("survey: closed")
	errAnsNotOpen  = errors.New("survey: not open")
)

func (f *Flow) registerAnswer(r *flows.Router) {
	r.Deeplink("survey:open", linkPattern, flows.Anyone, f.answerOpen)
	r.Callback(cbAnswer, ansGo, flows.Anyone, f.answerGo)
	r.Callback(cbAnswer, ansValue, flows.Anyone, f.answerValue)
	r.Callback(cbAnswer, ansToggle, flows.Anyone, f.answerToggle)
	r.Callback(cbAnswer, ansDone, flows.Anyone, f.answerDone)
	r.Callback(cbAnswer, ansBack, flows.Anyone, f.answerBack)
	r.Callback(cbAnswer, ansSkip, flows.Anyone, f.answerSkip)
	r.Callback(cbAnswer, ansKeep, flows.Anyone, f.answerKeep)
	r.Callback(cbAnswer, ansFix, flows.Anyone, f.answerFix)
	r.Callback(cbAnswer, ansSend, flows.Anyone, f.answerSend)
	r.Step(stepText, flows.Anyone, f.answerText)
}

// answerOpen is a class link: /start s_<code>. It starts (or finds) the
// respondent's draft and shows the intro.
func (f *Flow) answerOpen(ctx context.Context, c *flows.Context) (flows.Next, error) {
	code := strings.TrimPrefix(c.Update.Args, linkPrefix)
	sv, class, err := f.Store.FindSurveyClassByCode(ctx, code)
	if errors.Is(err, storage.ErrNotFound) {
		c.Say("survey.answer.link_unknown")
		return ansLeaveText(c), nil
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("survey: open link: %w", err)
	}
	d, err := f.Store.StartDraft(ctx, sv.ID, class.ID, f.respondent(sv.ID, c.Actor.TelegramID))
	if err != nil {
		return f.answerRefuse(c, sv, ansKind(err))
	}
	school, err := f.answerSchool(ctx, c, sv.OrgID)
	if err != nil {
		return flows.Stay(), err
	}
	n := len(sv.Questions)
	minutes := max(1, (n*ansSecondsPerQuestion+59)/60)
	parts := []string{c.T("survey.answer.intro_head", "School", school, "Title", sv.Title)}
	if intro := strings.TrimSpace(sv.Intro); intro != "" {
		parts = append(parts, intro)
	}
	parts = append(parts, c.T("survey.answer.anonymity", "Min", MinGroup))
	size := c.L.N("survey.answer.size", n, "Minutes", c.L.N("survey.answer.minutes", minutes))
	if !sv.ClosesAt.IsZero() {
		size += "\n" + c.T("survey.answer.until", "Date", c.L.DateTime(sv.ClosesAt))
	}
	parts = append(parts, size)
	label := "survey.answer.btn.start"
	if len(d.Answers) > 0 {
		label = "survey.answer.btn.continue"
		if q, ok := ansFirstOpen(sv, d, -1); ok {
			parts = append(parts, c.T("survey.answer.resume", "N", q+1, "Total", n))
		} else {
			parts = append(parts, c.T("survey.answer.resume_review"))
		}
	}
	c.Reply(strings.Join(parts, "\n\n"), bot.Keyboard{{c.Button(label, flows.CB(cbAnswer, ansGo, sv.ID))}})
	return ansLeaveText(c), nil
}

// answerGo leaves the intro for the first unanswered question (or the
// review when every question has its answer).
func (f *Flow) answerGo(ctx context.Context, c *flows.Context) (flows.Next, error) {
	p, err := f.answerPress(ctx, c, 0)
	if err != nil {
		return f.answerPressFailed(c, p, err)
	}
	c.Edit("", nil)
	return f.answerNext(c, p.sv, p.d, -1), nil
}

// answerValue answers a scale, yes/no or single-choice question.
func (f *Flow) answerValue(ctx context.Context, c *flows.Context) (flows.Next, error) {
	p, err := f.answerPress(ctx, c, 2)
	if err != nil {
		return f.answerPressFailed(c, p, err)
	}
	q, v := p.sv.Questions[p.q], p.args[1]
	lo, hi := 0, -1
	switch q.Kind {
	case storage.QuestionScale:
		lo, hi = 1, 5
	case storage.QuestionYesNo:
		lo, hi = 0, 1
	case storage.QuestionSingle:
		lo, hi = 0, len(q.Options)-1
	}
	if v < lo || v > hi {
		return flows.Stay(), flows.ErrStale
	}
	return f.answerSave(ctx, c, p, storage.Answer{Value: &v})
}

// answerToggle ticks or unticks an option of a multiple choice. The
// choices travel in the buttons (a bit per option), so nothing is saved
// until «Готово» and nothing is lost with the session.
func (f *Flow) answerToggle(ctx context.Context, c *flows.Context) (flows.Next, error) {
	p, err := f.answerPress(ctx, c, 2)
	if err != nil {
		return f.answerPressFailed(c, p, err)
	}
	q := p.sv.Questions[p.q]
	mask := p.args[1]
	if q.Kind != storage.QuestionMulti || mask >= 1<<len(q.Options) {
		return flows.Stay(), flows.ErrStale
	}
	text, kb := ansQuestion(c, p.sv, p.d, p.q, mask)
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// answerDone saves the ticked options of a multiple choice.
func (f *Flow) answerDone(ctx context.Context, c *flows.Context) (flows.Next, error) {
	p, err := f.answerPress(ctx, c, 2)
	if err != nil {
		return f.answerPressFailed(c, p, err)
	}
	q := p.sv.Questions[p.q]
	mask := p.args[1]
	if q.Kind != storage.QuestionMulti || mask >= 1<<len(q.Options) {
		return flows.Stay(), flows.ErrStale
	}
	if mask == 0 {
		id := "survey.answer.choose_one"
		if !q.Required {
			id = "survey.answer.choose_or_skip"
		}
		c.Notice(c.T(id))
		return flows.Stay(), nil
	}
	var choices []int
	for i := range q.Options {
		if mask&(1<<i) != 0 {
			choices = append(choices, i)
		}
	}
	return f.answerSave(ctx, c, p, storage.Answer{Choices: choices})
}

// answerSkip passes over an optional question.
func (f *Flow) answerSkip(ctx context.Context, c *flows.Context) (flows.Next, error) {
	p, err := f.answerPress(ctx, c, 1)
	if err != nil {
		return f.answerPressFailed(c, p, err)
	}
	if p.sv.Questions[p.q].Required {
		return flows.Stay(), flows.ErrStale
	}
	return f.answerSave(ctx, c, p, storage.Answer{Skipped: true})
}

// answerKeep leaves a question revisited with «Назад» or «✏️» as it was
// answered, which a free-text question otherwise could not.
func (f *Flow) answerKeep(ctx context.Context, c *flows.Context) (flows.Next, error) {
	p, err := f.answerPress(ctx, c, 1)
	if err != nil {
		return f.answerPressFailed(c, p, err)
	}
	a, ok := p.d.Answers[p.q]
	if !ok {
		return flows.Stay(), flows.ErrStale
	}
	c.Edit(ansAnswered(c, p.sv, p.q, a), nil)
	return f.answerNext(c, p.sv, p.d, p.q), nil
}

// answerBack shows the question before the pressed one again; its answer
// is overwritten only if the person answers anew.
func (f *Flow) answerBack(ctx context.Context, c *flows.Context) (flows.Next, error) {
	p, err := f.answerPress(ctx, c, 1)
	if err != nil {
		return f.answerPressFailed(c, p, err)
	}
	if p.q == 0 {
		return flows.Stay(), flows.ErrStale
	}
	c.Edit("", nil)
	return f.answerShow(c, p.sv, p.d, p.q-1), nil
}

// answerFix goes from the review to a question to change its answer; once
// answered, every question has an answer again and the review comes back.
func (f *Flow) answerFix(ctx context.Context, c *flows.Context) (flows.Next, error) {
	p, err := f.answerPress(ctx, c, 1)
	if err != nil {
		return f.answerPressFailed(c, p, err)
	}
	c.Edit("", nil)
	return f.answerShow(c, p.sv, p.d, p.q), nil
}

// answerSend submits the draft: after it nothing links the person to
// their answers, and the draft is gone.
func (f *Flow) answerSend(ctx context.Context, c *flows.Context) (flows.Next, error) {
	p, err := f.answerPress(ctx, c, 0)
	if err != nil {
		return f.answerPressFailed(c, p, err)
	}
	if q, ok := ansMissingRequired(p.sv, p.d); ok {
		c.Edit("", nil)
		c.Say("survey.answer.required_left")
		return f.answerShow(c, p.sv, p.d, q), nil
	}
	err = f.Store.SubmitDraft(ctx, p.d.ID, p.key)
	if errors.Is(err, storage.ErrInvalid) {
		// A required question lost its answer between the review and the
		// press (another device): show what is missing.
		d, ferr := f.Store.FindDraft(ctx, p.sv.ID, p.key)
		if ferr != nil {
			return flows.Stay(), fmt.Errorf("survey: submit: %w", ferr)
		}
		if q, ok := ansMissingRequired(p.sv, d); ok {
			c.Edit("", nil)
			c.Say("survey.answer.required_left")
			return f.answerShow(c, p.sv, d, q), nil
		}
	}
	if err != nil {
		return f.answerPressFailed(c, p, err)
	}
	c.Edit("", nil)
	c.Say("survey.answer.thanks", "Min", MinGroup)
	return ansLeaveText(c), nil
}

// answerText takes a typed answer to the free-text question the session
// names.
func (f *Flow) answerText(ctx context.Context, c *flows.Context) (flows.Next, error) {
	sid, qi := c.GetInt(ansKeySurvey), c.GetInt(ansKeyQuestion)
	key := f.respondent(sid, c.Actor.TelegramID)
	d, err := f.Store.FindDraft(ctx, sid, key)
	if err != nil {
		p := ansPressed{key: key}
		if errors.Is(err, storage.ErrNotFound) {
			err = f.answerGone(ctx, sid, key)
		}
		if errors.Is(err, flows.ErrStale) {
			c.Say("survey.answer.text_lost")
			return flows.End(), nil
		}
		return f.answerPressFailed(c, p, err)
	}
	sv, err := f.answerSurvey(ctx, sid)
	if err != nil {
		return flows.Stay(), fmt.Errorf("survey: text answer: %w", err)
	}
	if qi < 0 || qi >= int64(len(sv.Questions)) || sv.Questions[qi].Kind != storage.QuestionText {
		c.Say("survey.answer.text_lost")
		return flows.End(), nil
	}
	p := ansPressed{sv: sv, d: d, key: key, q: int(qi)}
	if c.Update.Photo != nil || c.Update.Document != nil {
		return flows.Stay(), flows.Invalid("survey.answer.text_expected")
	}
	text := strings.TrimSpace(c.Update.Text)
	if text == "" {
		return flows.Stay(), flows.Invalid("survey.answer.text_expected")
	}
	if n := utf8.RuneCountInString(text); n > storage.MaxTextAnswer {
		return flows.Stay(), flows.Invalid("survey.answer.text_too_long", "Count", n, "Max", storage.MaxTextAnswer)
	}
	err = f.Store.SaveAnswer(ctx, d.ID, p.q, storage.Answer{Text: text})
	if errors.Is(err, storage.ErrInvalid) {
		// Characters Postgres cannot keep (a NUL, broken UTF-8).
		return flows.Stay(), flows.Invalid("survey.answer.text_invalid")
	}
	if err != nil {
		return f.answerPressFailed(c, p, err)
	}
	d.Answers[p.q] = storage.Answer{Text: text}
	c.Say("survey.answer.text_saved")
	return f.answerNext(c, sv, d, p.q), nil
}

// ansPressed is what a respondent's button names, checked: the survey,
// the presser's own draft of it, their key, the question and the values
// after it.
type ansPressed struct {
	sv   storage.Survey
	d    storage.Draft
	key  []byte
	q    int
	args []int
}

// answerPress parses and checks a respondent's button: values is the
// number of integers after the survey id (0 for a survey-wide button, 1 for
// a question, 2 for a question and a value). A malformed argument, a
// survey the presser has no draft of and a question out of range are
// flows.ErrStale; a submitted draft is errAnsAnswered; a survey that no
// longer takes answers errAnsClosed or errAnsNotOpen.
func (f *Flow) answerPress(ctx context.Context, c *flows.Context, values int) (ansPressed, error) {
	sid, args, err := parseAnswerArg(c.Callback.Arg, values)
	if err != nil {
		return ansPressed{}, flows.ErrStale
	}
	p := ansPressed{key: f.respondent(sid, c.Actor.TelegramID), args: args}
	p.d, err = f.Store.FindDraft(ctx, sid, p.key)
	if errors.Is(err, storage.ErrNotFound) {
		return p, f.answerGone(ctx, sid, p.key)
	}
	if err != nil {
		return p, fmt.Errorf("survey: find draft: %w", err)
	}
	p.sv, err = f.answerSurvey(ctx, sid)
	if err != nil {
		return p, fmt.Errorf("survey: find survey %d: %w", sid, err)
	}
	if values > 0 {
		if args[0] >= len(p.sv.Questions) {
			return p, flows.ErrStale
		}
		p.q = args[0]
	}
	if err := ansAnswerable(p.sv, c.Now); err != nil {
		return p, err
	}
	return p, nil
}

// answerGone says why a respondent has no draft: they submitted it
// (errAnsAnswered), or never started one and the button is not theirs
// (flows.ErrStale).
func (f *Flow) answerGone(ctx context.Context, surveyID int64, key []byte) error {
	done, err := f.Store.HasAnswered(ctx, surveyID, key)
	switch {
	case err != nil:
		return fmt.Errorf("survey: look for a completion: %w", err)
	case done:
		return errAnsAnswered
	}
	return flows.ErrStale
}

// answerPressFailed turns the refusals of answerPress, SaveAnswer and
// SubmitDraft into what the respondent reads.
func (f *Flow) answerPressFailed(c *flows.Context, p ansPressed, err error) (flows.Next, error) {
	switch kind := ansKind(err); kind {
	case errAnsAnswered:
		c.Notice(c.T("survey.answer.already_notice"))
		return ansLeaveText(c), nil
	case errAnsClosed, errAnsNotOpen:
		// The buttons of a survey that takes no answers are of no use.
		ansDropButtons(c)
		if kind == errAnsClosed && len(p.d.Answers) > 0 {
			c.Say("survey.answer.closed_midway", "Title", p.sv.Title)
			return ansLeaveText(c), nil
		}
		return f.answerRefuse(c, p.sv, kind)
	}
	return flows.Stay(), err
}

// answerRefuse tells a person why they cannot answer: answered already,
// closed or not open yet (with the dates). Other errors go on as they are.
func (f *Flow) answerRefuse(c *flows.Context, sv storage.Survey, err error) (flows.Next, error) {
	switch err {
	case errAnsAnswered:
		c.Say("survey.answer.already", "Title", sv.Title)
	case errAnsClosed:
		from, to := sv.OpensAt, sv.ClosedAt
		if to.IsZero() {
			to = sv.ClosesAt
		}
		switch {
		case sv.PublishedAt.IsZero() || from.IsZero() || to.IsZero():
			c.Say("survey.answer.closed", "Title", sv.Title)
		default:
			c.Say("survey.answer.closed_dates", "Title", sv.Title, "From", c.L.DayMonth(from), "To", c.L.Date(to))
		}
	case errAnsNotOpen:
		if sv.Status == storage.SurveyOpen && !sv.OpensAt.IsZero() {
			c.Say("survey.answer.not_open", "Title", sv.Title, "When", c.L.DateTime(sv.OpensAt))
		} else {
			c.Say("survey.answer.not_published", "Title", sv.Title)
		}
	default:
		if errors.Is(err, storage.ErrNotFound) {
			// The class or survey went away between the two look-ups.
			c.Say("survey.answer.link_unknown")
			return ansLeaveText(c), nil
		}
		return flows.Stay(), fmt.Errorf("survey: start draft: %w", err)
	}
	return ansLeaveText(c), nil
}

// answerSave saves an answer to the pressed question, shows it in place of
// the question's buttons and goes on.
func (f *Flow) answerSave(ctx context.Context, c *flows.Context, p ansPressed, a storage.Answer) (flows.Next, error) {
	err := f.Store.SaveAnswer(ctx, p.d.ID, p.q, a)
	if errors.Is(err, storage.ErrInvalid) {
		// The checks above let through only what the question takes; an
		// answer the store refuses was made for another question.
		return flows.Stay(), flows.ErrStale
	}
	if err != nil {
		return f.answerPressFailed(c, p, err)
	}
	p.d.Answers[p.q] = a
	c.Edit(ansAnswered(c, p.sv, p.q, a), nil)
	return f.answerNext(c, p.sv, p.d, p.q), nil
}

// answerNext shows what follows question after (-1: from the start): the
// next question without an answer, else the first one before it, else the
// review.
func (f *Flow) answerNext(c *flows.Context, sv storage.Survey, d storage.Draft, after int) flows.Next {
	if q, ok := ansFirstOpen(sv, d, after); ok {
		return f.answerShow(c, sv, d, q)
	}
	c.Reply(ansReview(c, sv, d))
	return ansLeaveText(c)
}

// answerShow sends question q. A free-text question moves the session to
// the step that takes the typed answer; any other leaves that step, so a
// text typed later is not taken for an answer to a question not on screen.
func (f *Flow) answerShow(c *flows.Context, sv storage.Survey, d storage.Draft, q int) flows.Next {
	mask := 0
	if a, ok := d.Answers[q]; ok {
		for _, i := range a.Choices {
			mask |= 1 << i
		}
	}
	text, kb := ansQuestion(c, sv, d, q, mask)
	c.Reply(text, kb)
	if sv.Questions[q].Kind == storage.QuestionText {
		c.SetInt(ansKeySurvey, sv.ID)
		c.SetInt(ansKeyQuestion, int64(q))
		return flows.Goto(stepText)
	}
	return ansLeaveText(c)
}

// answerSchool names the survey's school for the intro.
func (f *Flow) answerSchool(ctx context.Context, c *flows.Context, orgID int64) (string, error) {
	if orgID == 0 {
		return c.T("survey.answer.association"), nil
	}
	o, err := f.Store.FindOrganisationByID(ctx, orgID)
	if err != nil {
		return "", fmt.Errorf("survey: school of survey: %w", err)
	}
	if o.ShortName != "" {
		return o.ShortName, nil
	}
	return o.Name, nil
}

// ansQuestion renders question q with its buttons; mask holds the ticked
// options of a multiple choice.
func ansQuestion(c *flows.Context, sv storage.Survey, d storage.Draft, q, mask int) (string, bot.Keyboard) {
	qu := sv.Questions[q]
	lines := []string{ansHeader(c, sv, q), qu.Text}
	var kb bot.Keyboard
	data := func(action string, vals ...int) string {
		arg := strconv.FormatInt(sv.ID, 10)
		for _, v := range append([]int{q}, vals...) {
			arg += "." + strconv.Itoa(v)
		}
		return flows.CB(cbAnswer, action, arg)
	}
	switch qu.Kind {
	case storage.QuestionScale:
		lines = append(lines, "", c.T("survey.answer.scale_ends", "Low", qu.Low, "High", qu.High))
		row := make([]bot.Button, 0, 5)
		for v := 1; v <= 5; v++ {
			row = append(row, bot.Button{Text: strconv.Itoa(v), Data: data(ansValue, v)})
		}
		kb = append(kb, row)
	case storage.QuestionYesNo:
		kb = append(kb, []bot.Button{
			c.Button("survey.answer.btn.yes", data(ansValue, 1)),
			c.Button("survey.answer.btn.no", data(ansValue, 0)),
		})
	case storage.QuestionSingle:
		lines = append(lines, "", c.T("survey.answer.hint_single"))
		for i, o := range qu.Options {
			kb = append(kb, []bot.Button{{Text: o, Data: data(ansValue, i)}})
		}
	case storage.QuestionMulti:
		lines = append(lines, "", c.T("survey.answer.hint_multi"))
		for i, o := range qu.Options {
			id := "survey.answer.unticked"
			if mask&(1<<i) != 0 {
				id = "survey.answer.ticked"
			}
			kb = append(kb, []bot.Button{{Text: c.T(id, "Option", o), Data: data(ansToggle, mask^(1<<i))}})
		}
		kb = append(kb, []bot.Button{c.Button("survey.answer.btn.done", data(ansDone, mask))})
	case storage.QuestionText:
		lines = append(lines, "", c.T("survey.answer.hint_text", "Max", storage.MaxTextAnswer))
	}
	if !qu.Required {
		lines = append(lines, c.T("survey.answer.optional"))
	}
	a, answered := d.Answers[q]
	if answered {
		lines = append(lines, "", c.T("survey.answer.current", "Answer", ansShow(c, qu, a, ansShownText)))
	}
	var nav []bot.Button
	if q > 0 {
		nav = append(nav, c.Button("survey.answer.btn.back", data(ansBack)))
	}
	if !qu.Required {
		nav = append(nav, c.Button("survey.answer.btn.skip", data(ansSkip)))
	}
	if answered {
		nav = append(nav, c.Button("survey.answer.btn.keep", data(ansKeep)))
	}
	if len(nav) > 0 {
		kb = append(kb, nav)
	}
	return strings.Join(lines, "\n"), kb
}

// ansHeader is «Вопрос 3 из 12 · Питание».
func ansHeader(c *flows.Context, sv storage.Survey, q int) string {
	n := len(sv.Questions)
	if g := sv.Questions[q].Group; g != "" {
		return c.T("survey.answer.progress_group", "N", q+1, "Total", n, "Group", g)
	}
	return c.T("survey.answer.progress", "N", q+1, "Total", n)
}

// ansAnswered is a question's message once answered: the question and the
// answer, without buttons, so the chat reads as a record.
func ansAnswered(c *flows.Context, sv storage.Survey, q int, a storage.Answer) string {
	qu := sv.Questions[q]
	return ansHeader(c, sv, q) + "\n" + qu.Text + "\n\n" + c.T("survey.answer.your_answer", "Answer", ansShow(c, qu, a, ansShownText))
}

// ansShow renders an answer in words, clipped to limit characters.
func ansShow(c *flows.Context, q storage.Question, a storage.Answer, limit int) string {
	var s string
	switch {
	case a.Skipped:
		s = c.T("survey.answer.skipped")
	case q.Kind == storage.QuestionText && a.Text != "":
		// The quotes are not clipped: they show where the text ends.
		return c.T("survey.answer.quoted", "Text", ansClip(a.Text, limit-2))
	case q.Kind == storage.QuestionText, a.Value == nil && q.Kind != storage.QuestionMulti:
		s = c.T("survey.answer.skipped")
	case q.Kind == storage.QuestionScale:
		s = strconv.Itoa(*a.Value)
	case q.Kind == storage.QuestionYesNo && *a.Value == 1:
		s = c.T("survey.answer.btn.yes")
	case q.Kind == storage.QuestionYesNo:
		s = c.T("survey.answer.btn.no")
	case q.Kind == storage.QuestionSingle && *a.Value >= 0 && *a.Value < len(q.Options):
		s = q.Options[*a.Value]
	case q.Kind == storage.QuestionMulti:
		var names []string
		for _, i := range a.Choices {
			if i >= 0 && i < len(q.Options) {
				names = append(names, q.Options[i])
			}
		}
		s = strings.Join(names, ", ")
	}
	return ansClip(s, limit)
}

// ansReview lists every question with its answer, with a «✏️ N» button
// each and «Отправить».
func ansReview(c *flows.Context, sv storage.Survey, d storage.Draft) (string, bot.Keyboard) {
	lines := []string{c.T("survey.answer.review_head"), ""}
	var kb bot.Keyboard
	var row []bot.Button
	for i, q := range sv.Questions {
		lines = append(lines, c.T("survey.answer.review_line",
			"N", i+1, "Question", ansClip(q.Text, ansReviewQuestion), "Answer", ansShow(c, q, d.Answers[i], ansReviewAnswer)))
		row = append(row, bot.Button{
			Text: c.T("survey.answer.btn.fix", "N", i+1),
			Data: flows.CB(cbAnswer, ansFix, strconv.FormatInt(sv.ID, 10)+"."+strconv.Itoa(i)),
		})
		if len(row) == ansFixPerRow {
			kb, row = append(kb, row), nil
		}
	}
	if row != nil {
		kb = append(kb, row)
	}
	kb = append(kb, []bot.Button{c.Button("survey.answer.btn.send", flows.CB(cbAnswer, ansSend, sv.ID))})
	lines = append(lines, "", c.T("survey.answer.review_foot"))
	return strings.Join(lines, "\n"), kb
}

// ansFirstOpen returns the first question after index after that has no
// answer in the draft, else the first such question before it.
func ansFirstOpen(sv storage.Survey, d storage.Draft, after int) (int, bool) {
	n := len(sv.Questions)
	for k := 1; k <= n; k++ {
		q := (after + k) % n
		if q < 0 {
			q += n
		}
		if _, ok := d.Answers[q]; !ok {
			return q, true
		}
	}
	return 0, false
}

// ansMissingRequired returns the first required question without an
// answer.
func ansMissingRequired(sv storage.Survey, d storage.Draft) (int, bool) {
	for i, q := range sv.Questions {
		if a, ok := d.Answers[i]; q.Required && (!ok || a.Skipped) {
			return i, true
		}
	}
	return 0, false
}

// ansAnswerable says why the survey takes no answers at now, or nil. The
// store checks the same on every write; this spares a person the
// pressing of buttons that lead nowhere.
func ansAnswerable(sv storage.Survey, now time.Time) error {
	switch {
	case sv.Status == storage.SurveyClosed:
		return errAnsClosed
	case sv.Status != storage.SurveyOpen, now.Before(sv.OpensAt):
		return errAnsNotOpen
	case !sv.ClosesAt.IsZero() && !now.Before(sv.ClosesAt):
		return errAnsClosed
	}
	return nil
}

// ansKind maps the store's refusals to the flow's; other errors stay.
func ansKind(err error) error {
	switch {
	case errors.Is(err, storage.ErrAlreadyAnswered), errors.Is(err, errAnsAnswered):
		return errAnsAnswered
	case errors.Is(err, storage.ErrSurveyClosed), errors.Is(err, errAnsClosed):
		return errAnsClosed
	case errors.Is(err, storage.ErrSurveyNotOpen), errors.Is(err, errAnsNotOpen):
		return errAnsNotOpen
	}
	return err
}

// ansDropButtons removes the buttons of the pressed message (nothing for a
// typed message, which has none to remove).
func ansDropButtons(c *flows.Context) {
	if c.Update.Callback != nil {
		c.Edit("", nil)
	}
}

// ansLeaveText ends the free-text step when the person is in it, and keeps
// any other conversation they are in.
func ansLeaveText(c *flows.Context) flows.Next {
	if c.Step() == stepText {
		return flows.End()
	}
	return flows.Stay()
}

// ansClip shortens s to at most limit characters, marking the cut.
func ansClip(s string, limit int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max(limit-1, 0)])) + "…"
}

// parseAnswerArg reads a respondent's button argument: a survey id (at
// least 1) followed by exactly values small integers (question index,
// option mask, value), each below ansMaxArg.
func parseAnswerArg(arg string, values int) (sid int64, rest []int, err error) {
	ids, err := flows.ArgInts(arg)
	if err != nil {
		return 0, nil, err
	}
	if len(ids) != values+1 || ids[0] < 1 {
		return 0, nil, errAnsArg
	}
	rest = make([]int, values)
	for i, v := range ids[1:] {
		if v >= ansMaxArg {
			return 0, nil, errAnsArg
		}
		rest[i] = int(v)
	}
	return ids[0], rest, nil
}

var errAnsArg = errors.New("survey: malformed answer button")
