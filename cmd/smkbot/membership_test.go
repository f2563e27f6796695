package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"smkbot/bot/bottest"
	"smkbot/locales"
	"smkbot/storage"
)

// TestMembershipEndToEnd: a candidate school's director, registered by
// invite, applies to become a member with a supporting document; the
// secretary puts the application on a presidium meeting; the decision
// recorded, the periodic job makes the school a member and sends the
// director the certificate PDF (№ 1/<year>). Then the chair opens an
// exclusion case on the mentor school: with 9 on the presidium list, 5
// for is refused for want of two thirds, 6 for excludes it.
func TestMembershipEndToEnd(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.JobsEvery = 50 * time.Millisecond })
	ctx := context.Background()
	l, err := locales.New(h.cfg.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	mentor, err := h.store.CreateOrganisation(ctx, 0, storage.Organisation{Name: "Гимназия № 3", ShortName: "Гимназия № 3", Status: storage.OrgMember})
	if err != nil {
		t.Fatal(err)
	}
	cand, err := h.store.CreateOrganisation(ctx, 0, storage.Organisation{Name: "МБОУ СОШ № 9", ShortName: "СОШ № 9",
		Status: storage.OrgCandidate, MentorID: mentor.ID})
	if err != nil {
		t.Fatal(err)
	}
	secretary := h.user(970001, "Елена")
	secretary.register(h.invite(storage.RoleSecretary, 0, 1, time.Hour), "Секретарёва Елена Ивановна")
	chair := h.user(970002, "Пётр")
	chair.register(h.invite(storage.RoleChair, 0, 1, time.Hour), "Председателев Пётр Петрович")
	director := h.user(970003, "Дина")
	director.register(h.invite(storage.RoleDirector, cand.ID, 1, time.Hour), "Директорова Дина Ивановна")
	mentorDir := h.user(970004, "Мария")
	mentorDir.register(h.invite(storage.RoleDirector, mentor.ID, 1, time.Hour), "Наставникова Мария Петровна")
	for i := range 8 {
		code := h.invite(storage.RolePresidium, 0, 1, time.Hour)
		if _, _, err := h.store.Register(ctx, code, 971000+int64(i), fmt.Sprintf("Членова Мария %02d", i), time.Now()); err != nil {
			t.Fatal(err)
		}
	}

	// The application.
	director.send("📝 Членство")
	director.expect("МБОУ СОШ № 9 — кандидат")
	director.press("📝 Вступить в члены ассоциации")
	director.send("659300, г. Бийск, ул. Советская, 9")
	director.press("Сертифицированная СМК")
	director.press("Без рекомендации")
	director.note("» [sertifikat.pdf]")
	h.waitHandled(h.tg.SendDocument(director.u, "sertifikat.pdf", []byte("%PDF-1.4 сертификат СМК"), ""))
	director.expect("Принят 1 файл")
	director.press("Далее ›")
	director.expect("Проверьте заявление", "Сертифицированная СМК", "📎 1 файл")
	director.press("📨 Подать заявление")
	director.expect("подано")
	secretary.expect("Новое заявление о приёме в члены ассоциации: МБОУ СОШ № 9")

	// On the agenda.
	m := meetingFor(t, h, 7)
	secretary.send("📥 Заявления")
	secretary.press("📨 Член · МБОУ СОШ № 9")
	secretary.press("🗓 В повестку заседания")
	secretary.press("✏️ " + l.DateTime(m.StartsAt.In(h.cfg.Timezone)) + " (черновик)")
	secretary.expect("Вопрос добавлен в повестку заседания")
	director.expect("включено в повестку заседания президиума")
	item := decide(t, h, m, 9)
	if item.Title != "О приёме МБОУ СОШ № 9 в члены ассоциации" {
		t.Errorf("agenda item %q", item.Title)
	}

	// The job applies it: the certificate.
	var cert bottest.Sent
	if err := h.tg.Wait(30*time.Second, func() bool {
		for _, s := range h.tg.Messages(director.u.ID) {
			if s.Kind == "document" && len(s.Files) == 1 {
				cert = s
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatalf("no certificate: %v\n%s", err, director.transcript())
	}
	year := time.Now().UTC().Year()
	pdf := cert.Files[0].Data
	if !bytes.HasPrefix(pdf, []byte("%PDF")) || !bytes.Contains(pdf, utf16Title(fmt.Sprintf("Свидетельство о членстве в ассоциации № 1/%d", year))) {
		t.Fatalf("not the certificate: %q", pdf[:min(len(pdf), 16)])
	}
	if !strings.Contains(cert.Text, fmt.Sprintf("№ 1/%d", year)) || cert.Files[0].Name != fmt.Sprintf("svidetelstvo-1-%d.pdf", year) {
		t.Errorf("caption %q, name %q", cert.Text, cert.Files[0].Name)
	}
	waitText(t, h, mentorDir, "наставничество вашей школы над ней завершено")
	org, err := h.store.FindOrganisationByID(ctx, cand.ID)
	if err != nil || org.Status != storage.OrgMember || org.MentorID != 0 {
		t.Fatalf("organisation %+v, %v", org, err)
	}

	// An exclusion of the mentor school: 5 of 9, then 6 of 9.
	exclude := func(votes int) {
		t.Helper()
		chair.send("/applications")
		chair.press("⚖️ Исключение")
		chair.press("Гимназия № 3")
		chair.send("Не участвует в работе ассоциации")
		chair.press("📨 Внести на рассмотрение")
		m := meetingFor(t, h, 8+votes)
		chair.press("🗓 В повестку заседания")
		chair.press("✏️ " + l.DateTime(m.StartsAt.In(h.cfg.Timezone)) + " (черновик)")
		decide(t, h, m, votes)
	}
	exclude(5)
	waitText(t, h, chair, "за — 5 из 9 членов президиума, а нужно не менее двух третей (6)")
	if org, _ := h.store.FindOrganisationByID(ctx, mentor.ID); org.Status != storage.OrgMember {
		t.Fatalf("excluded with 5 of 9: %+v", org)
	}
	exclude(6)
	waitText(t, h, mentorDir, "исключил Гимназия № 3 из ассоциации")
	if org, _ := h.store.FindOrganisationByID(ctx, mentor.ID); org.Status != storage.OrgFormer {
		t.Fatalf("not excluded with 6 of 9: %+v", org)
	}

	// A forged button: the director cannot schedule.
	qid := director.pressData("mb:sched:1.1")
	if err := h.tg.Wait(10*time.Second, func() bool { return h.tg.Answered(qid) }); err != nil {
		t.Fatal(err)
	}
	for _, a := range h.tg.CallbackAnswers() {
		if a.QueryID == qid && !strings.Contains(a.Text, "недоступно") {
			t.Errorf("forged press answered %q", a.Text)
		}
	}
}

// meetingFor creates a draft meeting of the secretary in days.
func meetingFor(t *testing.T, h *harness, days int) storage.Meeting {
	t.Helper()
	secs, err := h.store.ListPeople(context.Background(), 0, storage.RoleSecretary)
	if err != nil || len(secs) == 0 {
		t.Fatalf("no secretary: %v", err)
	}
	m, err := h.store.CreateMeeting(context.Background(), secs[0].ID, storage.Meeting{Kind: storage.MeetingRegular,
		StartsAt: time.Now().AddDate(0, 0, days).Truncate(time.Hour), Place: "Гимназия № 3"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// decide sends the meeting, marks its presidium present, holds it and
// records votes for on its last item, as the secretary would after it.
func decide(t *testing.T, h *harness, m storage.Meeting, votes int) storage.AgendaItem {
	t.Helper()
	ctx := context.Background()
	inv, err := h.store.SendMeeting(ctx, m.CreatedBy, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range inv {
		if err := h.store.SetPresent(ctx, m.CreatedBy, m.ID, v.PersonID, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.store.MarkHeld(ctx, m.CreatedBy, m.ID); err != nil {
		t.Fatal(err)
	}
	agenda, err := h.store.ListAgenda(ctx, m.ID)
	if err != nil || len(agenda) == 0 {
		t.Fatalf("agenda %v, %v", agenda, err)
	}
	item, err := h.store.RecordDecision(ctx, m.CreatedBy, agenda[len(agenda)-1].ID, "Решили.", votes, len(inv)-votes, 0, len(inv))
	if err != nil {
		t.Fatal(err)
	}
	return item
}

// waitText waits for a message to u containing fragment.
func waitText(t *testing.T, h *harness, u *user, fragment string) {
	t.Helper()
	if err := h.tg.Wait(30*time.Second, func() bool {
		for _, s := range h.tg.Messages(u.u.ID) {
			if strings.Contains(s.Text, fragment) {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatalf("no %q: %v\n%s", fragment, err, u.transcript())
	}
}

// utf16Title is s as a PDF's metadata holds it.
func utf16Title(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.BigEndian.AppendUint16(b, u)
	}
	return b
}
