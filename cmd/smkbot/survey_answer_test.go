package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"smkbot/storage"
	"smkbot/storage/storagetest"
)

// answerQuestions has a question of every kind, required and optional.
var answerQuestions = []storage.Question{
	{Kind: storage.QuestionScale, Text: "Насколько вас устраивает качество преподавания?", Group: "Качество обучения",
		Low: "Совсем не устраивает", High: "Полностью устраивает", Required: true},
	{Kind: storage.QuestionYesNo, Text: "Ребёнок чувствует себя в школе в безопасности?", Group: "Безопасность", Required: true},
	{Kind: storage.QuestionSingle, Text: "Как часто вы заходите на сайт школы?", Options: []string{"Каждую неделю", "Раз в месяц", "Никогда"}, Required: true},
	{Kind: storage.QuestionMulti, Text: "Какие кружки посещает ребёнок?", Options: []string{"Футбол", "Шахматы", "Хор"}},
	{Kind: storage.QuestionText, Text: "Что бы вы предложили улучшить?"},
	{Kind: storage.QuestionScale, Text: "Порекомендуете ли вы школу знакомым?", Low: "Точно нет", High: "Точно да"},
}

// answerSurvey creates (and, when publish, publishes) a survey of a school
// with classes 5А and 5Б, as the authoring part would.
func answerSurvey(t *testing.T, h *harness, sv storage.Survey, publish bool) (storage.Survey, []storage.SurveyClass) {
	t.Helper()
	ctx := context.Background()
	org, err := h.store.CreateOrganisation(ctx, 0, storage.Organisation{
		Name: "МБОУ СОШ № 7 г. Бийска " + sv.Title, ShortName: "СОШ № 7", Municipality: "Бийск", Status: storage.OrgMember,
	})
	if err != nil {
		t.Fatal(err)
	}
	sv.OrgID = org.ID
	sv.Audience = storage.AudienceParents
	sv.Intro = "Хотим понять, что улучшить в школе."
	sv.Questions = answerQuestions
	sv, classes, err := h.store.CreateSurvey(ctx, 0, sv, []storage.SurveyClass{{Name: "5А", Headcount: 27}, {Name: "5Б", Headcount: 25}})
	if err != nil {
		t.Fatal(err)
	}
	if publish {
		if err := h.store.PublishSurvey(ctx, 0, sv.ID); err != nil {
			t.Fatal(err)
		}
	}
	return sv, classes
}

// answerLink is what a person sends when they open a class link.
func answerLink(c storage.SurveyClass) string { return "/start s_" + c.Code }

// answerNoID fails when anything the bot showed the person — texts, button
// labels and data, notices — holds their Telegram id.
func answerNoID(t *testing.T, h *harness, u *user) {
	t.Helper()
	id := strconv.FormatInt(u.u.ID, 10)
	for _, m := range h.tg.Messages(u.u.ID) {
		if strings.Contains(m.Text, id) {
			t.Errorf("message shows the Telegram id: %q", m.Text)
		}
		for _, row := range m.Buttons {
			for _, b := range row {
				if strings.Contains(b.Text+b.Data, id) {
					t.Errorf("button carries the Telegram id: %+v", b)
				}
			}
		}
	}
	for _, a := range h.tg.CallbackAnswers() {
		if strings.Contains(a.Text, id) {
			t.Errorf("notice shows the Telegram id: %q", a.Text)
		}
	}
}

