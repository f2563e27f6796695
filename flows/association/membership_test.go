package association

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/flowtest"
	"smkbot/storage"
)

// memFiles is Telegram's file storage for the tests.
type memFiles struct {
	mu    sync.Mutex
	files map[string][]byte
}

func (f *memFiles) Download(_ context.Context, id string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.files[id]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("no file %q", id)
}

// mbEnv: the chair, the secretary and 7 presidium members (9 on the
// list); a member school (the mentor) with its director, a candidate
// school it mentors with its director and quality manager, and a former
// member with its director.
type mbEnv struct {
	*flowtest.Env
	m                         *Membership
	files                     *memFiles
	next                      int
	chair, sec                storage.Person
	chairU, secU              flowtest.User
	presidium                 []storage.Person
	mentor, cand, former      storage.Organisation
	mentorDirU, dirU, qmU     flowtest.User
	formerDirU, teachU        flowtest.User
	mentorDir, dir, formerDir storage.Person
}

func newMbEnv(t testing.TB) *mbEnv {
	t.Helper()
	e := &mbEnv{files: &memFiles{files: map[string][]byte{}}, next: 10000}
	e.Env = flowtest.New(t, func(r *flows.Router, env *flowtest.Env) {
		e.m = &Membership{Store: env.Store, Files: e.files, Location: flowtest.Zone}
		e.m.Register(r)
	})
	ctx := context.Background()
	e.chairU, e.secU = flowtest.User{ID: 102, First: "Пётр"}, flowtest.User{ID: 103, First: "Ольга"}
	e.chair = e.Person(t, e.chairU, "Председателев Пётр Петрович", storage.RoleChair, 0)
	e.sec = e.Person(t, e.secU, "Секретарёва Ольга Ивановна", storage.RoleSecretary, 0)
	e.presidium = []storage.Person{e.chair}
	for i := range 8 {
		e.presidium = append(e.presidium, e.Person(t, flowtest.User{ID: int64(110 + i), First: "Член"},
			fmt.Sprintf("Членов Иван %d", i), storage.RolePresidium, 0))
	}
	e.mentor = e.Org(t, "Гимназия № 1")
	var err error
	e.cand, err = e.Store.CreateOrganisation(ctx, 0, storage.Organisation{Name: "СОШ № 7", ShortName: "СОШ № 7",
		Status: storage.OrgCandidate, MentorID: e.mentor.ID})
	if err != nil {
		t.Fatal(err)
	}
	e.former, err = e.Store.CreateOrganisation(ctx, 0, storage.Organisation{Name: "Лицей № 2", ShortName: "Лицей № 2",
		Status: storage.OrgFormer})
	if err != nil {
		t.Fatal(err)
	}
	e.mentorDirU, e.dirU, e.qmU = flowtest.User{ID: 301, First: "Мария"}, flowtest.User{ID: 201, First: "Дина"}, flowtest.User{ID: 202, First: "Кира"}
	e.formerDirU, e.teachU = flowtest.User{ID: 401, First: "Лев"}, flowtest.User{ID: 203, First: "Анна"}
	e.mentorDir = e.Person(t, e.mentorDirU, "Наставникова Мария Петровна", storage.RoleDirector, e.mentor.ID)
	e.dir = e.Person(t, e.dirU, "Директорова Дина Ивановна", storage.RoleDirector, e.cand.ID)
	e.Person(t, e.qmU, "Качествова Кира Олеговна", storage.RoleQualityManager, e.cand.ID)
	e.Person(t, e.teachU, "Учителева Анна Сергеевна", storage.RoleTeacher, e.cand.ID)
	e.formerDir = e.Person(t, e.formerDirU, "Лицеев Лев Львович", storage.RoleDirector, e.former.ID)
	return e
}

// file sends a document from u.
func (e *mbEnv) file(t *testing.T, u flowtest.User, data []byte, name string) []bot.Message {
	t.Helper()
	e.next++
	id := fmt.Sprintf("f%d", e.next)
	e.files.mu.Lock()
	e.files.files[id] = data
	e.files.mu.Unlock()
	upd := bot.Update{ID: e.next, ChatID: u.ID, Private: true, From: bot.User{ID: u.ID, FirstName: u.First},
		MessageID: e.next, Document: &bot.File{ID: id, UniqueID: "u" + id, Name: name, MIME: "application/pdf", Size: len(data)}}
	msgs, err := e.Router.Handle(context.Background(), upd)
	if err != nil {
		t.Fatal(err)
	}
	e.Deliver(t, nil, msgs...)
	return msgs
}

