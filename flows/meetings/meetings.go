// Package meetings is the presidium's meetings, as the association's
// charter runs them: the secretary (or the chair) writes the notice —
// regular or extraordinary, date and time, place or link, the agenda, the
// materials, guests — previews it and sends it to every presidium member
// and guest; members answer «Буду», «Не смогу», «Буду онлайн»; the
// secretary follows the answers and the quorum forecast, changes or
// cancels the meeting, reminds; after it, marks attendance, records each
// item's decision and votes, names executors whose parts become tasks,
// drafts the minutes and sends the signed scan to everyone. Minutes are
// removed three years after the meeting.
//
// The code reads in the order of a meeting's life: notice.go (writing and
// sending the notice, changes, the answers), before.go (the answers'
// table, quorum, reminders), after.go (attendance, decisions, minutes,
// retention, history).
package meetings

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/locales"
	"smkbot/storage"
)

// Files downloads what the secretary sends (materials, the signed
// minutes). bot.Client implements it.
type Files interface {
	Download(ctx context.Context, fileID string) ([]byte, error)
}

// Flow holds what the meetings handlers share.
type Flow struct {
	Store Store
	Files Files
	// Scheduler runs the broadcasts of notices and updates as durable
	// work, so a notice to the whole presidium survives a restart and
	// its delivery report reaches the secretary.
	Scheduler flows.Scheduler
	// Tasks turns a decision's executors into tasks; nil when the tasks
	// capability is absent.
	Tasks flows.TaskOrders
	// Location is the association's zone: meeting times, quiet hours.
	Location *time.Location
}

// cb is the callback data flow name of the meetings buttons. Each file
// prefixes its actions: n… notice.go, b… before.go, a… after.go.
const cb = "mt"

// Actions of this file, and the two the list links to in the others.
const (
	actList    = "list"  // mt:list:<page>    the secretary's meetings
	actCard    = "card"  // mt:card:<meeting> a meeting's card
	actNew     = "nnew"  // mt:nnew:          a new meeting (notice.go)
	actHistory = "ahist" // mt:ahist:<page>   past meetings, attendance, XLSX (after.go)
)

// Limits shared by the files.
const (
	maxText    = 1000
	buttonText = 40
	// listPage is how many meetings the list shows at once.
	listPage = 8
)

// Register adds the meetings' menu item, command, buttons, steps and
// jobs to r.
func (f *Flow) Register(r *flows.Router) {
	r.Command(flows.Command{Name: "meetings", Help: "meetings.cmd_help", Perm: flows.ManageMeetings, Handler: f.list})
	r.Menu(flows.MenuItem{Label: "meetings.menu", Perm: flows.ManageMeetings, Handler: f.list})
	r.Callback(cb, actList, flows.ManageMeetings, f.pressList)
	r.Callback(cb, actCard, flows.ManageMeetings, f.pressCard)
	f.registerNotice(r)
	f.registerBefore(r)
	f.registerAfter(r)
}

func (f *Flow) loc() *time.Location {
	if f.Location == nil {
		return time.UTC
	}
	return f.Location
}

// args reads the pressed button's numbers: exactly n of them, the first an
// id (not 0).
func args(c *flows.Context, n int) ([]int64, error) {
	v, err := flows.ArgInts(c.Callback.Arg)
	if err != nil || len(v) != n || v[0] == 0 {
		return nil, flows.ErrStale
	}
	return v, nil
}

// loadMeeting returns meeting id for the secretary's buttons: ErrStale
// for an unknown one. The router has checked ManageMeetings, which is
// association-wide: every meeting is the secretary's.
func (f *Flow) loadMeeting(ctx context.Context, c *flows.Context, id int64) (storage.Meeting, error) {
	m, err := f.Store.FindMeeting(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return m, flows.ErrStale
	}
	if err != nil {
		return m, fmt.Errorf("meetings: find %d: %w", id, err)
	}
	return m, nil
}

// Quorum is how many of a list of n members must be present: at least
// half, rounded up.
func Quorum(n int) int { return (n + 1) / 2 }

// Adopted reports whether a decision passes: for at least half of those
// present.
func Adopted(votesFor, present int) bool { return present > 0 && 2*votesFor >= present }

// When is the meeting's date and time in Russian: «25 декабря, 14:00».
func (f *Flow) When(l *locales.Localizer, m storage.Meeting) string {
	return l.DateTime(m.StartsAt.In(f.loc()))
}

