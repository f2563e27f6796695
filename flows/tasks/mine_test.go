package tasks

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/flowtest"
	"smkbot/storage"
)

// The people of the assignee tests.
var (
	mineManager = flowtest.User{ID: 810001, First: "Ольга"}
	mineAnna    = flowtest.User{ID: 810002, First: "Анна"}
	mineBoris   = flowtest.User{ID: 810003, First: "Борис"}
)

type mineEnv struct {
	*flowtest.Env
	org     storage.Organisation
	dir     storage.Direction
	manager storage.Person
	anna    storage.Person
	boris   storage.Person
	next    int // ids of updates and messages sent past the harness
}

// newMineEnv builds a bot with the assignee's part, a school with its
// quality manager and two teachers, and the school's programme.
func newMineEnv(t *testing.T) *mineEnv {
	t.Helper()
	f := &Flow{Location: flowtest.Zone}
	e := flowtest.New(t, func(r *flows.Router, e *flowtest.Env) {
		f.Store = e.Store
		f.registerMine(r)
	})
	m := &mineEnv{Env: e, next: 1 << 20}
	m.org = e.Org(t, "СОШ № 7")
	m.manager = e.Person(t, mineManager, "Смирнова Ольга Петровна", storage.RoleQualityManager, m.org.ID)
	m.anna = e.Person(t, mineAnna, "Иванова Анна Сергеевна", storage.RoleTeacher, m.org.ID)
	m.boris = e.Person(t, mineBoris, "Петров Борис Ильич", storage.RoleTeacher, m.org.ID)
	_, dirs, err := e.Store.EnsureProgramme(context.Background(), m.manager.ID, m.org.ID, SchoolYear(flowtest.Start))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("the programme has no directions")
	}
	m.dir = dirs[0]
	return m
}

// task creates a task due on day (a local date, with the time when hasTime)
// for the assignees.
func (m *mineEnv) task(t *testing.T, title string, due time.Time, hasTime, evidence bool, who ...storage.Person) storage.Task {
	t.Helper()
	ctx := context.Background()
	prog, _, err := m.Store.EnsureProgramme(ctx, m.manager.ID, m.org.ID, SchoolYear(flowtest.Start))
	if err != nil {
		t.Fatal(err)
	}
	var as []storage.Assignment
	for _, p := range who {
		as = append(as, storage.Assignment{PersonID: p.ID, Status: storage.TaskAssigned})
	}
	tk, err := m.Store.CreateTask(ctx, m.manager.ID, storage.Task{
		ProgrammeID: prog.ID, OrgID: m.org.ID, DirectionID: m.dir.ID, Title: title,
		Description: "Подробности у руководителя.", Due: due, HasTime: hasTime, EvidenceRequired: evidence,
		CreatedBy: m.manager.ID,
	}, as)
	if err != nil {
		t.Fatalf("create task %q: %v", title, err)
	}
	return tk
}

// day is a local date at 00:00 (with the time h:mm when given).
func mineDayAt(y int, mo time.Month, d int, hm ...int) time.Time {
	h, mi := 0, 0
	if len(hm) == 2 {
		h, mi = hm[0], hm[1]
	}
	return time.Date(y, mo, d, h, mi, 0, 0, flowtest.Zone)
}

// file sends a photo (or a document, when name is set) from u, in the
// media group when group is set. The harness sends only text and presses,
// so the update goes to the router directly and its replies are returned,
// not added to the chat's record.
func (m *mineEnv) file(t *testing.T, u flowtest.User, id, name, group, caption string) []bot.Message {
	t.Helper()
	m.next++
	upd := bot.Update{ID: m.next, ChatID: u.ID, Private: true, From: bot.User{ID: u.ID, FirstName: u.First},
		MessageID: m.next, Text: caption, MediaGroupID: group}
	f := &bot.File{ID: id, UniqueID: "u" + id, Name: name, Size: 1000}
	if name == "" {
		upd.Photo = f
	} else {
		upd.Document = f
	}
	msgs, err := m.Router.Handle(context.Background(), upd)
	if err != nil {
		t.Fatalf("file: %v", err)
	}
	if s := flowtest.Joined(msgs); strings.Contains(s, "⟦") {
		t.Fatalf("missing locale message in %q", s)
	}
	return msgs
}