// meeting creates a draft meeting of the secretary in a week.
func (e *mbEnv) meeting(t *testing.T) storage.Meeting {
	t.Helper()
	m, err := e.Store.CreateMeeting(context.Background(), e.sec.ID, storage.Meeting{Kind: storage.MeetingRegular,
		StartsAt: e.Clock.Now().Add(7 * 24 * time.Hour), Place: "Гимназия № 1"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// hold sends the meeting, marks the whole presidium present, holds it and
// records votesFor of 9 for the item.
func (e *mbEnv) hold(t *testing.T, m storage.Meeting, itemID int64, votesFor int) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.Store.SendMeeting(ctx, e.sec.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	for _, p := range e.presidium {
		if err := e.Store.SetPresent(ctx, e.sec.ID, m.ID, p.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Store.MarkHeld(ctx, e.sec.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.RecordDecision(ctx, e.sec.ID, itemID, "Решение по вопросу.", votesFor, 9-votesFor, 0, 9); err != nil {
		t.Fatal(err)
	}
}

// apply runs the job and records its messages in the chats.
func (e *mbEnv) apply(t *testing.T) []bot.Message {
	t.Helper()
	msgs, err := e.m.ApplyDecisions(context.Background(), e.L)
	if err != nil {
		t.Fatal(err)
	}
	e.Deliver(t, nil, msgs...)
	return msgs
}

// schedule puts the newest open application on the meeting as u.
func (e *mbEnv) schedule(t *testing.T, u flowtest.User, org string, m storage.Meeting) storage.MembershipApplication {
	t.Helper()
	e.Send(t, u, "/applications")
	e.PressLabel(t, u, findLabel(t, e.Labels(u), org))
	e.PressLabel(t, u, "🗓 В повестку заседания")
	got := e.PressLabel(t, u, "✏️ "+e.L.DateTime(m.StartsAt.In(flowtest.Zone))+" (черновик)")
	flowtest.Has(t, got, "Вопрос добавлен в повестку заседания")
	agenda, err := e.Store.ListAgenda(context.Background(), m.ID)
	if err != nil || len(agenda) == 0 {
		t.Fatalf("agenda %v, %v", agenda, err)
	}
	apps, err := e.Store.OpenApplications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range apps {
		if a.AgendaItemID == agenda[len(agenda)-1].ID {
			return a
		}
	}
	t.Fatal("no application on the agenda")
	return storage.MembershipApplication{}
}

func findLabel(t *testing.T, labels []string, part string) string {
	t.Helper()
	for _, l := range labels {
		if strings.Contains(l, part) {
			return l
		}
	}
	t.Fatalf("no button with %q among %q", part, labels)
	return ""
}

func utf16be(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.BigEndian.AppendUint16(b, u)
	}
	return b
}

func documents(msgs []bot.Message, chat int64) []bot.Document {
	var out []bot.Document
	for _, m := range msgs {
		if d, ok := m.(bot.Document); ok && d.ChatID == chat {
			out = append(out, d)
		}
	}
	return out
}

// TestMembershipJoin: a candidate's director applies to become a member
// with a supporting document and a recommender; the secretary puts it on
// a meeting; the decision recorded, the job makes the school a member,
// issues certificate № 1/2026 as a PDF to the director, and ends the
// mentor pair, telling the mentor.
func TestMembershipJoin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMbEnv(t)

	flowtest.Has(t, e.Send(t, e.dirU, "📝 Членство"), "СОШ № 7 — кандидат", "Заявлений пока не было")
	flowtest.Has(t, e.PressLabel(t, e.dirU, "📝 Вступить в члены ассоциации"), "Напишите юридический адрес")
	flowtest.Has(t, e.file(t, e.dirU, []byte("x"), "a.pdf"), "Напишите адрес текстом")
	flowtest.Has(t, e.Send(t, e.dirU, "659300, г. Бийск, ул. Ленина, 7"), "На каком основании")
	// The draft is kept from the first answer.
	a, err := e.Store.LatestApplication(ctx, e.cand.ID)
	if err != nil || a.Status != storage.ApplicationDraft || a.Address != "659300, г. Бийск, ул. Ленина, 7" {
		t.Fatalf("draft %+v, %v", a, err)
	}
	// The session lost, the menu resumes where the draft stopped.
	if err := e.Sessions.Delete(ctx, e.dirU.ID); err != nil {
		t.Fatal(err)
	}
	e.Send(t, e.dirU, "📝 Членство")
	flowtest.Has(t, e.PressLabel(t, e.dirU, "✏️ Продолжить заявление"), "На каком основании")
	flowtest.Has(t, e.PressLabel(t, e.dirU, "Внедрённая СМК"), "Кто из членов совета")
	flowtest.Has(t, e.Send(t, e.dirU, "никтоневедомый"), "Никого не нашлось")
	flowtest.Has(t, e.Send(t, e.dirU, "членов иван 3"), "Выберите рекомендующего")
	flowtest.Has(t, e.PressLabel(t, e.dirU, "Членов Иван 3"), "Пришлите подтверждающие документы")
	flowtest.Has(t, e.Send(t, e.dirU, "вот"), "Пришлите документ файлом")
	flowtest.Has(t, e.file(t, e.dirU, []byte("%PDF-1.4 сертификат"), "sertifikat.pdf"), "Принят 1 файл")
	flowtest.Has(t, e.file(t, e.dirU, []byte("%PDF-1.4 приказ"), "prikaz.pdf"), "Принято 2 файла")
	got := e.PressLabel(t, e.dirU, "Далее ›")
	flowtest.Has(t, got, "Проверьте заявление", "Внедрённая СМК", "Рекомендует: Членов Иван 3", "📎 2 файла",
		"Руководитель: Директорова Дина Ивановна")
	got = e.PressLabel(t, e.dirU, "📨 Подать заявление")
	flowtest.Has(t, got, "Заявление о приёме в члены ассоциации подано")
	flowtest.Has(t, flowtest.To(got, e.chairU), "Новое заявление о приёме в члены ассоциации: СОШ № 7")
	flowtest.Has(t, flowtest.To(got, e.secU), "Новое заявление")

	// The secretary: the card, the files, the agenda.
	m := e.meeting(t)
	e.Send(t, e.secU, "📥 Заявления")
	e.PressLabel(t, e.secU, findLabel(t, e.Labels(e.secU), "СОШ № 7"))
	got = e.PressLabel(t, e.secU, "📎 2 файла")
	if docs := documents(got, e.secU.ID); len(docs) != 2 || docs[0].FileID == "" {
		t.Fatalf("files sent: %+v", docs)
	}
	app := e.schedule(t, e.secU, "СОШ № 7", m)
	agenda, err := e.Store.ListAgenda(ctx, m.ID)
	if err != nil || agenda[0].Title != "О приёме СОШ № 7 в члены ассоциации" {
		t.Fatalf("agenda %+v, %v", agenda, err)
	}
	flowtest.Has(t, e.Send(t, e.dirU, "📝 Членство"), "Будет рассмотрено на заседании президиума")
	// Nothing decided yet, nothing applied.
	if msgs := e.apply(t); len(msgs) != 0 {
		t.Fatalf("applied before the decision: %v", flowtest.Texts(msgs))
	}

	e.hold(t, m, app.AgendaItemID, 7)
	msgs := e.apply(t)
	flowtest.Has(t, flowtest.To(msgs, e.dirU), "принял СОШ № 7 в члены ассоциации", "Свидетельство № 1/2026")
	docs := documents(msgs, e.dirU.ID)
	if len(docs) != 1 {
		t.Fatalf("%d documents to the director", len(docs))
	}
	pdf := docs[0].Data
	if !bytes.HasPrefix(pdf, []byte("%PDF")) || !bytes.Contains(pdf, utf16be("Свидетельство о членстве в ассоциации № 1/2026")) {
		t.Fatalf("not the certificate: %q", pdf[:min(len(pdf), 16)])
	}
	flowtest.Has(t, flowtest.To(msgs, e.mentorDirU), "наставничество вашей школы над ней завершено")
	flowtest.Has(t, flowtest.To(msgs, e.chairU), "Решение применено", "Выдано свидетельство № 1/2026")
	if again := e.apply(t); len(again) != 0 {
		t.Fatalf("applied twice: %v", flowtest.Texts(again))
	}
	org, err := e.Store.FindOrganisationByID(ctx, e.cand.ID)
	if err != nil || org.Status != storage.OrgMember || org.MentorID != 0 || org.Address != "659300, г. Бийск, ул. Ленина, 7" {
		t.Fatalf("organisation %+v, %v", org, err)
	}

	// The director's screen: accepted, the certificate again on demand.
	got = e.Send(t, e.dirU, "📝 Членство")
	flowtest.Has(t, got, "член ассоциации", "Удовлетворено", "Свидетельство № 1/2026")
	got = e.PressLabel(t, e.dirU, "📜 Свидетельство (PDF)")
	if docs := documents(got, e.dirU.ID); len(docs) != 1 || !bytes.Equal(docs[0].Data, pdf) {
		t.Fatal("the certificate on demand differs")
	}
	// The register.
	e.Send(t, e.chairU, "/applications")
	flowtest.Has(t, e.PressLabel(t, e.chairU, "📜 Реестр свидетельств"), "№ 1/2026", "СОШ № 7 (Член)")
}

// TestMembershipCandidateRefused: a former member's director applies for
// candidate status with the documents of 3.2; the presidium refuses.
func TestMembershipCandidateRefused(t *testing.T) {
	t.Parallel()
	e := newMbEnv(t)
	e.Send(t, e.formerDirU, "📝 Членство")
	e.PressLabel(t, e.formerDirU, "📝 Стать кандидатом")
	flowtest.Has(t, e.Send(t, e.formerDirU, "г. Бийск, ул. Мира, 2"), "Есть ли приказ о разработке")
	flowtest.Has(t, e.PressLabel(t, e.formerDirU, "Да, приложу файл"), "Пришлите приказ о разработке СМК файлом")
	flowtest.Has(t, e.file(t, e.formerDirU, []byte("%PDF приказ"), "prikaz.pdf"), "Принят 1 файл (приказ о разработке СМК)")
	flowtest.Has(t, e.PressLabel(t, e.formerDirU, "Далее ›"), "Есть ли план разработки")
	flowtest.Has(t, e.PressLabel(t, e.formerDirU, "Нет"), "прошедшие обучение")
	flowtest.Has(t, e.PressLabel(t, e.formerDirU, "Да, приложу файл"), "документы об обучении сотрудников файлом")
	// Changed their mind: no such document after all.
	flowtest.Has(t, e.PressLabel(t, e.formerDirU, "Нет такого документа"), "Кто из членов совета")
	flowtest.Has(t, e.PressLabel(t, e.formerDirU, "Без рекомендации"), "Пришлите подтверждающие документы")
	got := e.PressLabel(t, e.formerDirU, "Готово ›")
	flowtest.Has(t, got, "приказ о разработке СМК: да, 1 файл", "план разработки СМК: нет", "Без рекомендации")
	e.PressLabel(t, e.formerDirU, "📨 Подать заявление")

	m := e.meeting(t)
	app := e.schedule(t, e.chairU, "Лицей № 2", m)
	e.hold(t, m, app.AgendaItemID, 3)
	msgs := e.apply(t)
	flowtest.Has(t, flowtest.To(msgs, e.formerDirU), "не присвоил Лицей № 2 статус кандидата", "Решение: Решение по вопросу.")
	if len(documents(msgs, e.formerDirU.ID)) != 0 {
		t.Fatal("a certificate for a refusal")
	}
	flowtest.Has(t, flowtest.To(msgs, e.secU), "Решение не принято")
	flowtest.Has(t, e.Send(t, e.formerDirU, "📝 Членство"), "Отклонено", "бывший член ассоциации")
}

// TestMembershipExclusion: with 9 on the presidium list, 5 for (adopted
// by the half rule) does not exclude; 6 for does, and its candidate
// loses its mentor.
func TestMembershipExclusion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMbEnv(t)
	// 5 of 9 for.
	a := openAndDecide(t, e, 5)
	msgs := e.apply(t)
	flowtest.Has(t, flowtest.To(msgs, e.chairU), "за — 5 из 9 членов президиума", "не менее двух третей (6)", "не исключена")
	if len(flowtest.To(msgs, e.mentorDirU)) != 0 {
		t.Errorf("the school told of an exclusion not made: %v", flowtest.Texts(flowtest.To(msgs, e.mentorDirU)))
	}
	if got, _ := e.Store.FindApplication(ctx, a.ID); got.Status != storage.ApplicationRefused {
		t.Errorf("status %s", got.Status)
	}
	// 6 of 9 for.
	openAndDecide(t, e, 6)
	msgs = e.apply(t)
	flowtest.Has(t, flowtest.To(msgs, e.mentorDirU), "исключил Гимназия № 1 из ассоциации")
	flowtest.Has(t, flowtest.To(msgs, e.secU), "Решение применено", "Кандидаты остались без наставника: СОШ № 7")
	org, err := e.Store.FindOrganisationByID(ctx, e.mentor.ID)
	if err != nil || org.Status != storage.OrgFormer {
		t.Fatalf("organisation %+v, %v", org, err)
	}
	cand, err := e.Store.FindOrganisationByID(ctx, e.cand.ID)
	if err != nil || cand.MentorID != 0 {
		t.Fatalf("candidate %+v, %v", cand, err)
	}
}

// openAndDecide opens an exclusion case on the mentor school as the
// chair, puts it on a new meeting and records votesFor of 9.
func openAndDecide(t *testing.T, e *mbEnv, votesFor int) storage.MembershipApplication {
	t.Helper()
	ctx := context.Background()
	e.Send(t, e.chairU, "📥 Заявления")
	flowtest.Has(t, e.PressLabel(t, e.chairU, "⚖️ Исключение"), "не менее двух третей")
	flowtest.Has(t, e.PressLabel(t, e.chairU, "Гимназия № 1"), "напишите основание")
	flowtest.Has(t, e.Send(t, e.chairU, "Не участвует в работе ассоциации два года"), "Проверьте вопрос об исключении")
	flowtest.Has(t, e.PressLabel(t, e.chairU, "📨 Внести на рассмотрение"), "Вопрос об исключении внесён")
	m := e.meeting(t)
	e.PressLabel(t, e.chairU, "🗓 В повестку заседания")
	e.PressLabel(t, e.chairU, "✏️ "+e.L.DateTime(m.StartsAt.In(flowtest.Zone))+" (черновик)")
	apps, err := e.Store.OpenApplications(ctx)
	if err != nil || len(apps) != 1 || apps[0].AgendaItemID == 0 {
		t.Fatalf("open %+v, %v", apps, err)
	}
	item, err := e.Store.FindAgendaItem(ctx, apps[0].AgendaItemID)
	if err != nil || !strings.HasPrefix(item.Title, "Об исключении Гимназия № 1") {
		t.Fatalf("item %+v, %v", item, err)
	}
	e.hold(t, m, item.ID, votesFor)
	return apps[0]
}

// TestMembershipLeave: a member school's own exit.
func TestMembershipLeave(t *testing.T) {
	t.Parallel()
	e := newMbEnv(t)
	e.Send(t, e.mentorDirU, "📝 Членство")
	flowtest.Has(t, e.PressLabel(t, e.mentorDirU, "🚪 Выйти из ассоциации"), "почему школа выходит")
	flowtest.Has(t, e.Send(t, e.mentorDirU, "Решение педсовета от 1 ноября"), "Проверьте заявление", "Причина: Решение педсовета")
	e.PressLabel(t, e.mentorDirU, "📨 Подать заявление")
	// Withdrawn and filed again.
	e.Send(t, e.mentorDirU, "📝 Членство")
	flowtest.Has(t, e.PressLabel(t, e.mentorDirU, "↩️ Отозвать заявление"), "Заявление отозвано")
	e.Send(t, e.mentorDirU, "📝 Членство")
	e.PressLabel(t, e.mentorDirU, "🚪 Выйти из ассоциации")
	e.Send(t, e.mentorDirU, "Решение педсовета от 1 ноября")
	e.PressLabel(t, e.mentorDirU, "📨 Подать заявление")
	m := e.meeting(t)
	app := e.schedule(t, e.secU, "Гимназия № 1", m)
	e.hold(t, m, app.AgendaItemID, 5)
	msgs := e.apply(t)
	flowtest.Has(t, flowtest.To(msgs, e.mentorDirU), "принял решение о выходе Гимназия № 1")
	flowtest.Has(t, e.Send(t, e.mentorDirU, "📝 Членство"), "бывший член ассоциации")
	findLabel(t, e.Labels(e.mentorDirU), "📝 Вступить")
}

// TestMembershipPair: both schools of a pair see it with what the mentor
// helps with; the quality manager too.
func TestMembershipPair(t *testing.T) {
	t.Parallel()
	e := newMbEnv(t)
	for _, u := range []flowtest.User{e.dirU, e.qmU} {
		e.Send(t, u, "📝 Членство")
		flowtest.Has(t, e.PressLabel(t, u, "🤝 Наставничество"), "Наставник вашей школы — Гимназия № 1", "корректирующие и предупреждающие")
	}
	// The quality manager follows, the director applies.
	flowtest.Lacks(t, e.Send(t, e.qmU, "📝 Членство"), "Вступить")
	if labels := e.Labels(e.qmU); strings.Contains(strings.Join(labels, " "), "Вступить") {
		t.Errorf("the quality manager is offered to apply: %q", labels)
	}
	e.Send(t, e.mentorDirU, "📝 Членство")
	flowtest.Has(t, e.PressLabel(t, e.mentorDirU, "🤝 Наставничество"), "наставник кандидатов:\n• СОШ № 7")
}

// TestMembershipForged: buttons of another school, of the wrong role, or
// with made-up arguments change nothing.
func TestMembershipForged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMbEnv(t)
	e.Send(t, e.dirU, "📝 Членство")
	e.PressLabel(t, e.dirU, "📝 Вступить в члены ассоциации")
	a, err := e.Store.LatestApplication(ctx, e.cand.ID)
	if err != nil {
		t.Fatal(err)
	}
	forbidden, stale := e.L.T("common.forbidden"), e.L.T("common.stale_button")
	e.Send(t, e.formerDirU, "📝 Членство")
	e.Send(t, e.qmU, "📝 Членство")
	e.Send(t, e.teachU, "/start")
	e.Send(t, e.chairU, "/applications")
	for _, tt := range []struct {
		u    flowtest.User
		data string
		want string
	}{
		{e.formerDirU, flows.CB(mbcb, mbCont, a.ID), forbidden},                        // another school's draft
		{e.formerDirU, flows.CB(mbcb, mbDrop, a.ID), forbidden},                        // nor withdraw it
		{e.formerDirU, flows.CB(mbcb, mbGround, fmt.Sprintf("%d.1", a.ID)), forbidden}, // nor answer
		{e.qmU, flows.CB(mbcb, mbNew, 1), forbidden},                                   // the quality manager does not apply
		{e.teachU, flows.CB(mbcb, mbHome, nil), forbidden},                             // a teacher sees nothing
		{e.dirU, flows.CB(mbcb, mbSched, fmt.Sprintf("%d.1", a.ID)), forbidden},        // the director does not schedule
		{e.dirU, flows.CB(mbcb, mbGround, fmt.Sprintf("%d.9", a.ID)), stale},           // no such ground
		{e.dirU, flows.CB(mbcb, mbDoc, fmt.Sprintf("%d.1.1", a.ID)), stale},            // a member has no documents of 3.2
		{e.dirU, flows.CB(mbcb, mbNew, 7), stale},                                      // no such kind
		{e.dirU, flows.CB(mbcb, mbSend, a.ID), ""},                                     // incomplete: asked again
		{e.dirU, flows.CB(mbcb, mbCont, 99999), stale},                                 // no such application
		{e.chairU, flows.CB(mbcb, mbApp, a.ID), stale},                                 // a school's draft is its own
		{e.chairU, flows.CB(mbcb, mbSched, fmt.Sprintf("%d.0", a.ID)), stale},          // no meeting
		{e.chairU, flows.CB(mbcb, mbExSend, a.ID), stale},                              // not an exclusion case
	} {
		got := flowtest.Texts(e.Press(t, tt.u, tt.data))
		if tt.want != "" && (len(got) != 1 || got[0] != tt.want) {
			t.Errorf("%d presses %s: got %q, want %q", tt.u.ID, tt.data, got, tt.want)
		}
	}
	after, err := e.Store.FindApplication(ctx, a.ID)
	if err != nil || after.Status != storage.ApplicationDraft || after.Ground != "" || after.AgendaItemID != 0 {
		t.Errorf("the draft changed: %+v, %v", after, err)
	}
	// A step whose draft is gone.
	if err := e.Store.WithdrawApplication(ctx, e.dir.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	flowtest.Has(t, e.Send(t, e.dirU, "ул. Ленина, 7"), "уже подано или удалено")
}
