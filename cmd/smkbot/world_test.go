package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"smkbot/flows"
	"smkbot/flows/association"
	"smkbot/flows/audit"
	"smkbot/flows/flowtest"
	"smkbot/flows/meetings"
	"smkbot/flows/onboarding"
	"smkbot/flows/survey"
	"smkbot/flows/tasks"
	"smkbot/storage"
)

// The tests of bad input and access (access_test.go, fuzz_router_test.go,
// forget_test.go) share a world: every flow wired as run wires it, on the
// in-process harness, with two schools whose people and records carry
// names that can be looked for in replies.

// wireFlows registers every flow the way run does (the same order, the
// tasks flow shared by survey, audit and meetings), with stand-ins for
// Telegram's files and the durable scheduler.
func wireFlows(r *flows.Router, e *flowtest.Env) {
	(&onboarding.Flow{Store: e.Store, Limiter: e.Limiter, BotUsername: "smk_test_bot"}).Register(r)
	tf := &tasks.Flow{Store: e.Store, Files: noFiles{}, Location: flowtest.Zone}
	(&survey.Flow{Store: e.Store, Secret: []byte("world-test-secret-0123456789abcd"), BotUsername: "smk_test_bot", Files: noFiles{}, Tasks: tf}).Register(r)
	tf.Register(r)
	(&audit.Flow{Store: e.Store, Files: noFiles{}, Location: flowtest.Zone, Tasks: tf}).Register(r)
	(&meetings.Flow{Store: e.Store, Files: noFiles{}, Scheduler: noScheduler{}, Tasks: tf, Location: flowtest.Zone}).Register(r)
	(&association.Journal{Store: e.Store, Files: noFiles{}, Location: flowtest.Zone}).Register(r)
	(&association.Groups{Store: e.Store, Scheduler: noScheduler{}, Tasks: tf, Location: flowtest.Zone}).Register(r)
	(&association.Membership{Store: e.Store, Files: noFiles{}, Location: flowtest.Zone}).Register(r)
}

// noFiles is Telegram's file storage holding nothing: every file sent in
// these tests is forged.
type noFiles struct{}

func (noFiles) Download(_ context.Context, id string) ([]byte, error) {
	return nil, fmt.Errorf("no file %q", id)
}

// noScheduler takes scheduled work and runs none of it.
type noScheduler struct{}

func (noScheduler) Handle(string, flows.WorkFunc)                            {}
func (noScheduler) At(context.Context, string, string, any, time.Time) error { return nil }
func (noScheduler) Cancel(context.Context, string, string) error             { return nil }

// school is one organisation of the world with its people and records.
type school struct {
	org                   storage.Organisation
	qm, auditor, teacher  storage.Person
	qmU, auditorU, teachU flowtest.User
	area                  storage.AuditArea
	closed, open          storage.Audit
	closedF, openF        storage.Finding // a finding of each audit
	dir                   storage.Direction
	task                  storage.Task
	request               storage.TaskRequest
	survey                storage.Survey
	class                 storage.SurveyClass
	director              storage.Person
	dirU                  flowtest.User
	app                   storage.MembershipApplication // submitted: to leave
	// marks are the texts only this school's people and the association
	// may read: its name, its people's names, its records' titles.
	marks []string
}

// world is the association of the tests: association-wide people, two
// schools, a meeting sent to the presidium.
type world struct {
	*flowtest.Env
	a, b                         *school
	admin, chair, sec, presidium storage.Person
	adminU, chairU, secU, presU  flowtest.User
	stranger, respondent         flowtest.User
	meeting                      storage.Meeting
	item                         storage.AgendaItem
}

