package meetings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/locales"
	"smkbot/storage"
)

// The actions of the notice: writing it, sending it, changing or
// cancelling the meeting, and the members' answers.
const (
	actKind        = "nkind"      // mt:nkind:<1|2>                      regular or extraordinary
	actOnline      = "nonline"    // mt:nonline:<meeting>                no place, a link only
	actNoLink      = "nnolink"    // mt:nnolink:<meeting>                a place without a link
	actAgendaDone  = "nagdone"    // mt:nagdone:<meeting>                agenda written, on to materials
	actMaterials   = "nmat"       // mt:nmat:<meeting>                   send materials
	actMatDone     = "nmatdone"   // mt:nmatdone:<meeting>               materials sent, on to guests
	actGuest       = "nguest"     // mt:nguest:<meeting>.<person>        a guest found
	actGuestRole   = "ngrole"     // mt:ngrole:<meeting>.<person>.<1|2>  with an advisory vote or without
	actGuestDone   = "nguestdone" // mt:nguestdone:<meeting>             guests chosen: the preview
	actResume      = "nresume"    // mt:nresume:<meeting>                go on writing a draft
	actSendNotice  = "nsend"      // mt:nsend:<meeting>                  send the notice
	actDelete      = "ndel"       // mt:ndel:<meeting>                   delete a draft (asks first)
	actDeleteOK    = "ndelok"     // mt:ndelok:<meeting>                 delete it
	actAgenda      = "nagenda"    // mt:nagenda:<meeting>                the agenda editor
	actItemEdit    = "nitem"      // mt:nitem:<item>                     rewrite an item
	actItemDel     = "nidel"      // mt:nidel:<item>                     delete an item
	actItemAdd     = "niadd"      // mt:niadd:<meeting>                  add items
	actAgendaOK    = "nagok"      // mt:nagok:<meeting>                  leave the editor (an update goes out)
	actChange      = "nchg"       // mt:nchg:<meeting>                   change date or place
	actChangeWhen  = "nchgw"      // mt:nchgw:<meeting>                  a new date and time
	actChangeWhere = "nchgp"      // mt:nchgp:<meeting>                  a new place or link
	actCancel      = "ncancel"    // mt:ncancel:<meeting>                cancel the meeting (asks first)
	actCancelOK    = "ncancelok"  // mt:ncancelok:<meeting>              cancel it
	actRSVP        = "nrsvp"      // mt:nrsvp:<meeting>.<answer>.<version> a member's answer
	actNoReason    = "nnoreason"  // mt:nnoreason:<meeting>              «Не смогу» without a reason
	actAnnounce    = "nannounce"  // mt:nannounce:<meeting>              broadcast the agenda's changes
	actGuestAdd    = "ngadd"      // mt:ngadd:<meeting>                  a guest for a sent meeting
)

// The steps of the notice's conversations.
const (
	stepWhen     = "meetings:n.when"   // date and time typed
	stepPlace    = "meetings:n.place"  // place or link typed
	stepLink     = "meetings:n.link"   // the link typed
	stepAgenda   = "meetings:n.agenda" // agenda items, one per message
	stepMat      = "meetings:n.mat"    // materials as documents
	stepGuest    = "meetings:n.guest"  // part of a guest's name
	stepItemText = "meetings:n.item"   // an item rewritten
	stepReason   = "meetings:n.reason" // why a member cannot come
)

// Session keys.
const (
	keyMeeting = "mt.n.meeting" // the meeting being written or changed
	keyKind    = "mt.n.kind"    // the kind chosen before the draft exists
	keyMode    = "mt.n.mode"    // modeChange, modeEdit or "" (writing the notice)
	keyItem    = "mt.n.item"    // the item being rewritten
)

// Modes of the shared steps.
const (
	modeChange = "chg"  // a date, place or link of an existing meeting
	modeEdit   = "edit" // items added from the agenda editor
)

// kindBroadcast is the scheduled work that sends a notice, an update or
// a cancellation to the invitees whose delivery is pending.
const kindBroadcast = "meetings:broadcast"

// What a broadcast sends.
const (
	bcNotice = "notice"
	bcDate   = "date"
	bcPlace  = "place"
	bcAgenda = "agenda"
	bcCancel = "cancel"
	// bcGuests is the notice to guests invited after it was sent (to
	// those pending), with a short report.
	bcGuests = "guests"
	// bcMinutes is the signed minutes' files, to every invitee, once
	// the minutes are marked sent (after.go).
	bcMinutes = "minutes"
)

// broadcastArgs are a broadcast's arguments: ids and the previous start
// (a time, for «Изменение к извещению о заседании <прежняя дата>»).
type broadcastArgs struct {
	Meeting int64  `json:"m"`
	What    string `json:"w"`
	// Was is the start before a change of date, Unix seconds (0 unless
	// What is bcDate).
	Was int64 `json:"was,omitempty"`
	// Reset: the date changed and the answers are asked again.
	Reset bool `json:"reset,omitempty"`
	// By is who sent the guests' notice or the minutes and gets the
	// report (0: the meeting's author).
	By int64 `json:"by,omitempty"`
}

// The answers' codes in the RSVP buttons' data.
var rsvpCodes = map[int64]storage.RSVP{1: storage.RSVPYes, 2: storage.RSVPOnline, 3: storage.RSVPNo}

func rsvpCode(r storage.RSVP) int64 {
	for k, v := range rsvpCodes {
		if v == r {
			return k
		}
	}
	return 0
}

// Limits of the notice's input.
const (
	maxPlace    = 300
	maxLink     = 500
	guestsFound = 8
	minQuery    = 2
)

// registerNotice adds the buttons, steps and jobs of writing and sending
// the notice, changes and cancellation, the members' answers.
func (f *Flow) registerNotice(r *flows.Router) {
	m := flows.ManageMeetings
	r.Callback(cb, actNew, m, f.pressNew)
	r.Callback(cb, actKind, m, f.pressKind)
	r.Callback(cb, actOnline, m, f.pressOnline)
	r.Callback(cb, actNoLink, m, f.pressNoLink)
	r.Callback(cb, actAgendaDone, m, f.pressAgendaDone)
	r.Callback(cb, actMaterials, m, f.pressMaterials)
	r.Callback(cb, actMatDone, m, f.pressMatDone)
	r.Callback(cb, actGuest, m, f.pressGuest)
	r.Callback(cb, actGuestRole, m, f.pressGuestRole)
	r.Callback(cb, actGuestDone, m, f.pressGuestDone)
	r.Callback(cb, actResume, m, f.pressResume)
	r.Callback(cb, actSendNotice, m, f.pressSendNotice)
	r.Callback(cb, actDelete, m, f.pressDelete)
	r.Callback(cb, actDeleteOK, m, f.pressDeleteOK)
	r.Callback(cb, actAgenda, m, f.pressAgenda)
	r.Callback(cb, actItemEdit, m, f.pressItemEdit)
	r.Callback(cb, actItemDel, m, f.pressItemDel)
	r.Callback(cb, actItemAdd, m, f.pressItemAdd)
	r.Callback(cb, actAgendaOK, m, f.pressAgendaOK)
	r.Callback(cb, actChange, m, f.pressChange)
	r.Callback(cb, actChangeWhen, m, f.pressChangeWhen)
	r.Callback(cb, actChangeWhere, m, f.pressChangeWhere)
	r.Callback(cb, actCancel, m, f.pressCancel)
	r.Callback(cb, actCancelOK, m, f.pressCancelOK)
	r.Callback(cb, actAnnounce, m, f.pressAnnounce)
	r.Callback(cb, actGuestAdd, m, f.pressGuestAdd)
	r.Step(stepWhen, m, f.stepWhen)
	r.Step(stepPlace, m, f.stepPlace)
	r.Step(stepLink, m, f.stepLink)
	r.Step(stepAgenda, m, f.stepAgenda)
	r.Step(stepMat, m, f.stepMat)
	r.Step(stepGuest, m, f.stepGuest)
	r.Step(stepItemText, m, f.stepItemText)

	// The members' answers: any registered person, checked against the
	// invitation on every press.
	r.Callback(cb, actRSVP, flows.Registered, f.pressRSVP)
	r.Callback(cb, actNoReason, flows.Registered, f.pressNoReason)
	r.Step(stepReason, flows.Registered, f.stepReason)

	// Flows built without a scheduler (tests of the other parts) cannot
	// send notices: pressSendNotice says so.
	if f.Scheduler != nil {
		l := r.Localizer()
		f.Scheduler.Handle(kindBroadcast, func(ctx context.Context, w flows.Work, now time.Time) ([]bot.Message, error) {
			return f.broadcast(ctx, l, w)
		})
	}
}

