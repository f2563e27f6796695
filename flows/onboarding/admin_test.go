package onboarding_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/flowtest"
	"smkbot/flows/onboarding"
	"smkbot/storage"
)

const botName = "smk_test_bot"

// The people of the tests.
var (
	admin    = flowtest.User{ID: 1001, First: "Ольга"}
	qm       = flowtest.User{ID: 1002, First: "Мария"}
	teacher  = flowtest.User{ID: 1003, First: "Иван"}
	teacher2 = flowtest.User{ID: 1004, First: "Пётр"}
	stranger = flowtest.User{ID: 1005, First: "Гость"}
	otherQM  = flowtest.User{ID: 1006, First: "Анна"}
	chair    = flowtest.User{ID: 1007, First: "Нина"}
)

func newEnv(t *testing.T) *flowtest.Env {
	t.Helper()
	return flowtest.New(t, func(r *flows.Router, e *flowtest.Env) {
		(&onboarding.Flow{Store: e.Store, Limiter: e.Limiter, BotUsername: botName, InviteTTL: 7 * 24 * time.Hour}).Register(r)
	})
}

// has fails unless what the bot said contains every want.
func has(t *testing.T, msgs []bot.Message, want ...string) {
	t.Helper()
	got := flowtest.Joined(msgs)
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Fatalf("reply lacks %q; got:\n%s", w, got)
		}
	}
}

// lacks fails when what the bot said contains any of the texts.
func lacks(t *testing.T, msgs []bot.Message, texts ...string) {
	t.Helper()
	got := flowtest.Joined(msgs)
	for _, w := range texts {
		if strings.Contains(got, w) {
			t.Fatalf("reply has %q; got:\n%s", w, got)
		}
	}
}