// Telegram ids of the world's people: association-wide 1xx, school A 2xx,
// school B 3xx.
func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{Env: flowtest.New(t, wireFlows)}
	ctx := context.Background()
	w.adminU, w.chairU, w.secU, w.presU = flowtest.User{ID: 101, First: "Админ"}, flowtest.User{ID: 102, First: "Пётр"},
		flowtest.User{ID: 103, First: "Ольга"}, flowtest.User{ID: 104, First: "Иван"}
	w.stranger, w.respondent = flowtest.User{ID: 105, First: "Гость"}, flowtest.User{ID: 106, First: "Родитель"}
	w.admin = w.Person(t, w.adminU, "Админов Админ Админович", storage.RoleAdmin, 0)
	w.chair = w.Person(t, w.chairU, "Председателев Пётр Петрович", storage.RoleChair, 0)
	w.sec = w.Person(t, w.secU, "Секретарёва Ольга Ивановна", storage.RoleSecretary, 0)
	w.presidium = w.Person(t, w.presU, "Президиумов Иван Иванович", storage.RolePresidium, 0)
	w.a = w.school(t, "Школа Альфа", "Альфов", 200)
	w.b = w.school(t, "Школа Бета", "Бетов", 300)

	m, err := w.Store.CreateMeeting(ctx, w.sec.ID, storage.Meeting{Kind: storage.MeetingRegular,
		StartsAt: w.Clock.Now().Add(10 * 24 * time.Hour), Place: "Актовый зал"})
	must(t, err)
	w.item, err = w.Store.AddAgendaItem(ctx, w.sec.ID, m.ID, "О плане работы", "Председателев П. П.")
	must(t, err)
	_, err = w.Store.SendMeeting(ctx, w.sec.ID, m.ID)
	must(t, err)
	w.meeting, err = w.Store.FindMeeting(ctx, m.ID)
	must(t, err)
	return w
}

// school creates an organisation with a quality manager, an auditor and a
// teacher (ids base+1..3), a closed audit and an open one with a finding
// each, a task of the teacher with a request for help, and a published
// survey.
func (w *world) school(t testing.TB, name, surname string, base int64) *school {
	t.Helper()
	ctx := context.Background()
	s := &school{org: w.Org(t, name)}
	s.qmU = flowtest.User{ID: base + 1, First: "Мария"}
	s.auditorU = flowtest.User{ID: base + 2, First: "Сергей"}
	s.teachU = flowtest.User{ID: base + 3, First: "Анна"}
	s.qm = w.Person(t, s.qmU, surname+"а Мария Управленовна", storage.RoleQualityManager, s.org.ID)
	s.auditor = w.Person(t, s.auditorU, surname+" Сергей Аудиторович", storage.RoleAuditor, s.org.ID)
	s.teacher = w.Person(t, s.teachU, surname+"а Анна Учителевна", storage.RoleTeacher, s.org.ID)

	var err error
	s.area, err = w.Store.AddAuditArea(ctx, s.auditor.ID, s.org.ID, name+": приёмная комиссия")
	must(t, err)
	day := time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC)
	audit := func(desc string) (storage.Audit, storage.Finding) {
		a, err := w.Store.CreateAudit(ctx, s.auditor.ID, storage.Audit{OrgID: s.org.ID, AuditorOrgID: s.org.ID,
			Area: s.area.Name, Date: day, LeadID: s.auditor.ID})
		must(t, err)
		f, err := w.Store.AddFinding(ctx, s.auditor.ID, storage.Finding{AuditID: a.ID, Kind: storage.FindingMinor,
			Description: desc, Place: "кабинет 12"})
		must(t, err)
		return a, f
	}
	s.closed, s.closedF = audit(name + ": журналы не заполнены")
	must(t, w.Store.CloseAudit(ctx, s.auditor.ID, s.closed.ID))
	s.open, s.openF = audit(name + ": огнетушитель просрочен")

	prog, dirs, err := w.Store.EnsureProgramme(ctx, s.qm.ID, s.org.ID, tasks.SchoolYear(w.Clock.Now()))
	must(t, err)
	if len(dirs) == 0 {
		s.dir, err = w.Store.AddDirection(ctx, s.qm.ID, prog.ID, "Кадровый ресурс")
		must(t, err)
	} else {
		s.dir = dirs[0]
	}
	s.task, err = w.Store.CreateTask(ctx, s.qm.ID, storage.Task{ProgrammeID: s.dir.ProgrammeID, OrgID: s.org.ID,
		DirectionID: s.dir.ID, Title: name + ": открытый урок", Due: flowtest.Start.AddDate(0, 0, 14)},
		[]storage.Assignment{{PersonID: s.teacher.ID}})
	must(t, err)
	s.request, err = w.Store.CreateRequest(ctx, storage.TaskRequest{TaskID: s.task.ID, PersonID: s.teacher.ID,
		Kind: storage.RequestHelp, Reason: name + ": нужен проектор"})
	must(t, err)

	tmpl, ok := survey.TemplateByKey("parents")
	if !ok {
		t.Fatal("no parents template")
	}
	sv, classes, err := w.Store.CreateSurvey(ctx, s.qm.ID, storage.Survey{OrgID: s.org.ID, Title: name + ": опрос родителей",
		Audience: storage.AudienceParents, TemplateKey: tmpl.Key, Intro: tmpl.Intro, Questions: tmpl.Questions,
		ClosesAt: flowtest.Start.AddDate(0, 0, 7)}, []storage.SurveyClass{{Name: "5А", Headcount: 25}})
	must(t, err)
	must(t, w.Store.PublishSurvey(ctx, s.qm.ID, sv.ID))
	s.survey, s.class = sv, classes[0]

	s.dirU = flowtest.User{ID: base + 4, First: "Дина"}
	s.director = w.Person(t, s.dirU, surname+"а Дина Директоровна", storage.RoleDirector, s.org.ID)
	s.app, err = w.Store.CreateApplication(ctx, s.director.ID, s.org.ID, storage.KindLeave)
	must(t, err)
	s.app.Reason = name + ": причина выхода"
	_, err = w.Store.UpdateApplication(ctx, s.director.ID, s.app)
	must(t, err)
	s.app, err = w.Store.SubmitApplication(ctx, s.director.ID, s.app.ID)
	must(t, err)

	s.marks = []string{name, surname, s.area.Name, s.closedF.Description, s.openF.Description, s.task.Title,
		s.request.Reason, s.survey.Title, s.app.Reason}
	return s
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// expand fills an argument template with the ids of s's records (and
// the world's meeting): O organisation, E audit area, A open audit, F its
// finding, G a closed audit's finding, D direction, T task, P teacher, U
// auditor, R request, S survey, C class, M meeting, I agenda item, V the
// meeting's version, Y a date key, K the school's membership application.
// Other characters stay.
func (w *world) expand(tmpl string, s *school) string {
	var b strings.Builder
	for _, r := range tmpl {
		var n int64
		switch r {
		case 'O':
			n = s.org.ID
		case 'E':
			n = s.area.ID
		case 'A':
			n = s.open.ID
		case 'F':
			n = s.openF.ID
		case 'G':
			n = s.closedF.ID
		case 'D':
			n = s.dir.ID
		case 'T':
			n = s.task.ID
		case 'P':
			n = s.teacher.ID
		case 'U':
			n = s.auditor.ID
		case 'R':
			n = s.request.ID
		case 'S':
			n = s.survey.ID
		case 'C':
			n = s.class.ID
		case 'M':
			n = w.meeting.ID
		case 'I':
			n = w.item.ID
		case 'V':
			n = int64(w.meeting.Version)
		case 'Y':
			n = flows.DateKey(flowtest.Start.AddDate(0, 0, 20))
		case 'K':
			n = s.app.ID
		default:
			b.WriteRune(r)
			continue
		}
		b.WriteString(strconv.FormatInt(n, 10))
	}
	return b.String()
}

