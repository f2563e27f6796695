package tasks

// Reporting a task: «Выполнено» opens (or resumes) a draft, and whatever
// the person sends next — a comment, photos, documents, links, in any order
// — is saved in it the moment it arrives. «Отправить отчёт» sends the draft
// to the quality managers, with the files themselves.
//
// An album reaches the bot as one update per photo, all with one
// media_group_id, handled one after another (the dispatcher keeps a chat's
// updates in order). Each photo is saved, but only the first of a group is
// answered, so the person gets one reply per album rather than one per
// photo: the first is the one whose group the draft has not seen yet.

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// Kinds of evidence, as stored.
const (
	mineEvidencePhoto    = "photo"
	mineEvidenceDocument = "document"
	mineEvidenceLink     = "link"
)

// mineStartReport is «📎 Выполнено»: it opens the task's draft report and
// asks for the comment and evidence.
func (f *Flow) mineStartReport(ctx context.Context, c *flows.Context) (flows.Next, error) {
	w, _, err := f.minePress(ctx, c, 0, mineOpenStatus)
	if err != nil {
		return flows.Stay(), err
	}
	r, err := f.Store.DraftReport(ctx, w.t.ID, w.a.PersonID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("tasks: draft report of %d: %w", w.t.ID, err)
	}
	c.Clear()
	c.SetInt(mineKeyTask, w.t.ID)
	c.SetInt(mineKeyCard, int64(c.Update.Callback.MessageID))
	parts := []string{c.T("tasks.mine.report_ask", "Title", w.t.Title)}
	if w.t.EvidenceRequired {
		parts = append(parts, c.T("tasks.mine.report_ask_required"))
	}
	if s := mineDraftSummary(c, r); s != "" {
		parts = append(parts, s)
	}
	c.Reply(strings.Join(parts, "\n\n"), bot.Keyboard{
		{c.Button("tasks.mine.btn.send", flows.CB(cbMine, mineSend, w.t.ID))},
		{c.Button("common.btn.cancel", flows.CB(cbMine, mineCancel, w.t.ID))},
	})
	return flows.Goto(stepMineReport), nil
}

// mineReportInput saves what the person sent into the draft: a photo or a
// document as evidence (its caption as comment), a text with links as link
// evidence, any other text as the comment.
func (f *Flow) mineReportInput(ctx context.Context, c *flows.Context) (flows.Next, error) {
	w, ok, err := f.mineStepWork(ctx, c)
	if err != nil || !ok {
		return flows.End(), err
	}
	r, err := f.Store.DraftReport(ctx, w.t.ID, w.a.PersonID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("tasks: draft report of %d: %w", w.t.ID, err)
	}
	u := c.Update
	text := strings.TrimSpace(u.Text)
	var added []storage.Evidence
	switch {
	case u.Photo != nil:
		added = append(added, storage.Evidence{Kind: mineEvidencePhoto, FileID: u.Photo.ID, MediaGroupID: u.MediaGroupID})
	case u.Document != nil:
		added = append(added, storage.Evidence{Kind: mineEvidenceDocument, FileID: u.Document.ID,
			Name: u.Document.Name, MediaGroupID: u.MediaGroupID})
	case text != "":
		var links []string
		links, text = mineLinks(text)
		for _, l := range links {
			added = append(added, storage.Evidence{Kind: mineEvidenceLink, Name: l})
		}
	default:
		return flows.Stay(), flows.Invalid("tasks.mine.report_what")
	}
	if len(r.Evidence)+len(added) > mineMaxEvidence {
		return flows.Stay(), flows.Invalid("tasks.mine.report_too_much", "Max", mineMaxEvidence)
	}
	comment := r.Comment
	if text != "" {
		comment = strings.TrimSpace(comment + "\n" + text)
		if utf8.RuneCountInString(comment) > mineMaxComment {
			return flows.Stay(), flows.Invalid("tasks.mine.comment_long", "Max", mineMaxComment)
		}
	}
	// Only the first file of an album is answered: the draft has seen
	// nothing of its group yet.
	answer := u.MediaGroupID == ""
	if !answer {
		answer = true
		for _, e := range r.Evidence {
			if e.MediaGroupID == u.MediaGroupID {
				answer = false
				break
			}
		}
	}
	for _, e := range added {
		e.ReportID = r.ID
		saved, err := f.Store.AddEvidence(ctx, r.ID, e)
		if err != nil {
			return flows.Stay(), fmt.Errorf("tasks: evidence for report %d: %w", r.ID, err)
		}
		r.Evidence = append(r.Evidence, saved)
	}
	if comment != r.Comment {
		r.Comment = comment
		if err := f.Store.UpdateReport(ctx, r); err != nil {
			return flows.Stay(), fmt.Errorf("tasks: comment of report %d: %w", r.ID, err)
		}
	}
	if !answer {
		return flows.Stay(), nil
	}
	var got string
	switch {
	case u.MediaGroupID != "":
		got = c.T("tasks.mine.got_album")
	case u.Photo != nil:
		got = c.L.N("tasks.mine.got_photos", mineCount(r.Evidence, mineEvidencePhoto))
	case u.Document != nil:
		got = c.T("tasks.mine.got_document", "Name", mineDocName(c, u.Document.Name))
	case len(added) > 0:
		got = c.L.N("tasks.mine.got_links", len(added))
	default:
		got = c.T("tasks.mine.got_comment")
	}
	c.Reply(got+"\n"+c.T("tasks.mine.got_more"), bot.Keyboard{
		{c.Button("tasks.mine.btn.send", flows.CB(cbMine, mineSend, w.t.ID))},
	})
	return flows.Stay(), nil
}

