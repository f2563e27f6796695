package survey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// authorNew starts a new survey: sva:new:. It asks where the questions come
// from: a built-in template or a file.
func (f *Flow) authorNew(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if c.Callback.Arg != "" {
		return flows.Stay(), flows.ErrStale
	}
	c.Clear()
	var kb bot.Keyboard
	for _, t := range Templates() {
		label := c.T("survey.author.btn.template", "Title", t.Title)
		if id := "survey.author.btn.template_" + t.Key; c.L.Has(id) {
			label = c.T(id)
		}
		kb = append(kb, []bot.Button{{Text: label, Data: flows.CB(cbAuthor, "tpl", t.Key)}})
	}
	kb = append(kb,
		[]bot.Button{c.Button("survey.author.btn.upload", flows.CB(cbAuthor, "upload", nil))},
		[]bot.Button{c.Button("common.btn.cancel", flows.CB(cbAuthor, "cancel", nil))})
	c.Reply(c.T("survey.author.ask_source"), kb)
	return flows.Goto(stepAuthorSource), nil
}

// authorResume asks again the question of the step a new survey is at:
// sva:resume:.
func (f *Flow) authorResume(ctx context.Context, c *flows.Context) (flows.Next, error) {
	step := authorDraftStep(c)
	if c.Callback.Arg != "" || step == "" {
		return flows.Stay(), flows.ErrStale
	}
	// An extend question left unanswered gives way to the new survey.
	c.Set(keyAuthorSurvey, "")
	c.Set(keyAuthorBack, "")
	c.Set(keyAuthorMessage, "")
	switch step {
	case stepAuthorSource:
		return f.authorNew(ctx, c)
	case stepAuthorUpload:
		c.Say("survey.author.ask_file")
		return flows.Goto(stepAuthorUpload), nil
	case stepAuthorOrg:
		return f.authorAskOrg(ctx, c, 1, false)
	case stepAuthorAudience:
		return f.authorAskAudience(c)
	case stepAuthorClasses:
		return f.authorAskClasses(c)
	case stepAuthorDate:
		return f.authorAskDate(c)
	}
	return f.authorSummary(ctx, c)
}

// authorCancel leaves a new survey unsaved: sva:cancel:.
func (f *Flow) authorCancel(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if c.Callback.Arg != "" || !slices.Contains(authorNewSteps, c.Step()) {
		return flows.Stay(), flows.ErrStale
	}
	c.Edit(c.T("survey.author.cancelled"), nil)
	return flows.End(), nil
}

// authorTemplate takes a built-in template: sva:tpl:<key>. A person who
// chose to upload a file may still change their mind.
func (f *Flow) authorTemplate(ctx context.Context, c *flows.Context) (flows.Next, error) {
	t, ok := TemplateByKey(c.Callback.Arg)
	if !ok || (c.Step() != stepAuthorSource && c.Step() != stepAuthorUpload) {
		return flows.Stay(), flows.ErrStale
	}
	c.Set(keyAuthorTemplate, t.Key)
	c.Set(keyAuthorUpload, "")
	c.Edit(c.T("survey.author.source_chosen", "Title", t.Title, "Questions", c.L.N("survey.author.questions", len(t.Questions))), nil)
	return f.authorAfterSource(ctx, c)
}

// authorUploadStart explains the file format and waits for a file:
// sva:upload:.
func (f *Flow) authorUploadStart(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if c.Callback.Arg != "" || c.Step() != stepAuthorSource {
		return flows.Stay(), flows.ErrStale
	}
	c.Edit(c.T("survey.author.upload_chosen"), nil)
	c.Send(bot.Text{ChatID: c.Chat(), Text: c.T("survey.format.help"), HTML: true})
	c.Say("survey.author.ask_file")
	return flows.Goto(stepAuthorUpload), nil
}

