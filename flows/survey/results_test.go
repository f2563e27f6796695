package survey_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"image/png"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/flowtest"
	"smkbot/flows/survey"
	"smkbot/storage"
)

// The people of the results tests (ids apart from the other parts' tests).
var (
	resQM       = flowtest.User{ID: 7001, First: "Мария"}
	resOtherQM  = flowtest.User{ID: 7002, First: "Анна"}
	resTeacher  = flowtest.User{ID: 7003, First: "Иван"}
	resStranger = flowtest.User{ID: 7004, First: "Гость"}
	resChair    = flowtest.User{ID: 7005, First: "Нина"}
	resQM2      = flowtest.User{ID: 7006, First: "Ольга"}
)

func resEnv(t *testing.T) *flowtest.Env {
	t.Helper()
	return flowtest.New(t, func(r *flows.Router, e *flowtest.Env) {
		(&survey.Flow{Store: e.Store, Secret: []byte("results-test-secret-0123456789ab"), BotUsername: "smk_test_bot"}).Register(r)
	})
}

// resQuestions has one question of each kind, in two groups.
func resQuestions() []storage.Question {
	return []storage.Question{
		{Kind: storage.QuestionScale, Text: "Насколько вас устраивает качество преподавания?", Group: "Обучение", Low: "Нет", High: "Да", Required: true},
		{Kind: storage.QuestionScale, Text: "Насколько вас устраивает питание?", Group: "Питание", Low: "Нет", High: "Да", Required: true},
		{Kind: storage.QuestionYesNo, Text: "Ребёнку безопасно в школе?", Group: "Безопасность", Required: true},
		{Kind: storage.QuestionSingle, Text: "Как часто ребёнок ест в столовой?", Options: []string{"Каждый день", "Иногда", "Никогда"}, Required: true},
		{Kind: storage.QuestionMulti, Text: "Какие кружки посещает ребёнок?", Options: []string{"Спорт", "Музыка", "Робототехника"}, Required: true},
		{Kind: storage.QuestionText, Text: "Что бы вы изменили?"},
	}
}

// resKeys makes respondent keys (32 bytes) distinct across a test run.
var resKeys atomic.Int64

func resKey() []byte {
	sum := sha256.Sum256(fmt.Appendf(nil, "respondent-%d", resKeys.Add(1)))
	return sum[:]
}