// noticeButtons are the card's buttons of this part for the meeting: a
// draft is continued, sent or deleted; a sent meeting changed, its
// agenda's changes not yet announced broadcast, a guest added, or the
// meeting cancelled.
func (f *Flow) noticeButtons(ctx context.Context, c *flows.Context, m storage.Meeting) (bot.Keyboard, error) {
	switch m.Status {
	case storage.MeetingDraft:
		kb := bot.Keyboard{{c.Button("meetings.n.btn.resume", flows.CB(cb, actResume, m.ID))}}
		ok, err := f.sendable(ctx, m)
		if err != nil {
			return nil, err
		}
		if ok {
			kb = append(kb, []bot.Button{c.Button("meetings.n.btn.send", flows.CB(cb, actSendNotice, m.ID))})
		}
		return append(kb, []bot.Button{c.Button("meetings.n.btn.delete", flows.CB(cb, actDelete, m.ID))}), nil
	case storage.MeetingSent:
		var kb bot.Keyboard
		if !m.AgendaChangedAt.IsZero() {
			kb = append(kb, []bot.Button{c.Button("meetings.n.btn.announce", flows.CB(cb, actAnnounce, m.ID))})
		}
		return append(kb,
			[]bot.Button{c.Button("meetings.n.btn.change", flows.CB(cb, actChange, m.ID))},
			[]bot.Button{c.Button("meetings.n.btn.agenda_sent", flows.CB(cb, actAgenda, m.ID))},
			[]bot.Button{c.Button("meetings.n.btn.add_guest", flows.CB(cb, actGuestAdd, m.ID))},
			[]bot.Button{c.Button("meetings.n.btn.cancel", flows.CB(cb, actCancel, m.ID))},
		), nil
	}
	return nil, nil
}

// sendable reports whether a draft has what SendMeeting needs: an agenda
// item and a place or a link.
func (f *Flow) sendable(ctx context.Context, m storage.Meeting) (bool, error) {
	if m.Place == "" && m.Link == "" {
		return false, nil
	}
	agenda, err := f.Store.ListAgenda(ctx, m.ID)
	if err != nil {
		return false, fmt.Errorf("meetings: agenda of %d: %w", m.ID, err)
	}
	return len(agenda) > 0, nil
}

// rsvpButtons are the answers to a notice at the meeting's version: «Буду»,
// «Не смогу», and «Буду онлайн» when the meeting has a link. before.go's
// reminders carry them too.
func rsvpButtons(l *locales.Localizer, m storage.Meeting) bot.Keyboard {
	return rsvpKeyboard(l, m, storage.RSVPNone)
}

// rsvpKeyboard is rsvpButtons with the person's answer marked.
func rsvpKeyboard(l *locales.Localizer, m storage.Meeting, mine storage.RSVP) bot.Keyboard {
	btn := func(r storage.RSVP) bot.Button {
		label := l.T("meetings.n.rsvp.btn." + string(r))
		if r == mine {
			label = l.T("meetings.n.rsvp.mine", "Label", label)
		}
		return bot.Button{Text: label, Data: flows.CB(cb, actRSVP, fmt.Sprintf("%d.%d.%d", m.ID, rsvpCode(r), m.Version))}
	}
	kb := bot.Keyboard{{btn(storage.RSVPYes), btn(storage.RSVPNo)}}
	if m.Link != "" {
		kb = append(kb, []bot.Button{btn(storage.RSVPOnline)})
	}
	return kb
}

// meetingArg reads a button naming one meeting and loads it, which must
// be in one of the statuses given.
func (f *Flow) meetingArg(ctx context.Context, c *flows.Context, statuses ...storage.MeetingStatus) (storage.Meeting, error) {
	v, err := args(c, 1)
	if err != nil {
		return storage.Meeting{}, err
	}
	return f.meetingIn(ctx, c, v[0], statuses...)
}

// meetingIn loads a meeting of the secretary's that must be in one of the
// statuses: ErrStale otherwise.
func (f *Flow) meetingIn(ctx context.Context, c *flows.Context, id int64, statuses ...storage.MeetingStatus) (storage.Meeting, error) {
	m, err := f.loadMeeting(ctx, c, id)
	if err != nil {
		return m, err
	}
	for _, s := range statuses {
		if m.Status == s {
			return m, nil
		}
	}
	return m, flows.ErrStale
}

// sessionMeeting is the meeting the session's step works on.
func (f *Flow) sessionMeeting(ctx context.Context, c *flows.Context, statuses ...storage.MeetingStatus) (storage.Meeting, error) {
	id := c.GetInt(keyMeeting)
	if id == 0 {
		return storage.Meeting{}, flows.ErrStale
	}
	return f.meetingIn(ctx, c, id, statuses...)
}

// storeErr turns the store's kinds into the router's: a meeting held or
// cancelled meanwhile, or something gone, is a stale button.
func storeErr(err error, format string, a ...any) error {
	if errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrNotFound) {
		return flows.ErrStale
	}
	return fmt.Errorf("meetings: "+format+": %w", append(a, err)...)
}

// stepGone ends a step whose meeting can no longer take the input (held,
// cancelled or deleted meanwhile, or the session lost its id) with a
// short reply, rather than keeping the person in a loop of errors;
// other errors go to the router.
func stepGone(c *flows.Context, err error) (flows.Next, error) {
	if errors.Is(err, flows.ErrStale) {
		c.Say("meetings.n.step_gone")
		return flows.End(), nil
	}
	return flows.Stay(), err
}

// --- Writing the notice ---

// pressNew starts a new meeting: its kind first. A draft the secretary has
// not sent is continued instead, so nothing typed is lost.
func (f *Flow) pressNew(ctx context.Context, c *flows.Context) (flows.Next, error) {
	c.Clear()
	d, err := f.Store.DraftMeetingOf(ctx, c.Actor.PersonID())
	switch {
	case err == nil:
		c.Say("meetings.n.draft_exists", "When", f.When(c.L, d))
		return f.resume(ctx, c, d)
	case !errors.Is(err, storage.ErrNotFound):
		return flows.Stay(), fmt.Errorf("meetings: draft of %d: %w", c.Actor.PersonID(), err)
	}
	c.Reply(c.T("meetings.n.ask_kind"), bot.Keyboard{{
		c.Button("meetings.n.btn.regular", flows.CB(cb, actKind, 1)),
		c.Button("meetings.n.btn.extraordinary", flows.CB(cb, actKind, 2)),
	}})
	return flows.End(), nil
}

// pressKind records the kind in the session and asks the date and time.
func (f *Flow) pressKind(_ context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	kinds := map[int64]storage.MeetingKind{1: storage.MeetingRegular, 2: storage.MeetingExtraordinary}
	k, ok := kinds[v[0]]
	if !ok {
		return flows.Stay(), flows.ErrStale
	}
	c.Clear()
	c.Set(keyKind, string(k))
	c.Edit(c.T("meetings.n.kind_chosen."+string(k)), nil)
	c.Say("meetings.n.ask_when")
	return flows.Goto(stepWhen), nil
}

