package meetings

// At and after the meeting: the secretary marks attendance from the list
// (prefilled from the answers) and the bot says whether the meeting is
// valid; for each agenda item of a valid meeting the decision and the
// votes are recorded and the bot says whether it is adopted; an adopted
// decision may name executors, whose parts become tasks of their school's
// programme. The minutes: a draft PDF for signature, the signed scan
// uploaded (PDF or photos) and sent to every invitee. Jobs remind the
// secretary of minutes not sent on day 3 and day 5 and remove minutes
// three years after the meeting. The history lists the meetings held with
// their attendance and decisions, exportable to XLSX.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/report"
	"smkbot/locales"
	"smkbot/storage"
)

// The actions of this file.
const (
	actAttend    = "aatt"    // mt:aatt:<meeting>.<page>          attendance list
	actToggle    = "atog"    // mt:atog:<meeting>.<person>.<page> present / absent
	actAttendOK  = "adone"   // mt:adone:<meeting>                attendance marked: held
	actDecisions = "adec"    // mt:adec:<meeting>                 the items to decide
	actItem      = "aitem"   // mt:aitem:<item>                   an item's decision
	actDecide    = "atext"   // mt:atext:<item>                   record the decision
	actExec      = "aexec"   // mt:aexec:<item>                   name an executor
	actWho       = "awho"    // mt:awho:<item>.<person>           the executor chosen
	actDue       = "adue"    // mt:adue:<item>.<yyyymmdd>         a proposed deadline
	actMinutes   = "amin"    // mt:amin:<meeting>                 the minutes
	actPDF       = "apdf"    // mt:apdf:<meeting>                 the draft PDF
	actUpload    = "aup"     // mt:aup:<meeting>                  upload the signed scan
	actUploadEnd = "aupend"  // mt:aupend:<meeting>               upload finished
	actClear     = "aclr"    // mt:aclr:<meeting>                 remove the files uploaded
	actSend      = "asend"   // mt:asend:<meeting>                ask to send the minutes
	actSendOK    = "asendok" // mt:asendok:<meeting>              send them
	actXLSX      = "ahxlsx"  // mt:ahxlsx:                        the history as XLSX
	actResend    = "aresend" // mt:aresend:<meeting>              send the minutes to those still pending
)

// The steps of this file.
const (
	stepDecision = "meetings:a.decision" // the decision's text
	stepVotes    = "meetings:a.votes"    // «за против воздержались»
	stepWho      = "meetings:a.who"      // part of the executor's name
	stepDue      = "meetings:a.due"      // a typed deadline
	stepUpload   = "meetings:a.upload"   // the signed minutes' files
)

// Session keys of this file.
const (
	keyAItem    = "mt.a.item"    // the agenda item being decided
	keyAText    = "mt.a.text"    // the decision typed, before the votes
	keyAPerson  = "mt.a.person"  // the executor chosen
	keyAMeeting = "mt.a.meeting" // the meeting whose minutes are uploaded
	keyAGroup   = "mt.a.group"   // the album answered already
)

const (
	// attendPage is how many invitees the attendance list shows at once.
	attendPage = 10
	// historyPage is how many past meetings the history shows at once.
	historyPage = 6
	// whoLimit is how many people a name search offers.
	whoLimit = 8
	// openBefore is how long before the start attendance may be marked.
	openBefore = 2 * time.Hour
	// minutesDays is the charter's time for drawing up the minutes;
	// the secretary is reminded on day remindFirst and on day minutesDays.
	minutesDays = 5
	remindFirst = 3
	// minutesWindow bounds how far back the minutes job looks.
	minutesWindow = 40 * 24 * time.Hour
	// retention is how long minutes and materials are kept.
	retentionYears = 3
	// Reminders to the secretary go out in the daytime only.
	dayFrom, dayTo = 9, 21
	// maxVotesInput bounds what ParseVotes reads.
	maxVotesInput = 64
	// maxVote is the largest count of votes ParseVotes takes.
	maxVote = 9999
)

// registerAfter adds the buttons, steps and jobs of attendance, decisions
// and votes, executors' tasks, minutes, retention, history.
func (f *Flow) registerAfter(r *flows.Router) {
	for action, h := range map[string]flows.HandlerFunc{
		actAttend: f.pressAttend, actToggle: f.pressToggle, actAttendOK: f.pressAttendOK,
		actDecisions: f.pressDecisions, actItem: f.pressItem, actDecide: f.pressDecide,
		actExec: f.pressExec, actWho: f.pressWho, actDue: f.pressDue,
		actMinutes: f.pressMinutes, actPDF: f.pressPDF, actUpload: f.pressUpload,
		actUploadEnd: f.pressUploadEnd, actClear: f.pressClear, actSend: f.pressSend,
		actSendOK: f.pressSendOK, actHistory: f.pressHistory, actXLSX: f.pressXLSX,
		actResend: f.pressResend,
	} {
		r.Callback(cb, action, flows.ManageMeetings, h)
	}
	r.Step(stepDecision, flows.ManageMeetings, f.inputDecision)
	r.Step(stepVotes, flows.ManageMeetings, f.inputVotes)
	r.Step(stepWho, flows.ManageMeetings, f.inputWho)
	r.Step(stepDue, flows.ManageMeetings, f.inputDue)
	r.Step(stepUpload, flows.ManageMeetings, f.inputUpload)
	l := r.Localizer()
	r.Schedule(flows.Job{Name: "meeting-minutes", Every: time.Hour, Run: func(ctx context.Context, now time.Time) ([]bot.Message, error) {
		return f.remindMinutes(ctx, l, now)
	}})
	r.Schedule(flows.Job{Name: "meeting-retention", Every: 24 * time.Hour, Run: func(ctx context.Context, now time.Time) ([]bot.Message, error) {
		return nil, f.purgeMinutes(ctx, now)
	}})
}

// afterButtons are the card's buttons of this part for the meeting:
// attendance from two hours before the start, and once held the
// decisions and the minutes.
func (f *Flow) afterButtons(ctx context.Context, c *flows.Context, m storage.Meeting) (bot.Keyboard, error) {
	var kb bot.Keyboard
	if attendable(c, m) {
		kb = append(kb, []bot.Button{c.Button("meetings.a.btn.attend", flows.CB(cb, actAttend, fmt.Sprintf("%d.1", m.ID)))})
	}
	if m.Status == storage.MeetingHeld {
		kb = append(kb, []bot.Button{
			c.Button("meetings.a.btn.decisions", flows.CB(cb, actDecisions, m.ID)),
			c.Button("meetings.a.btn.minutes", flows.CB(cb, actMinutes, m.ID)),
		})
	}
	return kb, nil
}

// attendable reports whether attendance may be marked now: a sent
// meeting starting within two hours or started, or a held one (to
// correct the list).
func attendable(c *flows.Context, m storage.Meeting) bool {
	return m.Status == storage.MeetingHeld || m.Status == storage.MeetingSent && !m.StartsAt.After(c.Now.Add(openBefore))
}

