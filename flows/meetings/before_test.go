package meetings

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/flowtest"
	"smkbot/storage"
)

// bScheduler is a Scheduler that runs nothing: the tests of before.go set
// meetings up through the store, not by broadcasting notices.
type bScheduler struct{}

func (bScheduler) Handle(string, flows.WorkFunc) {}
func (bScheduler) At(context.Context, string, string, any, time.Time) error {
	return nil
}
func (bScheduler) Cancel(context.Context, string, string) error { return nil }

// bEnv is the association for the tests of before.go: a secretary (not a
// member), a chair (a member) and presidium members, and the flow's jobs
// to run by hand.
type bEnv struct {
	*flowtest.Env
	jobs    map[string]flows.Job
	sec     storage.Person
	secU    flowtest.User
	chair   storage.Person
	chairU  flowtest.User
	members []storage.Person // the chair first
	users   []flowtest.User  // members' accounts, same order
	names   map[int64]string // chat → short name, for events
}

const (
	bSecChat    = 900
	bChairChat  = 901
	bMemberChat = 1000 // + i
	bGuestChat  = 950
)

// newBEnv registers the secretary, the chair and n-1 presidium members
// (n members in all), named «Член 01»…, the chair «Председатель».
func newBEnv(t *testing.T, n int) *bEnv {
	t.Helper()
	e := &bEnv{jobs: map[string]flows.Job{}, names: map[int64]string{}}
	e.Env = flowtest.New(t, func(r *flows.Router, fe *flowtest.Env) {
		f := &Flow{Store: fe.Store, Scheduler: bScheduler{}, Location: flowtest.Zone}
		f.Register(r)
		for _, j := range r.Jobs() {
			e.jobs[j.Name] = j
		}
	})
	e.secU = flowtest.User{ID: bSecChat, First: "Ольга"}
	e.sec = e.Person(t, e.secU, "Секретарёва Ольга Ивановна", storage.RoleSecretary, 0)
	e.names[bSecChat] = "секретарь"
	e.chairU = flowtest.User{ID: bChairChat, First: "Пётр"}
	e.chair = e.Person(t, e.chairU, "Председатель Пётр Петрович", storage.RoleChair, 0)
	e.names[bChairChat] = "председатель"
	e.members = []storage.Person{e.chair}
	e.users = []flowtest.User{e.chairU}
	for i := 1; i < n; i++ {
		u := flowtest.User{ID: int64(bMemberChat + i), First: "Член"}
		name := fmt.Sprintf("Член %02d", i)
		e.members = append(e.members, e.Person(t, u, name+" Иван Иванович", storage.RolePresidium, 0))
		e.users = append(e.users, u)
		e.names[u.ID] = name
	}
	return e
}

// guest registers a teacher and invites them to the meeting as a guest
// with an advisory vote (before it is sent).
func (e *bEnv) guest(t *testing.T, m storage.Meeting) storage.Person {
	t.Helper()
	org := e.Org(t, "Школа № 7")
	p := e.Person(t, flowtest.User{ID: bGuestChat, First: "Гость"}, "Гостева Гала Гавриловна", storage.RoleTeacher, org.ID)
	if err := e.Store.AddGuest(context.Background(), e.sec.ID, m.ID, p.ID, storage.InviteeAdvisory); err != nil {
		t.Fatal(err)
	}
	e.names[bGuestChat] = "гость"
	return p
}

// draft creates a meeting at at with one agenda item, not sent.
func (e *bEnv) draft(t *testing.T, at time.Time, place, link string) storage.Meeting {
	t.Helper()
	ctx := context.Background()
	m, err := e.Store.CreateMeeting(ctx, e.sec.ID, storage.Meeting{Kind: storage.MeetingRegular, StartsAt: at, Place: place, Link: link})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.AddAgendaItem(ctx, e.sec.ID, m.ID, "Об итогах мониторинга качества", ""); err != nil {
		t.Fatal(err)
	}
	return m
}

