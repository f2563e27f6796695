package tasks

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/flowtest"
	"smkbot/locales"
	"smkbot/storage"
)

// remEnv is a school with a teacher and a quality manager, and the tasks
// flow's periodic jobs, run by hand at chosen times.
type remEnv struct {
	*flowtest.Env
	jobs    map[string]flows.Job
	org     storage.Organisation
	dir     storage.Direction
	prog    storage.Programme
	teacher storage.Person
	manager storage.Person
}

const (
	remTeacherChat = 101
	remManagerChat = 201
)

func newRemEnv(t *testing.T) *remEnv {
	t.Helper()
	e := &remEnv{jobs: map[string]flows.Job{}}
	e.Env = flowtest.New(t, func(r *flows.Router, fe *flowtest.Env) {
		f := &Flow{Store: fe.Store, Location: flowtest.Zone}
		f.Register(r)
		for _, j := range r.Jobs() {
			e.jobs[j.Name] = j
		}
	})
	e.org = e.Org(t, "Школа № 1")
	e.teacher = e.Person(t, flowtest.User{ID: remTeacherChat, First: "Мария"}, "Иванова Мария Петровна", storage.RoleTeacher, e.org.ID)
	e.manager = e.Person(t, flowtest.User{ID: remManagerChat, First: "Анна"}, "Петрова Анна Сергеевна", storage.RoleQualityManager, e.org.ID)
	prog, dirs, err := e.Store.EnsureProgramme(context.Background(), e.manager.ID, e.org.ID, SchoolYear(e.Clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("a new programme has no directions")
	}
	e.prog, e.dir = prog, dirs[0]
	return e
}

// task creates a task for the teacher at the clock's time, due at due,
// with its first reminder on the default ladder.
func (e *remEnv) task(t *testing.T, title string, due time.Time, hasTime bool) storage.Task {
	t.Helper()
	at, step := FirstReminder(storage.DefaultReminderPolicy(e.org.ID), due, hasTime, e.Clock.Now(), flowtest.Zone)
	return e.taskAt(t, title, due, hasTime, e.teacher.ID, at, step)
}

// taskAt creates a task for personID with its next reminder at remindAt.
func (e *remEnv) taskAt(t *testing.T, title string, due time.Time, hasTime bool, personID int64, remindAt time.Time, step int) storage.Task {
	t.Helper()
	task, err := e.Store.CreateTask(context.Background(), e.manager.ID, storage.Task{
		ProgrammeID: e.prog.ID, OrgID: e.org.ID, DirectionID: e.dir.ID,
		Title: title, Due: due, HasTime: hasTime, CreatedBy: e.manager.ID,
	}, []storage.Assignment{{PersonID: personID, Status: storage.TaskAssigned, NextRemindAt: remindAt, RemindStep: step}})
	if err != nil {
		t.Fatal(err)
	}
	return task
}

// run runs a job at now, as River would on the leader, with the clock
// there too.
func (e *remEnv) run(t *testing.T, job string, now time.Time) []bot.Message {
	t.Helper()
	e.Clock.Set(now)
	j, ok := e.jobs[job]
	if !ok {
		t.Fatalf("no job %q", job)
	}
	msgs, err := j.Run(context.Background(), now)
	if err != nil {
		t.Fatalf("%s at %v: %v", job, now, err)
	}
	for _, m := range msgs {
		if strings.Contains(flowtest.Joined([]bot.Message{m}), "⟦") {
			t.Fatalf("missing locale message: %q", flowtest.Joined([]bot.Message{m}))
		}
	}
	return msgs
}

// remLocal is a time in the association's zone.
func remLocal(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, flowtest.Zone)
}

// event shows a message as "Fri 27.11 09:00 → 101: <the lines of the
// text numbered> [buttons]".
func event(now time.Time, m bot.Message, numbers ...int) string {
	txt := m.(bot.Text)
	lines := strings.Split(txt.Text, "\n")
	var picked []string
	for _, n := range numbers {
		picked = append(picked, lines[min(n, len(lines)-1)])
	}
	s := now.In(flowtest.Zone).Format("Mon 02.01 15:04") + " → " + strconv.FormatInt(txt.ChatID, 10) + ": " + strings.Join(picked, " ")
	for _, row := range txt.Buttons {
		for _, b := range row {
			s += " [" + b.Data + "]"
		}
	}
	return s
}

