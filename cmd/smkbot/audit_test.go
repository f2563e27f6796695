package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"testing"
	"time"

	"smkbot/bot/bottest"
	"smkbot/storage"
)

// auditJPEG is a small valid JPEG of its own colour.
func auditJPEG(t *testing.T, n int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		for y := range 30 {
			img.Set(x, y, color.RGBA{R: uint8(60 * n), G: 120, B: uint8(200 - 50*n), A: 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestAuditEndToEnd: an auditor registered by invite starts an audit,
// logs a nonconformity with an album of two photos (answered once) and an
// observation, is refused a non-image document and a photo over Telegram's
// 20 MB limit, and closes the audit; the school's quality manager gets the
// summary, the PDF with both photos and the XLSX, then assigns the
// corrective action to a teacher. The teacher reports it done, the auditor
// finds it not effective (the task goes back with the comment), the
// teacher reports again, and the auditor closes the finding.
func TestAuditEndToEnd(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.JobsEvery = 50 * time.Millisecond })
	ctx := context.Background()
	org, err := h.store.CreateOrganisation(ctx, 0, storage.Organisation{
		Name: "МБОУ СОШ № 12 г. Бийска", ShortName: "СОШ № 12", Municipality: "Бийск", Status: storage.OrgMember,
	})
	if err != nil {
		t.Fatal(err)
	}
	manager := h.user(930001, "Ольга")
	manager.register(h.invite(storage.RoleQualityManager, org.ID, 1, time.Hour), "Смирнова Ольга Петровна")
	auditor := h.user(930002, "Ирина")
	auditor.register(h.invite(storage.RoleAuditor, org.ID, 1, time.Hour), "Кузнецова Ирина Павловна")
	teacher := h.user(930003, "Анна")
	teacher.register(h.invite(storage.RoleTeacher, org.ID, 1, time.Hour), "Иванова Анна Сергеевна")

	auditor.send("🔍 Аудит")
	auditor.expect("Какой процесс или область")
	auditor.send("Методическая работа")
	auditor.expect("Когда проходит аудит")
	auditor.send("сегодня")
	auditor.expect("Кто проводит аудит вместе с вами?")
	auditor.press("Без соаудиторов ›")
	number := fmt.Sprintf("%d-1", time.Now().In(h.cfg.Timezone).Year())
	auditor.expect("Аудит № "+number, "СОШ № 12", "Методическая работа", "Кузнецова Ирина Павловна")

	auditor.press("➕ Замечание")
	auditor.press("🟠 Несоответствие незначительное")
	auditor.press("Пропустить ›")
	auditor.send("План методической работы не утверждён.")
	auditor.expect("Замечание Н-1 сохранено")
	n := len(h.tg.Messages(auditor.u.ID))
	for i := range 2 {
		auditor.note("» 📷 album")
		h.waitHandled(h.tg.SendPhoto(auditor.u, auditJPEG(t, i+1), "", "album-audit"))
	}
	if got := h.tg.Messages(auditor.u.ID)[n:]; len(got) != 1 || !strings.Contains(got[0].Text, "Альбом получен") {
		t.Fatalf("an album of two photos was answered %d times:\n%s", len(got), auditor.transcript())
	}
	auditor.note("» 📄 report.docx")
	h.waitHandled(h.tg.SendDocument(auditor.u, "report.docx", []byte("PK\x03\x04 not a photo"), ""))
	auditor.expect("Это не фотография")
	auditor.note("» 📷 21 MB")
	h.waitHandled(h.tg.SendPhoto(auditor.u, make([]byte, 21<<20), "", ""))
	auditor.expect("больше 20 МБ")
	auditor.press("Далее ›")
	auditor.send("методический кабинет")
	auditor.expect("Замечание сохранено", "Н-1", "Место: методический кабинет", "2 фото")

	auditor.press("➕ Ещё замечание")
	auditor.press("🔵 Наблюдение")
	auditor.send("п. 7.5")
	auditor.send("Протоколы заседаний хранятся в разных папках.")
	auditor.press("Далее ›")
	auditor.press("Пропустить ›")
	auditor.expect("О-1")

	// A teacher pressing a forged button of the audit is refused.
	a, err := h.store.OpenAuditOf(ctx, minePerson(t, h, auditor).ID)
	if err != nil {
		t.Fatal(err)
	}
	teacher.send("/help")
	qid := teacher.pressData(fmt.Sprintf("au:closeok:%d", a.ID))
	if got := h.tg.CallbackAnswers(); !strings.Contains(auditAnswer(got, qid), "недоступно") {
		t.Fatalf("the teacher's forged press was answered %q", auditAnswer(got, qid))
	}

	before := len(h.tg.Messages(manager.u.ID))
	auditor.press("🔍 К аудиту")
	auditor.press("✅ Завершить")
	auditor.press("✅ Да, завершить")
	got := h.tg.Messages(manager.u.ID)[before:]
	var summary string
	var pdf, xlsx []byte
	for _, m := range got {
		switch {
		case m.Kind == "text":
			summary += m.Text
		case m.Kind == "document" && len(m.Files) == 1 && strings.HasSuffix(m.Files[0].Name, ".pdf"):
			pdf = m.Files[0].Data
		case m.Kind == "document" && len(m.Files) == 1 && strings.HasSuffix(m.Files[0].Name, ".xlsx"):
			xlsx = m.Files[0].Data
		}
	}
	if !strings.Contains(summary, "Завершён аудит № "+number) || !strings.Contains(summary, "1 незначительное несоответствие") ||
		!strings.Contains(summary, "1 наблюдение") {
		t.Fatalf("the manager's summary:\n%s", manager.transcript())
	}
	if n := bytes.Count(pdf, []byte("/Subtype /Image")); n != 2 {
		t.Fatalf("the PDF has %d images, want 2", n)
	}
	if len(xlsx) == 0 {
		t.Fatalf("no XLSX for the manager:\n%s", manager.transcript())
	}
	if stored, err := h.store.FindAudit(ctx, a.ID); err != nil || stored.Status != storage.AuditClosed {
		t.Fatalf("audit %+v, %v", stored, err)
	}

	// The manager assigns the corrective action of Н-1 to the teacher.
	manager.expect("назначьте корректирующие действия")
	manager.press("Н-1 · План методической работы не утвер…")
	manager.expect("Н-1", "План методической работы не утверждён.", "ждёт корректирующего действия")
	// The teacher may not open the finding, nor start its action, by forged buttons.
	fs, err := h.store.ListFindings(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	nc := fs[0]
	for _, data := range []string{fmt.Sprintf("au:mf:%d", nc.ID), fmt.Sprintf("au:ca:%d", nc.ID)} {
		qid := teacher.pressData(data)
		if got := h.tg.CallbackAnswers(); !strings.Contains(auditAnswer(got, qid), "недоступно") {
			t.Fatalf("the teacher's forged %s was answered %q", data, auditAnswer(got, qid))
		}
	}
	manager.press("🛠 Назначить корректирующее действие")
	manager.expect("Какая причина несоответствия")
	manager.send("Не определён срок утверждения плана.")
	manager.expect("Кто отвечает")
	manager.press("Иванова Анна Сергеевна")
	manager.expect("К какому сроку?")
	manager.send("01.01.2020")
	manager.expect("уже прошла")
	due := time.Now().In(h.cfg.Timezone).AddDate(0, 0, 20)
	manager.send(due.Format("02.01.2006"))
	manager.expect("Ответственный: Иванова Анна Сергеевна", "Причина: Не определён срок утверждения плана.")
	beforeTeacher := len(h.tg.Messages(teacher.u.ID))
	manager.press("✅ Назначить")
	manager.expect("корректирующее действие назначено", "Ответственный: Иванова Анна Сергеевна")
	if got := h.tg.Messages(teacher.u.ID)[beforeTeacher:]; len(got) != 1 || !strings.Contains(got[0].Text, "Вам назначена новая задача") ||
		!strings.Contains(got[0].Text, "Устранить Н-1") {
		t.Fatalf("the teacher's new task:\n%s", teacher.transcript())
	}
	ca, err := h.store.FindCorrectiveAction(ctx, nc.ID)
	if err != nil || ca.Cause != "Не определён срок утверждения плана." {
		t.Fatalf("corrective action %+v, %v", ca, err)
	}

	report := func(comment string) {
		t.Helper()
		teacher.send("📌 Мои задачи")
		teacher.press("1. Устранить Н-1 (аудит № " + number + "): План ме…")
		teacher.press("📎 Выполнено")
		teacher.send(comment)
		teacher.press("📤 Отправить отчёт")
		teacher.expect("отправлен")
	}
	asked := func(n int) {
		t.Helper()
		err := h.tg.Wait(20*time.Second, func() bool {
			c := 0
			for _, m := range h.tg.Messages(auditor.u.ID) {
				if strings.Contains(m.Text, "Проверьте результативность") {
					c++
				}
			}
			return c >= n
		})
		if err != nil {
			t.Fatalf("the auditor was not asked to verify (%d): %v\n%s", n, err, auditor.transcript())
		}
	}
	report("План утверждён приказом № 15.")
	asked(1)
	auditor.expect("Замечание Н-1", "Причина: Не определён срок утверждения плана.")
	auditor.press("❌ Не эффективно")
	auditor.expect("Почему действие не эффективно")
	auditor.send("В приказе нет сроков пересмотра плана.")
	auditor.expect("снова в работе")
	teacher.expect("Отчёт вернули на доработку", "В приказе нет сроков пересмотра плана.")
	if f, err := h.store.FindFinding(ctx, nc.ID); err != nil || f.Status != storage.FindingReopened {
		t.Fatalf("finding after not effective: %+v, %v", f, err)
	}

	report("Добавлены сроки пересмотра.")
	asked(2)
	auditor.press("✅ Эффективно")
	auditor.expect("закрыто")
	manager.expect("закрыто", "эффективно")
	if f, err := h.store.FindFinding(ctx, nc.ID); err != nil || f.Status != storage.FindingClosed {
		t.Fatalf("finding after effective: %+v, %v", f, err)
	}
	// A second press of the old button changes nothing.
	qid = auditor.pressData(fmt.Sprintf("au:vn:%d", nc.ID))
	if got := auditAnswer(h.tg.CallbackAnswers(), qid); got == "" {
		t.Fatalf("a stale verification press got no notice")
	}
}

// auditAnswer is the text a callback query was answered with.
func auditAnswer(answers []bottest.CallbackAnswer, id string) string {
	for _, a := range answers {
		if a.QueryID == id {
			return a.Text
		}
	}
	return ""
}
