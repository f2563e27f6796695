package association

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// Actions of the director's application (annex A).
const (
	mbNew    = "new"    // mb:new:<kind>             a new application (or the open draft)
	mbCont   = "cont"   // mb:cont:<app>             continue the draft
	mbGround = "ground" // mb:ground:<app>.<ground>  a member's ground
	mbDoc    = "doc"    // mb:doc:<app>.<doc>.<0|1>  a candidate's document: no or yes
	mbNext   = "next"   // mb:next:<app>             files given: the next question
	mbRec    = "rec"    // mb:rec:<app>.<person|0>   the recommender, or none
	mbDocs   = "docs"   // mb:docs:<app>             supporting documents done
	mbSend   = "send"   // mb:send:<app>             submit
	mbDrop   = "drop"   // mb:drop:<app>             withdraw (a draft, or one not on an agenda)
)

// Steps of the application.
const (
	stepMbAddress = "association:mb.address" // the legal address
	stepMbFiles   = "association:mb.files"   // files of one document
	stepMbRec     = "association:mb.rec"     // a name to find the recommender by
	stepMbReason  = "association:mb.reason"  // why the school leaves
)

// Kinds, grounds and documents in callback data.
const (
	kindMember    = 1
	kindCandidate = 2
	kindLeave     = 3
)

var (
	kindCodes = map[int64]storage.MembershipKind{kindMember: storage.KindMember, kindCandidate: storage.KindCandidate,
		kindLeave: storage.KindLeave}
	groundCodes = map[int64]storage.MembershipGround{1: storage.GroundCertified, 2: storage.GroundImplemented,
		3: storage.GroundImplementing}
	docCodes = map[int64]storage.ApplicationDoc{1: storage.DocOrder, 2: storage.DocPlan, 3: storage.DocTrained,
		4: storage.DocSupport}
)

func docCode(d storage.ApplicationDoc) int64 {
	for n, x := range docCodes {
		if x == d {
			return n
		}
	}
	return 0
}

// recLimit is how many people a recommender search shows.
const recLimit = 8

func (m *Membership) registerApply(r *flows.Router) {
	p := flows.ApplyMembership
	r.Callback(mbcb, mbNew, p, m.pressNew)
	r.Callback(mbcb, mbCont, p, m.pressCont)
	r.Callback(mbcb, mbGround, p, m.pressGround)
	r.Callback(mbcb, mbDoc, p, m.pressDoc)
	r.Callback(mbcb, mbNext, p, m.pressCont)
	r.Callback(mbcb, mbRec, p, m.pressRec)
	r.Callback(mbcb, mbDocs, p, m.pressDocs)
	r.Callback(mbcb, mbSend, p, m.pressSend)
	r.Callback(mbcb, mbDrop, p, m.pressDrop)
	r.Step(stepMbAddress, p, m.inputAddress)
	r.Step(stepMbFiles, p, m.inputFile)
	r.Step(stepMbRec, p, m.inputRec)
	r.Step(stepMbReason, p, m.inputReason)
}

// ownApplication loads the application a director's button or step
// names: their own school's (not an exclusion case), in one of the
// statuses given.
func (m *Membership) ownApplication(ctx context.Context, c *flows.Context, id int64, allowed ...storage.ApplicationStatus) (storage.MembershipApplication, error) {
	a, err := m.Store.FindApplication(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return a, flows.ErrStale
	}
	if err != nil {
		return a, fmt.Errorf("membership: application %d: %w", id, err)
	}
	if !directs(c, a.OrgID) || a.Kind == storage.KindExclude {
		return a, flows.ErrForbidden
	}
	for _, st := range allowed {
		if a.Status == st {
			return a, nil
		}
	}
	return a, flows.ErrStale
}

// sessionDraft is the draft a step works on, from the session; ErrStale
// when the session lost it or it is no longer a draft.
func (m *Membership) sessionDraft(ctx context.Context, c *flows.Context) (storage.MembershipApplication, error) {
	id := c.GetInt(mbKeyApp)
	if id == 0 {
		return storage.MembershipApplication{}, flows.ErrStale
	}
	return m.ownApplication(ctx, c, id, storage.ApplicationDraft)
}

