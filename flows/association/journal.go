package association

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/report"
	"smkbot/storage"
)

// JournalStore is what the documents journal reads and writes;
// *storage.Store implements it. Errors wrap storage.ErrNotFound,
// ErrInvalid or ErrConflict as the store's methods document.
type JournalStore interface {
	SaveAttachment(ctx context.Context, data []byte, name, mime string) (storage.Attachment, error)
	CreateJournalDraft(ctx context.Context, actorID int64, d storage.JournalDirection) (storage.JournalEntry, error)
	DraftJournalEntryOf(ctx context.Context, personID int64) (storage.JournalEntry, error)
	UpdateJournalDraft(ctx context.Context, actorID int64, e storage.JournalEntry) (storage.JournalEntry, error)
	RegisterJournalEntry(ctx context.Context, actorID, id int64, day time.Time) (storage.JournalEntry, error)
	DeleteJournalDraft(ctx context.Context, actorID, id int64) error
	AnnulJournalEntry(ctx context.Context, actorID, id int64, reason string) (storage.JournalEntry, error)
	FindJournalEntry(ctx context.Context, id int64) (storage.JournalEntry, error)
	SearchJournal(ctx context.Context, query string, offset, limit int) ([]storage.JournalEntry, int, error)
	JournalYear(ctx context.Context, year int) ([]storage.JournalEntry, error)
	JournalFile(ctx context.Context, id int64) (storage.Attachment, error)
}

// JournalFiles downloads the documents sent to the journal. bot.Client
// implements it.
type JournalFiles interface {
	Download(ctx context.Context, fileID string) ([]byte, error)
}

// Journal is the documents journal of charter 7.2: the chair and the
// secretary register incoming and outgoing documents by hand, step by
// step (the draft is written as they go), find entries by number,
// correspondent or subject, open one with its file, annul a wrong one
// with a reason, and export a year to XLSX. The minutes, certificates and
// reports the bot produces are entered by the store on its own.
type Journal struct {
	Store JournalStore
	Files JournalFiles
	// Location is the association's zone: dates and the year of numbers.
	Location *time.Location
}

// jr is the callback flow name of the journal's buttons.
const jr = "jr"

// The journal's buttons.
const (
	jrHome   = "home"   // jr:home:             the journal's screen
	jrNew    = "new"    // jr:new:              a new entry: its direction
	jrDir    = "dir"    // jr:dir:<1|2>         incoming or outgoing: the draft starts
	jrToday  = "today"  // jr:today:<entry>     the document is dated today
	jrNoFile = "nofile" // jr:nofile:<entry>    no file: the preview
	jrReg    = "reg"    // jr:reg:<entry>       register the draft
	jrDel    = "del"    // jr:del:<entry>       delete the draft
	jrResume = "resume" // jr:resume:<entry>    go on with the draft
	jrOpen   = "open"   // jr:open:<entry>      an entry with its file
	jrFind   = "find"   // jr:find:             search
	jrAll    = "all"    // jr:all:              every entry, newest first
	jrPage   = "page"   // jr:page:<page>       a page of the list or the search
	jrXLSX   = "xlsx"   // jr:xlsx:<year>       the year as XLSX
	jrAnnul  = "annul"  // jr:annul:<entry>     annul an entry: the reason
)

// The journal's steps.
const (
	jrStepDate    = "journal:date"
	jrStepCorr    = "journal:corr"
	jrStepSubject = "journal:subject"
	jrStepFile    = "journal:file"
	jrStepQuery   = "journal:query"
	jrStepAnnul   = "journal:annul"
)

// Session keys.
const (
	jrKeyEntry = "jr.entry" // the entry being typed or annulled
	jrKeyQuery = "jr.query" // the search the list pages through
)

// jrPageSize is how many entries a page of the list shows.
const jrPageSize = 8

// Limits of typed input, in characters.
const (
	jrMinQuery = 2
	jrMaxQuery = 100
)

// directions maps the direction buttons' codes.
var directions = map[int64]storage.JournalDirection{1: storage.JournalIn, 2: storage.JournalOut}