// parseWhen reads «25.12 14:00» or «25 декабря 14:00»: a date, then a
// time, in the association's zone; a time already past is refused.
func (f *Flow) parseWhen(s string, now time.Time) (time.Time, error) {
	words := strings.Fields(s)
	if n := len(words); n >= 3 && strings.EqualFold(words[n-2], "в") {
		words = append(words[:n-2], words[n-1])
	}
	if len(words) < 2 {
		return time.Time{}, flows.Invalid("meetings.n.when_invalid")
	}
	d, err := flows.ParseDate(strings.Join(words[:len(words)-1], " "), now, f.loc())
	if err != nil {
		return time.Time{}, flows.Invalid("meetings.n.when_invalid")
	}
	h, m, err := flows.ParseTime(words[len(words)-1])
	if err != nil {
		return time.Time{}, flows.Invalid("meetings.n.when_invalid")
	}
	t := time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, f.loc())
	if !t.After(now) {
		return time.Time{}, flows.Invalid("meetings.n.when_past")
	}
	return t, nil
}

// stepWhen takes the date and time: a new meeting's draft is created
// with it; an existing meeting's is changed (an update goes out when the
// notice was sent, asking the answers again).
func (f *Flow) stepWhen(ctx context.Context, c *flows.Context) (flows.Next, error) {
	t, err := f.parseWhen(c.Update.Text, c.Now)
	if err != nil {
		return flows.Stay(), err
	}
	if c.GetInt(keyMeeting) == 0 {
		kind := storage.MeetingKind(c.Get(keyKind))
		if kind == "" {
			return stepGone(c, flows.ErrStale)
		}
		m, err := f.Store.CreateMeeting(ctx, c.Actor.PersonID(), storage.Meeting{Kind: kind, StartsAt: t})
		if err != nil {
			return flows.Stay(), fmt.Errorf("meetings: create: %w", err)
		}
		c.SetInt(keyMeeting, m.ID)
		c.Say("meetings.n.draft_saved", "When", f.When(c.L, m))
		return f.askPlace(c, m)
	}
	m, err := f.sessionMeeting(ctx, c, storage.MeetingDraft, storage.MeetingSent)
	if err != nil {
		return stepGone(c, err)
	}
	if t.Equal(m.StartsAt) {
		c.Say("meetings.n.when_same")
		return flows.Stay(), nil
	}
	was := m.StartsAt
	m.StartsAt = t
	m, reset, err := f.Store.UpdateMeeting(ctx, c.Actor.PersonID(), m)
	if err != nil {
		return flows.Stay(), storeErr(err, "update %d", m.ID)
	}
	if m.Status == storage.MeetingDraft {
		return f.preview(ctx, c, m)
	}
	if err := f.broadcastUpdate(ctx, c, m, broadcastArgs{Meeting: m.ID, What: bcDate, Was: was.Unix(), Reset: reset}); err != nil {
		return flows.Stay(), err
	}
	c.Say("meetings.n.changed_when", "When", f.When(c.L, m))
	return f.showCard(ctx, c, m)
}

// askPlace asks where the meeting is, with the way to say it is online
// only.
func (f *Flow) askPlace(c *flows.Context, m storage.Meeting) (flows.Next, error) {
	c.Reply(c.T("meetings.n.ask_place"), bot.Keyboard{{c.Button("meetings.n.btn.online", flows.CB(cb, actOnline, m.ID))}})
	c.Set(keyMode, "")
	return flows.Goto(stepPlace), nil
}

// isLink reports whether a typed text is a web address.
func isLink(s string) bool {
	l := strings.ToLower(s)
	return (strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")) && !strings.ContainsAny(s, " \n\t") && len(s) > len("https://")
}

// stepPlace takes the place (an address) or a link. Writing the notice,
// a place is followed by the question of a link; changing a meeting, the
// one given replaces its kind and an update goes out.
func (f *Flow) stepPlace(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text := strings.TrimSpace(c.Update.Text)
	if text == "" || utf8.RuneCountInString(text) > maxPlace {
		return flows.Stay(), flows.Invalid("meetings.n.place_invalid", "Max", maxPlace)
	}
	m, err := f.sessionMeeting(ctx, c, storage.MeetingDraft, storage.MeetingSent)
	if err != nil {
		return stepGone(c, err)
	}
	link := isLink(text)
	if link {
		if len(text) > maxLink {
			return flows.Stay(), flows.Invalid("meetings.n.link_invalid")
		}
		m.Link = text
	} else {
		m.Place = text
	}
	m, _, err = f.Store.UpdateMeeting(ctx, c.Actor.PersonID(), m)
	if err != nil {
		return flows.Stay(), storeErr(err, "update %d", m.ID)
	}
	if c.Get(keyMode) == modeChange {
		if m.Status == storage.MeetingDraft {
			return f.preview(ctx, c, m)
		}
		if err := f.broadcastUpdate(ctx, c, m, broadcastArgs{Meeting: m.ID, What: bcPlace}); err != nil {
			return flows.Stay(), err
		}
		c.Say("meetings.n.changed_place")
		return f.showCard(ctx, c, m)
	}
	if link {
		return f.askAgenda(ctx, c, m)
	}
	c.Reply(c.T("meetings.n.ask_link"), bot.Keyboard{{c.Button("meetings.n.btn.no_link", flows.CB(cb, actNoLink, m.ID))}})
	return flows.Goto(stepLink), nil
}

// pressOnline: no place, the link is asked.
func (f *Flow) pressOnline(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingDraft)
	if err != nil {
		return flows.Stay(), err
	}
	c.SetInt(keyMeeting, m.ID)
	c.Set(keyMode, "")
	c.Edit(c.T("meetings.n.ask_link_only"), nil)
	return flows.Goto(stepLink), nil
}

// stepLink takes the online meeting's link.
func (f *Flow) stepLink(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text := strings.TrimSpace(c.Update.Text)
	if !isLink(text) || len(text) > maxLink {
		return flows.Stay(), flows.Invalid("meetings.n.link_invalid")
	}
	m, err := f.sessionMeeting(ctx, c, storage.MeetingDraft)
	if err != nil {
		return stepGone(c, err)
	}
	m.Link = text
	m, _, err = f.Store.UpdateMeeting(ctx, c.Actor.PersonID(), m)
	if err != nil {
		return flows.Stay(), storeErr(err, "update %d", m.ID)
	}
	return f.askAgenda(ctx, c, m)
}

// pressNoLink: a place without a link; on to the agenda.
func (f *Flow) pressNoLink(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingDraft)
	if err != nil {
		return flows.Stay(), err
	}
	if m.Place == "" {
		return flows.Stay(), flows.ErrStale
	}
	c.Edit(c.T("meetings.n.no_link"), nil)
	return f.askAgenda(ctx, c, m)
}

// askAgenda asks for the agenda's items, one per message.
func (f *Flow) askAgenda(ctx context.Context, c *flows.Context, m storage.Meeting) (flows.Next, error) {
	agenda, err := f.Store.ListAgenda(ctx, m.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: agenda of %d: %w", m.ID, err)
	}
	c.SetInt(keyMeeting, m.ID)
	c.Set(keyMode, "")
	if len(agenda) == 0 {
		c.Say("meetings.n.ask_agenda")
	} else {
		c.Reply(c.L.N("meetings.n.ask_agenda_more", len(agenda)), bot.Keyboard{{c.Button("meetings.n.btn.done", flows.CB(cb, actAgendaDone, m.ID))}})
	}
	return flows.Goto(stepAgenda), nil
}

// parseItem reads «Тема — Докладчик»: the speaker after the last dash set
// off by spaces, when there is one.
func parseItem(s string) (title, speaker string, err error) {
	s = strings.TrimSpace(s)
	for _, sep := range []string{" — ", " – ", " -- "} {
		if i := strings.LastIndex(s, sep); i > 0 {
			title, speaker = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+len(sep):])
			break
		}
	}
	if title == "" {
		title, speaker = s, ""
	}
	if title == "" || utf8.RuneCountInString(s) > maxText {
		return "", "", flows.Invalid("meetings.n.item_invalid", "Max", maxText)
	}
	return title, speaker, nil
}