// stepGone ends a step whose draft is gone (submitted, withdrawn, or the
// session lost) with a short reply and the way back.
func stepGone(c *flows.Context, err error) (flows.Next, error) {
	if errors.Is(err, flows.ErrStale) {
		c.Reply(c.T("association.mb.step_gone"), bot.Keyboard{{c.Button("association.mb.btn.home", flows.CB(mbcb, mbHome, nil))}})
		return flows.End(), nil
	}
	return flows.Stay(), err
}

// pressNew starts an application of the kind for the director's school;
// a draft already open is continued instead.
func (m *Membership) pressNew(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := mbArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	kind, ok := kindCodes[v[0]]
	if !ok {
		return flows.Stay(), flows.ErrStale
	}
	orgID := ownOrg(c)
	if !directs(c, orgID) {
		return flows.Stay(), flows.ErrForbidden
	}
	a, err := m.Store.CreateApplication(ctx, c.Actor.PersonID(), orgID, kind)
	if errors.Is(err, storage.ErrConflict) {
		if last, lerr := m.Store.LatestApplication(ctx, orgID); lerr == nil && last.Status == storage.ApplicationDraft {
			return m.ask(ctx, c, last)
		}
		return flows.Stay(), flows.ErrStale
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("membership: new application of %d: %w", orgID, err)
	}
	c.Edit(c.T("association.mb.started", "Kind", c.T("association.mb.kind."+string(kind))), nil)
	return m.ask(ctx, c, a)
}

// pressCont continues a draft at its first unanswered question (also
// «Далее» after files).
func (m *Membership) pressCont(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := mbArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	a, err := m.ownApplication(ctx, c, v[0], storage.ApplicationDraft)
	if err != nil {
		return flows.Stay(), err
	}
	return m.ask(ctx, c, a)
}

// ask asks the draft's first unanswered question, or shows it for review
// when every answer is given. The record decides, so a draft resumes
// where it stopped, whatever became of the session.
func (m *Membership) ask(ctx context.Context, c *flows.Context, a storage.MembershipApplication) (flows.Next, error) {
	files, err := m.Store.ApplicationFiles(ctx, a.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("membership: files of %d: %w", a.ID, err)
	}
	c.Clear()
	c.SetInt(mbKeyApp, a.ID)
	if a.Kind == storage.KindLeave {
		if a.Reason == "" {
			c.Say("association.mb.ask.reason")
			return flows.Goto(stepMbReason), nil
		}
		return m.review(c, a, files)
	}
	if a.Address == "" {
		c.Say("association.mb.ask.address", "Org", a.OrgName)
		return flows.Goto(stepMbAddress), nil
	}
	if a.Kind == storage.KindMember && a.Ground == "" {
		var kb bot.Keyboard
		for n := int64(1); n <= 3; n++ {
			kb = append(kb, []bot.Button{c.Button("association.mb.ground."+string(groundCodes[n]), flows.CB(mbcb, mbGround, fmt.Sprintf("%d.%d", a.ID, n)))})
		}
		c.Reply(c.T("association.mb.ask.ground"), kb)
		return flows.End(), nil
	}
	if a.Kind == storage.KindCandidate {
		for _, d := range storage.CandidateDocs() {
			has := a.Has(d)
			arg := func(yes int) string { return fmt.Sprintf("%d.%d.%d", a.ID, docCode(d), yes) }
			switch {
			case has == nil:
				c.Reply(c.T("association.mb.ask.doc."+string(d)), bot.Keyboard{{
					c.Button("association.mb.btn.doc_yes", flows.CB(mbcb, mbDoc, arg(1))),
					c.Button("association.mb.btn.doc_no", flows.CB(mbcb, mbDoc, arg(0)))}})
				return flows.End(), nil
			case *has && countFiles(files, d) == 0:
				c.Set(mbKeyDoc, string(d))
				c.Reply(c.T("association.mb.ask.files", "Doc", c.T("association.mb.doc."+string(d))),
					bot.Keyboard{{c.Button("association.mb.btn.doc_none", flows.CB(mbcb, mbDoc, arg(0)))}})
				return flows.Goto(stepMbFiles), nil
			}
		}
	}
	if !a.RecommenderSet {
		c.Reply(c.T("association.mb.ask.rec"), bot.Keyboard{{c.Button("association.mb.btn.no_rec", flows.CB(mbcb, mbRec, fmt.Sprintf("%d.0", a.ID)))}})
		return flows.Goto(stepMbRec), nil
	}
	if !a.DocumentsDone {
		c.Set(mbKeyDoc, string(storage.DocSupport))
		c.Reply(c.T("association.mb.ask.support"), bot.Keyboard{{c.Button("association.mb.btn.docs_done", flows.CB(mbcb, mbDocs, a.ID))}})
		return flows.Goto(stepMbFiles), nil
	}
	return m.review(c, a, files)
}