// TestReminderLadder: a task created on Monday 23 November, due on Friday
// of the next week, reminded at 09:00 local a week before, the day before,
// on the day, then every two days past it off the weekend; on the third
// day overdue the quality manager is told, once. The job runs every half
// hour for two and a half weeks.
func TestReminderLadder(t *testing.T) {
	e := newRemEnv(t)
	e.Clock.Set(remLocal(2026, 11, 23, 10, 0))
	task := e.task(t, "Разработать положение о ВСОКО", remLocal(2026, 12, 4, 0, 0), false)
	id := strconv.FormatInt(task.ID, 10)

	var got []string
	for now := remLocal(2026, 11, 23, 10, 0); now.Before(remLocal(2026, 12, 9, 0, 0)); now = now.Add(30 * time.Minute) {
		for _, m := range e.run(t, remJob, now) {
			got = append(got, event(now, m, 2))
		}
	}
	want := []string{
		"Fri 27.11 09:00 → 101: 📅 Срок: до 4 декабря [tk:open:" + id + "]",
		"Thu 03.12 09:00 → 101: 📅 Срок: завтра, 4 декабря [tk:open:" + id + "]",
		"Fri 04.12 09:00 → 101: 📅 Срок: сегодня [tk:open:" + id + "]",
		"Mon 07.12 09:00 → 101: 📅 Просрочено на 3 дня (срок был 4 декабря) [tk:open:" + id + "]",
		"Mon 07.12 09:00 → 201: Ответственный: Иванова Мария Петровна [tkm:task:" + id + "]",
		"Tue 08.12 09:00 → 101: 📅 Просрочено на 4 дня (срок был 4 декабря) [tk:open:" + id + "]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reminders (-want +got):\n%s", diff)
	}
}

// TestReminderJobs: the flow registers its jobs with their periods.
func TestReminderJobs(t *testing.T) {
	e := newRemEnv(t)
	if j := e.jobs[remJob]; j.Every != time.Minute {
		t.Errorf("%s every %v, want a minute", remJob, j.Every)
	}
	if j := e.jobs[remDigestJob]; j.Every != time.Hour {
		t.Errorf("%s every %v, want an hour", remDigestJob, j.Every)
	}
}

// TestReminderQuietHours: a deadline at 09:00 is reminded of at 08:00,
// when the quiet hours end, not at 07:00; a reminder time set in the quiet
// hours (by a decision, say) waits for the morning and goes once.
func TestReminderQuietHours(t *testing.T) {
	e := newRemEnv(t)
	e.Clock.Set(remLocal(2026, 11, 23, 10, 0))
	early := e.task(t, "Сдать отчёт по самообследованию", remLocal(2026, 11, 24, 9, 0), true)
	night := e.taskAt(t, "Заполнить таблицу кадров", remLocal(2026, 11, 30, 0, 0), false, e.teacher.ID, remLocal(2026, 11, 23, 23, 0), 0)

	var got []string
	for now := remLocal(2026, 11, 23, 10, 0); now.Before(remLocal(2026, 11, 24, 12, 0)); now = now.Add(15 * time.Minute) {
		for _, m := range e.run(t, remJob, now) {
			got = append(got, event(now, m, 1, 2))
		}
	}
	want := []string{
		"Tue 24.11 08:00 → 101: «Сдать отчёт по самообследованию» 📅 Срок: сегодня до 09:00 [tk:open:" + strconv.FormatInt(early.ID, 10) + "]",
		"Tue 24.11 08:00 → 101: «Заполнить таблицу кадров» 📅 Срок: до 30 ноября [tk:open:" + strconv.FormatInt(night.ID, 10) + "]",
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reminders (-want +got):\n%s", diff)
	}
}

