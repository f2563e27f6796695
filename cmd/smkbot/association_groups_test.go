package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"smkbot/bot/bottest"
	"smkbot/storage"
)

// TestGroupsEndToEnd: the chair, registered by invite, creates the
// consulting-methodological group, adds three members found by name and
// names one of them lead; the lead writes to the group through the
// durable broadcast; a member who blocked the bot (403) is named in the
// lead's delivery report, the others get the message once.
func TestGroupsEndToEnd(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.JobsEvery = 50 * time.Millisecond })
	ctx := context.Background()
	org, err := h.store.CreateOrganisation(ctx, 0, storage.Organisation{
		Name: "МБОУ СОШ № 9 г. Бийска", ShortName: "СОШ № 9", Municipality: "Бийск", Status: storage.OrgMember,
	})
	if err != nil {
		t.Fatal(err)
	}
	chair := h.user(970001, "Пётр")
	chair.register(h.invite(storage.RoleChair, 0, 1, time.Hour), "Председателев Пётр Петрович")
	lead := h.user(970002, "Ольга")
	lead.register(h.invite(storage.RoleQualityManager, org.ID, 1, time.Hour), "Методистова Ольга Ивановна")
	members := []bottest.User{{ID: 970003, FirstName: "Анна"}, {ID: 970004, FirstName: "Вера"}}
	for i, name := range []string{"Методистова Анна Сергеевна", "Методистова Вера Николаевна"} {
		code := h.invite(storage.RoleTeacher, org.ID, 1, time.Hour)
		if _, _, err := h.store.Register(ctx, code, members[i].ID, name, time.Now()); err != nil {
			t.Fatal(err)
		}
		h.tg.AddChat(members[i].ID)
	}
	h.tg.Block(members[1].ID)

	chair.send("🧩 Рабочие группы")
	chair.press("➕ Новая группа")
	chair.press("Консультационно-методическая")
	chair.expect("Кого включить")
	chair.send("методистова")
	for _, name := range []string{"Методистова Анна Сергеевна", "Методистова Вера Николаевна", "Методистова Ольга Ивановна"} {
		chair.press(name)
		chair.expect("Напишите следующую фамилию")
		if name != "Методистова Ольга Ивановна" {
			chair.send("методистова")
		}
	}
	chair.press("Готово ›")
	chair.expect("3 участника:")
	chair.press("👑 Назначить руководителя")
	chair.press("Методистова Ольга Ивановна")
	chair.expect("Руководитель: Методистова Ольга Ивановна")

	lead.send("/groups")
	lead.press("👑 Консультационно-методическая группа")
	lead.press("✉️ Сообщение группе")
	lead.send("Собираемся в четверг в 15:00, кабинет 12.")
	lead.expect("Так сообщение увидят 2 участника группы")
	lead.press("📨 Отправить")

	var report string
	err = h.tg.Wait(30*time.Second, func() bool {
		for _, m := range h.tg.Messages(lead.u.ID) {
			if strings.Contains(m.Text, "доставлено 1 из 2") {
				report = m.Text
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("no delivery report: %v\n%s", err, lead.transcript())
	}
	if !strings.Contains(report, "Методистова Вера Николаевна — заблокировал бота") {
		t.Fatalf("the report does not name the member who blocked the bot:\n%s", report)
	}
	if n := countWith(h.tg.Messages(members[0].ID), "Собираемся в четверг"); n != 1 {
		t.Fatalf("the member got the message %d times:\n%v", n, h.tg.Messages(members[0].ID))
	}
	for _, m := range h.tg.Messages(lead.u.ID) {
		if strings.HasPrefix(m.Text, "✉️ Рабочая группа") {
			t.Fatalf("the lead was sent their own message:\n%s", m.Text)
		}
	}
}