// cleanText is typed text as the records keep it: valid UTF-8 without
// control characters (a line break and a tab kept), trimmed.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		return -1
	}, s)
	return strings.TrimSpace(s)
}

func countFiles(files []storage.ApplicationFile, d storage.ApplicationDoc) int {
	n := 0
	for _, f := range files {
		if f.Doc == d {
			n++
		}
	}
	return n
}

// review shows the complete draft with «Подать» and «Удалить».
func (m *Membership) review(c *flows.Context, a storage.MembershipApplication, files []storage.ApplicationFile) (flows.Next, error) {
	text := c.T("association.mb.review.head") + "\n\n" + describe(c, a, files)
	c.Reply(text, bot.Keyboard{
		{c.Button("association.mb.btn.send", flows.CB(mbcb, mbSend, a.ID))},
		{c.Button("association.mb.btn.drop", flows.CB(mbcb, mbDrop, a.ID))},
	})
	return flows.End(), nil
}

// describe is an application as the review, the director's screen and
// the chair's card show it.
func describe(c *flows.Context, a storage.MembershipApplication, files []storage.ApplicationFile) string {
	lines := []string{
		c.T("association.mb.field.kind", "Kind", c.T("association.mb.kind."+string(a.Kind))),
		c.T("association.mb.field.org", "Org", a.OrgName),
	}
	if a.ApplicantName != "" {
		who := "association.mb.field.director"
		if a.Kind == storage.KindExclude {
			who = "association.mb.field.initiator"
		}
		lines = append(lines, c.T(who, "Name", a.ApplicantName))
	}
	if a.Address != "" {
		lines = append(lines, c.T("association.mb.field.address", "Address", a.Address))
	}
	if a.Ground != "" {
		lines = append(lines, c.T("association.mb.field.ground", "Ground", c.T("association.mb.ground."+string(a.Ground))))
	}
	if a.Kind == storage.KindCandidate {
		for _, d := range storage.CandidateDocs() {
			answer := "association.mb.field.doc_unanswered"
			if has := a.Has(d); has != nil && *has {
				answer = "association.mb.field.doc_yes"
			} else if has != nil {
				answer = "association.mb.field.doc_no"
			}
			lines = append(lines, c.T("association.mb.field.doc", "Doc", c.T("association.mb.doc."+string(d)),
				"Answer", c.L.N(answer, countFiles(files, d))))
		}
	}
	if a.Kind.Joining() && a.RecommenderSet {
		if a.RecommenderName != "" {
			lines = append(lines, c.T("association.mb.field.rec", "Name", a.RecommenderName))
		} else {
			lines = append(lines, c.T("association.mb.field.no_rec"))
		}
	}
	if a.Reason != "" {
		lines = append(lines, c.T("association.mb.field.reason", "Reason", a.Reason))
	}
	if len(files) > 0 {
		lines = append(lines, c.L.N("association.mb.field.files", len(files)))
	}
	return strings.Join(lines, "\n")
}

