package survey

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
	"smkbot/flows/report"
	"smkbot/storage"
)

// authorPreviewText renders a whole survey as a respondent meets it: the
// intro, then every question with its answer buttons drawn as text. It is
// one text; the Sender splits it between questions when it is long.
func authorPreviewText(c *flows.Context, title, intro string, audience storage.Audience, qs []storage.Question) string {
	parts := []string{
		c.T("survey.author.preview_title", "Who", c.T("survey.author.audience."+string(audience))),
		c.T("survey.author.preview_intro", "Title", title, "Intro", intro,
			"Questions", c.L.N("survey.author.questions", len(qs)),
			"Minutes", c.L.N("survey.author.minutes", authorMinutes(len(qs)))),
	}
	for i, q := range qs {
		parts = append(parts, c.T("survey.author.preview_question", "N", i+1, "Total", len(qs),
			"Optional", !q.Required, "Text", q.Text, "Answer", authorAnswerText(c, q)))
	}
	return strings.Join(parts, "\n\n")
}

// authorAnswerText draws a question's answer buttons as text.
func authorAnswerText(c *flows.Context, q storage.Question) string {
	var lines []string
	switch q.Kind {
	case storage.QuestionScale:
		var row []string
		for v := 1; v <= 5; v++ {
			row = append(row, "["+strconv.Itoa(v)+"]")
		}
		lines = append(lines, strings.Join(row, " "), c.T("survey.author.preview_scale", "Low", q.Low, "High", q.High))
	case storage.QuestionYesNo:
		lines = append(lines, c.T("survey.author.preview_yesno"))
	case storage.QuestionSingle:
		for _, o := range q.Options {
			lines = append(lines, "["+o+"]")
		}
	case storage.QuestionMulti:
		for _, o := range q.Options {
			lines = append(lines, "☐ "+o)
		}
		lines = append(lines, c.T("survey.author.preview_done"))
	case storage.QuestionText:
		lines = append(lines, c.T("survey.author.preview_text", "Max", storage.MaxTextAnswer))
	}
	if !q.Required {
		lines = append(lines, c.T("survey.author.preview_skip"))
	}
	return strings.Join(lines, "\n")
}

