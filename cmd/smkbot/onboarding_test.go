package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"smkbot/storage"
	"smkbot/storage/storagetest"
)

func TestRegistrationHappyPath(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	org, err := h.store.CreateOrganisation(ctx, 0, storage.Organisation{Name: "МБОУ СОШ № 1 г. Бийска", ShortName: "СОШ № 1", Municipality: "Бийск", Status: storage.OrgMember})
	if err != nil {
		t.Fatal(err)
	}
	code := h.invite(storage.RoleTeacher, org.ID, 1, time.Hour)

	u := h.user(1001, "Мария")
	u.send("/start " + code)
	msgs := h.tg.Messages(u.u.ID)
	if len(msgs) != 2 {
		t.Fatalf("want the invite and the consent question, got:\n%s", u.transcript())
	}
	if want := "«Педагог», организация «СОШ № 1»"; !contains(msgs[0].Text, want) {
		t.Errorf("invite message lacks %q:\n%s", want, u.transcript())
	}
	u.expect("Согласие на обработку персональных данных", "/forget_me")
	u.press("✅ Согласен(на)")
	u.expect("фамилию, имя и отчество")
	u.send("  иванова   мария петровна ")
	u.expect("ФИО: Иванова Мария Петровна", "Роль: Педагог", "Организация: СОШ № 1")
	u.press("✅ Всё верно")
	welcome := u.expect("Добро пожаловать, Иванова Мария Петровна!")
	if len(welcome.Menu) == 0 {
		t.Errorf("the welcome has no role menu:\n%s", u.transcript())
	}

	p, roles, err := h.store.FindPersonByTelegramID(ctx, u.u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.FullName != "Иванова Мария Петровна" || p.OrgID != org.ID || p.ConsentAt.IsZero() || !p.Active {
		t.Errorf("person in Postgres = %+v", p)
	}
	if len(roles) != 1 || roles[0].Role != storage.RoleTeacher || roles[0].OrgID != org.ID {
		t.Errorf("roles = %+v", roles)
	}
	// The consent message was edited to record the answer; its buttons are gone.
	for _, m := range h.tg.Messages(u.u.ID) {
		if contains(m.Text, "Вы согласны?") && len(m.Buttons) != 0 {
			t.Errorf("consent message still has buttons after the answer")
		}
	}

	// Someone else trying the same one-time code is told it is used.
	other := h.user(1002, "Пётр")
	other.send("/start " + code)
	other.expect("уже использовано")
	if _, _, err := h.store.FindPersonByTelegramID(ctx, other.u.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("second person registered with a used code: %v", err)
	}

	// An old button pressed after registration is a short notice, not a crash.
	qid := u.pressData("onb:consent:yes")
	if a := callbackAnswer(h, qid); !contains(a, "устарела") {
		t.Errorf("stale button answer = %q", a)
	}
}

func TestRegistrationDeclinedConsent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code := h.invite(storage.RoleAdmin, 0, 1, time.Hour)
	u := h.user(2001, "Анна")
	u.send("/start " + code)
	u.press("Не согласен(на)")
	u.expect("Без согласия", "откройте ссылку-приглашение ещё раз")
	if _, _, err := h.store.FindPersonByTelegramID(context.Background(), u.u.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a person who declined was registered: %v", err)
	}
	// The invite is still usable: declining does not burn it.
	u.register(code, "Смирнова Анна")
}

func TestRegistrationBadNameKeepsTheStep(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code := h.invite(storage.RoleAdmin, 0, 1, time.Hour)
	u := h.user(3001, "Олег")
	u.send("/start " + code)
	u.press("✅ Согласен(на)")
	for _, bad := range []string{"Олег", "Олег123 Петров", "Петров Олег Иванович Сидорович Лишний", "👍"} {
		u.send(bad)
		if m := u.last(); len(m.Buttons) != 0 || contains(m.Text, "Проверьте") {
			t.Fatalf("name %q was accepted:\n%s", bad, u.transcript())
		}
	}
	u.send("Петров-Водкин Олег")
	u.expect("ФИО: Петров-Водкин Олег")
	u.press("✏️ Изменить ФИО")
	u.send("Петров Олег Иванович")
	u.expect("ФИО: Петров Олег Иванович")
	u.press("✅ Всё верно")
	u.expect("Добро пожаловать, Петров Олег Иванович!")
}

