package survey

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/flowtest"
	"smkbot/storage"
)

// The respondents of the answering tests. Their ids are long and unusual so
// that a test can look for them in everything the bot says.
var (
	ansAlice = flowtest.User{ID: 730015284461, First: "Алиса"}
	ansBob   = flowtest.User{ID: 730015284462, First: "Борис"}
)

// ansQuestions has a question of every kind, required and optional.
var ansQuestions = []storage.Question{
	{Kind: storage.QuestionScale, Text: "Насколько вас устраивает качество преподавания?", Group: "Качество обучения",
		Low: "Совсем не устраивает", High: "Полностью устраивает", Required: true},
	{Kind: storage.QuestionYesNo, Text: "Ребёнок чувствует себя в школе в безопасности?", Group: "Безопасность", Required: true},
	{Kind: storage.QuestionSingle, Text: "Как часто вы заходите на сайт школы?", Options: []string{"Каждую неделю", "Раз в месяц", "Никогда"}, Required: true},
	{Kind: storage.QuestionMulti, Text: "Какие кружки посещает ребёнок?", Options: []string{"Футбол", "Шахматы", "Хор"}},
	{Kind: storage.QuestionText, Text: "Что бы вы предложили улучшить?"},
	{Kind: storage.QuestionMulti, Text: "Откуда вы узнаёте новости школы?", Options: []string{"Сайт", "Чат класса", "Собрания"}, Required: true},
	{Kind: storage.QuestionScale, Text: "Порекомендуете ли вы школу знакомым?", Low: "Точно нет", High: "Точно да"},
}

// ansSecret is the anonymity key of the tests.
var ansSecret = []byte("answer-test-secret-of-32-bytes!!")

type ansEnv struct {
	*flowtest.Env
	f       *Flow
	sv      storage.Survey
	classes []storage.SurveyClass
	// said is everything the bot said in the test, for the check that no
	// Telegram id is ever shown.
	said []bot.Message
}

// newAnsEnv builds a bot with the answering part and an open survey of a
// school with two classes.
func newAnsEnv(t *testing.T) *ansEnv {
	t.Helper()
	f := &Flow{Secret: ansSecret, BotUsername: "smk_test_bot"}
	e := flowtest.New(t, func(r *flows.Router, e *flowtest.Env) {
		f.Store = e.Store
		f.registerAnswer(r)
	})
	a := &ansEnv{Env: e, f: f}
	org := e.Org(t, "СОШ № 7")
	a.sv, a.classes = a.survey(t, storage.Survey{OrgID: org.ID, ClosesAt: flowtest.Start.Add(7 * 24 * time.Hour)}, true)
	t.Cleanup(func() {
		for _, m := range a.said {
			a.noTelegramID(t, m)
		}
	})
	return a
}