// Register adds the journal's menu item, command, buttons and steps.
func (f *Journal) Register(r *flows.Router) {
	p := flows.KeepJournal
	r.Menu(flows.MenuItem{Label: "association.jr.menu", Perm: p, Handler: f.home})
	r.Command(flows.Command{Name: "journal", Help: "association.jr.cmd_help", Perm: p, Handler: f.home})
	r.Callback(jr, jrHome, p, f.pressHome)
	r.Callback(jr, jrNew, p, f.pressNew)
	r.Callback(jr, jrDir, p, f.pressDir)
	r.Callback(jr, jrToday, p, f.pressToday)
	r.Callback(jr, jrNoFile, p, f.pressNoFile)
	r.Callback(jr, jrReg, p, f.pressRegister)
	r.Callback(jr, jrDel, p, f.pressDelete)
	r.Callback(jr, jrResume, p, f.pressResume)
	r.Callback(jr, jrOpen, p, f.pressOpen)
	r.Callback(jr, jrFind, p, f.pressFind)
	r.Callback(jr, jrAll, p, f.pressAll)
	r.Callback(jr, jrPage, p, f.pressPage)
	r.Callback(jr, jrXLSX, p, f.pressXLSX)
	r.Callback(jr, jrAnnul, p, f.pressAnnul)
	r.Step(jrStepDate, p, f.stepDate)
	r.Step(jrStepCorr, p, f.stepCorr)
	r.Step(jrStepSubject, p, f.stepSubject)
	r.Step(jrStepFile, p, f.stepFile)
	r.Step(jrStepQuery, p, f.stepQuery)
	r.Step(jrStepAnnul, p, f.stepAnnul)
}

func (f *Journal) loc() *time.Location {
	if f.Location == nil {
		return time.UTC
	}
	return f.Location
}

// today is the local date now, at 00:00 in the association's zone.
func (f *Journal) today(c *flows.Context) time.Time {
	n := c.Now.In(f.loc())
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, f.loc())
}

// TypedText tidies text a person typed for a field: spaces collapsed
// (line breaks kept when multiline), control characters refused, and
// between lo and hi characters. ok is false for anything else.
func TypedText(s string, lo, hi int, multiline bool) (_ string, ok bool) {
	if !utf8.ValidString(s) {
		return "", false
	}
	var lines []string
	for line := range strings.SplitSeq(s, "\n") {
		for _, r := range line {
			if unicode.IsControl(r) && r != '\t' && r != '\r' {
				return "", false
			}
		}
		if line = strings.Join(strings.Fields(line), " "); line != "" {
			lines = append(lines, line)
		}
	}
	sep := " "
	if multiline {
		sep = "\n"
	}
	out := strings.Join(lines, sep)
	if n := utf8.RuneCountInString(out); n < lo || n > hi {
		return "", false
	}
	return out, true
}

// jrArg reads the button's one id.
func jrArg(c *flows.Context) (int64, error) {
	v, err := flows.ArgInts(c.Callback.Arg)
	if err != nil || len(v) != 1 || v[0] == 0 {
		return 0, flows.ErrStale
	}
	return v[0], nil
}

// jrStoreErr turns the store's kinds into the router's: an entry gone or
// registered meanwhile is a stale button.
func jrStoreErr(err error, format string, a ...any) error {
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrConflict) {
		return flows.ErrStale
	}
	return fmt.Errorf("journal: "+format+": %w", append(a, err)...)
}

// entry loads an entry for a button; a draft only for the person typing
// it.
func (f *Journal) entry(ctx context.Context, c *flows.Context, id int64) (storage.JournalEntry, error) {
	e, err := f.Store.FindJournalEntry(ctx, id)
	if err != nil {
		return e, jrStoreErr(err, "find %d", id)
	}
	if e.Status == storage.JournalDraft && e.CreatedBy != c.Actor.PersonID() {
		return e, flows.ErrStale
	}
	return e, nil
}

// draftArg loads the draft a button names.
func (f *Journal) draftArg(ctx context.Context, c *flows.Context) (storage.JournalEntry, error) {
	id, err := jrArg(c)
	if err != nil {
		return storage.JournalEntry{}, err
	}
	e, err := f.entry(ctx, c, id)
	if err == nil && e.Status != storage.JournalDraft {
		err = flows.ErrStale
	}
	return e, err
}