// stepAgenda adds an item per message.
func (f *Flow) stepAgenda(ctx context.Context, c *flows.Context) (flows.Next, error) {
	title, speaker, err := parseItem(c.Update.Text)
	if err != nil {
		return flows.Stay(), err
	}
	m, err := f.sessionMeeting(ctx, c, storage.MeetingDraft, storage.MeetingSent)
	if err != nil {
		return stepGone(c, err)
	}
	it, err := f.Store.AddAgendaItem(ctx, c.Actor.PersonID(), m.ID, title, speaker)
	if err != nil {
		return flows.Stay(), storeErr(err, "add item to %d", m.ID)
	}
	done := flows.CB(cb, actAgendaDone, m.ID)
	if c.Get(keyMode) == modeEdit {
		done = flows.CB(cb, actAgendaOK, m.ID)
	}
	line := c.T("meetings.notice.item", "N", it.Position, "Title", it.Title)
	if it.Speaker != "" {
		line += c.T("meetings.notice.speaker", "Speaker", it.Speaker)
	}
	c.Reply(c.T("meetings.n.item_added", "Item", line), bot.Keyboard{{c.Button("meetings.n.btn.done", done)}})
	return flows.Stay(), nil
}

// pressAgendaDone: the agenda is written (one item at least); on to the
// materials.
func (f *Flow) pressAgendaDone(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingDraft)
	if err != nil {
		return flows.Stay(), err
	}
	agenda, err := f.Store.ListAgenda(ctx, m.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: agenda of %d: %w", m.ID, err)
	}
	if len(agenda) == 0 {
		c.Notice(c.T("meetings.n.agenda_empty"))
		return flows.Stay(), nil
	}
	return f.askMaterials(c, m)
}

// pressMaterials asks for materials from the preview.
func (f *Flow) pressMaterials(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingDraft)
	if err != nil {
		return flows.Stay(), err
	}
	return f.askMaterials(c, m)
}

func (f *Flow) askMaterials(c *flows.Context, m storage.Meeting) (flows.Next, error) {
	c.SetInt(keyMeeting, m.ID)
	c.Reply(c.T("meetings.n.ask_materials"), bot.Keyboard{{c.Button("meetings.n.btn.next", flows.CB(cb, actMatDone, m.ID))}})
	return flows.Goto(stepMat), nil
}

// stepMat keeps a document sent as a material: downloaded, stored, and
// attached with its Telegram file id, so the notice forwards it.
func (f *Flow) stepMat(ctx context.Context, c *flows.Context) (flows.Next, error) {
	doc := c.Update.Document
	if doc == nil {
		return flows.Stay(), flows.Invalid("meetings.n.mat_document")
	}
	if doc.Size > bot.MaxDownload {
		return flows.Stay(), flows.Invalid("meetings.n.mat_big")
	}
	m, err := f.sessionMeeting(ctx, c, storage.MeetingDraft)
	if err != nil {
		return stepGone(c, err)
	}
	if f.Files == nil {
		return flows.Stay(), errors.New("meetings: no file downloads")
	}
	data, err := f.Files.Download(ctx, doc.ID)
	if errors.Is(err, bot.ErrFileTooLarge) {
		return flows.Stay(), flows.Invalid("meetings.n.mat_big")
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: download material: %w", err)
	}
	name := strings.TrimSpace(doc.Name)
	if name == "" {
		name = c.T("meetings.n.mat_name")
	}
	mime := doc.MIME
	if mime == "" {
		mime = "application/octet-stream"
	}
	att, err := f.Store.SaveAttachment(ctx, data, name, mime)
	if errors.Is(err, storage.ErrInvalid) {
		return flows.Stay(), flows.Invalid("meetings.n.mat_big")
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: save material: %w", err)
	}
	if err := f.Store.AddMaterial(ctx, c.Actor.PersonID(), m.ID, att.ID, name, doc.ID); err != nil {
		return flows.Stay(), storeErr(err, "add material to %d", m.ID)
	}
	mats, err := f.Store.ListMaterials(ctx, m.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: materials of %d: %w", m.ID, err)
	}
	c.Reply(c.L.N("meetings.n.mat_added", len(mats), "Name", name), bot.Keyboard{{c.Button("meetings.n.btn.next", flows.CB(cb, actMatDone, m.ID))}})
	return flows.Stay(), nil
}

// pressMatDone: on to the guests.
func (f *Flow) pressMatDone(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingDraft)
	if err != nil {
		return flows.Stay(), err
	}
	return f.askGuests(ctx, c, m, c.T("meetings.n.ask_guests"))
}

// guests are the meeting's guests (not members).
func (f *Flow) guests(ctx context.Context, id int64) ([]storage.Invitee, error) {
	list, err := f.Store.ListInvitees(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("meetings: invitees of %d: %w", id, err)
	}
	var out []storage.Invitee
	for _, v := range list {
		if v.Role != storage.InviteeMember {
			out = append(out, v)
		}
	}
	return out, nil
}

// guestDone is the button that ends the guests: «Без гостей» or «Готово»
// (always «Готово» for a sent meeting: back to its card).
func (f *Flow) guestDone(ctx context.Context, c *flows.Context, m storage.Meeting) (bot.Button, error) {
	gs, err := f.guests(ctx, m.ID)
	if err != nil {
		return bot.Button{}, err
	}
	if len(gs) == 0 && m.Status == storage.MeetingDraft {
		return c.Button("meetings.n.btn.no_guests", flows.CB(cb, actGuestDone, m.ID)), nil
	}
	return c.Button("meetings.n.btn.done", flows.CB(cb, actGuestDone, m.ID)), nil
}

func (f *Flow) askGuests(ctx context.Context, c *flows.Context, m storage.Meeting, text string) (flows.Next, error) {
	done, err := f.guestDone(ctx, c, m)
	if err != nil {
		return flows.Stay(), err
	}
	c.SetInt(keyMeeting, m.ID)
	c.Reply(text, bot.Keyboard{{done}})
	return flows.Goto(stepGuest), nil
}

// stepGuest finds people by part of their name.
func (f *Flow) stepGuest(ctx context.Context, c *flows.Context) (flows.Next, error) {
	q := strings.TrimSpace(c.Update.Text)
	if utf8.RuneCountInString(q) < minQuery || utf8.RuneCountInString(q) > buttonText*2 {
		return flows.Stay(), flows.Invalid("meetings.n.guest_query")
	}
	m, err := f.sessionMeeting(ctx, c, storage.MeetingDraft, storage.MeetingSent)
	if err != nil {
		return stepGone(c, err)
	}
	people, err := f.Store.SearchPeople(ctx, q, guestsFound)
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: search people: %w", err)
	}
	done, err := f.guestDone(ctx, c, m)
	if err != nil {
		return flows.Stay(), err
	}
	if len(people) == 0 {
		c.Reply(c.T("meetings.n.guest_none", "Query", q), bot.Keyboard{{done}})
		return flows.Stay(), nil
	}
	var kb bot.Keyboard
	for _, p := range people {
		kb = append(kb, []bot.Button{{Text: clip(p.FullName, buttonText), Data: flows.CB(cb, actGuest, fmt.Sprintf("%d.%d", m.ID, p.ID))}})
	}
	c.Reply(c.T("meetings.n.guest_choose"), append(kb, []bot.Button{done}))
	return flows.Stay(), nil
}

// clip shortens s to n characters with an ellipsis.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// pressGuest asks how the chosen person is invited.
func (f *Flow) pressGuest(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	m, err := f.meetingIn(ctx, c, v[0], storage.MeetingDraft, storage.MeetingSent)
	if err != nil {
		return flows.Stay(), err
	}
	p, _, err := f.Store.FindPersonByID(ctx, v[1])
	if errors.Is(err, storage.ErrNotFound) || err == nil && p.FullName == "" {
		return flows.Stay(), flows.ErrStale
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: person %d: %w", v[1], err)
	}
	arg := func(role int) string { return fmt.Sprintf("%d.%d.%d", m.ID, p.ID, role) }
	c.Edit(c.T("meetings.n.guest_how", "Name", p.FullName), bot.Keyboard{
		{c.Button("meetings.n.btn.advisory", flows.CB(cb, actGuestRole, arg(1)))},
		{c.Button("meetings.n.btn.guest", flows.CB(cb, actGuestRole, arg(2)))},
	})
	return flows.Stay(), nil
}

