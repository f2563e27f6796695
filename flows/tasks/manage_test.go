package tasks

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/flowtest"
	"smkbot/storage"
)

// The people of the manager's tests.
var (
	manQM       = flowtest.User{ID: 820001, First: "Ольга"}
	manAnna     = flowtest.User{ID: 820002, First: "Анна"}
	manBoris    = flowtest.User{ID: 820003, First: "Борис"}
	manOtherQM  = flowtest.User{ID: 820004, First: "Вера"}
	manStranger = flowtest.User{ID: 820005, First: "Гость"}
)

// manFiles is the Telegram file store of the tests: uploads by file id.
type manFiles map[string][]byte

func (f manFiles) Download(_ context.Context, id string) ([]byte, error) {
	data, ok := f[id]
	if !ok {
		return nil, fmt.Errorf("no file %s", id)
	}
	return data, nil
}

type manEnv struct {
	*flowtest.Env
	files   manFiles
	org     storage.Organisation
	other   storage.Organisation
	qm      storage.Person
	anna    storage.Person
	boris   storage.Person
	prog    storage.Programme
	dirs    []storage.Direction
	next    int
	flowRef *Flow
}

// newManEnv builds a bot with the manager's part, a school with its
// quality manager and two teachers, and another school with its own
// quality manager.
func newManEnv(t *testing.T) *manEnv {
	t.Helper()
	files := manFiles{}
	f := &Flow{Location: flowtest.Zone, Files: files}
	e := flowtest.New(t, func(r *flows.Router, e *flowtest.Env) {
		f.Store = e.Store
		f.registerManage(r)
	})
	m := &manEnv{Env: e, files: files, next: 1 << 20, flowRef: f}
	m.org = e.Org(t, "СОШ № 5")
	m.other = e.Org(t, "Гимназия № 2")
	m.qm = e.Person(t, manQM, "Смирнова Ольга Петровна", storage.RoleQualityManager, m.org.ID)
	m.anna = e.Person(t, manAnna, "Иванова Анна Сергеевна", storage.RoleTeacher, m.org.ID)
	m.boris = e.Person(t, manBoris, "Петров Борис Ильич", storage.RoleTeacher, m.org.ID)
	e.Person(t, manOtherQM, "Орлова Вера Павловна", storage.RoleQualityManager, m.other.ID)
	var err error
	m.prog, m.dirs, err = e.Store.EnsureProgramme(context.Background(), m.qm.ID, m.org.ID, SchoolYear(flowtest.Start))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.dirs) < 2 {
		t.Fatalf("the programme has %d directions", len(m.dirs))
	}
	return m
}

// task creates a task through the store, as the manager would have.
func (m *manEnv) task(t *testing.T, title string, due time.Time, who ...storage.Person) storage.Task {
	t.Helper()
	var as []storage.Assignment
	for _, p := range who {
		as = append(as, storage.Assignment{PersonID: p.ID, Status: storage.TaskAssigned, NextRemindAt: due})
	}
	tk, err := m.Store.CreateTask(context.Background(), m.qm.ID, storage.Task{
		ProgrammeID: m.prog.ID, OrgID: m.org.ID, DirectionID: m.dirs[0].ID, Title: title,
		Due: due, CreatedBy: m.qm.ID,
	}, as)
	if err != nil {
		t.Fatalf("create task %q: %v", title, err)
	}
	return tk
}