// ParseVotes reads the votes typed as three numbers — for, against,
// abstained — separated by spaces, commas, slashes, semicolons or dashes:
// «7 1 0», «7,1,0», «7/1/0». Each is a count from 0 to 9999. ok is false
// for anything else.
func ParseVotes(s string) (votesFor, against, abstain int, ok bool) {
	if len(s) > maxVotesInput {
		return 0, 0, 0, false
	}
	sep := func(r rune) bool { return strings.ContainsRune(",/;-–—", r) }
	s = strings.TrimSpace(s)
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if sep(first) || sep(last) {
		// «-1 0 0» is no count of votes, nor «7 1 0,».
		return 0, 0, 0, false
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || sep(r) })
	if len(fields) != 3 {
		return 0, 0, 0, false
	}
	var n [3]int
	for i, f := range fields {
		if len(f) > 4 || strings.Trim(f, "0123456789") != "" {
			return 0, 0, 0, false
		}
		v, err := strconv.Atoi(f)
		if err != nil || v > maxVote {
			return 0, 0, 0, false
		}
		n[i] = v
	}
	return n[0], n[1], n[2], true
}

// aText reads the typed text of the update, trimmed, refusing anything
// longer than max runes; ok is false when the update is not text.
func aText(c *flows.Context, max int) (string, bool, error) {
	u := c.Update
	s := strings.TrimSpace(u.Text)
	if u.Photo != nil || u.Document != nil || u.Voice != nil || s == "" {
		return "", false, nil
	}
	if utf8.RuneCountInString(s) > max {
		return "", true, flows.Invalid("meetings.a.too_long", "Max", max)
	}
	return s, true, nil
}

// aClip shortens s to n runes, spaces collapsed, with «…» when cut.
func aClip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// aPlain drops from typed text what the PDF fonts cannot hold:
// characters outside the Basic Multilingual Plane, emoji mostly.
func aPlain(s string) string {
	return strings.Map(func(r rune) rune {
		if r > 0xFFFF {
			return -1
		}
		return r
	}, s)
}

// aDay is the local date of t, at 00:00 in the association's zone.
func (f *Flow) aDay(t time.Time) time.Time {
	y, m, d := t.In(f.loc()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, f.loc())
}

// attendance is who was at a meeting, as marked.
type attendance struct {
	invitees []storage.Invitee
	members  int // on the presidium's list
	present  int // members marked present
}

// valid reports whether the meeting had its quorum: at least half of the
// list present.
func (a attendance) valid() bool { return a.members > 0 && a.present >= Quorum(a.members) }

func (f *Flow) attendanceOf(ctx context.Context, meetingID int64) (attendance, error) {
	list, err := f.Store.ListInvitees(ctx, meetingID)
	if err != nil {
		return attendance{}, fmt.Errorf("meetings: invitees of %d: %w", meetingID, err)
	}
	a := attendance{invitees: list}
	for _, v := range list {
		if v.Role != storage.InviteeMember {
			continue
		}
		a.members++
		if v.Present != nil && *v.Present {
			a.present++
		}
	}
	return a, nil
}

// quorumLine says whether the meeting is valid, with the numbers.
func quorumLine(c *flows.Context, a attendance) string {
	id := "meetings.a.valid"
	if !a.valid() {
		id = "meetings.a.invalid"
	}
	return c.T(id, "Present", a.present, "Members", a.members, "Need", Quorum(a.members))
}

// heldMeeting loads a held meeting for the buttons of decisions and
// minutes.
func (f *Flow) heldMeeting(ctx context.Context, c *flows.Context, id int64) (storage.Meeting, error) {
	m, err := f.loadMeeting(ctx, c, id)
	if err != nil {
		return m, err
	}
	if m.Status != storage.MeetingHeld {
		return m, flows.ErrStale
	}
	return m, nil
}

// ---- Attendance ----

// pressAttend shows the attendance list; the first time, those who
// answered they would come are marked present.
func (f *Flow) pressAttend(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	m, err := f.loadMeeting(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	if !attendable(c, m) {
		return flows.Stay(), flows.ErrStale
	}
	a, err := f.attendanceOf(ctx, m.ID)
	if err != nil {
		return flows.Stay(), err
	}
	if !slices.ContainsFunc(a.invitees, func(v storage.Invitee) bool { return v.Present != nil }) {
		for _, inv := range a.invitees {
			if inv.RSVP != storage.RSVPYes && inv.RSVP != storage.RSVPOnline {
				continue
			}
			if err := f.Store.SetPresent(ctx, c.Actor.PersonID(), m.ID, inv.PersonID, true); err != nil {
				return flows.Stay(), f.staleOn(err, "meetings: prefill attendance of %d: %w", m.ID)
			}
		}
		if a, err = f.attendanceOf(ctx, m.ID); err != nil {
			return flows.Stay(), err
		}
	}
	c.Edit(f.attendScreen(c, m, a, v[1]))
	return flows.Stay(), nil
}

// staleOn turns the store's not found and conflict into ErrStale (the
// meeting changed under the button) and wraps anything else.
func (f *Flow) staleOn(err error, format string, id int64) error {
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrConflict) {
		return flows.ErrStale
	}
	return fmt.Errorf(format, id, err)
}

// attendScreen is a page of the attendance list: members first, then
// guests, each a toggle.
func (f *Flow) attendScreen(c *flows.Context, m storage.Meeting, a attendance, page int64) (string, bot.Keyboard) {
	from, to, p, count := flows.Pages(int64(len(a.invitees)), attendPage, page)
	var kb bot.Keyboard
	for _, v := range a.invitees[from:to] {
		id := "meetings.a.att.absent"
		if v.Present != nil && *v.Present {
			id = "meetings.a.att.present"
		}
		name := aClip(v.FullName, buttonText-6)
		if v.Role != storage.InviteeMember {
			name = c.T("meetings.a.att.guest", "Name", aClip(v.FullName, buttonText-14))
		}
		kb = append(kb, []bot.Button{{Text: c.T(id, "Name", name),
			Data: flows.CB(cb, actToggle, fmt.Sprintf("%d.%d.%d", m.ID, v.PersonID, p))}})
	}
	if nav := c.PageNav(p, count, func(n int64) string { return flows.CB(cb, actAttend, fmt.Sprintf("%d.%d", m.ID, n)) }); len(nav) > 0 {
		kb = append(kb, nav)
	}
	kb = append(kb, []bot.Button{c.Button("meetings.a.btn.attend_done", flows.CB(cb, actAttendOK, m.ID))},
		[]bot.Button{c.Button("meetings.a.btn.to_card", flows.CB(cb, actCard, m.ID))})
	text := c.T("meetings.a.att.head", "When", f.When(c.L, m)) + "\n\n" + quorumLine(c, a)
	return text + c.PageLine(p, count), kb
}

// pressToggle marks an invitee present or absent.
func (f *Flow) pressToggle(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 3)
	if err != nil || v[1] == 0 {
		return flows.Stay(), flows.ErrStale
	}
	m, err := f.loadMeeting(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	if !attendable(c, m) {
		return flows.Stay(), flows.ErrStale
	}
	inv, err := f.Store.FindInvitee(ctx, m.ID, v[1])
	if err != nil {
		return flows.Stay(), f.staleOn(err, "meetings: invitee of %d: %w", m.ID)
	}
	present := inv.Present == nil || !*inv.Present
	if err := f.Store.SetPresent(ctx, c.Actor.PersonID(), m.ID, inv.PersonID, present); err != nil {
		return flows.Stay(), f.staleOn(err, "meetings: set present at %d: %w", m.ID)
	}
	a, err := f.attendanceOf(ctx, m.ID)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(f.attendScreen(c, m, a, v[2]))
	return flows.Stay(), nil
}