// mineSendReport is «📤 Отправить отчёт»: the draft goes to the managers
// (refused while required evidence is missing) and the card shows it sent.
func (f *Flow) mineSendReport(ctx context.Context, c *flows.Context) (flows.Next, error) {
	w, _, err := f.minePress(ctx, c, 0, mineOpenStatus)
	if err != nil {
		return flows.Stay(), err
	}
	r, err := f.Store.DraftReport(ctx, w.t.ID, w.a.PersonID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("tasks: draft report of %d: %w", w.t.ID, err)
	}
	switch {
	case w.t.EvidenceRequired && len(r.Evidence) == 0:
		return flows.Stay(), flows.Invalid("tasks.mine.evidence_needed")
	case len(r.Evidence) == 0 && strings.TrimSpace(r.Comment) == "":
		// An empty report tells the manager nothing; the store refuses it.
		return flows.Stay(), flows.Invalid("tasks.mine.report_empty")
	}
	if err := f.Store.SubmitReport(ctx, r.ID); err != nil {
		return flows.Stay(), fmt.Errorf("tasks: submit report %d: %w", r.ID, err)
	}
	// The assignment as the store left it: done, reminders stopped.
	if w, err = f.mineFind(ctx, c, w.t.ID, mineAnyStatus); err != nil {
		return flows.Stay(), err
	}
	summary := mineEvidenceSummary(c, r.Evidence)
	if summary == "" {
		summary = c.T("tasks.mine.sent_nothing")
	}
	c.Edit(c.T("tasks.mine.sent", "Title", w.t.Title, "Evidence", summary), nil)
	ours := c.GetInt(mineKeyTask) == w.t.ID && strings.HasPrefix(c.Step(), "tasks:mine_")
	if card := c.GetInt(mineKeyCard); ours && card != 0 && int(card) != c.Update.Callback.MessageID {
		text, kb, err := f.mineCard(ctx, c, w)
		if err != nil {
			return flows.Stay(), err
		}
		c.Send(bot.Edit{ChatID: c.Chat(), MessageID: int(card), Text: text, Buttons: kb})
	}
	if err := f.mineTellManagers(ctx, c, w.t, func(chatID int64) []bot.Message {
		return mineReportMessages(c, w.t, r, chatID)
	}); err != nil {
		return flows.Stay(), err
	}
	if ours {
		return flows.End(), nil
	}
	return flows.Stay(), nil
}