// survey creates a survey with ansQuestions (and publishes it when asked).
func (a *ansEnv) survey(t *testing.T, sv storage.Survey, publish bool) (storage.Survey, []storage.SurveyClass) {
	t.Helper()
	ctx := context.Background()
	if sv.Title == "" {
		sv.Title = "Удовлетворённость родителей"
	}
	sv.Audience = storage.AudienceParents
	sv.Intro = "Хотим понять, что улучшить в школе."
	sv.Questions = ansQuestions
	sv, classes, err := a.Store.CreateSurvey(ctx, 0, sv, []storage.SurveyClass{{Name: "5А", Headcount: 27}, {Name: "5Б", Headcount: 25}})
	if err != nil {
		t.Fatal(err)
	}
	if publish {
		if err := a.Store.PublishSurvey(ctx, 0, sv.ID); err != nil {
			t.Fatal(err)
		}
	}
	sv, _, err = a.Store.FindSurveyByID(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	return sv, classes
}

func (a *ansEnv) noTelegramID(t *testing.T, m bot.Message) {
	t.Helper()
	var texts []string
	switch m := m.(type) {
	case bot.Text:
		texts = append(texts, m.Text)
		for _, row := range m.Buttons {
			for _, b := range row {
				texts = append(texts, b.Text, b.Data)
			}
		}
	case bot.Edit:
		texts = append(texts, m.Text)
		for _, row := range m.Buttons {
			for _, b := range row {
				texts = append(texts, b.Text, b.Data)
			}
		}
	case bot.CallbackAnswer:
		texts = append(texts, m.Text)
	}
	for _, s := range texts {
		for _, u := range []flowtest.User{ansAlice, ansBob} {
			if strings.Contains(s, strconv.FormatInt(u.ID, 10)) {
				t.Errorf("the bot showed a Telegram id: %q", s)
			}
		}
	}
}

func (a *ansEnv) open(t *testing.T, u flowtest.User, class storage.SurveyClass) []bot.Message {
	t.Helper()
	return a.keep(a.Send(t, u, "/start "+linkPrefix+class.Code))
}

func (a *ansEnv) send(t *testing.T, u flowtest.User, text string) []bot.Message {
	t.Helper()
	return a.keep(a.Send(t, u, text))
}

func (a *ansEnv) press(t *testing.T, u flowtest.User, label string) []bot.Message {
	t.Helper()
	return a.keep(a.PressLabel(t, u, label))
}

func (a *ansEnv) forge(t *testing.T, u flowtest.User, data string) []bot.Message {
	t.Helper()
	return a.keep(a.Press(t, u, data))
}

func (a *ansEnv) keep(msgs []bot.Message) []bot.Message {
	a.said = append(a.said, msgs...)
	return msgs
}

// draft is the respondent's draft as stored.
func (a *ansEnv) draft(t *testing.T, u flowtest.User) storage.Draft {
	t.Helper()
	d, err := a.Store.FindDraft(context.Background(), a.sv.ID, a.f.respondent(a.sv.ID, u.ID))
	if err != nil {
		t.Fatalf("draft of %s: %v", u.First, err)
	}
	return d
}

func (a *ansEnv) results(t *testing.T) storage.Results {
	t.Helper()
	r, err := a.Store.SurveyResults(context.Background(), a.sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// ansNewestLabels are the labels of the newest message with buttons.
func ansNewestLabels(msgs []bot.Message) []string {
	for i := len(msgs) - 1; i >= 0; i-- {
		var kb bot.Keyboard
		switch m := msgs[i].(type) {
		case bot.Text:
			kb = m.Buttons
		case bot.Edit:
			kb = m.Buttons
		}
		if len(kb) == 0 {
			continue
		}
		var out []string
		for _, row := range kb {
			for _, b := range row {
				out = append(out, b.Text)
			}
		}
		return out
	}
	return nil
}

// step is the session step u is at ("" when none).
func (a *ansEnv) step(t *testing.T, u flowtest.User) string {
	t.Helper()
	s, _, err := a.Sessions.Get(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s.Step
}

// answerAll takes u through the whole survey from the intro to the review
// with the answers of TestAnswerFullPass.
func (a *ansEnv) answerAll(t *testing.T, u flowtest.User, first string) {
	t.Helper()
	a.open(t, u, a.classes[0])
	a.press(t, u, "Начать")
	a.press(t, u, first)
	a.press(t, u, "Да")
	a.press(t, u, "Раз в месяц")
	a.press(t, u, "☐ Футбол")
	a.press(t, u, "☐ Хор")
	a.press(t, u, "Готово")
	a.send(t, u, "Больше кружков для младших")
	a.press(t, u, "☐ Чат класса")
	a.press(t, u, "Готово")
	a.press(t, u, "Пропустить")
}

func TestAnswerFullPass(t *testing.T) {
	t.Parallel()
	a := newAnsEnv(t)
	u := ansAlice

	msgs := a.open(t, u, a.classes[0])
	flowtest.Has(t, msgs, "СОШ № 7", "Удовлетворённость родителей", "Хотим понять, что улучшить в школе.",
		"мы не знаем, кто отвечает", "Ответить можно один раз", "только общие итоги", "меньше 5 человек",
		"В опросе 7 вопросов — это примерно 2 минуты.", "Ответить можно до 27 ноября 2026, 10:00")
	if got := ansNewestLabels(msgs); !slices.Equal(got, []string{"Начать"}) {
		t.Fatalf("intro buttons = %q", got)
	}

	msgs = a.press(t, u, "Начать")
	flowtest.Has(t, msgs, "Вопрос 1 из 7 · Качество обучения", "Насколько вас устраивает качество преподавания?",
		"1 — Совсем не устраивает, 5 — Полностью устраивает")
	if got := ansNewestLabels(msgs); !slices.Equal(got, []string{"1", "2", "3", "4", "5"}) {
		t.Fatalf("first question's buttons = %q (a required first question has no «Назад» or «Пропустить»)", got)
	}

	msgs = a.press(t, u, "4")
	edit, ok := msgs[0].(bot.Edit)
	if !ok || !strings.Contains(edit.Text, "✓ Ваш ответ: 4") || edit.Buttons != nil {
		t.Fatalf("the answered question is not edited to show the answer: %#v", msgs[0])
	}
	flowtest.Has(t, msgs, "Вопрос 2 из 7 · Безопасность")
	if got := ansNewestLabels(msgs); !slices.Equal(got, []string{"Да", "Нет", "‹ Назад"}) {
		t.Fatalf("yes/no buttons = %q", got)
	}
	if d := a.draft(t, u); d.Answers[0].Value == nil || *d.Answers[0].Value != 4 {
		t.Fatalf("the answer is not saved at once: %+v", d.Answers)
	}

	flowtest.Has(t, a.press(t, u, "Да"), "✓ Ваш ответ: Да", "Вопрос 3 из 7", "Выберите один вариант.")
	msgs = a.press(t, u, "Раз в месяц")
	flowtest.Has(t, msgs, "✓ Ваш ответ: Раз в месяц", "Вопрос 4 из 7", "Отметьте все подходящие варианты", "можно пропустить")
	if got := ansNewestLabels(msgs); !slices.Equal(got, []string{"☐ Футбол", "☐ Шахматы", "☐ Хор", "Готово", "‹ Назад", "Пропустить"}) {
		t.Fatalf("multi buttons = %q", got)
	}

	// Ticks edit the same message; nothing is saved before «Готово».
	msgs = a.press(t, u, "☐ Футбол")
	if len(msgs) != 1 {
		t.Fatalf("a tick should only edit the message: %#v", msgs)
	}
	if got := ansNewestLabels(msgs); !slices.Contains(got, "☑ Футбол") {
		t.Fatalf("tick not shown: %q", got)
	}
	a.press(t, u, "☐ Хор")
	a.press(t, u, "☑ Футбол")
	a.press(t, u, "☐ Футбол")
	if _, ok := a.draft(t, u).Answers[3]; ok {
		t.Fatal("a multiple choice saved before «Готово»")
	}
	msgs = a.press(t, u, "Готово")
	flowtest.Has(t, msgs, "✓ Ваш ответ: Футбол, Хор", "Вопрос 5 из 7", "Напишите ответ одним сообщением — до 1000 символов.")

	flowtest.Has(t, a.send(t, u, "Больше кружков для младших"), "✓ Ответ записан.", "Вопрос 6 из 7")

	// A required multiple choice wants a tick.
	msgs = a.press(t, u, "Готово")
	flowtest.Has(t, msgs, "Отметьте хотя бы один вариант.")
	if got := ansNewestLabels(a.said); slices.Contains(got, "Пропустить") {
		t.Fatalf("a required question offers «Пропустить»: %q", got)
	}
	a.press(t, u, "☐ Чат класса")
	flowtest.Has(t, a.press(t, u, "Готово"), "Вопрос 7 из 7")

	msgs = a.press(t, u, "Пропустить")
	flowtest.Has(t, msgs, "✓ Ваш ответ: пропущено", "Почти готово! Проверьте ответы:",
		"1. Насколько вас устраивает качество преподавания? — 4",
		"2. Ребёнок чувствует себя в школе в безопасности? — Да",
		"4. Какие кружки посещает ребёнок? — Футбол, Хор",
		"5. Что бы вы предложили улучшить? — «Больше кружков для младших»",
		"7. Порекомендуете ли вы школу знакомым? — пропущено")
	if got := ansNewestLabels(msgs); !slices.Equal(got, []string{"✏️ 1", "✏️ 2", "✏️ 3", "✏️ 4", "✏️ 5", "✏️ 6", "✏️ 7", "✅ Отправить"}) {
		t.Fatalf("review buttons = %q", got)
	}

	// A change from the review returns to the review.
	flowtest.Has(t, a.press(t, u, "✏️ 1"), "Вопрос 1 из 7", "Сейчас ваш ответ: 4")
	flowtest.Has(t, a.press(t, u, "5"), "✓ Ваш ответ: 5", "Почти готово!", "1. Насколько вас устраивает качество преподавания? — 5")

	msgs = a.press(t, u, "✅ Отправить")
	flowtest.Has(t, msgs, "Спасибо! Ваши ответы отправлены.", "только общие итоги")
	if got := ansNewestLabels(msgs); got != nil {
		t.Fatalf("buttons after the thanks: %q", got)
	}

	if _, err := a.Store.FindDraft(context.Background(), a.sv.ID, a.f.respondent(a.sv.ID, u.ID)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the draft outlived the submit: %v", err)
	}
	r := a.results(t)
	if r.Responses != 1 {
		t.Fatalf("responses = %d", r.Responses)
	}
	want := map[int]map[int]int{0: {5: 1}, 1: {1: 1}, 2: {1: 1}, 3: {0: 1, 2: 1}, 5: {1: 1}}
	for q, counts := range want {
		if diff := cmp.Diff(counts, r.Questions[q].Counts); diff != "" {
			t.Errorf("question %d counts (-want +got):\n%s", q, diff)
		}
	}
	if !slices.Equal(r.Questions[4].Texts, []string{"Больше кружков для младших"}) || r.Questions[6].Answered != 0 {
		t.Errorf("text answers %q, skipped question answered %d times", r.Questions[4].Texts, r.Questions[6].Answered)
	}

	// Old buttons and the link again: already answered, nothing changes.
	flowtest.Has(t, a.forge(t, u, flows.CB(cbAnswer, ansValue, fmt.Sprintf("%d.0.1", a.sv.ID))), "Вы уже ответили на этот опрос. Спасибо!")
	flowtest.Has(t, a.forge(t, u, flows.CB(cbAnswer, ansSend, a.sv.ID)), "Вы уже ответили")
	flowtest.Has(t, a.open(t, u, a.classes[1]), "Вы уже ответили на опрос «Удовлетворённость родителей»")
	if r := a.results(t); r.Responses != 1 {
		t.Fatalf("responses after old presses = %d", r.Responses)
	}
}

func TestAnswerTwoRespondentsInterleaved(t *testing.T) {
	t.Parallel()
	a := newAnsEnv(t)
	a.open(t, ansAlice, a.classes[0])
	a.open(t, ansBob, a.classes[1])
	a.press(t, ansAlice, "Начать")
	a.press(t, ansBob, "Начать")
	a.press(t, ansAlice, "5")
	a.press(t, ansBob, "1")
	a.press(t, ansBob, "Нет")
	a.press(t, ansAlice, "Да")
	a.press(t, ansAlice, "Никогда")
	a.press(t, ansBob, "Каждую неделю")
	a.press(t, ansAlice, "☐ Шахматы")
	a.press(t, ansBob, "Пропустить")
	a.press(t, ansAlice, "Готово")
	// Both wait on a text question: each text goes to its own draft.
	a.press(t, ansBob, "Пропустить")
	a.send(t, ansAlice, "Алиса пишет")
	a.press(t, ansBob, "☐ Сайт")
	a.press(t, ansAlice, "☐ Собрания")
	a.press(t, ansAlice, "Готово")
	a.press(t, ansBob, "Готово")

	da, db := a.draft(t, ansAlice), a.draft(t, ansBob)
	if da.ID == db.ID || da.ClassID != a.classes[0].ID || db.ClassID != a.classes[1].ID {
		t.Fatalf("drafts not apart: %+v %+v", da, db)
	}
	if *da.Answers[0].Value != 5 || *db.Answers[0].Value != 1 || da.Answers[4].Text != "Алиса пишет" || !db.Answers[4].Skipped {
		t.Fatalf("answers mixed up: alice %+v, bob %+v", da.Answers, db.Answers)
	}
	a.press(t, ansAlice, "Пропустить")
	a.press(t, ansBob, "3")
	flowtest.Has(t, a.press(t, ansBob, "✅ Отправить"), "Спасибо!")
	flowtest.Has(t, a.press(t, ansAlice, "✅ Отправить"), "Спасибо!")
	r := a.results(t)
	if r.Responses != 2 || r.Classes[0].Responses != 1 || r.Classes[1].Responses != 1 {
		t.Fatalf("results %+v", r)
	}
	if diff := cmp.Diff(map[int]int{1: 1, 5: 1}, r.Questions[0].Counts); diff != "" {
		t.Errorf("question 1 (-want +got):\n%s", diff)
	}
}

func TestAnswerBackSkipAndKeep(t *testing.T) {
	t.Parallel()
	a := newAnsEnv(t)
	u := ansAlice
	a.open(t, u, a.classes[0])
	a.press(t, u, "Начать")
	a.press(t, u, "2")
	msgs := a.press(t, u, "‹ Назад")
	if e, ok := msgs[0].(bot.Edit); !ok || e.Buttons != nil {
		t.Fatalf("«Назад» should take the buttons off the question left: %#v", msgs[0])
	}
	flowtest.Has(t, msgs, "Вопрос 1 из 7", "Сейчас ваш ответ: 2")
	if got := ansNewestLabels(msgs); !slices.Equal(got, []string{"1", "2", "3", "4", "5", "Оставить как есть"}) {
		t.Fatalf("revisited first question's buttons = %q", got)
	}
	flowtest.Has(t, a.press(t, u, "3"), "✓ Ваш ответ: 3", "Вопрос 2 из 7")
	if d := a.draft(t, u); *d.Answers[0].Value != 3 {
		t.Fatalf("re-answering did not overwrite: %+v", d.Answers[0])
	}
	a.press(t, u, "Да")
	a.press(t, u, "Никогда")
	flowtest.Has(t, a.press(t, u, "Пропустить"), "✓ Ваш ответ: пропущено", "Вопрос 5 из 7")
	a.send(t, u, "Первый вариант")
	// Back to the text question: it can be kept as it is, or typed anew.
	msgs = a.press(t, u, "‹ Назад")
	flowtest.Has(t, msgs, "Вопрос 5 из 7", "Сейчас ваш ответ: «Первый вариант»")
	if got := ansNewestLabels(msgs); !slices.Equal(got, []string{"‹ Назад", "Пропустить", "Оставить как есть"}) {
		t.Fatalf("revisited text question's buttons = %q", got)
	}
	flowtest.Has(t, a.press(t, u, "Оставить как есть"), "✓ Ваш ответ: «Первый вариант»", "Вопрос 6 из 7")
	a.press(t, u, "‹ Назад")
	flowtest.Has(t, a.send(t, u, "Второй вариант"), "✓ Ответ записан.", "Вопрос 6 из 7")
	if d := a.draft(t, u); d.Answers[4].Text != "Второй вариант" {
		t.Fatalf("text answer = %+v", d.Answers[4])
	}
	// On a question with buttons, typed text is no answer.
	a.send(t, u, "Чат класса")
	if _, ok := a.draft(t, u).Answers[5]; ok {
		t.Fatal("typed text taken as the answer to a multiple choice")
	}
}

func TestAnswerTextTooLong(t *testing.T) {
	t.Parallel()
	a := newAnsEnv(t)
	u := ansAlice
	a.open(t, u, a.classes[0])
	a.press(t, u, "Начать")
	a.press(t, u, "4")
	a.press(t, u, "Да")
	a.press(t, u, "Никогда")
	a.press(t, u, "Пропустить")
	msgs := a.send(t, u, strings.Repeat("я", 1001))
	flowtest.Has(t, msgs, "длиннее 1000 символов (сейчас — 1001)", "Сократите")
	if _, ok := a.draft(t, u).Answers[4]; ok {
		t.Fatal("a too long text was saved")
	}
	flowtest.Has(t, a.send(t, u, "   "), "ответ текстом")
	long := strings.Repeat("ё", 1000)
	flowtest.Has(t, a.send(t, u, long), "✓ Ответ записан.", "Вопрос 6 из 7")
	if got := a.draft(t, u).Answers[4].Text; got != long {
		t.Fatalf("saved text of %d characters", len([]rune(got)))
	}
	// Earlier answers are all still there.
	if d := a.draft(t, u); len(d.Answers) != 5 {
		t.Fatalf("answers = %+v", d.Answers)
	}
}

func TestAnswerLostSessionResumes(t *testing.T) {
	t.Parallel()
	a := newAnsEnv(t)
	u := ansAlice
	a.open(t, u, a.classes[0])
	a.press(t, u, "Начать")
	a.press(t, u, "4")
	a.press(t, u, "Да")
	a.press(t, u, "Никогда")
	a.press(t, u, "Пропустить")
	// Hours later Redis has lost the session: a typed text is no answer.
	a.Clock.Add(5 * time.Hour)
	if err := a.Sessions.Delete(context.Background(), u.ID); err != nil {
		t.Fatal(err)
	}
	a.send(t, u, "Ответ без сессии")
	if _, ok := a.draft(t, u).Answers[4]; ok {
		t.Fatal("text taken as an answer without a session")
	}
	// The link again: the intro offers to continue where the draft stops.
	msgs := a.open(t, u, a.classes[0])
	flowtest.Has(t, msgs, "Вы уже начали, ответы сохранены. Продолжим: вопрос 5 из 7.")
	if got := ansNewestLabels(msgs); !slices.Equal(got, []string{"Продолжить"}) {
		t.Fatalf("resume buttons = %q", got)
	}
	flowtest.Has(t, a.press(t, u, "Продолжить"), "Вопрос 5 из 7", "Что бы вы предложили улучшить?")
	flowtest.Has(t, a.send(t, u, "Теперь с сессией"), "✓ Ответ записан.", "Вопрос 6 из 7")
	// Buttons of old messages still work without the session: they carry
	// the survey and the question.
	if err := a.Sessions.Delete(context.Background(), u.ID); err != nil {
		t.Fatal(err)
	}
	a.press(t, u, "☐ Сайт")
	flowtest.Has(t, a.press(t, u, "Готово"), "Вопрос 7 из 7")
	flowtest.Has(t, a.press(t, u, "3"), "Почти готово!")
	// Reopening with everything answered goes to the review.
	flowtest.Has(t, a.open(t, u, a.classes[0]), "осталось проверить ответы и отправить")
	flowtest.Has(t, a.press(t, u, "Продолжить"), "Почти готово!")
	flowtest.Has(t, a.press(t, u, "✅ Отправить"), "Спасибо!")
	if r := a.results(t); r.Responses != 1 || !slices.Equal(r.Questions[4].Texts, []string{"Теперь с сессией"}) {
		t.Fatalf("results %+v", r)
	}
}

func TestAnswerSecondAttemptRefused(t *testing.T) {
	t.Parallel()
	a := newAnsEnv(t)
	a.answerAll(t, ansAlice, "5")
	a.press(t, ansAlice, "✅ Отправить")
	flowtest.Has(t, a.open(t, ansAlice, a.classes[0]), "Вы уже ответили", "Второй раз ответить нельзя")
	if r := a.results(t); r.Responses != 1 {
		t.Fatalf("responses = %d", r.Responses)
	}
}

func TestAnswerClosedAndNotOpen(t *testing.T) {
	t.Parallel()
	a := newAnsEnv(t)
	ctx := context.Background()
	u := ansAlice

	_, laterClasses := a.survey(t, storage.Survey{Title: "Весенний опрос", OpensAt: flowtest.Start.Add(48 * time.Hour)}, true)
	flowtest.Has(t, a.open(t, u, laterClasses[0]), "Опрос «Весенний опрос» ещё не начался. Он откроется 22 ноября 2026, 10:00")
	_, draftClasses := a.survey(t, storage.Survey{Title: "Черновик"}, false)
	flowtest.Has(t, a.open(t, u, draftClasses[0]), "Опрос «Черновик» ещё не начался. Откройте ссылку чуть позже")

	flowtest.Has(t, a.Send(t, u, "/start s_AAAAAAAAAA"), "Не нашли опрос по этой ссылке")

	// Closed in the middle of answering: said honestly, nothing counted.
	a.open(t, u, a.classes[0])
	a.press(t, u, "Начать")
	a.press(t, u, "4")
	a.Clock.Add(24 * time.Hour)
	if err := a.Store.CloseSurvey(ctx, 0, a.sv.ID); err != nil {
		t.Fatal(err)
	}
	msgs := a.press(t, u, "Да")
	flowtest.Has(t, msgs, "уже закрыт, простите", "не были отправлены и в итоги не попадут")
	if got := ansNewestLabels(msgs); got != nil {
		t.Fatalf("buttons left on a closed survey: %q", got)
	}
	flowtest.Has(t, a.open(t, ansBob, a.classes[0]), "Опрос «Удовлетворённость родителей» проходил с 20 ноября по 21 ноября 2026 и уже закрыт.")
	if r := a.results(t); r.Responses != 0 {
		t.Fatalf("responses = %d", r.Responses)
	}
}

func TestAnswerClosingTimePassed(t *testing.T) {
	t.Parallel()
	a := newAnsEnv(t)
	u := ansAlice
	a.answerAll(t, u, "4")
	a.Clock.Add(8 * 24 * time.Hour) // past the closing time, not yet closed by the job
	flowtest.Has(t, a.press(t, u, "✅ Отправить"), "уже закрыт, простите")
	flowtest.Has(t, a.open(t, ansBob, a.classes[0]), "проходил с 20 ноября по 27 ноября 2026")
	if r := a.results(t); r.Responses != 0 {
		t.Fatalf("responses = %d", r.Responses)
	}
}

func TestAnswerForgedPresses(t *testing.T) {
	t.Parallel()
	a := newAnsEnv(t)
	u := ansAlice
	other, otherClasses := a.survey(t, storage.Survey{Title: "Другой опрос"}, true)
	a.open(t, u, a.classes[0])
	a.press(t, u, "Начать")
	a.press(t, u, "4")
	a.press(t, u, "Да")
	before := a.draft(t, u)
	stale := a.L.T("common.stale_button")
	sid := a.sv.ID
	for _, data := range []string{
		flows.CB(cbAnswer, ansValue, fmt.Sprintf("%d.2.1", other.ID)), // a survey without a draft
		flows.CB(cbAnswer, ansGo, other.ID),
		flows.CB(cbAnswer, ansSend, other.ID),
		flows.CB(cbAnswer, ansValue, fmt.Sprintf("%d.0.6", sid)),  // scale out of 1..5
		flows.CB(cbAnswer, ansValue, fmt.Sprintf("%d.0.0", sid)),  // scale out of 1..5
		flows.CB(cbAnswer, ansValue, fmt.Sprintf("%d.1.2", sid)),  // yes/no out of 0..1
		flows.CB(cbAnswer, ansValue, fmt.Sprintf("%d.2.3", sid)),  // no option 3
		flows.CB(cbAnswer, ansValue, fmt.Sprintf("%d.3.1", sid)),  // a value for a multiple choice
		flows.CB(cbAnswer, ansValue, fmt.Sprintf("%d.4.1", sid)),  // a value for a text
		flows.CB(cbAnswer, ansValue, fmt.Sprintf("%d.99.1", sid)), // no question 99
		flows.CB(cbAnswer, ansToggle, fmt.Sprintf("%d.3.8", sid)), // option 3 of three
		flows.CB(cbAnswer, ansDone, fmt.Sprintf("%d.3.9", sid)),
		flows.CB(cbAnswer, ansToggle, fmt.Sprintf("%d.0.1", sid)), // a tick on a scale
		flows.CB(cbAnswer, ansSkip, fmt.Sprintf("%d.0", sid)),     // a required question
		flows.CB(cbAnswer, ansBack, fmt.Sprintf("%d.0", sid)),     // nothing before the first
		flows.CB(cbAnswer, ansKeep, fmt.Sprintf("%d.5", sid)),     // nothing to keep
		flows.CB(cbAnswer, ansValue, fmt.Sprintf("%d.0", sid)),    // too few numbers
		flows.CB(cbAnswer, ansValue, fmt.Sprintf("%d.0.1.1", sid)),
		flows.CB(cbAnswer, ansValue, fmt.Sprintf("%d.0.01", sid)),
		flows.CB(cbAnswer, ansValue, "0.0.1"),
		flows.CB(cbAnswer, ansValue, "abc"),
		flows.CB(cbAnswer, ansValue, nil),
		flows.CB(cbAnswer, "zz", sid),
		"sv:a:" + strconv.FormatInt(sid, 10) + ".0.99999999999999999999",
	} {
		msgs := a.forge(t, u, data)
		if len(msgs) != 1 || flowtest.Joined(msgs) != stale {
			t.Errorf("press %q: want the stale notice only, got %#v", data, msgs)
		}
	}
	if diff := cmp.Diff(before, a.draft(t, u)); diff != "" {
		t.Fatalf("forged presses changed the draft (-before +after):\n%s", diff)
	}
	// Bob, who answers another survey, presses buttons of Alice's: he has
	// no draft of it, so they are stale.
	a.open(t, ansBob, otherClasses[0])
	for _, data := range []string{flows.CB(cbAnswer, ansValue, fmt.Sprintf("%d.2.1", sid)), flows.CB(cbAnswer, ansSend, sid)} {
		if got := flowtest.Joined(a.forge(t, ansBob, data)); got != stale {
			t.Errorf("Bob's press %q: %q", data, got)
		}
	}
	if diff := cmp.Diff(before, a.draft(t, u)); diff != "" {
		t.Fatalf("another person's presses changed the draft (-before +after):\n%s", diff)
	}
}

func TestAnswerFromTemplate(t *testing.T) {
	t.Parallel()
	a := newAnsEnv(t)
	tmpl, ok := TemplateByKey("parents")
	if !ok {
		t.Fatal("no parents template")
	}
	sv, classes, err := a.Store.CreateSurvey(context.Background(), 0, storage.Survey{
		Title: tmpl.Title, Audience: storage.AudienceParents, TemplateKey: tmpl.Key, Intro: tmpl.Intro, Questions: tmpl.Questions,
	}, []storage.SurveyClass{{Name: "1А", Headcount: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Store.PublishSurvey(context.Background(), 0, sv.ID); err != nil {
		t.Fatal(err)
	}
	u := ansAlice
	msgs := a.open(t, u, classes[0])
	flowtest.Has(t, msgs, "Ассоциация", tmpl.Title, fmt.Sprintf("В опросе %d вопросов", len(tmpl.Questions)))
	a.press(t, u, "Начать")
	// Answer every question with its first choice (or skip, or a text)
	// until the review.
	for range 3 * len(tmpl.Questions) {
		labels := a.Labels(u)
		if slices.Contains(labels, "✅ Отправить") {
			break
		}
		switch {
		case a.step(t, u) == stepText:
			a.send(t, u, "Спасибо учителям")
		case strings.HasPrefix(labels[0], "☑"):
			a.press(t, u, "Готово")
		case strings.HasPrefix(labels[0], "☐"):
			a.press(t, u, labels[0])
		default:
			a.press(t, u, labels[0])
		}
	}
	flowtest.Has(t, a.press(t, u, "✅ Отправить"), "Спасибо!")
	r, err := a.Store.SurveyResults(context.Background(), sv.ID)
	if err != nil || r.Responses != 1 {
		t.Fatalf("results %+v, %v", r, err)
	}
}

func TestAnswerIntroPlurals(t *testing.T) {
	l := newLocalizer(t)
	for _, c := range []struct {
		questions, minutes int
		want               string
	}{
		{1, 1, "В опросе 1 вопрос — это примерно 1 минута."},
		{3, 1, "В опросе 3 вопроса — это примерно 1 минута."},
		{12, 2, "В опросе 12 вопросов — это примерно 2 минуты."},
		{21, 4, "В опросе 21 вопрос — это примерно 4 минуты."},
		{30, 5, "В опросе 30 вопросов — это примерно 5 минут."},
	} {
		got := l.N("survey.answer.size", c.questions, "Minutes", l.N("survey.answer.minutes", c.minutes))
		if got != c.want {
			t.Errorf("%d questions, %d minutes: %q, want %q", c.questions, c.minutes, got, c.want)
		}
	}
}

func TestAnswerReviewFitsOneMessage(t *testing.T) {
	l := newLocalizer(t)
	c := &flows.Context{L: l}
	long := strings.Repeat("Очень длинный вопрос о школе ", 10)
	sv := storage.Survey{ID: 123456789}
	d := storage.Draft{Answers: map[int]storage.Answer{}}
	for i := range maxQuestions {
		sv.Questions = append(sv.Questions, storage.Question{Kind: storage.QuestionText, Text: long})
		d.Answers[i] = storage.Answer{Text: strings.Repeat("ответ ", 160)}
	}
	text, kb := ansReview(c, sv, d)
	if n := len([]rune(text)); n > 4096 {
		t.Fatalf("the review of %d questions has %d characters", maxQuestions, n)
	}
	if len(kb) != maxQuestions/ansFixPerRow+1 {
		t.Fatalf("%d rows of buttons", len(kb))
	}
}
