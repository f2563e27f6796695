package main

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

	"smkbot/bot/bottest"
	"smkbot/flows/tasks"
	"smkbot/storage"
)

// manUpload sends a file as a document and waits until it is handled.
func (u *user) manUpload(name string, data []byte) {
	u.h.t.Helper()
	u.note("» 📎 " + name)
	u.h.waitHandled(u.h.tg.SendDocument(u.u, name, data, ""))
}

// manLastKind is the newest message of kind ("photo", "document") the bot
// sent to u.
func manLastKind(t *testing.T, u *user, kind string) bottest.Sent {
	t.Helper()
	msgs := u.h.tg.Messages(u.u.ID)
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Kind == kind {
			return msgs[i]
		}
	}
	t.Fatalf("no %s sent to %d:\n%s", kind, u.u.ID, u.transcript())
	return bottest.Sent{}
}

// manSheet writes a programme workbook: the template's header, then rows.
func manSheet(t *testing.T, rows ...[]any) []byte {
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

// manStoredTasks lists the school's programme tasks of this school year.
func manStoredTasks(t *testing.T, h *harness, orgID, qmID int64) []storage.Task {
	t.Helper()
	ctx := context.Background()
	prog, _, err := h.store.EnsureProgramme(ctx, qmID, orgID, tasks.SchoolYear(time.Now().In(h.cfg.Timezone)))
	if err != nil {
		t.Fatal(err)
	}
	list, err := h.store.ListTasks(ctx, prog.ID)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestTasksManageEndToEnd: a quality manager creates a task for two
// teachers step by step (a past date refused, a typed date taken), both
// get the card; a report is accepted; the chart, the XLSX export and an
// import (first with errors, then good) go through the fake Bot API; a
// teacher is refused the manager's menu and buttons.
func TestTasksManageEndToEnd(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	org, err := h.store.CreateOrganisation(ctx, 0, storage.Organisation{Name: "МБОУ СОШ № 9 г. Бийска", ShortName: "СОШ № 9", Municipality: "Бийск", Status: storage.OrgMember})
	if err != nil {
		t.Fatal(err)
	}
	qm := h.user(32001, "Ольга")
	qm.register(h.invite(storage.RoleQualityManager, org.ID, 1, time.Hour), "Смирнова Ольга Петровна")
	anna := h.user(32002, "Анна")
	anna.register(h.invite(storage.RoleTeacher, org.ID, 1, time.Hour), "Иванова Анна Сергеевна")
	boris := h.user(32003, "Борис")
	boris.register(h.invite(storage.RoleTeacher, org.ID, 1, time.Hour), "Петров Борис Ильич")
	qmP, annaP := minePerson(t, h, qm), minePerson(t, h, anna)

	if !strings.Contains(fmt.Sprint(h.tg.Menu(qm.u.ID)), "🗂 Программа") {
		t.Fatalf("no «🗂 Программа» in the menu: %v", h.tg.Menu(qm.u.ID))
	}
	qm.send("/help")
	qm.expect("🗂 Программа — ")

	// A new task, step by step.
	qm.send("🗂 Программа")
	qm.expect("Программа", "СОШ № 9", "Задач пока нет")
	qm.press("➕ Новая задача")
	qm.send("Открытые уроки")
	qm.expect("К какому направлению")
	dir := qm.last().Buttons[0][0].Text
	qm.press(dir)
	qm.send("ива")
	qm.expect("Нашлись по «ива»")
	qm.press("Иванова Анна Сергеевна")
	qm.press("👥 Показать всех")
	qm.press("Петров Борис Ильич")
	qm.press("Готово (2)")
	qm.expect("Какой срок?")
	qm.send("01.01.2020")
	qm.expect("Эта дата уже прошла")
	qm.send("через 3 дня")
	qm.press("Да, обязательны")
	qm.expect("Проверьте задачу", "Иванова Анна Сергеевна, Петров Борис Ильич")
	qm.press("✅ Создать")
	qm.expect("📌 Открытые уроки", "Иванова Анна Сергеевна — назначена")
	for _, u := range []*user{anna, boris} {
		u.expect("Вам назначена новая задача", "Открытые уроки")
	}
	list := manStoredTasks(t, h, org.ID, qmP.ID)
	if len(list) != 1 {
		t.Fatalf("tasks %+v", list)
	}
	tk := list[0]
	want := time.Now().In(h.cfg.Timezone)
	want = time.Date(want.Year(), want.Month(), want.Day()+3, 0, 0, 0, 0, h.cfg.Timezone)
	if !tk.Due.Equal(want) || !tk.EvidenceRequired {
		t.Fatalf("task %+v, want due %v", tk, want)
	}

	// A report, set up through the store, accepted.
	r, err := h.store.DraftReport(ctx, tk.ID, annaP.ID)
	if err != nil {
		t.Fatal(err)
	}
	r.Comment = "Провела два урока"
	if err := h.store.UpdateReport(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.AddEvidence(ctx, r.ID, storage.Evidence{Kind: "link", Name: "https://example.org/lessons"}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.SubmitReport(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	qm.pressData(fmt.Sprintf("tkm:rep:%d.%d", tk.ID, annaP.ID))
	qm.expect("Отчёт по задаче «Открытые уроки»", "Провела два урока", "https://example.org/lessons")
	qm.press("✅ Принять")
	qm.expect("Отчёт принят")
	anna.expect("принят")

	// The chart and the export.
	qm.send("🗂 Программа")
	qm.press("📈 График")
	photo := manLastKind(t, qm, "photo")
	if len(photo.Files) != 1 {
		t.Fatalf("chart files %+v", photo.Files)
	}
	if _, err := png.Decode(bytes.NewReader(photo.Files[0].Data)); err != nil {
		t.Fatalf("chart: %v", err)
	}
	qm.send("🗂 Программа")
	qm.press("📄 Excel")
	doc := manLastKind(t, qm, "document")
	f, err := excelize.OpenReader(bytes.NewReader(doc.Files[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Программа")
	f.Close()
	if err != nil || len(rows) != 2 || rows[1][2] != "Открытые уроки" || rows[1][4] != "Иванова Анна Сергеевна; Петров Борис Ильич" ||
		rows[1][5] != want.Format("02.01.2006") || !strings.Contains(rows[1][6], "подтверждена") {
		t.Fatalf("export %q %v", rows, err)
	}

	// The import: the template, a file with errors (nothing imported),
	// then a good one.
	qm.send("🗂 Программа")
	qm.press("📥 Импорт из Excel")
	qm.expect("Заполните шаблон")
	if tpl := manLastKind(t, qm, "document"); !strings.HasSuffix(tpl.Files[0].Name, ".xlsx") {
		t.Fatalf("template %q", tpl.Files[0].Name)
	}
	qm.manUpload("программа.xlsx", manSheet(t,
		[]any{dir, "Конкурс", "", "Сидоров", "25.12.2020", "да"},
		[]any{dir, "Семинар", "", "Петров Борис Ильич", "через неделю", "нет"},
	))
	qm.expect("Строка 2:", "«Сидоров» нет среди учителей", "Ничего не загружено")
	if n := len(manStoredTasks(t, h, org.ID, qmP.ID)); n != 1 {
		t.Fatalf("%d tasks after a bad import", n)
	}
	qm.manUpload("программа.xlsx", manSheet(t,
		[]any{dir, "Конкурс", "", "Иванова А.С.", "через 2 недели", "да"},
		[]any{"Работа с родителями", "Собрание", "По итогам четверти", "Петров Борис Ильич", "через неделю", "нет"},
	))
	msgs := h.tg.Messages(qm.u.ID)
	if !slices.ContainsFunc(msgs, func(m bottest.Sent) bool {
		return strings.Contains(m.Text, "Программа загружена: 2 задачи")
	}) {
		t.Fatalf("no import count:\n%s", qm.transcript())
	}
	if n := len(manStoredTasks(t, h, org.ID, qmP.ID)); n != 3 {
		t.Fatalf("%d tasks after the import", n)
	}
	boris.expect("добавлена 1 ваша задача")

	// A teacher may not use the manager's menu or buttons.
	anna.send("🗂 Программа")
	anna.expect("Это действие вам недоступно")
	qid := anna.pressData(fmt.Sprintf("tkm:task:%d", tk.ID))
	answered := slices.ContainsFunc(h.tg.CallbackAnswers(), func(a bottest.CallbackAnswer) bool {
		return a.QueryID == qid && strings.Contains(a.Text, "недоступно")
	})
	if !answered {
		t.Fatalf("the teacher's press was not refused: %+v", h.tg.CallbackAnswers())
	}
}
