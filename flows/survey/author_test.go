package survey_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/flowtest"
	"smkbot/flows/survey"
	"smkbot/storage"
)

// The people of the authoring tests (ids apart from the other parts' tests).
var (
	auQM       = flowtest.User{ID: 8001, First: "Мария"}
	auOtherQM  = flowtest.User{ID: 8002, First: "Анна"}
	auTeacher  = flowtest.User{ID: 8003, First: "Иван"}
	auStranger = flowtest.User{ID: 8004, First: "Гость"}
	auChair    = flowtest.User{ID: 8005, First: "Нина"}
)

const auBot = "smk_test_bot"

// auFiles is the Telegram file store of the tests: uploads by file id.
type auFiles map[string][]byte

func (f auFiles) Download(_ context.Context, id string) ([]byte, error) {
	data, ok := f[id]
	if !ok {
		return nil, fmt.Errorf("no file %s", id)
	}
	return data, nil
}

type auEnv struct {
	*flowtest.Env
	files auFiles
	next  int // update ids of uploads, far from the harness's own
}

func newAuEnv(t *testing.T) *auEnv {
	t.Helper()
	files := auFiles{}
	e := flowtest.New(t, func(r *flows.Router, e *flowtest.Env) {
		(&survey.Flow{Store: e.Store, Secret: []byte("author-test-secret-0123456789abc"), BotUsername: auBot, Files: files}).Register(r)
	})
	return &auEnv{Env: e, files: files, next: 1 << 20}
}

// upload sends a document (or, with photo set, a photo) from u, as
// Telegram delivers it. The flowtest harness sends only text and presses,
// so the update goes to the router directly; its replies are returned, not
// added to the chat's record.
func (e *auEnv) upload(t *testing.T, u flowtest.User, name string, data []byte, photo bool) []bot.Message {
	t.Helper()
	e.next++
	id := fmt.Sprintf("file%d", e.next)
	e.files[id] = data
	upd := bot.Update{ID: e.next, ChatID: u.ID, Private: true, From: bot.User{ID: u.ID, FirstName: u.First}, MessageID: e.next}
	f := &bot.File{ID: id, UniqueID: "u" + id, Name: name, Size: len(data)}
	if photo {
		upd.Photo = f
	} else {
		upd.Document = f
	}
	msgs, err := e.Router.Handle(context.Background(), upd)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	for _, m := range msgs {
		if strings.Contains(flowtest.Joined([]bot.Message{m}), "⟦") {
			t.Fatalf("missing locale message in %q", flowtest.Joined([]bot.Message{m}))
		}
	}
	return msgs
}

// auStep is the step the person's session is at ("" for none).
func auStep(t *testing.T, e *auEnv, u flowtest.User) string {
	t.Helper()
	s, _, err := e.Sessions.Get(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s.Step
}

func auHas(t *testing.T, msgs []bot.Message, want ...string) {
	t.Helper()
	got := flowtest.Joined(msgs)
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Fatalf("reply lacks %q; got:\n%s", w, got)
		}
	}
}

// auButtons fails unless msgs carry buttons with every label.
func auButtons(t *testing.T, msgs []bot.Message, labels ...string) {
	t.Helper()
	var got []string
	for _, m := range msgs {
		var kb bot.Keyboard
		switch m := m.(type) {
		case bot.Text:
			kb = m.Buttons
		case bot.Edit:
			kb = m.Buttons
		case bot.Photo:
			kb = m.Buttons
		}
		for _, row := range kb {
			for _, b := range row {
				got = append(got, b.Text)
			}
		}
	}
	if !slicesContain(got, labels...) {
		t.Fatalf("buttons %q lack some of %q", got, labels)
	}
}

func auLacks(t *testing.T, msgs []bot.Message, texts ...string) {
	t.Helper()
	got := flowtest.Joined(msgs)
	for _, w := range texts {
		if strings.Contains(got, w) {
			t.Fatalf("reply has %q; got:\n%s", w, got)
		}
	}
}