// pressGuestRole invites the guest. A guest of a sent meeting is sent
// the notice at once, through the broadcast to those pending, whose
// short report comes here.
func (f *Flow) pressGuestRole(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 3)
	if err != nil {
		return flows.Stay(), err
	}
	roles := map[int64]storage.InviteeRole{1: storage.InviteeAdvisory, 2: storage.InviteeGuest}
	role, ok := roles[v[2]]
	if !ok {
		return flows.Stay(), flows.ErrStale
	}
	m, err := f.meetingIn(ctx, c, v[0], storage.MeetingDraft, storage.MeetingSent)
	if err != nil {
		return flows.Stay(), err
	}
	if m.Status == storage.MeetingSent && f.Scheduler == nil {
		return flows.Stay(), errors.New("meetings: no scheduler to send a guest the notice")
	}
	p, _, err := f.Store.FindPersonByID(ctx, v[1])
	if errors.Is(err, storage.ErrNotFound) {
		return flows.Stay(), flows.ErrStale
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: person %d: %w", v[1], err)
	}
	err = f.Store.AddGuest(ctx, c.Actor.PersonID(), m.ID, p.ID, role)
	if errors.Is(err, storage.ErrInvalid) {
		c.Edit(c.T("meetings.n.guest_member", "Name", p.FullName), nil)
		return f.askGuests(ctx, c, m, c.T("meetings.n.ask_more_guests"))
	}
	if err != nil {
		return flows.Stay(), storeErr(err, "guest %d of %d", p.ID, m.ID)
	}
	added := c.T("meetings.n.guest_added."+string(role), "Name", p.FullName)
	if m.Status == storage.MeetingSent {
		sending, err := f.noticeGuests(ctx, c, m, p.ID)
		if err != nil {
			return flows.Stay(), err
		}
		if sending {
			added += "\n" + c.T("meetings.n.guest_sending")
		}
	}
	c.Edit(added, nil)
	return f.askGuests(ctx, c, m, c.T("meetings.n.ask_more_guests"))
}

// noticeGuests schedules the notice to a sent meeting's invitees whose
// delivery is pending, when the guest just invited is one of them (one
// invited again, told already, is not sent it twice). It reports whether
// the notice goes out.
func (f *Flow) noticeGuests(ctx context.Context, c *flows.Context, m storage.Meeting, guestID int64) (bool, error) {
	inv, err := f.Store.FindInvitee(ctx, m.ID, guestID)
	if err != nil {
		return false, storeErr(err, "guest %d of %d", guestID, m.ID)
	}
	if inv.Delivery != storage.DeliveryPending {
		return false, nil
	}
	a := broadcastArgs{Meeting: m.ID, What: bcGuests, By: c.Actor.PersonID()}
	// One occurrence per guest: two guests invited in the same instant
	// are each scheduled, the first run sending to both.
	key := fmt.Sprintf("%s:%d", broadcastKey(a), guestID)
	if err := f.Scheduler.At(ctx, kindBroadcast, key, a, c.Now); err != nil {
		return false, fmt.Errorf("meetings: schedule the notice to guest %d of %d: %w", guestID, m.ID, err)
	}
	return true, nil
}

// pressGuestAdd invites a guest to a sent meeting, from its card.
func (f *Flow) pressGuestAdd(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingSent)
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	return f.askGuests(ctx, c, m, c.T("meetings.n.ask_guest_sent", "When", f.When(c.L, m)))
}

// pressGuestDone shows the preview, or a sent meeting's card.
func (f *Flow) pressGuestDone(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingDraft, storage.MeetingSent)
	if err != nil {
		return flows.Stay(), err
	}
	if m.Status == storage.MeetingSent {
		c.Clear()
		return f.showCard(ctx, c, m)
	}
	return f.preview(ctx, c, m)
}

// preview shows the notice exactly as members will read it, the answer
// buttons they will have, who gets it, and the ways on.
func (f *Flow) preview(ctx context.Context, c *flows.Context, m storage.Meeting) (flows.Next, error) {
	agenda, err := f.Store.ListAgenda(ctx, m.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: agenda of %d: %w", m.ID, err)
	}
	mats, err := f.Store.ListMaterials(ctx, m.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: materials of %d: %w", m.ID, err)
	}
	gs, err := f.guests(ctx, m.ID)
	if err != nil {
		return flows.Stay(), err
	}
	n, err := f.Store.PresidiumSize(ctx)
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: presidium size: %w", err)
	}
	var labels []string
	for _, row := range rsvpButtons(c.L, m) {
		for _, b := range row {
			labels = append(labels, b.Text)
		}
	}
	lines := []string{c.L.N("meetings.n.preview.head", n), "", f.NoticeText(c.L, m, agenda, mats),
		"", c.T("meetings.n.preview.buttons", "Buttons", strings.Join(labels, " · "))}
	for _, mat := range mats {
		lines = append(lines, c.T("meetings.n.preview.material", "Name", mat.Name))
	}
	if len(gs) > 0 {
		lines = append(lines, "", c.T("meetings.n.preview.guests"))
		for _, g := range gs {
			lines = append(lines, c.T("meetings.n.preview.guest."+string(g.Role), "Name", g.FullName))
		}
	}
	var kb bot.Keyboard
	if len(agenda) > 0 && (m.Place != "" || m.Link != "") {
		kb = append(kb, []bot.Button{c.Button("meetings.n.btn.send", flows.CB(cb, actSendNotice, m.ID))})
	} else {
		lines = append(lines, "", c.T("meetings.n.preview.unsendable"))
	}
	kb = append(kb,
		[]bot.Button{c.Button("meetings.n.btn.agenda_draft", flows.CB(cb, actAgenda, m.ID))},
		[]bot.Button{c.Button("meetings.n.btn.when_place", flows.CB(cb, actChange, m.ID))},
		[]bot.Button{c.Button("meetings.n.btn.materials", flows.CB(cb, actMaterials, m.ID)),
			c.Button("meetings.n.btn.guests", flows.CB(cb, actMatDone, m.ID))},
		[]bot.Button{c.Button("meetings.n.btn.delete", flows.CB(cb, actDelete, m.ID))},
	)
	c.Reply(strings.Join(lines, "\n"), kb)
	return flows.End(), nil
}

// pressResume continues a draft where it stopped: the place, the agenda,
// or the preview.
func (f *Flow) pressResume(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingDraft)
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	return f.resume(ctx, c, m)
}

func (f *Flow) resume(ctx context.Context, c *flows.Context, m storage.Meeting) (flows.Next, error) {
	c.SetInt(keyMeeting, m.ID)
	if m.Place == "" && m.Link == "" {
		return f.askPlace(c, m)
	}
	agenda, err := f.Store.ListAgenda(ctx, m.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: agenda of %d: %w", m.ID, err)
	}
	if len(agenda) == 0 {
		return f.askAgenda(ctx, c, m)
	}
	return f.preview(ctx, c, m)
}

// pressDelete asks before deleting a draft.
func (f *Flow) pressDelete(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingDraft)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(c.T("meetings.n.delete_ask", "When", f.When(c.L, m)), bot.Keyboard{
		{c.Button("meetings.n.btn.delete_yes", flows.CB(cb, actDeleteOK, m.ID))},
		{c.Button("meetings.n.btn.back", flows.CB(cb, actCard, m.ID))},
	})
	return flows.Stay(), nil
}

// pressDeleteOK deletes the draft.
func (f *Flow) pressDeleteOK(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingDraft)
	if err != nil {
		return flows.Stay(), err
	}
	if err := f.Store.DeleteDraftMeeting(ctx, c.Actor.PersonID(), m.ID); err != nil {
		return flows.Stay(), storeErr(err, "delete draft %d", m.ID)
	}
	c.Edit(c.T("meetings.n.deleted"), bot.Keyboard{{c.Button("meetings.btn.to_list", flows.CB(cb, actList, 1))}})
	return flows.End(), nil
}

// --- Sending ---