// authorPreview shows a saved survey as respondents will see it:
// sva:prev:<id>. A draft's preview ends with «Опубликовать».
func (f *Flow) authorPreview(ctx context.Context, c *flows.Context) (flows.Next, error) {
	sv, _, _, err := f.authorSurvey(ctx, c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	text := authorPreviewText(c, sv.Title, sv.Intro, sv.Audience, sv.Questions)
	kb := bot.Keyboard{{c.Button("survey.author.btn.to_card", flows.CB(cbAuthor, "card", sv.ID))}}
	if sv.Status == storage.SurveyDraft {
		text += "\n\n" + c.T("survey.author.preview_not_published")
		kb = bot.Keyboard{{c.Button("survey.author.btn.publish", flows.CB(cbAuthor, "pub", sv.ID))}}
	}
	c.Reply(text, kb)
	return flows.Stay(), nil
}

// authorPublish opens a draft for answers and sends its links:
// sva:pub:<id>.
func (f *Flow) authorPublish(ctx context.Context, c *flows.Context) (flows.Next, error) {
	sv, _, _, err := f.authorSurvey(ctx, c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if sv.Status != storage.SurveyDraft {
		return flows.Stay(), flows.ErrStale
	}
	err = f.Store.PublishSurvey(ctx, c.Actor.PersonID(), sv.ID)
	switch {
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrConflict):
		// Published or removed by someone else a moment ago.
		return flows.Stay(), flows.ErrStale
	case errors.Is(err, storage.ErrInvalid):
		return flows.Stay(), flows.Invalid("survey.author.publish_late")
	case err != nil:
		return flows.Stay(), fmt.Errorf("survey: publish %d: %w", sv.ID, err)
	}
	sv, classes, err := f.Store.FindSurveyByID(ctx, sv.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("survey: find survey %d: %w", sv.ID, err)
	}
	// The pressed message (the card or the preview) loses its buttons; the
	// new card goes after the links, where the person is reading.
	c.Edit("", nil)
	c.Say("survey.author.published", "Title", sv.Title)
	if err := f.authorSendLinks(ctx, c, sv, classes); err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.authorCardView(ctx, c, sv, classes)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(text, kb)
	return flows.Stay(), nil
}

// authorLinks sends an open survey's links again: sva:links:<id>.
func (f *Flow) authorLinks(ctx context.Context, c *flows.Context) (flows.Next, error) {
	sv, classes, _, err := f.authorSurvey(ctx, c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if sv.Status != storage.SurveyOpen {
		return flows.Stay(), flows.ErrStale
	}
	c.Say("survey.author.links_title", "Title", sv.Title)
	if err := f.authorSendLinks(ctx, c, sv, classes); err != nil {
		return flows.Stay(), err
	}
	return flows.Stay(), nil
}

// authorSendLinks sends, for each class, the QR code of its link with the
// link in the caption, then the ready text to forward to the class chat.
func (f *Flow) authorSendLinks(ctx context.Context, c *flows.Context, sv storage.Survey, classes []storage.SurveyClass) error {
	org, err := f.authorOrgTitle(ctx, c, sv.OrgID)
	if err != nil {
		return err
	}
	if sv.OrgID == 0 {
		org = c.T("survey.author.association_name")
	}
	closes := c.T("survey.author.forward_no_closing")
	if !sv.ClosesAt.IsZero() {
		closes = c.T("survey.author.forward_closes", "Date", c.L.DayMonth(sv.ClosesAt))
	}
	for _, cl := range classes {
		link := ClassLink(f.BotUsername, cl)
		// The link in the forward text is what counts; the QR code is a
		// convenience for a printed notice or a parents' meeting screen,
		// so a failure to draw it does not hold the links back.
		if png, err := report.QR(link, authorQRSize); err == nil {
			c.Send(bot.Photo{ChatID: c.Chat(), Name: "qr_" + strconv.FormatInt(cl.ID, 10) + ".png", Data: png,
				Caption: c.T("survey.author.qr_caption", "Class", cl.Name, "Title", sv.Title, "Link", link)})
		}
		c.Send(bot.Text{ChatID: c.Chat(), DisablePreview: true, Text: c.T("survey.author.forward."+string(sv.Audience),
			"Class", cl.Name, "Org", org, "Title", sv.Title, "Intro", sv.Intro,
			"Minutes", c.L.N("survey.author.minutes_acc", authorMinutes(len(sv.Questions))),
			"Closes", closes, "Link", link)})
	}
	return nil
}

// authorCloseAsk asks to confirm closing an open survey early:
// sva:close:<id>.
func (f *Flow) authorCloseAsk(ctx context.Context, c *flows.Context) (flows.Next, error) {
	sv, _, _, err := f.authorSurvey(ctx, c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if sv.Status != storage.SurveyOpen {
		return flows.Stay(), flows.ErrStale
	}
	c.Edit(c.T("survey.author.close_ask", "Title", sv.Title), bot.Keyboard{{
		c.Button("survey.author.btn.close_yes", flows.CB(cbAuthor, "closeok", sv.ID)),
		c.Button("common.btn.cancel", flows.CB(cbAuthor, "card", sv.ID)),
	}})
	return flows.Stay(), nil
}

// authorClose closes the survey: sva:closeok:<id>. The confirmation is the
// card's own message, redrawn, so it needs no step: a new survey being
// written at the same time stays as it is.
func (f *Flow) authorClose(ctx context.Context, c *flows.Context) (flows.Next, error) {
	sv, _, _, err := f.authorSurvey(ctx, c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if sv.Status != storage.SurveyOpen {
		return flows.Stay(), flows.ErrStale
	}
	err = f.Store.CloseSurvey(ctx, c.Actor.PersonID(), sv.ID)
	switch {
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrSurveyClosed):
		return flows.Stay(), flows.ErrStale
	case err != nil:
		return flows.Stay(), fmt.Errorf("survey: close %d: %w", sv.ID, err)
	}
	return f.authorShowChanged(ctx, c, sv.ID, c.T("survey.author.closed_done"))
}

// authorShowChanged redraws a survey's card after a change, under a line
// saying what changed, and ends the question that led to it.
func (f *Flow) authorShowChanged(ctx context.Context, c *flows.Context, id int64, done string) (flows.Next, error) {
	sv, classes, err := f.Store.FindSurveyByID(ctx, id)
	if err != nil {
		return flows.Stay(), fmt.Errorf("survey: find survey %d: %w", id, err)
	}
	text, kb, err := f.authorCardView(ctx, c, sv, classes)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(done+"\n\n"+text, kb)
	return authorLeaveExtend(c), nil
}

// authorLeaveExtend ends the extend question: back to the new survey the
// person was writing when they asked, if any, else out of the flow.
func authorLeaveExtend(c *flows.Context) flows.Next {
	if c.Step() != stepAuthorExtend {
		return flows.Stay()
	}
	back := c.Get(keyAuthorBack)
	if msg, ok := authorInt(c, keyAuthorMessage); ok && c.Update.Callback == nil {
		// A typed date answered the question: its date buttons go, so
		// the chat does not offer them again.
		c.Send(bot.Edit{ChatID: c.Chat(), MessageID: int(msg)})
	}
	c.Set(keyAuthorSurvey, "")
	c.Set(keyAuthorBack, "")
	c.Set(keyAuthorMessage, "")
	if slices.Contains(authorNewSteps, back) {
		return flows.Goto(back)
	}
	return flows.End()
}

// authorExtendAsk asks for the new closing date: sva:ext:<id>. An open
// survey gets a later date; a closed one opens again until the date.
func (f *Flow) authorExtendAsk(ctx context.Context, c *flows.Context) (flows.Next, error) {
	sv, _, _, err := f.authorSurvey(ctx, c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	base := authorDay(c, c.Now)
	if sv.Status == storage.SurveyOpen && !sv.ClosesAt.IsZero() && authorDay(c, sv.ClosesAt).After(base) {
		base = authorDay(c, sv.ClosesAt)
	}
	var kb bot.Keyboard
	for i, d := range authorQuickDates(base) {
		if authorCheckDate(c, d) != nil {
			continue
		}
		kb = append(kb, []bot.Button{{
			Text: c.T(authorDateLabels[i], "Date", c.L.DayMonth(d)),
			Data: flows.CB(cbAuthor, "extd", fmt.Sprintf("%d.%d", sv.ID, flows.DateKey(d))),
		}})
	}
	kb = append(kb, []bot.Button{c.Button("common.btn.cancel", flows.CB(cbAuthor, "card", sv.ID))})
	id := "survey.author.extend_ask"
	switch sv.Status {
	case storage.SurveyClosed:
		id = "survey.author.reopen_ask"
	case storage.SurveyDraft:
		id = "survey.author.redate_ask"
	}
	now := c.T("survey.author.card_no_closing")
	if !sv.ClosesAt.IsZero() {
		now = c.L.DateTime(sv.ClosesAt)
	}
	// A new survey being written keeps its values: the extend question
	// borrows the session and gives it back (authorLeaveExtend).
	if slices.Contains(authorNewSteps, c.Step()) {
		c.Set(keyAuthorBack, c.Step())
	}
	c.SetInt(keyAuthorSurvey, sv.ID)
	c.SetInt(keyAuthorMessage, int64(c.Update.Callback.MessageID))
	c.Edit(c.T(id, "Title", sv.Title, "Now", now), kb)
	return flows.Goto(stepAuthorExtend), nil
}

// authorExtendButton takes a quick date: sva:extd:<id>.<yyyymmdd>.
func (f *Flow) authorExtendButton(ctx context.Context, c *flows.Context) (flows.Next, error) {
	sv, _, ids, err := f.authorSurvey(ctx, c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	d, ok := flows.KeyDate(ids[1], c.L.Location())
	if id, _ := authorInt(c, keyAuthorSurvey); !ok || c.Step() != stepAuthorExtend || id != sv.ID {
		return flows.Stay(), flows.ErrStale
	}
	return f.authorExtendTo(ctx, c, sv, d)
}

// authorExtendTyped reads a typed new closing date.
func (f *Flow) authorExtendTyped(ctx context.Context, c *flows.Context) (flows.Next, error) {
	id, ok := authorInt(c, keyAuthorSurvey)
	if !ok {
		return authorSessionLost(c)
	}
	text, err := authorText(c)
	if err != nil {
		return flows.Stay(), err
	}
	sv, _, err := f.Store.FindSurveyByID(ctx, id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return authorSessionLost(c)
	case err != nil:
		return flows.Stay(), fmt.Errorf("survey: find survey %d: %w", id, err)
	case !c.Actor.CanIn(flows.ManageSurveys, sv.OrgID):
		return flows.End(), flows.ErrForbidden
	}
	d, err := flows.ParseDate(text, c.Now, c.L.Location())
	if err != nil {
		return flows.Stay(), err
	}
	return f.authorExtendTo(ctx, c, sv, d)
}

// authorExtendTo moves the survey's closing to the end of day d.
func (f *Flow) authorExtendTo(ctx context.Context, c *flows.Context, sv storage.Survey, d time.Time) (flows.Next, error) {
	if err := authorCheckDate(c, d); err != nil {
		return flows.Stay(), err
	}
	if sv.Status == storage.SurveyOpen && !sv.ClosesAt.IsZero() && !d.After(authorDay(c, sv.ClosesAt)) {
		return flows.Stay(), flows.Invalid("survey.author.extend_not_later", "Date", c.L.DayMonth(sv.ClosesAt))
	}
	err := f.Store.ExtendSurvey(ctx, c.Actor.PersonID(), sv.ID, authorClosing(c, d))
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return flows.Stay(), flows.ErrStale
	case errors.Is(err, storage.ErrInvalid):
		return flows.Stay(), flows.Invalid("survey.author.date_too_early")
	case err != nil:
		return flows.Stay(), fmt.Errorf("survey: extend %d: %w", sv.ID, err)
	}
	done := c.T("survey.author.extended", "Date", c.L.Date(d))
	switch sv.Status {
	case storage.SurveyClosed:
		done = c.T("survey.author.reopened", "Date", c.L.Date(d))
	case storage.SurveyDraft:
		done = c.T("survey.author.redated", "Date", c.L.Date(d))
	}
	return f.authorShowChanged(ctx, c, sv.ID, done)
}
