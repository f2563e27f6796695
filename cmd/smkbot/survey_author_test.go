package main

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"smkbot/bot/bottest"
	"smkbot/storage"
)

// authorLink finds class links in what the bot sent.
var authorLink = regexp.MustCompile(`https://t\.me/[A-Za-z0-9_]+\?start=\S+`)

// authorUpload sends a file as a document and waits until it is handled.
func (u *user) authorUpload(name, data string) {
	u.h.t.Helper()
	u.note("» 📎 " + name)
	u.h.waitHandled(u.h.tg.SendDocument(u.u, name, []byte(data), ""))
}

// authorSince returns the bot's messages to u after the first n.
func authorSince(h *harness, u *user, n int) []bottest.Sent {
	return h.tg.Messages(u.u.ID)[n:]
}

// authorCheckLink checks a class link: this bot, a ?start= payload of at
// most 64 characters that the answering part routes (s_ and the code).
func authorCheckLink(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Path != "/"+bottest.Username {
		t.Fatalf("link %q", link)
	}
	p := u.Query().Get("start")
	if len(p) > 64 || !regexp.MustCompile(`^s_[A-Za-z0-9_-]{10}$`).MatchString(p) {
		t.Fatalf("payload %q", p)
	}
	return p
}

// authorDate is a date n days from today in the bot's zone, as typed and
// as shown.
func authorDate(h *harness, days int) (typed, shown string) {
	d := time.Now().In(h.cfg.Timezone).AddDate(0, 0, days)
	months := []string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}
	return d.Format("02.01.2006"), fmt.Sprintf("%d %s %d, 23:59", d.Day(), months[d.Month()-1], d.Year())
}