// authorUpload reads the uploaded survey file. A file with mistakes gets
// them by line and the step stays, waiting for the corrected file.
func (f *Flow) authorUpload(ctx context.Context, c *flows.Context) (flows.Next, error) {
	doc := c.Update.Document
	switch {
	case doc == nil && c.Update.Photo != nil:
		return flows.Stay(), flows.Invalid("survey.author.upload_photo")
	case doc == nil:
		return flows.Stay(), flows.Invalid("survey.author.upload_text")
	case doc.Size > maxFileSize:
		// Not worth downloading: the parser would refuse it anyway.
		return flows.Stay(), flows.Invalid("survey.author.upload_too_big", "Max", maxFileSize>>10)
	}
	if f.Files == nil {
		return flows.Stay(), errors.New("survey: no file downloader")
	}
	data, err := f.Files.Download(ctx, doc.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("survey: download survey file: %w", err)
	}
	t, errs := ParseTemplate(data)
	if len(errs) > 0 {
		c.Reply(authorFileErrors(c, errs), nil)
		return flows.Stay(), nil
	}
	raw, err := json.Marshal(t)
	if err != nil {
		return flows.Stay(), fmt.Errorf("survey: keep uploaded template: %w", err)
	}
	c.Set(keyAuthorTemplate, "")
	c.Set(keyAuthorUpload, string(raw))
	c.Say("survey.author.file_read", "Title", t.Title, "Questions", c.L.N("survey.author.questions", len(t.Questions)))
	return f.authorAfterSource(ctx, c)
}

// authorFileErrors is the reply to a file with mistakes: how many, then the
// first of them by line.
func authorFileErrors(c *flows.Context, errs []LineError) string {
	lines := []string{c.L.N("survey.format.errors", len(errs))}
	for _, e := range errs[:min(len(errs), authorMaxErrors)] {
		lines = append(lines, c.T("survey.format.line", "Line", e.Line, "Text", c.T(e.MsgID, e.Data...)))
	}
	if n := len(errs) - authorMaxErrors; n > 0 {
		lines = append(lines, c.L.N("survey.format.errors_more", n))
	}
	return strings.Join(lines, "\n")
}

// authorDraftTemplate is the template of the new survey in the session.
func authorDraftTemplate(c *flows.Context) (Template, bool) {
	if key := c.Get(keyAuthorTemplate); key != "" {
		return TemplateByKey(key)
	}
	raw := c.Get(keyAuthorUpload)
	if raw == "" {
		return Template{}, false
	}
	var t Template
	if err := json.Unmarshal([]byte(raw), &t); err != nil || len(t.Questions) == 0 {
		return Template{}, false
	}
	return t, true
}

// authorOrgChoices lists where the actor may create a survey: the whole
// association (association-wide roles, with every school besides) or
// their own schools.
func (f *Flow) authorOrgChoices(ctx context.Context, c *flows.Context) (association bool, orgs []storage.Organisation, err error) {
	all, ids := c.Actor.Scope(flows.ManageSurveys)
	list, err := f.Store.ListOrganisations(ctx)
	if err != nil {
		return false, nil, fmt.Errorf("survey: list organisations: %w", err)
	}
	for _, o := range list {
		if all || slices.Contains(ids, o.ID) {
			orgs = append(orgs, o)
		}
	}
	return all, orgs, nil
}

// authorAfterSource goes on from the source: the organisation when there
// is a choice, else the audience.
func (f *Flow) authorAfterSource(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if c.Get(keyAuthorOrg) == "" {
		association, orgs, err := f.authorOrgChoices(ctx, c)
		if err != nil {
			return flows.Stay(), err
		}
		switch {
		case !association && len(orgs) == 0:
			return flows.Stay(), flows.ErrForbidden
		case !association && len(orgs) == 1:
			c.SetInt(keyAuthorOrg, orgs[0].ID)
		default:
			return f.authorAskOrg(ctx, c, 1, false)
		}
	}
	if t, ok := authorDraftTemplate(c); ok && c.Get(keyAuthorAudience) == "" {
		if a := storage.Audience(t.Audience); a.Valid() {
			c.Set(keyAuthorAudience, string(a))
		}
	}
	if c.Get(keyAuthorReview) != "" {
		return f.authorSummary(ctx, c)
	}
	return f.authorAskAudience(c)
}