// TestReminderStops: a reported task and a cancelled one get no more
// reminders; the one still open does.
func TestReminderStops(t *testing.T) {
	e := newRemEnv(t)
	ctx := context.Background()
	now := remLocal(2026, 11, 23, 10, 0)
	e.Clock.Set(now.Add(-time.Hour))
	due := remLocal(2026, 11, 24, 0, 0)
	reported := e.taskAt(t, "Отчитаться", due, false, e.teacher.ID, now, 1)
	cancelled := e.taskAt(t, "Отменить", due, false, e.teacher.ID, now, 1)
	open := e.taskAt(t, "Остаётся", due, false, e.teacher.ID, now, 1)

	r, err := e.Store.DraftReport(ctx, reported.ID, e.teacher.ID)
	if err != nil {
		t.Fatal(err)
	}
	r.Comment = "Готово"
	if err := e.Store.UpdateReport(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := e.Store.SubmitReport(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.Store.CancelTask(ctx, e.manager.ID, cancelled.ID); err != nil {
		t.Fatal(err)
	}

	msgs := e.run(t, remJob, now)
	if len(msgs) != 1 || !strings.Contains(flowtest.Joined(msgs), "«Остаётся»") {
		t.Fatalf("reminders = %q, want the open task's only", flowtest.Texts(msgs))
	}
	_ = open
	// Nor later, overdue.
	for now := now.Add(time.Hour); now.Before(remLocal(2026, 12, 1, 0, 0)); now = now.Add(time.Hour) {
		for _, m := range e.run(t, remJob, now) {
			if txt := flowtest.Joined([]bot.Message{m}); !strings.Contains(txt, "«Остаётся»") {
				t.Errorf("%v: a reminder of a closed task: %q", now, txt)
			}
		}
	}
}

// TestReminderEscalatesOnce: the quality managers are told of a task past
// the policy's days once, whatever the reminders after; a teacher without
// a chat is escalated all the same, with a note.
func TestReminderEscalatesOnce(t *testing.T) {
	e := newRemEnv(t)
	ctx := context.Background()
	second := e.Person(t, flowtest.User{ID: 202}, "Сидорова Ольга Ивановна", storage.RoleQualityManager, e.org.ID)
	_ = second
	now := remLocal(2026, 11, 20, 10, 0) // Friday; due Monday 16th: four days overdue
	e.Clock.Set(remLocal(2026, 11, 10, 10, 0))
	task := e.taskAt(t, "Провести педсовет", remLocal(2026, 11, 16, 0, 0), false, e.teacher.ID, now.Add(-time.Minute), 3)

	msgs := e.run(t, remJob, now)
	var chats []int64
	for _, m := range msgs {
		chats = append(chats, m.(bot.Text).ChatID)
	}
	slices.Sort(chats)
	if diff := cmp.Diff([]int64{remTeacherChat, remManagerChat, 202}, chats); diff != "" {
		t.Fatalf("chats (-want +got):\n%s\n%q", diff, flowtest.Texts(msgs))
	}
	for _, m := range msgs {
		if txt := m.(bot.Text); txt.ChatID != remTeacherChat && !strings.HasPrefix(txt.Text, "⚠️ Задача просрочена на 4 дня\n«Провести педсовет»") {
			t.Errorf("escalation = %q", txt.Text)
		}
	}

	_, as, err := e.Store.FindTask(ctx, task.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 || as[0].EscalatedAt.IsZero() || !as[0].NextRemindAt.Equal(remLocal(2026, 11, 23, 9, 0)) {
		t.Fatalf("assignment after the run = %+v, want escalated and the next reminder on Monday 09:00", as)
	}
	// Monday: the teacher only.
	msgs = e.run(t, remJob, remLocal(2026, 11, 23, 9, 0))
	if len(msgs) != 1 || msgs[0].(bot.Text).ChatID != remTeacherChat {
		t.Fatalf("Monday's messages = %q, want the teacher's reminder only", flowtest.Texts(msgs))
	}

	// A teacher who was forgotten has no chat: the managers hear of it.
	ghost := e.Person(t, flowtest.User{ID: 103}, "Кузнецов Пётр Ильич", storage.RoleTeacher, e.org.ID)
	e.Clock.Set(remLocal(2026, 11, 10, 10, 0))
	now = remLocal(2026, 11, 24, 8, 30) // before the first task's next reminder
	e.taskAt(t, "Сдать журнал", remLocal(2026, 11, 18, 0, 0), false, ghost.ID, now, 3)
	if err := e.Store.ForgetPerson(ctx, ghost.ID); err != nil {
		t.Fatal(err)
	}
	msgs = e.run(t, remJob, now)
	if len(msgs) != 2 {
		t.Fatalf("messages = %q, want the escalation to two managers only", flowtest.Texts(msgs))
	}
	if txt := flowtest.Joined(msgs); !strings.Contains(txt, "сотрудник удалён") || !strings.Contains(txt, "не доходят") {
		t.Errorf("escalation of a forgotten teacher = %q", txt)
	}
}

// TestReminderTwoSchedulers: two replicas running the job at the same
// moment on one database send each reminder and each escalation once.
func TestReminderTwoSchedulers(t *testing.T) {
	e := newRemEnv(t)
	now := remLocal(2026, 11, 24, 10, 0)
	e.Clock.Set(remLocal(2026, 11, 10, 10, 0))
	teachers := []int64{e.teacher.ID}
	for i := range 3 {
		p := e.Person(t, flowtest.User{ID: int64(110 + i)}, "Учитель Номер "+strconv.Itoa(i), storage.RoleTeacher, e.org.ID)
		teachers = append(teachers, p.ID)
	}
	const tasks = 60
	for i := range tasks {
		// Half are due tomorrow, half five days overdue (escalated).
		due := remLocal(2026, 11, 25, 0, 0)
		if i%2 == 1 {
			due = remLocal(2026, 11, 19, 0, 0)
		}
		e.taskAt(t, "Задача "+strconv.Itoa(i), due, false, teachers[i%len(teachers)], now.Add(-time.Minute), 1)
	}

	j := e.jobs[remJob]
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

	reminders, escalations := map[string]int{}, map[string]int{}
	for _, m := range all {
		txt := m.(bot.Text)
		data := txt.Buttons[0][0].Data
		if strings.HasPrefix(data, "tk:") {
			reminders[data]++
		} else {
			escalations[data]++
		}
	}
	if len(reminders) != tasks || len(escalations) != tasks/2 {
		t.Errorf("%d tasks reminded and %d escalated, want %d and %d", len(reminders), len(escalations), tasks, tasks/2)
	}
	for data, n := range reminders {
		if n != 1 {
			t.Errorf("%s reminded %d times", data, n)
		}
	}
	for data, n := range escalations {
		if n != 1 {
			t.Errorf("%s escalated %d times", data, n)
		}
	}
	if again := e.run(t, remJob, now); len(again) != 0 {
		t.Errorf("a third run sent %d more", len(again))
	}
}

// TestReminderDeadline: how a reminder states the deadline, with Russian
// plurals.
func TestReminderDeadline(t *testing.T) {
	l, err := locales.New(flowtest.Zone)
	if err != nil {
		t.Fatal(err)
	}
	now := remLocal(2026, 11, 23, 10, 0)
	tests := []struct {
		due     time.Time
		hasTime bool
		want    string
	}{
		{remLocal(2026, 12, 25, 0, 0), false, "📅 Срок: до 25 декабря"},
		{remLocal(2026, 12, 25, 14, 0), true, "📅 Срок: до 25 декабря, 14:00"},
		{remLocal(2027, 1, 15, 0, 0), false, "📅 Срок: до 15 января 2027"},
		{remLocal(2026, 11, 24, 0, 0), false, "📅 Срок: завтра, 24 ноября"},
		{remLocal(2026, 11, 24, 14, 0), true, "📅 Срок: завтра до 14:00"},
		{remLocal(2026, 11, 23, 0, 0), false, "📅 Срок: сегодня"},
		{remLocal(2026, 11, 23, 14, 0), true, "📅 Срок: сегодня до 14:00"},
		{remLocal(2026, 11, 23, 9, 0), true, "📅 Срок истёк сегодня в 09:00"},
		{remLocal(2026, 11, 22, 0, 0), false, "📅 Просрочено на 1 день (срок был 22 ноября)"},
		{remLocal(2026, 11, 21, 18, 0), true, "📅 Просрочено на 2 дня (срок был 21 ноября)"},
		{remLocal(2026, 11, 18, 0, 0), false, "📅 Просрочено на 5 дней (срок был 18 ноября)"},
		{remLocal(2026, 11, 2, 0, 0), false, "📅 Просрочено на 21 день (срок был 2 ноября)"},
		{remLocal(2026, 11, 12, 0, 0), false, "📅 Просрочено на 11 дней (срок был 12 ноября)"},
	}
	for _, tt := range tests {
		// Deadlines come back from Postgres in UTC.
		task := storage.Task{Due: tt.due.UTC(), HasTime: tt.hasTime}
		if got := remDeadline(l, flowtest.Zone, task, now); got != tt.want {
			t.Errorf("deadline %v (time %v) = %q, want %q", tt.due, tt.hasTime, got, tt.want)
		}
	}
}

// TestReminderDigest: the quality manager's digest goes on Monday from
// 09:00, once a week: done the week before, due this week, overdue.
func TestReminderDigest(t *testing.T) {
	e := newRemEnv(t)
	ctx := context.Background()
	e.Clock.Set(remLocal(2026, 11, 16, 10, 0))
	done := e.task(t, "Обновить сайт", remLocal(2026, 11, 20, 0, 0), false)
	e.task(t, "Провести открытый урок", remLocal(2026, 11, 26, 0, 0), false)
	e.task(t, "Сдать анализ ВПР", remLocal(2026, 11, 18, 0, 0), false)
	e.task(t, "Через две недели", remLocal(2026, 12, 7, 0, 0), false)

	e.Clock.Set(remLocal(2026, 11, 18, 15, 0))
	r, err := e.Store.DraftReport(ctx, done.ID, e.teacher.ID)
	if err != nil {
		t.Fatal(err)
	}
	r.Comment = "Сайт обновлён"
	if err := e.Store.UpdateReport(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := e.Store.SubmitReport(ctx, r.ID); err != nil {
		t.Fatal(err)
	}

	if msgs := e.run(t, remDigestJob, remLocal(2026, 11, 23, 8, 0)); len(msgs) != 0 {
		t.Fatalf("digest before 09:00: %q", flowtest.Texts(msgs))
	}
	msgs := e.run(t, remDigestJob, remLocal(2026, 11, 23, 9, 0))
	if len(msgs) != 1 || msgs[0].(bot.Text).ChatID != remManagerChat {
		t.Fatalf("digest = %q, want one to the manager", flowtest.Texts(msgs))
	}
	want := strings.Join([]string{
		"📊 Программа за неделю · Школа № 1",
		"✅ За прошедшую неделю выполнена 1 задача:\n• Обновить сайт — Иванова Мария Петровна",
		"📅 На этой неделе срок у 1 задачи:\n• Провести открытый урок — Иванова Мария Петровна, до 26 ноября",
		"⏰ Просрочена 1 задача:\n• Сдать анализ ВПР — Иванова Мария Петровна, срок был 18 ноября",
	}, "\n\n")
	if diff := cmp.Diff(want, msgs[0].(bot.Text).Text); diff != "" {
		t.Errorf("digest (-want +got):\n%s", diff)
	}
	for _, now := range []time.Time{remLocal(2026, 11, 23, 10, 0), remLocal(2026, 11, 27, 12, 0), remLocal(2026, 11, 29, 12, 0)} {
		if msgs := e.run(t, remDigestJob, now); len(msgs) != 0 {
			t.Errorf("digest again at %v: %q", now, flowtest.Texts(msgs))
		}
	}
	// The next Monday: a new week.
	msgs = e.run(t, remDigestJob, remLocal(2026, 11, 30, 9, 0))
	if len(msgs) != 1 || !strings.Contains(flowtest.Joined(msgs), "выполненных задач нет") {
		t.Errorf("next week's digest = %q", flowtest.Texts(msgs))
	}
}

// TestReminderDigestHoliday: a Monday holiday moves the digest to
// Tuesday morning; quiet hours hold it to the morning.
func TestReminderDigestHoliday(t *testing.T) {
	e := newRemEnv(t)
	ctx := context.Background()
	p := storage.DefaultReminderPolicy(e.org.ID)
	p.Holidays = []time.Time{time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
	if err := e.Store.SaveReminderPolicy(ctx, e.manager.ID, p); err != nil {
		t.Fatal(err)
	}
	e.Clock.Set(remLocal(2026, 11, 16, 10, 0))
	e.task(t, "Обновить сайт", remLocal(2026, 11, 26, 0, 0), false)
	for _, now := range []time.Time{remLocal(2026, 11, 23, 9, 0), remLocal(2026, 11, 23, 23, 0), remLocal(2026, 11, 24, 7, 0)} {
		if msgs := e.run(t, remDigestJob, now); len(msgs) != 0 {
			t.Errorf("digest at %v: %q", now, flowtest.Texts(msgs))
		}
	}
	if msgs := e.run(t, remDigestJob, remLocal(2026, 11, 24, 9, 0)); len(msgs) != 1 {
		t.Errorf("Tuesday's digest = %q, want one", flowtest.Texts(msgs))
	}
}
