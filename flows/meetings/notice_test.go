package meetings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/flowtest"
	"smkbot/storage"
)

// noticeScheduler is the durable scheduler as the flow sees it: Handle
// registers, At records (one occurrence per kind, key and time), and run
// does what is due, delivering through the harness.
type noticeScheduler struct {
	mu       sync.Mutex
	handlers map[string]flows.WorkFunc
	queue    []flows.Work
	seen     map[string]bool
}

func (s *noticeScheduler) Handle(kind string, h flows.WorkFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[kind] = h
}

func (s *noticeScheduler) At(_ context.Context, kind, key string, args any, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.handlers[kind] == nil {
		return fmt.Errorf("no handler of %q", kind)
	}
	id := kind + "|" + key + "|" + at.UTC().Format(time.RFC3339Nano)
	if s.seen[id] {
		return nil
	}
	s.seen[id] = true
	raw, err := json.Marshal(args)
	if err != nil {
		return err
	}
	s.queue = append(s.queue, flows.Work{Kind: kind, Key: key, Args: raw, At: at, Attempt: 1})
	return nil
}

func (s *noticeScheduler) Cancel(_ context.Context, kind, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = slices.DeleteFunc(s.queue, func(w flows.Work) bool { return w.Kind == kind && w.Key == key })
	return nil
}

// run does the work recorded so far, as the queue would now: what the
// handlers deliver and return goes into the chats (none into blocked
// ones) and is returned.
func (s *noticeScheduler) run(t *testing.T, e *flowtest.Env, blocked map[int64]bool) []bot.Message {
	t.Helper()
	s.mu.Lock()
	queue := s.queue
	s.queue = nil
	s.mu.Unlock()
	var all []bot.Message
	for _, w := range queue {
		w.Deliver = func(_ context.Context, msgs ...bot.Message) []bot.Delivery {
			all = append(all, msgs...)
			return e.Deliver(t, blocked, msgs...)
		}
		s.mu.Lock()
		h := s.handlers[w.Kind]
		s.mu.Unlock()
		msgs, err := h(context.Background(), w, e.Clock.Now())
		if err != nil {
			t.Fatalf("work %s %s: %v", w.Kind, w.Key, err)
		}
		all = append(all, msgs...)
		e.Deliver(t, blocked, msgs...)
	}
	return all
}

// nFiles is Telegram's file storage.
type nFiles struct {
	mu    sync.Mutex
	files map[string][]byte
}

func (f *nFiles) Download(_ context.Context, id string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	data, ok := f.files[id]
	if !ok {
		return nil, fmt.Errorf("no file %q", id)
	}
	return data, nil
}

// The people of the notice tests.
var (
	nSecretary = flowtest.User{ID: 860001, First: "Светлана"}
	nTeacher   = flowtest.User{ID: 860002, First: "Ульяна"}
	nGuest     = flowtest.User{ID: 860003, First: "Галина"}
	nStranger  = flowtest.User{ID: 860004, First: "Пётр"}
)

// nMember is the i-th presidium member's account.
func nMember(i int) flowtest.User { return flowtest.User{ID: 861000 + int64(i), First: "Член"} }

var (
	nSurnames = []string{"Абрамова", "Белова", "Волкова", "Гусева", "Денисова", "Егорова", "Жаркова", "Зайцева", "Ильина", "Кузьмина"}
	nNames    = []string{"Анна", "Вера", "Дарья", "Елена", "Ирина"}
)

// nMemberName is the i-th member's name; they sort as they are numbered.
func nMemberName(i int) string { return nSurnames[i/5] + " " + nNames[i%5] }

type nEnv struct {
	*flowtest.Env
	sched     *noticeScheduler
	files     *nFiles
	secretary storage.Person
	members   []storage.Person
	guest     storage.Person
	next      int
}

// newNEnv seeds a secretary, n presidium members (n ≤ 50), a teacher and
// a teacher who will be a guest.
func newNEnv(t *testing.T, n int) *nEnv {
	t.Helper()
	sched := &noticeScheduler{handlers: map[string]flows.WorkFunc{}, seen: map[string]bool{}}
	files := &nFiles{files: map[string][]byte{}}
	e := flowtest.New(t, func(r *flows.Router, e *flowtest.Env) {
		(&Flow{Store: e.Store, Files: files, Scheduler: sched, Location: flowtest.Zone}).Register(r)
	})
	m := &nEnv{Env: e, sched: sched, files: files, next: 1 << 20}
	m.secretary = e.Person(t, nSecretary, "Секретарёва Светлана Игоревна", storage.RoleSecretary, 0)
	for i := range n {
		m.members = append(m.members, e.Person(t, nMember(i), nMemberName(i), storage.RolePresidium, 0))
	}
	school := e.Org(t, "СОШ № 7")
	e.Person(t, nTeacher, "Учителева Ульяна Петровна", storage.RoleTeacher, school.ID)
	m.guest = e.Person(t, nGuest, "Гостева Галина Петровна", storage.RoleTeacher, school.ID)
	return m
}