// auSurveys lists every survey in Postgres with its classes.
func auSurveys(t *testing.T, e *auEnv) map[int64][]storage.SurveyClass {
	t.Helper()
	list, err := e.Store.ListSurveys(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64][]storage.SurveyClass{}
	for _, sv := range list {
		_, classes, err := e.Store.FindSurveyByID(context.Background(), sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[sv.ID] = classes
	}
	return out
}

func auSurvey(t *testing.T, e *auEnv, id int64) (storage.Survey, []storage.SurveyClass) {
	t.Helper()
	sv, classes, err := e.Store.FindSurveyByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return sv, classes
}

// auMake creates a survey of the parents' template as the store does,
// published when open is set.
func auMake(t *testing.T, e *auEnv, orgID int64, open bool) (storage.Survey, []storage.SurveyClass) {
	t.Helper()
	ctx := context.Background()
	tmpl, _ := survey.TemplateByKey("parents")
	sv, classes, err := e.Store.CreateSurvey(ctx, 0, storage.Survey{
		OrgID: orgID, Title: tmpl.Title, Audience: storage.AudienceParents, TemplateKey: tmpl.Key,
		Intro: tmpl.Intro, Questions: tmpl.Questions,
		ClosesAt: time.Date(2026, time.December, 4, 23, 59, 0, 0, flowtest.Zone),
	}, []storage.SurveyClass{{Name: "5А", Headcount: 27}, {Name: "5Б", Headcount: 25}})
	if err != nil {
		t.Fatal(err)
	}
	if open {
		if err := e.Store.PublishSurvey(ctx, 0, sv.ID); err != nil {
			t.Fatal(err)
		}
		sv, classes = auSurvey(t, e, sv.ID)
	}
	return sv, classes
}

// auPayload checks a class link and returns its ?start= payload.
func auPayload(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Host != "t.me" || u.Path != "/"+auBot {
		t.Fatalf("link %q", link)
	}
	p := u.Query().Get("start")
	if len(p) > 64 || !regexp.MustCompile(`^s_[A-Za-z0-9_-]+$`).MatchString(p) {
		t.Fatalf("payload %q of %q", p, link)
	}
	return p
}

var auLinkRE = regexp.MustCompile(`https://t\.me/\S+`)

func TestAuthorFromTemplateToPublish(t *testing.T) {
	e := newAuEnv(t)
	school := e.Org(t, "СОШ № 1")
	e.Person(t, auQM, "Смирнова Мария Ивановна", storage.RoleQualityManager, school.ID)
	L := e.L

	auHas(t, e.Send(t, auQM, L.T("survey.author.menu")), L.T("survey.author.list_empty"))
	auHas(t, e.PressLabel(t, auQM, L.T("survey.author.btn.new")), L.T("survey.author.ask_source"))
	// One school: no question about it; the audience comes from the template.
	msgs := e.PressLabel(t, auQM, L.T("survey.author.btn.template_parents"))
	auHas(t, msgs, "Берём шаблон", "14 вопросов", "Кто будет отвечать? По анкете — родители.")
	auLacks(t, msgs, L.T("survey.author.ask_org"))
	auHas(t, e.Send(t, auQM, "родители"), L.T("survey.author.press_button"))
	auHas(t, e.PressLabel(t, auQM, L.T("survey.author.btn.audience_yes.parents")), "Какие классы участвуют")

	// A bad list names every bad item and keeps the step.
	msgs = e.Send(t, auQM, "5А, 5Б: 0, 6В: 20, 6в: 21")
	auHas(t, msgs, "3 ошибки", "«5А» — не вижу числа учеников", "«5Б: 0» — число учеников должно быть от 1 до 2000",
		"«6в: 21» — этот класс уже есть в списке («6В: 20»)")
	if got := auStep(t, e, auQM); got != "survey:author_classes" {
		t.Fatalf("step after a bad list = %q", got)
	}
	msgs = e.Send(t, auQM, "5 а - 27\n5Б:25")
	auHas(t, msgs, "Записаны 2 класса, всего 52 ученика: 5А: 27, 5Б: 25", L.T("survey.author.ask_date"))
	auButtons(t, msgs, "Через неделю · 27 ноября", "Через 2 недели · 4 декабря", "Конец месяца · 30 ноября")

	// Past dates and today are refused; the classes stay.
	auHas(t, e.Send(t, auQM, "19.11.2026"), L.T("survey.author.date_too_early"))
	auHas(t, e.Send(t, auQM, "сегодня"), L.T("survey.author.date_too_early"))
	auHas(t, e.Send(t, auQM, "когда-нибудь"), L.T("input.date_invalid"))
	auHas(t, e.Send(t, auQM, "01.01.2030"), L.T("survey.author.date_too_far"))
	msgs = e.PressLabel(t, auQM, "Через 2 недели · 4 декабря")
	auHas(t, msgs, "Проверьте, всё ли верно", "Удовлетворённость родителей", "Школа: СОШ № 1", "Для кого: родители",
		"Вопросов: 14, это около 3 минут", "Принимает ответы до 4 декабря 2026, 23:59",
		"2 класса, всего 52 ученика:", "• 5А — 27 учеников", "• 5Б — 25 учеников")
	if n := len(auSurveys(t, e)); n != 0 {
		t.Fatalf("%d surveys before «Создать»", n)
	}

	// The preview before creation, then a change of the classes from the
	// summary: the other values stay.
	msgs = e.PressLabel(t, auQM, L.T("survey.author.btn.preview"))
	auHas(t, msgs, "Предпросмотр", L.T("survey.author.preview_not_created"))
	e.PressLabel(t, auQM, L.T("survey.author.btn.edit_classes"))
	auHas(t, e.Send(t, auQM, "5А: 27; 5Б: 25; 6А: 30"), "Принимает ответы до 4 декабря 2026, 23:59", "3 класса, всего 82 ученика:")

	msgs = e.PressLabel(t, auQM, L.T("survey.author.btn.create"))
	auHas(t, msgs, L.T("survey.author.created"), L.T("survey.author.status.draft"))
	all := auSurveys(t, e)
	if len(all) != 1 {
		t.Fatalf("%d surveys after «Создать»", len(all))
	}
	var id int64
	for id = range all {
	}
	sv, classes := auSurvey(t, e, id)
	creator, _, _ := e.Store.FindPersonByTelegramID(context.Background(), auQM.ID)
	if sv.Status != storage.SurveyDraft || sv.OrgID != school.ID || sv.TemplateKey != "parents" || sv.Audience != storage.AudienceParents ||
		sv.CreatedBy != creator.ID || len(sv.Questions) != 14 ||
		!sv.ClosesAt.Equal(time.Date(2026, time.December, 4, 23, 59, 0, 0, flowtest.Zone)) {
		t.Fatalf("survey in Postgres: %+v", sv)
	}
	if got := survey.FormatClasses(classes); got != "5А: 27, 5Б: 25, 6А: 30" {
		t.Fatalf("classes in Postgres: %s", got)
	}
	if auStep(t, e, auQM) != "" {
		t.Fatalf("still in step %q after «Создать»", auStep(t, e, auQM))
	}

	// Publishing: a QR photo and a forward text per class.
	msgs = e.PressLabel(t, auQM, L.T("survey.author.btn.publish"))
	auHas(t, msgs, "опубликован и принимает ответы", L.T("survey.author.status.open"))
	var photos, forwards int
	for _, m := range msgs {
		switch m := m.(type) {
		case bot.Photo:
			photos++
			if len(m.Data) == 0 || !strings.HasPrefix(string(m.Data), "\x89PNG") {
				t.Errorf("QR photo is not a PNG")
			}
			auPayload(t, auLinkRE.FindString(m.Caption))
		case bot.Text:
			if !strings.Contains(m.Text, "Здравствуйте, уважаемые родители") {
				continue
			}
			forwards++
			for _, w := range []string{"СОШ № 1 проводит опрос", "анонимный", "Займёт 3 минуты", "до 4 декабря включительно"} {
				if !strings.Contains(m.Text, w) {
					t.Errorf("forward text lacks %q:\n%s", w, m.Text)
				}
			}
			auPayload(t, auLinkRE.FindString(m.Text))
		}
	}
	if photos != 3 || forwards != 3 {
		t.Fatalf("%d QR photos and %d forward texts for 3 classes:\n%s", photos, forwards, flowtest.Joined(msgs))
	}
	for _, cl := range classes {
		auHas(t, msgs, cl.Name+" · «", "?start=s_"+cl.Code)
	}
	if sv, _ := auSurvey(t, e, id); sv.Status != storage.SurveyOpen || sv.PublishedAt.IsZero() {
		t.Fatalf("after publishing: %+v", sv)
	}

	// «Ссылки» sends them again; the list shows the survey as running.
	msgs = e.PressLabel(t, auQM, L.T("survey.author.btn.links"))
	auHas(t, msgs, "Ссылки опроса")
	if n := strings.Count(flowtest.Joined(msgs), "Пройти опрос: https://t.me/"); n != 3 {
		t.Fatalf("%d forward texts from «Ссылки»", n)
	}
	auHas(t, e.Send(t, auQM, L.T("survey.author.menu")), "У вас 1 опрос", "🟢", "идёт до 4 декабря")
	// A second press of «Опубликовать» (an old button) changes nothing.
	auHas(t, e.Press(t, auQM, flows.CB("sva", "pub", id)), L.T("common.stale_button"))
}

func TestAuthorUpload(t *testing.T) {
	e := newAuEnv(t)
	school := e.Org(t, "Лицей № 2")
	e.Person(t, auQM, "Смирнова Мария Ивановна", storage.RoleQualityManager, school.ID)
	L := e.L

	e.Send(t, auQM, L.T("survey.author.menu"))
	e.PressLabel(t, auQM, L.T("survey.author.btn.new"))
	msgs := e.PressLabel(t, auQM, L.T("survey.author.btn.upload"))
	auHas(t, msgs, "Как подготовить свой опрос", L.T("survey.author.ask_file"))
	for _, m := range msgs {
		if tx, ok := m.(bot.Text); ok && strings.Contains(tx.Text, "Как подготовить") && !tx.HTML {
			t.Errorf("the format help is HTML and must be sent as such")
		}
	}

	// Text or a photo instead of a file.
	auHas(t, e.Send(t, auQM, "вот мой опрос"), L.T("survey.author.upload_text"))
	auHas(t, e.upload(t, auQM, "", []byte("not really a photo"), true), L.T("survey.author.upload_photo"))

	// A malformed file: errors by line, the step stays.
	bad := "title: Питание\naudience: родители\nquestions:\n  - text: Нравится ли еда?\n    kind: шкала\n  - text: Что добавить?\n    kind: рисунок\n"
	msgs = e.upload(t, auQM, "bad.yaml", []byte(bad), false)
	auHas(t, msgs, "Нашлись 3 ошибки", "Строка 4: у шкалы не подписана оценка 1", "Строка 4: у шкалы не подписана оценка 5",
		"Строка 7: непонятный вид ответа «рисунок»")
	if got := auStep(t, e, auQM); got != "survey:author_upload" {
		t.Fatalf("step after a bad file = %q", got)
	}

	// Many errors: the first fifteen and how many more.
	var many strings.Builder
	many.WriteString("title: Много\naudience: ученики\nquestions:\n")
	for i := range 20 {
		fmt.Fprintf(&many, "  - text: Вопрос %d\n", i+1)
	}
	msgs = e.upload(t, auQM, "many.txt", []byte(many.String()), false)
	auHas(t, msgs, "Нашлось 20 ошибок", "…и ещё 5 ошибок.")
	if n := strings.Count(flowtest.Joined(msgs), "Строка "); n != 15 {
		t.Fatalf("%d errors shown, want 15", n)
	}

	// The corrected file.
	good := "title: Питание\naudience: ученики\nintro: Хотим понять, что улучшить в столовой.\nquestions:\n" +
		"  - text: Нравится ли еда?\n    kind: шкала\n    low: Совсем нет\n    high: Очень\n" +
		"  - text: Что добавить?\n    kind: текст\n"
	msgs = e.upload(t, auQM, "good.yaml", []byte(good), false)
	auHas(t, msgs, "Файл прочитан: «Питание» — 2 вопроса", "По анкете — ученики")
	e.Press(t, auQM, flows.CB("sva", "aud", 2))
	e.Send(t, auQM, "10А: 24")
	msgs = e.Send(t, auQM, "15.12")
	auHas(t, msgs, "Анкета: ваш файл", "Для кого: ученики", "Принимает ответы до 15 декабря 2026, 23:59")
	e.PressLabel(t, auQM, L.T("survey.author.btn.create"))
	list, err := e.Store.ListSurveys(context.Background(), school.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("surveys: %v %v", list, err)
	}
	if sv := list[0]; sv.TemplateKey != "" || sv.Title != "Питание" || sv.Audience != storage.AudienceStudents ||
		sv.Intro != "Хотим понять, что улучшить в столовой." || len(sv.Questions) != 2 {
		t.Fatalf("uploaded survey: %+v", sv)
	}

	// Publishing it: the students' forward text.
	msgs = e.PressLabel(t, auQM, L.T("survey.author.btn.publish"))
	auHas(t, msgs, "Привет, 10А!", "Хотим понять, что улучшить в столовой.", "Займёт 1 минуту")
}

func TestAuthorPreviewShowsEveryQuestion(t *testing.T) {
	e := newAuEnv(t)
	school := e.Org(t, "СОШ № 3")
	e.Person(t, auQM, "Смирнова Мария Ивановна", storage.RoleQualityManager, school.ID)
	sv, _ := auMake(t, e, school.ID, false)

	e.Send(t, auQM, e.L.T("survey.author.menu"))
	e.PressLabel(t, auQM, "1. 📝 "+auClip(sv.Title))
	msgs := e.PressLabel(t, auQM, e.L.T("survey.author.btn.preview"))
	auHas(t, msgs, "так опрос увидят родители", sv.Intro, "В нём 14 вопросов", "[1] [2] [3] [4] [5]", "[Да] [Нет]",
		"☐ ", e.L.T("survey.author.preview_not_published"))
	for i, q := range sv.Questions {
		auHas(t, msgs, fmt.Sprintf("Вопрос %d из 14", i+1), q.Text)
		for _, o := range q.Options {
			auHas(t, msgs, o)
		}
		if q.Kind == storage.QuestionScale {
			auHas(t, msgs, "1 — "+q.Low+", 5 — "+q.High)
		}
	}
	// The preview's «Опубликовать» works like the card's.
	auHas(t, e.PressLabel(t, auQM, e.L.T("survey.author.btn.publish")), "опубликован")
}

// auClip shortens a title as the list's buttons do.
func auClip(s string) string {
	r := []rune(s)
	if len(r) <= 40 {
		return s
	}
	return string(r[:39]) + "…"
}

func TestAuthorCloseAndExtend(t *testing.T) {
	e := newAuEnv(t)
	school := e.Org(t, "СОШ № 4")
	e.Person(t, auQM, "Смирнова Мария Ивановна", storage.RoleQualityManager, school.ID)
	sv, _ := auMake(t, e, school.ID, true)
	L := e.L

	e.Send(t, auQM, L.T("survey.author.menu"))
	auHas(t, e.PressLabel(t, auQM, "1. 🟢 "+auClip(sv.Title)), "Принимает ответы до 4 декабря 2026, 23:59", "• 5А — 27 учеников")

	// Closing early asks first; «Отмена» changes nothing.
	auHas(t, e.PressLabel(t, auQM, L.T("survey.author.btn.close")), "досрочно?")
	e.PressLabel(t, auQM, L.T("common.btn.cancel"))
	if got, _ := auSurvey(t, e, sv.ID); got.Status != storage.SurveyOpen {
		t.Fatalf("closed by «Отмена»: %s", got.Status)
	}
	e.PressLabel(t, auQM, L.T("survey.author.btn.close"))
	auHas(t, e.PressLabel(t, auQM, L.T("survey.author.btn.close_yes")), L.T("survey.author.closed_done"), L.T("survey.author.status.closed"))
	if got, _ := auSurvey(t, e, sv.ID); got.Status != storage.SurveyClosed {
		t.Fatalf("after closing: %s", got.Status)
	}
	// The old confirmation, forged again, is stale.
	auHas(t, e.Press(t, auQM, flows.CB("sva", "closeok", sv.ID)), L.T("common.stale_button"))

	// Extending a closed survey opens it again.
	auHas(t, e.PressLabel(t, auQM, L.T("survey.author.btn.reopen")), "завершён. До какого числа открыть его снова?")
	auHas(t, e.Send(t, auQM, "10.11.2026"), L.T("survey.author.date_too_early"))
	auHas(t, e.Send(t, auQM, "20.11"), L.T("survey.author.date_too_early"))
	auHas(t, e.Send(t, auQM, "25.11"), "снова принимает ответы — до 25 ноября 2026 включительно", L.T("survey.author.status.open"))
	got, _ := auSurvey(t, e, sv.ID)
	if got.Status != storage.SurveyOpen || !got.ClosesAt.Equal(time.Date(2026, time.November, 25, 23, 59, 0, 0, flowtest.Zone)) {
		t.Fatalf("after reopening: %s until %v", got.Status, got.ClosesAt)
	}
	if auStep(t, e, auQM) != "" {
		t.Fatalf("still in step %q", auStep(t, e, auQM))
	}

	// Extending an open one: a date before the current closing is refused,
	// the quick buttons count from the current closing.
	msgs := e.PressLabel(t, auQM, L.T("survey.author.btn.extend"))
	auHas(t, msgs, "Сейчас он идёт до 25 ноября 2026, 23:59")
	auButtons(t, msgs, "Через неделю · 2 декабря", "Через 2 недели · 9 декабря", "Конец месяца · 30 ноября")
	auHas(t, e.Send(t, auQM, "24.11"), "и так идёт до 25 ноября")
	auHas(t, e.PressLabel(t, auQM, "Через неделю · 2 декабря"), "продлён до 2 декабря 2026")
	if got, _ := auSurvey(t, e, sv.ID); !got.ClosesAt.Equal(time.Date(2026, time.December, 2, 23, 59, 0, 0, flowtest.Zone)) {
		t.Fatalf("after extending: until %v", got.ClosesAt)
	}
}

func TestAuthorDraftKeptAcrossTheMenu(t *testing.T) {
	e := newAuEnv(t)
	school := e.Org(t, "СОШ № 5")
	e.Person(t, auQM, "Смирнова Мария Ивановна", storage.RoleQualityManager, school.ID)
	open, _ := auMake(t, e, school.ID, true)
	L := e.L

	e.Send(t, auQM, L.T("survey.author.menu"))
	e.PressLabel(t, auQM, L.T("survey.author.btn.new"))
	e.PressLabel(t, auQM, L.T("survey.author.btn.template_students"))
	e.PressLabel(t, auQM, L.T("survey.author.btn.audience_yes.students"))
	e.Send(t, auQM, "7А: 20")

	// The menu, then extending another survey in between: the new survey
	// waits at its step with its classes.
	auButtons(t, e.Send(t, auQM, L.T("survey.author.menu")), L.T("survey.author.btn.resume"))
	e.PressLabel(t, auQM, "1. 🟢 "+auClip(open.Title))
	e.PressLabel(t, auQM, L.T("survey.author.btn.extend"))
	auHas(t, e.Send(t, auQM, "20.12"), "продлён до 20 декабря 2026")
	if got := auStep(t, e, auQM); got != "survey:author_date" {
		t.Fatalf("step after extending another survey = %q", got)
	}
	auHas(t, e.Send(t, auQM, "через 10 дней"), "7А — 20 учеников", "Для кого: ученики", "до 30 ноября 2026, 23:59")
}

func TestAuthorChairAssociationWide(t *testing.T) {
	e := newAuEnv(t)
	a := e.Org(t, "СОШ № 6")
	e.Org(t, "СОШ № 7")
	e.Person(t, auChair, "Петрова Нина Сергеевна", storage.RoleChair, 0)
	e.Person(t, auQM, "Смирнова Мария Ивановна", storage.RoleQualityManager, a.ID)
	L := e.L

	e.Send(t, auChair, L.T("survey.author.menu"))
	e.PressLabel(t, auChair, L.T("survey.author.btn.new"))
	msgs := e.PressLabel(t, auChair, L.T("survey.author.btn.template_parents"))
	auHas(t, msgs, L.T("survey.author.ask_org"))
	if labels := e.Labels(auChair); !slicesContain(labels, L.T("survey.author.btn.association"), "СОШ № 6", "СОШ № 7") {
		t.Fatalf("school buttons: %q", labels)
	}
	auHas(t, e.PressLabel(t, auChair, L.T("survey.author.btn.association")), "Школа: Вся ассоциация")
	e.PressLabel(t, auChair, L.T("survey.author.btn.audience_yes.parents"))
	e.Send(t, auChair, "5А: 27")
	e.PressLabel(t, auChair, "Через неделю · 27 ноября")
	e.PressLabel(t, auChair, L.T("survey.author.btn.create"))
	list, _ := e.Store.ListSurveys(context.Background(), 0)
	if len(list) != 1 || list[0].OrgID != 0 {
		t.Fatalf("association-wide survey: %+v", list)
	}
	msgs = e.PressLabel(t, auChair, L.T("survey.author.btn.publish"))
	auHas(t, msgs, "Ассоциация школ проводит опрос")

	// A school's quality manager neither sees nor touches it.
	auHas(t, e.Send(t, auQM, L.T("survey.author.menu")), L.T("survey.author.list_empty"))
	auHas(t, e.Press(t, auQM, flows.CB("sva", "card", list[0].ID)), L.T("common.forbidden"))
}

func slicesContain(list []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, s := range list {
			found = found || s == w
		}
		if !found {
			return false
		}
	}
	return true
}