func TestSurveyAuthorEndToEnd(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	org, err := h.store.CreateOrganisation(ctx, 0, storage.Organisation{Name: "МБОУ СОШ № 12 г. Бийска", ShortName: "СОШ № 12", Municipality: "Бийск", Status: storage.OrgMember})
	if err != nil {
		t.Fatal(err)
	}
	qm := h.user(31001, "Мария")
	qm.register(h.invite(storage.RoleQualityManager, org.ID, 1, time.Hour), "Смирнова Мария Ивановна")
	if !strings.Contains(fmt.Sprint(h.tg.Menu(qm.u.ID)), "📋 Опросы") {
		t.Fatalf("no «📋 Опросы» in the menu: %v", h.tg.Menu(qm.u.ID))
	}
	qm.send("/help")
	qm.expect("📋 Опросы — ")

	qm.send("📋 Опросы")
	qm.expect("Опросов пока нет")
	qm.press("➕ Новый опрос")
	qm.press("📎 Загрузить файл")
	qm.expect("Пришлите файл с опросом")
	if help := h.tg.Messages(qm.u.ID); !strings.EqualFold(help[len(help)-2].ParseMode, "HTML") {
		t.Fatalf("the format help was not sent as HTML:\n%s", qm.transcript())
	}

	// A photo, then a malformed file: a clear message, errors by line, and
	// the bot still waits for a file.
	qm.u.FirstName = "Мария"
	h.waitHandled(h.tg.SendPhoto(qm.u, authorPNG(t), "", ""))
	qm.expect("Это фото, а нужен файл")
	qm.authorUpload("opros.yaml", "title: Питание\naudience: родители\nquestions:\n  - text: Нравится ли еда?\n\tkind: шкала\n")
	qm.expect("Нашлась 1 ошибка", "Строка 5: в отступе стоит табуляция")
	qm.authorUpload("opros.yaml", "title: Питание\naudience: родители\nintro: Хотим понять, что улучшить в столовой.\nquestions:\n"+
		"  - text: Нравится ли еда?\n    kind: шкала\n    low: Совсем нет\n    high: Очень\n"+
		"  - text: Что ребёнок берёт в столовой?\n    kind: несколько\n    options: [Завтрак, Обед, Булочки]\n"+
		"  - text: Что добавить в меню?\n    kind: текст\n")
	qm.expect("Кто будет отвечать? По анкете — родители.")
	qm.press("✅ Да, родители")

	// Classes: a bad list, then a good one.
	qm.send("5А:27, 5Б")
	qm.expect("«5Б» — не вижу числа учеников")
	qm.send("5 А - 27\n5Б: 25")
	qm.expect("До какого числа принимать ответы?")

	// The date: a past one refused, then a typed one.
	qm.send("01.09.2020")
	qm.expect("хотя бы до завтра")
	typed, shown := authorDate(h, 10)
	qm.send(typed)
	qm.expect("Проверьте, всё ли верно", "Анкета: ваш файл", "Школа: СОШ № 12", "до "+shown, "• 5А — 27 учеников", "• 5Б — 25 учеников")

	qm.press("👁 Предпросмотр")
	qm.expect("так опрос увидят родители", "Вопрос 1 из 3", "Нравится ли еда?", "[1] [2] [3] [4] [5]",
		"Вопрос 2 из 3", "☐ Завтрак", "☐ Булочки", "[Готово]", "Вопрос 3 из 3", "Что добавить в меню?", "[Пропустить]", "ещё не создан")
	qm.press("✅ Создать")
	qm.expect("📋 Питание", "Черновик")

	list, err := h.store.ListSurveys(ctx, org.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("surveys of the school: %+v, %v", list, err)
	}
	sv, classes, err := h.store.FindSurveyByID(ctx, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if sv.Status != storage.SurveyDraft || sv.Title != "Питание" || sv.TemplateKey != "" || len(sv.Questions) != 3 ||
		len(classes) != 2 || classes[0].Name != "5А" || classes[0].Headcount != 27 || classes[1].Name != "5Б" || classes[1].Headcount != 25 {
		t.Fatalf("survey in Postgres: %+v %+v", sv, classes)
	}

	// Publishing: one QR photo per class, the link in its caption, and a
	// text to forward.
	before := len(h.tg.Messages(qm.u.ID))
	qm.press("🚀 Опубликовать")
	qm.expect("Питание", "Идёт")
	var photos, forwards int
	for _, m := range authorSince(h, qm, before) {
		switch {
		case m.Kind == "photo":
			photos++
			if len(m.Files) != 1 || !bytes.HasPrefix(m.Files[0].Data, []byte("\x89PNG")) {
				t.Errorf("QR photo without a PNG: %+v", m.Files)
			}
			authorCheckLink(t, authorLink.FindString(m.Text))
		case strings.Contains(m.Text, "Здравствуйте, уважаемые родители учеников"):
			forwards++
			for _, w := range []string{"СОШ № 12 проводит опрос «Питание»", "Хотим понять", "анонимный", "Займёт 1 минуту", "включительно"} {
				if !strings.Contains(m.Text, w) {
					t.Errorf("forward text lacks %q:\n%s", w, m.Text)
				}
			}
			authorCheckLink(t, authorLink.FindString(m.Text))
		}
	}
	if photos != 2 || forwards != 2 {
		t.Fatalf("%d photos and %d forward texts for 2 classes:\n%s", photos, forwards, qm.transcript())
	}
	if sv, _, _ = h.store.FindSurveyByID(ctx, sv.ID); sv.Status != storage.SurveyOpen {
		t.Fatalf("status after publishing: %s", sv.Status)
	}

	// Others: a teacher of the school and a stranger are refused, by the
	// menu label and by the survey's buttons; nothing changes.
	teacher := h.user(31002, "Иван")
	teacher.register(h.invite(storage.RoleTeacher, org.ID, 1, time.Hour), "Иванов Иван Иванович")
	stranger := h.user(31003, "Гость")
	stranger.send("/start")
	for _, u := range []*user{teacher, stranger} {
		u.send("📋 Опросы")
		u.expect("недоступно")
		for _, action := range []string{"card", "links", "close", "closeok", "ext"} {
			if a := callbackAnswer(h, u.pressData(fmt.Sprintf("sva:%s:%d", action, sv.ID))); !strings.Contains(a, "недоступно") {
				t.Errorf("%s pressing sva:%s: answer %q", u.u.FirstName, action, a)
			}
		}
	}
	if sv, _, _ = h.store.FindSurveyByID(ctx, sv.ID); sv.Status != storage.SurveyOpen {
		t.Fatalf("status after refused presses: %s", sv.Status)
	}

	// Close early, then extend (which opens it again).
	qm.press("⏹ Закрыть досрочно")
	qm.expect("досрочно?")
	qm.press("⏹ Да, закрыть")
	qm.expect("Опрос закрыт", "Завершён")
	if sv, _, _ = h.store.FindSurveyByID(ctx, sv.ID); sv.Status != storage.SurveyClosed {
		t.Fatalf("status after closing: %s", sv.Status)
	}
	qm.press("📅 Продлить")
	qm.expect("открыть его снова")
	typed, shown = authorDate(h, 20)
	qm.send(typed)
	qm.expect("снова принимает ответы", "Принимает ответы до "+shown)
	if sv, _, _ = h.store.FindSurveyByID(ctx, sv.ID); sv.Status != storage.SurveyOpen {
		t.Fatalf("status after extending: %s", sv.Status)
	}
	qm.press("🔗 Ссылки")
	if n := strings.Count(qm.transcript(), "Пройти опрос: https://t.me/"); n != 4 {
		t.Fatalf("%d forward texts after «Ссылки», want 4:\n%s", n, qm.transcript())
	}
}

// authorPNG is a tiny image to send as a photo.
func authorPNG(t *testing.T) []byte {
	t.Helper()
	// A 1×1 PNG.
	return []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
		"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
}