// document sends a document from u, as Telegram delivers it, and records
// the replies in the chats.
func (m *nEnv) document(t *testing.T, u flowtest.User, name string, data []byte) []bot.Message {
	t.Helper()
	m.next++
	id := fmt.Sprintf("doc%d", m.next)
	m.files.mu.Lock()
	m.files.files[id] = data
	m.files.mu.Unlock()
	upd := bot.Update{ID: m.next, ChatID: u.ID, Private: true, From: bot.User{ID: u.ID, FirstName: u.First},
		MessageID: m.next, Document: &bot.File{ID: id, UniqueID: "u" + id, Name: name, MIME: "application/pdf", Size: len(data)}}
	msgs, err := m.Router.Handle(context.Background(), upd)
	if err != nil {
		t.Fatalf("document: %v", err)
	}
	m.Deliver(t, nil, msgs...)
	return msgs
}

// draft is the secretary's draft.
func (m *nEnv) draft(t *testing.T) storage.Meeting {
	t.Helper()
	d, err := m.Store.DraftMeetingOf(context.Background(), m.secretary.ID)
	if err != nil {
		t.Fatalf("DraftMeetingOf: %v", err)
	}
	return d
}

func (m *nEnv) meeting(t *testing.T, id int64) storage.Meeting {
	t.Helper()
	mt, err := m.Store.FindMeeting(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return mt
}

func (m *nEnv) invitees(t *testing.T, id int64) map[int64]storage.Invitee {
	t.Helper()
	list, err := m.Store.ListInvitees(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]storage.Invitee{}
	for _, v := range list {
		out[v.PersonID] = v
	}
	return out
}

// sent writes a meeting on 25 December at 14:00 at a school with a link
// and two items through the conversation, sends it and runs the
// broadcast; it returns the meeting.
func (m *nEnv) sent(t *testing.T) storage.Meeting {
	t.Helper()
	m.Send(t, nSecretary, "/meetings")
	m.PressLabel(t, nSecretary, "➕ Новое заседание")
	m.PressLabel(t, nSecretary, "Очередное")
	m.Send(t, nSecretary, "25.12 14:00")
	m.Send(t, nSecretary, "Школа № 7, ул. Ленина, 1")
	m.Send(t, nSecretary, "https://meet.example.org/presidium")
	m.Send(t, nSecretary, "О плане работы на 2027 год — Андреева О. П.")
	m.Send(t, nSecretary, "О приёме новых членов")
	m.PressLabel(t, nSecretary, "Готово ›")
	m.PressLabel(t, nSecretary, "Далее ›")
	m.PressLabel(t, nSecretary, "Без гостей ›")
	d := m.draft(t)
	flowtest.Has(t, m.PressLabel(t, nSecretary, "📨 Отправить"), "отправляется")
	m.sched.run(t, m.Env, nil)
	return m.meeting(t, d.ID)
}

// openCard opens the meeting's card from /meetings.
func (m *nEnv) openCard(t *testing.T, label string) []bot.Message {
	t.Helper()
	m.Send(t, nSecretary, "/meetings")
	return m.PressLabel(t, nSecretary, label)
}

func TestNoticeWholeConversation(t *testing.T) {
	m := newNEnv(t, 50)
	ctx := context.Background()

	flowtest.Has(t, m.Send(t, nSecretary, "/meetings"), "Заседаний пока нет")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "➕ Новое заседание"), "Какое оно?")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "Очередное"), "Когда заседание?")
	flowtest.Has(t, m.Send(t, nSecretary, "25.12"), "Не понял дату и время")
	flowtest.Has(t, m.Send(t, nSecretary, "20.11 09:00"), "Это время уже прошло")
	flowtest.Has(t, m.Send(t, nSecretary, "25.12 14:00"), "Черновик сохранён: 25 декабря 2026, 14:00", "Где пройдёт заседание?")
	d := m.draft(t)
	if want := time.Date(2026, 12, 25, 14, 0, 0, 0, flowtest.Zone); !d.StartsAt.Equal(want) || d.Kind != storage.MeetingRegular {
		t.Fatalf("draft: %v %s, want %v regular", d.StartsAt, d.Kind, want)
	}
	flowtest.Has(t, m.Send(t, nSecretary, "Школа № 7, г. Бийск, ул. Ленина, 1"), "Будет ли онлайн-подключение?")
	flowtest.Has(t, m.Send(t, nSecretary, "meet.example.org"), "не похоже на ссылку")
	flowtest.Has(t, m.Send(t, nSecretary, "https://meet.example.org/presidium"), "Повестка дня: пришлите пункты")
	flowtest.Has(t, m.Send(t, nSecretary, "О плане работы на 2027 год — Андреева О. П."),
		"Добавлено: 1. О плане работы на 2027 год — докладчик: Андреева О. П.")
	flowtest.Has(t, m.Send(t, nSecretary, "О приёме новых членов"), "Добавлено: 2. О приёме новых членов")

	// The session is lost (Redis flushed, a day away): the draft is
	// resumed from /meetings, nothing typed lost.
	if err := m.Sessions.Delete(ctx, nSecretary.ID); err != nil {
		t.Fatal(err)
	}
	flowtest.Has(t, m.Send(t, nSecretary, "/meetings"), "Заседания президиума")
	msgs := m.PressLabel(t, nSecretary, "✏️ Черновик · 25 декабря")
	flowtest.Has(t, msgs, "Черновик — извещение ещё не отправлено", "2. О приёме новых членов")
	if got := flowtest.ButtonLabels(msgs); !slices.Contains(got, "✏️ Продолжить") || !slices.Contains(got, "📨 Отправить") {
		t.Fatalf("draft card buttons: %q", got)
	}
	flowtest.Has(t, m.PressLabel(t, nSecretary, "✏️ Продолжить"), "Так извещение увидят 50 членов президиума")

	flowtest.Has(t, m.PressLabel(t, nSecretary, "📎 Материалы"), "Материалы к заседанию")
	flowtest.Has(t, m.Send(t, nSecretary, "вот"), "Пришлите материал документом")
	flowtest.Has(t, m.document(t, nSecretary, "План работы 2027.pdf", []byte("%PDF-1.4 plan")),
		"«План работы 2027.pdf» добавлен — всего 1 материал")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "Далее ›"), "Пригласить гостей?")
	flowtest.Has(t, m.Send(t, nSecretary, "гостева"), "Кого пригласить?")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "Гостева Галина Петровна"), "Как пригласить: Гостева Галина Петровна?")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "С совещательным голосом"), "гость с совещательным голосом")
	// A member is not a guest.
	m.Send(t, nSecretary, nMemberName(3))
	flowtest.Has(t, m.PressLabel(t, nSecretary, nMemberName(3)), "Как пригласить")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "Без права голоса"), "член президиума и получит извещение")

	msgs = m.PressLabel(t, nSecretary, "Готово ›")
	flowtest.Has(t, msgs, "Так извещение увидят 50 членов президиума и гости:",
		"🏛 Очередное заседание президиума ассоциации", "🗓 25 декабря 2026, 14:00",
		"📍 Школа № 7, г. Бийск, ул. Ленина, 1", "💻 Онлайн: https://meet.example.org/presidium",
		"1. О плане работы на 2027 год — докладчик: Андреева О. П.", "2. О приёме новых членов",
		"📎 1 материал к заседанию", "Кнопки для ответа: ✅ Буду · ❌ Не смогу · 💻 Буду онлайн",
		"📎 План работы 2027.pdf", "Гостева Галина Петровна — с совещательным голосом")
	for _, want := range []string{"📨 Отправить", "✏️ Изменить повестку", "🗑 Удалить черновик"} {
		if !slices.Contains(flowtest.ButtonLabels(msgs), want) {
			t.Fatalf("preview lacks %q: %q", want, flowtest.ButtonLabels(msgs))
		}
	}

	// Sending: 50 members and the guest. One member blocked the bot,
	// one was deactivated, one deleted their data after the list was
	// fixed.
	flowtest.Has(t, m.PressLabel(t, nSecretary, "📨 Отправить"), "отправляется: 51 адресат", "Отчёт о доставке придёт сюда")
	if mt := m.meeting(t, d.ID); mt.Status != storage.MeetingSent {
		t.Fatalf("status %s, want sent", mt.Status)
	}
	if err := m.Store.DeactivatePerson(ctx, 0, m.members[10].ID); err != nil {
		t.Fatal(err)
	}
	if err := m.Store.ForgetPerson(ctx, m.members[20].ID); err != nil {
		t.Fatal(err)
	}
	blocked := map[int64]bool{nMember(7).ID: true}
	out := m.sched.run(t, m.Env, blocked)

	notice := flowtest.To(out, nMember(0))
	if len(notice) != 2 {
		t.Fatalf("member 0 got %d messages, want the notice and the material", len(notice))
	}
	flowtest.Has(t, notice, "Очередное заседание президиума", "25 декабря 2026, 14:00", "2. О приёме новых членов")
	if got := flowtest.ButtonLabels(notice); !slices.Equal(got, []string{"✅ Буду", "❌ Не смогу", "💻 Буду онлайн"}) {
		t.Fatalf("notice buttons: %q", got)
	}
	if doc, ok := notice[1].(bot.Document); !ok || doc.FileID == "" || doc.Name != "План работы 2027.pdf" {
		t.Fatalf("material: %#v", notice[1])
	}
	flowtest.Has(t, flowtest.To(out, nGuest), "Очередное заседание президиума")
	for _, i := range []int{10, 20} {
		if len(flowtest.To(out, nMember(i))) != 0 {
			t.Fatalf("member %d, unreachable, was sent the notice", i)
		}
	}
	report := flowtest.To(out, nSecretary)
	flowtest.Has(t, report, "Извещение о заседании 25 декабря 2026, 14:00 доставлено 48 из 51",
		"Не получили — позвоните им:", nMemberName(7)+" — заблокировал бота",
		nMemberName(10)+" — заблокировал бота", "(данные удалены) — не зарегистрирован в боте или удалил данные")
	inv := m.invitees(t, d.ID)
	if len(inv) != 51 || inv[m.guest.ID].Role != storage.InviteeAdvisory {
		t.Fatalf("%d invitees, guest %+v", len(inv), inv[m.guest.ID])
	}
	for id, want := range map[int64]storage.DeliveryStatus{m.members[0].ID: storage.DeliverySent, m.members[7].ID: storage.DeliveryBlocked,
		m.members[10].ID: storage.DeliveryBlocked, m.members[20].ID: storage.DeliveryNoChat, m.guest.ID: storage.DeliverySent} {
		if inv[id].Delivery != want {
			t.Fatalf("delivery to %s: %s, want %s", inv[id].FullName, inv[id].Delivery, want)
		}
	}
	// Run again (a replica died after sending): nothing twice.
	m.sched.mu.Lock()
	m.sched.queue = append(m.sched.queue, flows.Work{Kind: kindBroadcast, Key: "again", Args: json.RawMessage(fmt.Sprintf(`{"m":%d,"w":"notice"}`, d.ID))})
	m.sched.mu.Unlock()
	if again := m.sched.run(t, m.Env, blocked); len(again) != 0 {
		t.Fatalf("the broadcast run again sent %d messages", len(again))
	}
	// The sent meeting's card offers the changes.
	msgs = m.openCard(t, "📨 25 декабря")
	for _, want := range []string{"✏️ Изменить дату/место", "📝 Изменить повестку", "🚫 Отменить заседание"} {
		if !slices.Contains(flowtest.ButtonLabels(msgs), want) {
			t.Fatalf("card lacks %q: %q", want, flowtest.ButtonLabels(msgs))
		}
	}
}