// mineReportMessages is a sent report as a quality manager receives it:
// the text with a button to open it on their side, then the photos as
// albums and the documents one by one.
func mineReportMessages(c *flows.Context, t storage.Task, r storage.Report, chatID int64) []bot.Message {
	parts := []string{c.T("tasks.mine.mgr_report", "Title", t.Title, "Name", c.Actor.Person.FullName, "Due", mineDue(c, t))}
	if s := strings.TrimSpace(r.Comment); s != "" {
		parts = append(parts, c.T("tasks.mine.mgr_report_comment", "Comment", s))
	}
	summary := mineEvidenceSummary(c, r.Evidence)
	if summary == "" {
		summary = c.T("tasks.mine.mgr_report_no_evidence")
	}
	parts = append(parts, c.T("tasks.mine.mgr_report_evidence", "Evidence", summary))
	var links []string
	for _, e := range r.Evidence {
		if e.Kind == mineEvidenceLink {
			links = append(links, e.Name)
		}
	}
	if len(links) > 0 {
		parts = append(parts, strings.Join(links, "\n"))
	}
	msgs := []bot.Message{bot.Text{ChatID: chatID, Text: strings.Join(parts, "\n\n"), DisablePreview: true, Buttons: bot.Keyboard{{
		c.Button("tasks.mine.btn.mgr_report", flows.CB(cbManage, "rep", fmt.Sprintf("%d.%d", t.ID, r.PersonID))),
	}}}}
	caption := c.T("tasks.mine.evidence_caption", "Title", t.Title, "Name", c.Actor.Person.FullName)
	var photos []bot.Photo
	for _, e := range r.Evidence {
		if e.Kind == mineEvidencePhoto {
			photos = append(photos, bot.Photo{ChatID: chatID, FileID: e.FileID})
		}
	}
	for len(photos) > 0 {
		n := min(len(photos), mineAlbum)
		chunk := photos[:n]
		photos = photos[n:]
		chunk[0].Caption = caption
		if n == 1 {
			msgs = append(msgs, chunk[0])
			continue
		}
		msgs = append(msgs, bot.Album{ChatID: chatID, Photos: chunk})
	}
	for _, e := range r.Evidence {
		if e.Kind == mineEvidenceDocument {
			msgs = append(msgs, bot.Document{ChatID: chatID, FileID: e.FileID, Name: e.Name, Caption: caption})
		}
	}
	return msgs
}

// mineCancel leaves the report or the request being written. A report's
// draft stays: «Выполнено» picks it up again.
func (f *Flow) mineCancel(ctx context.Context, c *flows.Context) (flows.Next, error) {
	w, _, err := f.minePress(ctx, c, 0, mineOpenStatus)
	if err != nil {
		return flows.Stay(), err
	}
	if c.GetInt(mineKeyTask) != w.t.ID || !strings.HasPrefix(c.Step(), "tasks:mine_") {
		// The conversation this button belonged to is over already.
		c.Edit("", nil)
		return flows.Stay(), flows.ErrStale
	}
	msg := "tasks.mine.cancelled"
	if c.Step() == stepMineReport {
		msg = "tasks.mine.cancelled_report"
	}
	c.Edit(c.T(msg), nil)
	return flows.End(), nil
}

// mineLinks takes the http(s) links out of a text: the links, and what is
// left of the text, tidied.
func mineLinks(text string) (links []string, rest string) {
	var words []string
	for _, line := range strings.Split(text, "\n") {
		var kept []string
		for _, w := range strings.Fields(line) {
			lw := strings.ToLower(w)
			if i := max(strings.Index(lw, "http://"), strings.Index(lw, "https://")); i >= 0 {
				// Punctuation typed around a link is not part of it.
				link := strings.TrimRight(w[i:], ".,;:!?)»\"'")
				if len(link) > len("https://") {
					links = append(links, link)
					if pre := strings.TrimSpace(w[:i]); pre != "" {
						kept = append(kept, pre)
					}
					continue
				}
			}
			kept = append(kept, w)
		}
		if len(kept) > 0 {
			words = append(words, strings.Join(kept, " "))
		}
	}
	return links, strings.Join(words, "\n")
}

// mineCount counts the evidence of one kind.
func mineCount(es []storage.Evidence, kind string) int {
	n := 0
	for _, e := range es {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// mineEvidenceSummary is «3 фото, 1 документ, 2 ссылки», or "" for none.
func mineEvidenceSummary(c *flows.Context, es []storage.Evidence) string {
	var parts []string
	for _, k := range []struct{ kind, id string }{
		{mineEvidencePhoto, "tasks.mine.n_photos"},
		{mineEvidenceDocument, "tasks.mine.n_documents"},
		{mineEvidenceLink, "tasks.mine.n_links"},
	} {
		if n := mineCount(es, k.kind); n > 0 {
			parts = append(parts, c.L.N(k.id, n))
		}
	}
	return strings.Join(parts, ", ")
}

// mineDraftSummary tells what a resumed draft holds already, or "".
func mineDraftSummary(c *flows.Context, r storage.Report) string {
	evidence := mineEvidenceSummary(c, r.Evidence)
	comment := strings.TrimSpace(r.Comment) != ""
	switch {
	case evidence != "" && comment:
		return c.T("tasks.mine.draft_both", "Evidence", evidence)
	case evidence != "":
		return c.T("tasks.mine.draft_evidence", "Evidence", evidence)
	case comment:
		return c.T("tasks.mine.draft_comment")
	}
	return ""
}

// mineDocName is a document's name for a reply, or a placeholder when
// Telegram gave none.
func mineDocName(c *flows.Context, name string) string {
	if name = strings.TrimSpace(name); name == "" {
		return c.T("tasks.mine.document_unnamed")
	}
	return mineClip(name, mineButtonTitle)
}