// inputAddress keeps the legal address.
func (m *Membership) inputAddress(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text := cleanText(c.Update.Text)
	if text == "" || c.Update.Document != nil || c.Update.Photo != nil {
		return flows.Stay(), flows.Invalid("association.mb.address_text")
	}
	if len([]rune(text)) > storage.MaxApplicationText {
		return flows.Stay(), flows.Invalid("association.mb.too_long", "Max", storage.MaxApplicationText)
	}
	a, err := m.sessionDraft(ctx, c)
	if err != nil {
		return stepGone(c, err)
	}
	a.Address = text
	return m.save(ctx, c, a)
}

// inputReason keeps why the school leaves.
func (m *Membership) inputReason(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text := cleanText(c.Update.Text)
	if text == "" || c.Update.Document != nil || c.Update.Photo != nil {
		return flows.Stay(), flows.Invalid("association.mb.reason_text")
	}
	if len([]rune(text)) > storage.MaxApplicationText {
		return flows.Stay(), flows.Invalid("association.mb.too_long", "Max", storage.MaxApplicationText)
	}
	a, err := m.sessionDraft(ctx, c)
	if err != nil {
		return stepGone(c, err)
	}
	a.Reason = text
	return m.save(ctx, c, a)
}

// save stores the draft's answers and asks the next question.
func (m *Membership) save(ctx context.Context, c *flows.Context, a storage.MembershipApplication) (flows.Next, error) {
	a, err := m.Store.UpdateApplication(ctx, c.Actor.PersonID(), a)
	switch {
	case errors.Is(err, storage.ErrInvalid):
		return flows.Stay(), flows.Invalid("association.mb.too_long", "Max", storage.MaxApplicationText)
	case err != nil:
		return flows.Stay(), mbStoreErr(err, "update application %d", a.ID)
	}
	return m.ask(ctx, c, a)
}

