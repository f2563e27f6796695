package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"smkbot/bot/bottest"
	"smkbot/locales"
	"smkbot/storage"
)

// TestMeetingsEndToEnd: the secretary, registered by invite, writes a
// notice and sends it to 50 presidium members and a guest through the
// durable broadcast; a member who blocked the bot (403) is named in the
// delivery report; 40 members answer at once, all recorded; a new date
// asks everyone again.
func TestMeetingsEndToEnd(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.JobsEvery = 50 * time.Millisecond })
	ctx := context.Background()
	org, err := h.store.CreateOrganisation(ctx, 0, storage.Organisation{
		Name: "МБОУ СОШ № 5 г. Бийска", ShortName: "СОШ № 5", Municipality: "Бийск", Status: storage.OrgMember,
	})
	if err != nil {
		t.Fatal(err)
	}
	secretary := h.user(960001, "Елена")
	secretary.register(h.invite(storage.RoleSecretary, 0, 1, time.Hour), "Секретарёва Елена Ивановна")
	guest := h.user(960002, "Галина")
	guest.register(h.invite(storage.RoleQualityManager, org.ID, 1, time.Hour), "Гостева Галина Петровна")
	members := make([]bottest.User, 50)
	for i := range members {
		members[i] = bottest.User{ID: 961000 + int64(i), FirstName: "Член"}
		code := h.invite(storage.RolePresidium, 0, 1, time.Hour)
		if _, _, err := h.store.Register(ctx, code, members[i].ID, fmt.Sprintf("Членова Мария %02d", i), time.Now()); err != nil {
			t.Fatal(err)
		}
		h.tg.AddChat(members[i].ID)
	}
	h.tg.Block(members[7].ID)

	when := time.Now().In(h.cfg.Timezone).AddDate(0, 0, 10)
	secretary.send("🏛 Заседания")
	secretary.press("➕ Новое заседание")
	secretary.press("Очередное")
	secretary.send(when.Format("02.01") + " 14:00")
	secretary.expect("Где пройдёт заседание?")
	secretary.send("СОШ № 5, г. Бийск, ул. Ленина, 1")
	secretary.press("Без ссылки ›")
	secretary.send("О плане работы на 2027 год — Андреева О. П.")
	secretary.send("О приёме новых членов")
	secretary.press("Готово ›")
	secretary.press("Далее ›")
	secretary.send("гостева")
	secretary.press("Гостева Галина Петровна")
	secretary.press("С совещательным голосом")
	secretary.press("Готово ›")
	secretary.expect("Так извещение увидят 50 членов президиума", "1. О плане работы на 2027 год — докладчик: Андреева О. П.")
	secretary.press("📨 Отправить")

	report := func(fragment string) bottest.Sent {
		t.Helper()
		var got bottest.Sent
		err := h.tg.Wait(30*time.Second, func() bool {
			for _, m := range h.tg.Messages(secretary.u.ID) {
				if strings.Contains(m.Text, fragment) {
					got = m
					return true
				}
			}
			return false
		})
		if err != nil {
			t.Fatalf("no report %q: %v\n%s", fragment, err, secretary.transcript())
		}
		return got
	}
	r := report("доставлено 50 из 51")
	if !strings.Contains(r.Text, "Членова Мария 07 — заблокировал бота") {
		t.Fatalf("the report does not name the member who blocked the bot:\n%s", r.Text)
	}
	for _, u := range []bottest.User{members[0], members[49], guest.u} {
		if n := countWith(h.tg.Messages(u.ID), "Очередное заседание президиума"); n != 1 {
			t.Fatalf("%d got the notice %d times", u.ID, n)
		}
	}

	// 40 members answer at once: 30 will come, 10 will not.
	var wg sync.WaitGroup
	for i := 10; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			label := "✅ Буду"
			if i >= 40 {
				label = "❌ Не смогу"
			}
			id, err := h.tg.PressButton(members[i], label)
			if err != nil {
				t.Errorf("member %d: %v", i, err)
				return
			}
			if err := h.tg.Wait(20*time.Second, func() bool { return h.tg.Confirmed(id) }); err != nil {
				t.Errorf("member %d's answer was not handled: %v", i, err)
			}
		}()
	}
	wg.Wait()
	ms, err := h.store.MeetingsBetween(ctx, time.Now(), time.Now().AddDate(0, 1, 0))
	if err != nil || len(ms) != 1 {
		t.Fatalf("meetings %v, %v", ms, err)
	}
	meeting := ms[0]
	count := func() map[storage.RSVP]int {
		t.Helper()
		inv, err := h.store.ListInvitees(ctx, meeting.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := map[storage.RSVP]int{}
		for _, v := range inv {
			n[v.RSVP]++
		}
		return n
	}
	if n := count(); n[storage.RSVPYes] != 30 || n[storage.RSVPNo] != 10 || n[storage.RSVPNone] != 11 {
		t.Fatalf("answers in Postgres: %v, want 30 yes, 10 no, 11 none", n)
	}

	// A new date: everyone is asked again, the old buttons refused.
	secretary.send("🏛 Заседания")
	l, err := locales.New(h.cfg.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	secretary.press("📨 " + l.DayMonth(when))
	secretary.press("✏️ Изменить дату/место")
	secretary.press("🗓 Дату и время")
	secretary.send(when.AddDate(0, 0, 1).Format("02.01") + " 15:00")
	report("Изменение к извещению")
	if n := count(); n[storage.RSVPNone] != 51 {
		t.Fatalf("answers after the date changed: %v, want every one asked again", n)
	}
	if n := countWith(h.tg.Messages(members[12].ID), "ответьте заново"); n != 1 {
		t.Fatalf("member 12 was asked again %d times:\n%v", n, h.tg.Messages(members[12].ID))
	}
}

// countWith counts the messages containing fragment.
func countWith(msgs []bottest.Sent, fragment string) int {
	n := 0
	for _, m := range msgs {
		if strings.Contains(m.Text, fragment) {
			n++
		}
	}
	return n
}