// send sends a draft (at the clock's time) and returns it as stored.
func (e *bEnv) send(t *testing.T, m storage.Meeting) storage.Meeting {
	t.Helper()
	ctx := context.Background()
	if _, err := e.Store.SendMeeting(ctx, e.sec.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	m, err := e.Store.FindMeeting(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// meeting creates and sends a meeting at at, at the school's address.
func (e *bEnv) meeting(t *testing.T, at time.Time) storage.Meeting {
	t.Helper()
	return e.send(t, e.draft(t, at, "г. Бийск, ул. Ленина, 1, школа № 1", ""))
}

func (e *bEnv) rsvp(t *testing.T, m storage.Meeting, personID int64, r storage.RSVP, reason string) {
	t.Helper()
	if _, err := e.Store.SetRSVP(context.Background(), m.ID, personID, r, reason); err != nil {
		t.Fatal(err)
	}
}

// openTable shows the secretary the meeting's card, then its answers.
func (e *bEnv) openTable(t *testing.T, m storage.Meeting) []bot.Message {
	t.Helper()
	e.Send(t, e.secU, "/meetings")
	e.Press(t, e.secU, flows.CB(cb, actCard, m.ID))
	return e.PressLabel(t, e.secU, "👥 Ответы и кворум")
}

// run runs the reminders' job at now, with the clock there too.
func (e *bEnv) run(t *testing.T, now time.Time) []bot.Message {
	t.Helper()
	e.Clock.Set(now)
	msgs, err := e.jobs[remindJob].Run(context.Background(), now)
	if err != nil {
		t.Fatalf("reminders at %v: %v", now, err)
	}
	for _, m := range msgs {
		if s := flowtest.Joined([]bot.Message{m}); strings.Contains(s, "⟦") {
			t.Fatalf("missing locale message: %q", s)
		}
	}
	return msgs
}

// events shows messages as "Wed 25.11 14:00 → Член 03: <first line>
// [buttons' data]".
func (e *bEnv) events(now time.Time, msgs []bot.Message) []string {
	var out []string
	for _, m := range msgs {
		txt := m.(bot.Text)
		first, _, _ := strings.Cut(txt.Text, "\n")
		s := now.In(flowtest.Zone).Format("Mon 02.01 15:04") + " → " + e.names[txt.ChatID] + ": " + first
		if len(txt.Buttons) > 0 {
			s += " +кнопки"
		}
		out = append(out, s)
	}
	return out
}

func bLocal(m time.Month, d, h, mi int) time.Time {
	return time.Date(2026, m, d, h, mi, 0, 0, flowtest.Zone)
}

// TestBeforeTable: ten members, three coming in person, one online, two
// declining (one with a reason), four silent, a guest, two notices not
// delivered: the table groups them and the forecast is short by one; one
// more «Буду» and «Обновить» shows the quorum (5 of 10 is enough).
func TestBeforeTable(t *testing.T) {
	e := newBEnv(t, 10)
	d := e.draft(t, bLocal(11, 27, 14, 0), "г. Бийск, ул. Ленина, 1, школа № 1", "")
	g := e.guest(t, d)
	m := e.send(t, d)
	ctx := context.Background()
	mb := e.members
	e.rsvp(t, m, mb[1].ID, storage.RSVPYes, "")
	e.rsvp(t, m, mb[2].ID, storage.RSVPYes, "")
	e.rsvp(t, m, mb[0].ID, storage.RSVPYes, "")
	e.rsvp(t, m, mb[3].ID, storage.RSVPOnline, "")
	e.rsvp(t, m, mb[4].ID, storage.RSVPNo, "командировка в Барнаул")
	e.rsvp(t, m, mb[5].ID, storage.RSVPNo, "")
	e.rsvp(t, m, g.ID, storage.RSVPYes, "")
	for i, st := range map[int]storage.DeliveryStatus{8: storage.DeliveryBlocked, 9: storage.DeliveryNoChat, 1: storage.DeliverySent} {
		if err := e.Store.SetDelivery(ctx, m.ID, mb[i].ID, st); err != nil {
			t.Fatal(err)
		}
	}

	got := e.openTable(t, m)
	want := strings.Join([]string{
		"👥 Ответы на извещение — заседание 27 ноября 2026, 14:00",
		"Обновлено в 10:00",
		"",
		"✅ Будут очно — 3 человека:",
		"• Председатель Пётр Петрович",
		"• Член 01 Иван Иванович",
		"• Член 02 Иван Иванович",
		"",
		"💻 Будут онлайн — 1 человек:",
		"• Член 03 Иван Иванович",
		"",
		"❌ Не смогут — 2 человека:",
		"• Член 04 Иван Иванович — командировка в Барнаул",
		"• Член 05 Иван Иванович",
		"",
		"❔ Не ответили — 4 человека:",
		"• Член 06 Иван Иванович",
		"• Член 07 Иван Иванович",
		"• Член 08 Иван Иванович",
		"• Член 09 Иван Иванович",
		"",
		"🎟 Гости — 1 человек:",
		"• Гостева Гала Гавриловна (совещательный голос) — будет",
		"",
		"⚠️ Кворума пока нет: 4 из 10 подтвердили, нужно не менее 5, не хватает 1 человека.",
		"",
		"⚠️ Извещение не доставлено — позвоните, пожалуйста:",
		"• Член 08 Иван Иванович — бот заблокирован",
		"• Член 09 Иван Иванович — нет чата с ботом",
	}, "\n")
	if diff := cmp.Diff(want, flowtest.Joined(got)); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"🔄 Обновить", "🔔 Напомнить", "‹ К заседанию"}, flowtest.ButtonLabels(got)); diff != "" {
		t.Errorf("table buttons (-want +got):\n%s", diff)
	}

	// Exactly half of the list confirmed is a quorum.
	e.rsvp(t, m, mb[6].ID, storage.RSVPOnline, "")
	e.Clock.Add(5 * time.Minute)
	got = e.PressLabel(t, e.secU, "🔄 Обновить")
	flowtest.Has(t, got, "Обновлено в 10:05", "💻 Будут онлайн — 2 человека:",
		"📊 Кворум прогнозируется: 5 из 10 подтвердили, нужно не менее 5.", "❔ Не ответили — 3 человека:")
	flowtest.Lacks(t, got, "Кворума пока нет")

	// Back to the card, which has both buttons.
	got = e.PressLabel(t, e.secU, "‹ К заседанию")
	labels := flowtest.ButtonLabels(got)
	for _, l := range []string{"👥 Ответы и кворум", "🔔 Напомнить"} {
		if !slices.Contains(labels, l) {
			t.Errorf("card buttons %q lack %q", labels, l)
		}
	}
}

// TestBeforeForecastPlurals: the forecast line for one and for 21
// confirmed, and a shortfall of two.
func TestBeforeForecastPlurals(t *testing.T) {
	e := newBEnv(t, 1)
	for _, tt := range []struct {
		a    answers
		want string
	}{
		{answers{members: 1, yes: make([]storage.Invitee, 1)}, "📊 Кворум прогнозируется: 1 из 1 подтвердил, нужно не менее 1."},
		{answers{members: 41, yes: make([]storage.Invitee, 21)}, "📊 Кворум прогнозируется: 21 из 41 подтвердил, нужно не менее 21."},
		{answers{members: 50, yes: make([]storage.Invitee, 20), online: make([]storage.Invitee, 3)}, "⚠️ Кворума пока нет: 23 из 50 подтвердили, нужно не менее 25, не хватает 2 человек."},
		{answers{members: 7}, "⚠️ Кворума пока нет: 0 из 7 подтвердили, нужно не менее 4, не хватает 4 человек."},
	} {
		if got := forecast(e.L, tt.a); got != tt.want {
			t.Errorf("forecast = %q, want %q", got, tt.want)
		}
	}
}

// TestBeforeTableRights: a member may not open the table; a forged
// meeting id and a cancelled meeting's button are stale.
func TestBeforeTableRights(t *testing.T) {
	e := newBEnv(t, 3)
	m := e.meeting(t, bLocal(11, 27, 14, 0))
	member := e.users[1]
	e.Send(t, member, "/meetings")
	got := e.Press(t, member, flows.CB(cb, actTable, m.ID))
	flowtest.Has(t, got, "Это действие вам недоступно.")
	got = e.Press(t, member, flows.CB(cb, actNudge, m.ID))
	flowtest.Has(t, got, "Это действие вам недоступно.")

	e.Send(t, e.secU, "/meetings")
	got = e.Press(t, e.secU, flows.CB(cb, actTable, m.ID+1000))
	flowtest.Has(t, got, "Эта кнопка устарела.")
	got = e.Press(t, e.secU, "mt:bt:x")
	flowtest.Has(t, got, "Эта кнопка устарела.")

	if _, err := e.Store.CancelMeeting(context.Background(), e.sec.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	got = e.Press(t, e.secU, flows.CB(cb, actTable, m.ID))
	flowtest.Has(t, got, "Эта кнопка устарела.")
	got = e.Press(t, e.secU, flows.CB(cb, actNudge, m.ID))
	flowtest.Has(t, got, "Эта кнопка устарела.")
	got = e.Press(t, e.secU, flows.CB(cb, actCard, m.ID))
	if labels := flowtest.ButtonLabels(got); slices.Contains(labels, "👥 Ответы и кворум") {
		t.Errorf("a cancelled meeting's card has the answers: %q", labels)
	}
}

// TestBeforeNudge: «Напомнить» goes to those who have not answered (a
// guest among them), with the answer buttons, never to those who
// answered; a second press the same day is refused, the next day works;
// in the quiet hours it waits for the morning.
func TestBeforeNudge(t *testing.T) {
	e := newBEnv(t, 4)
	d := e.draft(t, bLocal(11, 27, 14, 0), "г. Бийск, ул. Ленина, 1, школа № 1", "https://telemost.yandex.ru/j/123")
	e.guest(t, d)
	m := e.send(t, d)
	e.rsvp(t, m, e.members[0].ID, storage.RSVPYes, "")
	e.rsvp(t, m, e.members[1].ID, storage.RSVPNo, "болею")
	e.openTable(t, m)

	got := e.PressLabel(t, e.secU, "🔔 Напомнить")
	flowtest.Has(t, got, "🔔 Напоминание отправлено 3 приглашённым, которые ещё не ответили.")
	var to []string
	for _, msg := range got {
		if _, ok := msg.(bot.CallbackAnswer); ok {
			continue
		}
		to = append(to, e.names[msg.Chat()])
		txt := msg.(bot.Text)
		for _, frag := range []string{"🔔 Секретарь напоминает", "🗓 27 ноября 2026, 14:00", "📍 г. Бийск", "💻 Онлайн: https://telemost.yandex.ru/j/123"} {
			if !strings.Contains(txt.Text, frag) {
				t.Errorf("nudge to %d lacks %q: %q", msg.Chat(), frag, txt.Text)
			}
		}
		if want := rsvpButtons(e.L, m); !cmp.Equal(want, txt.Buttons) {
			t.Errorf("nudge to %d: buttons %v, want the answer buttons %v", msg.Chat(), txt.Buttons, want)
		}
	}
	slices.Sort(to)
	if diff := cmp.Diff([]string{"Член 02", "Член 03", "гость"}, to); diff != "" {
		t.Errorf("nudged (-want +got):\n%s", diff)
	}

	e.Clock.Add(3 * time.Hour)
	got = e.PressLabel(t, e.secU, "🔔 Напомнить")
	if diff := cmp.Diff([]string{"Сегодня уже напоминали — следующее напоминание можно завтра."}, flowtest.Texts(got)); diff != "" {
		t.Errorf("second nudge (-want +got):\n%s", diff)
	}

	// 23:30 the same evening, then 07:59 the next morning: quiet hours,
	// and the day's nudge is not spent.
	for _, at := range []time.Time{bLocal(11, 20, 23, 30), bLocal(11, 21, 7, 59)} {
		e.Clock.Set(at)
		got = e.PressLabel(t, e.secU, "🔔 Напомнить")
		if diff := cmp.Diff([]string{"Сейчас тихие часы (с 21:00 до 8:00) — напомните, пожалуйста, утром."}, flowtest.Texts(got)); diff != "" {
			t.Errorf("nudge at %v (-want +got):\n%s", at, diff)
		}
	}
	e.rsvp(t, m, e.members[2].ID, storage.RSVPOnline, "")
	e.Clock.Set(bLocal(11, 21, 8, 0))
	got = e.PressLabel(t, e.secU, "🔔 Напомнить")
	flowtest.Has(t, got, "🔔 Напоминание отправлено 2 приглашённым")
	if n := len(got); n != 3 {
		t.Errorf("the next day's nudge: %d messages, want 2 reminders and the notice:\n%s", n, flowtest.Joined(got))
	}
	if len(flowtest.To(got, e.users[2])) != 0 {
		t.Error("a member who answered since was nudged")
	}

	// Everyone answered: nothing to send, and nothing claimed.
	e.Clock.Set(bLocal(11, 22, 10, 0))
	e.rsvp(t, m, e.members[3].ID, storage.RSVPNo, "")
	if _, err := e.Store.SetRSVP(context.Background(), m.ID, e.personByChat(t, bGuestChat), storage.RSVPNo, ""); err != nil {
		t.Fatal(err)
	}
	got = e.PressLabel(t, e.secU, "🔔 Напомнить")
	if diff := cmp.Diff([]string{"Все уже ответили — напоминать некому."}, flowtest.Texts(got)); diff != "" {
		t.Errorf("nudge with everyone answered (-want +got):\n%s", diff)
	}

	// After the start there is no «Напомнить»; an old button says so.
	e.Clock.Set(bLocal(11, 27, 14, 0))
	got = e.Press(t, e.secU, flows.CB(cb, actNudge, m.ID))
	flowtest.Has(t, got, "Заседание уже началось — напоминать поздно.")
	got = e.Press(t, e.secU, flows.CB(cb, actCard, m.ID))
	if labels := flowtest.ButtonLabels(got); slices.Contains(labels, "🔔 Напомнить") {
		t.Errorf("a started meeting's card offers to remind: %q", labels)
	}
}

func (e *bEnv) personByChat(t *testing.T, chat int64) int64 {
	t.Helper()
	p, _, err := e.Store.FindPersonByTelegramID(context.Background(), chat)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// TestBeforeReminders: the job every quarter of an hour from Monday to
// Saturday, for a meeting on Friday at 14:00 and another on Friday at
// 23:00. Two days before, those who have not answered (the guest among
// them) are asked, with the answer buttons; the day before and two hours
// before, those coming are reminded; the member who declined hears
// nothing. The late meeting's reminders fall in the quiet hours: the
// no-answer and day-before ones go at 08:00, the two-hours one is
// skipped. Both meetings have a quorum forecast: no warning.
func TestBeforeReminders(t *testing.T) {
	e := newBEnv(t, 5)
	d := e.draft(t, bLocal(11, 27, 14, 0), "г. Бийск, ул. Ленина, 1, школа № 1", "")
	e.guest(t, d)
	day := e.send(t, d)
	late := e.meeting(t, bLocal(11, 27, 23, 0))
	mb := e.members
	for _, m := range []storage.Meeting{day, late} {
		e.rsvp(t, m, mb[0].ID, storage.RSVPYes, "")    // the chair
		e.rsvp(t, m, mb[1].ID, storage.RSVPOnline, "") // Член 01
		e.rsvp(t, m, mb[2].ID, storage.RSVPYes, "")    // Член 02
		e.rsvp(t, m, mb[3].ID, storage.RSVPNo, "")     // Член 03; Член 04 silent
	}

	var got []string
	for now := bLocal(11, 23, 0, 0); now.Before(bLocal(11, 28, 0, 0)); now = now.Add(15 * time.Minute) {
		got = append(got, e.events(now, e.run(t, now))...)
	}
	want := []string{
		// Friday 14:00: those who have not answered, two days before.
		"Wed 25.11 14:00 → Член 04: 🔔 Напоминаем: вы ещё не ответили, будете ли на заседании. +кнопки",
		"Wed 25.11 14:00 → гость: 🔔 Напоминаем: вы ещё не ответили, будете ли на заседании. +кнопки",
		// Friday 23:00: two days before is Wednesday 23:00, in the quiet
		// hours: the first run after 08:00 asks.
		"Thu 26.11 08:00 → Член 04: 🔔 Напоминаем: вы ещё не ответили, будете ли на заседании. +кнопки",
		// Friday 14:00, the day before.
		"Thu 26.11 14:00 → председатель: 🔔 Напоминаем: заседание завтра.",
		"Thu 26.11 14:00 → Член 01: 🔔 Напоминаем: заседание завтра.",
		"Thu 26.11 14:00 → Член 02: 🔔 Напоминаем: заседание завтра.",
		// Friday 23:00, the day before, held until the morning.
		"Fri 27.11 08:00 → председатель: 🔔 Напоминаем: заседание сегодня.",
		"Fri 27.11 08:00 → Член 01: 🔔 Напоминаем: заседание сегодня.",
		"Fri 27.11 08:00 → Член 02: 🔔 Напоминаем: заседание сегодня.",
		// Friday 14:00, two hours before.
		"Fri 27.11 12:00 → председатель: ⏰ Скоро заседание — сегодня в 14:00.",
		"Fri 27.11 12:00 → Член 01: ⏰ Скоро заседание — сегодня в 14:00.",
		"Fri 27.11 12:00 → Член 02: ⏰ Скоро заседание — сегодня в 14:00.",
		// Friday 23:00, two hours before: from 21:00, all in the quiet
		// hours, skipped.
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reminders (-want +got):\n%s", diff)
	}
}

// TestBeforeReminderTexts: the day-before reminder says when and where
// and what the person answered; the no-answer one has the answer
// buttons; the decliner gets nothing; 2 of 4 coming is a quorum, no
// warning.
func TestBeforeReminderTexts(t *testing.T) {
	e := newBEnv(t, 4)
	m := e.send(t, e.draft(t, bLocal(11, 27, 14, 0), "г. Бийск, ул. Ленина, 1, школа № 1", "https://telemost.yandex.ru/j/123"))
	e.rsvp(t, m, e.members[0].ID, storage.RSVPOnline, "")
	e.rsvp(t, m, e.members[1].ID, storage.RSVPNo, "")
	e.rsvp(t, m, e.members[3].ID, storage.RSVPYes, "")
	got := e.run(t, bLocal(11, 26, 14, 0))
	chair := flowtest.To(got, e.chairU)
	want := strings.Join([]string{
		"🔔 Напоминаем: заседание завтра.",
		"🏛 Очередное заседание президиума ассоциации",
		"🗓 27 ноября 2026, 14:00",
		"📍 г. Бийск, ул. Ленина, 1, школа № 1",
		"💻 Онлайн: https://telemost.yandex.ru/j/123",
		"",
		"Вы ответили «Буду онлайн». Ссылка — выше.",
	}, "\n")
	if diff := cmp.Diff(want, flowtest.Joined(chair)); diff != "" {
		t.Errorf("day-before reminder (-want +got):\n%s", diff)
	}
	silent := flowtest.To(got, e.users[2])
	flowtest.Has(t, silent, "🔔 Напоминаем: вы ещё не ответили", "Ответьте, пожалуйста, кнопкой ниже")
	if len(silent) != 1 || !cmp.Equal(rsvpButtons(e.L, m), silent[0].(bot.Text).Buttons) {
		t.Errorf("no-answer reminder: %v, want one with the answer buttons", silent)
	}
	if n := len(flowtest.To(got, e.users[1])); n != 0 {
		t.Errorf("the decliner got %d reminders", n)
	}
	flowtest.Has(t, flowtest.To(got, e.users[3]), "Вы ответили «Буду». Ждём вас!")
	if n := len(got); n != 3 {
		t.Errorf("%d messages, want 3:\n%s", n, flowtest.Joined(got))
	}
}

// TestBeforeQuorumWarning: three days before, the secretary and the chair
// are warned of a meeting whose forecast has no quorum (2 of 6), once;
// the meeting with a quorum forecast (3 of 6, exactly half) is not
// warned of. A warning due in the quiet hours goes at 08:00.
func TestBeforeQuorumWarning(t *testing.T) {
	e := newBEnv(t, 6)
	short := e.meeting(t, bLocal(11, 27, 14, 0))
	enough := e.meeting(t, bLocal(11, 27, 16, 0))
	night := e.meeting(t, bLocal(11, 27, 22, 0))
	for _, m := range []storage.Meeting{short, enough, night} {
		e.rsvp(t, m, e.members[1].ID, storage.RSVPYes, "")
		e.rsvp(t, m, e.members[2].ID, storage.RSVPOnline, "")
		e.rsvp(t, m, e.members[3].ID, storage.RSVPNo, "")
	}
	e.rsvp(t, enough, e.members[4].ID, storage.RSVPYes, "")

	var got []string
	var texts []bot.Message
	for now := bLocal(11, 24, 0, 0); now.Before(bLocal(11, 25, 12, 0)); now = now.Add(15 * time.Minute) {
		msgs := e.run(t, now)
		got = append(got, e.events(now, msgs)...)
		texts = append(texts, msgs...)
	}
	want := []string{
		"Tue 24.11 14:00 → секретарь: ⚠️ Кворум под угрозой: заседание президиума 27 ноября 2026, 14:00. +кнопки",
		"Tue 24.11 14:00 → председатель: ⚠️ Кворум под угрозой: заседание президиума 27 ноября 2026, 14:00. +кнопки",
		"Wed 25.11 08:00 → секретарь: ⚠️ Кворум под угрозой: заседание президиума 27 ноября 2026, 22:00. +кнопки",
		"Wed 25.11 08:00 → председатель: ⚠️ Кворум под угрозой: заседание президиума 27 ноября 2026, 22:00. +кнопки",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	sec := flowtest.To(texts, e.secU)
	flowtest.Has(t, sec[:1], "⚠️ Кворума пока нет: 2 из 6 подтвердили, нужно не менее 3, не хватает 1 человека.",
		"Не ответили ещё 3 члена президиума.")
	if diff := cmp.Diff([]string{flows.CB(cb, actTable, short.ID)}, flowtest.ButtonData(sec[:1])); diff != "" {
		t.Errorf("warning's button (-want +got):\n%s", diff)
	}
	// The chair opens the table from the warning.
	e.Clock.Set(bLocal(11, 25, 12, 0))
	e.Send(t, e.chairU, "/meetings")
	opened := e.Press(t, e.chairU, flows.CB(cb, actTable, short.ID))
	flowtest.Has(t, opened, "⚠️ Кворума пока нет: 2 из 6 подтвердили")
}

// TestBeforeRemindersGrace: an extraordinary meeting called on
// Wednesday at 10:00 for Friday at 10:00, two days ahead: neither the
// silent members nor the quorum are chased the minute it is sent, but
// twelve hours on, which is 22:00, in the quiet hours, so at 08:00.
func TestBeforeRemindersGrace(t *testing.T) {
	e := newBEnv(t, 3)
	e.Clock.Set(bLocal(11, 25, 10, 0))
	m := e.meeting(t, bLocal(11, 27, 10, 0))
	e.rsvp(t, m, e.members[1].ID, storage.RSVPYes, "")
	var got []string
	for now := bLocal(11, 25, 10, 0); now.Before(bLocal(11, 26, 12, 0)); now = now.Add(15 * time.Minute) {
		got = append(got, e.events(now, e.run(t, now))...)
	}
	want := []string{
		"Thu 26.11 08:00 → председатель: 🔔 Напоминаем: вы ещё не ответили, будете ли на заседании. +кнопки",
		"Thu 26.11 08:00 → Член 02: 🔔 Напоминаем: вы ещё не ответили, будете ли на заседании. +кнопки",
		"Thu 26.11 08:00 → секретарь: ⚠️ Кворум под угрозой: заседание президиума 27 ноября 2026, 10:00. +кнопки",
		"Thu 26.11 08:00 → председатель: ⚠️ Кворум под угрозой: заседание президиума 27 ноября 2026, 10:00. +кнопки",
		"Thu 26.11 10:00 → Член 01: 🔔 Напоминаем: заседание завтра.",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reminders (-want +got):\n%s", diff)
	}
}

// TestBeforeRemindersTwoReplicas: two replicas run the job at the same
// moment, the day before a meeting of 30 members: each reminder (to the
// silent, to those coming) and the quorum warning go out once in all.
func TestBeforeRemindersTwoReplicas(t *testing.T) {
	e := newBEnv(t, 30)
	m := e.meeting(t, bLocal(11, 27, 14, 0))
	coming := 0
	for i, p := range e.members {
		switch i % 3 {
		case 0:
			e.rsvp(t, m, p.ID, storage.RSVPYes, "")
			coming++
		case 1:
			e.rsvp(t, m, p.ID, storage.RSVPNo, "")
		}
	}
	now := bLocal(11, 26, 15, 0)
	e.Clock.Set(now)
	j := e.jobs[remindJob]
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		all   []bot.Message
		start = make(chan struct{})
	)
	for range 2 {
		wg.Go(func() {
			<-start
			msgs, err := j.Run(context.Background(), now)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			all = append(all, msgs...)
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()

	count := map[string]int{}
	for _, ev := range e.events(now, all) {
		count[ev]++
	}
	kinds := map[string]int{}
	for ev, n := range count {
		if n != 1 {
			t.Errorf("sent %d times: %s", n, ev)
		}
		_, text, _ := strings.Cut(ev, ": ")
		kinds[text]++
	}
	want := map[string]int{
		"🔔 Напоминаем: заседание завтра.":                                            coming,
		"🔔 Напоминаем: вы ещё не ответили, будете ли на заседании. +кнопки":          10,
		"⚠️ Кворум под угрозой: заседание президиума 27 ноября 2026, 14:00. +кнопки": 2,
	}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("reminders by kind (-want +got):\n%s", diff)
	}
	if n := len(e.run(t, now.Add(time.Minute))); n != 0 {
		t.Errorf("a third run sent %d more", n)
	}
}

// TestBeforeJob: the reminders' job runs every minute.
func TestBeforeJob(t *testing.T) {
	e := newBEnv(t, 1)
	if j, ok := e.jobs[remindJob]; !ok || j.Every != time.Minute {
		t.Errorf("job %q: %+v, want every minute", remindJob, j)
	}
}