func TestNoticeOnlineOnlyAndDeleteDraft(t *testing.T) {
	m := newNEnv(t, 2)
	m.Send(t, nSecretary, "/meetings")
	m.PressLabel(t, nSecretary, "➕ Новое заседание")
	m.PressLabel(t, nSecretary, "Внеочередное")
	m.Send(t, nSecretary, "завтра в 9:30")
	d := m.draft(t)
	if want := time.Date(2026, 11, 21, 9, 30, 0, 0, flowtest.Zone); !d.StartsAt.Equal(want) || d.Kind != storage.MeetingExtraordinary {
		t.Fatalf("draft %v %s", d.StartsAt, d.Kind)
	}
	flowtest.Has(t, m.PressLabel(t, nSecretary, "💻 Только онлайн"), "Пришлите ссылку")
	flowtest.Has(t, m.Send(t, nSecretary, "https://meet.example.org/x"), "Повестка дня")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "➕ Новое заседание"), "У вас есть неотправленный черновик", "Повестка дня")
	m.Send(t, nSecretary, "Об одном вопросе")
	m.PressLabel(t, nSecretary, "Готово ›")
	m.PressLabel(t, nSecretary, "Далее ›")
	msgs := m.PressLabel(t, nSecretary, "Без гостей ›")
	flowtest.Has(t, msgs, "Внеочередное заседание", "💻 Онлайн: https://meet.example.org/x")
	flowtest.Lacks(t, msgs, "📍")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "🗑 Удалить черновик"), "Удалить черновик заседания 21 ноября 2026, 09:30")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "🗑 Да, удалить"), "Черновик удалён")
	if _, err := m.Store.DraftMeetingOf(context.Background(), m.secretary.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("draft after delete: %v", err)
	}
	flowtest.Has(t, m.Press(t, nSecretary, flows.CB(cb, actSendNotice, d.ID)), "Эта кнопка устарела")
}

