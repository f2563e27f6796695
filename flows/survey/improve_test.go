package survey_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/flowtest"
	"smkbot/flows/survey"
	"smkbot/flows/tasks"
	"smkbot/storage"
)

// The people of the improvement-task tests.
var (
	impQM      = flowtest.User{ID: 7101, First: "Мария"}
	impTeacher = flowtest.User{ID: 7102, First: "Анна"}
	impOtherQM = flowtest.User{ID: 7103, First: "Вера"}
	impChair   = flowtest.User{ID: 7104, First: "Нина"}
	impAdmin   = flowtest.User{ID: 7105, First: "Пётр"}
)

const impPrefix = "🛠 Задача: "

// impEnv builds the bot as run.go does: the tasks flow, and the survey flow
// making tasks with it.
func impEnv(t *testing.T) *flowtest.Env {
	t.Helper()
	return flowtest.New(t, func(r *flows.Router, e *flowtest.Env) {
		tf := &tasks.Flow{Store: e.Store, Location: flowtest.Zone}
		(&survey.Flow{Store: e.Store, Secret: []byte("improve-test-secret-0123456789ab"), BotUsername: "smk_test_bot", Tasks: tf}).Register(r)
		tf.Register(r)
	})
}

// impLabels are the improvement-task buttons of the messages, in order.
func impLabels(msgs []bot.Message) []string {
	var out []string
	for _, m := range msgs {
		tm, ok := m.(bot.Text)
		if !ok {
			continue
		}
		for _, row := range tm.Buttons {
			for _, b := range row {
				if strings.HasPrefix(b.Text, impPrefix) {
					out = append(out, b.Text)
				}
			}
		}
	}
	return out
}