func orgs(t *testing.T, e *flowtest.Env) []storage.Organisation {
	t.Helper()
	list, err := e.Store.ListOrganisations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func org(t *testing.T, e *flowtest.Env, id int64) storage.Organisation {
	t.Helper()
	o, err := e.Store.FindOrganisationByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func candidate(t *testing.T, e *flowtest.Env, name string) storage.Organisation {
	t.Helper()
	o, err := e.Store.CreateOrganisation(context.Background(), 0, storage.Organisation{
		Name: name, ShortName: name, Municipality: "Бийский район", Status: storage.OrgCandidate,
	})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// ignoreTimes compares organisations by what a person typed.
var ignoreTimes = cmpopts.IgnoreFields(storage.Organisation{}, "ID", "CreatedAt")

func TestAdminAddsOrganisation(t *testing.T) {
	e := newEnv(t)
	e.Person(t, admin, "Орлова Ольга Игоревна", storage.RoleAdmin, 0)

	has(t, e.Send(t, admin, e.L.T("admin.menu_orgs")), e.L.T("admin.orgs_empty"))
	has(t, e.PressLabel(t, admin, e.L.T("admin.btn.add")), e.L.T("admin.ask_name"))

	// Bad values keep the step and say what is wrong.
	has(t, e.Send(t, admin, " Ш "), "слишком коротко")
	has(t, e.Send(t, admin, strings.Repeat("я", 201)), "не больше 200 символов, а сейчас 201")
	has(t, e.Send(t, admin, "  МБОУ «СОШ   № 1»\nг. Бийска "), e.L.T("admin.ask_short"))
	has(t, e.Send(t, admin, "СОШ № 1"), e.L.T("admin.ask_municipality"))
	has(t, e.Send(t, admin, "г. Бийск"), e.L.T("admin.ask_status"))
	has(t, e.Send(t, admin, "член"), e.L.T("onboarding.press_button"))
	msgs := e.PressLabel(t, admin, e.L.T("admin.btn.member"))
	has(t, msgs, "Полное название: МБОУ «СОШ № 1» г. Бийска", "Краткое название: СОШ № 1", "Муниципалитет: г. Бийск", "Статус: член ассоциации")
	if len(orgs(t, e)) != 0 {
		t.Fatal("saved before «Сохранить»")
	}
	has(t, e.PressLabel(t, admin, e.L.T("admin.btn.save")), e.L.T("admin.saved_mark"), "🏫 МБОУ «СОШ № 1» г. Бийска")
	want := []storage.Organisation{{Name: "МБОУ «СОШ № 1» г. Бийска", ShortName: "СОШ № 1", Municipality: "г. Бийск", Status: storage.OrgMember}}
	if diff := cmp.Diff(want, orgs(t, e), ignoreTimes); diff != "" {
		t.Fatalf("organisations (-want +got):\n%s", diff)
	}

	// The same name again, in other letters' case: refused at the save,
	// and only the name is asked again.
	e.Send(t, admin, e.L.T("admin.menu_orgs"))
	e.PressLabel(t, admin, e.L.T("admin.btn.add"))
	e.Send(t, admin, "мбоу «сош № 1» г. бийска")
	e.Send(t, admin, "Школа № 2")
	e.Send(t, admin, "г. Бийск")
	e.PressLabel(t, admin, e.L.T("admin.btn.candidate"))
	has(t, e.PressLabel(t, admin, e.L.T("admin.btn.save")), e.L.T("admin.org_exists"), e.L.T("admin.ask_name"))
	msgs = e.Send(t, admin, "МБОУ «СОШ № 2» г. Бийска")
	has(t, msgs, "Краткое название: Школа № 2", "Статус: кандидат")
	e.PressLabel(t, admin, e.L.T("admin.btn.save"))
	want = append(want, storage.Organisation{Name: "МБОУ «СОШ № 2» г. Бийска", ShortName: "Школа № 2", Municipality: "г. Бийск", Status: storage.OrgCandidate})
	if diff := cmp.Diff(want, orgs(t, e), ignoreTimes); diff != "" {
		t.Fatalf("organisations (-want +got):\n%s", diff)
	}

	// «Отмена» at the summary saves nothing.
	e.Send(t, admin, e.L.T("admin.menu_orgs"))
	e.PressLabel(t, admin, e.L.T("admin.btn.add"))
	e.Send(t, admin, "Лицей № 5")
	e.Send(t, admin, "Лицей 5")
	e.Send(t, admin, "Бийск")
	e.PressLabel(t, admin, e.L.T("admin.btn.member"))
	has(t, e.PressLabel(t, admin, e.L.T("common.btn.cancel")), e.L.T("admin.add_cancelled"))
	if n := len(orgs(t, e)); n != 2 {
		t.Fatalf("%d organisations after a cancel, want 2", n)
	}
}

func TestOrganisationListPages(t *testing.T) {
	e := newEnv(t)
	e.Person(t, admin, "Орлова Ольга Игоревна", storage.RoleAdmin, 0)
	for i := 1; i <= 10; i++ {
		e.Org(t, fmt.Sprintf("Школа %02d", i))
	}
	msgs := e.Send(t, admin, e.L.T("admin.menu_orgs"))
	has(t, msgs, "В ассоциации 10 организаций", "Стр. 1 из 2")
	labels := e.Labels(admin)
	if slices.Contains(labels, "Школа 09") || !slices.Contains(labels, "Школа 08") || slices.Contains(labels, e.L.T("common.btn.prev")) {
		t.Fatalf("page 1 buttons: %q", labels)
	}
	has(t, e.PressLabel(t, admin, e.L.T("common.btn.next")), "Стр. 2 из 2")
	labels = e.Labels(admin)
	if !slices.Contains(labels, "Школа 10") || slices.Contains(labels, "Школа 01") || slices.Contains(labels, e.L.T("common.btn.next")) {
		t.Fatalf("page 2 buttons: %q", labels)
	}
	// A page past the end shows the last one.
	has(t, e.Press(t, admin, flows.CB("adm", "orgs", 9)), "Стр. 2 из 2")
}

func TestAdminEditsOrganisationAndPairsMentor(t *testing.T) {
	e := newEnv(t)
	e.Person(t, admin, "Орлова Ольга Игоревна", storage.RoleAdmin, 0)
	mentor := e.Org(t, "Гимназия № 3")
	cand := candidate(t, e, "Школа-кандидат")
	candLabel := e.L.T("admin.org_line_candidate", "Name", "Школа-кандидат")

	e.Send(t, admin, e.L.T("admin.menu_orgs"))
	has(t, e.PressLabel(t, admin, candLabel), "🏫 Школа-кандидат", "Муниципалитет: Бийский район", "Статус: кандидат", e.L.T("admin.no_mentor_line"))

	// A field: a taken name is refused and the step stays; a new one saved.
	has(t, e.PressLabel(t, admin, e.L.T("admin.btn.edit_name")), "Сейчас: Школа-кандидат")
	has(t, e.Send(t, admin, "гимназия № 3"), e.L.T("admin.org_exists"))
	has(t, e.Send(t, admin, "x"), "слишком коротко")
	has(t, e.Send(t, admin, "МКОУ «Алтайская СОШ № 7»"), e.L.T("admin.org_saved"), "🏫 МКОУ «Алтайская СОШ № 7»")
	e.PressLabel(t, admin, e.L.T("admin.btn.edit_municipality"))
	e.Send(t, admin, "Алтайский район")
	e.PressLabel(t, admin, e.L.T("admin.btn.edit_short"))
	e.Send(t, admin, "Алтайская СОШ")
	got := org(t, e, cand.ID)
	if got.Name != "МКОУ «Алтайская СОШ № 7»" || got.Municipality != "Алтайский район" || got.ShortName != "Алтайская СОШ" {
		t.Fatalf("after edits: %+v", got)
	}

	// The mentor: chosen from the members.
	msgs := e.PressLabel(t, admin, e.L.T("admin.btn.mentor"))
	has(t, msgs, "Кто будет наставником для «Алтайская СОШ»")
	has(t, e.PressLabel(t, admin, "Гимназия № 3"), e.L.T("admin.mentor_set"), "Наставник: Гимназия № 3")
	if got := org(t, e, cand.ID).MentorID; got != mentor.ID {
		t.Fatalf("mentor = %d, want %d", got, mentor.ID)
	}
	// The mentor's card names its candidate.
	has(t, e.Press(t, admin, flows.CB("adm", "org", mentor.ID)), "Наставник для: Алтайская СОШ")

	// Cleared again.
	e.Press(t, admin, flows.CB("adm", "org", cand.ID))
	e.PressLabel(t, admin, e.L.T("admin.btn.mentor"))
	has(t, e.PressLabel(t, admin, e.L.T("admin.btn.no_mentor")), e.L.T("admin.mentor_cleared"))
	if got := org(t, e, cand.ID).MentorID; got != 0 {
		t.Fatalf("mentor = %d after clearing", got)
	}

	// A candidate that becomes a member loses its mentor.
	e.PressLabel(t, admin, e.L.T("admin.btn.mentor"))
	e.PressLabel(t, admin, "Гимназия № 3")
	e.PressLabel(t, admin, e.L.T("admin.btn.edit_status"))
	has(t, e.PressLabel(t, admin, e.L.T("admin.btn.member")), "Статус: член ассоциации", e.L.T("admin.status_member_note"))
	got = org(t, e, cand.ID)
	if got.Status != storage.OrgMember || got.MentorID != 0 {
		t.Fatalf("after becoming a member: %+v", got)
	}
	if slices.Contains(e.Labels(admin), e.L.T("admin.btn.mentor")) {
		t.Fatal("a member's card offers a mentor")
	}
}

// inviteLink finds the deep link in the replies and returns its code.
func inviteLink(t *testing.T, msgs []bot.Message) string {
	t.Helper()
	m := regexp.MustCompile(`https://t\.me/` + botName + `\?start=([A-Za-z0-9_-]+)`).FindStringSubmatch(flowtest.Joined(msgs))
	if m == nil {
		t.Fatalf("no invite link in:\n%s", flowtest.Joined(msgs))
	}
	return m[1]
}

// qrPhoto checks that the replies carry a PNG photo.
func qrPhoto(t *testing.T, msgs []bot.Message) {
	t.Helper()
	for _, m := range msgs {
		if p, ok := m.(bot.Photo); ok && bytes.HasPrefix(p.Data, []byte("\x89PNG\r\n\x1a\n")) {
			return
		}
	}
	t.Fatal("no QR code photo")
}

func TestAdminInvitesQualityManager(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ap := e.Person(t, admin, "Орлова Ольга Игоревна", storage.RoleAdmin, 0)
	e.Org(t, "Гимназия № 3")
	school := e.Org(t, "СОШ № 1")

	msgs := e.Send(t, admin, e.L.T("admin.menu_invite"))
	has(t, msgs, e.L.T("admin.invite_choose_role"))
	for _, r := range storage.Roles() {
		if !slices.Contains(e.Labels(admin), e.L.T("role."+string(r))) {
			t.Fatalf("admin is not offered %s", r)
		}
	}
	has(t, e.PressLabel(t, admin, e.L.T("role.quality_manager")), "Роль: Менеджер по качеству. В какую организацию?")
	has(t, e.PressLabel(t, admin, "СОШ № 1"), "Организация: СОШ № 1")
	msgs = e.PressLabel(t, admin, "5 человек")
	has(t, msgs, "Роль: Менеджер по качеству", "Организация: СОШ № 1",
		"По ней могут зарегистрироваться 5 человек.", "Действует до 27 ноября 2026")
	qrPhoto(t, msgs)
	code := inviteLink(t, msgs)

	inv, o, err := e.Store.PeekInvite(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Role != storage.RoleQualityManager || inv.OrgID != school.ID || o.ID != school.ID ||
		inv.UsesLeft != 5 || inv.CreatedBy != ap.ID || !inv.ExpiresAt.Equal(flowtest.Start.Add(7*24*time.Hour)) {
		t.Fatalf("invite = %+v", inv)
	}
	// The choice message now reads as a record: no buttons left on it.
	if labels := e.Labels(admin); slices.Contains(labels, "5 человек") {
		t.Fatalf("buttons left after the invite: %q", labels)
	}

	// An association-wide role needs no organisation.
	e.Send(t, admin, e.L.T("admin.menu_invite"))
	has(t, e.PressLabel(t, admin, e.L.T("role.chair")), "Организация: Ассоциация")
	msgs = e.PressLabel(t, admin, "1 человек")
	has(t, msgs, "По ней может зарегистрироваться 1 человек.")
	inv, _, err = e.Store.PeekInvite(ctx, inviteLink(t, msgs))
	if err != nil || inv.Role != storage.RoleChair || inv.OrgID != 0 || inv.UsesLeft != 1 {
		t.Fatalf("chair invite = %+v, %v", inv, err)
	}
}

// invitesMade counts the invites made from the chat (not by the test's
// own Person helper, whose invites have no author).
func invitesMade(t *testing.T, e *flowtest.Env) int {
	t.Helper()
	var n int
	if err := e.Store.Pool().QueryRow(context.Background(), `select count(*) from invites where created_by is not null`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestQualityManagerInvitesTeacher(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	own := e.Org(t, "СОШ № 1")
	other := e.Org(t, "Гимназия № 3")
	qp := e.Person(t, qm, "Смирнова Мария Петровна", storage.RoleQualityManager, own.ID)

	e.Send(t, qm, e.L.T("admin.menu_invite"))
	if diff := cmp.Diff([]string{e.L.T("role.auditor"), e.L.T("role.teacher")}, e.Labels(qm)); diff != "" {
		t.Fatalf("roles offered (-want +got):\n%s", diff)
	}
	// Their only organisation is chosen at once.
	has(t, e.PressLabel(t, qm, e.L.T("role.teacher")), "Роль: Педагог", "Организация: СОШ № 1")
	msgs := e.PressLabel(t, qm, "30 человек")
	has(t, msgs, "По ней могут зарегистрироваться 30 человек.")
	qrPhoto(t, msgs)
	inv, _, err := e.Store.PeekInvite(ctx, inviteLink(t, msgs))
	if err != nil || inv.Role != storage.RoleTeacher || inv.OrgID != own.ID || inv.UsesLeft != 30 || inv.CreatedBy != qp.ID {
		t.Fatalf("invite = %+v, %v", inv, err)
	}

	// Forged buttons for another organisation or another role, pressed in
	// the middle of an invitation, are refused and make nothing.
	e.Send(t, qm, e.L.T("admin.menu_invite"))
	forbidden := e.L.T("common.forbidden")
	for _, data := range []string{
		flows.CB("adm", "irole", "quality_manager"),
		flows.CB("adm", "irole", "admin"),
		flows.CB("adm", "iorgs", "quality_manager.1"),
		flows.CB("adm", "iorg", fmt.Sprintf("teacher.%d", other.ID)),
		flows.CB("adm", "iorg", fmt.Sprintf("quality_manager.%d", own.ID)),
		flows.CB("adm", "iuses", fmt.Sprintf("teacher.%d.1", other.ID)),
		flows.CB("adm", "iuses", fmt.Sprintf("auditor.%d.5", other.ID)),
		flows.CB("adm", "iuses", fmt.Sprintf("quality_manager.%d.1", own.ID)),
		flows.CB("adm", "iuses", "chair.1"),
	} {
		if diff := cmp.Diff([]string{forbidden}, flowtest.Texts(e.Press(t, qm, data))); diff != "" {
			t.Errorf("press %s (-want +got):\n%s", data, diff)
		}
	}
	if n := invitesMade(t, e); n != 1 {
		t.Fatalf("%d invites made, want 1", n)
	}
	// The invitation in progress still works after the refusals.
	e.PressLabel(t, qm, e.L.T("role.auditor"))
	msgs = e.PressLabel(t, qm, "1 человек")
	inv, _, err = e.Store.PeekInvite(ctx, inviteLink(t, msgs))
	if err != nil || inv.Role != storage.RoleAuditor || inv.OrgID != own.ID {
		t.Fatalf("auditor invite = %+v, %v", inv, err)
	}
}

func TestQualityManagerWithTwoOrganisationsChooses(t *testing.T) {
	e := newEnv(t)
	a := e.Org(t, "СОШ № 1")
	b := e.Org(t, "СОШ № 2")
	e.Org(t, "Гимназия № 3")
	e.Person(t, qm, "Смирнова Мария Петровна", storage.RoleQualityManager, a.ID)
	// A second grant of the role, in another school, by a second invite.
	code, _, err := e.Store.CreateInvite(context.Background(), 0, storage.RoleQualityManager, b.ID, 1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Store.Register(context.Background(), code, qm.ID, "Смирнова Мария Петровна", flowtest.Start); err != nil {
		t.Fatal(err)
	}
	e.Send(t, qm, e.L.T("admin.menu_invite"))
	e.PressLabel(t, qm, e.L.T("role.teacher"))
	if diff := cmp.Diff([]string{"СОШ № 1", "СОШ № 2"}, e.Labels(qm)); diff != "" {
		t.Fatalf("organisations offered (-want +got):\n%s", diff)
	}
	e.PressLabel(t, qm, "СОШ № 2")
	msgs := e.PressLabel(t, qm, "1 человек")
	inv, _, err := e.Store.PeekInvite(context.Background(), inviteLink(t, msgs))
	if err != nil || inv.OrgID != b.ID {
		t.Fatalf("invite = %+v, %v", inv, err)
	}
}

// snapshot is what the gating test expects no press to change.
type snapshot struct {
	Orgs    []storage.Organisation
	People  []storage.PersonRoles
	Actions int
	Invites int
}

func snap(t *testing.T, e *flowtest.Env) snapshot {
	t.Helper()
	ctx := context.Background()
	people, err := e.Store.ListPeople(ctx, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	actions, err := e.Store.ListActions(ctx, 10000)
	if err != nil {
		t.Fatal(err)
	}
	return snapshot{Orgs: orgs(t, e), People: people, Actions: len(actions), Invites: invitesMade(t, e)}
}

func TestAdminActionsAreGated(t *testing.T) {
	e := newEnv(t)
	a := e.Org(t, "СОШ № 1")
	b := e.Org(t, "Гимназия № 3")
	c := candidate(t, e, "Школа-кандидат")
	e.Person(t, admin, "Орлова Ольга Игоревна", storage.RoleAdmin, 0)
	tp := e.Person(t, teacher, "Петров Иван Сергеевич", storage.RoleTeacher, a.ID)
	e.Person(t, otherQM, "Белова Анна Игоревна", storage.RoleQualityManager, b.ID)
	person := fmt.Sprintf("%d.1.%d", tp.ID, a.ID)

	// Every administration button, naming organisation A, its person and
	// the candidate.
	all := []string{
		flows.CB("adm", "orgs", 1),
		flows.CB("adm", "org", a.ID),
		flows.CB("adm", "add", nil),
		flows.CB("adm", "newst", 1),
		flows.CB("adm", "save", "yes"),
		flows.CB("adm", "edit", fmt.Sprintf("%d.1", a.ID)),
		flows.CB("adm", "estatus", a.ID),
		flows.CB("adm", "status", fmt.Sprintf("%d.2", a.ID)),
		flows.CB("adm", "mentor", fmt.Sprintf("%d.1", c.ID)),
		flows.CB("adm", "setm", fmt.Sprintf("%d.%d", c.ID, a.ID)),
		flows.CB("adm", "nomentor", c.ID),
		flows.CB("adm", "irole", "teacher"),
		flows.CB("adm", "iorgs", "teacher.1"),
		flows.CB("adm", "iorg", fmt.Sprintf("teacher.%d", a.ID)),
		flows.CB("adm", "iuses", fmt.Sprintf("teacher.%d.1", a.ID)),
		flows.CB("adm", "iuses", "chair.1"),
		flows.CB("adm", "porgs", 1),
		flows.CB("adm", "porg", fmt.Sprintf("%d.1", a.ID)),
		flows.CB("adm", "passoc", 1),
		flows.CB("adm", "person", person),
		flows.CB("adm", "deact", person),
		flows.CB("adm", "deactok", person),
		flows.CB("adm", "deactno", person),
	}
	// A quality manager of another school may invite teachers and see
	// people — of their own school only; these are the buttons of that
	// kind they are refused.
	forQM := slices.DeleteFunc(slices.Clone(all), func(d string) bool {
		return d == flows.CB("adm", "irole", "teacher") || d == flows.CB("adm", "iorgs", "teacher.1") || d == flows.CB("adm", "porgs", 1)
	})
	forQM = append(forQM, flows.CB("adm", "irole", "quality_manager"), flows.CB("adm", "iorgs", "quality_manager.1"))

	before := snap(t, e)
	forbidden := e.L.T("common.forbidden")
	for _, tc := range []struct {
		name string
		u    flowtest.User
		data []string
	}{
		{"teacher", teacher, all},
		{"stranger", stranger, all},
		{"quality manager of another school", otherQM, forQM},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.Send(t, tc.u, "/start")
			for _, data := range tc.data {
				if diff := cmp.Diff([]string{forbidden}, flowtest.Texts(e.Press(t, tc.u, data))); diff != "" {
					t.Errorf("press %s (-want +got):\n%s", data, diff)
				}
			}
			// Menu labels of items the person does not hold lead nowhere
			// near the administration.
			labels := []string{e.L.T("admin.menu_orgs")}
			if tc.u != otherQM {
				labels = append(labels, e.L.T("admin.menu_invite"), e.L.T("admin.menu_people"))
			}
			for _, label := range labels {
				msgs := e.Send(t, tc.u, label)
				lacks(t, msgs, "В ассоциации", "Организаций пока нет", "Кого приглашаем", "Чьих сотрудников", "👥 СОШ № 1")
			}
		})
	}
	if diff := cmp.Diff(before, snap(t, e)); diff != "" {
		t.Fatalf("records changed (-before +after):\n%s", diff)
	}
}

func TestForgedCallbackForAnotherOrganisation(t *testing.T) {
	e := newEnv(t)
	a := e.Org(t, "СОШ № 1")
	b := e.Org(t, "Гимназия № 3")
	e.Person(t, qm, "Смирнова Мария Петровна", storage.RoleQualityManager, a.ID)
	e.Person(t, teacher, "Петров Иван Сергеевич", storage.RoleTeacher, a.ID)
	other := e.Person(t, teacher2, "Сидоров Пётр Ильич", storage.RoleTeacher, b.ID)

	// Their own school's people are theirs to see...
	has(t, e.Send(t, qm, e.L.T("admin.menu_people")), "👥 СОШ № 1: 2 человека", "Петров Иван Сергеевич — Педагог")
	// ...another school's are not, whichever way the button is forged.
	forbidden := e.L.T("common.forbidden")
	for _, data := range []string{
		flows.CB("adm", "porg", fmt.Sprintf("%d.1", b.ID)),
		flows.CB("adm", "person", fmt.Sprintf("%d.1.%d", other.ID, b.ID)),
		flows.CB("adm", "person", fmt.Sprintf("%d.1.%d", other.ID, a.ID)), // their own school as the list
		flows.CB("adm", "person", fmt.Sprintf("%d.1", other.ID)),          // the association's list
		flows.CB("adm", "passoc", 1),
	} {
		msgs := e.Press(t, qm, data)
		if diff := cmp.Diff([]string{forbidden}, flowtest.Texts(msgs)); diff != "" {
			t.Errorf("press %s (-want +got):\n%s", data, diff)
		}
		lacks(t, msgs, "Сидоров")
	}
}

func TestStaleButtons(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.Person(t, admin, "Орлова Ольга Игоревна", storage.RoleAdmin, 0)
	gone := e.Org(t, "Школа, которую закроют")
	e.Org(t, "СОШ № 1")
	stale := e.L.T("common.stale_button")
	isStale := func(msgs []bot.Message) {
		t.Helper()
		if diff := cmp.Diff([]string{stale}, flowtest.Texts(msgs)); diff != "" {
			t.Fatalf("(-want +got):\n%s", diff)
		}
	}

	// A deleted organisation: its card's buttons are stale.
	e.Send(t, admin, e.L.T("admin.menu_orgs"))
	e.PressLabel(t, admin, "Школа, которую закроют")
	if _, err := e.Store.Pool().Exec(ctx, `delete from organisations where id = $1`, gone.ID); err != nil {
		t.Fatal(err)
	}
	isStale(e.PressLabel(t, admin, e.L.T("admin.btn.edit_name")))
	isStale(e.PressLabel(t, admin, e.L.T("admin.btn.edit_status")))
	isStale(e.Press(t, admin, flows.CB("adm", "org", gone.ID)))
	isStale(e.Press(t, admin, flows.CB("adm", "status", fmt.Sprintf("%d.1", gone.ID))))

	// A person who never was.
	isStale(e.Press(t, admin, flows.CB("adm", "person", "999999.1")))

	// Malformed arguments.
	for _, data := range []string{"adm:org:abc", "adm:org:0", "adm:org:1.2", "adm:orgs:", "adm:edit:1.9", "adm:newst:3",
		"adm:save:maybe", "adm:irole:king", "adm:irole:teacher.1", "adm:nosuch:1", "adm:org:-1"} {
		isStale(e.Press(t, admin, data))
	}

	// An old step: the invitation's buttons after the person moved on.
	e.Send(t, admin, e.L.T("admin.menu_invite"))
	e.Send(t, admin, e.L.T("admin.menu_orgs"))
	isStale(e.PressLabel(t, admin, e.L.T("role.teacher")))

	// The summary's «Сохранить» once the organisation is saved.
	e.PressLabel(t, admin, e.L.T("admin.btn.add"))
	e.Send(t, admin, "Лицей № 5")
	e.Send(t, admin, "Лицей 5")
	e.Send(t, admin, "Бийск")
	e.PressLabel(t, admin, e.L.T("admin.btn.member"))
	e.PressLabel(t, admin, e.L.T("admin.btn.save"))
	isStale(e.Press(t, admin, flows.CB("adm", "save", "yes")))
	isStale(e.Press(t, admin, flows.CB("adm", "newst", 1)))
	if n := len(orgs(t, e)); n != 2 {
		t.Fatalf("%d organisations, want 2", n)
	}

	// A number of uses the bot never offers, within an invitation.
	e.Send(t, admin, e.L.T("admin.menu_invite"))
	isStale(e.Press(t, admin, flows.CB("adm", "iuses", "chair.7")))
	if n := invitesMade(t, e); n != 0 {
		t.Fatalf("%d invites made, want 0", n)
	}
}

func TestPeopleAndDeactivation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.Org(t, "СОШ № 1")
	e.Person(t, admin, "Орлова Ольга Игоревна", storage.RoleAdmin, 0)
	e.Person(t, chair, "Кузнецова Нина Павловна", storage.RoleChair, 0)
	e.Person(t, qm, "Смирнова Мария Петровна", storage.RoleQualityManager, a.ID)
	tp := e.Person(t, teacher, "Петров Иван Сергеевич", storage.RoleTeacher, a.ID)
	e.Person(t, teacher2, "Сидоров Пётр Ильич", storage.RoleTeacher, a.ID)

	// The teacher works before.
	has(t, e.Send(t, teacher, "/profile"), "Петров Иван Сергеевич")

	msgs := e.Send(t, admin, e.L.T("admin.menu_people"))
	has(t, msgs, e.L.T("admin.people_choose_org"))
	has(t, e.PressLabel(t, admin, e.L.T("admin.btn.association")), "👥 Ассоциация: 2 человека",
		"Кузнецова Нина Павловна — Председатель", "Орлова Ольга Игоревна — Администратор")
	// An admin is not offered to switch themselves off.
	e.PressLabel(t, admin, "Орлова Ольга Игоревна")
	if slices.Contains(e.Labels(admin), e.L.T("admin.btn.deactivate")) {
		t.Fatal("admin may deactivate themselves")
	}
	e.PressLabel(t, admin, e.L.T("admin.btn.to_list"))

	e.Send(t, admin, e.L.T("admin.menu_people"))
	has(t, e.PressLabel(t, admin, "СОШ № 1"), "👥 СОШ № 1: 3 человека",
		"Петров Иван Сергеевич — Педагог", "Смирнова Мария Петровна — Менеджер по качеству")
	has(t, e.PressLabel(t, admin, "Петров Иван Сергеевич"), "👤 Петров Иван Сергеевич", "Организация: СОШ № 1",
		"• Педагог — СОШ № 1", "Статус: активен", "Зарегистрирован(а): 20 ноября 2026")

	// «Отмена» keeps them.
	has(t, e.PressLabel(t, admin, e.L.T("admin.btn.deactivate")), "Отключить? Петров Иван Сергеевич больше не сможет работать в боте")
	e.PressLabel(t, admin, e.L.T("common.btn.cancel"))
	if p, _, err := e.Store.FindPersonByID(ctx, tp.ID); err != nil || !p.Active {
		t.Fatalf("after cancel: %+v, %v", p, err)
	}
	// The confirmation of the cancelled question is stale now.
	if diff := cmp.Diff([]string{e.L.T("common.stale_button")}, flowtest.Texts(e.Press(t, admin, flows.CB("adm", "deactok", fmt.Sprintf("%d.1.%d", tp.ID, a.ID))))); diff != "" {
		t.Fatalf("confirm after cancel (-want +got):\n%s", diff)
	}

	e.PressLabel(t, admin, e.L.T("admin.btn.deactivate"))
	has(t, e.PressLabel(t, admin, e.L.T("admin.btn.deactivate_yes")), "🚫 Петров Иван Сергеевич отключён(а).", e.L.T("admin.person_inactive"))
	if p, _, err := e.Store.FindPersonByID(ctx, tp.ID); err != nil || p.Active {
		t.Fatalf("after deactivation: %+v, %v", p, err)
	}
	if _, _, err := e.Store.FindPersonByTelegramID(ctx, teacher.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("deactivated person found by Telegram id: %v", err)
	}
	acts, err := e.Store.ListActions(ctx, 1)
	if err != nil || len(acts) != 1 || acts[0].Action != "person.deactivate" || acts[0].ObjectID != tp.ID {
		t.Fatalf("last action = %+v, %v", acts, err)
	}
	// The list marks them.
	has(t, e.PressLabel(t, admin, e.L.T("admin.btn.to_list")), "⛔ Петров Иван Сергеевич — Педагог (отключён(а))")

	// To the bot they are a stranger now.
	has(t, e.Send(t, teacher, "/start"), e.L.T("onboarding.stranger"))
	if diff := cmp.Diff([]string{e.L.T("common.forbidden")}, flowtest.Texts(e.Send(t, teacher, "/profile"))); diff != "" {
		t.Fatalf("/profile of a deactivated person (-want +got):\n%s", diff)
	}

	// A quality manager sees their school at once, but may not deactivate.
	has(t, e.Send(t, qm, e.L.T("admin.menu_people")), "👥 СОШ № 1: 3 человека")
	e.PressLabel(t, qm, "Сидоров Пётр Ильич")
	if slices.Contains(e.Labels(qm), e.L.T("admin.btn.deactivate")) {
		t.Fatal("a quality manager is offered «Отключить»")
	}
	// The chair sees everyone but deactivates no one either.
	e.Send(t, chair, e.L.T("admin.menu_people"))
	e.PressLabel(t, chair, "СОШ № 1")
	e.PressLabel(t, chair, "Сидоров Пётр Ильич")
	if slices.Contains(e.Labels(chair), e.L.T("admin.btn.deactivate")) {
		t.Fatal("the chair is offered «Отключить»")
	}
}

func TestAdminMenuAndHelp(t *testing.T) {
	e := newEnv(t)
	a := e.Org(t, "СОШ № 1")
	e.Person(t, admin, "Орлова Ольга Игоревна", storage.RoleAdmin, 0)
	e.Person(t, qm, "Смирнова Мария Петровна", storage.RoleQualityManager, a.ID)
	e.Person(t, teacher, "Петров Иван Сергеевич", storage.RoleTeacher, a.ID)

	for _, tc := range []struct {
		u          flowtest.User
		has, lacks []string
	}{
		{admin, []string{"admin.help_orgs", "admin.help_invite", "admin.help_people"}, nil},
		{qm, []string{"admin.help_invite", "admin.help_people"}, []string{"admin.help_orgs"}},
		{teacher, nil, []string{"admin.help_orgs", "admin.help_invite", "admin.help_people"}},
	} {
		msgs := e.Send(t, tc.u, "/help")
		for _, id := range tc.has {
			has(t, msgs, e.L.T(id))
		}
		for _, id := range tc.lacks {
			lacks(t, msgs, e.L.T(id))
		}
	}
}