func TestNoticeRSVP(t *testing.T) {
	m := newNEnv(t, 40)
	ctx := context.Background()
	mt := m.sent(t)

	for i := range 10 {
		msgs := m.PressLabel(t, nMember(i), "✅ Буду")
		flowtest.Has(t, msgs, "Записал: вы будете")
		if got := flowtest.ButtonLabels(msgs); !slices.Contains(got, "● ✅ Буду") || !slices.Contains(got, "❌ Не смогу") {
			t.Fatalf("buttons after the answer: %q", got)
		}
	}
	flowtest.Has(t, m.PressLabel(t, nMember(10), "💻 Буду онлайн"), "вы будете онлайн")
	flowtest.Has(t, m.PressLabel(t, nMember(11), "❌ Не смогу"), "напишите причину")
	flowtest.Has(t, m.Send(t, nMember(11), "Командировка в Барнаул"), "причина записана")
	flowtest.Has(t, m.PressLabel(t, nMember(12), "❌ Не смогу"), "напишите причину")
	flowtest.Has(t, m.PressLabel(t, nMember(12), "Без причины"), "вы не сможете прийти")
	// A changed mind.
	flowtest.Has(t, m.PressLabel(t, nMember(0), "❌ Не смогу"), "напишите причину")
	flowtest.Has(t, m.PressLabel(t, nMember(0), "✅ Буду"), "Записал: вы будете")

	// Twenty more answer at once, each in their own chat.
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 20; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := nMember(i)
			upd := bot.Update{ID: 100000 + i, ChatID: u.ID, Private: true, From: bot.User{ID: u.ID},
				Callback: &bot.Callback{ID: fmt.Sprint(i), Data: flows.CB(cb, actRSVP, fmt.Sprintf("%d.1.0", mt.ID)), MessageID: 1}}
			msgs, err := m.Router.Handle(ctx, upd)
			if err == nil && !strings.Contains(flowtest.Joined(msgs), "Записал") {
				err = fmt.Errorf("member %d: %q", i, flowtest.Joined(msgs))
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	inv := m.invitees(t, mt.ID)
	count := map[storage.RSVP]int{}
	for _, v := range inv {
		count[v.RSVP]++
	}
	if want := map[storage.RSVP]int{storage.RSVPYes: 30, storage.RSVPOnline: 1, storage.RSVPNo: 2, storage.RSVPNone: 7}; !mapsEqual(count, want) {
		t.Fatalf("answers %v, want %v", count, want)
	}
	if v := inv[m.members[11].ID]; v.Reason != "Командировка в Барнаул" {
		t.Fatalf("reason %q", v.Reason)
	}
	if v := inv[m.members[0].ID]; v.RSVP != storage.RSVPYes || v.Reason != "" {
		t.Fatalf("member 0: %s %q", v.RSVP, v.Reason)
	}

	// Forged: a registered non-invitee, a stranger, an unknown meeting,
	// a malformed answer.
	forged := flows.CB(cb, actRSVP, fmt.Sprintf("%d.1.0", mt.ID))
	m.Send(t, nTeacher, "/start")
	m.Send(t, nStranger, "/start")
	flowtest.Has(t, m.Press(t, nTeacher, forged), "Это действие вам недоступно")
	flowtest.Has(t, m.Press(t, nStranger, forged), "Это действие вам недоступно")
	flowtest.Has(t, m.Press(t, nMember(1), flows.CB(cb, actRSVP, fmt.Sprintf("%d.1.0", mt.ID+1000))), "Это действие вам недоступно")
	flowtest.Has(t, m.Press(t, nMember(1), flows.CB(cb, actRSVP, fmt.Sprintf("%d.7.0", mt.ID))), "Эта кнопка устарела")
	if _, err := m.Store.FindInvitee(ctx, mt.ID, m.members[0].ID); err != nil {
		t.Fatal(err)
	}
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestNoticeChangesAndCancel(t *testing.T) {
	m := newNEnv(t, 5)
	ctx := context.Background()
	mt := m.sent(t)
	for i := range 3 {
		m.PressLabel(t, nMember(i), "✅ Буду")
	}

	// The agenda changes: an item rewritten, one added. Answers stay.
	m.Clock.Add(time.Minute)
	m.openCard(t, "📨 25 декабря")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "📝 Изменить повестку"), "После «Готово» все приглашённые получат изменение")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "✏️ 1"), "Пункт 1 сейчас: «О плане работы на 2027 год — Андреева О. П.»")
	flowtest.Has(t, m.Send(t, nSecretary, "О плане работы на 2027 год — Петров П. П."), "докладчик: Петров П. П.")
	m.PressLabel(t, nSecretary, "➕ Добавить пункт")
	flowtest.Has(t, m.Send(t, nSecretary, "Разное"), "Добавлено: 3. Разное")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "Готово ›"), "Повестка изменена")
	out := m.sched.run(t, m.Env, nil)
	flowtest.Has(t, flowtest.To(out, nMember(4)), "Изменение к извещению о заседании президиума 25 декабря 2026, 14:00:",
		"изменилась повестка дня", "докладчик: Петров П. П.", "3. Разное")
	flowtest.Lacks(t, flowtest.To(out, nMember(4)), "ответьте заново")
	flowtest.Has(t, flowtest.To(out, nSecretary), "Изменение к извещению о заседании 25 декабря 2026, 14:00 доставлено 5 из 5")
	if v := m.invitees(t, mt.ID)[m.members[0].ID]; v.RSVP != storage.RSVPYes {
		t.Fatalf("an agenda change reset the answer: %s", v.RSVP)
	}

	// The date changes: everyone is asked again; the old buttons are
	// refused.
	m.Clock.Add(time.Minute)
	m.openCard(t, "📨 25 декабря")
	m.PressLabel(t, nSecretary, "✏️ Изменить дату/место")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "🗓 Дату и время"), "их ответы будут запрошены заново")
	flowtest.Has(t, m.Send(t, nSecretary, "26.12 15:00"), "Новая дата: 26 декабря 2026, 15:00")
	mt = m.meeting(t, mt.ID)
	if mt.Version != 1 {
		t.Fatalf("version %d, want 1", mt.Version)
	}
	for _, v := range m.invitees(t, mt.ID) {
		if v.RSVP != storage.RSVPNone {
			t.Fatalf("%s: answer %s after the date changed, want none", v.FullName, v.RSVP)
		}
	}
	out = m.sched.run(t, m.Env, nil)
	upd := flowtest.To(out, nMember(0))
	flowtest.Has(t, upd, "Изменение к извещению о заседании президиума 25 декабря 2026, 14:00:",
		"заседание переносится на 26 декабря 2026, 15:00", "ответьте заново")
	flowtest.Has(t, m.Press(t, nMember(0), flows.CB(cb, actRSVP, fmt.Sprintf("%d.1.0", mt.ID))),
		"Дата заседания изменилась: теперь 26 декабря 2026, 15:00")
	if v, _ := m.Store.FindInvitee(ctx, mt.ID, m.members[0].ID); v.RSVP != storage.RSVPNone {
		t.Fatalf("an old button recorded %s", v.RSVP)
	}
	flowtest.Has(t, m.PressLabel(t, nMember(0), "✅ Буду"), "Записал: вы будете")
	if v, _ := m.Store.FindInvitee(ctx, mt.ID, m.members[0].ID); v.RSVP != storage.RSVPYes {
		t.Fatalf("the new button recorded %s", v.RSVP)
	}

	// The place changes.
	m.Clock.Add(time.Minute)
	m.openCard(t, "📨 26 декабря")
	m.PressLabel(t, nSecretary, "✏️ Изменить дату/место")
	m.PressLabel(t, nSecretary, "📍 Место или ссылку")
	flowtest.Has(t, m.Send(t, nSecretary, "Гимназия № 2, ул. Мира, 5"), "Сохранено")
	out = m.sched.run(t, m.Env, nil)
	flowtest.Has(t, flowtest.To(out, nMember(1)), "изменилось место", "📍 Гимназия № 2, ул. Мира, 5")
	if v, _ := m.Store.FindInvitee(ctx, mt.ID, m.members[0].ID); v.RSVP != storage.RSVPYes {
		t.Fatalf("a change of place reset the answer: %s", v.RSVP)
	}

	// Cancellation, after a confirmation.
	m.Clock.Add(time.Minute)
	m.openCard(t, "📨 26 декабря")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "🚫 Отменить заседание"), "Отменить заседание 26 декабря 2026, 15:00?")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "🚫 Да, отменить"), "отменено")
	out = m.sched.run(t, m.Env, map[int64]bool{nMember(3).ID: true})
	flowtest.Has(t, flowtest.To(out, nMember(0)), "Заседание президиума 26 декабря 2026, 15:00 ОТМЕНЕНО")
	if len(flowtest.ButtonLabels(flowtest.To(out, nMember(0)))) != 0 {
		t.Fatal("the cancellation carries answer buttons")
	}
	flowtest.Has(t, flowtest.To(out, nSecretary), "доставлено 4 из 5", nMemberName(3)+" — заблокировал бота")
	flowtest.Has(t, m.PressLabel(t, nMember(1), "✅ Буду"), "Это заседание отменено")
	if mt := m.meeting(t, mt.ID); mt.Status != storage.MeetingCancelled {
		t.Fatalf("status %s", mt.Status)
	}
}