// NoticeText is the notice as members see it: kind, date and time, place
// or link, the numbered agenda with speakers, and how many materials
// follow. Jobs write it too, so it takes the localizer, not a Context.
func (f *Flow) NoticeText(l *locales.Localizer, m storage.Meeting, agenda []storage.AgendaItem, materials []storage.Material) string {
	lines := []string{l.T("meetings.notice.head." + string(m.Kind)), l.T("meetings.notice.when", "When", f.When(l, m))}
	if m.Place != "" {
		lines = append(lines, l.T("meetings.notice.place", "Place", m.Place))
	}
	if m.Link != "" {
		lines = append(lines, l.T("meetings.notice.link", "Link", m.Link))
	}
	lines = append(lines, "", l.T("meetings.notice.agenda"))
	for _, it := range agenda {
		line := l.T("meetings.notice.item", "N", it.Position, "Title", it.Title)
		if it.Speaker != "" {
			line += l.T("meetings.notice.speaker", "Speaker", it.Speaker)
		}
		lines = append(lines, line)
	}
	if len(materials) > 0 {
		lines = append(lines, "", l.N("meetings.notice.materials", len(materials)))
	}
	return strings.Join(lines, "\n")
}

// list is the menu item and /meetings: the meetings coming and the
// drafts, newest first, and a new one.
func (f *Flow) list(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text, kb, err := f.listScreen(ctx, c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(text, kb)
	return flows.Stay(), nil
}

// pressList shows a page of the list in place.
func (f *Flow) pressList(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := flows.ArgInts(c.Callback.Arg)
	if err != nil || len(v) != 1 {
		return flows.Stay(), flows.ErrStale
	}
	text, kb, err := f.listScreen(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// listScreen is the secretary's list: the draft being written, meetings
// from a month ago on, and the ways to a new meeting and the history.
func (f *Flow) listScreen(ctx context.Context, c *flows.Context, page int64) (string, bot.Keyboard, error) {
	from := c.Now.AddDate(0, -1, 0)
	ms, err := f.Store.MeetingsBetween(ctx, from, c.Now.AddDate(2, 0, 0))
	if err != nil {
		return "", nil, fmt.Errorf("meetings: list: %w", err)
	}
	if d, err := f.Store.DraftMeetingOf(ctx, c.Actor.PersonID()); err == nil {
		ms = append([]storage.Meeting{d}, ms...)
	} else if !errors.Is(err, storage.ErrNotFound) {
		return "", nil, fmt.Errorf("meetings: draft of %d: %w", c.Actor.PersonID(), err)
	}
	lo, hi, p, count := flows.Pages(int64(len(ms)), listPage, page)
	var kb bot.Keyboard
	for _, m := range ms[lo:hi] {
		label := c.T("meetings.list.item."+string(m.Status), "When", c.L.DayMonth(m.StartsAt.In(f.loc())))
		kb = append(kb, []bot.Button{{Text: label, Data: flows.CB(cb, actCard, m.ID)}})
	}
	if nav := c.PageNav(p, count, func(n int64) string { return flows.CB(cb, actList, n) }); len(nav) > 0 {
		kb = append(kb, nav)
	}
	kb = append(kb, []bot.Button{c.Button("meetings.btn.new", flows.CB(cb, actNew, nil)),
		c.Button("meetings.btn.history", flows.CB(cb, actHistory, 1))})
	text := c.T("meetings.list.head")
	if len(ms) == 0 {
		text = c.T("meetings.list.empty")
	}
	return text + c.PageLine(p, count), kb, nil
}

// pressCard shows a meeting's card.
func (f *Flow) pressCard(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	m, err := f.loadMeeting(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.card(ctx, c, m)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.Stay(), nil
}

// card is a meeting as the secretary manages it: the notice, where the
// meeting stands, and the buttons of what can be done now, from each
// part of its life.
func (f *Flow) card(ctx context.Context, c *flows.Context, m storage.Meeting) (string, bot.Keyboard, error) {
	agenda, err := f.Store.ListAgenda(ctx, m.ID)
	if err != nil {
		return "", nil, fmt.Errorf("meetings: agenda of %d: %w", m.ID, err)
	}
	materials, err := f.Store.ListMaterials(ctx, m.ID)
	if err != nil {
		return "", nil, fmt.Errorf("meetings: materials of %d: %w", m.ID, err)
	}
	text := c.T("meetings.card.status."+string(m.Status)) + "\n\n" + f.NoticeText(c.L, m, agenda, materials)
	var kb bot.Keyboard
	for _, part := range []func(context.Context, *flows.Context, storage.Meeting) (bot.Keyboard, error){
		f.noticeButtons, f.beforeButtons, f.afterButtons,
	} {
		rows, err := part(ctx, c, m)
		if err != nil {
			return "", nil, err
		}
		kb = append(kb, rows...)
	}
	kb = append(kb, []bot.Button{c.Button("meetings.btn.to_list", flows.CB(cb, actList, 1))})
	return text, kb, nil
}

// chatOf is the Telegram chat of a person, or 0 when they cannot be
// reached.
func (f *Flow) chatOf(ctx context.Context, personID int64) (int64, error) {
	p, _, err := f.Store.FindPersonByID(ctx, personID)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("meetings: person %d: %w", personID, err)
	}
	if !p.Active {
		return 0, nil
	}
	return p.TelegramID, nil
}
