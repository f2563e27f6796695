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
// observation, is refused a non-image document, and closes the audit; the
// school's quality manager gets the summary, the PDF with both photos and
// the XLSX.
func TestAuditEndToEnd(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
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