func TestAuthorRoleGating(t *testing.T) {
	e := newAuEnv(t)
	a := e.Org(t, "СОШ № 8")
	b := e.Org(t, "СОШ № 9")
	e.Person(t, auQM, "Смирнова Мария Ивановна", storage.RoleQualityManager, a.ID)
	e.Person(t, auTeacher, "Иванов Иван Иванович", storage.RoleTeacher, a.ID)
	e.Person(t, auOtherQM, "Кузнецова Анна Павловна", storage.RoleQualityManager, b.ID)
	draft, _ := auMake(t, e, a.ID, false)
	open, _ := auMake(t, e, a.ID, true)
	L := e.L
	before := map[int64]storage.Survey{}
	for _, sv := range []storage.Survey{draft, open} {
		before[sv.ID], _ = auSurvey(t, e, sv.ID)
	}

	var presses []string
	for _, id := range []int64{draft.ID, open.ID} {
		for _, action := range []string{"card", "prev", "pub", "links", "close", "closeok", "ext"} {
			presses = append(presses, flows.CB("sva", action, id))
		}
		presses = append(presses, flows.CB("sva", "extd", fmt.Sprintf("%d.20261215", id)))
	}
	for _, u := range []flowtest.User{auTeacher, auStranger, auOtherQM} {
		msgs := e.Send(t, u, L.T("survey.author.menu"))
		if u == auOtherQM {
			auHas(t, msgs, L.T("survey.author.list_empty"))
		} else {
			auHas(t, msgs, L.T("common.forbidden"))
		}
		for _, data := range presses {
			auHas(t, e.Press(t, u, data), L.T("common.forbidden"))
		}
		// A typed date after a forged «Продлить» goes nowhere.
		e.Send(t, u, "15.12")
	}
	// The other school's manager cannot pick school A for a new survey.
	e.PressLabel(t, auOtherQM, L.T("survey.author.btn.new"))
	e.PressLabel(t, auOtherQM, L.T("survey.author.btn.template_parents"))
	auHas(t, e.Press(t, auOtherQM, flows.CB("sva", "org", a.ID)), L.T("common.forbidden"))
	auHas(t, e.Press(t, auOtherQM, flows.CB("sva", "org", 0)), L.T("common.forbidden"))

	for id, want := range before {
		if got, _ := auSurvey(t, e, id); got.Status != want.Status || !got.ClosesAt.Equal(want.ClosesAt) {
			t.Fatalf("survey %d changed: %s until %v, was %s until %v", id, got.Status, got.ClosesAt, want.Status, want.ClosesAt)
		}
	}
	if n := len(auSurveys(t, e)); n != 2 {
		t.Fatalf("%d surveys, want 2", n)
	}

	// Malformed and stale data for the right person.
	e.Send(t, auQM, L.T("survey.author.menu"))
	for _, data := range []string{"sva:card:abc", "sva:card:1.2", "sva:card:", "sva:card:999999", "sva:pub:" + fmt.Sprint(open.ID),
		"sva:links:" + fmt.Sprint(draft.ID), "sva:close:" + fmt.Sprint(draft.ID), "sva:create:", "sva:date:20261201", "sva:aud:7",
		"sva:extd:" + fmt.Sprint(open.ID) + ".20261301", "sva:tpl:nosuch", "sva:nosuch:1"} {
		auHas(t, e.Press(t, auQM, data), L.T("common.stale_button"))
	}
}