// pressAttendOK sets the meeting held and says whether it is valid.
func (f *Flow) pressAttendOK(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	m, err := f.loadMeeting(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	if !attendable(c, m) {
		return flows.Stay(), flows.ErrStale
	}
	if m, err = f.Store.MarkHeld(ctx, c.Actor.PersonID(), m.ID); err != nil {
		return flows.Stay(), f.staleOn(err, "meetings: mark %d held: %w", v[0])
	}
	a, err := f.attendanceOf(ctx, m.ID)
	if err != nil {
		return flows.Stay(), err
	}
	text := c.T("meetings.a.held", "When", f.When(c.L, m)) + "\n\n" + quorumLine(c, a)
	if !a.valid() {
		text += "\n\n" + c.T("meetings.a.invalid_note")
	}
	kb := bot.Keyboard{
		{c.Button("meetings.a.btn.decisions", flows.CB(cb, actDecisions, m.ID)), c.Button("meetings.a.btn.minutes", flows.CB(cb, actMinutes, m.ID))},
		{c.Button("meetings.a.btn.to_card", flows.CB(cb, actCard, m.ID))},
	}
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// ---- Decisions ----

// decidable loads a held meeting and its attendance for recording
// decisions; an invalid meeting is refused with the reason.
func (f *Flow) decidable(ctx context.Context, c *flows.Context, id int64) (storage.Meeting, attendance, error) {
	m, err := f.heldMeeting(ctx, c, id)
	if err != nil {
		return m, attendance{}, err
	}
	a, err := f.attendanceOf(ctx, m.ID)
	if err != nil {
		return m, a, err
	}
	if !a.valid() {
		return m, a, flows.Invalid("meetings.a.dec_invalid", "Present", a.present, "Members", a.members, "Need", Quorum(a.members))
	}
	return m, a, nil
}

// pressDecisions lists the agenda items with their decisions.
func (f *Flow) pressDecisions(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	m, a, err := f.decidable(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.decisionsScreen(ctx, c, m, a)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.Stay(), nil
}

func (f *Flow) decisionsScreen(ctx context.Context, c *flows.Context, m storage.Meeting, a attendance) (string, bot.Keyboard, error) {
	agenda, err := f.Store.ListAgenda(ctx, m.ID)
	if err != nil {
		return "", nil, fmt.Errorf("meetings: agenda of %d: %w", m.ID, err)
	}
	lines := []string{c.T("meetings.a.dec.head", "When", f.When(c.L, m)), quorumLine(c, a), ""}
	var kb bot.Keyboard
	for _, it := range agenda {
		lines = append(lines, c.T("meetings.notice.item", "N", it.Position, "Title", it.Title)+" — "+decisionState(c, it))
		kb = append(kb, []bot.Button{{Text: aClip(c.T("meetings.notice.item", "N", it.Position, "Title", it.Title), buttonText),
			Data: flows.CB(cb, actItem, it.ID)}})
	}
	kb = append(kb, []bot.Button{c.Button("meetings.a.btn.to_card", flows.CB(cb, actCard, m.ID))})
	return strings.Join(lines, "\n"), kb, nil
}

// decisionState is an item's decision in a word: adopted, not, none yet.
func decisionState(c *flows.Context, it storage.AgendaItem) string {
	switch {
	case it.Decided.IsZero():
		return c.T("meetings.a.dec.none")
	case it.Adopted:
		return c.T("meetings.a.dec.adopted_short")
	}
	return c.T("meetings.a.dec.rejected_short")
}

// itemOf loads an agenda item of a valid held meeting.
func (f *Flow) itemOf(ctx context.Context, c *flows.Context, id int64) (storage.AgendaItem, storage.Meeting, attendance, error) {
	it, err := f.Store.FindAgendaItem(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return it, storage.Meeting{}, attendance{}, flows.ErrStale
	}
	if err != nil {
		return it, storage.Meeting{}, attendance{}, fmt.Errorf("meetings: agenda item %d: %w", id, err)
	}
	m, a, err := f.decidable(ctx, c, it.MeetingID)
	return it, m, a, err
}

// pressItem shows an item's decision and what can be done with it.
func (f *Flow) pressItem(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	it, m, a, err := f.itemOf(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.itemScreen(ctx, c, m, it, a)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// voteLine is the result of a vote: «Решение принято (за 7 из 12
// присутствующих, нужно не менее 6)».
func voteLine(c *flows.Context, it storage.AgendaItem, present int) string {
	id := "meetings.a.dec.rejected"
	if it.Adopted {
		id = "meetings.a.dec.adopted"
	}
	return c.T(id, "For", it.For, "Present", present, "Need", Quorum(present))
}

// itemScreen is an item with its decision, votes and executors.
func (f *Flow) itemScreen(ctx context.Context, c *flows.Context, m storage.Meeting, it storage.AgendaItem, a attendance) (string, bot.Keyboard, error) {
	lines := []string{c.T("meetings.notice.item", "N", it.Position, "Title", it.Title)}
	if it.Speaker != "" {
		lines[0] += c.T("meetings.notice.speaker", "Speaker", it.Speaker)
	}
	var kb bot.Keyboard
	if it.Decided.IsZero() {
		lines = append(lines, "", c.T("meetings.a.dec.not_yet"))
		kb = append(kb, []bot.Button{c.Button("meetings.a.btn.decide", flows.CB(cb, actDecide, it.ID))})
	} else {
		lines = append(lines, "", c.T("meetings.a.dec.text", "Text", it.Decision),
			c.T("meetings.a.dec.votes", "For", it.For, "Against", it.Against, "Abstain", it.Abstain),
			voteLine(c, it, a.present))
		execs, err := f.executorLines(ctx, c, it.ID)
		if err != nil {
			return "", nil, err
		}
		if len(execs) > 0 {
			lines = append(lines, "", c.T("meetings.a.exec.head"))
			lines = append(lines, execs...)
		}
		if it.Adopted && f.Tasks != nil {
			kb = append(kb, []bot.Button{c.Button("meetings.a.btn.exec", flows.CB(cb, actExec, it.ID))})
		}
		kb = append(kb, []bot.Button{c.Button("meetings.a.btn.redecide", flows.CB(cb, actDecide, it.ID))})
	}
	kb = append(kb, []bot.Button{c.Button("meetings.a.btn.to_decisions", flows.CB(cb, actDecisions, m.ID))})
	return strings.Join(lines, "\n"), kb, nil
}

// executorLines are the tasks given for a decision: who, by when.
func (f *Flow) executorLines(ctx context.Context, c *flows.Context, itemID int64) ([]string, error) {
	ids, err := f.Store.DecisionTasks(ctx, itemID)
	if err != nil {
		return nil, fmt.Errorf("meetings: tasks of decision %d: %w", itemID, err)
	}
	var lines []string
	for _, id := range ids {
		t, as, err := f.Store.FindTask(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("meetings: task %d: %w", id, err)
		}
		for _, a := range as {
			p, _, err := f.Store.FindPersonByID(ctx, a.PersonID)
			if err != nil && !errors.Is(err, storage.ErrNotFound) {
				return nil, fmt.Errorf("meetings: person %d: %w", a.PersonID, err)
			}
			lines = append(lines, c.T("meetings.a.exec.line", "Name", p.FullName, "Due", c.L.Date(t.Due)))
		}
	}
	return lines, nil
}

// pressDecide asks for the decision's text.
func (f *Flow) pressDecide(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	it, _, _, err := f.itemOf(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	c.SetInt(keyAItem, it.ID)
	c.Reply(c.T("meetings.a.ask_decision", "N", it.Position, "Title", it.Title, "Max", maxText), nil)
	return flows.Goto(stepDecision), nil
}

// stepItem is the item the session's step is about, checked again; ok
// is false when the step no longer applies (the person is told).
func (f *Flow) stepItem(ctx context.Context, c *flows.Context) (storage.AgendaItem, storage.Meeting, attendance, bool, error) {
	it, m, a, err := f.itemOf(ctx, c, c.GetInt(keyAItem))
	var invalid *flows.InputError
	switch {
	case errors.Is(err, flows.ErrStale), errors.Is(err, flows.ErrForbidden):
		c.Say("meetings.a.step_gone")
		return it, m, a, false, nil
	case errors.As(err, &invalid):
		c.Say(invalid.MsgID, invalid.Data...)
		return it, m, a, false, nil
	case err != nil:
		return it, m, a, false, err
	}
	return it, m, a, true, nil
}

// inputDecision takes the decision's text and asks for the votes.
func (f *Flow) inputDecision(ctx context.Context, c *flows.Context) (flows.Next, error) {
	it, _, a, ok, err := f.stepItem(ctx, c)
	if err != nil || !ok {
		return flows.End(), err
	}
	s, ok, err := aText(c, maxText)
	if err != nil {
		return flows.Stay(), err
	}
	if !ok {
		return flows.Stay(), flows.Invalid("meetings.a.decision_what")
	}
	c.Set(keyAText, s)
	c.Reply(c.T("meetings.a.ask_votes", "N", it.Position)+"\n"+c.L.N("meetings.a.present_members", a.present), nil)
	return flows.Goto(stepVotes), nil
}

// inputVotes takes the votes, checks them against those present and
// records the decision.
func (f *Flow) inputVotes(ctx context.Context, c *flows.Context) (flows.Next, error) {
	it, m, a, ok, err := f.stepItem(ctx, c)
	if err != nil || !ok {
		return flows.End(), err
	}
	decision := c.Get(keyAText)
	if decision == "" {
		c.Say("meetings.a.step_gone")
		return flows.End(), nil
	}
	s, ok, err := aText(c, maxVotesInput)
	if err != nil || !ok {
		return flows.Stay(), flows.Invalid("meetings.a.votes_what")
	}
	vf, va, vb, ok := ParseVotes(s)
	if !ok {
		return flows.Stay(), flows.Invalid("meetings.a.votes_what")
	}
	if vf+va+vb > a.present {
		return flows.Stay(), flows.Invalid("meetings.a.votes_too_many", "Sum", vf+va+vb, "Present", a.present)
	}
	it, err = f.Store.RecordDecision(ctx, c.Actor.PersonID(), it.ID, decision, vf, va, vb, a.present)
	switch {
	case errors.Is(err, storage.ErrInvalid):
		// The attendance changed meanwhile: the numbers are asked again.
		return flows.Stay(), flows.Invalid("meetings.a.votes_changed")
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrConflict):
		c.Say("meetings.a.step_gone")
		return flows.End(), nil
	case err != nil:
		return flows.Stay(), fmt.Errorf("meetings: record decision on %d: %w", it.ID, err)
	}
	c.Clear()
	text, kb, err := f.itemScreen(ctx, c, m, it, a)
	if err != nil {
		return flows.End(), err
	}
	c.Reply(voteLine(c, it, a.present)+"\n\n"+text, kb)
	return flows.End(), nil
}

// ---- Executors ----

// adoptedItem loads an adopted decision for naming executors.
func (f *Flow) adoptedItem(ctx context.Context, c *flows.Context, id int64) (storage.AgendaItem, storage.Meeting, error) {
	it, m, _, err := f.itemOf(ctx, c, id)
	if err != nil {
		return it, m, err
	}
	if f.Tasks == nil || it.Decided.IsZero() || !it.Adopted {
		return it, m, flows.ErrStale
	}
	return it, m, nil
}

// pressExec asks for the executor's name.
func (f *Flow) pressExec(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	it, _, err := f.adoptedItem(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	c.SetInt(keyAItem, it.ID)
	c.Reply(c.T("meetings.a.ask_who", "N", it.Position), nil)
	return flows.Goto(stepWho), nil
}

// inputWho offers the people whose names match what was typed.
func (f *Flow) inputWho(ctx context.Context, c *flows.Context) (flows.Next, error) {
	it, _, err := f.adoptedItem(ctx, c, c.GetInt(keyAItem))
	if errors.Is(err, flows.ErrStale) {
		c.Say("meetings.a.step_gone")
		return flows.End(), nil
	}
	if err != nil {
		return flows.End(), err
	}
	s, ok, err := aText(c, 100)
	if err != nil || !ok {
		return flows.Stay(), flows.Invalid("meetings.a.who_what")
	}
	people, err := f.Store.SearchPeople(ctx, s, whoLimit)
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: search people: %w", err)
	}
	if len(people) == 0 {
		return flows.Stay(), flows.Invalid("meetings.a.who_none")
	}
	var kb bot.Keyboard
	for _, p := range people {
		kb = append(kb, []bot.Button{{Text: aClip(p.FullName, buttonText), Data: flows.CB(cb, actWho, fmt.Sprintf("%d.%d", it.ID, p.ID))}})
	}
	c.Reply(c.T("meetings.a.who_pick"), kb)
	return flows.Stay(), nil
}

// pressWho takes the executor and asks for the deadline.
func (f *Flow) pressWho(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 2)
	if err != nil || v[0] != c.GetInt(keyAItem) || v[1] == 0 {
		return flows.Stay(), flows.ErrStale
	}
	it, _, err := f.adoptedItem(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	p, _, err := f.Store.FindPersonByID(ctx, v[1])
	if errors.Is(err, storage.ErrNotFound) {
		return flows.Stay(), flows.ErrStale
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: person %d: %w", v[1], err)
	}
	if p.OrgID == 0 {
		c.Reply(c.T("meetings.a.who_no_school", "Name", p.FullName), nil)
		return flows.Stay(), nil
	}
	c.SetInt(keyAPerson, p.ID)
	today := f.aDay(c.Now)
	var kb bot.Keyboard
	for _, d := range []time.Time{today.AddDate(0, 0, 14), today.AddDate(0, 1, 0)} {
		kb = append(kb, []bot.Button{{Text: c.T("meetings.a.btn.due", "Date", c.L.DayMonth(d)),
			Data: flows.CB(cb, actDue, fmt.Sprintf("%d.%d", it.ID, flows.DateKey(d)))}})
	}
	c.Edit(c.T("meetings.a.who_chosen", "Name", p.FullName), nil)
	c.Reply(c.T("meetings.a.ask_due"), kb)
	return flows.Goto(stepDue), nil
}

// pressDue takes a proposed deadline.
func (f *Flow) pressDue(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 2)
	if err != nil || v[0] != c.GetInt(keyAItem) || c.GetInt(keyAPerson) == 0 {
		return flows.Stay(), flows.ErrStale
	}
	d, ok := flows.KeyDate(v[1], f.loc())
	if !ok {
		return flows.Stay(), flows.ErrStale
	}
	return f.assign(ctx, c, d)
}

// inputDue takes a typed deadline.
func (f *Flow) inputDue(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if c.GetInt(keyAItem) == 0 || c.GetInt(keyAPerson) == 0 {
		c.Say("meetings.a.step_gone")
		return flows.End(), nil
	}
	s, ok, err := aText(c, 64)
	if err != nil || !ok {
		return flows.Stay(), flows.Invalid("input.date_invalid")
	}
	d, err := flows.ParseDate(s, c.Now, f.loc())
	if err != nil {
		return flows.Stay(), err
	}
	return f.assign(ctx, c, d)
}

// assign gives the executor a task in their school's programme, linked
// to the decision.
func (f *Flow) assign(ctx context.Context, c *flows.Context, due time.Time) (flows.Next, error) {
	if due.Before(f.aDay(c.Now)) {
		return flows.Stay(), flows.Invalid("meetings.a.due_passed")
	}
	it, m, err := f.adoptedItem(ctx, c, c.GetInt(keyAItem))
	if errors.Is(err, flows.ErrStale) {
		c.Say("meetings.a.step_gone")
		return flows.End(), nil
	}
	if err != nil {
		return flows.End(), err
	}
	p, _, err := f.Store.FindPersonByID(ctx, c.GetInt(keyAPerson))
	if errors.Is(err, storage.ErrNotFound) {
		c.Say("meetings.a.step_gone")
		return flows.End(), nil
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: person %d: %w", c.GetInt(keyAPerson), err)
	}
	if p.OrgID == 0 {
		c.Say("meetings.a.who_no_school", "Name", p.FullName)
		return flows.End(), nil
	}
	date := c.L.Date(m.StartsAt)
	t, err := f.Tasks.AssignTask(ctx, c, flows.TaskOrder{
		OrgID:       p.OrgID,
		Direction:   c.T("meetings.a.task_direction"),
		Title:       c.T("meetings.a.task_title", "Text", aClip(it.Decision, 120)),
		Description: c.T("meetings.a.task_desc", "Date", date, "N", it.Position, "Title", it.Title, "Decision", it.Decision),
		AssigneeID:  p.ID,
		Due:         due,
		Link:        storage.TaskLink{AgendaItemID: it.ID},
	})
	if err != nil {
		return flows.Stay(), err
	}
	a, err := f.attendanceOf(ctx, m.ID)
	if err != nil {
		return flows.End(), err
	}
	c.Clear()
	text, kb, err := f.itemScreen(ctx, c, m, it, a)
	if err != nil {
		return flows.End(), err
	}
	c.Reply(c.T("meetings.a.assigned", "Name", p.FullName, "Due", c.L.Date(t.Due))+"\n\n"+text, kb)
	return flows.End(), nil
}

// ---- Minutes ----

// minutesNumber is the minutes' number: the meeting's id, the same in
// the PDF, the captions and the reminders.
func minutesNumber(m storage.Meeting) int64 { return m.ID }

// pressMinutes shows where the minutes stand.
func (f *Flow) pressMinutes(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	m, err := f.heldMeeting(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.minutesScreen(ctx, c, m)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// minutesScreen is the minutes' state and buttons: the draft PDF always;
// until sent, upload, send and clear.
func (f *Flow) minutesScreen(ctx context.Context, c *flows.Context, m storage.Meeting) (string, bot.Keyboard, error) {
	files, err := f.Store.ListMinutesFiles(ctx, m.ID)
	if err != nil {
		return "", nil, fmt.Errorf("meetings: minutes of %d: %w", m.ID, err)
	}
	due := f.aDay(m.StartsAt).AddDate(0, 0, minutesDays)
	lines := []string{c.T("meetings.a.min.head", "Number", minutesNumber(m), "When", f.When(c.L, m)),
		c.T("meetings.a.min.due", "Due", c.L.Date(due))}
	kb := bot.Keyboard{{c.Button("meetings.a.btn.pdf", flows.CB(cb, actPDF, m.ID))}}
	switch {
	case !m.MinutesSentAt.IsZero():
		lines = append(lines, c.T("meetings.a.min.sent", "Date", c.L.Date(m.MinutesSentAt)))
		list, err := f.Store.ListInvitees(ctx, m.ID)
		if err != nil {
			return "", nil, fmt.Errorf("meetings: invitees of %d: %w", m.ID, err)
		}
		if slices.ContainsFunc(list, func(v storage.Invitee) bool { return v.Delivery == storage.DeliveryPending }) {
			kb = append(kb, []bot.Button{c.Button("meetings.a.btn.resend", flows.CB(cb, actResend, m.ID))})
		}
	case len(files) == 0:
		lines = append(lines, c.T("meetings.a.min.none"))
		kb = append(kb, []bot.Button{c.Button("meetings.a.btn.upload", flows.CB(cb, actUpload, m.ID))})
	default:
		lines = append(lines, c.L.N("meetings.a.min.files", len(files)))
		kb = append(kb, []bot.Button{c.Button("meetings.a.btn.send", flows.CB(cb, actSend, m.ID))},
			[]bot.Button{c.Button("meetings.a.btn.upload_more", flows.CB(cb, actUpload, m.ID))},
			[]bot.Button{c.Button("meetings.a.btn.clear", flows.CB(cb, actClear, m.ID))})
	}
	kb = append(kb, []bot.Button{c.Button("meetings.a.btn.to_card", flows.CB(cb, actCard, m.ID))})
	return strings.Join(lines, "\n"), kb, nil
}

// pressPDF sends the draft minutes for signature.
func (f *Flow) pressPDF(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	m, err := f.heldMeeting(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	pdf, err := f.minutesPDF(ctx, c, m)
	if err != nil {
		return flows.Stay(), err
	}
	c.Send(bot.Document{ChatID: c.Chat(), Name: fmt.Sprintf("protokol-%d.pdf", minutesNumber(m)), Data: pdf,
		Caption: c.T("meetings.a.pdf.caption", "Number", minutesNumber(m))})
	return flows.Stay(), nil
}

// signers are the names of the chair and the secretary for the
// signature lines ("" when there is none).
func (f *Flow) signers(ctx context.Context) (chair, secretary string, err error) {
	name := func(role storage.Role) (string, error) {
		ps, err := f.Store.ListPeople(ctx, 0, role)
		if err != nil {
			return "", fmt.Errorf("meetings: people with role %s: %w", role, err)
		}
		for _, p := range ps {
			if p.Active {
				return p.FullName, nil
			}
		}
		return "", nil
	}
	if chair, err = name(storage.RoleChair); err != nil {
		return "", "", err
	}
	secretary, err = name(storage.RoleSecretary)
	return chair, secretary, err
}

// minutesPDF drafts the minutes: the meeting, who was present and
// absent, the quorum, the agenda, each decision with its votes, and the
// signature lines.
func (f *Flow) minutesPDF(ctx context.Context, c *flows.Context, m storage.Meeting) ([]byte, error) {
	a, err := f.attendanceOf(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	agenda, err := f.Store.ListAgenda(ctx, m.ID)
	if err != nil {
		return nil, fmt.Errorf("meetings: agenda of %d: %w", m.ID, err)
	}
	chair, secretary, err := f.signers(ctx)
	if err != nil {
		return nil, err
	}
	var present, absent, guests []string
	for _, v := range a.invitees {
		here := v.Present != nil && *v.Present
		switch {
		case v.Role != storage.InviteeMember && here:
			guests = append(guests, c.T("meetings.a.pdf.guest."+string(v.Role), "Name", aPlain(v.FullName)))
		case v.Role != storage.InviteeMember:
		case here:
			present = append(present, aPlain(v.FullName))
		default:
			absent = append(absent, aPlain(v.FullName))
		}
	}
	numbered := func(names []string) string {
		if len(names) == 0 {
			return c.T("meetings.a.pdf.nobody")
		}
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = fmt.Sprintf("%d. %s", i+1, n)
		}
		return strings.Join(out, "\n")
	}
	fields := [][2]string{
		{c.T("meetings.a.pdf.kind"), c.T("meetings.a.pdf.kind." + string(m.Kind))},
		{c.T("meetings.a.pdf.when"), f.When(c.L, m)},
	}
	if m.Place != "" {
		fields = append(fields, [2]string{c.T("meetings.a.pdf.place"), aPlain(m.Place)})
	}
	if m.Link != "" {
		fields = append(fields, [2]string{c.T("meetings.a.pdf.link"), aPlain(m.Link)})
	}
	blocks := []report.Block{
		report.Heading{Text: c.T("meetings.a.pdf.title", "Number", minutesNumber(m)), Level: 1},
		report.Fields{Rows: fields},
		report.Heading{Text: c.T("meetings.a.pdf.present", "Count", a.present), Level: 2},
		report.Paragraph{Text: numbered(present)},
		report.Heading{Text: c.T("meetings.a.pdf.absent", "Count", len(absent)), Level: 2},
		report.Paragraph{Text: numbered(absent)},
	}
	if len(guests) > 0 {
		blocks = append(blocks, report.Heading{Text: c.T("meetings.a.pdf.guests"), Level: 2},
			report.Paragraph{Text: numbered(guests)})
	}
	blocks = append(blocks, report.Paragraph{Text: quorumLine(c, a)},
		report.Heading{Text: c.T("meetings.a.pdf.agenda"), Level: 2})
	var items []string
	for _, it := range agenda {
		line := c.T("meetings.notice.item", "N", it.Position, "Title", aPlain(it.Title))
		if it.Speaker != "" {
			line += c.T("meetings.notice.speaker", "Speaker", aPlain(it.Speaker))
		}
		items = append(items, line)
	}
	blocks = append(blocks, report.Paragraph{Text: strings.Join(items, "\n")})
	for _, it := range agenda {
		blocks = append(blocks, report.Heading{Text: c.T("meetings.a.pdf.item", "N", it.Position, "Title", aPlain(it.Title)), Level: 3})
		if it.Speaker != "" {
			blocks = append(blocks, report.Paragraph{Text: c.T("meetings.a.pdf.heard", "Speaker", aPlain(it.Speaker))})
		}
		if it.Decided.IsZero() {
			blocks = append(blocks, report.Paragraph{Text: c.T("meetings.a.pdf.no_decision")})
			continue
		}
		result := c.T("meetings.a.pdf.rejected")
		if it.Adopted {
			result = c.T("meetings.a.pdf.adopted")
		}
		blocks = append(blocks,
			report.Paragraph{Text: c.T("meetings.a.pdf.decided", "Text", aPlain(it.Decision))},
			report.Paragraph{Text: c.T("meetings.a.pdf.voted", "For", it.For, "Against", it.Against, "Abstain", it.Abstain) + " " + result})
	}
	blocks = append(blocks, report.Paragraph{Text: "\n" + c.T("meetings.a.pdf.sign_chair", "Name", aPlain(chair)) +
		"\n\n" + c.T("meetings.a.pdf.sign_secretary", "Name", aPlain(secretary))})
	pdf, err := report.PDF(report.Doc{
		Title:   c.T("meetings.a.pdf.title", "Number", minutesNumber(m)),
		Blocks:  blocks,
		Footer:  func(page, pages int) string { return c.T("meetings.a.pdf.footer", "Page", page, "Pages", pages) },
		Created: c.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("meetings: minutes pdf of %d: %w", m.ID, err)
	}
	return pdf, nil
}

// minutesOpen loads a held meeting whose minutes are not sent yet.
func (f *Flow) minutesOpen(ctx context.Context, c *flows.Context, id int64) (storage.Meeting, error) {
	m, err := f.heldMeeting(ctx, c, id)
	if err != nil {
		return m, err
	}
	if !m.MinutesSentAt.IsZero() {
		return m, flows.ErrStale
	}
	return m, nil
}

// pressUpload asks for the signed minutes.
func (f *Flow) pressUpload(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	m, err := f.minutesOpen(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	c.SetInt(keyAMeeting, m.ID)
	c.Reply(c.T("meetings.a.ask_upload", "Number", minutesNumber(m)),
		bot.Keyboard{{c.Button("meetings.a.btn.upload_end", flows.CB(cb, actUploadEnd, m.ID))}})
	return flows.Goto(stepUpload), nil
}

// inputUpload stores a PDF or a photo of the signed minutes; of an
// album, only the first photo is answered.
func (f *Flow) inputUpload(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.minutesOpen(ctx, c, c.GetInt(keyAMeeting))
	if errors.Is(err, flows.ErrStale) {
		c.Say("meetings.a.step_gone")
		return flows.End(), nil
	}
	if err != nil {
		return flows.End(), err
	}
	u := c.Update
	kind, file := "photo", u.Photo
	if file == nil {
		kind, file = "document", u.Document
	}
	if file == nil {
		return flows.Stay(), flows.Invalid("meetings.a.upload_what")
	}
	if file.Size > storage.MaxAttachmentSize {
		return flows.Stay(), flows.Invalid("meetings.a.upload_too_big")
	}
	if f.Files == nil {
		return flows.Stay(), errors.New("meetings: no file downloader")
	}
	data, err := f.Files.Download(ctx, file.ID)
	if errors.Is(err, bot.ErrFileTooLarge) || err == nil && len(data) > storage.MaxAttachmentSize {
		return flows.Stay(), flows.Invalid("meetings.a.upload_too_big")
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: download minutes of %d: %w", m.ID, err)
	}
	mime := http.DetectContentType(data)
	switch {
	case mime == "application/pdf" && kind == "document":
	case mime == "image/jpeg" || mime == "image/png":
	default:
		return flows.Stay(), flows.Invalid("meetings.a.upload_what")
	}
	att, err := f.Store.SaveAttachment(ctx, data, file.Name, mime)
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: save minutes of %d: %w", m.ID, err)
	}
	err = f.Store.AddMinutesFile(ctx, c.Actor.PersonID(), storage.MinutesFile{MeetingID: m.ID, AttachmentID: att.ID,
		Kind: kind, Name: file.Name, FileID: file.ID})
	if errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrNotFound) {
		c.Say("meetings.a.step_gone")
		return flows.End(), nil
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: add minutes file to %d: %w", m.ID, err)
	}
	done := bot.Keyboard{{c.Button("meetings.a.btn.upload_end", flows.CB(cb, actUploadEnd, m.ID))}}
	if u.MediaGroupID != "" {
		if c.Get(keyAGroup) == u.MediaGroupID {
			return flows.Stay(), nil
		}
		c.Set(keyAGroup, u.MediaGroupID)
		c.Reply(c.T("meetings.a.got_album"), done)
		return flows.Stay(), nil
	}
	files, err := f.Store.ListMinutesFiles(ctx, m.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: minutes of %d: %w", m.ID, err)
	}
	c.Reply(c.L.N("meetings.a.got_file", len(files)), done)
	return flows.Stay(), nil
}

// pressUploadEnd ends the upload and shows the minutes.
func (f *Flow) pressUploadEnd(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	m, err := f.heldMeeting(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.minutesScreen(ctx, c, m)
	if err != nil {
		return flows.Stay(), err
	}
	if c.Step() == stepUpload {
		c.Clear()
		c.Edit(text, kb)
		return flows.End(), nil
	}
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// pressClear removes the files uploaded so far.
func (f *Flow) pressClear(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	m, err := f.minutesOpen(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	if err := f.Store.ClearMinutesFiles(ctx, c.Actor.PersonID(), m.ID); err != nil {
		return flows.Stay(), f.staleOn(err, "meetings: clear minutes of %d: %w", m.ID)
	}
	text, kb, err := f.minutesScreen(ctx, c, m)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(c.T("meetings.a.cleared")+"\n\n"+text, kb)
	return flows.Stay(), nil
}

// pressSend asks to confirm sending the minutes to every invitee.
func (f *Flow) pressSend(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	m, err := f.minutesOpen(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	files, err := f.Store.ListMinutesFiles(ctx, m.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: minutes of %d: %w", m.ID, err)
	}
	if len(files) == 0 {
		return flows.Stay(), flows.ErrStale
	}
	a, err := f.attendanceOf(ctx, m.ID)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(c.T("meetings.a.ask_send", "Files", c.L.N("meetings.a.n_files", len(files)), "People", c.L.N("meetings.a.n_people", len(a.invitees))),
		bot.Keyboard{
			{c.Button("meetings.a.btn.send_ok", flows.CB(cb, actSendOK, m.ID))},
			{c.Button("common.btn.back", flows.CB(cb, actMinutes, m.ID))},
		})
	return flows.Stay(), nil
}

// pressSendOK marks the minutes sent and schedules their broadcast to
// every invitee as durable work (notice.go's broadcast, bcMinutes): each
// one's delivery is pended first, so a rerun after a crash sends nobody
// twice, and the delivery report, naming who was not reached and why,
// comes to the secretary who pressed.
func (f *Flow) pressSendOK(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	m, err := f.minutesOpen(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	if f.Scheduler == nil {
		return flows.Stay(), errors.New("meetings: no scheduler to send the minutes")
	}
	// Marking also sets every delivery pending, in one transaction; if
	// scheduling then fails, the minutes screen offers to send again.
	if m, err = f.Store.MarkMinutesSent(ctx, c.Actor.PersonID(), m.ID); err != nil {
		return flows.Stay(), f.staleOn(err, "meetings: mark minutes of %d sent: %w", v[0])
	}
	return f.scheduleMinutes(ctx, c, m)
}

// scheduleMinutes schedules the minutes' broadcast to the invitees whose
// delivery is pending. It is scheduled at the moment the minutes were
// marked sent, so scheduling it again (the re-send button) is the same
// occurrence: a broadcast queued or done is not repeated.
func (f *Flow) scheduleMinutes(ctx context.Context, c *flows.Context, m storage.Meeting) (flows.Next, error) {
	list, err := f.Store.ListInvitees(ctx, m.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: invitees of %d: %w", m.ID, err)
	}
	n := 0
	for _, v := range list {
		if v.Delivery == storage.DeliveryPending {
			n++
		}
	}
	a := broadcastArgs{Meeting: m.ID, What: bcMinutes, By: c.Actor.PersonID()}
	if err := f.Scheduler.At(ctx, kindBroadcast, broadcastKey(a), a, m.MinutesSentAt); err != nil {
		return flows.Stay(), fmt.Errorf("meetings: schedule the minutes of %d: %w", m.ID, err)
	}
	c.Edit(c.L.N("meetings.a.min.sending", n, "Number", minutesNumber(m)),
		bot.Keyboard{{c.Button("meetings.a.btn.to_card", flows.CB(cb, actCard, m.ID))}})
	return flows.Stay(), nil
}

// pressResend schedules the minutes' broadcast again for minutes marked
// sent whose deliveries are still pending (the first scheduling failed).
func (f *Flow) pressResend(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	m, err := f.heldMeeting(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	if m.MinutesSentAt.IsZero() || f.Scheduler == nil {
		return flows.Stay(), flows.ErrStale
	}
	return f.scheduleMinutes(ctx, c, m)
}

// minutesMessages are the signed minutes' files for one chat, the first
// with the caption naming the minutes.
func (f *Flow) minutesMessages(l *locales.Localizer, m storage.Meeting, files []storage.MinutesFile, chat int64) []bot.Message {
	caption := l.T("meetings.a.min.caption", "Number", minutesNumber(m), "When", f.When(l, m))
	var out []bot.Message
	for i, file := range files {
		text := ""
		if i == 0 {
			text = caption
		}
		if file.Kind == "photo" {
			out = append(out, bot.Photo{ChatID: chat, FileID: file.FileID, Caption: text})
		} else {
			out = append(out, bot.Document{ChatID: chat, FileID: file.FileID, Name: file.Name, Caption: text})
		}
	}
	return out
}

// ---- Jobs ----

// remindMinutes reminds the secretaries of minutes not sent: on the
// third day after the meeting, and more urgently on the fifth, each once.
// Only in the daytime: the next hour's run looks again.
func (f *Flow) remindMinutes(ctx context.Context, l *locales.Localizer, now time.Time) ([]bot.Message, error) {
	if h := now.In(f.loc()).Hour(); h < dayFrom || h >= dayTo {
		return nil, nil
	}
	ms, err := f.Store.MeetingsBetween(ctx, now.Add(-minutesWindow), now)
	if err != nil {
		return nil, fmt.Errorf("meetings: minutes due: %w", err)
	}
	today := f.aDay(now)
	var recipients []storage.PersonRoles
	var out []bot.Message
	for _, m := range ms {
		if m.Status != storage.MeetingSent && m.Status != storage.MeetingHeld || !m.MinutesSentAt.IsZero() {
			continue
		}
		day := f.aDay(m.StartsAt)
		var kind storage.MeetingReminder
		var id string
		switch {
		case !today.Before(day.AddDate(0, 0, minutesDays)):
			kind, id = storage.RemindMinutes5, "meetings.a.remind5"
		case !today.Before(day.AddDate(0, 0, remindFirst)):
			kind, id = storage.RemindMinutes3, "meetings.a.remind3"
		default:
			continue
		}
		if recipients == nil {
			if recipients, err = f.secretaries(ctx); err != nil {
				return out, err
			}
		}
		button := flows.CB(cb, actCard, m.ID)
		if m.Status == storage.MeetingHeld {
			button = flows.CB(cb, actMinutes, m.ID)
		}
		text := l.T(id, "Number", minutesNumber(m), "When", f.When(l, m), "Due", l.Date(day.AddDate(0, 0, minutesDays)))
		for _, p := range recipients {
			ok, err := f.Store.ClaimReminder(ctx, m.ID, p.ID, kind)
			if err != nil {
				return out, fmt.Errorf("meetings: claim %s of %d: %w", kind, m.ID, err)
			}
			if ok {
				out = append(out, bot.Text{ChatID: p.TelegramID, Text: text,
					Buttons: bot.Keyboard{{{Text: l.T("meetings.a.btn.minutes"), Data: button}}}})
			}
		}
	}
	return out, nil
}

// secretaries are the people to remind of the minutes: the active
// secretaries who can be reached, or the chair when there is none.
func (f *Flow) secretaries(ctx context.Context) ([]storage.PersonRoles, error) {
	for _, role := range []storage.Role{storage.RoleSecretary, storage.RoleChair} {
		ps, err := f.Store.ListPeople(ctx, 0, role)
		if err != nil {
			return nil, fmt.Errorf("meetings: people with role %s: %w", role, err)
		}
		ps = slices.DeleteFunc(ps, func(p storage.PersonRoles) bool { return !p.Active || p.TelegramID == 0 })
		if len(ps) > 0 {
			return ps, nil
		}
	}
	return []storage.PersonRoles{}, nil
}

// purgeMinutes removes the minutes and materials of meetings that started
// three years ago or more; the store logs each meeting's removal.
func (f *Flow) purgeMinutes(ctx context.Context, now time.Time) error {
	if _, err := f.Store.PurgeMinutes(ctx, now.AddDate(-retentionYears, 0, 0)); err != nil {
		return fmt.Errorf("meetings: retention: %w", err)
	}
	return nil
}

// ---- History ----

// heldBetween returns the held meetings starting in [from, to), newest
// first.
func (f *Flow) heldBetween(ctx context.Context, from, to time.Time) ([]storage.Meeting, error) {
	ms, err := f.Store.MeetingsBetween(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("meetings: history: %w", err)
	}
	ms = slices.DeleteFunc(ms, func(m storage.Meeting) bool { return m.Status != storage.MeetingHeld })
	slices.Reverse(ms)
	return ms, nil
}

// historyFrom is where the history begins: before any meeting the bot
// can have.
var historyFrom = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// meetingStats is a held meeting in numbers.
type meetingStats struct {
	attendance
	adopted, decided, items int
	agenda                  []storage.AgendaItem
}

func (f *Flow) statsOf(ctx context.Context, m storage.Meeting) (meetingStats, error) {
	a, err := f.attendanceOf(ctx, m.ID)
	if err != nil {
		return meetingStats{}, err
	}
	agenda, err := f.Store.ListAgenda(ctx, m.ID)
	if err != nil {
		return meetingStats{}, fmt.Errorf("meetings: agenda of %d: %w", m.ID, err)
	}
	s := meetingStats{attendance: a, items: len(agenda), agenda: agenda}
	for _, it := range agenda {
		if !it.Decided.IsZero() {
			s.decided++
			if it.Adopted {
				s.adopted++
			}
		}
	}
	return s, nil
}

// percent is part of whole in whole per cent, 0 for an empty whole.
func percent(part, whole int) int {
	if whole == 0 {
		return 0
	}
	return (200*part + whole) / (2 * whole)
}

// pressHistory shows a page of the meetings held.
func (f *Flow) pressHistory(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := flows.ArgInts(c.Callback.Arg)
	if err != nil || len(v) != 1 {
		return flows.Stay(), flows.ErrStale
	}
	ms, err := f.heldBetween(ctx, historyFrom, c.Now.AddDate(1, 0, 0))
	if err != nil {
		return flows.Stay(), err
	}
	back := []bot.Button{c.Button("meetings.btn.to_list", flows.CB(cb, actList, 1))}
	if len(ms) == 0 {
		c.Edit(c.T("meetings.a.hist.empty"), bot.Keyboard{back})
		return flows.Stay(), nil
	}
	from, to, p, count := flows.Pages(int64(len(ms)), historyPage, v[0])
	lines := []string{c.T("meetings.a.hist.head")}
	var kb bot.Keyboard
	for _, m := range ms[from:to] {
		s, err := f.statsOf(ctx, m)
		if err != nil {
			return flows.Stay(), err
		}
		valid := c.T("meetings.a.hist.valid")
		if !s.valid() {
			valid = c.T("meetings.a.hist.invalid")
		}
		lines = append(lines, "", c.T("meetings.a.hist.item", "When", c.L.Date(m.StartsAt), "Kind", c.T("meetings.a.kind."+string(m.Kind)),
			"Present", s.present, "Members", s.members, "Rate", percent(s.present, s.members), "Valid", valid,
			"Adopted", s.adopted, "Items", s.items))
		kb = append(kb, []bot.Button{{Text: aClip(c.T("meetings.a.hist.btn", "When", c.L.Date(m.StartsAt)), buttonText), Data: flows.CB(cb, actCard, m.ID)}})
	}
	if nav := c.PageNav(p, count, func(n int64) string { return flows.CB(cb, actHistory, n) }); len(nav) > 0 {
		kb = append(kb, nav)
	}
	kb = append(kb, []bot.Button{c.Button("meetings.a.btn.xlsx", flows.CB(cb, actXLSX, nil))}, back)
	c.Edit(strings.Join(lines, "\n")+c.PageLine(p, count), kb)
	return flows.Stay(), nil
}

// pressXLSX sends the history of the last twelve months as a workbook:
// the meetings, each member's attendance, the decisions.
func (f *Flow) pressXLSX(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if c.Callback.Arg != "" {
		return flows.Stay(), flows.ErrStale
	}
	to := c.Now
	from := to.AddDate(-1, 0, 0)
	data, err := f.historyXLSX(ctx, c, from, to)
	if err != nil {
		return flows.Stay(), err
	}
	c.Send(bot.Document{ChatID: c.Chat(), Name: fmt.Sprintf("zasedaniya-%s.xlsx", to.In(f.loc()).Format("2006-01-02")), Data: data,
		Caption: c.T("meetings.a.xlsx.caption", "From", c.L.Date(from), "To", c.L.Date(to))})
	return flows.Stay(), nil
}

// historyXLSX renders the meetings held in [from, to), oldest first.
func (f *Flow) historyXLSX(ctx context.Context, c *flows.Context, from, to time.Time) ([]byte, error) {
	ms, err := f.heldBetween(ctx, from, to)
	if err != nil {
		return nil, err
	}
	slices.Reverse(ms)
	yes, no := c.T("meetings.a.xlsx.yes"), c.T("meetings.a.xlsx.no")
	yesNo := func(b bool) string {
		if b {
			return yes
		}
		return no
	}
	meetings := report.Sheet{Name: c.T("meetings.a.xlsx.meetings"), Header: []string{
		c.T("meetings.a.xlsx.date"), c.T("meetings.a.xlsx.kind"), c.T("meetings.a.xlsx.place"),
		c.T("meetings.a.xlsx.present"), c.T("meetings.a.xlsx.members"), c.T("meetings.a.xlsx.valid"),
		c.T("meetings.a.xlsx.adopted"), c.T("meetings.a.xlsx.items")}}
	decisions := report.Sheet{Name: c.T("meetings.a.xlsx.decisions"), Header: []string{
		c.T("meetings.a.xlsx.date"), c.T("meetings.a.xlsx.item"), c.T("meetings.a.xlsx.decision"),
		c.T("meetings.a.xlsx.for"), c.T("meetings.a.xlsx.against"), c.T("meetings.a.xlsx.abstain"),
		c.T("meetings.a.xlsx.is_adopted")}}
	for _, m := range ms {
		s, err := f.statsOf(ctx, m)
		if err != nil {
			return nil, err
		}
		place := m.Place
		if place == "" {
			place = m.Link
		}
		local := m.StartsAt.In(f.loc())
		meetings.Rows = append(meetings.Rows, []any{local, c.T("meetings.a.kind." + string(m.Kind)), place,
			s.present, s.members, yesNo(s.valid()), s.adopted, s.items})
		for _, it := range s.agenda {
			if it.Decided.IsZero() {
				continue
			}
			decisions.Rows = append(decisions.Rows, []any{local, fmt.Sprintf("%d. %s", it.Position, it.Title), it.Decision,
				it.For, it.Against, it.Abstain, yesNo(it.Adopted)})
		}
	}
	att, err := f.Store.Attendance(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("meetings: attendance: %w", err)
	}
	attSheet := report.Sheet{Name: c.T("meetings.a.xlsx.attendance"), Header: []string{
		c.T("meetings.a.xlsx.person"), c.T("meetings.a.xlsx.invited"), c.T("meetings.a.xlsx.attended"),
		c.T("meetings.a.xlsx.rate")}}
	for _, a := range att {
		name := a.FullName
		if name == "" {
			name = c.T("meetings.a.xlsx.forgotten")
		}
		attSheet.Rows = append(attSheet.Rows, []any{name, a.Invited, a.Present, percent(a.Present, a.Invited)})
	}
	data, err := report.XLSX(meetings, attSheet, decisions)
	if err != nil {
		return nil, fmt.Errorf("meetings: history xlsx: %w", err)
	}
	return data, nil
}
