package association

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/flowtest"
	"smkbot/storage"
)

// fakeFiles is Telegram's file storage.
type fakeFiles struct {
	mu    sync.Mutex
	files map[string][]byte
}

func (f *fakeFiles) Download(_ context.Context, id string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	data, ok := f.files[id]
	if !ok {
		return nil, fmt.Errorf("no file %q", id)
	}
	return data, nil
}

var (
	jrSecretary = flowtest.User{ID: 870001, First: "Светлана"}
	jrChair     = flowtest.User{ID: 870002, First: "Пётр"}
	jrTeacher   = flowtest.User{ID: 870003, First: "Ульяна"}
)

type jrEnv struct {
	*flowtest.Env
	files     *fakeFiles
	secretary storage.Person
	chair     storage.Person
	next      int
}

func newJrEnv(t *testing.T) *jrEnv {
	t.Helper()
	files := &fakeFiles{files: map[string][]byte{}}
	e := flowtest.New(t, func(r *flows.Router, e *flowtest.Env) {
		(&Journal{Store: e.Store, Files: files, Location: flowtest.Zone}).Register(r)
	})
	j := &jrEnv{Env: e, files: files, next: 1 << 20}
	j.secretary = e.Person(t, jrSecretary, "Секретарёва Светлана Игоревна", storage.RoleSecretary, 0)
	j.chair = e.Person(t, jrChair, "Председателев Пётр Петрович", storage.RoleChair, 0)
	school := e.Org(t, "СОШ № 7")
	e.Person(t, jrTeacher, "Учителева Ульяна Петровна", storage.RoleTeacher, school.ID)
	return j
}

// file sends a document (or a photo) from u, as Telegram delivers it.
func (j *jrEnv) file(t *testing.T, u flowtest.User, name string, data []byte, photo bool) []bot.Message {
	t.Helper()
	j.next++
	id := fmt.Sprintf("file%d", j.next)
	j.files.mu.Lock()
	j.files.files[id] = data
	j.files.mu.Unlock()
	upd := bot.Update{ID: j.next, ChatID: u.ID, Private: true, From: bot.User{ID: u.ID, FirstName: u.First}, MessageID: j.next}
	f := &bot.File{ID: id, UniqueID: "u" + id, Name: name, MIME: "application/pdf", Size: len(data)}
	if photo {
		f.Name, f.MIME = "", ""
		upd.Photo = f
	} else {
		upd.Document = f
	}
	msgs, err := j.Router.Handle(context.Background(), upd)
	if err != nil {
		t.Fatalf("file: %v", err)
	}
	j.Deliver(t, nil, msgs...)
	return msgs
}