// pressSendNotice sends the notice: the invitee list is fixed and the broadcast
// is scheduled as durable work, which reports the delivery here.
func (f *Flow) pressSendNotice(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingDraft)
	if err != nil {
		return flows.Stay(), err
	}
	if f.Scheduler == nil {
		return flows.Stay(), errors.New("meetings: no scheduler to send notices")
	}
	list, err := f.Store.SendMeeting(ctx, c.Actor.PersonID(), m.ID)
	if errors.Is(err, storage.ErrInvalid) {
		return flows.Stay(), flows.Invalid("meetings.n.send_invalid")
	}
	if err != nil {
		return flows.Stay(), storeErr(err, "send %d", m.ID)
	}
	a := broadcastArgs{Meeting: m.ID, What: bcNotice}
	if err := f.Scheduler.At(ctx, kindBroadcast, broadcastKey(a), a, c.Now); err != nil {
		return flows.Stay(), fmt.Errorf("meetings: schedule notice of %d: %w", m.ID, err)
	}
	c.Edit(c.L.N("meetings.n.sending", len(list), "When", f.When(c.L, m)), bot.Keyboard{{c.Button("meetings.btn.to_list", flows.CB(cb, actList, 1))}})
	return flows.End(), nil
}

// broadcastKey names a broadcast's work: the meeting and what is sent.
func broadcastKey(a broadcastArgs) string { return fmt.Sprintf("meeting:%d:%s", a.Meeting, a.What) }

// broadcastUpdate sends an update of a sent (or the cancellation of a
// cancelled) meeting to every invitee through the same work.
func (f *Flow) broadcastUpdate(ctx context.Context, c *flows.Context, m storage.Meeting, a broadcastArgs) error {
	if f.Scheduler == nil {
		return errors.New("meetings: no scheduler to send updates")
	}
	if _, err := f.Store.PendDeliveries(ctx, c.Actor.PersonID(), m.ID); err != nil {
		return storeErr(err, "pend deliveries of %d", m.ID)
	}
	if err := f.Scheduler.At(ctx, kindBroadcast, broadcastKey(a), a, c.Now); err != nil {
		return fmt.Errorf("meetings: schedule %s of %d: %w", a.What, m.ID, err)
	}
	return nil
}

// showCard replies with the meeting's card.
func (f *Flow) showCard(ctx context.Context, c *flows.Context, m storage.Meeting) (flows.Next, error) {
	text, kb, err := f.card(ctx, c, m)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(text, kb)
	return flows.End(), nil
}

// broadcast is the work that sends a notice, an update or a cancellation
// to the invitees whose delivery is pending, records each one's fate and
// reports to the meeting's author who was not reached and why. Work that
// no longer applies (a notice of a meeting cancelled since) sends nothing.
func (f *Flow) broadcast(ctx context.Context, l *locales.Localizer, w flows.Work) ([]bot.Message, error) {
	var a broadcastArgs
	if err := json.Unmarshal(w.Args, &a); err != nil || a.Meeting == 0 {
		return nil, fmt.Errorf("meetings: broadcast %s: bad args %s", w.Key, w.Args)
	}
	m, err := f.Store.FindMeeting(ctx, a.Meeting)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("meetings: broadcast %d: %w", a.Meeting, err)
	}
	switch a.What {
	case bcCancel:
		if m.Status != storage.MeetingCancelled {
			return nil, nil
		}
	case bcMinutes:
		if m.Status != storage.MeetingHeld || m.MinutesSentAt.IsZero() {
			return nil, nil
		}
	default:
		if m.Status != storage.MeetingSent {
			return nil, nil
		}
	}
	agenda, err := f.Store.ListAgenda(ctx, m.ID)
	if err != nil {
		return nil, fmt.Errorf("meetings: broadcast %d: %w", m.ID, err)
	}
	mats, err := f.Store.ListMaterials(ctx, m.ID)
	if err != nil {
		return nil, fmt.Errorf("meetings: broadcast %d: %w", m.ID, err)
	}
	list, err := f.Store.ListInvitees(ctx, m.ID)
	if err != nil {
		return nil, fmt.Errorf("meetings: broadcast %d: %w", m.ID, err)
	}
	var files []storage.MinutesFile
	if a.What == bcMinutes {
		if files, err = f.Store.ListMinutesFiles(ctx, m.ID); err != nil {
			return nil, fmt.Errorf("meetings: broadcast %d: %w", m.ID, err)
		}
		if len(files) == 0 {
			return nil, nil
		}
	}
	text, kb := f.broadcastText(l, m, a, agenda, mats)
	var msgs []bot.Message
	var owners []int64 // the invitee of each message
	fate := map[int64]storage.DeliveryStatus{}
	var pending []int64
	for _, v := range list {
		if v.Delivery != storage.DeliveryPending {
			continue
		}
		pending = append(pending, v.PersonID)
		p, _, err := f.Store.FindPersonByID(ctx, v.PersonID)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			fate[v.PersonID] = storage.DeliveryNoChat
			continue
		case err != nil:
			return nil, fmt.Errorf("meetings: broadcast %d: %w", m.ID, err)
		case p.TelegramID == 0:
			fate[v.PersonID] = storage.DeliveryNoChat
			continue
		case !p.Active:
			fate[v.PersonID] = storage.DeliveryBlocked
			continue
		}
		fate[v.PersonID] = storage.DeliverySent
		var out []bot.Message
		switch a.What {
		case bcMinutes:
			out = f.minutesMessages(l, m, files, p.TelegramID)
		case bcNotice, bcGuests:
			out = append(out, bot.Text{ChatID: p.TelegramID, Text: text, Buttons: kb})
			for _, mat := range mats {
				out = append(out, bot.Document{ChatID: p.TelegramID, Name: mat.Name, FileID: mat.FileID})
			}
		default:
			out = append(out, bot.Text{ChatID: p.TelegramID, Text: text, Buttons: kb})
		}
		for _, msg := range out {
			msgs = append(msgs, msg)
			owners = append(owners, v.PersonID)
		}
	}
	if len(pending) == 0 {
		// Sent already (the work runs again after a crash): no report twice.
		return nil, nil
	}
	if len(msgs) > 0 {
		if w.Deliver == nil {
			return nil, fmt.Errorf("meetings: broadcast %d: no Deliver", m.ID)
		}
		for i, d := range w.Deliver(ctx, msgs...) {
			if d.Err == nil || i >= len(owners) {
				continue
			}
			who := owners[i]
			switch {
			case errors.Is(d.Err, bot.ErrBlocked):
				fate[who] = storage.DeliveryBlocked
			case fate[who] == storage.DeliverySent:
				fate[who] = storage.DeliveryFailed
			}
		}
	}
	for _, id := range pending {
		if err := f.Store.SetDelivery(ctx, m.ID, id, fate[id]); err != nil {
			return nil, fmt.Errorf("meetings: broadcast %d: %w", m.ID, err)
		}
	}
	return f.deliveryReport(ctx, l, m, a, pending)
}

// broadcastText is the notice, update or cancellation as the invitees
// read it, with the answer buttons (none on a cancellation).
func (f *Flow) broadcastText(l *locales.Localizer, m storage.Meeting, a broadcastArgs, agenda []storage.AgendaItem, mats []storage.Material) (string, bot.Keyboard) {
	notice := f.NoticeText(l, m, agenda, mats)
	switch a.What {
	case bcNotice, bcGuests:
		return notice, rsvpButtons(l, m)
	case bcCancel:
		return l.T("meetings.n.upd.cancelled", "When", f.When(l, m)), nil
	case bcMinutes:
		return "", nil
	}
	was := f.When(l, m)
	if a.What == bcDate && a.Was != 0 {
		was = l.DateTime(time.Unix(a.Was, 0).In(f.loc()))
	}
	lines := []string{l.T("meetings.n.upd.head", "When", was), l.T("meetings.n.upd."+a.What, "When", f.When(l, m)), "", notice}
	if a.Reset {
		lines = append(lines, "", l.T("meetings.n.upd.answer_again"))
	}
	return strings.Join(lines, "\n"), rsvpButtons(l, m)
}

