package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"smkbot/bot/bottest"
	"smkbot/flows/tasks"
	"smkbot/storage"
)

// mineTask creates a programme task for the assignees as the manager's
// part would, due a week from now (the bot runs on the real clock here).
func mineTask(t *testing.T, h *harness, orgID, managerID int64, title string, evidence bool, who ...int64) storage.Task {
	t.Helper()
	ctx := context.Background()
	now := time.Now().In(h.cfg.Timezone)
	prog, dirs, err := h.store.EnsureProgramme(ctx, managerID, orgID, tasks.SchoolYear(now))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("the programme has no directions")
	}
	var as []storage.Assignment
	for _, id := range who {
		as = append(as, storage.Assignment{PersonID: id, Status: storage.TaskAssigned})
	}
	due := time.Date(now.Year(), now.Month(), now.Day()+7, 15, 0, 0, 0, h.cfg.Timezone)
	tk, err := h.store.CreateTask(ctx, managerID, storage.Task{
		ProgrammeID: prog.ID, OrgID: orgID, DirectionID: dirs[0].ID, Title: title, Due: due, HasTime: true,
		EvidenceRequired: evidence, CreatedBy: managerID,
	}, as)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// minePerson finds a registered person by Telegram id.
func minePerson(t *testing.T, h *harness, u *user) storage.Person {
	t.Helper()
	p, _, err := h.store.FindPersonByTelegramID(context.Background(), u.u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// minePhoto sends a photo from u (in an album when group is set) and waits
// until it is handled.
func (u *user) minePhoto(data, group string) {
	u.h.t.Helper()
	u.note("» 📷 " + group)
	u.h.waitHandled(u.h.tg.SendPhoto(u.u, []byte(data), "", group))
}

// mineButton finds the data of the button labelled label in msgs.
func mineButton(msgs []bottest.Sent, label string) string {
	for _, m := range msgs {
		for _, row := range m.Buttons {
			for _, b := range row {
				if b.Text == label {
					return b.Data
				}
			}
		}
	}
	return ""
}

// TestTasksMineAlbumEndToEnd: a teacher accepts a task whose evidence is
// required, is refused a report without it, sends an album of three photos
// (answered once) and a comment, and reports; the quality manager gets the
// report with a button to open it and the photos as one album.
func TestTasksMineAlbumEndToEnd(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	org, err := h.store.CreateOrganisation(ctx, 0, storage.Organisation{
		Name: "МБОУ СОШ № 9 г. Бийска", ShortName: "СОШ № 9", Municipality: "Бийск", Status: storage.OrgMember,
	})
	if err != nil {
		t.Fatal(err)
	}
	manager := h.user(910001, "Ольга")
	manager.register(h.invite(storage.RoleQualityManager, org.ID, 1, time.Hour), "Смирнова Ольга Петровна")
	teacher := h.user(910002, "Анна")
	teacher.register(h.invite(storage.RoleTeacher, org.ID, 1, time.Hour), "Иванова Анна Сергеевна")
	anna := minePerson(t, h, teacher)
	tk := mineTask(t, h, org.ID, minePerson(t, h, manager).ID, "Фотоотчёт о неделе безопасности", true, anna.ID)

	teacher.send("📌 Мои задачи")
	teacher.expect("У вас 1 открытая задача", "Фотоотчёт о неделе безопасности")
	teacher.press("1. Фотоотчёт о неделе безопасности")
	teacher.expect("📌 Фотоотчёт о неделе безопасности", "обязательно", "назначена")
	before := len(h.tg.Messages(manager.u.ID))
	teacher.press("✅ Принять")
	teacher.expect("принята в работу")
	if m, _ := h.tg.Last(manager.u.ID); len(h.tg.Messages(manager.u.ID)) != before+1 ||
		!strings.Contains(m.Text, "Иванова Анна Сергеевна: задача «Фотоотчёт о неделе безопасности» принята") {
		t.Fatalf("the manager was not told of the accept:\n%s", manager.transcript())
	}

	teacher.press("📎 Выполнено")
	teacher.expect("Отчёт по задаче «Фотоотчёт о неделе безопасности»", "подтверждение обязательно")
	teacher.press("📤 Отправить отчёт")
	teacher.expect("нужно подтверждение")

	n := len(h.tg.Messages(teacher.u.ID))
	for i := range 3 {
		teacher.minePhoto(fmt.Sprintf("jpeg-%d", i), "album-7")
	}
	if got := h.tg.Messages(teacher.u.ID)[n:]; len(got) != 1 || !strings.Contains(got[0].Text, "Альбом получен") {
		t.Fatalf("an album of three photos was answered %d times:\n%s", len(got), teacher.transcript())
	}
	teacher.send("Провели учебную эвакуацию и классные часы.")
	teacher.expect("Комментарий сохранён")

	before = len(h.tg.Messages(manager.u.ID))
	teacher.press("📤 Отправить отчёт")
	teacher.expect("отправлен: 3 фото")
	card := h.tg.Messages(teacher.u.ID)
	if i := slices.IndexFunc(card, func(m bottest.Sent) bool { return strings.HasPrefix(m.Text, "📌 Фотоотчёт") }); i < 0 ||
		!strings.Contains(card[i].Text, "ждёт проверки") || len(card[i].Buttons) != 0 {
		t.Fatalf("the card does not show the report sent:\n%s", teacher.transcript())
	}

	got := h.tg.Messages(manager.u.ID)[before:]
	if want := fmt.Sprintf("tkm:rep:%d.%d", tk.ID, anna.ID); mineButton(got, "📂 Открыть отчёт") != want {
		t.Fatalf("the manager's report lacks the button %s:\n%s", want, manager.transcript())
	}
	if !strings.Contains(got[0].Text, "Провели учебную эвакуацию") || !strings.Contains(got[0].Text, "3 фото") {
		t.Fatalf("the manager's report:\n%s", manager.transcript())
	}
	albums := 0
	for _, m := range got {
		if m.Kind == "album" {
			albums++
			if len(m.MessageIDs) != 3 {
				t.Fatalf("the album has %d photos", len(m.MessageIDs))
			}
		}
	}
	if albums != 1 {
		t.Fatalf("the manager got %d albums:\n%s", albums, manager.transcript())
	}
	r, err := h.store.LastReport(ctx, tk.ID, anna.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.SentAt.IsZero() || len(r.Evidence) != 3 {
		t.Fatalf("stored report %+v", r)
	}
}
