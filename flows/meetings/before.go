package meetings

// Before the meeting: the secretary's live table of the answers, grouped
// (coming in person, online, not coming with their reasons, no answer)
// with the quorum forecast and the notices that could not be delivered;
// the «Напомнить» button, once per local day, to those who have not
// answered; and the reminders job: to those who have not answered two
// days before, to those coming the day before and two hours before, and
// a warning to the secretaries and the chair when the forecast three days
// before shows no quorum. Nobody who declined is reminded, nothing is
// sent in the quiet hours, and every reminder is claimed in Postgres
// before it is sent, so several replicas send it once.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/locales"
	"smkbot/storage"
)

// Actions of this file.
const (
	actTable = "bt" // mt:bt:<meeting> the answers' table and the quorum forecast
	actNudge = "bn" // mt:bn:<meeting> «Напомнить» those who have not answered
)

// The reminders' job and windows, counted back from the meeting's start.
const (
	remindJob   = "meeting-reminders"
	remindEvery = time.Minute
	// remindQuorumFrom: the secretaries and the chair are warned of a
	// forecast without quorum from three days before.
	remindQuorumFrom = 72 * time.Hour
	// remindMargin widens the meetings the job looks at beyond the
	// widest window, so a meeting entering it is never missed.
	remindMargin = time.Hour
	// remindNoAnswerFrom: those who have not answered are reminded from
	// two days before.
	remindNoAnswerFrom = 48 * time.Hour
	// remindGrace: neither those who have not answered nor the quorum
	// are chased until the notice has been out this long (a meeting
	// called two days ahead has no answers the minute it is sent).
	remindGrace = 12 * time.Hour
	// remindDayBeforeFrom and remindTwoHoursFrom: those coming are
	// reminded from 24 hours before until two hours before, then from two
	// hours before until the start.
	remindDayBeforeFrom = 24 * time.Hour
	remindTwoHoursFrom  = 2 * time.Hour
	// Quiet hours, local: nothing is sent from quietFrom:00 until
	// quietTo:00; a reminder still in its window goes at the first run
	// after quietTo:00.
	quietFrom = 21
	quietTo   = 8
)

// Limits of the answers' table: a reason is cut to tableReason
// characters, and a table over tableMax characters (an edit is not split
// by the Sender, Telegram takes 4096) is shown without the reasons.
const (
	tableReason = 80
	tableMax    = 3900
)

// registerBefore adds the buttons and the reminders' job of the answers'
// table, the quorum forecast and the reminders.
func (f *Flow) registerBefore(r *flows.Router) {
	r.Callback(cb, actTable, flows.ManageMeetings, f.pressTable)
	r.Callback(cb, actNudge, flows.ManageMeetings, f.pressNudge)
	l := r.Localizer()
	r.Schedule(flows.Job{Name: remindJob, Every: remindEvery, Run: func(ctx context.Context, now time.Time) ([]bot.Message, error) {
		return f.remind(ctx, l, now)
	}})
}

// beforeButtons are the card's buttons of a sent meeting: the answers'
// table, and «Напомнить» until the meeting starts.
func (f *Flow) beforeButtons(ctx context.Context, c *flows.Context, m storage.Meeting) (bot.Keyboard, error) {
	if m.Status != storage.MeetingSent {
		return nil, nil
	}
	row := []bot.Button{c.Button("meetings.b.btn.table", flows.CB(cb, actTable, m.ID))}
	if c.Now.Before(m.StartsAt) {
		row = append(row, c.Button("meetings.b.btn.nudge", flows.CB(cb, actNudge, m.ID)))
	}
	return bot.Keyboard{row}, nil
}

// loadSent returns the meeting a before-the-meeting button names: ErrStale
// unless it is sent (a held or cancelled meeting has no answers to
// follow).
func (f *Flow) loadSent(ctx context.Context, c *flows.Context) (storage.Meeting, error) {
	v, err := args(c, 1)
	if err != nil {
		return storage.Meeting{}, err
	}
	m, err := f.loadMeeting(ctx, c, v[0])
	if err != nil {
		return m, err
	}
	if m.Status != storage.MeetingSent {
		return m, flows.ErrStale
	}
	return m, nil
}