// assignment is the stored assignment of p in task id.
func (m *mineEnv) assignment(t *testing.T, id int64, p storage.Person) storage.Assignment {
	t.Helper()
	_, as, err := m.Store.FindTask(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.PersonID == p.ID {
			return a
		}
	}
	t.Fatalf("task %d has no assignment of %d", id, p.ID)
	return storage.Assignment{}
}

// step is the step u's session is at ("" for none).
func (m *mineEnv) step(t *testing.T, u flowtest.User) string {
	t.Helper()
	s, _, err := m.Sessions.Get(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s.Step
}

// notices are the pop-up answers to presses in msgs.
func mineNotices(msgs []bot.Message) []string {
	var out []string
	for _, m := range msgs {
		if a, ok := m.(bot.CallbackAnswer); ok {
			out = append(out, a.Text)
		}
	}
	return out
}

// open shows the card of the task titled title from /tasks.
func (m *mineEnv) open(t *testing.T, u flowtest.User, n int, title string) []bot.Message {
	t.Helper()
	m.Send(t, u, "/tasks")
	return m.PressLabel(t, u, fmt.Sprintf("%d. %s", n, title))
}

func TestMineAcceptAndAlbumReport(t *testing.T) {
	m := newMineEnv(t)
	tk := m.task(t, "Обновить стенд по ФГОС", mineDayAt(2026, time.November, 25, 14, 0), true, true, m.anna)

	card := m.open(t, mineAnna, 1, tk.Title)
	flowtest.Has(t, card, "📌 Обновить стенд по ФГОС", "Направление: "+m.dir.Name, "Подробности у руководителя.",
		"Срок: до 25 ноября, 14:00", "обязательно", "назначена")
	if got := m.Labels(mineAnna); !slices.Contains(got, "✅ Принять") || !slices.Contains(got, "🆘 Нужна помощь") {
		t.Fatalf("card buttons %q", got)
	}

	before := m.assignment(t, tk.ID, m.anna)
	msgs := m.PressLabel(t, mineAnna, "✅ Принять")
	flowtest.Has(t, flowtest.To(msgs, mineAnna), "принята в работу")
	flowtest.Has(t, flowtest.To(msgs, mineManager), "Иванова Анна Сергеевна", "«Обновить стенд по ФГОС» принята")
	if got := m.Labels(mineAnna); slices.Contains(got, "✅ Принять") || !slices.Contains(got, "📎 Выполнено") {
		t.Fatalf("after accepting, the card's buttons are %q", got)
	}
	a := m.assignment(t, tk.ID, m.anna)
	if a.Status != storage.TaskAccepted || !a.NextRemindAt.Equal(before.NextRemindAt) {
		t.Fatalf("accepted assignment %+v, before %+v", a, before)
	}

	m.PressLabel(t, mineAnna, "📎 Выполнено")
	if got := m.step(t, mineAnna); got != stepMineReport {
		t.Fatalf("step %q", got)
	}
	var replies int
	for i, id := range []string{"ph1", "ph2", "ph3"} {
		msgs := m.file(t, mineAnna, id, "", "album-1", "")
		replies += len(msgs)
		if i == 0 {
			flowtest.Has(t, msgs, "Альбом получен", "Отправить отчёт")
		}
	}
	if replies != 1 {
		t.Fatalf("an album of 3 photos got %d replies, want 1", replies)
	}
	flowtest.Has(t, m.Send(t, mineAnna, "Стенд обновлён, фото прилагаю."), "Комментарий сохранён")
	flowtest.Has(t, m.file(t, mineAnna, "ph4", "", "", ""), "Получено: 4 фото")

	msgs = m.PressLabel(t, mineAnna, "📤 Отправить отчёт")
	flowtest.Has(t, flowtest.To(msgs, mineAnna), "Отчёт по задаче «Обновить стенд по ФГОС» отправлен: 4 фото", "ждёт проверки")
	if m.step(t, mineAnna) != "" {
		t.Fatal("the report step did not end")
	}
	if got := m.Labels(mineAnna); slices.Contains(got, "📎 Выполнено") {
		t.Fatalf("the card still offers %q", got)
	}
	toMgr := flowtest.To(msgs, mineManager)
	flowtest.Has(t, toMgr, "Отчёт по задаче «Обновить стенд по ФГОС»", "Иванова Анна Сергеевна", "Стенд обновлён", "4 фото")
	want := fmt.Sprintf("tkm:rep:%d.%d", tk.ID, m.anna.ID)
	if !slices.Contains(flowtest.ButtonData(toMgr), want) {
		t.Fatalf("the manager's buttons %q lack %q", flowtest.ButtonData(toMgr), want)
	}
	var photos []string
	for _, msg := range toMgr {
		switch msg := msg.(type) {
		case bot.Album:
			for _, p := range msg.Photos {
				photos = append(photos, p.FileID)
			}
		case bot.Photo:
			photos = append(photos, msg.FileID)
		}
	}
	if !slices.Equal(photos, []string{"ph1", "ph2", "ph3", "ph4"}) {
		t.Fatalf("the manager got photos %q", photos)
	}
	if a := m.assignment(t, tk.ID, m.anna); a.Status != storage.TaskDone {
		t.Fatalf("status after the report %q", a.Status)
	}
	r, err := m.Store.LastReport(context.Background(), tk.ID, m.anna.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.SentAt.IsZero() || len(r.Evidence) != 4 || r.Comment != "Стенд обновлён, фото прилагаю." {
		t.Fatalf("stored report %+v", r)
	}
	// The buttons of the done task are stale now.
	if n := mineNotices(m.Press(t, mineAnna, flows.CB(cbMine, mineDone, tk.ID))); !slices.Contains(n, "Эта кнопка устарела.") {
		t.Fatalf("a press on a reported task: %q", n)
	}
}

func TestMineRequiredEvidenceAndLink(t *testing.T) {
	m := newMineEnv(t)
	tk := m.task(t, "Протокол педсовета", mineDayAt(2026, time.November, 27), false, true, m.anna)
	m.open(t, mineAnna, 1, tk.Title)
	flowtest.Has(t, m.PressLabel(t, mineAnna, "📎 Выполнено"), "подтверждение обязательно")
	flowtest.Has(t, m.Send(t, mineAnna, "Всё сделано"), "Комментарий сохранён")

	msgs := m.PressLabel(t, mineAnna, "📤 Отправить отчёт")
	flowtest.Has(t, msgs, "нужно подтверждение")
	if len(flowtest.To(msgs, mineManager)) != 0 || m.step(t, mineAnna) != stepMineReport {
		t.Fatal("a report without required evidence went out")
	}
	if a := m.assignment(t, tk.ID, m.anna); a.Status != storage.TaskAssigned {
		t.Fatalf("status %q", a.Status)
	}

	flowtest.Has(t, m.Send(t, mineAnna, "Протокол тут: https://school7.example/docs/protokol-3.pdf."), "Ссылка сохранена")
	flowtest.Has(t, m.file(t, mineAnna, "doc1", "protokol.pdf", "", ""), "Документ «protokol.pdf» сохранён")
	msgs = m.PressLabel(t, mineAnna, "📤 Отправить отчёт")
	flowtest.Has(t, flowtest.To(msgs, mineAnna), "1 документ, 1 ссылка")
	toMgr := flowtest.To(msgs, mineManager)
	flowtest.Has(t, toMgr, "https://school7.example/docs/protokol-3.pdf", "Всё сделано\nПротокол тут:")
	var docs int
	for _, msg := range toMgr {
		if d, ok := msg.(bot.Document); ok && d.FileID == "doc1" {
			docs++
		}
	}
	if docs != 1 {
		t.Fatalf("the manager got %d documents", docs)
	}
}

func TestMineReturnedAndReportedAgain(t *testing.T) {
	m := newMineEnv(t)
	tk := m.task(t, "План работы МО", mineDayAt(2026, time.November, 30), false, false, m.anna)
	m.open(t, mineAnna, 1, tk.Title)
	m.PressLabel(t, mineAnna, "📎 Выполнено")
	m.Send(t, mineAnna, "План готов")
	m.PressLabel(t, mineAnna, "📤 Отправить отчёт")

	// The manager returns the report with a comment.
	a := m.assignment(t, tk.ID, m.anna)
	a.Status, a.Comment, a.StatusAt = storage.TaskReturned, "Добавьте график заседаний", m.Clock.Now()
	if err := m.Store.SetAssignment(context.Background(), m.manager.ID, a); err != nil {
		t.Fatal(err)
	}

	card := m.open(t, mineAnna, 1, tk.Title)
	flowtest.Has(t, card, "возвращена на доработку", "Комментарий руководителя:\nДобавьте график заседаний")
	if got := m.Labels(mineAnna); slices.Contains(got, "✅ Принять") || !slices.Contains(got, "📎 Выполнено") {
		t.Fatalf("returned card buttons %q", got)
	}
	msgs := m.PressLabel(t, mineAnna, "📎 Выполнено")
	flowtest.Lacks(t, msgs, "В черновике уже есть")
	m.file(t, mineAnna, "graph", "grafik.xlsx", "", "График на втором листе")
	msgs = m.PressLabel(t, mineAnna, "📤 Отправить отчёт")
	flowtest.Has(t, flowtest.To(msgs, mineManager), "График на втором листе", "1 документ")
	flowtest.Lacks(t, flowtest.To(msgs, mineManager), "План готов")
	if a := m.assignment(t, tk.ID, m.anna); a.Status != storage.TaskDone {
		t.Fatalf("status after the second report %q", a.Status)
	}
}

func TestMinePostpone(t *testing.T) {
	m := newMineEnv(t)
	tk := m.task(t, "Анализ ВПР", mineDayAt(2026, time.November, 27, 16, 30), true, false, m.anna)
	m.open(t, mineAnna, 1, tk.Title)

	ask := func() {
		t.Helper()
		flowtest.Has(t, m.PressLabel(t, mineAnna, "📅 Перенести срок"), "Сейчас срок — до 27 ноября, 16:30")
	}
	ask()
	// Past dates and dates not after the deadline are refused; the step stays.
	flowtest.Has(t, m.Send(t, mineAnna, "19.11.2026"), "Эта дата уже прошла")
	flowtest.Has(t, m.Send(t, mineAnna, "вчера"), "Не получилось понять дату")
	flowtest.Has(t, m.Send(t, mineAnna, "26.11"), "позже нынешнего")
	// Each accepted form reaches the reason question.
	for _, c := range []struct{ typed, date string }{
		{"25.12", "25 декабря"},
		{"25 декабря", "25 декабря"},
		{"2026-12-04", "4 декабря"},
		{"через 2 недели", "4 декабря"},
		{"10/12/26", "10 декабря"},
	} {
		if got := m.step(t, mineAnna); got != stepMineDue {
			t.Fatalf("%q: step %q", c.typed, got)
		}
		flowtest.Has(t, m.Send(t, mineAnna, c.typed), "Почему нужно перенести срок до "+c.date)
		flowtest.Has(t, m.PressLabel(t, mineAnna, "Отмена"), "ничего не отправлено")
		m.open(t, mineAnna, 1, tk.Title)
		ask()
	}
	// The quick button: a week past the deadline.
	flowtest.Has(t, m.PressLabel(t, mineAnna, "до 4 декабря (+1 нед.)"), "Перенос срока задачи «Анализ ВПР»: до 4 декабря")
	msgs := m.Send(t, mineAnna, "Результаты придут только 1 декабря")
	flowtest.Has(t, flowtest.To(msgs, mineAnna), "Просьба о переносе срока отправлена")
	toMgr := flowtest.To(msgs, mineManager)
	flowtest.Has(t, toMgr, "Иванова Анна Сергеевна просит перенести срок задачи «Анализ ВПР» с 27 ноября, 16:30 на 4 декабря, 16:30",
		"Результаты придут только 1 декабря")
	var reqID int64
	for _, d := range flowtest.ButtonData(toMgr) {
		if _, err := fmt.Sscanf(d, "tkm:req:%d", &reqID); err == nil {
			break
		}
	}
	req, err := m.Store.FindRequest(context.Background(), reqID)
	if err != nil {
		t.Fatalf("request %d from %q: %v", reqID, flowtest.ButtonData(toMgr), err)
	}
	if req.Kind != storage.RequestPostpone || req.TaskID != tk.ID || req.PersonID != m.anna.ID ||
		!req.NewDue.Equal(mineDayAt(2026, time.December, 4, 16, 30)) {
		t.Fatalf("stored request %+v", req)
	}
	if m.step(t, mineAnna) != "" {
		t.Fatal("the request did not end the conversation")
	}

	// A second open request of the kind is refused plainly.
	m.open(t, mineAnna, 1, tk.Title)
	ask()
	m.Send(t, mineAnna, "20.12")
	msgs = m.Send(t, mineAnna, "Ещё раз прошу")
	flowtest.Has(t, msgs, "ещё ждёт ответа")
	if len(flowtest.To(msgs, mineManager)) != 0 {
		t.Fatal("the manager was told of a refused request")
	}
}

func TestMineHelp(t *testing.T) {
	m := newMineEnv(t)
	tk := m.task(t, "Открытый урок", mineDayAt(2026, time.December, 10), false, false, m.anna)
	m.open(t, mineAnna, 1, tk.Title)
	flowtest.Has(t, m.PressLabel(t, mineAnna, "🆘 Нужна помощь"), "Помощь по задаче «Открытый урок»")
	flowtest.Has(t, m.file(t, mineAnna, "ph", "", "", ""), "причину текстом")
	msgs := m.Send(t, mineAnna, "Нет проектора в кабинете 12")
	flowtest.Has(t, flowtest.To(msgs, mineAnna), "Просьба о помощи отправлена")
	toMgr := flowtest.To(msgs, mineManager)
	flowtest.Has(t, toMgr, "Иванова Анна Сергеевна просит помощи по задаче «Открытый урок»", "Нет проектора в кабинете 12")
	data := flowtest.ButtonData(toMgr)
	if len(data) != 1 || !strings.HasPrefix(data[0], "tkm:req:") {
		t.Fatalf("the manager's buttons %q", data)
	}
	if a := m.assignment(t, tk.ID, m.anna); a.Status != storage.TaskAssigned {
		t.Fatalf("asking for help changed the status to %q", a.Status)
	}
}

func TestMineTwoAssignees(t *testing.T) {
	m := newMineEnv(t)
	tk := m.task(t, "Мониторинг сайта", mineDayAt(2026, time.December, 1), false, false, m.anna, m.boris)

	m.open(t, mineAnna, 1, tk.Title)
	m.PressLabel(t, mineAnna, "📎 Выполнено")
	m.Send(t, mineAnna, "Раздел «Сведения» проверен")
	msgs := m.PressLabel(t, mineAnna, "📤 Отправить отчёт")
	if !slices.Contains(flowtest.ButtonData(flowtest.To(msgs, mineManager)), fmt.Sprintf("tkm:rep:%d.%d", tk.ID, m.anna.ID)) {
		t.Fatalf("Anna's report button: %q", flowtest.ButtonData(msgs))
	}
	if a := m.assignment(t, tk.ID, m.boris); a.Status != storage.TaskAssigned {
		t.Fatalf("Boris's status after Anna's report: %q", a.Status)
	}
	card := m.open(t, mineBoris, 1, tk.Title)
	flowtest.Has(t, card, "назначена")
	m.PressLabel(t, mineBoris, "✅ Принять")
	m.PressLabel(t, mineBoris, "📎 Выполнено")
	flowtest.Lacks(t, m.Send(t, mineBoris, "Раздел «Документы» проверен"), "Сведения")
	msgs = m.PressLabel(t, mineBoris, "📤 Отправить отчёт")
	toMgr := flowtest.To(msgs, mineManager)
	flowtest.Has(t, toMgr, "Петров Борис Ильич", "Раздел «Документы» проверен")
	flowtest.Lacks(t, toMgr, "Сведения")
	if !slices.Contains(flowtest.ButtonData(toMgr), fmt.Sprintf("tkm:rep:%d.%d", tk.ID, m.boris.ID)) {
		t.Fatalf("Boris's report button: %q", flowtest.ButtonData(toMgr))
	}
	for _, p := range []storage.Person{m.anna, m.boris} {
		if a := m.assignment(t, tk.ID, p); a.Status != storage.TaskDone {
			t.Fatalf("status of %d: %q", p.ID, a.Status)
		}
	}
}

func TestMineList(t *testing.T) {
	m := newMineEnv(t)
	flowtest.Has(t, m.Send(t, mineAnna, "📌 Мои задачи"), "Открытых задач у вас нет")

	// A task overdue now: made while its deadline was ahead.
	m.Clock.Set(flowtest.Start.AddDate(0, 0, -10))
	m.task(t, "Просроченная", mineDayAt(2026, time.November, 18), false, false, m.anna)
	m.Clock.Set(flowtest.Start)
	m.task(t, "Поздняя", mineDayAt(2026, time.December, 20), false, false, m.anna)
	m.task(t, "Сегодняшняя", mineDayAt(2026, time.November, 20), false, false, m.anna)
	m.task(t, "Чужая", mineDayAt(2026, time.November, 21), false, false, m.boris)
	for i := range 7 {
		m.task(t, fmt.Sprintf("Следующая %d", i+1), mineDayAt(2027, time.January, 10+i), false, false, m.anna)
	}

	msgs := m.Send(t, mineAnna, "/tasks")
	text := flowtest.Joined(msgs)
	flowtest.Has(t, msgs, "У вас 10 открытых задач", "1. ⚠️ Просроченная\nдо 18 ноября", "2. Сегодняшняя\nдо 20 ноября",
		"3. Поздняя\nдо 20 декабря", "4. Следующая 1\nдо 10 января 2027", "Стр. 1 из 2")
	flowtest.Lacks(t, msgs, "Чужая", "⚠️ Сегодняшняя", "Следующая 6")
	if strings.Index(text, "Просроченная") > strings.Index(text, "Сегодняшняя") {
		t.Fatal("not ordered by deadline")
	}
	flowtest.Has(t, m.PressLabel(t, mineAnna, "Далее ›"), "9. Следующая 6", "10. Следующая 7", "Стр. 2 из 2")
	card := m.PressLabel(t, mineAnna, "10. Следующая 7")
	flowtest.Has(t, card, "📌 Следующая 7", "до 16 января 2027")
	flowtest.Has(t, m.PressLabel(t, mineAnna, "‹ К списку"), "Стр. 2 из 2")
	card = m.open(t, mineAnna, 1, "⚠️ Просроченная")
	flowtest.Has(t, card, "Срок: до 18 ноября — ⚠️ просрочено")

	// A reported task leaves the list and is counted as waiting.
	m.PressLabel(t, mineAnna, "📎 Выполнено")
	flowtest.Has(t, m.PressLabel(t, mineAnna, "📤 Отправить отчёт"), "Отчёт пока пустой")
	m.Send(t, mineAnna, "Сделано с опозданием, простите")
	m.PressLabel(t, mineAnna, "📤 Отправить отчёт")
	flowtest.Has(t, m.Send(t, mineAnna, "/tasks"), "У вас 9 открытых задач", "Ещё 1 отчёт ждёт проверки")
}

func TestMineForged(t *testing.T) {
	m := newMineEnv(t)
	tk := m.task(t, "Задача Анны", mineDayAt(2026, time.December, 1), false, false, m.anna)
	m.Send(t, mineBoris, "/tasks")
	for _, action := range []string{mineOpen, mineAccept, mineDone, mineSend, mineHelp, minePost, mineCancel} {
		msgs := m.Press(t, mineBoris, flows.CB(cbMine, action, tk.ID))
		if n := mineNotices(msgs); !slices.Contains(n, "Это действие вам недоступно.") {
			t.Fatalf("Boris pressed %s of Anna's task: %q", action, flowtest.Joined(msgs))
		}
		flowtest.Lacks(t, msgs, "Задача Анны")
	}
	for _, data := range []string{
		flows.CB(cbMine, mineCardA, fmt.Sprintf("%d.1", tk.ID)),
		flows.CB(cbMine, mineDate, fmt.Sprintf("%d.20261210", tk.ID)),
	} {
		if n := mineNotices(m.Press(t, mineBoris, data)); !slices.Contains(n, "Это действие вам недоступно.") {
			t.Fatalf("Boris pressed %s: %q", data, n)
		}
	}
	// Unknown tasks and malformed arguments are stale.
	m.Send(t, mineAnna, "/tasks")
	for _, data := range []string{"tk:acc:999999", "tk:acc:", "tk:acc:1.2", "tk:card:5", "tk:pdate:" + fmt.Sprint(tk.ID)} {
		if n := mineNotices(m.Press(t, mineAnna, data)); !slices.Contains(n, "Эта кнопка устарела.") {
			t.Fatalf("Anna pressed %s: %q", data, n)
		}
	}
	// A second accept is stale; an unregistered person is refused.
	m.open(t, mineAnna, 1, tk.Title)
	m.PressLabel(t, mineAnna, "✅ Принять")
	if n := mineNotices(m.Press(t, mineAnna, flows.CB(cbMine, mineAccept, tk.ID))); !slices.Contains(n, "Эта кнопка устарела.") {
		t.Fatalf("a second accept: %q", n)
	}
	stranger := flowtest.User{ID: 810099, First: "Гость"}
	flowtest.Has(t, m.Send(t, stranger, "/tasks"), "Это действие вам недоступно.")
	if a := m.assignment(t, tk.ID, m.anna); a.Status != storage.TaskAccepted {
		t.Fatalf("status %q", a.Status)
	}
}