// pressGround keeps a member's ground.
func (m *Membership) pressGround(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := mbArgs(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	g, ok := groundCodes[v[1]]
	if !ok {
		return flows.Stay(), flows.ErrStale
	}
	a, err := m.ownApplication(ctx, c, v[0], storage.ApplicationDraft)
	if err != nil {
		return flows.Stay(), err
	}
	if a.Kind != storage.KindMember {
		return flows.Stay(), flows.ErrStale
	}
	a.Ground = g
	c.Edit(c.T("association.mb.ask.ground")+"\n"+c.T("association.mb.chosen", "Answer", c.T("association.mb.ground."+string(g))), nil)
	return m.save(ctx, c, a)
}

// pressDoc keeps a candidate's answer about one of the documents of 3.2.
func (m *Membership) pressDoc(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := mbArgs(c, 3)
	if err != nil {
		return flows.Stay(), err
	}
	d, ok := docCodes[v[1]]
	if !ok || d == storage.DocSupport || v[2] > 1 {
		return flows.Stay(), flows.ErrStale
	}
	a, err := m.ownApplication(ctx, c, v[0], storage.ApplicationDraft)
	if err != nil {
		return flows.Stay(), err
	}
	if a.Kind != storage.KindCandidate {
		return flows.Stay(), flows.ErrStale
	}
	has := v[2] == 1
	switch d {
	case storage.DocOrder:
		a.HasOrder = &has
	case storage.DocPlan:
		a.HasPlan = &has
	case storage.DocTrained:
		a.HasTrained = &has
	}
	answer := "association.mb.btn.doc_no"
	if has {
		answer = "association.mb.btn.doc_yes"
	}
	c.Edit(c.T("association.mb.ask.doc."+string(d))+"\n"+c.T("association.mb.chosen", "Answer", c.T(answer)), nil)
	return m.save(ctx, c, a)
}

// inputFile keeps a file of the document the step asks for: downloaded,
// stored, and attached with its Telegram file id.
func (m *Membership) inputFile(ctx context.Context, c *flows.Context) (flows.Next, error) {
	doc := c.Update.Document
	if doc == nil {
		return flows.Stay(), flows.Invalid("association.mb.file_document")
	}
	if doc.Size > bot.MaxDownload {
		return flows.Stay(), flows.Invalid("association.mb.file_big")
	}
	kind := storage.ApplicationDoc(c.Get(mbKeyDoc))
	if docCode(kind) == 0 {
		return stepGone(c, flows.ErrStale)
	}
	a, err := m.sessionDraft(ctx, c)
	if err != nil {
		return stepGone(c, err)
	}
	if m.Files == nil {
		return flows.Stay(), errors.New("membership: no file downloads")
	}
	data, err := m.Files.Download(ctx, doc.ID)
	if errors.Is(err, bot.ErrFileTooLarge) {
		return flows.Stay(), flows.Invalid("association.mb.file_big")
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("membership: download file: %w", err)
	}
	name := strings.TrimSpace(doc.Name)
	if name == "" {
		name = c.T("association.mb.file_name")
	}
	mime := doc.MIME
	if mime == "" {
		mime = "application/octet-stream"
	}
	att, err := m.Store.SaveAttachment(ctx, data, name, mime)
	if errors.Is(err, storage.ErrInvalid) {
		return flows.Stay(), flows.Invalid("association.mb.file_big")
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("membership: save file: %w", err)
	}
	n, err := m.Store.AddApplicationFile(ctx, c.Actor.PersonID(), a.ID, att.ID, kind, name, doc.ID)
	if errors.Is(err, storage.ErrInvalid) {
		return flows.Stay(), flows.Invalid("association.mb.file_many", "Max", storage.MaxApplicationFiles)
	}
	if err != nil {
		return stepGone(c, mbStoreErr(err, "add file to %d", a.ID))
	}
	next := flows.CB(mbcb, mbNext, a.ID)
	if kind == storage.DocSupport {
		next = flows.CB(mbcb, mbDocs, a.ID)
	}
	c.Reply(c.L.N("association.mb.file_added", n, "Name", name, "Doc", c.T("association.mb.doc."+string(kind))),
		bot.Keyboard{{c.Button("association.mb.btn.next", next)}})
	return flows.Stay(), nil
}

// pressDocs: the supporting documents are given (or there are none).
func (m *Membership) pressDocs(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := mbArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	a, err := m.ownApplication(ctx, c, v[0], storage.ApplicationDraft)
	if err != nil {
		return flows.Stay(), err
	}
	if !a.Kind.Joining() {
		return flows.Stay(), flows.ErrStale
	}
	a.DocumentsDone = true
	c.Edit(c.T("association.mb.docs_done"), nil)
	return m.save(ctx, c, a)
}

// inputRec finds the recommender by a part of the name.
func (m *Membership) inputRec(ctx context.Context, c *flows.Context) (flows.Next, error) {
	q := cleanText(c.Update.Text)
	if q == "" || len([]rune(q)) > 100 {
		return flows.Stay(), flows.Invalid("association.mb.rec_text")
	}
	a, err := m.sessionDraft(ctx, c)
	if err != nil {
		return stepGone(c, err)
	}
	people, err := m.Store.SearchPeople(ctx, q, recLimit)
	if err != nil {
		return flows.Stay(), fmt.Errorf("membership: search people: %w", err)
	}
	var kb bot.Keyboard
	for _, p := range people {
		if p.ID == c.Actor.PersonID() || !p.Active {
			continue
		}
		kb = append(kb, []bot.Button{{Text: p.FullName, Data: flows.CB(mbcb, mbRec, fmt.Sprintf("%d.%d", a.ID, p.ID))}})
	}
	kb = append(kb, []bot.Button{c.Button("association.mb.btn.no_rec", flows.CB(mbcb, mbRec, fmt.Sprintf("%d.0", a.ID)))})
	if len(kb) == 1 {
		c.Reply(c.T("association.mb.rec_none_found"), kb)
		return flows.Stay(), nil
	}
	c.Reply(c.T("association.mb.rec_found"), kb)
	return flows.Stay(), nil
}

// pressRec keeps the recommender (0: none).
func (m *Membership) pressRec(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := mbArgs(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	a, err := m.ownApplication(ctx, c, v[0], storage.ApplicationDraft)
	if err != nil {
		return flows.Stay(), err
	}
	if !a.Kind.Joining() {
		return flows.Stay(), flows.ErrStale
	}
	a.RecommenderID, a.RecommenderSet = v[1], true
	answer := c.T("association.mb.btn.no_rec")
	if v[1] != 0 {
		p, _, err := m.Store.FindPersonByID(ctx, v[1])
		if errors.Is(err, storage.ErrNotFound) || (err == nil && !p.Active) {
			return flows.Stay(), flows.ErrStale
		}
		if err != nil {
			return flows.Stay(), fmt.Errorf("membership: person %d: %w", v[1], err)
		}
		answer = p.FullName
	}
	c.Edit(c.T("association.mb.ask.rec")+"\n"+c.T("association.mb.chosen", "Answer", answer), nil)
	return m.save(ctx, c, a)
}

// pressSend submits the draft.
func (m *Membership) pressSend(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := mbArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	a, err := m.ownApplication(ctx, c, v[0], storage.ApplicationDraft)
	if err != nil {
		return flows.Stay(), err
	}
	a, err = m.Store.SubmitApplication(ctx, c.Actor.PersonID(), a.ID)
	if errors.Is(err, storage.ErrInvalid) {
		return m.ask(ctx, c, a)
	}
	if err != nil {
		return flows.Stay(), mbStoreErr(err, "submit %d", v[0])
	}
	c.Edit(c.T("association.mb.submitted", "Kind", c.T("association.mb.kind."+string(a.Kind))),
		bot.Keyboard{{c.Button("association.mb.btn.home", flows.CB(mbcb, mbHome, nil))}})
	if err := m.tellManagers(ctx, c, c.T("association.mb.incoming", "Org", a.OrgName,
		"Kind", c.T("association.mb.kind."+string(a.Kind))), a.ID); err != nil {
		return flows.End(), err
	}
	return flows.End(), nil
}

// tellManagers sends text to the chair and the secretaries, with a button
// to the application's card.
func (m *Membership) tellManagers(ctx context.Context, c *flows.Context, text string, appID int64) error {
	chats, err := m.managerChats(ctx)
	if err != nil {
		return err
	}
	for _, chat := range chats {
		c.Send(bot.Text{ChatID: chat, Text: text, Buttons: bot.Keyboard{{c.Button("association.mb.btn.open", flows.CB(mbcb, mbApp, appID))}}})
	}
	return nil
}

// managerChats are the Telegram chats of the active chairs and
// secretaries, each once.
func (m *Membership) managerChats(ctx context.Context) ([]int64, error) {
	seen := map[int64]bool{}
	var out []int64
	for _, role := range []storage.Role{storage.RoleChair, storage.RoleSecretary} {
		ps, err := m.Store.ListPeople(ctx, 0, role)
		if err != nil {
			return nil, fmt.Errorf("membership: people with role %s: %w", role, err)
		}
		for _, p := range ps {
			if p.Active && p.TelegramID != 0 && !seen[p.TelegramID] {
				seen[p.TelegramID] = true
				out = append(out, p.TelegramID)
			}
		}
	}
	return out, nil
}

// pressDrop withdraws a draft, or a submitted application not on an
// agenda yet.
func (m *Membership) pressDrop(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := mbArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	a, err := m.ownApplication(ctx, c, v[0], storage.ApplicationDraft, storage.ApplicationSubmitted)
	if err != nil {
		return flows.Stay(), err
	}
	if err := m.Store.WithdrawApplication(ctx, c.Actor.PersonID(), a.ID); err != nil {
		return flows.Stay(), mbStoreErr(err, "withdraw %d", a.ID)
	}
	c.Edit(c.T("association.mb.withdrawn"), bot.Keyboard{{c.Button("association.mb.btn.home", flows.CB(mbcb, mbHome, nil))}})
	return flows.End(), nil
}
