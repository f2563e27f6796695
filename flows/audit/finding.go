package audit

// Logging a finding, quickly: kind → requirement (optional) → description
// (the finding is stored here) → photos, attached as they arrive → place
// (optional). An album reaches the bot as one update per photo, in any
// order, all with one media_group_id; each photo is stored at the position
// of its message, so the album keeps the order it was taken in, and only
// the first update of a group is answered.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// pressAdd starts a finding: its kind.
func (f *Flow) pressAdd(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	a, err := f.loadAudit(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	var kb bot.Keyboard
	for i, k := range storage.FindingKinds() {
		kb = append(kb, []bot.Button{c.Button("audit.kind."+string(k), flows.CB(cb, actKind, fmt.Sprintf("%d.%d", a.ID, i)))})
	}
	c.Reply(c.T("audit.ask_kind", "Number", auditNumber(a)), kb)
	return flows.End(), nil
}

// pressKind takes the new finding's kind and asks for the requirement.
func (f *Flow) pressKind(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	k, ok := kindAt(v[1])
	if !ok {
		return flows.Stay(), flows.ErrStale
	}
	a, err := f.loadAudit(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	c.SetInt(keyAudit, a.ID)
	c.Set(keyKind, string(k))
	c.Edit(c.T("audit.kind_chosen", "Kind", c.T("audit.kind."+string(k))), nil)
	c.Reply(c.T("audit.ask_req"), bot.Keyboard{{c.Button("audit.btn.skip", flows.CB(cb, actNoReq, a.ID))}})
	return flows.Goto(stepReq), nil
}

// newAudit is the audit of the finding being started, from the session;
// ok is false when the step no longer applies (the person is told).
func (f *Flow) newAudit(ctx context.Context, c *flows.Context) (storage.Audit, bool, error) {
	a, err := f.loadAudit(ctx, c, c.GetInt(keyAudit))
	switch {
	case errors.Is(err, flows.ErrStale), errors.Is(err, flows.ErrForbidden):
		c.Say("audit.step_gone")
		return a, false, nil
	case err != nil:
		return a, false, err
	}
	return a, true, nil
}

// pressNoReq skips the requirement.
func (f *Flow) pressNoReq(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if c.Step() != stepReq || c.GetInt(keyAudit) != v[0] {
		return flows.Stay(), flows.ErrStale
	}
	if _, err := f.loadAudit(ctx, c, v[0]); err != nil {
		return flows.Stay(), err
	}
	c.Set(keyReq, "")
	c.Edit(c.T("audit.req_skipped"), nil)
	c.Say("audit.ask_desc")
	return flows.Goto(stepDesc), nil
}

// inputReq takes the requirement.
func (f *Flow) inputReq(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if _, ok, err := f.newAudit(ctx, c); err != nil || !ok {
		return flows.End(), err
	}
	s, ok, err := text(c, maxRequirement)
	if err != nil {
		return flows.Stay(), err
	}
	if !ok {
		return flows.Stay(), flows.Invalid("audit.req_what")
	}
	c.Set(keyReq, s)
	c.Say("audit.ask_desc")
	return flows.Goto(stepDesc), nil
}

// inputDesc takes the description and stores the finding.
func (f *Flow) inputDesc(ctx context.Context, c *flows.Context) (flows.Next, error) {
	a, ok, err := f.newAudit(ctx, c)
	if err != nil || !ok {
		return flows.End(), err
	}
	var voice []byte
	s, ok, err := text(c, maxDescription)
	switch {
	case err != nil:
		return flows.Stay(), err
	case !ok && c.Update.Voice != nil:
		// A description spoken on site is kept as it was said: the
		// recording is attached, and the text says so.
		if voice, err = f.voice(ctx, c.Update.Voice); err != nil {
			return flows.Stay(), err
		}
		s = c.T("audit.voice_description")
	case !ok:
		return flows.Stay(), flows.Invalid("audit.desc_what")
	}
	fd, err := f.Store.AddFinding(ctx, c.Actor.PersonID(), storage.Finding{
		AuditID: a.ID, Kind: storage.FindingKind(c.Get(keyKind)), Requirement: c.Get(keyReq),
		Description: s, CreatedBy: c.Actor.PersonID(),
	})
	if errors.Is(err, storage.ErrConflict) {
		c.Say("audit.step_gone")
		return flows.End(), nil
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("audit: add finding to %d: %w", a.ID, err)
	}
	if voice != nil {
		att, err := f.Store.SaveAttachment(ctx, voice, "", "audio/ogg")
		if err != nil {
			return flows.Stay(), fmt.Errorf("audit: save voice of finding %d: %w", fd.ID, err)
		}
		if err := f.Store.AttachToFinding(ctx, c.Actor.PersonID(), fd.ID, att.ID, storage.AttachVoice, c.Update.MessageID); err != nil {
			return flows.Stay(), fmt.Errorf("audit: attach voice to finding %d: %w", fd.ID, err)
		}
	}
	c.Clear()
	c.SetInt(keyFinding, fd.ID)
	c.Reply(c.T("audit.ask_photos", "Number", findingNumber(c, fd), "Max", maxPhotos),
		bot.Keyboard{{c.Button("audit.btn.next", flows.CB(cb, actPhotosEnd, fd.ID))}})
	return flows.Goto(stepPhotos), nil
}

// voice downloads a voice message and checks it is one: Telegram sends
// voice as OGG/Opus.
func (f *Flow) voice(ctx context.Context, v *bot.File) ([]byte, error) {
	if v.Size > storage.MaxAttachmentSize {
		return nil, flows.Invalid("audit.voice_too_big")
	}
	if f.Files == nil {
		return nil, errors.New("audit: no file downloader")
	}
	data, err := f.Files.Download(ctx, v.ID)
	if errors.Is(err, bot.ErrFileTooLarge) || len(data) > storage.MaxAttachmentSize {
		return nil, flows.Invalid("audit.voice_too_big")
	}
	if err != nil {
		return nil, fmt.Errorf("audit: download voice: %w", err)
	}
	if kind := http.DetectContentType(data); kind != "application/ogg" && kind != "audio/ogg" {
		return nil, flows.Invalid("audit.voice_not_audio")
	}
	return data, nil
}

// stepFinding is the finding the session's step is about; ok is false
// when the step no longer applies (the person is told).
func (f *Flow) stepFinding(ctx context.Context, c *flows.Context) (storage.Finding, bool, error) {
	fd, _, err := f.loadFinding(ctx, c, c.GetInt(keyFinding))
	switch {
	case errors.Is(err, flows.ErrStale), errors.Is(err, flows.ErrForbidden):
		c.Say("audit.step_gone")
		return fd, false, nil
	case err != nil:
		return fd, false, err
	}
	return fd, true, nil
}

// inputPhoto stores a photo (or an image sent as a file) of the finding.
func (f *Flow) inputPhoto(ctx context.Context, c *flows.Context) (flows.Next, error) {
	fd, ok, err := f.stepFinding(ctx, c)
	if err != nil || !ok {
		return flows.End(), err
	}
	u := c.Update
	file := u.Photo
	if file == nil {
		file = u.Document
	}
	if file == nil {
		return flows.Stay(), flows.Invalid("audit.photos_what")
	}
	if file.Size > storage.MaxAttachmentSize {
		return flows.Stay(), flows.Invalid("audit.photo_too_big")
	}
	have, err := f.Store.FindingAttachments(ctx, fd.ID, false)
	if err != nil {
		return flows.Stay(), fmt.Errorf("audit: attachments of %d: %w", fd.ID, err)
	}
	if len(have) >= maxPhotos {
		return flows.Stay(), flows.Invalid("audit.photo_too_many", "Max", maxPhotos)
	}
	if f.Files == nil {
		return flows.Stay(), errors.New("audit: no file downloader")
	}
	data, err := f.Files.Download(ctx, file.ID)
	if errors.Is(err, bot.ErrFileTooLarge) {
		return flows.Stay(), flows.Invalid("audit.photo_too_big")
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("audit: download for finding %d: %w", fd.ID, err)
	}
	if len(data) > storage.MaxAttachmentSize {
		return flows.Stay(), flows.Invalid("audit.photo_too_big")
	}
	mime := http.DetectContentType(data)
	if mime != "image/jpeg" && mime != "image/png" {
		return flows.Stay(), flows.Invalid("audit.photo_not_image")
	}
	name := ""
	if u.Document != nil {
		name = u.Document.Name
	}
	att, err := f.Store.SaveAttachment(ctx, data, name, mime)
	if err != nil {
		return flows.Stay(), fmt.Errorf("audit: save photo of finding %d: %w", fd.ID, err)
	}
	// The message id orders photos as they were sent, whatever order an
	// album's updates arrive in.
	if err := f.Store.AttachToFinding(ctx, c.Actor.PersonID(), fd.ID, att.ID, storage.AttachPhoto, u.MessageID); err != nil {
		if errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrNotFound) {
			c.Say("audit.step_gone")
			return flows.End(), nil
		}
		return flows.Stay(), fmt.Errorf("audit: attach to finding %d: %w", fd.ID, err)
	}
	if u.MediaGroupID != "" {
		if c.Get(keyGroup) == u.MediaGroupID {
			return flows.Stay(), nil
		}
		c.Set(keyGroup, u.MediaGroupID)
	}
	id := "audit.got_photo"
	if u.MediaGroupID != "" {
		id = "audit.got_album"
	}
	c.Reply(c.T(id), bot.Keyboard{{c.Button("audit.btn.next", flows.CB(cb, actPhotosEnd, fd.ID))}})
	return flows.Stay(), nil
}

// pressPhotosEnd ends the photos and asks for the place.
func (f *Flow) pressPhotosEnd(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if c.Step() != stepPhotos || c.GetInt(keyFinding) != v[0] {
		return flows.Stay(), flows.ErrStale
	}
	if _, _, err := f.loadFinding(ctx, c, v[0]); err != nil {
		return flows.Stay(), err
	}
	c.Reply(c.T("audit.ask_place"), bot.Keyboard{{c.Button("audit.btn.skip", flows.CB(cb, actNoPlace, v[0]))}})
	return flows.Goto(stepPlace), nil
}

// inputPlace takes the place and shows the finding saved.
func (f *Flow) inputPlace(ctx context.Context, c *flows.Context) (flows.Next, error) {
	fd, ok, err := f.stepFinding(ctx, c)
	if err != nil || !ok {
		return flows.End(), err
	}
	s, ok, err := text(c, maxPlace)
	if err != nil {
		return flows.Stay(), err
	}
	if !ok {
		return flows.Stay(), flows.Invalid("audit.place_what")
	}
	fd.Place = s
	if fd, err = f.Store.UpdateFinding(ctx, c.Actor.PersonID(), fd); err != nil {
		return flows.Stay(), fmt.Errorf("audit: place of finding %d: %w", fd.ID, err)
	}
	return f.saved(ctx, c, fd)
}

// pressNoPlace skips the place.
func (f *Flow) pressNoPlace(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	if c.Step() != stepPlace || c.GetInt(keyFinding) != v[0] {
		return flows.Stay(), flows.ErrStale
	}
	fd, _, err := f.loadFinding(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	return f.saved(ctx, c, fd)
}

// saved shows the finding as stored, with the way to the next one.
func (f *Flow) saved(ctx context.Context, c *flows.Context, fd storage.Finding) (flows.Next, error) {
	text, err := f.findingText(ctx, c, fd)
	if err != nil {
		return flows.End(), err
	}
	c.Reply(c.T("audit.saved")+"\n\n"+text, bot.Keyboard{
		{c.Button("audit.btn.add_more", flows.CB(cb, actAdd, fd.AuditID))},
		{c.Button("audit.btn.to_audit", flows.CB(cb, actCard, fd.AuditID))},
	})
	return flows.End(), nil
}

// findingLine is a finding in a list: «Н-1 · несоответствие значительное —
// description».
func (f *Flow) findingLine(c *flows.Context, fd storage.Finding) string {
	return c.T("audit.line", "Number", findingNumber(c, fd), "Kind", c.T("audit.kind."+string(fd.Kind)),
		"Text", clip(fd.Description, 120))
}

// findingText is the card of a finding.
func (f *Flow) findingText(ctx context.Context, c *flows.Context, fd storage.Finding) (string, error) {
	atts, err := f.Store.FindingAttachments(ctx, fd.ID, false)
	if err != nil {
		return "", fmt.Errorf("audit: attachments of %d: %w", fd.ID, err)
	}
	photos := 0
	for _, a := range atts {
		if a.Kind == storage.AttachPhoto {
			photos++
		}
	}
	parts := []string{c.T("audit.finding_head", "Number", findingNumber(c, fd), "Kind", c.T("audit.kind."+string(fd.Kind)))}
	if fd.Requirement != "" {
		parts = append(parts, c.T("audit.finding_req", "Req", fd.Requirement))
	}
	parts = append(parts, fd.Description)
	if fd.Place != "" {
		parts = append(parts, c.T("audit.finding_place", "Place", fd.Place))
	}
	parts = append(parts, c.L.N("audit.finding_photos", photos))
	return strings.Join(parts, "\n"), nil
}

// pressList shows a page of the audit's findings.
func (f *Flow) pressList(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	a, err := f.loadAudit(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	fs, err := f.Store.ListFindings(ctx, a.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("audit: findings of %d: %w", a.ID, err)
	}
	back := []bot.Button{c.Button("audit.btn.to_audit", flows.CB(cb, actCard, a.ID))}
	if len(fs) == 0 {
		c.Edit(c.T("audit.list_empty", "Number", auditNumber(a)), bot.Keyboard{
			{c.Button("audit.btn.add", flows.CB(cb, actAdd, a.ID))}, back})
		return flows.Stay(), nil
	}
	from, to, p, count := flows.Pages(int64(len(fs)), pageSize, v[1])
	lines := []string{c.T("audit.list_head", "Number", auditNumber(a)) + "\n" + summary(c, fs)}
	var kb bot.Keyboard
	for _, fd := range fs[from:to] {
		lines = append(lines, f.findingLine(c, fd))
		kb = append(kb, []bot.Button{{
			Text: findingNumber(c, fd) + " · " + clip(fd.Description, buttonText),
			Data: flows.CB(cb, actFinding, fd.ID),
		}})
	}
	if row := c.PageNav(p, count, func(n int64) string { return flows.CB(cb, actList, fmt.Sprintf("%d.%d", a.ID, n)) }); row != nil {
		kb = append(kb, row)
	}
	kb = append(kb, back)
	c.Edit(strings.Join(lines, "\n\n")+c.PageLine(p, count), kb)
	return flows.Stay(), nil
}

// pressFinding shows a finding's card with its buttons.
func (f *Flow) pressFinding(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	fd, _, err := f.loadFinding(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	text, err := f.findingText(ctx, c, fd)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, findingButtons(c, fd))
	return flows.Stay(), nil
}

// pressEdit asks what to change.
func (f *Flow) pressEdit(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	fd, _, err := f.loadFinding(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	field := func(label string, n int) bot.Button {
		return c.Button(label, flows.CB(cb, actEditField, fmt.Sprintf("%d.%d", fd.ID, n)))
	}
	c.Edit(c.T("audit.ask_field", "Number", findingNumber(c, fd)), bot.Keyboard{
		{field("audit.btn.f_kind", fieldKind), field("audit.btn.f_req", fieldReq)},
		{field("audit.btn.f_desc", fieldDesc), field("audit.btn.f_place", fieldPlace)},
		{c.Button("common.btn.back", flows.CB(cb, actFinding, fd.ID))},
	})
	return flows.Stay(), nil
}

// pressEditField asks for the new kind (buttons) or a new value (typed).
func (f *Flow) pressEditField(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	fd, _, err := f.loadFinding(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	switch v[1] {
	case fieldKind:
		var kb bot.Keyboard
		for i, k := range storage.FindingKinds() {
			kb = append(kb, []bot.Button{c.Button("audit.kind."+string(k), flows.CB(cb, actEditKind, fmt.Sprintf("%d.%d", fd.ID, i)))})
		}
		c.Edit(c.T("audit.ask_new_kind", "Number", findingNumber(c, fd)), kb)
		return flows.Stay(), nil
	case fieldReq, fieldDesc, fieldPlace:
		c.Clear()
		c.SetInt(keyFinding, fd.ID)
		c.SetInt(keyField, v[1])
		c.Reply(c.T(fmt.Sprintf("audit.ask_new_%d", v[1]), "Number", findingNumber(c, fd)), nil)
		return flows.Goto(stepEdit), nil
	}
	return flows.Stay(), flows.ErrStale
}

// pressEditKind changes the kind; a kind of another class takes the next
// number of that class.
func (f *Flow) pressEditKind(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	k, ok := kindAt(v[1])
	if !ok {
		return flows.Stay(), flows.ErrStale
	}
	fd, _, err := f.loadFinding(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	fd.Kind = k
	return f.update(ctx, c, fd)
}

// inputEdit takes a new requirement, description or place; «-» clears an
// optional one.
func (f *Flow) inputEdit(ctx context.Context, c *flows.Context) (flows.Next, error) {
	fd, ok, err := f.stepFinding(ctx, c)
	if err != nil || !ok {
		return flows.End(), err
	}
	field := c.GetInt(keyField)
	max := map[int64]int{fieldReq: maxRequirement, fieldDesc: maxDescription, fieldPlace: maxPlace}[field]
	s, ok, err := text(c, max)
	if err != nil {
		return flows.Stay(), err
	}
	if !ok {
		return flows.Stay(), flows.Invalid("audit.edit_what")
	}
	if s == "-" && field != fieldDesc {
		s = ""
	}
	switch field {
	case fieldReq:
		fd.Requirement = s
	case fieldDesc:
		fd.Description = s
	case fieldPlace:
		fd.Place = s
	default:
		return flows.End(), flows.ErrStale
	}
	next, err := f.update(ctx, c, fd)
	if err != nil {
		return next, err
	}
	return flows.End(), nil
}

// update stores the changed finding and shows its card.
func (f *Flow) update(ctx context.Context, c *flows.Context, fd storage.Finding) (flows.Next, error) {
	fd, err := f.Store.UpdateFinding(ctx, c.Actor.PersonID(), fd)
	if errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrNotFound) {
		return flows.Stay(), flows.ErrStale
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("audit: update finding %d: %w", fd.ID, err)
	}
	text, err := f.findingText(ctx, c, fd)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(c.T("audit.changed")+"\n\n"+text, findingButtons(c, fd))
	return flows.Stay(), nil
}

// pressDelete asks to confirm the deletion.
func (f *Flow) pressDelete(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	fd, _, err := f.loadFinding(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(c.T("audit.ask_delete", "Number", findingNumber(c, fd), "Text", clip(fd.Description, 200)), bot.Keyboard{
		{c.Button("audit.btn.delete_yes", flows.CB(cb, actDeleteOK, fd.ID))},
		{c.Button("common.btn.back", flows.CB(cb, actFinding, fd.ID))},
	})
	return flows.Stay(), nil
}

// pressDeleteOK deletes the finding (kept in the log, its number not given
// again).
func (f *Flow) pressDeleteOK(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	fd, _, err := f.loadFinding(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	err = f.Store.DeleteFinding(ctx, c.Actor.PersonID(), fd.ID)
	if errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrNotFound) {
		return flows.Stay(), flows.ErrStale
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("audit: delete finding %d: %w", fd.ID, err)
	}
	c.Edit(c.T("audit.deleted", "Number", findingNumber(c, fd)), bot.Keyboard{
		{c.Button("audit.btn.to_list", flows.CB(cb, actList, fmt.Sprintf("%d.1", fd.AuditID)))},
	})
	return flows.Stay(), nil
}

// findingButtons are the buttons of a finding's card while its audit is
// open: change, delete, back to the list.
func findingButtons(c *flows.Context, fd storage.Finding) bot.Keyboard {
	return bot.Keyboard{
		{c.Button("audit.btn.edit", flows.CB(cb, actEdit, fd.ID)), c.Button("audit.btn.delete", flows.CB(cb, actDelete, fd.ID))},
		{c.Button("audit.btn.to_list", flows.CB(cb, actList, fmt.Sprintf("%d.1", fd.AuditID)))},
	}
}