// TestJournalConversation: the secretary registers an incoming letter
// step by step with its file (bad dates refused, the draft kept when the
// session is lost), an outgoing one without a file; the numbers follow
// the direction; the search finds by correspondent and by number, the
// entry opens with its file; an entry is annulled with a reason; the
// year's XLSX holds the numbers on the sheets of their direction.
func TestJournalConversation(t *testing.T) {
	t.Parallel()
	j := newJrEnv(t)
	ctx := context.Background()
	s := jrSecretary

	flowtest.Has(t, j.Send(t, s, "📒 Журнал документов"), "Журнал документов: 0 записей")
	j.PressLabel(t, s, "➕ Новая запись")
	j.PressLabel(t, s, "📥 Входящий")
	flowtest.Has(t, j.Send(t, s, "32.13.2026"), "Не получилось прочитать дату")
	flowtest.Has(t, j.Send(t, s, "25.12.2026"), "не может быть позже сегодняшней")
	flowtest.Has(t, j.Send(t, s, "18.11.2026"), "От кого поступил документ?")
	flowtest.Has(t, j.Send(t, s, "Министерство   образования Алтайского края"), "о чём документ?")

	// The session is lost: the draft is kept and continued.
	if err := j.Sessions.Delete(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	flowtest.Has(t, j.Send(t, s, "/journal"), "Журнал документов")
	flowtest.Has(t, j.PressLabel(t, s, "✏️ Продолжить черновик"), "о чём документ?")
	flowtest.Has(t, j.Send(t, s, "О проведении регионального конкурса «Школа качества»"), "Пришлите документ файлом")
	flowtest.Has(t, j.Send(t, s, "вот"), "Пришлите, пожалуйста, документ")
	msgs := j.file(t, s, "pismo-minobr.pdf", []byte("%PDF-1.4 письмо"), false)
	flowtest.Has(t, msgs, "Проверьте запись", "От кого: Министерство образования Алтайского края",
		"Дата документа: 18.11.2026", "Файл: pismo-minobr.pdf")
	flowtest.Has(t, j.PressLabel(t, s, "✅ Зарегистрировать"), "зарегистрирован под номером Вх-2026-001")

	// An outgoing letter without a file, dated today by the button.
	j.Send(t, s, "/journal")
	j.PressLabel(t, s, "➕ Новая запись")
	j.PressLabel(t, s, "📤 Исходящий")
	j.PressLabel(t, s, "Сегодня")
	flowtest.Has(t, j.Send(t, s, "МБОУ СОШ № 5 г. Бийска"), "о чём документ?")
	j.Send(t, s, "Ответ на запрос о результатах аудита")
	flowtest.Has(t, j.PressLabel(t, s, "Без файла ›"), "Без файла", "Дата документа: 20.11.2026")
	flowtest.Has(t, j.PressLabel(t, s, "✅ Зарегистрировать"), "Исх-2026-001")

	// A second incoming one, a photo, by the chair.
	c := jrChair
	j.Send(t, c, "/journal")
	j.PressLabel(t, c, "➕ Новая запись")
	j.PressLabel(t, c, "📥 Входящий")
	j.Send(t, c, "19 ноября")
	j.Send(t, c, "МБОУ СОШ № 5 г. Бийска")
	j.Send(t, c, "Заявка на проведение аудита")
	j.file(t, c, "", []byte("jpeg-bytes"), true)
	flowtest.Has(t, j.PressLabel(t, c, "✅ Зарегистрировать"), "Вх-2026-002")

	// Search by correspondent: both letters of the school, newest first.
	j.Send(t, s, "/journal")
	j.PressLabel(t, s, "🔎 Найти")
	flowtest.Has(t, j.Send(t, s, "сош №5"), "ничего не нашлось")
	flowtest.Has(t, j.Send(t, s, "х"), "от 2 до 100 символов")
	msgs = j.Send(t, s, "бийска")
	flowtest.Has(t, msgs, "найдено 2 записи")
	if got := flowtest.ButtonLabels(msgs); len(got) < 2 || got[0] != "Вх-2026-002 · МБОУ СОШ № 5 г. Бийска" || got[1] != "Исх-2026-001 · МБОУ СОШ № 5 г. Бийска" {
		t.Errorf("found: %q", got)
	}
	msgs = j.Send(t, s, "вх-2026-001")
	flowtest.Has(t, msgs, "найдена 1 запись")
	msgs = j.PressLabel(t, s, "Вх-2026-001 · Министерство образовани…")
	flowtest.Has(t, msgs, "№ Вх-2026-001", "Содержание: О проведении регионального конкурса «Школа качества»")
	var sent bool
	for _, m := range msgs {
		if d, ok := m.(bot.Document); ok && d.FileID != "" && d.Name == "pismo-minobr.pdf" {
			sent = true
		}
	}
	if !sent {
		t.Errorf("the entry's file was not sent back: %#v", msgs)
	}

	// Annulled with a reason: kept, with its number.
	j.PressLabel(t, s, "🚫 Аннулировать")
	flowtest.Has(t, j.Send(t, s, "x"), "от 3 до")
	flowtest.Has(t, j.Send(t, s, "Ошибочно зарегистрировано"), "Запись № Вх-2026-001 аннулирована", "Причина: Ошибочно зарегистрировано")
	if _, total, err := j.Store.SearchJournal(ctx, "", 0, 10); err != nil || total != 3 {
		t.Errorf("entries after annulment: %d, %v", total, err)
	}

	// The year as XLSX.
	j.Send(t, s, "/journal")
	msgs = j.PressLabel(t, s, "📊 Excel за 2026")
	flowtest.Has(t, msgs, "Журнал документов за 2026 год: 3 записи")
	var data []byte
	for _, m := range msgs {
		if d, ok := m.(bot.Document); ok {
			data = d.Data
		}
	}
	book, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	column := func(sheet string) []string {
		t.Helper()
		rows, err := book.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows[1:] {
			out = append(out, r[0]+"|"+r[3]+"|"+r[7])
		}
		return out
	}
	if got := column("Входящие"); fmt.Sprint(got) != "[Вх-2026-001|Министерство образования Алтайского края|аннулирован Вх-2026-002|МБОУ СОШ № 5 г. Бийска|зарегистрирован]" {
		t.Errorf("incoming sheet: %q", got)
	}
	if got := column("Исходящие"); fmt.Sprint(got) != "[Исх-2026-001|МБОУ СОШ № 5 г. Бийска|зарегистрирован]" {
		t.Errorf("outgoing sheet: %q", got)
	}

	// A teacher has no journal.
	flowtest.Has(t, j.Send(t, jrTeacher, "/journal"), "недоступ")
}

// TestJournalMinutesAutomatic: the signed minutes marked sent are in the
// journal at once, with their first file, found by the word «протокол».
func TestJournalMinutesAutomatic(t *testing.T) {
	t.Parallel()
	j := newJrEnv(t)
	ctx := context.Background()
	member := j.Person(t, flowtest.User{ID: 870010, First: "Член"}, "Членова Мария Ивановна", storage.RolePresidium, 0)
	starts := time.Date(2026, 11, 18, 14, 0, 0, 0, flowtest.Zone)
	m, err := j.Store.CreateMeeting(ctx, j.secretary.ID, storage.Meeting{Kind: storage.MeetingRegular, StartsAt: starts, Place: "Актовый зал"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Store.AddAgendaItem(ctx, j.secretary.ID, m.ID, "О плане работы", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Store.SendMeeting(ctx, j.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := j.Store.SetPresent(ctx, j.secretary.ID, m.ID, member.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Store.MarkHeld(ctx, j.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	a, err := j.Store.SaveAttachment(ctx, []byte("скан протокола"), "protokol.pdf", "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Store.AddMinutesFile(ctx, j.secretary.ID, storage.MinutesFile{MeetingID: m.ID, AttachmentID: a.ID,
		Kind: "document", Name: "protokol.pdf"}); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Store.MarkMinutesSent(ctx, j.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}

	s := jrSecretary
	j.Send(t, s, "/journal")
	j.PressLabel(t, s, "🔎 Найти")
	msgs := j.Send(t, s, "протокол")
	flowtest.Has(t, msgs, "найдена 1 запись")
	msgs = j.PressLabel(t, s, "Исх-2026-001 · Члены президиума ассоци…")
	flowtest.Has(t, msgs, "Кому: Члены президиума ассоциации",
		fmt.Sprintf("Содержание: Протокол заседания президиума № %d от 18.11.2026", m.ID),
		"Дата документа: 18.11.2026", "Внесено ботом: протокол заседания президиума")
	var got []byte
	for _, msg := range msgs {
		if d, ok := msg.(bot.Document); ok {
			got = d.Data
		}
	}
	if string(got) != "скан протокола" {
		t.Errorf("the minutes' file sent back: %q", got)
	}
}

func TestParseDocDate(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, flowtest.Zone)
	for in, want := range map[string]string{
		"18.11":      "2026-11-18",
		"19 ноября":  "2026-11-19",
		"25.12":      "2025-12-25",
		"20.11":      "2026-11-20",
		"сегодня":    "2026-11-20",
		"01.02.2025": "2025-02-01",
		"25.12.2026": "",
		"завтра":     "",
		"через день": "",
		"32.01":      "",
		"":           "",
	} {
		got, err := ParseDocDate(in, now, flowtest.Zone)
		switch {
		case want == "" && err == nil:
			t.Errorf("ParseDocDate(%q) = %v, want an error", in, got)
		case want != "" && (err != nil || got.Format("2006-01-02") != want):
			t.Errorf("ParseDocDate(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
}

func FuzzParseDocDate(f *testing.F) {
	for _, s := range []string{"18.11", "19 ноября", "25.12.2026", "завтра", "через 3 дня", "2026-11-20", "1.1.1"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, flowtest.Zone)
	f.Fuzz(func(t *testing.T, s string) {
		day, err := ParseDocDate(s, now, flowtest.Zone)
		if err != nil {
			return
		}
		if day.After(now) || day.Hour() != 0 || day.Location() != flowtest.Zone {
			t.Fatalf("ParseDocDate(%q) = %v", s, day)
		}
	})
}

func FuzzTypedText(f *testing.F) {
	for _, s := range []string{"Министерство  образования", " a\nb ", "\x00", "ё", strings.Repeat("я", 400)} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, multi bool) {
		out, ok := TypedText(s, 2, 300, multi)
		if !ok {
			return
		}
		n := utf8.RuneCountInString(out)
		if n < 2 || n > 300 || out != strings.TrimSpace(out) || strings.Contains(out, "  ") || (!multi && strings.Contains(out, "\n")) {
			t.Fatalf("TypedText(%q) = %q", s, out)
		}
		for _, r := range out {
			if unicode.IsControl(r) && r != '\n' {
				t.Fatalf("TypedText(%q) keeps a control character: %q", s, out)
			}
		}
	})
}