// sessionDraft is the draft the step works on.
func (f *Journal) sessionDraft(ctx context.Context, c *flows.Context) (storage.JournalEntry, error) {
	id := c.GetInt(jrKeyEntry)
	if id == 0 {
		return storage.JournalEntry{}, flows.ErrStale
	}
	e, err := f.entry(ctx, c, id)
	if err == nil && e.Status != storage.JournalDraft {
		err = flows.ErrStale
	}
	return e, err
}

// jrGone ends a step whose draft is gone with a short reply.
func jrGone(c *flows.Context, err error) (flows.Next, error) {
	if errors.Is(err, flows.ErrStale) {
		c.Say("association.jr.step_gone")
		return flows.End(), nil
	}
	return flows.Stay(), err
}

// --- The journal's screen ---

func (f *Journal) home(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text, kb, err := f.homeScreen(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(text, kb)
	return flows.End(), nil
}

func (f *Journal) pressHome(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text, kb, err := f.homeScreen(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.End(), nil
}

// homeScreen: how many entries the journal holds, the draft being typed,
// and the ways on.
func (f *Journal) homeScreen(ctx context.Context, c *flows.Context) (string, bot.Keyboard, error) {
	_, total, err := f.Store.SearchJournal(ctx, "", 0, 0)
	if err != nil {
		return "", nil, fmt.Errorf("journal: count: %w", err)
	}
	text := c.L.N("association.jr.home", total)
	var kb bot.Keyboard
	d, err := f.Store.DraftJournalEntryOf(ctx, c.Actor.PersonID())
	switch {
	case err == nil:
		kb = append(kb, []bot.Button{c.Button("association.jr.btn.resume", flows.CB(jr, jrResume, d.ID))})
	case !errors.Is(err, storage.ErrNotFound):
		return "", nil, fmt.Errorf("journal: draft of %d: %w", c.Actor.PersonID(), err)
	}
	year := c.Now.In(f.loc()).Year()
	kb = append(kb,
		[]bot.Button{c.Button("association.jr.btn.new", flows.CB(jr, jrNew, nil))},
		[]bot.Button{c.Button("association.jr.btn.find", flows.CB(jr, jrFind, nil)), c.Button("association.jr.btn.all", flows.CB(jr, jrAll, nil))},
		[]bot.Button{
			{Text: c.T("association.jr.btn.xlsx", "Year", year), Data: flows.CB(jr, jrXLSX, year)},
			{Text: c.T("association.jr.btn.xlsx", "Year", year-1), Data: flows.CB(jr, jrXLSX, year-1)},
		})
	return text, kb, nil
}

// --- A new entry, typed by hand ---

// pressNew asks the direction, or goes on with the draft being typed.
func (f *Journal) pressNew(ctx context.Context, c *flows.Context) (flows.Next, error) {
	c.Clear()
	d, err := f.Store.DraftJournalEntryOf(ctx, c.Actor.PersonID())
	switch {
	case err == nil:
		c.Say("association.jr.draft_exists")
		return f.resume(c, d)
	case !errors.Is(err, storage.ErrNotFound):
		return flows.Stay(), fmt.Errorf("journal: draft of %d: %w", c.Actor.PersonID(), err)
	}
	c.Edit(c.T("association.jr.ask_direction"), bot.Keyboard{
		{c.Button("association.jr.btn.in", flows.CB(jr, jrDir, 1)), c.Button("association.jr.btn.out", flows.CB(jr, jrDir, 2))},
	})
	return flows.End(), nil
}

// pressDir starts the draft.
func (f *Journal) pressDir(ctx context.Context, c *flows.Context) (flows.Next, error) {
	code, err := jrArg(c)
	if err != nil {
		return flows.Stay(), err
	}
	dir, ok := directions[code]
	if !ok {
		return flows.Stay(), flows.ErrStale
	}
	if d, err := f.Store.DraftJournalEntryOf(ctx, c.Actor.PersonID()); err == nil {
		// A second press: the draft made by the first is continued.
		return f.resume(c, d)
	}
	d, err := f.Store.CreateJournalDraft(ctx, c.Actor.PersonID(), dir)
	if err != nil {
		return flows.Stay(), fmt.Errorf("journal: create draft: %w", err)
	}
	c.Edit(c.T("association.jr.started."+string(dir)), nil)
	return f.resume(c, d)
}

func (f *Journal) pressResume(ctx context.Context, c *flows.Context) (flows.Next, error) {
	d, err := f.draftArg(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	return f.resume(c, d)
}

// resume asks for the first thing the draft lacks: the date, the
// correspondent, the subject, then the file (or shows the preview when
// it has one).
func (f *Journal) resume(c *flows.Context, d storage.JournalEntry) (flows.Next, error) {
	c.SetInt(jrKeyEntry, d.ID)
	switch {
	case d.Date.IsZero():
		c.Reply(c.T("association.jr.ask_date"), bot.Keyboard{{c.Button("association.jr.btn.today", flows.CB(jr, jrToday, d.ID))}})
		return flows.Goto(jrStepDate), nil
	case d.Correspondent == "":
		c.Say("association.jr.ask_corr." + string(d.Direction))
		return flows.Goto(jrStepCorr), nil
	case d.Subject == "":
		c.Say("association.jr.ask_subject")
		return flows.Goto(jrStepSubject), nil
	case d.AttachmentID == 0:
		c.Reply(c.T("association.jr.ask_file"), bot.Keyboard{{c.Button("association.jr.btn.nofile", flows.CB(jr, jrNoFile, d.ID))}})
		return flows.Goto(jrStepFile), nil
	}
	return f.preview(c, d)
}

// setDate keeps the document's date in the draft.
func (f *Journal) setDate(ctx context.Context, c *flows.Context, d storage.JournalEntry, day time.Time) (flows.Next, error) {
	d.Date = day
	d, err := f.Store.UpdateJournalDraft(ctx, c.Actor.PersonID(), d)
	if err != nil {
		return flows.Stay(), jrStoreErr(err, "date of %d", d.ID)
	}
	return f.resume(c, d)
}

// ParseDocDate reads the date of a document, which is today or in the
// past: what flows.ParseDate reads, except that a day and month without a
// year ("18.11", "19 ноября") is the latest such date not after today.
// Errors are invalid-input errors: association.jr.date_invalid, or
// association.jr.date_future for a date after today.
func ParseDocDate(s string, now time.Time, loc *time.Location) (time.Time, error) {
	day, err := flows.ParseDate(s, now, loc)
	if err != nil {
		return time.Time{}, flows.Invalid("association.jr.date_invalid")
	}
	n := now.In(loc)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	if day.After(today) && noYear(s) {
		day = day.AddDate(-1, 0, 0)
	}
	if day.After(today) {
		return time.Time{}, flows.Invalid("association.jr.date_future")
	}
	return day, nil
}

// noYear reports whether a typed date names a day and month only: at most
// two runs of digits, and no relative word ("через", "завтра").
func noYear(s string) bool {
	s = strings.ToLower(s)
	if strings.Contains(s, "через") || strings.Contains(s, "завтра") || strings.Contains(s, "сегодня") {
		return false
	}
	runs, in := 0, false
	for _, r := range s {
		d := r >= '0' && r <= '9'
		if d && !in {
			runs++
		}
		in = d
	}
	return runs <= 2
}

func (f *Journal) stepDate(ctx context.Context, c *flows.Context) (flows.Next, error) {
	day, err := ParseDocDate(c.Update.Text, c.Now, f.loc())
	if err != nil {
		return flows.Stay(), err
	}
	d, err := f.sessionDraft(ctx, c)
	if err != nil {
		return jrGone(c, err)
	}
	return f.setDate(ctx, c, d, day)
}

func (f *Journal) pressToday(ctx context.Context, c *flows.Context) (flows.Next, error) {
	d, err := f.draftArg(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(c.T("association.jr.dated_today", "Date", c.L.Date(f.today(c))), nil)
	return f.setDate(ctx, c, d, f.today(c))
}

func (f *Journal) stepCorr(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text, ok := TypedText(c.Update.Text, 2, storage.MaxJournalCorrespondent, false)
	if !ok {
		return flows.Stay(), flows.Invalid("association.jr.corr_invalid", "Max", storage.MaxJournalCorrespondent)
	}
	d, err := f.sessionDraft(ctx, c)
	if err != nil {
		return jrGone(c, err)
	}
	d.Correspondent = text
	if d, err = f.Store.UpdateJournalDraft(ctx, c.Actor.PersonID(), d); err != nil {
		return flows.Stay(), jrStoreErr(err, "correspondent of %d", d.ID)
	}
	return f.resume(c, d)
}

func (f *Journal) stepSubject(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text, ok := TypedText(c.Update.Text, 2, storage.MaxJournalSubject, true)
	if !ok {
		return flows.Stay(), flows.Invalid("association.jr.subject_invalid", "Max", storage.MaxJournalSubject)
	}
	d, err := f.sessionDraft(ctx, c)
	if err != nil {
		return jrGone(c, err)
	}
	d.Subject = text
	if d, err = f.Store.UpdateJournalDraft(ctx, c.Actor.PersonID(), d); err != nil {
		return flows.Stay(), jrStoreErr(err, "subject of %d", d.ID)
	}
	return f.resume(c, d)
}

// stepFile keeps the document or photo sent: downloaded, stored, and
// attached to the draft with its Telegram file id.
func (f *Journal) stepFile(ctx context.Context, c *flows.Context) (flows.Next, error) {
	file, kind, mime := c.Update.Document, "document", ""
	if file == nil && c.Update.Photo != nil {
		file, kind, mime = c.Update.Photo, "photo", "image/jpeg"
	}
	if file == nil {
		return flows.Stay(), flows.Invalid("association.jr.file_expected")
	}
	if file.Size > bot.MaxDownload {
		return flows.Stay(), flows.Invalid("association.jr.file_big")
	}
	d, err := f.sessionDraft(ctx, c)
	if err != nil {
		return jrGone(c, err)
	}
	if f.Files == nil {
		return flows.Stay(), errors.New("journal: no file downloads")
	}
	data, err := f.Files.Download(ctx, file.ID)
	if errors.Is(err, bot.ErrFileTooLarge) {
		return flows.Stay(), flows.Invalid("association.jr.file_big")
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("journal: download: %w", err)
	}
	name := strings.TrimSpace(file.Name)
	if name == "" {
		name = c.T("association.jr.file_name."+kind, "Date", d.Date.Format("2006-01-02"))
	}
	if mime == "" {
		if mime = file.MIME; mime == "" {
			mime = "application/octet-stream"
		}
	}
	att, err := f.Store.SaveAttachment(ctx, data, name, mime)
	if errors.Is(err, storage.ErrInvalid) {
		return flows.Stay(), flows.Invalid("association.jr.file_big")
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("journal: save file: %w", err)
	}
	d.AttachmentID, d.FileKind, d.FileName, d.FileID = att.ID, kind, name, file.ID
	if d, err = f.Store.UpdateJournalDraft(ctx, c.Actor.PersonID(), d); err != nil {
		return flows.Stay(), jrStoreErr(err, "file of %d", d.ID)
	}
	return f.preview(c, d)
}

func (f *Journal) pressNoFile(ctx context.Context, c *flows.Context) (flows.Next, error) {
	d, err := f.draftArg(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(c.T("association.jr.no_file"), nil)
	return f.preview(c, d)
}

// preview shows the draft as the journal will hold it, and the buttons
// that register or delete it.
func (f *Journal) preview(c *flows.Context, d storage.JournalEntry) (flows.Next, error) {
	c.SetInt(jrKeyEntry, d.ID)
	text := c.T("association.jr.preview") + "\n\n" + f.entryText(c, d)
	c.Reply(text, bot.Keyboard{
		{c.Button("association.jr.btn.register", flows.CB(jr, jrReg, d.ID))},
		{c.Button("association.jr.btn.delete", flows.CB(jr, jrDel, d.ID))},
	})
	// A file sent now replaces the one attached.
	return flows.Goto(jrStepFile), nil
}

func (f *Journal) pressRegister(ctx context.Context, c *flows.Context) (flows.Next, error) {
	d, err := f.draftArg(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	e, err := f.Store.RegisterJournalEntry(ctx, c.Actor.PersonID(), d.ID, f.today(c))
	if errors.Is(err, storage.ErrInvalid) {
		c.Clear()
		c.Say("association.jr.incomplete")
		return f.resume(c, d)
	}
	if err != nil {
		return flows.Stay(), jrStoreErr(err, "register %d", d.ID)
	}
	c.Clear()
	c.Edit(c.T("association.jr.registered", "Number", e.Number)+"\n\n"+f.entryText(c, e), f.cardButtons(c, e))
	return flows.End(), nil
}

func (f *Journal) pressDelete(ctx context.Context, c *flows.Context) (flows.Next, error) {
	d, err := f.draftArg(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	if err := f.Store.DeleteJournalDraft(ctx, c.Actor.PersonID(), d.ID); err != nil {
		return flows.Stay(), jrStoreErr(err, "delete %d", d.ID)
	}
	c.Clear()
	c.Edit(c.T("association.jr.deleted"), bot.Keyboard{{c.Button("association.jr.btn.home", flows.CB(jr, jrHome, nil))}})
	return flows.End(), nil
}

// --- Entries ---

// entryText is an entry as the journal shows it.
func (f *Journal) entryText(c *flows.Context, e storage.JournalEntry) string {
	var lines []string
	if e.Number != "" {
		lines = append(lines, c.T("association.jr.card.number", "Number", e.Number))
	}
	lines = append(lines, c.T("association.jr.card.direction."+string(e.Direction)))
	if !e.Date.IsZero() {
		lines = append(lines, c.T("association.jr.card.date", "Date", jrDate(e.Date)))
	}
	lines = append(lines,
		c.T("association.jr.card.corr."+string(e.Direction), "Name", e.Correspondent),
		c.T("association.jr.card.subject", "Subject", e.Subject))
	if e.AttachmentID != 0 {
		lines = append(lines, c.T("association.jr.card.file", "Name", e.FileName))
	} else {
		lines = append(lines, c.T("association.jr.card.no_file"))
	}
	if e.Source != storage.JournalManual {
		lines = append(lines, c.T("association.jr.card.source."+string(e.Source)))
	}
	if !e.RegisteredAt.IsZero() {
		lines = append(lines, c.T("association.jr.card.registered", "When", c.L.DateTime(e.RegisteredAt)))
	}
	if e.Status == storage.JournalAnnulled {
		lines = append(lines, "", c.T("association.jr.card.annulled", "When", c.L.Date(e.AnnulledAt), "Reason", e.AnnulReason))
	}
	return strings.Join(lines, "\n")
}

// jrDate shows a journal day (00:00 UTC) as 25.12.2026.
func jrDate(d time.Time) string { return d.UTC().Format("02.01.2006") }

// cardButtons: annul a registered entry, back to the journal.
func (f *Journal) cardButtons(c *flows.Context, e storage.JournalEntry) bot.Keyboard {
	var kb bot.Keyboard
	if e.Status == storage.JournalRegistered {
		kb = append(kb, []bot.Button{c.Button("association.jr.btn.annul", flows.CB(jr, jrAnnul, e.ID))})
	}
	return append(kb, []bot.Button{c.Button("association.jr.btn.home", flows.CB(jr, jrHome, nil))})
}

// pressOpen shows an entry and sends its file back.
func (f *Journal) pressOpen(ctx context.Context, c *flows.Context) (flows.Next, error) {
	id, err := jrArg(c)
	if err != nil {
		return flows.Stay(), err
	}
	e, err := f.entry(ctx, c, id)
	if err != nil {
		return flows.Stay(), err
	}
	if e.Status == storage.JournalDraft {
		c.Clear()
		return f.resume(c, e)
	}
	c.Reply(f.entryText(c, e), f.cardButtons(c, e))
	if e.AttachmentID == 0 {
		return flows.Stay(), nil
	}
	msg, err := f.fileMessage(ctx, c, e)
	if err != nil {
		return flows.Stay(), err
	}
	c.Send(msg)
	return flows.Stay(), nil
}

// fileMessage is the entry's file as Telegram holds it, or uploaded from
// the records when Telegram's id is unknown.
func (f *Journal) fileMessage(ctx context.Context, c *flows.Context, e storage.JournalEntry) (bot.Message, error) {
	caption := c.T("association.jr.file_caption", "Number", e.Number)
	var data []byte
	if e.FileID == "" {
		a, err := f.Store.JournalFile(ctx, e.ID)
		if err != nil {
			return nil, fmt.Errorf("journal: file of %d: %w", e.ID, err)
		}
		data = a.Data
	}
	if e.FileKind == "photo" {
		return bot.Photo{ChatID: c.Chat(), Name: e.FileName, Data: data, FileID: e.FileID, Caption: caption}, nil
	}
	return bot.Document{ChatID: c.Chat(), Name: e.FileName, Data: data, FileID: e.FileID, Caption: caption}, nil
}

// pressAnnul asks why the entry is annulled.
func (f *Journal) pressAnnul(ctx context.Context, c *flows.Context) (flows.Next, error) {
	id, err := jrArg(c)
	if err != nil {
		return flows.Stay(), err
	}
	e, err := f.entry(ctx, c, id)
	if err != nil {
		return flows.Stay(), err
	}
	if e.Status != storage.JournalRegistered {
		return flows.Stay(), flows.ErrStale
	}
	c.Clear()
	c.SetInt(jrKeyEntry, e.ID)
	c.Say("association.jr.ask_annul", "Number", e.Number)
	return flows.Goto(jrStepAnnul), nil
}

func (f *Journal) stepAnnul(ctx context.Context, c *flows.Context) (flows.Next, error) {
	reason, ok := TypedText(c.Update.Text, 3, storage.MaxJournalAnnulReason, false)
	if !ok {
		return flows.Stay(), flows.Invalid("association.jr.annul_invalid", "Max", storage.MaxJournalAnnulReason)
	}
	id := c.GetInt(jrKeyEntry)
	if id == 0 {
		return jrGone(c, flows.ErrStale)
	}
	e, err := f.Store.AnnulJournalEntry(ctx, c.Actor.PersonID(), id, reason)
	if err != nil {
		return jrGone(c, jrStoreErr(err, "annul %d", id))
	}
	c.Reply(c.T("association.jr.annulled", "Number", e.Number)+"\n\n"+f.entryText(c, e), f.cardButtons(c, e))
	return flows.End(), nil
}

// --- Search and the list ---

func (f *Journal) pressFind(_ context.Context, c *flows.Context) (flows.Next, error) {
	c.Clear()
	c.Say("association.jr.ask_query")
	return flows.Goto(jrStepQuery), nil
}

func (f *Journal) stepQuery(ctx context.Context, c *flows.Context) (flows.Next, error) {
	q, ok := TypedText(c.Update.Text, jrMinQuery, jrMaxQuery, false)
	if !ok {
		return flows.Stay(), flows.Invalid("association.jr.query_invalid", "Min", jrMinQuery, "Max", jrMaxQuery)
	}
	c.Set(jrKeyQuery, q)
	text, kb, err := f.listScreen(ctx, c, q, 1)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(text, kb)
	// The person stays in the search: another message searches again.
	return flows.Stay(), nil
}

func (f *Journal) pressAll(ctx context.Context, c *flows.Context) (flows.Next, error) {
	c.Clear()
	text, kb, err := f.listScreen(ctx, c, "", 1)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.End(), nil
}

// pressPage shows a page of the search the session holds (of every entry
// when none).
func (f *Journal) pressPage(ctx context.Context, c *flows.Context) (flows.Next, error) {
	page, err := jrArg(c)
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.listScreen(ctx, c, c.Get(jrKeyQuery), page)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// listScreen is a page of the entries matching q, newest first, each a
// button that opens it.
func (f *Journal) listScreen(ctx context.Context, c *flows.Context, q string, page int64) (string, bot.Keyboard, error) {
	_, total, err := f.Store.SearchJournal(ctx, q, 0, 0)
	if err != nil {
		return "", nil, fmt.Errorf("journal: search: %w", err)
	}
	from, _, p, count := flows.Pages(int64(total), jrPageSize, page)
	list, _, err := f.Store.SearchJournal(ctx, q, int(from), jrPageSize)
	if err != nil {
		return "", nil, fmt.Errorf("journal: search: %w", err)
	}
	var kb bot.Keyboard
	for _, e := range list {
		id := "association.jr.list.item"
		if e.Status == storage.JournalAnnulled {
			id = "association.jr.list.item_annulled"
		}
		label := c.T(id, "Number", e.Number, "Name", clipText(e.Correspondent, 24))
		kb = append(kb, []bot.Button{{Text: label, Data: flows.CB(jr, jrOpen, e.ID)}})
	}
	if nav := c.PageNav(p, count, func(n int64) string { return flows.CB(jr, jrPage, n) }); len(nav) > 0 {
		kb = append(kb, nav)
	}
	kb = append(kb, []bot.Button{c.Button("association.jr.btn.home", flows.CB(jr, jrHome, nil))})
	var text string
	switch {
	case total == 0 && q != "":
		text = c.T("association.jr.list.none", "Query", q)
	case total == 0:
		text = c.T("association.jr.list.empty")
	case q != "":
		text = c.L.N("association.jr.list.found", total, "Query", q)
	default:
		text = c.L.N("association.jr.list.all", total)
	}
	return text + c.PageLine(p, count), kb, nil
}

// clipText shortens s to n characters with an ellipsis.
func clipText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// --- Export ---

// pressXLSX sends the year's journal as XLSX: incoming and outgoing on
// sheets of their own.
func (f *Journal) pressXLSX(ctx context.Context, c *flows.Context) (flows.Next, error) {
	year, err := jrArg(c)
	if err != nil || year < 2000 || year > 2199 {
		return flows.Stay(), flows.ErrStale
	}
	list, err := f.Store.JournalYear(ctx, int(year))
	if err != nil {
		return flows.Stay(), fmt.Errorf("journal: year %d: %w", year, err)
	}
	data, err := f.xlsx(c, list)
	if err != nil {
		return flows.Stay(), err
	}
	c.Send(bot.Document{ChatID: c.Chat(), Name: "zhurnal-" + strconv.FormatInt(year, 10) + ".xlsx", Data: data,
		Caption: c.L.N("association.jr.xlsx.caption", len(list), "Year", year)})
	return flows.Stay(), nil
}

// xlsx renders entries on two sheets, incoming and outgoing.
func (f *Journal) xlsx(c *flows.Context, list []storage.JournalEntry) ([]byte, error) {
	header := []string{c.T("association.jr.xlsx.number"), c.T("association.jr.xlsx.registered"), c.T("association.jr.xlsx.date"),
		c.T("association.jr.xlsx.corr"), c.T("association.jr.xlsx.subject"), c.T("association.jr.xlsx.source"),
		c.T("association.jr.xlsx.file"), c.T("association.jr.xlsx.status"), c.T("association.jr.xlsx.reason")}
	in := report.Sheet{Name: c.T("association.jr.xlsx.in"), Header: header, Widths: []float64{14, 18, 12, 36, 60, 16, 24, 16, 30}}
	out := report.Sheet{Name: c.T("association.jr.xlsx.out"), Header: header, Widths: in.Widths}
	for _, e := range list {
		row := []any{e.Number, e.RegisteredAt.In(f.loc()), e.Date, e.Correspondent, e.Subject,
			c.T("association.jr.xlsx.src." + string(e.Source)), e.FileName,
			c.T("association.jr.xlsx.st." + string(e.Status)), e.AnnulReason}
		if e.Direction == storage.JournalIn {
			in.Rows = append(in.Rows, row)
		} else {
			out.Rows = append(out.Rows, row)
		}
	}
	data, err := report.XLSX(in, out)
	if err != nil {
		return nil, fmt.Errorf("journal: xlsx: %w", err)
	}
	return data, nil
}