// resSurvey creates and publishes a survey of resQuestions in the school
// with classes 5А (20) and 5Б (10), closing in a week.
func resSurvey(t *testing.T, e *flowtest.Env, orgID, creator int64, template string) (storage.Survey, []storage.SurveyClass) {
	t.Helper()
	ctx := context.Background()
	sv, classes, err := e.Store.CreateSurvey(ctx, creator, storage.Survey{
		OrgID: orgID, Title: "Удовлетворённость родителей", Audience: storage.AudienceParents,
		TemplateKey: template, Questions: resQuestions(), ClosesAt: e.Clock.Now().Add(7 * 24 * time.Hour),
	}, []storage.SurveyClass{{Name: "5А", Headcount: 20}, {Name: "5Б", Headcount: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store.PublishSurvey(ctx, creator, sv.ID); err != nil {
		t.Fatal(err)
	}
	sv, classes, err = e.Store.FindSurveyByID(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	return sv, classes
}

// resSubmit submits one response with the answers, through a draft.
func resSubmit(t *testing.T, e *flowtest.Env, surveyID, classID int64, answers map[int]storage.Answer) {
	t.Helper()
	ctx := context.Background()
	key := resKey()
	d, err := e.Store.StartDraft(ctx, surveyID, classID, key)
	if err != nil {
		t.Fatal(err)
	}
	for q, a := range answers {
		if err := e.Store.SaveAnswer(ctx, d.ID, q, a); err != nil {
			t.Fatalf("answer %d: %v", q, err)
		}
	}
	if err := e.Store.SubmitDraft(ctx, d.ID, key); err != nil {
		t.Fatal(err)
	}
}

func resInt(n int) *int { return &n }

// resSimple submits n responses in the class giving scale value v to both
// scales and the same answers elsewhere.
func resSimple(t *testing.T, e *flowtest.Env, surveyID, classID int64, n, v int) {
	t.Helper()
	for range n {
		resSubmit(t, e, surveyID, classID, map[int]storage.Answer{
			0: {Value: resInt(v)}, 1: {Value: resInt(v)}, 2: {Value: resInt(1)},
			3: {Value: resInt(0)}, 4: {Choices: []int{0}}, 5: {Skipped: true},
		})
	}
}

// The hand-made dataset: ten responses, six in 5А and four in 5Б.
var (
	resQ0 = []int{5, 5, 4, 4, 3, 2, 5, 4, 1, 3} // mean 3,6; 4–5: 6 of 10
	resQ1 = []int{1, 2, 3, 4, 5, 5, 5, 5, 3, 2} // mean 3,5; 4–5: 5 of 10
	resQ2 = []int{1, 1, 1, 1, 1, 1, 1, 0, 0, 0} // yes 7, no 3
	resQ3 = []int{0, 0, 0, 0, 0, 1, 1, 1, 2, 2} // 5 / 3 / 2
	resQ4 = [][]int{{0}, {0, 1}, {0}, {0, 1}, {0}, {0}, {2}, {1}, {2}, {2}}
)

func resDataset(t *testing.T, e *flowtest.Env, surveyID int64, classes []storage.SurveyClass) {
	t.Helper()
	for i := range 10 {
		class := classes[0].ID
		if i >= 6 {
			class = classes[1].ID
		}
		text := storage.Answer{Skipped: true}
		if i < 6 {
			text = storage.Answer{Text: fmt.Sprintf("Предложение %d", i+1)}
		}
		resSubmit(t, e, surveyID, class, map[int]storage.Answer{
			0: {Value: resInt(resQ0[i])}, 1: {Value: resInt(resQ1[i])}, 2: {Value: resInt(resQ2[i])},
			3: {Value: resInt(resQ3[i])}, 4: {Choices: resQ4[i]}, 5: text,
		})
	}
}

// resOpen opens the survey's results through the menu and the list.
func resOpen(t *testing.T, e *flowtest.Env, u flowtest.User, sv storage.Survey) []bot.Message {
	t.Helper()
	e.Send(t, u, e.L.T("survey.results.menu"))
	return e.Press(t, u, flows.CB("svr", "open", sv.ID))
}

func TestResultsNumbers(t *testing.T) {
	t.Parallel()
	e := resEnv(t)
	org := e.Org(t, "СОШ № 1")
	qm := e.Person(t, resQM, "Иванова Мария Петровна", storage.RoleQualityManager, org.ID)
	sv, classes := resSurvey(t, e, org.ID, qm.ID, "parents")
	resDataset(t, e, sv.ID, classes)

	list := e.Send(t, resQM, e.L.T("survey.results.menu"))
	flowtest.Has(t, list, "1 опрос")
	msgs := e.PressLabel(t, resQM, fmt.Sprintf("🟢 Удовлетворённость родителей · СОШ № 1 · %s", e.L.DayMonth(sv.OpensAt)))
	flowtest.Has(t, msgs,
		"📊 Удовлетворённость родителей\nСОШ № 1",
		"• 5А — 6 из 20 (30%)", "• 5Б — 4 из 10 (40%)", "Всего: 10 из 30 (33%)",
		"Общий индекс удовлетворённости: 55%",
		"1. Насколько вас устраивает качество преподавания?\nОтветили: 10 · среднее 3,6 · индекс 60%",
		"2. Насколько вас устраивает питание?\nОтветили: 10 · среднее 3,5 · индекс 50%",
		"Ответили: 10 · да 70% · нет 30%",
		"— Каждый день: 50%\n— Иногда: 30%\n— Никогда: 20%",
		"(можно было выбрать несколько)\n— Спорт: 60%\n— Музыка: 30%\n— Робототехника: 30%",
		"6. Что бы вы изменили?\n6 ответов:", "— «Предложение 3»",
		"Классы, где меньше 5 ответов, отдельно не показываем",
	)

	// 5Б (4 responses) is not offered apart; 5А (6) is.
	msgs = e.PressLabel(t, resQM, e.L.T("survey.results.btn.classes"))
	if labels := e.Labels(resQM); !contains(labels, "5А (6)") || contains(labels, "5Б (4)") {
		t.Fatalf("class buttons = %q", labels)
	}
	msgs = e.PressLabel(t, resQM, "5А (6)")
	flowtest.Has(t, msgs, "класс 5А", "• 5А — 6 из 20 (30%)", "Ответили: 6 · среднее 3,8 · индекс 67%")
	flowtest.Lacks(t, msgs, "5Б", "Всего:")
	// A forged press for 5Б is refused.
	msgs = e.Press(t, resQM, flows.CB("svr", "class", fmt.Sprintf("%d.%d", sv.ID, classes[1].ID)))
	flowtest.Has(t, msgs, "В этом классе меньше 5 ответов")
	flowtest.Lacks(t, msgs, "среднее")
	// Garbage and unknown ids are stale buttons.
	for _, data := range []string{"svr:class:1", "svr:class:x.y", fmt.Sprintf("svr:class:%d.999999", sv.ID), "svr:open:999999", "svr:open:", "svr:charts:01"} {
		flowtest.Has(t, e.Press(t, resQM, data), e.L.T("common.stale_button"))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestResultsGroupThreshold(t *testing.T) {
	t.Parallel()
	e := resEnv(t)
	org := e.Org(t, "СОШ № 1")
	e.Person(t, resQM, "Иванова Мария Петровна", storage.RoleQualityManager, org.ID)
	sv, classes := resSurvey(t, e, org.ID, 0, "parents")

	resSimple(t, e, sv.ID, classes[0].ID, 3, 5)
	msgs := resOpen(t, e, resQM, sv)
	flowtest.Has(t, msgs, "• 5А — 3 из 20 (15%)", "Пока ответов: 3. Результаты покажем, когда ответят хотя бы 5 человек")
	flowtest.Lacks(t, msgs, "среднее", "индекс", "Общий индекс")
	for _, m := range msgs {
		if txt, ok := m.(bot.Text); ok && len(txt.Buttons) > 0 {
			t.Fatalf("a survey of 3 responses offers buttons: %v", txt.Buttons)
		}
	}
	// Forged presses of the actions get a notice and no answers.
	for _, action := range []string{"charts", "xlsx", "cmp", "classes"} {
		msgs := e.Press(t, resQM, flows.CB("svr", action, sv.ID))
		for _, m := range msgs {
			switch m.(type) {
			case bot.Photo, bot.Album, bot.Document:
				t.Fatalf("%s of a survey of 3 responses sent %T", action, m)
			}
		}
		flowtest.Lacks(t, msgs, "индекс 100%")
	}

	// Two more in 5А make five: the breakdown appears, 5А can be opened.
	resSimple(t, e, sv.ID, classes[0].ID, 2, 4)
	msgs = resOpen(t, e, resQM, sv)
	flowtest.Has(t, msgs, "Ответили: 5 · среднее 4,6 · индекс 100%", "Всего: 5 из 30 (17%)")
	flowtest.Has(t, e.PressLabel(t, resQM, e.L.T("survey.results.btn.classes")), "Выберите класс")
	flowtest.Has(t, e.PressLabel(t, resQM, "5А (5)"), "класс 5А", "Ответили: 5 · среднее 4,6")

	// An optional question answered by fewer than five is not broken out:
	// here nobody wrote a text.
	flowtest.Has(t, msgs, "6. Что бы вы изменили?\nПока без ответов.")
}

func TestResultsCharts(t *testing.T) {
	t.Parallel()
	e := resEnv(t)
	org := e.Org(t, "СОШ № 1")
	e.Person(t, resQM, "Иванова Мария Петровна", storage.RoleQualityManager, org.ID)
	sv, classes := resSurvey(t, e, org.ID, 0, "parents")
	resDataset(t, e, sv.ID, classes)

	resOpen(t, e, resQM, sv)
	msgs := e.PressLabel(t, resQM, e.L.T("survey.results.btn.charts"))
	var photos []bot.Photo
	for _, m := range msgs {
		switch m := m.(type) {
		case bot.Photo:
			photos = append(photos, m)
		case bot.Album:
			photos = append(photos, m.Photos...)
		}
	}
	// Two groups of scale questions, the summary and the distribution.
	if len(photos) != 4 {
		t.Fatalf("got %d charts, want 4", len(photos))
	}
	for _, p := range photos {
		img, err := png.Decode(bytes.NewReader(p.Data))
		if err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		if b := img.Bounds(); b.Dx() < 300 || b.Dy() < 100 {
			t.Errorf("%s is %v", p.Name, b)
		}
		if p.ChatID != resQM.ID {
			t.Errorf("%s went to %d", p.Name, p.ChatID)
		}
	}
}

func TestResultsXLSX(t *testing.T) {
	t.Parallel()
	e := resEnv(t)
	org := e.Org(t, "СОШ № 1")
	e.Person(t, resQM, "Иванова Мария Петровна", storage.RoleQualityManager, org.ID)
	sv, classes := resSurvey(t, e, org.ID, 0, "parents")
	resDataset(t, e, sv.ID, classes)

	resOpen(t, e, resQM, sv)
	msgs := e.PressLabel(t, resQM, e.L.T("survey.results.btn.xlsx"))
	var doc *bot.Document
	for _, m := range msgs {
		if d, ok := m.(bot.Document); ok {
			doc = &d
		}
	}
	if doc == nil {
		t.Fatalf("no document; got %s", flowtest.Joined(msgs))
	}
	if !strings.HasSuffix(doc.Name, ".xlsx") || !strings.Contains(doc.Name, "СОШ № 1") {
		t.Errorf("file name %q", doc.Name)
	}
	f, err := excelize.OpenReader(bytes.NewReader(doc.Data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, ",") != "Сводка,Классы,Ответы" {
		t.Fatalf("sheets %q", got)
	}
	summary, err := f.GetRows("Сводка")
	if err != nil {
		t.Fatal(err)
	}
	cell := func(rows [][]string, r, c int) string {
		if r < len(rows) && c < len(rows[r]) {
			return rows[r][c]
		}
		return ""
	}
	for _, want := range []struct {
		row            int
		answered, mean string
		index, dist    string
	}{
		{1, "10", "3.6", "60", "5: 3 (30%) · 4: 3 (30%) · 3: 2 (20%) · 2: 1 (10%) · 1: 1 (10%)"},
		{2, "10", "3.5", "50", "5: 4 (40%) · 4: 1 (10%) · 3: 2 (20%) · 2: 2 (20%) · 1: 1 (10%)"},
		{3, "10", "", "", "Да: 7 (70%) · Нет: 3 (30%)"},
		{5, "10", "", "", "Спорт: 6 (60%) · Музыка: 3 (30%) · Робототехника: 3 (30%)"},
		{6, "6", "", "", ""},
		{7, "10", "", "55", ""},
	} {
		got := []string{cell(summary, want.row, 3), cell(summary, want.row, 4), cell(summary, want.row, 5), cell(summary, want.row, 6)}
		if w := []string{want.answered, want.mean, want.index, want.dist}; strings.Join(got, "|") != strings.Join(w, "|") {
			t.Errorf("summary row %d = %q, want %q", want.row, got, w)
		}
	}
	classRows, _ := f.GetRows("Классы")
	if got := strings.Join(classRows[1], "|"); got != "5А|20|6|30" {
		t.Errorf("class row = %q", got)
	}
	if got := strings.Join(classRows[3], "|"); got != "Всего|30|10|33.3" {
		t.Errorf("total row = %q", got)
	}

	raw, _ := f.GetRows("Ответы")
	if len(raw) != 11 {
		t.Fatalf("raw sheet has %d rows, want 11", len(raw))
	}
	// 5Б has four responses, the only small class: naming the classes at all
	// would point at its rows, so the sheet has no class column.
	if !strings.HasPrefix(raw[0][0], "1. Насколько") {
		t.Errorf("first column %q, want question 1", raw[0][0])
	}
	sum, yes, texts := 0, 0, 0
	for _, r := range raw[1:] {
		var v int
		fmt.Sscan(r[0], &v)
		sum += v
		if r[2] == "Да" {
			yes++
		}
		if len(r) > 5 && strings.HasPrefix(r[5], "Предложение") {
			texts++
		}
	}
	if sum != 36 || yes != 7 || texts != 6 {
		t.Errorf("raw answers: scale sum %d (want 36), yes %d (want 7), texts %d (want 6)", sum, yes, texts)
	}
}

func TestResultsXLSXClassColumn(t *testing.T) {
	t.Parallel()
	e := resEnv(t)
	org := e.Org(t, "СОШ № 1")
	e.Person(t, resQM, "Иванова Мария Петровна", storage.RoleQualityManager, org.ID)
	sv, classes := resSurvey(t, e, org.ID, 0, "parents")
	resSimple(t, e, sv.ID, classes[0].ID, 5, 4)
	resSimple(t, e, sv.ID, classes[1].ID, 5, 2)
	resOpen(t, e, resQM, sv)
	msgs := e.PressLabel(t, resQM, e.L.T("survey.results.btn.xlsx"))
	for _, m := range msgs {
		d, ok := m.(bot.Document)
		if !ok {
			continue
		}
		f, err := excelize.OpenReader(bytes.NewReader(d.Data))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		raw, _ := f.GetRows("Ответы")
		if raw[0][0] != "Класс" {
			t.Fatalf("header %q", raw[0])
		}
		n := map[string]int{}
		for _, r := range raw[1:] {
			n[r[0]+"="+r[1]]++
		}
		if n["5А=4"] != 5 || n["5Б=2"] != 5 {
			t.Errorf("rows by class and answer: %v", n)
		}
		return
	}
	t.Fatal("no document")
}

func TestResultsCompare(t *testing.T) {
	t.Parallel()
	e := resEnv(t)
	org := e.Org(t, "СОШ № 1")
	e.Person(t, resQM, "Иванова Мария Петровна", storage.RoleQualityManager, org.ID)

	// The first run has no previous one.
	first, classes := resSurvey(t, e, org.ID, 0, "parents")
	resSimple(t, e, first.ID, classes[0].ID, 5, 3)
	resOpen(t, e, resQM, first)
	flowtest.Has(t, e.PressLabel(t, resQM, e.L.T("survey.results.btn.compare")), "сравнивать пока не с чем")

	e.Clock.Add(24 * time.Hour)
	second, classes := resSurvey(t, e, org.ID, 0, "parents")
	resDataset(t, e, second.ID, classes)
	resOpen(t, e, resQM, second)
	msgs := e.PressLabel(t, resQM, e.L.T("survey.results.btn.compare"))
	flowtest.Has(t, msgs,
		"1. Насколько вас устраивает качество преподавания?\n0% → 60% (+60)",
		"2. Насколько вас устраивает питание?\n0% → 50% (+50)",
		"В целом: 0% → 55% (+55)",
	)
	var chart []byte
	for _, m := range msgs {
		if p, ok := m.(bot.Photo); ok {
			chart = p.Data
		}
	}
	if _, err := png.Decode(bytes.NewReader(chart)); err != nil {
		t.Fatalf("comparison chart: %v", err)
	}
	// A survey without a template has nothing to compare with: no button.
	sv, _, err := e.Store.CreateSurvey(context.Background(), 0, storage.Survey{OrgID: org.ID, Title: "Свой опрос",
		Audience: storage.AudienceParents, Questions: resQuestions()}, []storage.SurveyClass{{Name: "5А", Headcount: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store.PublishSurvey(context.Background(), 0, sv.ID); err != nil {
		t.Fatal(err)
	}
	_, cls, _ := e.Store.FindSurveyByID(context.Background(), sv.ID)
	resSimple(t, e, sv.ID, cls[0].ID, 5, 5)
	sv, _, _ = e.Store.FindSurveyByID(context.Background(), sv.ID)
	resOpen(t, e, resQM, sv)
	if contains(e.Labels(resQM)[:3], e.L.T("survey.results.btn.compare")) {
		t.Error("a survey without a template offers a comparison")
	}
}

func TestResultsSchools(t *testing.T) {
	t.Parallel()
	e := resEnv(t)
	a := e.Org(t, "СОШ № 1")
	b := e.Org(t, "Гимназия № 2")
	c := e.Org(t, "Лицей № 3")
	e.Person(t, resChair, "Петрова Нина Ивановна", storage.RoleChair, 0)

	svA, clA := resSurvey(t, e, a.ID, 0, "parents")
	resSimple(t, e, svA.ID, clA[0].ID, 4, 5) // 4 of 6 satisfied: 67%
	resSimple(t, e, svA.ID, clA[0].ID, 2, 2)
	svB, clB := resSurvey(t, e, b.ID, 0, "parents")
	resSimple(t, e, svB.ID, clB[0].ID, 5, 4) // 100%
	svC, clC := resSurvey(t, e, c.ID, 0, "parents")
	resSimple(t, e, svC.ID, clC[0].ID, 2, 5) // too few
	// A students' survey does not count for parents.
	svS, clS := resSurvey(t, e, a.ID, 0, "students")
	resSimple(t, e, svS.ID, clS[0].ID, 5, 1)

	flowtest.Has(t, e.Send(t, resChair, e.L.T("survey.results.schools_menu")), "По какой анкете сравнить школы?")
	msgs := e.PressLabel(t, resChair, e.L.T("survey.results.tpl.parents"))
	flowtest.Has(t, msgs, "• Гимназия № 2 — 100% (5 ответов", "• СОШ № 1 — 67% (6 ответов", "• Лицей № 3 (ответов: 2)")
	text := flowtest.Joined(msgs)
	if strings.Index(text, "Гимназия № 2 —") > strings.Index(text, "СОШ № 1 —") {
		t.Error("schools not ranked by index")
	}
	var doc []byte
	photos := 0
	for _, m := range msgs {
		switch m := m.(type) {
		case bot.Photo:
			if _, err := png.Decode(bytes.NewReader(m.Data)); err != nil {
				t.Fatal(err)
			}
			photos++
		case bot.Document:
			doc = m.Data
		}
	}
	if photos != 1 || doc == nil {
		t.Fatalf("photos %d, document %v", photos, doc != nil)
	}
	f, err := excelize.OpenReader(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Школы")
	got := map[string]string{}
	for _, r := range rows[1:] {
		idx := ""
		if len(r) > 4 {
			idx = r[4]
		}
		got[r[0]] = r[3] + "|" + idx
	}
	if got["СОШ № 1"] != "6|66.7" || got["Гимназия № 2"] != "5|100" || got["Лицей № 3"] != "2|" {
		t.Errorf("schools sheet: %v", got)
	}
	flowtest.Has(t, e.Press(t, resChair, "svr:schools:nosuch"), e.L.T("common.stale_button"))
}

// TestResultsForbidden: people without the right to a survey's results
// get the forbidden notice on every menu label and button, and nothing of
// the survey.
func TestResultsForbidden(t *testing.T) {
	t.Parallel()
	e := resEnv(t)
	a := e.Org(t, "СОШ № 1")
	b := e.Org(t, "Гимназия № 2")
	e.Person(t, resTeacher, "Сидоров Иван Петрович", storage.RoleTeacher, a.ID)
	e.Person(t, resOtherQM, "Смирнова Анна Сергеевна", storage.RoleQualityManager, b.ID)
	e.Person(t, resQM, "Иванова Мария Петровна", storage.RoleQualityManager, a.ID)
	sv, classes := resSurvey(t, e, a.ID, 0, "parents")
	resDataset(t, e, sv.ID, classes)
	assoc, aclasses := resSurvey(t, e, 0, 0, "parents")
	resSimple(t, e, assoc.ID, aclasses[0].ID, 5, 5)

	forbidden := e.L.T("common.forbidden")
	buttons := []string{
		flows.CB("svr", "open", sv.ID), flows.CB("svr", "classes", sv.ID),
		flows.CB("svr", "class", fmt.Sprintf("%d.%d", sv.ID, classes[0].ID)),
		flows.CB("svr", "charts", sv.ID), flows.CB("svr", "xlsx", sv.ID), flows.CB("svr", "cmp", sv.ID),
		flows.CB("svr", "open", assoc.ID), flows.CB("svr", "schools", "parents"),
	}
	// The menus: the school's quality manager sees the results but not the
	// schools' comparison; a teacher sees neither.
	menu := func(u flowtest.User) []string {
		p, roles, err := e.Store.FindPersonByTelegramID(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var labels []string
		for _, row := range e.Router.MenuFor(&flows.Actor{TelegramID: u.ID, Person: &p, Roles: roles}) {
			labels = append(labels, row...)
		}
		return labels
	}
	if m := menu(resQM); !contains(m, e.L.T("survey.results.menu")) || contains(m, e.L.T("survey.results.schools_menu")) {
		t.Errorf("quality manager's menu %q", m)
	}
	if m := menu(resTeacher); contains(m, e.L.T("survey.results.menu")) || contains(m, e.L.T("survey.results.schools_menu")) {
		t.Errorf("teacher's menu %q", m)
	}
	for _, u := range []flowtest.User{resTeacher, resStranger, resOtherQM} {
		for _, label := range []string{e.L.T("survey.results.menu"), e.L.T("survey.results.schools_menu")} {
			msgs := e.Send(t, u, label)
			if u == resOtherQM && label == e.L.T("survey.results.menu") {
				// Their own school has no surveys: they see an empty list.
				flowtest.Has(t, msgs, "Опросов с результатами пока нет")
				continue
			}
			flowtest.Has(t, msgs, forbidden)
		}
		for _, data := range buttons {
			msgs := e.Press(t, u, data)
			flowtest.Has(t, msgs, forbidden)
			flowtest.Lacks(t, msgs, "Удовлетворённость", "среднее")
			for _, m := range msgs {
				if _, ok := m.(bot.CallbackAnswer); !ok {
					t.Fatalf("%d pressing %s got %T", u.ID, data, m)
				}
			}
		}
	}
	// The school's own quality manager does not see association-wide surveys.
	flowtest.Has(t, e.Send(t, resQM, e.L.T("survey.results.menu")), "1 опрос")
	flowtest.Has(t, e.Press(t, resQM, flows.CB("svr", "open", assoc.ID)), forbidden)
	// The chair reads every school's and the association's surveys.
	e.Person(t, resChair, "Петрова Нина Ивановна", storage.RoleChair, 0)
	flowtest.Has(t, e.Send(t, resChair, e.L.T("survey.results.menu")), "2 опроса")
	flowtest.Has(t, e.Press(t, resChair, flows.CB("svr", "open", assoc.ID)), "вся ассоциация", "Ответили: 5 · среднее 5,0")
	flowtest.Has(t, e.Press(t, resChair, flows.CB("svr", "open", sv.ID)), "СОШ № 1", "Ответили: 10 · среднее 3,6")
}

// resJob finds a registered periodic job by name.
func resJob(t *testing.T, e *flowtest.Env, name string) flows.Job {
	t.Helper()
	for _, j := range e.Router.Jobs() {
		if j.Name == name {
			return j
		}
	}
	t.Fatalf("no job %q", name)
	return flows.Job{}
}

// resChats returns the chats the messages go to, with their texts.
func resChats(msgs []bot.Message) map[int64]string {
	out := map[int64]string{}
	for _, m := range msgs {
		if txt, ok := m.(bot.Text); ok {
			out[txt.ChatID] += txt.Text
		}
	}
	return out
}

func TestRemindersDigestAndClose(t *testing.T) {
	t.Parallel()
	e := resEnv(t)
	ctx := context.Background()
	a := e.Org(t, "СОШ № 1")
	lonely := e.Org(t, "Школа без менеджера")
	creator := e.Person(t, resQM, "Иванова Мария Петровна", storage.RoleQualityManager, a.ID)
	e.Person(t, resQM2, "Орлова Ольга Игоревна", storage.RoleQualityManager, a.ID)
	gone := e.Person(t, resOtherQM, "Смирнова Анна Сергеевна", storage.RoleQualityManager, a.ID)
	if err := e.Store.ForgetPerson(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	chair := e.Person(t, resChair, "Петрова Нина Ивановна", storage.RoleChair, 0)

	sv, classes := resSurvey(t, e, a.ID, creator.ID, "parents")
	resDataset(t, e, sv.ID, classes)
	// A school with no quality manager: the chair who made it hears; one
	// made from the command line reaches nobody, without failing.
	svL, clL := resSurvey(t, e, lonely.ID, chair.ID, "parents")
	resSimple(t, e, svL.ID, clL[0].ID, 1, 5)
	resSurvey(t, e, lonely.ID, 0, "students")

	digest, closer := resJob(t, e, "survey-digest"), resJob(t, e, "survey-close")
	if digest.Every != 10*time.Minute || closer.Every != 5*time.Minute {
		t.Errorf("periods %v, %v", digest.Every, closer.Every)
	}

	// Three days before closing: no digest yet.
	msgs, err := digest.Run(ctx, e.Clock.Now().Add(4*24*time.Hour))
	if err != nil || len(msgs) != 0 {
		t.Fatalf("early digest: %v, %d messages", err, len(msgs))
	}
	// Two days before: one each to the creator and the other quality
	// manager, and to the chair for the lonely school.
	e.Clock.Add(5*24*time.Hour + time.Hour)
	msgs, err = digest.Run(ctx, e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	chats := resChats(msgs)
	if len(msgs) != 3 || len(chats) != 3 {
		t.Fatalf("digest went to %v (%d messages)", chats, len(msgs))
	}
	for _, id := range []int64{resQM.ID, resQM2.ID} {
		for _, w := range []string{"закроется 27 ноября 2026, 10:00", "• 5А — 6 из 20 (30%)", "• 5Б — 4 из 10 (40%)", "Всего: 10 из 30 (33%)"} {
			if !strings.Contains(chats[id], w) {
				t.Errorf("digest to %d lacks %q:\n%s", id, w, chats[id])
			}
		}
	}
	if !strings.Contains(chats[resChair.ID], "• 5А — 1 из 20 (5%)") {
		t.Errorf("digest to the chair:\n%s", chats[resChair.ID])
	}
	if msgs, err := digest.Run(ctx, e.Clock.Now().Add(time.Hour)); err != nil || len(msgs) != 0 {
		t.Fatalf("second digest: %v, %d messages", err, len(msgs))
	}

	// Before closing nothing closes; after, the final results go once.
	if msgs, err := closer.Run(ctx, e.Clock.Now()); err != nil || len(msgs) != 0 {
		t.Fatalf("early close: %v, %d messages", err, len(msgs))
	}
	e.Clock.Add(48 * time.Hour)
	msgs, err = closer.Run(ctx, e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	chats = resChats(msgs)
	if len(chats) != 3 {
		t.Fatalf("final results went to %v", chats)
	}
	for _, id := range []int64{resQM.ID, resQM2.ID} {
		for _, w := range []string{"завершён", "Общий индекс удовлетворённости: 55%", "среднее 3,6"} {
			if !strings.Contains(chats[id], w) {
				t.Errorf("final results to %d lack %q:\n%s", id, w, chats[id])
			}
		}
	}
	if !strings.Contains(chats[resChair.ID], "Пока ответов: 1") {
		t.Errorf("final results of a small survey:\n%s", chats[resChair.ID])
	}
	got, _, err := e.Store.FindSurveyByID(ctx, sv.ID)
	if err != nil || got.Status != storage.SurveyClosed {
		t.Fatalf("survey after close job: %v %v", got.Status, err)
	}
	if msgs, err := closer.Run(ctx, e.Clock.Now()); err != nil || len(msgs) != 0 {
		t.Fatalf("second close: %v, %d messages", err, len(msgs))
	}
	// The final results' buttons work for the quality manager.
	flowtest.Has(t, resOpen(t, e, resQM, sv), "⏹ Завершён")
}
