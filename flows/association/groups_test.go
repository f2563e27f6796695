package association

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/flowtest"
	"smkbot/flows/tasks"
	"smkbot/storage"
)

// fakeScheduler is the durable scheduler as the flow sees it: Handle
// registers, At records (one occurrence per kind, key and time), and run
// does what is due, delivering through the harness.
type fakeScheduler struct {
	mu       sync.Mutex
	handlers map[string]flows.WorkFunc
	queue    []flows.Work
	seen     map[string]bool
}

func newFakeScheduler() *fakeScheduler {
	return &fakeScheduler{handlers: map[string]flows.WorkFunc{}, seen: map[string]bool{}}
}

func (s *fakeScheduler) Handle(kind string, h flows.WorkFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[kind] = h
}

func (s *fakeScheduler) At(_ context.Context, kind, key string, args any, at time.Time) error {
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

func (s *fakeScheduler) Cancel(context.Context, string, string) error { return nil }

// run does the work recorded so far, as many times as given (a retry
// after a crash runs it again): what it delivers and returns goes into
// the chats (none into blocked ones) and is returned.
func (s *fakeScheduler) run(t *testing.T, e *flowtest.Env, blocked map[int64]bool, times int) []bot.Message {
	t.Helper()
	s.mu.Lock()
	queue := s.queue
	s.queue = nil
	s.mu.Unlock()
	var all []bot.Message
	for range times {
		for _, w := range queue {
			w.Deliver = func(_ context.Context, msgs ...bot.Message) []bot.Delivery {
				all = append(all, msgs...)
				return e.Deliver(t, blocked, msgs...)
			}
			msgs, err := s.handlers[w.Kind](context.Background(), w, e.Clock.Now())
			if err != nil {
				t.Fatalf("work %s %s: %v", w.Kind, w.Key, err)
			}
			all = append(all, msgs...)
			e.Deliver(t, blocked, msgs...)
		}
	}
	return all
}

var (
	wgChair    = flowtest.User{ID: 880001, First: "Пётр"}
	wgLeadU    = flowtest.User{ID: 880002, First: "Ольга"}
	wgTeacherA = flowtest.User{ID: 880003, First: "Анна"}
	wgTeacherB = flowtest.User{ID: 880004, First: "Белла"}
	wgPresU    = flowtest.User{ID: 880005, First: "Вера"}
	wgOutsider = flowtest.User{ID: 880006, First: "Гость"}
)

// TestGroupsConversation: the chair creates the consulting-methodological
// group, adds three members and a lead found by name, names the lead;
// the lead writes to the group (a member who blocked the bot is named in
// the report, which comes once however often the work runs) and gives
// the members a task, each in their own school's programme, the member
// without a school named; members see their group with /groups, an
// outsider does not; a former lead's buttons are refused.
func TestGroupsConversation(t *testing.T) {
	t.Parallel()
	sched := newFakeScheduler()
	e := flowtest.New(t, func(r *flows.Router, e *flowtest.Env) {
		tf := &tasks.Flow{Store: e.Store, Location: flowtest.Zone}
		tf.Register(r)
		(&Groups{Store: e.Store, Scheduler: sched, Tasks: tf, Location: flowtest.Zone}).Register(r)
	})
	ctx := context.Background()
	a, b := e.Org(t, "СОШ № 1"), e.Org(t, "Гимназия № 2")
	e.Person(t, wgChair, "Председателев Пётр Петрович", storage.RoleChair, 0)
	lead := e.Person(t, wgLeadU, "Лидерова Ольга Ивановна", storage.RoleQualityManager, a.ID)
	ta := e.Person(t, wgTeacherA, "Учителева Анна Сергеевна", storage.RoleTeacher, a.ID)
	tb := e.Person(t, wgTeacherB, "Учителева Белла Петровна", storage.RoleTeacher, b.ID)
	pres := e.Person(t, wgPresU, "Президиумова Вера Николаевна", storage.RolePresidium, 0)
	e.Person(t, wgOutsider, "Посторонний Глеб Олегович", storage.RoleTeacher, b.ID)
	c := wgChair

	flowtest.Has(t, e.Send(t, c, "🧩 Рабочие группы"), "Рабочих групп пока нет")
	e.PressLabel(t, c, "➕ Новая группа")
	msgs := e.PressLabel(t, c, "Консультационно-методическая")
	flowtest.Has(t, msgs, "Группа «Консультационно-методическая группа» создана", "Кого включить")
	flowtest.Has(t, e.Send(t, c, "я"), "от 2 до 80 символов")
	flowtest.Has(t, e.Send(t, c, "Неизвестнова"), "Никого не нашлось")
	msgs = e.Send(t, c, "учителева")
	if got := flowtest.ButtonLabels(msgs); fmt.Sprint(got) != "[Учителева Анна Сергеевна Учителева Белла Петровна Готово ›]" {
		t.Fatalf("found: %q", got)
	}
	msgs = e.PressLabel(t, c, "Учителева Анна Сергеевна")
	flowtest.Has(t, flowtest.To(msgs, wgTeacherA), "Вас включили в рабочую группу «Консультационно-методическая группа»")
	e.Send(t, c, "учителева белла")
	e.PressLabel(t, c, "Учителева Белла Петровна")
	e.Send(t, c, "президиумова")
	e.PressLabel(t, c, "Президиумова Вера Николаевна")
	e.Send(t, c, "лидерова")
	e.PressLabel(t, c, "Лидерова Ольга Ивановна")
	msgs = e.PressLabel(t, c, "Готово ›")
	flowtest.Has(t, msgs, "4 участника:", "Руководитель: не назначен", "• Лидерова Ольга Ивановна")
	e.PressLabel(t, c, "👑 Назначить руководителя")
	msgs = e.PressLabel(t, c, "Лидерова Ольга Ивановна")
	flowtest.Has(t, msgs, "Руководитель назначен", "Руководитель: Лидерова Ольга Ивановна")
	flowtest.Has(t, flowtest.To(msgs, wgLeadU), "Вас назначили руководителем")
	if strings.Contains(strings.Join(flowtest.ButtonLabels(flowtest.To(msgs, wgChair)), " "), "Сообщение группе") {
		t.Error("the chair, not the lead, is offered to write to the group")
	}

	// Members see their group; an outsider neither sees nor opens it.
	msgs = e.Send(t, wgTeacherA, "/groups")
	flowtest.Has(t, msgs, "Вы в 1 рабочей группе")
	g, err := e.Store.GroupsOf(ctx, ta.ID)
	if err != nil || len(g) != 1 {
		t.Fatalf("GroupsOf = %v, %v", g, err)
	}
	group := g[0]
	msgs = e.PressLabel(t, wgTeacherA, "👥 Консультационно-методическая группа")
	flowtest.Has(t, msgs, "Руководитель: Лидерова Ольга Ивановна")
	flowtest.Lacks(t, msgs, "Сообщение группе", "Добавить участника")
	flowtest.Has(t, e.Send(t, wgOutsider, "/groups"), "не состоите ни в одной")
	flowtest.Has(t, e.Press(t, wgOutsider, flows.CB(wg, wgCard, group.ID)), "недоступ")
	flowtest.Has(t, e.Press(t, wgTeacherA, flows.CB(wg, wgMsg, group.ID)), "недоступ")

	// The lead writes to the group.
	l := wgLeadU
	e.Send(t, l, "/groups")
	e.PressLabel(t, l, "👑 Консультационно-методическая группа")
	flowtest.Has(t, e.PressLabel(t, l, "✉️ Сообщение группе"), "Напишите сообщение группе")
	flowtest.Has(t, e.Send(t, l, "Встреча в пятницу"), "Так сообщение увидят 3 участника группы")
	msgs = e.Send(t, l, "Встреча группы — в четверг, 15:00, ауд. 12.\nВозьмите планы.")
	flowtest.Has(t, msgs, "Так сообщение увидят 3 участника", "в четверг, 15:00")
	flowtest.Has(t, e.PressLabel(t, l, "📨 Отправить"), "Сообщение отправляется 3 участникам")
	all := sched.run(t, e, map[int64]bool{wgPresU.ID: true}, 2)
	for _, u := range []flowtest.User{wgTeacherA, wgTeacherB} {
		if got := flowtest.Joined(flowtest.To(all, u)); strings.Count(got, "в четверг, 15:00") != 1 ||
			!strings.Contains(got, "сообщение руководителя (Лидерова Ольга Ивановна)") {
			t.Errorf("%d got: %q", u.ID, got)
		}
	}
	report := flowtest.Joined(flowtest.To(all, l))
	if strings.Count(report, "доставлено 2 из 3") != 1 || !strings.Contains(report, "Президиумова Вера Николаевна — заблокировал бота") {
		t.Errorf("the lead's report (once): %q", report)
	}
	if strings.Contains(flowtest.Joined(flowtest.To(all, wgLeadU)), "Возьмите планы") {
		t.Error("the lead was sent their own message")
	}
	_ = pres

	// The lead gives the members a task.
	e.Send(t, l, "/groups")
	e.PressLabel(t, l, "👑 Консультационно-методическая группа")
	e.PressLabel(t, l, "📌 Задача группе")
	flowtest.Has(t, e.Send(t, l, "\n"), "Первая строка — название задачи")
	flowtest.Has(t, e.Send(t, l, "Подготовить обзор методик\nДо 3 страниц, с примерами."), "К какому сроку?")
	flowtest.Has(t, e.Send(t, l, "01.01.2020"), "Срок уже прошёл")
	msgs = e.Send(t, l, "25.12.2026")
	flowtest.Has(t, flowtest.To(msgs, l), "Задача «Подготовить обзор методик» со сроком 25 декабря 2026 выдана 2 участникам",
		"не указана школа в боте: Президиумова Вера Николаевна")
	for _, who := range []struct {
		u   flowtest.User
		p   storage.Person
		org storage.Organisation
	}{{wgTeacherA, ta, a}, {wgTeacherB, tb, b}} {
		flowtest.Has(t, flowtest.To(msgs, who.u), "Подготовить обзор методик")
		prog, dirs, err := e.Store.EnsureProgramme(ctx, 0, who.org.ID, tasks.SchoolYear(e.Clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		list, err := e.Store.ListTasks(ctx, prog.ID)
		if err != nil || len(list) != 1 || list[0].Title != "Подготовить обзор методик" {
			t.Fatalf("tasks of %s: %+v, %v", who.org.Name, list, err)
		}
		if as, err := e.Store.GroupTasks(ctx, 0); err != nil || len(as) != 0 {
			t.Fatalf("GroupTasks(0) = %v, %v", as, err)
		}
		var dir string
		for _, d := range dirs {
			if d.ID == list[0].DirectionID {
				dir = d.Name
			}
		}
		if dir != "Рабочие группы" {
			t.Errorf("the task of %s is under %q", who.org.Name, dir)
		}
	}
	if ids, err := e.Store.GroupTasks(ctx, group.ID); err != nil || len(ids) != 2 {
		t.Errorf("GroupTasks = %v, %v", ids, err)
	}

	// A lead removed from the group: their buttons are refused.
	e.Send(t, c, "🧩 Рабочие группы")
	e.PressLabel(t, c, "Консультационно-методическая группа · 4 участника")
	e.PressLabel(t, c, "➖ Убрать участника")
	flowtest.Has(t, e.PressLabel(t, c, "Лидерова Ольга Ивановна"), "Участник убран", "Руководитель: не назначен", "3 участника:")
	flowtest.Has(t, e.Press(t, l, flows.CB(wg, wgMsg, group.ID)), "недоступ")
	_ = lead
}

// TestGroupsOtherKind: a group of another kind gets a typed name; a name
// taken is refused.
func TestGroupsOtherKind(t *testing.T) {
	t.Parallel()
	e := flowtest.New(t, func(r *flows.Router, e *flowtest.Env) {
		(&Groups{Store: e.Store, Location: flowtest.Zone}).Register(r)
	})
	e.Person(t, wgChair, "Председателев Пётр Петрович", storage.RoleChair, 0)
	c := wgChair
	e.Send(t, c, "🧩 Рабочие группы")
	e.PressLabel(t, c, "➕ Новая группа")
	flowtest.Has(t, e.PressLabel(t, c, "Другая — ввести название"), "Напишите название группы")
	flowtest.Has(t, e.Send(t, c, "12"), "от 3 до 100 символов")
	flowtest.Has(t, e.Send(t, c, "Группа  по подготовке к конкурсу"), "Группа «Группа по подготовке к конкурсу» создана")
	e.Send(t, c, "🧩 Рабочие группы")
	e.PressLabel(t, c, "➕ Новая группа")
	e.PressLabel(t, c, "Другая — ввести название")
	flowtest.Has(t, e.Send(t, c, "группа по подготовке к КОНКУРСУ"), "уже есть")
}

func TestParseTaskText(t *testing.T) {
	for in, want := range map[string]string{
		"Обзор": "Обзор|",
		"  Обзор  методик \n До 3 стр": "Обзор методик|До 3 стр",
		"Обзор\n\n\n": "Обзор|",
		"\nОбзор":     "Обзор|",
		"О":           "",
		"":            "",
	} {
		title, desc, ok := ParseTaskText(in)
		got := ""
		if ok {
			got = title + "|" + desc
		}
		if got != want {
			t.Errorf("ParseTaskText(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseTaskText(f *testing.F) {
	for _, s := range []string{"Обзор\nописание", "\n\n", "a\x00b", strings.Repeat("д", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		title, desc, ok := ParseTaskText(s)
		if !ok {
			return
		}
		if title == "" || strings.Contains(title, "\n") || len([]rune(title)) > wgMaxTitle || len([]rune(desc)) > wgMaxDesc {
			t.Fatalf("ParseTaskText(%q) = %q, %q", s, title, desc)
		}
	})
}

func FuzzParseGroupName(f *testing.F) {
	for _, s := range []string{"Группа по подготовке", "123", "  a  b ", "\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, ok := ParseGroupName(s)
		if !ok {
			return
		}
		if n := len([]rune(name)); n < wgMinName || n > storage.MaxGroupName || strings.ContainsAny(name, "\n\t") || name != strings.TrimSpace(name) {
			t.Fatalf("ParseGroupName(%q) = %q", s, name)
		}
	})
}