func TestNoticeForbidden(t *testing.T) {
	m := newNEnv(t, 2)
	for _, msgs := range [][]bot.Message{
		m.Send(t, nTeacher, "/meetings"),
		m.Press(t, nTeacher, flows.CB(cb, actNew, nil)),
		m.Send(t, nMember(0), "/meetings"),
		m.Press(t, nMember(0), flows.CB(cb, actNew, nil)),
		m.Press(t, nTeacher, flows.CB(cb, actSendNotice, 1)),
	} {
		flowtest.Has(t, msgs, "Это действие вам недоступно")
	}
	if _, err := m.Store.DraftMeetingOf(context.Background(), m.secretary.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a draft appeared: %v", err)
	}
}

// TestNoticeLocaleKeys checks that every message the notice may show
// exists, the paths no conversation above takes included.
func TestNoticeLocaleKeys(t *testing.T) {
	m := newNEnv(t, 0)
	src, err := os.ReadFile("notice.go")
	if err != nil {
		t.Fatal(err)
	}
	ids := regexp.MustCompile(`"(meetings\.n\.[a-z_.]*[a-z_])"`).FindAllStringSubmatch(string(src), -1)
	if len(ids) < 50 {
		t.Fatalf("found only %d message ids in notice.go", len(ids))
	}
	want := []string{}
	for _, id := range ids {
		want = append(want, id[1])
	}
	for _, k := range []storage.MeetingKind{storage.MeetingRegular, storage.MeetingExtraordinary} {
		want = append(want, "meetings.n.kind_chosen."+string(k))
	}
	for _, r := range []storage.RSVP{storage.RSVPYes, storage.RSVPNo, storage.RSVPOnline} {
		want = append(want, "meetings.n.rsvp.btn."+string(r), "meetings.n.rsvp.saved."+string(r))
	}
	for _, r := range []storage.InviteeRole{storage.InviteeAdvisory, storage.InviteeGuest} {
		want = append(want, "meetings.n.guest_added."+string(r), "meetings.n.preview.guest."+string(r))
	}
	for _, d := range []storage.DeliveryStatus{storage.DeliveryBlocked, storage.DeliveryNoChat, storage.DeliveryFailed} {
		want = append(want, "meetings.n.report.why."+string(d))
	}
	for _, w := range []string{bcDate, bcPlace, bcAgenda} {
		want = append(want, "meetings.n.upd."+w)
	}
	for _, s := range []storage.MeetingStatus{storage.MeetingDraft, storage.MeetingSent} {
		want = append(want, "meetings.n.ed.head."+string(s))
	}
	want = append(want, "meetings.n.report.notice", "meetings.n.report.update", "meetings.n.report."+bcGuests, "meetings.n.report."+bcMinutes)
	for _, id := range want {
		if !m.L.Has(id) {
			t.Errorf("no message %q", id)
		}
	}
}