func TestExpiredAndUnknownInvites(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	past := h.store.Now
	h.store.Now = func() time.Time { return time.Now().Add(-48 * time.Hour) }
	expired := h.invite(storage.RoleAdmin, 0, 1, time.Hour)
	h.store.Now = past

	u := h.user(4001, "Ирина")
	u.send("/start " + expired)
	u.expect("Срок действия этого приглашения истёк")
	u.send("/start AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	u.expect("не найдена")
	u.send("просто текст")
	u.expect("нужна ссылка-приглашение")
}

func TestRestartInTheMiddleOfRegistration(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code := h.invite(storage.RoleAdmin, 0, 1, time.Hour)
	u := h.user(5001, "Вера")
	u.send("/start " + code)
	u.press("✅ Согласен(на)")
	h.restart() // the session lives in Redis and survives
	u.send("Кузнецова Вера Павловна")
	u.expect("ФИО: Кузнецова Вера Павловна")
	u.press("✅ Всё верно")
	u.expect("Добро пожаловать")
}

func TestCancelProfileAndForgetMe(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	u := h.user(6001, "Лев")
	u.register(h.invite(storage.RoleAdmin, 0, 1, time.Hour), "Толстов Лев Николаевич")

	u.send("/cancel")
	u.expect("Отменять нечего")
	u.send("/profile")
	u.expect("Толстов Лев Николаевич", "Администратор")
	u.press("✏️ Изменить ФИО")
	u.send("/cancel")
	u.expect("Отменено")
	u.send("/profile")
	u.press("✏️ Изменить ФИО")
	u.send("Толстой Лев Николаевич")
	u.expect("Толстой Лев Николаевич")
	p, _, err := h.store.FindPersonByTelegramID(ctx, u.u.ID)
	if err != nil || p.FullName != "Толстой Лев Николаевич" {
		t.Fatalf("after rename: %+v, %v", p, err)
	}

	u.send("/help")
	u.expect("/profile", "/forget_me")

	u.send("/forget_me")
	u.press("Да, удалить мои данные")
	u.expect("Ваши данные удалены")
	if _, _, err := h.store.FindPersonByTelegramID(ctx, u.u.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("forgotten person still found: %v", err)
	}
	gone, _, err := h.store.FindPersonByID(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if gone.FullName != "" || gone.TelegramID != 0 || gone.Active {
		t.Errorf("forgotten person keeps data: %+v", gone)
	}
	u.send("/menu")
	u.expect("нужна ссылка-приглашение")
}

func TestInviterIsToldAndBlockedPersonBecomesInactive(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	admin := h.user(7001, "Админ")
	admin.register(h.invite(storage.RoleAdmin, 0, 1, time.Hour), "Орлова Ольга Игоревна")
	ap, _, err := h.store.FindPersonByTelegramID(ctx, admin.u.ID)
	if err != nil {
		t.Fatal(err)
	}
	code, _, err := h.store.CreateInvite(ctx, ap.ID, storage.RoleSecretary, 0, 2, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	sec := h.user(7002, "Секретарь")
	sec.register(code, "Белова Светлана")
	admin.expect("Белова Светлана", "Секретарь")

	// The admin blocks the bot; the next notice to them gets 403 and the
	// admin is marked inactive.
	h.tg.Block(admin.u.ID)
	sec2 := h.user(7003, "Секретарь2")
	sec2.register(code, "Белов Семён")
	if _, _, err := h.store.FindPersonByTelegramID(ctx, admin.u.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a person who blocked the bot is still active: %v", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func callbackAnswer(h *harness, queryID string) string {
	for _, a := range h.tg.CallbackAnswers() {
		if a.QueryID == queryID {
			return a.Text
		}
	}
	return ""
}

func TestLostSessionReturnsToTheMenu(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.user(9101, "Зоя")
	u.register(h.invite(storage.RoleAdmin, 0, 1, time.Hour), "Космодемьянская Зоя")
	u.send("/profile")
	u.press("✏️ Изменить ФИО")
	// Redis loses the session (expiry, a flush): the typed name is not
	// taken as anything, and the person gets their menu back.
	rdb, _ := storagetest.Redis(t)
	if err := storage.NewSessions(rdb, h.cfg.RedisPrefix, time.Hour).Delete(context.Background(), u.u.ID); err != nil {
		t.Fatal(err)
	}
	u.send("Космодемьянская Зоя Анатольевна")
	if m := u.last(); len(m.Menu) == 0 {
		t.Fatalf("no menu after a lost session:\n%s", u.transcript())
	}
	p, _, err := h.store.FindPersonByTelegramID(context.Background(), u.u.ID)
	if err != nil || p.FullName != "Космодемьянская Зоя" {
		t.Fatalf("the name changed without a session: %+v, %v", p, err)
	}
}