func (m *manEnv) find(t *testing.T, id int64) (storage.Task, []storage.Assignment) {
	t.Helper()
	tk, as, err := m.Store.FindTask(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk, as
}

func (m *manEnv) assignment(t *testing.T, id int64, p storage.Person) storage.Assignment {
	t.Helper()
	_, as := m.find(t, id)
	a, ok := manAssignee(as, p.ID)
	if !ok {
		t.Fatalf("task %d has no assignment of %d", id, p.ID)
	}
	return a
}

func (m *manEnv) tasks(t *testing.T) []storage.Task {
	t.Helper()
	list, err := m.Store.ListTasks(context.Background(), m.prog.ID)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func (m *manEnv) step(t *testing.T, u flowtest.User) string {
	t.Helper()
	s, _, err := m.Sessions.Get(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s.Step
}

// upload sends a document from u, as Telegram delivers it; the replies are
// returned, not added to the chat's record.
func (m *manEnv) upload(t *testing.T, u flowtest.User, name string, data []byte) []bot.Message {
	t.Helper()
	m.next++
	id := fmt.Sprintf("file%d", m.next)
	m.files[id] = data
	upd := bot.Update{ID: m.next, ChatID: u.ID, Private: true, From: bot.User{ID: u.ID, FirstName: u.First}, MessageID: m.next,
		Document: &bot.File{ID: id, UniqueID: "u" + id, Name: name, Size: len(data)}}
	msgs, err := m.Router.Handle(context.Background(), upd)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if s := flowtest.Joined(msgs); strings.Contains(s, "⟦") {
		t.Fatalf("missing locale message in %q", s)
	}
	return msgs
}

// manDocument is the document among msgs.
func manDocument(t *testing.T, msgs []bot.Message) bot.Document {
	t.Helper()
	for _, m := range msgs {
		if d, ok := m.(bot.Document); ok {
			return d
		}
	}
	t.Fatalf("no document in %q", flowtest.Texts(msgs))
	return bot.Document{}
}

// startTask goes from the menu to the deadline question of a new task
// titled title for the teachers named.
func (m *manEnv) startTask(t *testing.T, title string, who ...string) {
	t.Helper()
	m.Send(t, manQM, "🗂 Программа")
	m.PressLabel(t, manQM, "➕ Новая задача")
	flowtest.Has(t, m.Send(t, manQM, title), "К какому направлению")
	m.PressLabel(t, manQM, m.dirs[1].Name)
	for _, name := range who {
		m.PressLabel(t, manQM, name)
	}
	flowtest.Has(t, m.PressLabel(t, manQM, fmt.Sprintf("Готово (%d)", len(who))), "Какой срок?")
}

// finishTask answers the evidence question and creates the task; it
// returns the replies of «Создать» and the task.
func (m *manEnv) finishTask(t *testing.T, evidence bool) ([]bot.Message, storage.Task, []storage.Assignment) {
	t.Helper()
	if evidence {
		m.PressLabel(t, manQM, "Да, обязательны")
	} else {
		m.PressLabel(t, manQM, "Нет")
	}
	msgs := m.PressLabel(t, manQM, "✅ Создать")
	flowtest.Has(t, msgs, "Задача создана")
	list := m.tasks(t)
	if len(list) == 0 {
		t.Fatal("no task stored")
	}
	tk := slices.MaxFunc(list, func(a, b storage.Task) int { return int(a.ID - b.ID) })
	tk, as := m.find(t, tk.ID)
	return msgs, tk, as
}

func TestManOverviewMenu(t *testing.T) {
	t.Parallel()
	m := newManEnv(t)
	msgs := m.Send(t, manQM, "🗂 Программа")
	flowtest.Has(t, msgs, "Программа "+SchoolYear(flowtest.Start), "СОШ № 5", m.dirs[0].Name, "Задач пока нет")
	for _, l := range []string{"➕ Новая задача", "⚠️ Просроченные", "📈 График", "📄 Excel", "📥 Импорт из Excel"} {
		if !slices.Contains(m.Labels(manQM), l) {
			t.Fatalf("no button %q in %q", l, m.Labels(manQM))
		}
	}
	// A task of two teachers, late by ten days: the counts by direction.
	m.task(t, "Анализ ВПР", time.Date(2026, 11, 25, 0, 0, 0, 0, flowtest.Zone), m.anna, m.boris)
	m.Clock.Set(time.Date(2026, 12, 5, 10, 0, 0, 0, flowtest.Zone))
	msgs = m.Send(t, manQM, "🗂 Программа")
	flowtest.Has(t, msgs, "В программе 1 задача.", "назначено: 2", "⚠️ просрочено: 2")
	if !slices.Contains(m.Labels(manQM), "⚠️ Просроченные (2)") {
		t.Fatalf("buttons %q", m.Labels(manQM))
	}
	msgs = m.PressLabel(t, manQM, "⚠️ Просроченные (2)")
	flowtest.Has(t, msgs, "Просрочена 1 задача", "Анализ ВПР", "просрочено на 10 дней", "Иванова Анна Сергеевна — назначена", "Петров Борис Ильич — назначена")
	msgs = m.PressLabel(t, manQM, "1. Анализ ВПР")
	flowtest.Has(t, msgs, "📌 Анализ ВПР", "⚠️ просрочено на 10 дней", "⚠️ Иванова Анна Сергеевна — назначена")
}

func TestManNewTaskTypedDates(t *testing.T) {
	t.Parallel()
	m := newManEnv(t)
	tests := []struct {
		typed   string
		want    time.Time
		hasTime bool
	}{
		{"25.12", time.Date(2026, 12, 25, 0, 0, 0, 0, flowtest.Zone), false},
		{"25.12.2026", time.Date(2026, 12, 25, 0, 0, 0, 0, flowtest.Zone), false},
		{"завтра", time.Date(2026, 11, 21, 0, 0, 0, 0, flowtest.Zone), false},
		{"через 3 дня", time.Date(2026, 11, 23, 0, 0, 0, 0, flowtest.Zone), false},
		{"25.12 14:00", time.Date(2026, 12, 25, 14, 0, 0, 0, flowtest.Zone), true},
		{"сегодня в 18:30", time.Date(2026, 11, 20, 18, 30, 0, 0, flowtest.Zone), true},
	}
	policy := storage.DefaultReminderPolicy(m.org.ID)
	for i, tc := range tests {
		title := fmt.Sprintf("Задача %d", i+1)
		m.startTask(t, title, "Иванова Анна Сергеевна")
		if i == 0 {
			// Past dates, and a past time today, are refused with the
			// reason; the step stays.
			flowtest.Has(t, m.Send(t, manQM, "01.11.2026"), "Эта дата уже прошла")
			flowtest.Has(t, m.Send(t, manQM, "сегодня 09:00"), "Это время уже прошло")
			flowtest.Has(t, m.Send(t, manQM, "когда-нибудь"), "Не получилось понять срок")
			if s := m.step(t, manQM); s != stepManDue {
				t.Fatalf("step %q after refused dates", s)
			}
		}
		flowtest.Has(t, m.Send(t, manQM, tc.typed), "Нужны ли доказательства")
		msgs, tk, as := m.finishTask(t, i%2 == 0)
		if tk.Title != title || !tk.Due.Equal(tc.want) || tk.HasTime != tc.hasTime || tk.EvidenceRequired != (i%2 == 0) ||
			tk.DirectionID != m.dirs[1].ID || tk.CreatedBy != m.qm.ID {
			t.Fatalf("%q: stored %+v", tc.typed, tk)
		}
		if len(as) != 1 || as[0].PersonID != m.anna.ID || as[0].Status != storage.TaskAssigned {
			t.Fatalf("%q: assignments %+v", tc.typed, as)
		}
		next, _ := FirstReminder(policy, tc.want, tc.hasTime, flowtest.Start, flowtest.Zone)
		if !as[0].NextRemindAt.Equal(next) {
			t.Fatalf("%q: next reminder %v, want %v", tc.typed, as[0].NextRemindAt, next)
		}
		flowtest.Has(t, flowtest.To(msgs, manAnna), "Вам назначена новая задача", title)
		if m.step(t, manQM) != "" {
			t.Fatalf("step %q after creating", m.step(t, manQM))
		}
	}
}

func TestManNewTaskQuickDateAndFix(t *testing.T) {
	t.Parallel()
	m := newManEnv(t)
	m.startTask(t, "Педсовет", "Петров Борис Ильич")
	// Through the summary: the quick date, then a changed title.
	m.PressLabel(t, manQM, "Через неделю (27 ноября)")
	msgs := m.PressLabel(t, manQM, "Нет")
	flowtest.Has(t, msgs, "Проверьте задачу", "📌 Педсовет", "Петров Борис Ильич", "27 ноября 2026", "не обязательны")
	m.PressLabel(t, manQM, "✏️ Название")
	flowtest.Has(t, m.Send(t, manQM, "Педсовет по итогам четверти"), "Проверьте задачу", "📌 Педсовет по итогам четверти")
	// The menu in the middle keeps the new task; «Продолжить» brings it back.
	m.Send(t, manQM, "🗂 Программа")
	flowtest.Has(t, m.PressLabel(t, manQM, "↩ Продолжить новую задачу"), "Проверьте задачу")
	msgs = m.PressLabel(t, manQM, "✅ Создать")
	flowtest.Has(t, msgs, "Задача создана")
	list := m.tasks(t)
	if len(list) != 1 || list[0].Title != "Педсовет по итогам четверти" || !list[0].Due.Equal(time.Date(2026, 11, 27, 0, 0, 0, 0, flowtest.Zone)) {
		t.Fatalf("tasks %+v", list)
	}
}

func TestManTeacherSearch(t *testing.T) {
	t.Parallel()
	m := newManEnv(t)
	names := []string{"Ёлкина Дарья Андреевна", "Иванов Игорь Олегович", "Иваненко Марина Юрьевна", "Абрамова Елена Ивановна",
		"Белов Андрей Сергеевич", "Волкова Нина Петровна", "Гусев Олег Ильич", "Данилова Ирина Львовна", "Егоров Павел Ильич"}
	for i, n := range names {
		m.Person(t, flowtest.User{ID: int64(820100 + i), First: "У"}, n, storage.RoleTeacher, m.org.ID)
	}
	m.Send(t, manQM, "🗂 Программа")
	m.PressLabel(t, manQM, "➕ Новая задача")
	m.Send(t, manQM, "Мониторинг")
	msgs := m.PressLabel(t, manQM, m.dirs[0].Name)
	// 11 teachers: two pages of 8.
	flowtest.Has(t, msgs, "Стр. 1 из 2")
	if !slices.Contains(m.Labels(manQM), "Далее ›") {
		t.Fatalf("no next page: %q", m.Labels(manQM))
	}
	// A few letters of the surname, any case.
	msgs = m.Send(t, manQM, "ИВА")
	flowtest.Has(t, msgs, "Нашлись по «ИВА»")
	got := flowtest.ButtonLabels(msgs)
	for _, want := range []string{"Иванов Игорь Олегович", "Иваненко Марина Юрьевна", "Иванова Анна Сергеевна"} {
		if !slices.Contains(got, want) {
			t.Fatalf("search lacks %q: %q", want, got)
		}
	}
	if slices.Contains(got, "Абрамова Елена Ивановна") || slices.Contains(got, "Петров Борис Ильич") {
		t.Fatalf("search shows others: %q", got)
	}
	m.PressLabel(t, manQM, "Иваненко Марина Юрьевна")
	// ё typed as е.
	if got := flowtest.ButtonLabels(m.Send(t, manQM, "елк")); !slices.Contains(got, "Ёлкина Дарья Андреевна") || slices.Contains(got, "Иванов Игорь Олегович") {
		t.Fatalf("ё search: %q", got)
	}
	m.PressLabel(t, manQM, "Ёлкина Дарья Андреевна")
	flowtest.Has(t, m.Send(t, manQM, "xyz"), "никого не нашлось")
	msgs = m.PressLabel(t, manQM, "👥 Показать всех")
	flowtest.Has(t, msgs, "Выбраны: Иваненко Марина Юрьевна, Ёлкина Дарья Андреевна")
	// Unticking.
	m.Send(t, manQM, "ива")
	m.PressLabel(t, manQM, "✅ Иваненко Марина Юрьевна")
	flowtest.Has(t, m.PressLabel(t, manQM, "Готово (1)"), "Ответственные: Ёлкина Дарья Андреевна")
}

func TestManTwoAssignees(t *testing.T) {
	t.Parallel()
	m := newManEnv(t)
	m.startTask(t, "Открытые уроки", "Иванова Анна Сергеевна", "Петров Борис Ильич")
	m.Send(t, manQM, "25.12.2026")
	msgs, _, as := m.finishTask(t, true)
	if len(as) != 2 {
		t.Fatalf("assignments %+v", as)
	}
	flowtest.Has(t, flowtest.To(msgs, manAnna), "Открытые уроки", "Вам назначена новая задача")
	flowtest.Has(t, flowtest.To(msgs, manBoris), "Открытые уроки", "Вам назначена новая задача")
	flowtest.Has(t, flowtest.To(msgs, manQM), "отправлена 2 ответственным", "Иванова Анна Сергеевна — назначена", "Петров Борис Ильич — назначена")
}

// report writes and sends p's report on task id through the store.
func (m *manEnv) report(t *testing.T, id int64, p storage.Person, comment string, ev ...storage.Evidence) {
	t.Helper()
	ctx := context.Background()
	r, err := m.Store.DraftReport(ctx, id, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	r.Comment = comment
	if err := m.Store.UpdateReport(ctx, r); err != nil {
		t.Fatal(err)
	}
	for _, e := range ev {
		if _, err := m.Store.AddEvidence(ctx, r.ID, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Store.SubmitReport(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if a := m.assignment(t, id, p); a.Status != storage.TaskDone {
		t.Fatalf("after the report: %s", a.Status)
	}
}

func TestManAcceptAndReturnReport(t *testing.T) {
	t.Parallel()
	m := newManEnv(t)
	tk := m.task(t, "Портфолио", time.Date(2026, 12, 1, 0, 0, 0, 0, flowtest.Zone), m.anna, m.boris)
	m.report(t, tk.ID, m.anna, "Всё собрано",
		storage.Evidence{Kind: "photo", FileID: "ph1", MediaGroupID: "g"}, storage.Evidence{Kind: "photo", FileID: "ph2", MediaGroupID: "g"},
		storage.Evidence{Kind: "document", FileID: "doc1", Name: "портфолио.pdf"}, storage.Evidence{Kind: "link", Name: "https://example.org/p"})
	m.report(t, tk.ID, m.boris, "Готово")

	// The card offers both reports.
	m.Send(t, manQM, "🗂 Программа")
	m.PressLabel(t, manQM, "📋 Все задачи")
	msgs := m.PressLabel(t, manQM, "1. Портфолио")
	flowtest.Has(t, msgs, "Иванова Анна Сергеевна — ждёт проверки")

	// The exact data the assignee's part sends.
	msgs = m.Press(t, manQM, fmt.Sprintf("tkm:rep:%d.%d", tk.ID, m.anna.ID))
	var album bot.Album
	var doc bot.Document
	for _, x := range msgs {
		switch x := x.(type) {
		case bot.Album:
			album = x
		case bot.Document:
			doc = x
		}
	}
	if len(album.Photos) != 2 || album.Photos[0].FileID != "ph1" || doc.FileID != "doc1" {
		t.Fatalf("evidence re-sent: %+v %+v", album, doc)
	}
	flowtest.Has(t, msgs, "Отчёт по задаче «Портфолио»", "Всё собрано", "2 фото, 1 документ, 1 ссылка", "https://example.org/p")
	msgs = m.PressLabel(t, manQM, "✅ Принять")
	flowtest.Has(t, msgs, "Отчёт принят")
	flowtest.Has(t, flowtest.To(msgs, manAnna), "Ваш отчёт по задаче «Портфолио» принят")
	if a := m.assignment(t, tk.ID, m.anna); a.Status != storage.TaskConfirmed || !a.NextRemindAt.IsZero() {
		t.Fatalf("accepted: %+v", a)
	}
	// A second press of an old button.
	msgs = m.Press(t, manQM, fmt.Sprintf("tkm:acc:%d.%d", tk.ID, m.anna.ID))
	flowtest.Has(t, msgs, "уже решено")

	// Boris's report goes back with a comment.
	m.Press(t, manQM, fmt.Sprintf("tkm:rep:%d.%d", tk.ID, m.boris.ID))
	flowtest.Has(t, m.PressLabel(t, manQM, "↩️ Вернуть"), "Напишите, что нужно доработать")
	msgs = m.Send(t, manQM, "Не хватает фотографий с урока")
	flowtest.Has(t, msgs, "возвращён на доработку")
	flowtest.Has(t, flowtest.To(msgs, manBoris), "Отчёт вернули на доработку", "Портфолио", "Не хватает фотографий с урока")
	a := m.assignment(t, tk.ID, m.boris)
	policy := storage.DefaultReminderPolicy(m.org.ID)
	next, _ := FirstReminder(policy, tk.Due, false, flowtest.Start, flowtest.Zone)
	if a.Status != storage.TaskReturned || a.Comment != "Не хватает фотографий с урока" || !a.NextRemindAt.Equal(next) {
		t.Fatalf("returned: %+v, want next %v", a, next)
	}
	if s := m.step(t, manQM); s != "" {
		t.Fatalf("step %q after returning", s)
	}
}

func TestManRequests(t *testing.T) {
	t.Parallel()
	m := newManEnv(t)
	ctx := context.Background()
	due := time.Date(2026, 12, 1, 0, 0, 0, 0, flowtest.Zone)
	tk := m.task(t, "Анкетирование", due, m.anna, m.boris)
	newDue := time.Date(2026, 12, 15, 0, 0, 0, 0, flowtest.Zone)
	req, err := m.Store.CreateRequest(ctx, storage.TaskRequest{TaskID: tk.ID, PersonID: m.anna.ID, Kind: storage.RequestPostpone,
		Reason: "Болею", NewDue: newDue, Status: "open", CreatedAt: flowtest.Start})
	if err != nil {
		t.Fatal(err)
	}
	m.Send(t, manQM, "🗂 Программа")
	msgs := m.Press(t, manQM, fmt.Sprintf("tkm:req:%d", req.ID))
	flowtest.Has(t, msgs, "Просьба перенести срок", "Иванова Анна Сергеевна", "Болею", "1 декабря 2026", "15 декабря 2026")
	msgs = m.PressLabel(t, manQM, "✅ Одобрить")
	flowtest.Has(t, msgs, "Перенос одобрен")
	flowtest.Has(t, flowtest.To(msgs, manAnna), "Перенос срока одобрен", "Анкетирование")
	flowtest.Has(t, flowtest.To(msgs, manBoris), "У задачи новый срок")
	r, err := m.Store.FindRequest(ctx, req.ID)
	if err != nil || r.Status != "approved" || r.DecidedBy != m.qm.ID {
		t.Fatalf("request %+v %v", r, err)
	}
	got, as := m.find(t, tk.ID)
	if !got.Due.Equal(newDue) {
		t.Fatalf("due %v, want %v", got.Due, newDue)
	}
	next, _ := FirstReminder(storage.DefaultReminderPolicy(m.org.ID), newDue, false, flowtest.Start, flowtest.Zone)
	for _, a := range as {
		if !a.NextRemindAt.Equal(next) {
			t.Fatalf("next reminder of %d: %v, want %v", a.PersonID, a.NextRemindAt, next)
		}
	}
	flowtest.Has(t, m.Press(t, manQM, fmt.Sprintf("tkm:reqok:%d", req.ID)), "уже решено")

	// Refused: the deadline stays.
	req2, err := m.Store.CreateRequest(ctx, storage.TaskRequest{TaskID: tk.ID, PersonID: m.boris.ID, Kind: storage.RequestPostpone,
		Reason: "Много работы", NewDue: time.Date(2026, 12, 25, 0, 0, 0, 0, flowtest.Zone), Status: "open", CreatedAt: flowtest.Start})
	if err != nil {
		t.Fatal(err)
	}
	m.Press(t, manQM, fmt.Sprintf("tkm:req:%d", req2.ID))
	msgs = m.PressLabel(t, manQM, "❌ Отказать")
	flowtest.Has(t, msgs, "В переносе отказано")
	flowtest.Has(t, flowtest.To(msgs, manBoris), "не одобрен", "15 декабря 2026")
	if r, _ := m.Store.FindRequest(ctx, req2.ID); r.Status != "refused" {
		t.Fatalf("request %+v", r)
	}
	if got, _ := m.find(t, tk.ID); !got.Due.Equal(newDue) {
		t.Fatalf("due moved on a refusal: %v", got.Due)
	}

	// A call for help is acknowledged.
	req3, err := m.Store.CreateRequest(ctx, storage.TaskRequest{TaskID: tk.ID, PersonID: m.boris.ID, Kind: storage.RequestHelp,
		Reason: "Не знаю, где взять анкеты", Status: "open", CreatedAt: flowtest.Start})
	if err != nil {
		t.Fatal(err)
	}
	msgs = m.Press(t, manQM, fmt.Sprintf("tkm:req:%d", req3.ID))
	flowtest.Has(t, msgs, "Просьба о помощи", "Не знаю, где взять анкеты")
	if slices.Contains(flowtest.ButtonLabels(msgs), "❌ Отказать") {
		t.Fatal("help can be refused")
	}
	msgs = m.PressLabel(t, manQM, "👌 Понятно")
	flowtest.Has(t, flowtest.To(msgs, manBoris), "прочитал вашу просьбу о помощи")
	if r, _ := m.Store.FindRequest(ctx, req3.ID); r.Status != "approved" {
		t.Fatalf("help request %+v", r)
	}
}

func TestManEditAndCancel(t *testing.T) {
	t.Parallel()
	m := newManEnv(t)
	tk := m.task(t, "Самоанализ", time.Date(2026, 12, 1, 0, 0, 0, 0, flowtest.Zone), m.anna)
	m.Send(t, manQM, "🗂 Программа")
	m.Press(t, manQM, fmt.Sprintf("tkm:task:%d", tk.ID))
	m.PressLabel(t, manQM, "✏️ Изменить")
	m.PressLabel(t, manQM, "Название")
	msgs := m.Send(t, manQM, "Самоанализ урока")
	flowtest.Has(t, msgs, "Сохранено", "📌 Самоанализ урока")
	flowtest.Has(t, flowtest.To(msgs, manAnna), "В задаче изменения", "Самоанализ урока")

	m.PressLabel(t, manQM, "✏️ Изменить")
	m.PressLabel(t, manQM, "Срок")
	flowtest.Has(t, m.Send(t, manQM, "01.01.2020"), "Эта дата уже прошла")
	msgs = m.PressLabel(t, manQM, "Через 2 недели (4 декабря)")
	flowtest.Has(t, flowtest.To(msgs, manAnna), "У задачи новый срок")
	got, as := m.find(t, tk.ID)
	want := time.Date(2026, 12, 4, 0, 0, 0, 0, flowtest.Zone)
	next, _ := FirstReminder(storage.DefaultReminderPolicy(m.org.ID), want, false, flowtest.Start, flowtest.Zone)
	if got.Title != "Самоанализ урока" || !got.Due.Equal(want) || !as[0].NextRemindAt.Equal(next) {
		t.Fatalf("edited %+v %+v", got, as)
	}

	m.PressLabel(t, manQM, "✏️ Изменить")
	m.PressLabel(t, manQM, "Сделать доказательства обязательными")
	if got, _ := m.find(t, tk.ID); !got.EvidenceRequired {
		t.Fatal("evidence not required")
	}

	m.PressLabel(t, manQM, "🗑 Отменить")
	msgs = m.PressLabel(t, manQM, "🗑 Да, отменить")
	flowtest.Has(t, msgs, "Задача отменена")
	flowtest.Has(t, flowtest.To(msgs, manAnna), "Задача «Самоанализ урока» отменена")
	if got, _ := m.find(t, tk.ID); got.CancelledAt.IsZero() {
		t.Fatal("not cancelled")
	}
	// Buttons of the cancelled task.
	flowtest.Has(t, m.Press(t, manQM, fmt.Sprintf("tkm:edit:%d", tk.ID)), "Эта задача отменена")
}

func TestManChartAndExport(t *testing.T) {
	t.Parallel()
	m := newManEnv(t)
	flowtest.Has(t, func() []bot.Message {
		m.Send(t, manQM, "🗂 Программа")
		return m.PressLabel(t, manQM, "📈 График")
	}(), "графику нечего показать")
	tk := m.task(t, "Курсы повышения квалификации", time.Date(2026, 12, 25, 0, 0, 0, 0, flowtest.Zone), m.anna, m.boris)
	m.report(t, tk.ID, m.anna, "Готово")
	m.task(t, "Анализ ВПР", time.Date(2026, 11, 25, 14, 0, 0, 0, flowtest.Zone), m.boris)
	m.Clock.Set(time.Date(2026, 12, 5, 10, 0, 0, 0, flowtest.Zone))

	m.Send(t, manQM, "🗂 Программа")
	msgs := m.PressLabel(t, manQM, "📈 График")
	var photo bot.Photo
	for _, x := range msgs {
		if p, ok := x.(bot.Photo); ok {
			photo = p
		}
	}
	img, err := png.Decode(bytes.NewReader(photo.Data))
	if err != nil {
		t.Fatalf("chart: %v", err)
	}
	if img.Bounds().Dx() < 300 {
		t.Fatalf("chart %v", img.Bounds())
	}
	flowtest.Has(t, msgs, "3 назначения", "просрочено 1")

	doc := manDocument(t, m.PressLabel(t, manQM, "📄 Excel"))
	if !strings.HasSuffix(doc.Name, ".xlsx") || !strings.Contains(doc.Caption, "2 задачи") {
		t.Fatalf("document %q %q", doc.Name, doc.Caption)
	}
	f, err := excelize.OpenReader(bytes.NewReader(doc.Data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, ",") != "Программа,Сводка" {
		t.Fatalf("sheets %q", got)
	}
	rows, err := f.GetRows("Программа")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], "|") != "№|Направление|Мероприятие|Описание|Ответственный|Срок|Статус|Доказательства" {
		t.Fatalf("header %q", rows[0])
	}
	if len(rows) != 3 {
		t.Fatalf("rows %q", rows)
	}
	byTitle := map[string][]string{}
	for _, r := range rows[1:] {
		byTitle[r[2]] = r
	}
	r := byTitle["Курсы повышения квалификации"]
	if r == nil || r[1] != m.dirs[0].Name || r[4] != "Иванова Анна Сергеевна; Петров Борис Ильич" || r[5] != "25.12.2026" ||
		r[6] != "назначена — 1, ждёт проверки — 1" || r[7] != "не обязательны" {
		t.Fatalf("row %q", r)
	}
	r = byTitle["Анализ ВПР"]
	if r == nil || r[5] != "25.11.2026 14:00" || r[6] != "назначена (просрочена)" {
		t.Fatalf("row %q", r)
	}
	sum, err := f.GetRows("Сводка")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(sum[0], "|") != "Направление|Задач|назначена|принята|ждёт проверки|на доработке|подтверждена|Просрочено" {
		t.Fatalf("summary header %q", sum[0])
	}
	last := sum[len(sum)-1]
	if strings.Join(last, "|") != "Итого|2|2|0|1|0|0|1" {
		t.Fatalf("summary total %q", last)
	}
}

// manWorkbookOf writes a programme workbook with the template's header and
// rows of cells.
func manWorkbookOf(t *testing.T, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	all := append([][]any{{"Направление", "Мероприятие", "Описание", "Ответственный", "Срок", "Доказательства обязательны (да/нет)"}}, rows...)
	for i, r := range all {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestManImport(t *testing.T) {
	t.Parallel()
	m := newManEnv(t)
	m.Send(t, manQM, "🗂 Программа")
	msgs := m.PressLabel(t, manQM, "📥 Импорт из Excel")
	tpl := manDocument(t, msgs)
	flowtest.Has(t, msgs, "Заполните шаблон")
	f, err := excelize.OpenReader(bytes.NewReader(tpl.Data))
	if err != nil {
		t.Fatal(err)
	}
	header, _ := f.GetRows("Программа")
	teachers, _ := f.GetRows("Учителя")
	f.Close()
	if strings.Join(header[0], "|") != "Направление|Мероприятие|Описание|Ответственный|Срок|Доказательства обязательны (да/нет)" ||
		len(teachers) != 3 || teachers[1][0] != "Иванова Анна Сергеевна" {
		t.Fatalf("template %q %q", header, teachers)
	}

	// Errors by row; nothing imported; the step waits for a corrected file.
	bad := manWorkbookOf(t,
		[]any{m.dirs[0].Name, "Курсы", "", "Иванова А.С.", "25.12.2026", "да"},
		[]any{m.dirs[0].Name, "", "", "Сидоров", "01.01.2020", "может"},
		[]any{"Новое направление", "Конкурс", "", "Петров Борис Ильич", "завтра", "нет"},
	)
	msgs = m.upload(t, manQM, "программа.xlsx", bad)
	flowtest.Has(t, msgs, "В файле 4 ошибки", "Строка 3: не указано мероприятие", "Строка 3: «Сидоров» нет среди учителей",
		"Строка 3: срок «01.01.2020» уже прошёл", "Строка 3: в столбце доказательств «может»", "Ничего не загружено")
	flowtest.Lacks(t, msgs, "Строка 2", "Строка 4")
	if n := len(m.tasks(t)); n != 0 {
		t.Fatalf("%d tasks imported from a bad file", n)
	}
	if s := m.step(t, manQM); s != stepManImport {
		t.Fatalf("step %q", s)
	}
	flowtest.Has(t, m.Send(t, manQM, "вот"), "Жду файл Excel")

	good := manWorkbookOf(t,
		[]any{m.dirs[0].Name, "Курсы", "72 часа", "Иванова А.С.; Петров Борис Ильич", time.Date(2026, 12, 25, 0, 0, 0, 0, time.UTC), "да"},
		[]any{"Новое направление", "Конкурс", "", "Петров Борис Ильич", "25.12.2026 14:00", "нет"},
	)
	msgs = m.upload(t, manQM, "программа.xlsx", good)
	flowtest.Has(t, msgs, "Программа загружена: 2 задачи", "Новое направление")
	flowtest.Has(t, flowtest.To(msgs, manBoris), "добавлены 2 ваши задачи")
	flowtest.Has(t, flowtest.To(msgs, manAnna), "добавлена 1 ваша задача")
	list := m.tasks(t)
	if len(list) != 2 {
		t.Fatalf("tasks %+v", list)
	}
	for _, tk := range list {
		_, as := m.find(t, tk.ID)
		for _, a := range as {
			if a.NextRemindAt.IsZero() {
				t.Fatalf("task %q: no reminder for %d", tk.Title, a.PersonID)
			}
		}
		if tk.Title == "Курсы" && (len(as) != 2 || !tk.EvidenceRequired || tk.Description != "72 часа" ||
			!tk.Due.Equal(time.Date(2026, 12, 25, 0, 0, 0, 0, flowtest.Zone))) {
			t.Fatalf("imported %+v %+v", tk, as)
		}
		if tk.Title == "Конкурс" && (!tk.HasTime || !tk.Due.Equal(time.Date(2026, 12, 25, 14, 0, 0, 0, flowtest.Zone))) {
			t.Fatalf("imported %+v", tk)
		}
	}
	if s := m.step(t, manQM); s != "" {
		t.Fatalf("step %q after the import", s)
	}
}

func TestManRoleGating(t *testing.T) {
	t.Parallel()
	m := newManEnv(t)
	ctx := context.Background()
	tk := m.task(t, "Секретная", time.Date(2026, 12, 1, 0, 0, 0, 0, flowtest.Zone), m.anna)
	m.report(t, tk.ID, m.anna, "Сделано")
	req, err := m.Store.CreateRequest(ctx, storage.TaskRequest{TaskID: tk.ID, PersonID: m.anna.ID, Kind: storage.RequestHelp,
		Reason: "Помогите", Status: "open", CreatedAt: flowtest.Start})
	if err != nil {
		t.Fatal(err)
	}
	o, ts, rp := m.org.ID, tk.ID, fmt.Sprintf("%d.%d", tk.ID, m.anna.ID)
	data := []string{
		fmt.Sprintf("tkm:prog:%d", o), fmt.Sprintf("tkm:list:%d.1", o), fmt.Sprintf("tkm:over:%d.1", o),
		fmt.Sprintf("tkm:chart:%d", o), fmt.Sprintf("tkm:xlsx:%d", o), fmt.Sprintf("tkm:imp:%d", o), fmt.Sprintf("tkm:new:%d", o),
		fmt.Sprintf("tkm:task:%d", ts), fmt.Sprintf("tkm:edit:%d", ts), fmt.Sprintf("tkm:et:%d", ts), fmt.Sprintf("tkm:ed:%d", ts),
		fmt.Sprintf("tkm:edd:%d.20261224", ts), fmt.Sprintf("tkm:ee:%d.1", ts), fmt.Sprintf("tkm:cancel:%d", ts),
		fmt.Sprintf("tkm:cancelok:%d", ts), "tkm:rep:" + rp, "tkm:acc:" + rp, "tkm:ret:" + rp,
		fmt.Sprintf("tkm:req:%d", req.ID), fmt.Sprintf("tkm:reqok:%d", req.ID), fmt.Sprintf("tkm:reqno:%d", req.ID),
	}
	// Buttons that act on the person's own new task: forbidden to anyone
	// without the right; for another school's manager, they name nothing.
	own := []string{"tkm:dir:1", "tkm:who:1.1", "tkm:whop:1", "tkm:whoall:", "tkm:whook:", "tkm:due:20261224", "tkm:ev:1",
		"tkm:fix:1", "tkm:create:", "tkm:abort:", "tkm:resume:"}
	for _, u := range []flowtest.User{manAnna, manStranger, manOtherQM} {
		// Something in the chat to press on.
		m.Send(t, u, "/start")
		msgs := m.Send(t, u, "🗂 Программа")
		if u != manOtherQM {
			flowtest.Has(t, msgs, "Это действие вам недоступно")
		} else {
			flowtest.Has(t, msgs, "Гимназия № 2")
			flowtest.Lacks(t, msgs, "СОШ № 5")
		}
		for _, d := range data {
			msgs := m.Press(t, u, d)
			flowtest.Has(t, msgs, "Это действие вам недоступно")
			flowtest.Lacks(t, msgs, "Секретная", "Сделано", "Помогите")
			for _, x := range msgs {
				if x.Chat() != u.ID && x.Chat() != 0 {
					t.Fatalf("%d pressing %s: a message to %d", u.ID, d, x.Chat())
				}
				if _, ok := x.(bot.Document); ok {
					t.Fatalf("%d pressing %s: a document", u.ID, d)
				}
			}
		}
		for _, d := range own {
			msgs := m.Press(t, u, d)
			if u == manOtherQM {
				flowtest.Has(t, msgs, "Эта кнопка устарела")
			} else {
				flowtest.Has(t, msgs, "Это действие вам недоступно")
			}
		}
	}
	got, as := m.find(t, tk.ID)
	if !got.CancelledAt.IsZero() || got.EvidenceRequired || !got.Due.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, flowtest.Zone)) || as[0].Status != storage.TaskDone {
		t.Fatalf("changed by a stranger: %+v %+v", got, as)
	}
	if r, _ := m.Store.FindRequest(ctx, req.ID); r.Status != "open" {
		t.Fatalf("request decided by a stranger: %+v", r)
	}
	if n := len(m.tasks(t)); n != 1 {
		t.Fatalf("%d tasks", n)
	}
}