func TestNoticeStepOfAGoneMeeting(t *testing.T) {
	m := newNEnv(t, 1)
	m.Send(t, nSecretary, "/meetings")
	m.PressLabel(t, nSecretary, "➕ Новое заседание")
	m.PressLabel(t, nSecretary, "Очередное")
	m.Send(t, nSecretary, "25.12 14:00")
	m.Send(t, nSecretary, "https://meet.example.org/p")
	d := m.draft(t)
	if err := m.Store.DeleteDraftMeeting(context.Background(), m.secretary.ID, d.ID); err != nil {
		t.Fatal(err)
	}
	flowtest.Has(t, m.Send(t, nSecretary, "О плане работы"), "Это заседание уже нельзя изменить здесь")
	flowtest.Lacks(t, m.Send(t, nSecretary, "О плане работы"), "нельзя изменить")
}

// TestNoticeUnannouncedChanges: agenda changes of a sent meeting are
// recorded in the store, so when the secretary leaves the editor without
// «Готово» (or the session expires) the card offers «Разослать
// изменения» until they go out; «Готово» still sends them.
func TestNoticeUnannouncedChanges(t *testing.T) {
	m := newNEnv(t, 3)
	ctx := context.Background()
	mt := m.sent(t)
	const announce = "📣 Разослать изменения"
	if got := flowtest.ButtonLabels(m.openCard(t, "📨 25 декабря")); slices.Contains(got, announce) {
		t.Fatalf("a card with nothing to announce offers it: %q", got)
	}

	m.Clock.Add(time.Minute)
	flowtest.Has(t, m.PressLabel(t, nSecretary, "📝 Изменить повестку"), "кнопка «📣 Разослать изменения»")
	m.PressLabel(t, nSecretary, "➕ Добавить пункт")
	flowtest.Has(t, m.Send(t, nSecretary, "Разное"), "Добавлено: 3. Разное")
	// The secretary leaves; the session expires.
	if err := m.Sessions.Delete(ctx, nSecretary.ID); err != nil {
		t.Fatal(err)
	}
	if out := m.sched.run(t, m.Env, nil); len(out) != 0 {
		t.Fatalf("an unannounced change was sent: %d messages", len(out))
	}
	msgs := m.openCard(t, "📨 25 декабря")
	if got := flowtest.ButtonLabels(msgs); !slices.Contains(got, announce) {
		t.Fatalf("the card lacks %q: %q", announce, got)
	}
	flowtest.Has(t, m.PressLabel(t, nSecretary, announce), "Повестка изменена", "3. Разное")
	out := m.sched.run(t, m.Env, map[int64]bool{nMember(2).ID: true})
	flowtest.Has(t, flowtest.To(out, nMember(0)), "Изменение к извещению о заседании президиума 25 декабря 2026, 14:00:",
		"изменилась повестка дня", "3. Разное")
	flowtest.Has(t, flowtest.To(out, nSecretary), "Изменение к извещению о заседании 25 декабря 2026, 14:00 доставлено 2 из 3",
		nMemberName(2)+" — заблокировал бота")
	if got := m.meeting(t, mt.ID).AgendaChangedAt; !got.IsZero() {
		t.Fatalf("announced, still changed at %v", got)
	}
	if got := flowtest.ButtonLabels(m.openCard(t, "📨 25 декабря")); slices.Contains(got, announce) {
		t.Fatalf("the card offers %q after the changes went out: %q", announce, got)
	}
	// The old button, pressed again, sends nothing twice.
	flowtest.Has(t, m.Press(t, nSecretary, flows.CB(cb, actAnnounce, mt.ID)), "Изменения уже разосланы")
	if out := m.sched.run(t, m.Env, nil); len(out) != 0 {
		t.Fatalf("announced twice: %d messages", len(out))
	}

	// «Готово» in the editor still sends a change, and nothing when there
	// is none.
	m.Clock.Add(time.Minute)
	m.PressLabel(t, nSecretary, "📝 Изменить повестку")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "Готово ›"), "Повестка не менялась")
	m.PressLabel(t, nSecretary, "📝 Изменить повестку")
	m.PressLabel(t, nSecretary, "🗑 3")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "Готово ›"), "Повестка изменена")
	out = m.sched.run(t, m.Env, nil)
	flowtest.Has(t, flowtest.To(out, nMember(1)), "изменилась повестка дня")
	flowtest.Lacks(t, flowtest.To(out, nMember(1)), "3. Разное")
	if got := m.meeting(t, mt.ID).AgendaChangedAt; !got.IsZero() {
		t.Fatalf("sent with «Готово», still changed at %v", got)
	}

	// Forged: a member, an unknown meeting; a cancelled meeting's button
	// is stale.
	flowtest.Has(t, m.Press(t, nMember(0), flows.CB(cb, actAnnounce, mt.ID)), "Это действие вам недоступно")
	flowtest.Has(t, m.Press(t, nSecretary, flows.CB(cb, actAnnounce, mt.ID+1000)), "Эта кнопка устарела")
}