func impStep(t *testing.T, e *flowtest.Env, u flowtest.User) string {
	t.Helper()
	s, _, err := e.Sessions.Get(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s.Step
}

func TestImproveTaskFromLowIndex(t *testing.T) {
	t.Parallel()
	e := impEnv(t)
	ctx := context.Background()
	org := e.Org(t, "СОШ № 1")
	other := e.Org(t, "Гимназия № 2")
	qm := e.Person(t, impQM, "Иванова Мария Петровна", storage.RoleQualityManager, org.ID)
	anna := e.Person(t, impTeacher, "Смирнова Анна Сергеевна", storage.RoleTeacher, org.ID)
	otherQM := e.Person(t, impOtherQM, "Орлова Вера Павловна", storage.RoleQualityManager, other.ID)
	e.Person(t, impChair, "Петрова Нина Ивановна", storage.RoleChair, 0)
	e.Person(t, impAdmin, "Кузнецов Пётр Ильич", storage.RoleAdmin, 0)
	sv, classes := resSurvey(t, e, org.ID, qm.ID, "parents")
	// Question 1 has an index of 60% (not low), question 2 of 50%.
	resDataset(t, e, sv.ID, classes)

	msgs := resOpen(t, e, impQM, sv)
	want := impPrefix + "Насколько вас устраивает питание?"
	if got := impLabels(msgs); len(got) != 1 || got[0] != want {
		t.Fatalf("task buttons %q, want only %q", got, want)
	}

	msgs = e.PressLabel(t, impQM, want)
	flowtest.Has(t, msgs,
		"Новая задача в программе качества по итогам опроса",
		"По итогам опроса «Удовлетворённость родителей» (СОШ № 1) на 20 ноября 2026: вопрос 2 «Насколько вас устраивает питание?» — индекс удовлетворённости 50%",
		"«Повысить удовлетворённость: Насколько вас устраивает питание?»\n\nК какому направлению программы относится задача?")
	if s := impStep(t, e, impQM); s != "tasks:man_dir" {
		t.Fatalf("step %q after the task button, want the direction", s)
	}

	// The rest is the manager's usual new task.
	prog, dirs, err := e.Store.EnsureProgramme(ctx, qm.ID, org.ID, tasks.SchoolYear(flowtest.Start))
	if err != nil {
		t.Fatal(err)
	}
	e.PressLabel(t, impQM, dirs[1].Name)
	e.PressLabel(t, impQM, "Смирнова Анна Сергеевна")
	flowtest.Has(t, e.PressLabel(t, impQM, "Готово (1)"), "Какой срок?")
	e.PressLabel(t, impQM, "Через неделю (27 ноября)")
	flowtest.Has(t, e.PressLabel(t, impQM, "Да, обязательны"), "Проверьте задачу", "Повысить удовлетворённость: Насколько вас устраивает питание?")
	flowtest.Has(t, e.PressLabel(t, impQM, "✅ Создать"), "Задача создана", "индекс удовлетворённости 50%")

	list, err := e.Store.ListTasks(ctx, prog.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("%d tasks, want 1", len(list))
	}
	tk, as, err := e.Store.FindTask(ctx, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Title != "Повысить удовлетворённость: Насколько вас устраивает питание?" || tk.OrgID != org.ID ||
		tk.DirectionID != dirs[1].ID || !tk.EvidenceRequired || tk.CreatedBy != qm.ID ||
		!tk.Due.Equal(time.Date(2026, 11, 27, 0, 0, 0, 0, flowtest.Zone)) {
		t.Fatalf("stored task %+v", tk)
	}
	if !strings.Contains(tk.Description, "«Удовлетворённость родителей»") || !strings.Contains(tk.Description, "индекс удовлетворённости 50%") {
		t.Fatalf("description %q", tk.Description)
	}
	if len(as) != 1 || as[0].PersonID != anna.ID {
		t.Fatalf("assignments %+v", as)
	}
	if s := impStep(t, e, impQM); s != "" {
		t.Fatalf("step %q after creating", s)
	}

	// The chair and the admin read the results but run no school's
	// programme: no button, and a forged one is refused.
	for _, u := range []flowtest.User{impChair, impAdmin} {
		msgs := resOpen(t, e, u, sv)
		flowtest.Has(t, msgs, "Общий индекс удовлетворённости")
		if got := impLabels(msgs); len(got) != 0 {
			t.Fatalf("%s sees task buttons %q", u.First, got)
		}
		flowtest.Has(t, e.Press(t, u, flows.CB("svr", "task", itoa(sv.ID)+".1")), e.L.T("common.forbidden"))
	}

	// Another school's manager forging the button for this survey.
	e.Send(t, impOtherQM, e.L.T("survey.results.menu"))
	flowtest.Has(t, e.Press(t, impOtherQM, flows.CB("svr", "task", itoa(sv.ID)+".1")), e.L.T("common.forbidden"))
	// This school's manager forging it for the other school's survey.
	osv, oclasses := resSurvey(t, e, other.ID, otherQM.ID, "parents")
	resSimple(t, e, osv.ID, oclasses[0].ID, 5, 1)
	flowtest.Has(t, e.Press(t, impQM, flows.CB("svr", "task", itoa(osv.ID)+".0")), e.L.T("common.forbidden"))
	if s := impStep(t, e, impQM); s != "" {
		t.Fatalf("step %q after a forged button", s)
	}

	// A question whose index is not low, or not a scale, or not there: the
	// button was never drawn.
	resOpen(t, e, impQM, sv)
	flowtest.Has(t, e.Press(t, impQM, flows.CB("svr", "task", itoa(sv.ID)+".0")), "уже не ниже 60%")
	flowtest.Has(t, e.Press(t, impQM, flows.CB("svr", "task", itoa(sv.ID)+".2")), e.L.T("common.stale_button"))
	flowtest.Has(t, e.Press(t, impQM, flows.CB("svr", "task", itoa(sv.ID)+".99")), e.L.T("common.stale_button"))
	flowtest.Has(t, e.Press(t, impQM, flows.CB("svr", "task", itoa(sv.ID))), e.L.T("common.stale_button"))

	// The index rises past the threshold after the button was drawn.
	resSimple(t, e, sv.ID, classes[0].ID, 10, 5) // question 2: 15 of 20
	flowtest.Has(t, e.PressLabel(t, impQM, want), "уже не ниже 60%")
	if s := impStep(t, e, impQM); s != "" {
		t.Fatalf("step %q after a stale task button", s)
	}
	if got := impLabels(resOpen(t, e, impQM, sv)); len(got) != 0 {
		t.Fatalf("task buttons %q after the index rose", got)
	}
}

// At most three questions are offered, the lowest index first, and only
// those answered by enough people.
func TestImproveLowestThree(t *testing.T) {
	t.Parallel()
	e := impEnv(t)
	ctx := context.Background()
	org := e.Org(t, "СОШ № 3")
	qm := e.Person(t, impQM, "Иванова Мария Петровна", storage.RoleQualityManager, org.ID)
	texts := []string{"Уроки", "Питание", "Безопасность", "Кружки", "Ремонт", "Сайт"}
	var qs []storage.Question
	for _, text := range texts {
		qs = append(qs, storage.Question{Kind: storage.QuestionScale, Text: text, Low: "Нет", High: "Да"})
	}
	sv, classes, err := e.Store.CreateSurvey(ctx, qm.ID, storage.Survey{
		OrgID: org.ID, Title: "Опрос", Audience: storage.AudienceParents, Questions: qs,
		ClosesAt: e.Clock.Now().Add(7 * 24 * time.Hour),
	}, []storage.SurveyClass{{Name: "7А", Headcount: 25}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store.PublishSurvey(ctx, qm.ID, sv.ID); err != nil {
		t.Fatal(err)
	}
	// Five responses; the number of 4s among them gives each question's
	// index: Уроки 40%, Питание 0%, Безопасность 20%, Кружки 40%, Ремонт
	// skipped by all but four (too few to show), Сайт 100%.
	good := []int{2, 0, 1, 2, 0, 5}
	for r := range 5 {
		answers := map[int]storage.Answer{}
		for q := range texts {
			v := 2
			if r < good[q] {
				v = 4
			}
			answers[q] = storage.Answer{Value: resInt(v)}
			if q == 4 && r == 4 {
				answers[q] = storage.Answer{Skipped: true}
			}
		}
		resSubmit(t, e, sv.ID, classes[0].ID, answers)
	}
	got := impLabels(resOpen(t, e, impQM, sv))
	want := []string{impPrefix + "Питание", impPrefix + "Безопасность", impPrefix + "Уроки"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("task buttons %q, want %q", got, want)
	}
	// The question answered by four is refused even when forged.
	flowtest.Has(t, e.Press(t, impQM, flows.CB("svr", "task", itoa(sv.ID)+".4")), "уже не ниже 60%")
}

// Without the tasks capability the results offer no task, and a forged
// button is stale.
func TestImproveWithoutTasks(t *testing.T) {
	t.Parallel()
	e := resEnv(t)
	org := e.Org(t, "СОШ № 4")
	qm := e.Person(t, impQM, "Иванова Мария Петровна", storage.RoleQualityManager, org.ID)
	sv, classes := resSurvey(t, e, org.ID, qm.ID, "parents")
	resDataset(t, e, sv.ID, classes)
	msgs := resOpen(t, e, impQM, sv)
	flowtest.Has(t, msgs, "индекс 50%")
	if got := impLabels(msgs); len(got) != 0 {
		t.Fatalf("task buttons %q without the tasks flow", got)
	}
	flowtest.Has(t, e.Press(t, impQM, flows.CB("svr", "task", itoa(sv.ID)+".1")), e.L.T("common.stale_button"))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