func TestAuthorListPagesAndLateDraft(t *testing.T) {
	e := newAuEnv(t)
	school := e.Org(t, "СОШ № 10")
	e.Person(t, auQM, "Смирнова Мария Ивановна", storage.RoleQualityManager, school.ID)
	for range 9 {
		auMake(t, e, school.ID, false)
	}
	late, _ := auMake(t, e, school.ID, false)
	L := e.L

	msgs := e.Send(t, auQM, L.T("survey.author.menu"))
	auHas(t, msgs, "У вас 10 опросов", "Стр. 1 из 2", "8. 📝")
	auLacks(t, msgs, "9. 📝")
	auHas(t, e.PressLabel(t, auQM, L.T("common.btn.next")), "Стр. 2 из 2", "10. 📝")
	// A page beyond the last (the list shrank) shows the last one.
	auHas(t, e.Press(t, auQM, flows.CB("sva", "list", 7)), "Стр. 2 из 2")

	// A draft whose closing date passed cannot be published until it has
	// a new date.
	e.Clock.Set(time.Date(2026, time.December, 5, 10, 0, 0, 0, flowtest.Zone))
	msgs = e.Press(t, auQM, flows.CB("sva", "card", late.ID))
	auHas(t, msgs, "уже прошла")
	auHas(t, e.PressLabel(t, auQM, L.T("survey.author.btn.publish")), L.T("survey.author.publish_late"))
	auHas(t, e.PressLabel(t, auQM, L.T("survey.author.btn.new_date")), "Новая дата закрытия опроса")
	auHas(t, e.Send(t, auQM, "20.12"), "Новая дата закрытия — 20 декабря 2026", L.T("survey.author.status.draft"))
	auHas(t, e.PressLabel(t, auQM, L.T("survey.author.btn.publish")), "опубликован")
	if sv, _ := auSurvey(t, e, late.ID); sv.Status != storage.SurveyOpen {
		t.Fatalf("status %s", sv.Status)
	}
}