// TestNoticeGuestAfterSending: a guest invited to a sent meeting from its
// card gets the notice with the answer buttons (members nothing again),
// and the secretary a short report; a guest who blocked the bot is named.
func TestNoticeGuestAfterSending(t *testing.T) {
	m := newNEnv(t, 3)
	mt := m.sent(t)

	msgs := m.openCard(t, "📨 25 декабря")
	if got := flowtest.ButtonLabels(msgs); !slices.Contains(got, "👥 Добавить гостя") {
		t.Fatalf("the sent meeting's card lacks «Добавить гостя»: %q", got)
	}
	m.Clock.Add(time.Minute)
	flowtest.Has(t, m.PressLabel(t, nSecretary, "👥 Добавить гостя"), "Кого пригласить гостем на заседание 25 декабря 2026, 14:00?")
	flowtest.Has(t, m.Send(t, nSecretary, "гостева"), "Кого пригласить?")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "Гостева Галина Петровна"), "Как пригласить: Гостева Галина Петровна?")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "С совещательным голосом"), "гость с совещательным голосом",
		"Извещение отправляется", "Пригласить ещё кого-нибудь?")
	out := m.sched.run(t, m.Env, nil)
	notice := flowtest.To(out, nGuest)
	flowtest.Has(t, notice, "Очередное заседание президиума", "25 декабря 2026, 14:00", "2. О приёме новых членов")
	if got := flowtest.ButtonLabels(notice); !slices.Equal(got, []string{"✅ Буду", "❌ Не смогу", "💻 Буду онлайн"}) {
		t.Fatalf("the guest's notice buttons: %q", got)
	}
	for i := range 3 {
		if n := len(flowtest.To(out, nMember(i))); n != 0 {
			t.Fatalf("member %d was sent %d messages again", i, n)
		}
	}
	flowtest.Has(t, flowtest.To(out, nSecretary), "Извещение о заседании 25 декабря 2026, 14:00 новым приглашённым доставлено 1 из 1",
		"Получили: Гостева Галина Петровна")
	flowtest.Lacks(t, flowtest.To(out, nSecretary), "позвоните")
	if v := m.invitees(t, mt.ID)[m.guest.ID]; v.Role != storage.InviteeAdvisory || v.Delivery != storage.DeliverySent {
		t.Fatalf("the guest: %s, %s", v.Role, v.Delivery)
	}
	flowtest.Has(t, m.PressLabel(t, nGuest, "✅ Буду"), "Записал: вы будете")

	// Invited again with another role: told already, not sent it twice.
	m.Send(t, nSecretary, "гостева")
	m.PressLabel(t, nSecretary, "Гостева Галина Петровна")
	msgs = m.PressLabel(t, nSecretary, "Без права голоса")
	flowtest.Has(t, msgs, "гость без права голоса")
	flowtest.Lacks(t, msgs, "Извещение отправляется")
	if out := m.sched.run(t, m.Env, nil); len(out) != 0 {
		t.Fatalf("a guest invited again was sent %d messages", len(out))
	}

	// A guest who blocked the bot is named in the report.
	m.Send(t, nSecretary, "учителева")
	m.PressLabel(t, nSecretary, "Учителева Ульяна Петровна")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "Без права голоса"), "Извещение отправляется")
	out = m.sched.run(t, m.Env, map[int64]bool{nTeacher.ID: true})
	flowtest.Has(t, flowtest.To(out, nSecretary), "новым приглашённым доставлено 0 из 1", "Не получили — позвоните им:",
		"Учителева Ульяна Петровна — заблокировал бота")
	flowtest.Has(t, m.PressLabel(t, nSecretary, "Готово ›"), "Извещение отправлено", "Повестка дня")

	// Forged and stale: a member; a cancelled meeting.
	flowtest.Has(t, m.Press(t, nMember(0), flows.CB(cb, actGuestAdd, mt.ID)), "Это действие вам недоступно")
	if _, err := m.Store.CancelMeeting(context.Background(), m.secretary.ID, mt.ID); err != nil {
		t.Fatal(err)
	}
	flowtest.Has(t, m.Press(t, nSecretary, flows.CB(cb, actGuestAdd, mt.ID)), "Эта кнопка устарела")
	flowtest.Has(t, m.Press(t, nSecretary, flows.CB(cb, actGuestRole, fmt.Sprintf("%d.%d.1", mt.ID, m.guest.ID))), "Эта кнопка устарела")
}