// fingerprint is a digest of every row of every table of the public
// schema (row counts and the newest transaction that wrote a row): it
// changes with any insert, update or delete.
type fingerprint struct{ query string }

func newFingerprint(t testing.TB, e *flowtest.Env) *fingerprint {
	t.Helper()
	rows, err := e.Store.Pool().Query(context.Background(), `
		select table_name::text from information_schema.tables
		where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`)
	must(t, err)
	var parts []string
	for rows.Next() {
		var name string
		must(t, rows.Scan(&name))
		parts = append(parts, fmt.Sprintf(`(select count(*) || '/' || coalesce(max(xmin::text::bigint), 0) from %q)`, name))
	}
	must(t, rows.Err())
	if len(parts) == 0 {
		t.Fatal("no tables in the public schema")
	}
	return &fingerprint{query: "select " + strings.Join(parts, " || ',' || ")}
}

func (f *fingerprint) take(t testing.TB, e *flowtest.Env) string {
	t.Helper()
	var s string
	if err := e.Store.Pool().QueryRow(context.Background(), f.query).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// resetSession forgets where u is in a conversation.
func resetSession(t testing.TB, e *flowtest.Env, u flowtest.User) {
	t.Helper()
	if err := e.Sessions.Delete(context.Background(), u.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
		t.Fatal(err)
	}
}