// authorAskOrg asks for which school the survey is; page turns the list
// of schools of an association-wide role. edit redraws the pressed message.
func (f *Flow) authorAskOrg(ctx context.Context, c *flows.Context, page int64, edit bool) (flows.Next, error) {
	association, orgs, err := f.authorOrgChoices(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	from, to, p, count := flows.Pages(int64(len(orgs)), authorPageSize, page)
	var kb bot.Keyboard
	if association && p == 1 {
		kb = append(kb, []bot.Button{c.Button("survey.author.btn.association", flows.CB(cbAuthor, "org", 0))})
	}
	for _, o := range orgs[from:to] {
		kb = append(kb, []bot.Button{{Text: authorOrgName(o), Data: flows.CB(cbAuthor, "org", o.ID)}})
	}
	if row := c.PageNav(p, count, func(n int64) string { return flows.CB(cbAuthor, "orgs", n) }); row != nil {
		kb = append(kb, row)
	}
	kb = append(kb, []bot.Button{c.Button("common.btn.cancel", flows.CB(cbAuthor, "cancel", nil))})
	text := c.T("survey.author.ask_org") + c.PageLine(p, count)
	if edit {
		c.Edit(text, kb)
	} else {
		c.Reply(text, kb)
	}
	return flows.Goto(stepAuthorOrg), nil
}

// authorOrgsPage turns the list of schools: sva:orgs:<page>.
func (f *Flow) authorOrgsPage(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := authorArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if c.Step() != stepAuthorOrg {
		return flows.Stay(), flows.ErrStale
	}
	return f.authorAskOrg(ctx, c, ids[0], true)
}

// authorOrg takes the school, or 0 for the whole association:
// sva:org:<id>.
func (f *Flow) authorOrg(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := authorArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	id := ids[0]
	if !c.Actor.CanIn(flows.ManageSurveys, id) {
		return flows.Stay(), flows.ErrForbidden
	}
	if c.Step() != stepAuthorOrg {
		return flows.Stay(), flows.ErrStale
	}
	name, err := f.authorOrgTitle(ctx, c, id)
	if err != nil {
		return flows.Stay(), err
	}
	c.SetInt(keyAuthorOrg, id)
	c.Edit(c.T("survey.author.org_chosen", "Org", name), nil)
	return f.authorAfterSource(ctx, c)
}

// authorAskAudience asks who answers, offering the template's audience
// first.
func (f *Flow) authorAskAudience(c *flows.Context) (flows.Next, error) {
	a := storage.Audience(c.Get(keyAuthorAudience))
	if !a.Valid() {
		a = storage.AudienceParents
	}
	other := storage.AudienceStudents
	if a == storage.AudienceStudents {
		other = storage.AudienceParents
	}
	kb := bot.Keyboard{
		{c.Button("survey.author.btn.audience_yes."+string(a), flows.CB(cbAuthor, "aud", authorAudienceArg(a)))},
		{c.Button("survey.author.btn.audience_no."+string(other), flows.CB(cbAuthor, "aud", authorAudienceArg(other)))},
	}
	c.Reply(c.T("survey.author.ask_audience", "Audience", c.T("survey.author.audience."+string(a))), kb)
	return flows.Goto(stepAuthorAudience), nil
}

// authorAudience takes the audience: sva:aud:<1 parents|2 students>.
func (f *Flow) authorAudience(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := authorArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	a, ok := authorAudienceOf(ids[0])
	if !ok || c.Step() != stepAuthorAudience {
		return flows.Stay(), flows.ErrStale
	}
	c.Set(keyAuthorAudience, string(a))
	c.Edit(c.T("survey.author.audience_chosen", "Audience", c.T("survey.author.audience."+string(a))), nil)
	if c.Get(keyAuthorReview) != "" {
		return f.authorSummary(ctx, c)
	}
	return f.authorAskClasses(c)
}

// authorAskClasses asks for the classes with their headcounts.
func (f *Flow) authorAskClasses(c *flows.Context) (flows.Next, error) {
	text := c.T("survey.author.ask_classes", "Max", MaxClasses)
	if prev := c.Get(keyAuthorClasses); prev != "" {
		text += "\n\n" + c.T("survey.author.classes_now", "Classes", prev)
	}
	c.Reply(text, nil)
	return flows.Goto(stepAuthorClasses), nil
}

// authorClasses reads the typed classes list. Every mistake is named with
// its item, and the values given before stay.
func (f *Flow) authorClasses(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text, err := authorText(c)
	if err != nil {
		return flows.Stay(), err
	}
	classes, errs := ParseClasses(text)
	if len(errs) > 0 {
		lines := []string{c.L.N("survey.author.classes.errors", len(errs))}
		for _, e := range errs[:min(len(errs), authorMaxErrors)] {
			lines = append(lines, "• "+c.T(e.MsgID, e.Data...))
		}
		if n := len(errs) - authorMaxErrors; n > 0 {
			lines = append(lines, c.L.N("survey.author.classes.errors_more", n))
		}
		lines = append(lines, c.T("survey.author.classes.try_again"))
		c.Reply(strings.Join(lines, "\n"), nil)
		return flows.Stay(), nil
	}
	c.Set(keyAuthorClasses, FormatClasses(classes))
	if c.Get(keyAuthorReview) != "" {
		return f.authorSummary(ctx, c)
	}
	total := 0
	for _, cl := range classes {
		total += cl.Headcount
	}
	c.Reply(c.L.N("survey.author.classes_taken", len(classes), "Pupils", c.L.N("survey.author.pupils", total),
		"Classes", FormatClasses(classes)), nil)
	return f.authorAskDate(c)
}

// authorAskDate asks when the survey closes, offering quick dates with the
// date each means.
func (f *Flow) authorAskDate(c *flows.Context) (flows.Next, error) {
	var row bot.Keyboard
	for i, d := range authorQuickDates(authorDay(c, c.Now)) {
		row = append(row, []bot.Button{{
			Text: c.T(authorDateLabels[i], "Date", c.L.DayMonth(d)),
			Data: flows.CB(cbAuthor, "date", flows.DateKey(d)),
		}})
	}
	c.Reply(c.T("survey.author.ask_date"), row)
	return flows.Goto(stepAuthorDate), nil
}

// authorDateButton takes a quick date: sva:date:<yyyymmdd>.
func (f *Flow) authorDateButton(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := authorArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	d, ok := flows.KeyDate(ids[0], c.L.Location())
	if !ok || c.Step() != stepAuthorDate {
		return flows.Stay(), flows.ErrStale
	}
	if err := authorCheckDate(c, d); err != nil {
		// A button drawn days ago: the date it offers has passed.
		return flows.Stay(), err
	}
	c.Edit(c.T("survey.author.ask_date")+"\n\n"+c.T("survey.author.date_chosen", "Date", c.L.Date(d)), nil)
	return f.authorTakeDate(ctx, c, d)
}

// authorDateTyped reads a typed closing date.
func (f *Flow) authorDateTyped(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text, err := authorText(c)
	if err != nil {
		return flows.Stay(), err
	}
	d, err := flows.ParseDate(text, c.Now, c.L.Location())
	if err != nil {
		return flows.Stay(), err
	}
	if err := authorCheckDate(c, d); err != nil {
		return flows.Stay(), err
	}
	return f.authorTakeDate(ctx, c, d)
}

// authorTakeDate keeps the closing date and shows the summary.
func (f *Flow) authorTakeDate(ctx context.Context, c *flows.Context, d time.Time) (flows.Next, error) {
	c.SetInt(keyAuthorCloses, flows.DateKey(d))
	return f.authorSummary(ctx, c)
}

// authorDraft is the new survey as the session holds it; ok is false when
// a value is missing (the session was lost or is from an older version).
type authorDraft struct {
	template Template
	orgID    int64
	audience storage.Audience
	classes  []storage.SurveyClass
	closes   int64 // yyyymmdd
}

func authorDraftOf(c *flows.Context) (authorDraft, bool) {
	var d authorDraft
	var ok bool
	if d.template, ok = authorDraftTemplate(c); !ok {
		return d, false
	}
	if d.orgID, ok = authorInt(c, keyAuthorOrg); !ok {
		return d, false
	}
	if d.audience = storage.Audience(c.Get(keyAuthorAudience)); !d.audience.Valid() {
		return d, false
	}
	var errs []ClassError
	if d.classes, errs = ParseClasses(c.Get(keyAuthorClasses)); len(errs) > 0 {
		return d, false
	}
	if d.closes, ok = authorInt(c, keyAuthorCloses); !ok {
		return d, false
	}
	return d, true
}

// authorSummary shows the new survey before it is created, with the
// buttons to preview, create, or change a value.
func (f *Flow) authorSummary(ctx context.Context, c *flows.Context) (flows.Next, error) {
	d, ok := authorDraftOf(c)
	if !ok {
		return authorSessionLost(c)
	}
	day, ok := flows.KeyDate(d.closes, c.L.Location())
	if !ok {
		return authorSessionLost(c)
	}
	org, err := f.authorOrgTitle(ctx, c, d.orgID)
	if err != nil {
		return flows.Stay(), err
	}
	source := c.T("survey.author.source_file")
	if d.template.Key != "" {
		source = c.T("survey.author.source_template")
	}
	c.Set(keyAuthorReview, "1")
	text := c.T("survey.author.summary",
		"Title", d.template.Title,
		"Source", source,
		"Org", org,
		"Audience", c.T("survey.author.audience."+string(d.audience)),
		"Questions", len(d.template.Questions),
		"Minutes", c.L.N("survey.author.minutes", authorMinutes(len(d.template.Questions))),
		"Closes", c.L.DateTime(authorClosing(c, day)),
		"Classes", authorClassesText(c, d.classes))
	kb := bot.Keyboard{
		{
			c.Button("survey.author.btn.preview", flows.CB(cbAuthor, "dprev", nil)),
			c.Button("survey.author.btn.create", flows.CB(cbAuthor, "create", nil)),
		},
		{
			c.Button("survey.author.btn.edit_classes", flows.CB(cbAuthor, "edit", editClasses)),
			c.Button("survey.author.btn.edit_date", flows.CB(cbAuthor, "edit", editDate)),
		},
		{c.Button("survey.author.btn.edit_audience", flows.CB(cbAuthor, "edit", editAudience))},
	}
	if association, orgs, err := f.authorOrgChoices(ctx, c); err != nil {
		return flows.Stay(), err
	} else if association || len(orgs) > 1 {
		kb[2] = append(kb[2], c.Button("survey.author.btn.edit_org", flows.CB(cbAuthor, "edit", editOrg)))
	}
	kb = append(kb, []bot.Button{c.Button("common.btn.cancel", flows.CB(cbAuthor, "cancel", nil))})
	c.Reply(text, kb)
	return flows.Goto(stepAuthorSummary), nil
}

// authorEdit goes back from the summary to one value:
// sva:edit:<1 classes|2 date|3 audience|4 organisation>.
func (f *Flow) authorEdit(ctx context.Context, c *flows.Context) (flows.Next, error) {
	ids, err := authorArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if c.Step() != stepAuthorSummary {
		return flows.Stay(), flows.ErrStale
	}
	switch ids[0] {
	case editClasses:
		c.Edit("", nil)
		return f.authorAskClasses(c)
	case editDate:
		c.Edit("", nil)
		return f.authorAskDate(c)
	case editAudience:
		c.Edit("", nil)
		return f.authorAskAudience(c)
	case editOrg:
		c.Edit("", nil)
		return f.authorAskOrg(ctx, c, 1, false)
	}
	return flows.Stay(), flows.ErrStale
}

// authorDraftPreview shows the new survey as respondents will see it,
// before it is created: sva:dprev:.
func (f *Flow) authorDraftPreview(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if c.Callback.Arg != "" || c.Step() != stepAuthorSummary {
		return flows.Stay(), flows.ErrStale
	}
	d, ok := authorDraftOf(c)
	if !ok {
		return authorSessionLost(c)
	}
	text := authorPreviewText(c, d.template.Title, d.template.Intro, d.audience, d.template.Questions) +
		"\n\n" + c.T("survey.author.preview_not_created")
	c.Reply(text, bot.Keyboard{{c.Button("survey.author.btn.create", flows.CB(cbAuthor, "create", nil))}})
	return flows.Stay(), nil
}

// authorCreate saves the new survey as a draft: sva:create:.
func (f *Flow) authorCreate(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if c.Callback.Arg != "" || c.Step() != stepAuthorSummary {
		return flows.Stay(), flows.ErrStale
	}
	d, ok := authorDraftOf(c)
	if !ok {
		return authorSessionLost(c)
	}
	// The right is checked again: a role may have been taken away since
	// the school was chosen.
	if !c.Actor.CanIn(flows.ManageSurveys, d.orgID) {
		return flows.Stay(), flows.ErrForbidden
	}
	day, ok := flows.KeyDate(d.closes, c.L.Location())
	if !ok {
		return authorSessionLost(c)
	}
	if err := authorCheckDate(c, day); err != nil {
		// The summary waited past its date: ask for a new one.
		c.Say("survey.author.date_expired")
		return f.authorAskDate(c)
	}
	sv, classes, err := f.Store.CreateSurvey(ctx, c.Actor.PersonID(), storage.Survey{
		OrgID:       d.orgID,
		Title:       d.template.Title,
		Audience:    d.audience,
		TemplateKey: d.template.Key,
		Intro:       d.template.Intro,
		Questions:   d.template.Questions,
		ClosesAt:    authorClosing(c, day),
	}, d.classes)
	if errors.Is(err, storage.ErrNotFound) {
		// The school was removed while the survey was being written.
		return flows.Stay(), flows.ErrStale
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("survey: create survey: %w", err)
	}
	c.Edit("", nil)
	text, kb, err := f.authorCardView(ctx, c, sv, classes)
	if err != nil {
		return flows.Stay(), err
	}
	c.Say("survey.author.created")
	c.Reply(text, kb)
	return flows.End(), nil
}