// deliveryReport tells the meeting's author (or who sent the guests'
// notice or the minutes) how many invitees the notice, update or minutes
// reached and, by name, who was not and why. The guests' notice reports
// on those it was sent to (done) only, naming who got it.
func (f *Flow) deliveryReport(ctx context.Context, l *locales.Localizer, m storage.Meeting, a broadcastArgs, done []int64) ([]bot.Message, error) {
	to := m.CreatedBy
	if a.By != 0 {
		to = a.By
	}
	chat, err := f.chatOf(ctx, to)
	if err != nil || chat == 0 {
		return nil, err
	}
	list, err := f.Store.ListInvitees(ctx, m.ID)
	if err != nil {
		return nil, fmt.Errorf("meetings: report %d: %w", m.ID, err)
	}
	if a.What == bcGuests {
		list = slices.DeleteFunc(list, func(v storage.Invitee) bool { return !slices.Contains(done, v.PersonID) })
	}
	var missed, got []string
	sent := 0
	for _, v := range list {
		switch v.Delivery {
		case storage.DeliverySent:
			sent++
			got = append(got, v.FullName)
		case storage.DeliveryPending:
			// A later update is on its way to them; its report tells.
		default:
			name := v.FullName
			if name == "" {
				name = l.T("meetings.n.report.forgotten")
			}
			missed = append(missed, l.T("meetings.n.report.missed", "Name", name, "Why", l.T("meetings.n.report.why."+string(v.Delivery))))
		}
	}
	what := "update"
	switch a.What {
	case bcNotice, bcGuests, bcMinutes:
		what = a.What
	}
	lines := []string{l.T("meetings.n.report."+what, "When", f.When(l, m), "Sent", sent, "Total", len(list), "Number", minutesNumber(m))}
	if a.What == bcGuests && len(got) > 0 {
		lines = append(lines, l.T("meetings.n.report.got", "Names", strings.Join(got, ", ")))
	}
	if len(missed) > 0 {
		lines = append(lines, "", l.T("meetings.n.report.call"))
		lines = append(lines, missed...)
	}
	return []bot.Message{bot.Text{ChatID: chat, Text: strings.Join(lines, "\n"),
		Buttons: bot.Keyboard{{{Text: l.T("meetings.n.btn.open"), Data: flows.CB(cb, actCard, m.ID)}}}}}, nil
}

// --- Changes and cancellation ---

// pressChange asks what changes: the date and time, or the place or link.
func (f *Flow) pressChange(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingDraft, storage.MeetingSent)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(c.T("meetings.n.change_what"), bot.Keyboard{
		{c.Button("meetings.n.btn.change_when", flows.CB(cb, actChangeWhen, m.ID))},
		{c.Button("meetings.n.btn.change_where", flows.CB(cb, actChangeWhere, m.ID))},
		{c.Button("meetings.n.btn.back", flows.CB(cb, actCard, m.ID))},
	})
	return flows.Stay(), nil
}

// pressChangeWhen asks the new date and time.
func (f *Flow) pressChangeWhen(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingDraft, storage.MeetingSent)
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	c.SetInt(keyMeeting, m.ID)
	c.Set(keyMode, modeChange)
	id := "meetings.n.ask_new_when"
	if m.Status == storage.MeetingSent {
		id = "meetings.n.ask_new_when_sent"
	}
	c.Edit(c.T(id, "When", f.When(c.L, m)), nil)
	return flows.Goto(stepWhen), nil
}

// pressChangeWhere asks the new place or link.
func (f *Flow) pressChangeWhere(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingDraft, storage.MeetingSent)
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	c.SetInt(keyMeeting, m.ID)
	c.Set(keyMode, modeChange)
	place, link := m.Place, m.Link
	if place == "" {
		place = "—"
	}
	if link == "" {
		link = "—"
	}
	c.Edit(c.T("meetings.n.ask_new_where", "Place", place, "Link", link), nil)
	return flows.Goto(stepPlace), nil
}

// pressCancel asks before cancelling a meeting.
func (f *Flow) pressCancel(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingSent)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(c.T("meetings.n.cancel_ask", "When", f.When(c.L, m)), bot.Keyboard{
		{c.Button("meetings.n.btn.cancel_yes", flows.CB(cb, actCancelOK, m.ID))},
		{c.Button("meetings.n.btn.back", flows.CB(cb, actCard, m.ID))},
	})
	return flows.Stay(), nil
}

// pressCancelOK cancels the meeting and tells every invitee.
func (f *Flow) pressCancelOK(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingSent)
	if err != nil {
		return flows.Stay(), err
	}
	if f.Scheduler == nil {
		return flows.Stay(), errors.New("meetings: no scheduler to send the cancellation")
	}
	m, err = f.Store.CancelMeeting(ctx, c.Actor.PersonID(), m.ID)
	if err != nil {
		return flows.Stay(), storeErr(err, "cancel %d", m.ID)
	}
	if err := f.broadcastUpdate(ctx, c, m, broadcastArgs{Meeting: m.ID, What: bcCancel}); err != nil {
		return flows.Stay(), err
	}
	c.Edit(c.T("meetings.n.cancelled", "When", f.When(c.L, m)), bot.Keyboard{{c.Button("meetings.btn.to_list", flows.CB(cb, actList, 1))}})
	return flows.End(), nil
}

// --- The agenda editor ---

// agendaScreen is the agenda with a rewrite and a delete button per item.
func (f *Flow) agendaScreen(ctx context.Context, c *flows.Context, m storage.Meeting) (string, bot.Keyboard, error) {
	agenda, err := f.Store.ListAgenda(ctx, m.ID)
	if err != nil {
		return "", nil, fmt.Errorf("meetings: agenda of %d: %w", m.ID, err)
	}
	lines := []string{c.T("meetings.n.ed.head." + string(m.Status))}
	var kb bot.Keyboard
	for _, it := range agenda {
		line := c.T("meetings.notice.item", "N", it.Position, "Title", it.Title)
		if it.Speaker != "" {
			line += c.T("meetings.notice.speaker", "Speaker", it.Speaker)
		}
		lines = append(lines, line)
		if !it.Decided.IsZero() {
			continue
		}
		kb = append(kb, []bot.Button{
			{Text: c.T("meetings.n.btn.item_edit", "N", it.Position), Data: flows.CB(cb, actItemEdit, it.ID)},
			{Text: c.T("meetings.n.btn.item_delete", "N", it.Position), Data: flows.CB(cb, actItemDel, it.ID)},
		})
	}
	kb = append(kb, []bot.Button{c.Button("meetings.n.btn.item_add", flows.CB(cb, actItemAdd, m.ID))})
	kb = append(kb, []bot.Button{c.Button("meetings.n.btn.done", flows.CB(cb, actAgendaOK, m.ID))})
	return strings.Join(lines, "\n"), kb, nil
}

// pressAgenda opens the agenda editor.
func (f *Flow) pressAgenda(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingDraft, storage.MeetingSent)
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	c.SetInt(keyMeeting, m.ID)
	text, kb, err := f.agendaScreen(ctx, c, m)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(text, kb)
	return flows.Goto(""), nil
}

// itemArg loads the item a button names and its meeting, draft or sent.
func (f *Flow) itemArg(ctx context.Context, c *flows.Context) (storage.AgendaItem, storage.Meeting, error) {
	v, err := args(c, 1)
	if err != nil {
		return storage.AgendaItem{}, storage.Meeting{}, err
	}
	it, err := f.Store.FindAgendaItem(ctx, v[0])
	if errors.Is(err, storage.ErrNotFound) {
		return it, storage.Meeting{}, flows.ErrStale
	}
	if err != nil {
		return it, storage.Meeting{}, fmt.Errorf("meetings: item %d: %w", v[0], err)
	}
	m, err := f.meetingIn(ctx, c, it.MeetingID, storage.MeetingDraft, storage.MeetingSent)
	return it, m, err
}