// pressTable shows the answers' table in place of the card (or refreshes
// it), with «Обновить», «Напомнить» and the way back to the card.
func (f *Flow) pressTable(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.loadSent(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	list, err := f.Store.ListInvitees(ctx, m.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: invitees of %d: %w", m.ID, err)
	}
	row := []bot.Button{c.Button("meetings.b.btn.refresh", flows.CB(cb, actTable, m.ID))}
	if c.Now.Before(m.StartsAt) {
		row = append(row, c.Button("meetings.b.btn.nudge", flows.CB(cb, actNudge, m.ID)))
	}
	c.Edit(f.tableText(c.L, m, list, c.Now), bot.Keyboard{row,
		{c.Button("meetings.b.btn.to_card", flows.CB(cb, actCard, m.ID))}})
	return flows.Stay(), nil
}

// answers are a meeting's invitees sorted for the table.
type answers struct {
	yes, online, no, none []storage.Invitee // members
	guests                []storage.Invitee
	undelivered           []storage.Invitee // members and guests
	members               int
}

func sortAnswers(list []storage.Invitee) answers {
	var a answers
	for _, v := range list {
		switch v.Delivery {
		case storage.DeliveryBlocked, storage.DeliveryNoChat, storage.DeliveryFailed:
			a.undelivered = append(a.undelivered, v)
		}
		if v.Role != storage.InviteeMember {
			a.guests = append(a.guests, v)
			continue
		}
		a.members++
		switch v.RSVP {
		case storage.RSVPYes:
			a.yes = append(a.yes, v)
		case storage.RSVPOnline:
			a.online = append(a.online, v)
		case storage.RSVPNo:
			a.no = append(a.no, v)
		default:
			a.none = append(a.none, v)
		}
	}
	return a
}

// confirmed counts the members who said they will come, in person or
// online.
func (a answers) confirmed() int { return len(a.yes) + len(a.online) }

// forecast is the quorum forecast line: «Кворум прогнозируется: 27 из 50
// подтвердили, нужно не менее 25.» or «Кворума пока нет: …, не хватает 3
// человек.»
func forecast(l *locales.Localizer, a answers) string {
	need := Quorum(a.members)
	confirmed := l.N("meetings.b.confirmed", a.confirmed(), "Total", a.members)
	if a.confirmed() >= need {
		return l.T("meetings.b.quorum.yes", "Confirmed", confirmed, "Need", need)
	}
	return l.T("meetings.b.quorum.no", "Confirmed", confirmed, "Need", need,
		"Short", l.N("meetings.b.short", need-a.confirmed()))
}

// tableText is the answers' table: the members by answer, the guests, the
// quorum forecast and the notices not delivered. The reasons are left out
// when the whole would not fit one message.
func (f *Flow) tableText(l *locales.Localizer, m storage.Meeting, list []storage.Invitee, now time.Time) string {
	a := sortAnswers(list)
	text := f.tableWith(l, m, a, now, true)
	if utf8.RuneCountInString(text) > tableMax {
		text = f.tableWith(l, m, a, now, false)
	}
	return text
}

func (f *Flow) tableWith(l *locales.Localizer, m storage.Meeting, a answers, now time.Time, reasons bool) string {
	lines := []string{
		l.T("meetings.b.table.head", "When", f.When(l, m)),
		l.T("meetings.b.table.updated", "Time", now.In(f.loc()).Format("15:04")),
	}
	name := func(v storage.Invitee) string {
		if v.FullName == "" {
			return l.T("meetings.b.table.no_name")
		}
		return v.FullName
	}
	group := func(id string, vs []storage.Invitee) {
		if len(vs) == 0 {
			return
		}
		lines = append(lines, "", l.N(id, len(vs)))
		for _, v := range vs {
			line := l.T("meetings.b.table.person", "Name", name(v))
			if reasons && v.Reason != "" {
				line += l.T("meetings.b.table.reason", "Reason", cut(v.Reason, tableReason))
			}
			lines = append(lines, line)
		}
	}
	group("meetings.b.table.yes", a.yes)
	group("meetings.b.table.online", a.online)
	group("meetings.b.table.no", a.no)
	group("meetings.b.table.none", a.none)
	if len(a.guests) > 0 {
		lines = append(lines, "", l.N("meetings.b.table.guests", len(a.guests)))
		for _, v := range a.guests {
			line := l.T("meetings.b.table.guest", "Name", name(v),
				"Role", l.T("meetings.b.table.role."+string(v.Role)),
				"Answer", l.T("meetings.b.table.answer."+answerKey(v.RSVP)))
			if reasons && v.Reason != "" {
				line += l.T("meetings.b.table.reason", "Reason", cut(v.Reason, tableReason))
			}
			lines = append(lines, line)
		}
	}
	lines = append(lines, "", forecast(l, a))
	if len(a.undelivered) > 0 {
		lines = append(lines, "", l.T("meetings.b.table.undelivered"))
		for _, v := range a.undelivered {
			lines = append(lines, l.T("meetings.b.table.undelivered_person", "Name", name(v),
				"Why", l.T("meetings.b.table.delivery."+string(v.Delivery))))
		}
	}
	return strings.Join(lines, "\n")
}

// answerKey names an answer in the locale ids: yes, online, no, none.
func answerKey(r storage.RSVP) string {
	if r == storage.RSVPNone {
		return "none"
	}
	return string(r)
}

// cut shortens s to at most n characters, with an ellipsis when cut.
func cut(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// pressNudge sends the reminder to every invitee who has not answered, at
// most once per meeting and local day, outside the quiet hours and before
// the meeting starts.
func (f *Flow) pressNudge(ctx context.Context, c *flows.Context) (flows.Next, error) {
	m, err := f.loadSent(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	if !c.Now.Before(m.StartsAt) {
		c.Notice(c.T("meetings.b.nudge.started"))
		return flows.Stay(), nil
	}
	if f.quiet(c.Now) {
		c.Notice(c.T("meetings.b.nudge.quiet"))
		return flows.Stay(), nil
	}
	list, err := f.Store.ListInvitees(ctx, m.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: invitees of %d: %w", m.ID, err)
	}
	var to []storage.Invitee
	for _, v := range list {
		if v.RSVP == storage.RSVPNone && v.TelegramID != 0 {
			to = append(to, v)
		}
	}
	if len(to) == 0 {
		c.Notice(c.T("meetings.b.nudge.nobody"))
		return flows.Stay(), nil
	}
	won, err := f.Store.ClaimNudge(ctx, m.ID, f.localDay(c.Now))
	if errors.Is(err, storage.ErrNotFound) {
		return flows.Stay(), flows.ErrStale
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("meetings: claim nudge of %d: %w", m.ID, err)
	}
	if !won {
		c.Notice(c.T("meetings.b.nudge.again"))
		return flows.Stay(), nil
	}
	for _, v := range to {
		c.Send(f.noAnswerReminder(c.L, m, v.TelegramID, "meetings.b.nudge.head"))
	}
	c.Notice(c.L.N("meetings.b.nudge.sent", len(to)))
	return flows.Stay(), nil
}

// quiet reports whether now is in the quiet hours, local.
func (f *Flow) quiet(now time.Time) bool {
	h := now.In(f.loc()).Hour()
	return h >= quietFrom || h < quietTo
}

// localDay is now's local date at midnight UTC, as ClaimNudge takes it.
func (f *Flow) localDay(now time.Time) time.Time {
	y, m, d := now.In(f.loc()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// whereLines are the meeting's date and time, place and link, as in the
// notice.
func (f *Flow) whereLines(l *locales.Localizer, m storage.Meeting) []string {
	lines := []string{l.T("meetings.notice.when", "When", f.When(l, m))}
	if m.Place != "" {
		lines = append(lines, l.T("meetings.notice.place", "Place", m.Place))
	}
	if m.Link != "" {
		lines = append(lines, l.T("meetings.notice.link", "Link", m.Link))
	}
	return lines
}

// noticeHead is the notice's first line: «Очередное заседание президиума
// ассоциации».
func noticeHead(l *locales.Localizer, m storage.Meeting) string {
	return l.T("meetings.notice.head." + string(m.Kind))
}

// noAnswerReminder asks an invitee who has not answered to answer, with
// the answer buttons; head is the first line (the secretary's nudge or
// the job's reminder).
func (f *Flow) noAnswerReminder(l *locales.Localizer, m storage.Meeting, chat int64, head string) bot.Message {
	lines := append([]string{l.T(head), noticeHead(l, m)}, f.whereLines(l, m)...)
	lines = append(lines, "", l.T("meetings.b.remind.answer"))
	return bot.Text{ChatID: chat, Text: strings.Join(lines, "\n"), Buttons: rsvpButtons(l, m)}
}

// comingReminder reminds an invitee who is coming: the day before («завтра»
// or «сегодня», by the local calendar) or two hours before.
func (f *Flow) comingReminder(l *locales.Localizer, m storage.Meeting, v storage.Invitee, kind storage.MeetingReminder, now time.Time) bot.Message {
	var head string
	switch {
	case kind == storage.RemindTwoHours:
		head = l.T("meetings.b.remind.soon", "Time", m.StartsAt.In(f.loc()).Format("15:04"))
	case f.localDay(m.StartsAt).Equal(f.localDay(now)):
		head = l.T("meetings.b.remind.today")
	case f.localDay(m.StartsAt).Equal(f.localDay(now).AddDate(0, 0, 1)):
		head = l.T("meetings.b.remind.tomorrow")
	default:
		head = l.T("meetings.b.remind.coming")
	}
	lines := append([]string{head, noticeHead(l, m)}, f.whereLines(l, m)...)
	lines = append(lines, "", l.T("meetings.b.remind.answered."+string(v.RSVP)))
	return bot.Text{ChatID: v.TelegramID, Text: strings.Join(lines, "\n")}
}

// remind is the reminders' job at now: for each sent meeting starting in
// the next three days, the reminders whose window now is in, each claimed
// before it is written. Outside the quiet hours only. A meeting that fails
// does not stop the others; its error is returned with the messages.
func (f *Flow) remind(ctx context.Context, l *locales.Localizer, now time.Time) ([]bot.Message, error) {
	if f.quiet(now) {
		return nil, nil
	}
	ms, err := f.Store.MeetingsBetween(ctx, now, now.Add(remindQuorumFrom+remindMargin))
	if err != nil {
		return nil, fmt.Errorf("meetings: reminders: %w", err)
	}
	var msgs []bot.Message
	var errs []error
	for _, m := range ms {
		if m.Status != storage.MeetingSent || !now.Before(m.StartsAt) {
			continue
		}
		out, err := f.remindMeeting(ctx, l, m, now)
		msgs = append(msgs, out...)
		if err != nil {
			errs = append(errs, fmt.Errorf("meetings: reminders of %d: %w", m.ID, err))
		}
	}
	return msgs, errors.Join(errs...)
}

// remindMeeting writes one meeting's reminders due at now.
func (f *Flow) remindMeeting(ctx context.Context, l *locales.Localizer, m storage.Meeting, now time.Time) ([]bot.Message, error) {
	list, err := f.Store.ListInvitees(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	left := m.StartsAt.Sub(now)
	var msgs []bot.Message
	claim := func(personID int64, kind storage.MeetingReminder) (bool, error) {
		return f.Store.ClaimReminder(ctx, m.ID, personID, kind)
	}
	for _, v := range list {
		if v.TelegramID == 0 {
			continue
		}
		var kind storage.MeetingReminder
		switch v.RSVP {
		case storage.RSVPNone:
			if left <= remindNoAnswerFrom && now.Sub(m.SentAt) >= remindGrace {
				kind = storage.RemindNoAnswer
			}
		case storage.RSVPYes, storage.RSVPOnline:
			switch {
			case left <= remindTwoHoursFrom:
				kind = storage.RemindTwoHours
			case left <= remindDayBeforeFrom:
				kind = storage.RemindDayBefore
			}
		}
		if kind == "" {
			continue
		}
		won, err := claim(v.PersonID, kind)
		if err != nil {
			return msgs, err
		}
		if !won {
			continue
		}
		if kind == storage.RemindNoAnswer {
			msgs = append(msgs, f.noAnswerReminder(l, m, v.TelegramID, "meetings.b.remind.no_answer"))
		} else {
			msgs = append(msgs, f.comingReminder(l, m, v, kind, now))
		}
	}
	if left > remindQuorumFrom || now.Sub(m.SentAt) < remindGrace {
		return msgs, nil
	}
	a := sortAnswers(list)
	if a.members == 0 || a.confirmed() >= Quorum(a.members) {
		return msgs, nil
	}
	won, err := claim(0, storage.RemindQuorum)
	if err != nil || !won {
		return msgs, err
	}
	chats, err := f.managers(ctx)
	if err != nil {
		return msgs, err
	}
	text := strings.Join([]string{
		l.T("meetings.b.remind.quorum", "When", f.When(l, m)),
		forecast(l, a),
		l.N("meetings.b.remind.quorum_none", len(a.none)),
		"",
		l.T("meetings.b.remind.quorum_tail"),
	}, "\n")
	kb := bot.Keyboard{{{Text: l.T("meetings.b.btn.table"), Data: flows.CB(cb, actTable, m.ID)}}}
	for _, chat := range chats {
		msgs = append(msgs, bot.Text{ChatID: chat, Text: text, Buttons: kb})
	}
	return msgs, nil
}

// managers are the chats of the active secretaries and chairs, each once.
func (f *Flow) managers(ctx context.Context) ([]int64, error) {
	var chats []int64
	seen := map[int64]bool{}
	for _, role := range []storage.Role{storage.RoleSecretary, storage.RoleChair} {
		people, err := f.Store.ListPeople(ctx, 0, role)
		if err != nil {
			return nil, fmt.Errorf("people with role %s: %w", role, err)
		}
		for _, p := range people {
			if p.Active && p.TelegramID != 0 && !seen[p.TelegramID] {
				seen[p.TelegramID] = true
				chats = append(chats, p.TelegramID)
			}
		}
	}
	return chats, nil
}