// answerDrafts counts the drafts in progress.
func answerDrafts(t *testing.T, h *harness) int {
	t.Helper()
	var n int
	if err := h.store.Pool().QueryRow(context.Background(), `select count(*) from survey_drafts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// answerLoseSession deletes the person's session in Redis, as an expiry or
// a flush would.
func answerLoseSession(t *testing.T, h *harness, u *user) {
	t.Helper()
	rdb, _ := storagetest.Redis(t)
	if err := storage.NewSessions(rdb, h.cfg.RedisPrefix, time.Hour).Delete(context.Background(), u.u.ID); err != nil {
		t.Fatal(err)
	}
}

// TestSurveyAnswerTwoParents: two parents answer one survey side by side,
// with a restart and a lost session in the middle, and both are counted.
func TestSurveyAnswerTwoParents(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	sv, classes := answerSurvey(t, h, storage.Survey{Title: "Удовлетворённость родителей", ClosesAt: time.Now().Add(7 * 24 * time.Hour)}, true)

	anna := h.user(7301528840011, "Анна")
	boris := h.user(7301528840012, "Борис")
	anna.send(answerLink(classes[0]))
	anna.expect("СОШ № 7", "Удовлетворённость родителей", "мы не знаем, кто отвечает", "В опросе 6 вопросов — это примерно 1 минута.")
	boris.send(answerLink(classes[1]))
	anna.press("Начать")
	anna.expect("Вопрос 1 из 6 · Качество обучения", "1 — Совсем не устраивает, 5 — Полностью устраивает")
	boris.press("Начать")
	anna.press("5")
	boris.press("2")
	anna.expect("Вопрос 2 из 6")
	boris.press("Нет")
	anna.press("Да")
	// Back and answer again.
	anna.press("‹ Назад")
	anna.expect("Вопрос 2 из 6", "Сейчас ваш ответ: Да")
	anna.press("Нет")
	anna.press("Раз в месяц")
	boris.press("Никогда")

	// The bot restarts while both are in the middle: nothing is lost.
	h.restart()
	anna.press("☐ Шахматы")
	anna.press("☐ Хор")
	anna.expect("Вопрос 4 из 6")
	if m := anna.last(); len(m.Buttons) == 0 || m.Buttons[1][0].Text != "☑ Шахматы" || m.Buttons[2][0].Text != "☑ Хор" {
		t.Fatalf("ticks not shown on the same message:\n%s", anna.transcript())
	}
	anna.press("Готово")
	anna.expect("Вопрос 5 из 6", "до 1000 символов")
	boris.press("Пропустить")
	boris.expect("Вопрос 5 из 6")
	anna.send(strings.Repeat("а", 1001))
	anna.expect("длиннее 1000 символов (сейчас — 1001)")
	anna.send("Больше кружков для младших")
	anna.expect("Вопрос 6 из 6")

	// Boris's session is lost while he is on the text question: what he
	// types is not taken, and the link brings him back to the question.
	answerLoseSession(t, h, boris)
	boris.send("Ремонт спортзала")
	boris.send(answerLink(classes[1]))
	boris.expect("Продолжим: вопрос 5 из 6")
	boris.press("Продолжить")
	boris.expect("Вопрос 5 из 6", "Что бы вы предложили улучшить?")
	boris.send("Ремонт спортзала")
	boris.expect("Вопрос 6 из 6")
	boris.press("Пропустить")
	boris.expect("Почти готово!", "5. Что бы вы предложили улучшить? — «Ремонт спортзала»", "6. Порекомендуете ли вы школу знакомым? — пропущено")

	anna.press("4")
	anna.expect("Почти готово!", "1. Насколько вас устраивает качество преподавания? — 5", "2. Ребёнок чувствует себя в школе в безопасности? — Нет")
	anna.press("✏️ 6")
	anna.press("5")
	anna.expect("6. Порекомендуете ли вы школу знакомым? — 5")
	if n := answerDrafts(t, h); n != 2 {
		t.Fatalf("drafts before the submit = %d", n)
	}
	anna.press("✅ Отправить")
	anna.expect("Спасибо! Ваши ответы отправлены.", "только общие итоги")
	boris.press("✅ Отправить")
	boris.expect("Спасибо!")

	if n := answerDrafts(t, h); n != 0 {
		t.Fatalf("drafts after the submits = %d", n)
	}
	r, err := h.store.SurveyResults(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Responses != 2 || r.Classes[0].Responses != 1 || r.Classes[1].Responses != 1 {
		t.Fatalf("results: %+v", r)
	}
	if q := r.Questions[0]; q.Counts[5] != 1 || q.Counts[2] != 1 || q.Sum != 7 {
		t.Errorf("question 1: %+v", q)
	}
	if q := r.Questions[1]; q.Counts[0] != 2 {
		t.Errorf("question 2 (both said no, Anna after going back): %+v", q)
	}
	if q := r.Questions[3]; q.Answered != 1 || q.Counts[1] != 1 || q.Counts[2] != 1 {
		t.Errorf("question 4: %+v", q)
	}
	if q := r.Questions[4]; len(q.Texts) != 2 {
		t.Errorf("question 5 texts: %q", q.Texts)
	}

	// A second attempt and an old button: already answered, nothing changes.
	anna.send(answerLink(classes[0]))
	anna.expect("Вы уже ответили на опрос «Удовлетворённость родителей»")
	qid := anna.pressData("sv:a:" + strconv.FormatInt(sv.ID, 10) + ".0.1")
	if a := callbackAnswer(h, qid); !contains(a, "Вы уже ответили") {
		t.Errorf("old button after the submit: %q", a)
	}
	// A forged press on a survey Boris has no draft of.
	qid = boris.pressData("sv:a:" + strconv.FormatInt(sv.ID+1000, 10) + ".0.1")
	if a := callbackAnswer(h, qid); !contains(a, "устарела") {
		t.Errorf("forged press: %q", a)
	}
	if r2, _ := h.store.SurveyResults(ctx, sv.ID); r2.Responses != 2 {
		t.Errorf("responses after the old presses = %d", r2.Responses)
	}
	answerNoID(t, h, anna)
	answerNoID(t, h, boris)
}

func TestSurveyAnswerClosedAndNotOpen(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	_, later := answerSurvey(t, h, storage.Survey{Title: "Весенний опрос", OpensAt: time.Now().Add(72 * time.Hour)}, true)
	_, unpublished := answerSurvey(t, h, storage.Survey{Title: "Черновик"}, false)
	open, openClasses := answerSurvey(t, h, storage.Survey{Title: "Осенний опрос"}, true)

	u := h.user(7301528840021, "Вера")
	u.send(answerLink(later[0]))
	u.expect("Опрос «Весенний опрос» ещё не начался. Он откроется")
	u.send(answerLink(unpublished[0]))
	u.expect("Опрос «Черновик» ещё не начался")
	u.send("/start s_AAAAAAAAAA")
	u.expect("Не нашли опрос по этой ссылке")

	// Closed early while Вера is answering.
	u.send(answerLink(openClasses[0]))
	u.press("Начать")
	u.press("3")
	if err := h.store.CloseSurvey(ctx, 0, open.ID); err != nil {
		t.Fatal(err)
	}
	u.press("Да")
	u.expect("Опрос «Осенний опрос» уже закрыт, простите.", "в итоги не попадут")
	if m := u.last(); len(m.Buttons) != 0 {
		t.Fatalf("buttons left on a closed survey:\n%s", u.transcript())
	}
	other := h.user(7301528840022, "Глеб")
	other.send(answerLink(openClasses[1]))
	other.expect("Опрос «Осенний опрос» проходил с", "и уже закрыт")
	if r, err := h.store.SurveyResults(ctx, open.ID); err != nil || r.Responses != 0 {
		t.Fatalf("results of the closed survey: %+v, %v", r, err)
	}
	answerNoID(t, h, u)
}

// answerCode hides the random class code of a link in a transcript.
var answerCode = regexp.MustCompile(`/start s_[A-Za-z0-9_-]{10}`)

// TestSurveyAnswerTranscript keeps a whole answering conversation as a
// readable golden file.
func TestSurveyAnswerTranscript(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, classes := answerSurvey(t, h, storage.Survey{Title: "Удовлетворённость родителей"}, true)
	u := h.user(7301528840031, "Дарья")
	u.send(answerLink(classes[0]))
	u.press("Начать")
	u.press("4")
	u.press("Да")
	u.press("Каждую неделю")
	u.press("☐ Футбол")
	u.press("Готово")
	u.send("Спасибо учителям!")
	u.press("‹ Назад")
	u.press("Оставить как есть")
	u.press("Пропустить")
	u.press("✏️ 3")
	u.press("Раз в месяц")
	u.press("✅ Отправить")
	got := answerCode.ReplaceAllString(u.transcript(), "/start s_<код класса>")
	golden(t, "survey_answer", got)
}