// pressItemEdit asks an item's new text.
func (f *Flow) pressItemEdit(ctx context.Context, c *flows.Context) (flows.Next, error) {
	it, m, err := f.itemArg(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	c.SetInt(keyMeeting, m.ID)
	c.SetInt(keyItem, it.ID)
	cur := it.Title
	if it.Speaker != "" {
		cur += " — " + it.Speaker
	}
	c.Reply(c.T("meetings.n.ask_item", "N", it.Position, "Item", cur), nil)
	return flows.Goto(stepItemText), nil
}

// stepItemText rewrites the item.
func (f *Flow) stepItemText(ctx context.Context, c *flows.Context) (flows.Next, error) {
	title, speaker, err := parseItem(c.Update.Text)
	if err != nil {
		return flows.Stay(), err
	}
	it, err := f.Store.FindAgendaItem(ctx, c.GetInt(keyItem))
	if errors.Is(err, storage.ErrNotFound) {
		return stepGone(c, flows.ErrStale)
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: item: %w", err)
	}
	m, err := f.meetingIn(ctx, c, it.MeetingID, storage.MeetingDraft, storage.MeetingSent)
	if err != nil {
		return stepGone(c, err)
	}
	it.Title, it.Speaker = title, speaker
	if _, err := f.Store.UpdateAgendaItem(ctx, c.Actor.PersonID(), it); err != nil {
		return flows.Stay(), storeErr(err, "update item %d", it.ID)
	}
	text, kb, err := f.agendaScreen(ctx, c, m)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(text, kb)
	return flows.Goto(""), nil
}

// pressItemDel deletes an item (never the last one).
func (f *Flow) pressItemDel(ctx context.Context, c *flows.Context) (flows.Next, error) {
	it, m, err := f.itemArg(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	agenda, err := f.Store.ListAgenda(ctx, m.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: agenda of %d: %w", m.ID, err)
	}
	if len(agenda) <= 1 {
		c.Notice(c.T("meetings.n.ed.last"))
		return flows.Stay(), nil
	}
	if err := f.Store.DeleteAgendaItem(ctx, c.Actor.PersonID(), it.ID); err != nil {
		return flows.Stay(), storeErr(err, "delete item %d", it.ID)
	}
	c.SetInt(keyMeeting, m.ID)
	text, kb, err := f.agendaScreen(ctx, c, m)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.Goto(""), nil
}

// pressItemAdd takes new items, one per message.
func (f *Flow) pressItemAdd(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingDraft, storage.MeetingSent)
	if err != nil {
		return flows.Stay(), err
	}
	c.SetInt(keyMeeting, m.ID)
	c.Set(keyMode, modeEdit)
	c.Reply(c.T("meetings.n.ask_items_edit"), bot.Keyboard{{c.Button("meetings.n.btn.done", flows.CB(cb, actAgendaOK, m.ID))}})
	return flows.Goto(stepAgenda), nil
}

// pressAgendaOK leaves the editor: a draft's preview, or, for a sent
// meeting whose agenda changed (as the store records, not the session),
// the update to every invitee.
func (f *Flow) pressAgendaOK(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingDraft, storage.MeetingSent)
	if err != nil {
		return flows.Stay(), err
	}
	if m.Status == storage.MeetingDraft {
		c.Clear()
		return f.preview(ctx, c, m)
	}
	if !m.AgendaChangedAt.IsZero() {
		if err := f.broadcastUpdate(ctx, c, m, broadcastArgs{Meeting: m.ID, What: bcAgenda}); err != nil {
			return flows.Stay(), err
		}
		c.Say("meetings.n.changed_agenda")
	} else {
		c.Say("meetings.n.unchanged_agenda")
	}
	c.Clear()
	return f.showCard(ctx, c, m)
}

// pressAnnounce broadcasts the agenda's changes the invitees have not
// been told of, from the card: the secretary who left the editor without
// «Готово», or whose session expired, still tells them.
func (f *Flow) pressAnnounce(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.meetingArg(ctx, c, storage.MeetingSent)
	if err != nil {
		return flows.Stay(), err
	}
	if m.AgendaChangedAt.IsZero() {
		c.Notice(c.T("meetings.n.announced_already"))
		return flows.Stay(), nil
	}
	if err := f.broadcastUpdate(ctx, c, m, broadcastArgs{Meeting: m.ID, What: bcAgenda}); err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	c.Edit(c.T("meetings.n.changed_agenda"), nil)
	m.AgendaChangedAt = time.Time{}
	return f.showCard(ctx, c, m)
}

// --- The members' answers ---

// pressRSVP records a member's (or guest's) answer to the notice at its
// version: an answer to a notice whose date changed since is refused.
func (f *Flow) pressRSVP(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := flows.ArgInts(c.Callback.Arg)
	if err != nil || len(v) != 3 || v[0] == 0 {
		return flows.Stay(), flows.ErrStale
	}
	answer, ok := rsvpCodes[v[1]]
	if !ok {
		return flows.Stay(), flows.ErrStale
	}
	m, err := f.Store.FindMeeting(ctx, v[0])
	if errors.Is(err, storage.ErrNotFound) {
		return flows.Stay(), flows.ErrForbidden
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: rsvp to %d: %w", v[0], err)
	}
	if _, err := f.Store.FindInvitee(ctx, m.ID, c.Actor.PersonID()); errors.Is(err, storage.ErrNotFound) {
		return flows.Stay(), flows.ErrForbidden
	} else if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: rsvp to %d: %w", m.ID, err)
	}
	if answer == storage.RSVPOnline && m.Link == "" {
		return flows.Stay(), flows.ErrStale
	}
	switch {
	case m.Status == storage.MeetingCancelled:
		c.Notice(c.T("meetings.n.rsvp.cancelled"))
		return flows.Stay(), nil
	case m.Status == storage.MeetingHeld:
		c.Notice(c.T("meetings.n.rsvp.held"))
		return flows.Stay(), nil
	case m.Status != storage.MeetingSent:
		return flows.Stay(), flows.ErrStale
	case v[2] != int64(m.Version):
		c.Notice(c.T("meetings.n.rsvp.outdated", "When", f.When(c.L, m)))
		return flows.Stay(), nil
	}
	if _, err := f.Store.SetRSVP(ctx, m.ID, c.Actor.PersonID(), answer, ""); err != nil {
		return flows.Stay(), storeErr(err, "rsvp to %d", m.ID)
	}
	c.Edit("", rsvpKeyboard(c.L, m, answer))
	if answer != storage.RSVPNo {
		c.Notice(c.T("meetings.n.rsvp.saved." + string(answer)))
		return flows.Stay(), nil
	}
	c.Clear()
	c.SetInt(keyMeeting, m.ID)
	c.Reply(c.T("meetings.n.rsvp.ask_reason"), bot.Keyboard{{c.Button("meetings.n.btn.no_reason", flows.CB(cb, actNoReason, m.ID))}})
	return flows.Goto(stepReason), nil
}

// stepReason keeps why the member cannot come.
func (f *Flow) stepReason(ctx context.Context, c *flows.Context) (flows.Next, error) {
	reason := strings.TrimSpace(c.Update.Text)
	if reason == "" || utf8.RuneCountInString(reason) > maxText {
		return flows.Stay(), flows.Invalid("meetings.n.rsvp.reason_invalid", "Max", maxText)
	}
	id := c.GetInt(keyMeeting)
	if id == 0 {
		return stepGone(c, flows.ErrStale)
	}
	if _, err := f.Store.SetRSVP(ctx, id, c.Actor.PersonID(), storage.RSVPNo, reason); err != nil {
		if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrConflict) {
			return stepGone(c, flows.ErrStale)
		}
		return flows.Stay(), fmt.Errorf("meetings: reason for %d: %w", id, err)
	}
	c.Say("meetings.n.rsvp.reason_saved")
	return flows.End(), nil
}

// pressNoReason: «Не смогу» stays without a reason.
func (f *Flow) pressNoReason(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	inv, err := f.Store.FindInvitee(ctx, v[0], c.Actor.PersonID())
	if errors.Is(err, storage.ErrNotFound) {
		return flows.Stay(), flows.ErrForbidden
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: rsvp to %d: %w", v[0], err)
	}
	if inv.RSVP != storage.RSVPNo {
		return flows.End(), flows.ErrStale
	}
	c.Edit(c.T("meetings.n.rsvp.saved.no"), nil)
	return flows.End(), nil
}
