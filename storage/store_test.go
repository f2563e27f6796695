package storage_test

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"

	"smkbot/storage"
	"smkbot/storage/storagetest"
)

// start is the fixed time the tests' clock begins at.
var start = time.Date(2026, 12, 25, 7, 0, 0, 0, time.UTC)

// clock is a settable time for Store.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newStore returns a store on its own database with a clock at start.
func newStore(t *testing.T) (*storage.Store, *clock) {
	t.Helper()
	s := storagetest.NewStore(t)
	c := &clock{now: start}
	s.Now = c.Now
	return s, c
}

// actionLine is the part of an Action the tests compare.
type actionLine struct {
	PersonID int64
	Action   string
	Object   string
	ObjectID int64
}

// actions returns the action log, oldest first.
func actions(t *testing.T, s *storage.Store) []actionLine {
	t.Helper()
	all, err := s.ListActions(context.Background(), 1000)
	if err != nil {
		t.Fatalf("ListActions: %v", err)
	}
	var out []actionLine
	for i := len(all) - 1; i >= 0; i-- {
		a := all[i]
		out = append(out, actionLine{a.PersonID, a.Action, a.Object, a.ObjectID})
	}
	return out
}

func mustOrg(t *testing.T, s *storage.Store, name string) storage.Organisation {
	t.Helper()
	o, err := s.CreateOrganisation(context.Background(), 0, storage.Organisation{Name: name, Status: storage.OrgMember})
	if err != nil {
		t.Fatalf("CreateOrganisation(%q): %v", name, err)
	}
	return o
}

// mustPerson registers a person through an invite for the role.
func mustPerson(t *testing.T, s *storage.Store, telegramID int64, name string, role storage.Role, orgID int64) storage.Person {
	t.Helper()
	ctx := context.Background()
	code, _, err := s.CreateInvite(ctx, 0, role, orgID, 1, time.Hour)
	if err != nil {
		t.Fatalf("CreateInvite: %v", err)
	}
	p, _, err := s.Register(ctx, code, telegramID, name, s.Now())
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	return p
}

func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := storagetest.EmptyDatabaseURL(t)

	// Two replicas starting at once, then a restart.
	errs := make(chan error, 2)
	for range 2 {
		go func() { errs <- storage.Migrate(ctx, dbURL) }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Migrate: %v", err)
		}
	}
	if err := storage.Migrate(ctx, dbURL); err != nil {
		t.Errorf("Migrate again: %v", err)
	}

	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var version int
	if err := conn.QueryRow(ctx, "select version from schema_version").Scan(&version); err != nil {
		t.Fatalf("read schema version: %v", err)
	}
	files, err := fs.Glob(storage.Migrations(), "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if version != len(files) {
		t.Errorf("schema version = %d, want %d (one per migration file)", version, len(files))
	}
	var tables []string
	rows, err := conn.Query(ctx, `select tablename from pg_tables where schemaname = 'public' order by tablename`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	// Every capability adds tables; the platform's must be among them.
	for _, want := range []string{"action_log", "invite_uses", "invites", "organisations", "people", "person_roles", "schema_version", "settings"} {
		if !slices.Contains(tables, want) {
			t.Errorf("table %s missing after migration; have %v", want, tables)
		}
	}
}

func TestOrganisations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)

	b, err := s.CreateOrganisation(ctx, 0, storage.Organisation{
		Name: " Лицей № 2 ", ShortName: "Л2", Municipality: "Бийск",
	})
	if err != nil {
		t.Fatalf("CreateOrganisation: %v", err)
	}
	want := storage.Organisation{ID: b.ID, Name: "Лицей № 2", ShortName: "Л2", Municipality: "Бийск",
		Status: storage.OrgMember, CreatedAt: start}
	if diff := cmp.Diff(want, b); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	a := mustOrg(t, s, "Гимназия № 1")

	if _, err := s.CreateOrganisation(ctx, 0, storage.Organisation{Name: "лицей № 2"}); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("CreateOrganisation with a taken name (other case): err = %v, want ErrConflict", err)
	}
	if _, err := s.CreateOrganisation(ctx, 0, storage.Organisation{Name: "  "}); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("CreateOrganisation with no name: err = %v, want ErrInvalid", err)
	}
	if _, err := s.CreateOrganisation(ctx, 0, storage.Organisation{Name: "X", Status: "friend"}); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("CreateOrganisation with an unknown status: err = %v, want ErrInvalid", err)
	}

	got, err := s.FindOrganisationByID(ctx, b.ID)
	if err != nil {
		t.Fatalf("FindOrganisationByID: %v", err)
	}
	if diff := cmp.Diff(b, got); diff != "" {
		t.Errorf("found (-want +got):\n%s", diff)
	}
	if _, err := s.FindOrganisationByID(ctx, 9999); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("FindOrganisationByID(9999): err = %v, want ErrNotFound", err)
	}

	b.Name, b.ShortName, b.Municipality, b.Status = "Лицей № 2 им. Пушкина", "Лицей 2", "Барнаул", storage.OrgCandidate
	if err := s.UpdateOrganisation(ctx, 0, b); err != nil {
		t.Fatalf("UpdateOrganisation: %v", err)
	}
	got, err = s.FindOrganisationByID(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, got); diff != "" {
		t.Errorf("updated (-want +got):\n%s", diff)
	}
	if err := s.UpdateOrganisation(ctx, 0, storage.Organisation{ID: b.ID, Name: "ГИМНАЗИЯ № 1"}); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("UpdateOrganisation to a taken name: err = %v, want ErrConflict", err)
	}
	if err := s.UpdateOrganisation(ctx, 0, storage.Organisation{ID: 9999, Name: "Нет"}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("UpdateOrganisation(9999): err = %v, want ErrNotFound", err)
	}

	list, err := s.ListOrganisations(ctx)
	if err != nil {
		t.Fatalf("ListOrganisations: %v", err)
	}
	if diff := cmp.Diff([]storage.Organisation{a, b}, list); diff != "" {
		t.Errorf("list by name (-want +got):\n%s", diff)
	}

	wantActions := []actionLine{
		{0, "organisation.create", "organisation", b.ID},
		{0, "organisation.create", "organisation", a.ID},
		{0, "organisation.update", "organisation", b.ID},
	}
	if diff := cmp.Diff(wantActions, actions(t, s)); diff != "" {
		t.Errorf("action log (-want +got):\n%s", diff)
	}
}

func TestSetMentor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	mentor := mustOrg(t, s, "Наставник")
	candidate := mustOrg(t, s, "Кандидат")
	admin := mustPerson(t, s, 1, "Админ Админов", storage.RoleAdmin, 0)

	if err := s.SetMentor(ctx, admin.ID, candidate.ID, mentor.ID); err != nil {
		t.Fatalf("SetMentor: %v", err)
	}
	got, err := s.FindOrganisationByID(ctx, candidate.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.MentorID != mentor.ID {
		t.Errorf("MentorID = %d, want %d", got.MentorID, mentor.ID)
	}
	if err := s.SetMentor(ctx, admin.ID, candidate.ID, candidate.ID); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("SetMentor to itself: err = %v, want ErrConflict", err)
	}
	if err := s.SetMentor(ctx, admin.ID, candidate.ID, 9999); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("SetMentor to an unknown mentor: err = %v, want ErrNotFound", err)
	}
	if err := s.SetMentor(ctx, admin.ID, 9999, mentor.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("SetMentor of an unknown candidate: err = %v, want ErrNotFound", err)
	}
	if err := s.SetMentor(ctx, admin.ID, candidate.ID, 0); err != nil {
		t.Fatalf("SetMentor(0): %v", err)
	}
	if got, _ := s.FindOrganisationByID(ctx, candidate.ID); got.MentorID != 0 {
		t.Errorf("after clearing, MentorID = %d, want 0", got.MentorID)
	}
	log := actions(t, s)
	want := []actionLine{
		{admin.ID, "organisation.set_mentor", "organisation", candidate.ID},
		{admin.ID, "organisation.set_mentor", "organisation", candidate.ID},
	}
	if diff := cmp.Diff(want, log[len(log)-2:]); diff != "" {
		t.Errorf("action log (-want +got):\n%s", diff)
	}
}

func TestPeople(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	school := mustOrg(t, s, "Школа № 5")
	other := mustOrg(t, s, "Школа № 6")

	teacher := mustPerson(t, s, 100, "Петрова Анна", storage.RoleTeacher, school.ID)
	qm := mustPerson(t, s, 101, "Иванов Иван", storage.RoleQualityManager, school.ID)
	chair := mustPerson(t, s, 102, "Сидоров Пётр", storage.RoleChair, 0)
	auditor := mustPerson(t, s, 103, "Кузнецова Ольга", storage.RoleAuditor, other.ID)

	p, roles, err := s.FindPersonByTelegramID(ctx, 100)
	if err != nil {
		t.Fatalf("FindPersonByTelegramID: %v", err)
	}
	wantPerson := storage.Person{ID: teacher.ID, TelegramID: 100, FullName: "Петрова Анна", OrgID: school.ID,
		ConsentAt: start, Active: true, CreatedAt: start}
	if diff := cmp.Diff(wantPerson, p); diff != "" {
		t.Errorf("person (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]storage.RoleGrant{{PersonID: teacher.ID, Role: storage.RoleTeacher, OrgID: school.ID}}, roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	if _, _, err := s.FindPersonByTelegramID(ctx, 999); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("FindPersonByTelegramID(stranger): err = %v, want ErrNotFound", err)
	}
	if _, _, err := s.FindPersonByID(ctx, 9999); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("FindPersonByID(9999): err = %v, want ErrNotFound", err)
	}

	if err := s.RenamePerson(ctx, teacher.ID, "Петрова-Смирнова Анна"); err != nil {
		t.Fatalf("RenamePerson: %v", err)
	}
	if err := s.RenamePerson(ctx, teacher.ID, " "); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("RenamePerson to nothing: err = %v, want ErrInvalid", err)
	}
	if err := s.RenamePerson(ctx, 9999, "Кто То"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("RenamePerson(9999): err = %v, want ErrNotFound", err)
	}

	if err := s.DeactivatePerson(ctx, chair.ID, auditor.ID); err != nil {
		t.Fatalf("DeactivatePerson: %v", err)
	}
	if err := s.DeactivatePerson(ctx, chair.ID, 9999); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("DeactivatePerson(9999): err = %v, want ErrNotFound", err)
	}
	if _, _, err := s.FindPersonByTelegramID(ctx, 103); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("FindPersonByTelegramID(deactivated): err = %v, want ErrNotFound", err)
	}
	p, roles, err = s.FindPersonByID(ctx, auditor.ID)
	if err != nil {
		t.Fatalf("FindPersonByID(deactivated): %v", err)
	}
	if p.Active || len(roles) != 1 {
		t.Errorf("deactivated person: active %v, %d roles; want inactive with the role kept", p.Active, len(roles))
	}

	names := func(people []storage.PersonRoles) []string {
		var out []string
		for _, p := range people {
			out = append(out, p.FullName)
		}
		return out
	}
	for _, tt := range []struct {
		org  int64
		role storage.Role
		want []string
	}{
		{0, "", []string{"Иванов Иван", "Кузнецова Ольга", "Петрова-Смирнова Анна", "Сидоров Пётр"}},
		{school.ID, "", []string{"Иванов Иван", "Петрова-Смирнова Анна"}},
		{school.ID, storage.RoleTeacher, []string{"Петрова-Смирнова Анна"}},
		{0, storage.RoleChair, []string{"Сидоров Пётр"}},
		{other.ID, "", []string{"Кузнецова Ольга"}},
		{other.ID, storage.RoleTeacher, nil},
	} {
		got, err := s.ListPeople(ctx, tt.org, tt.role)
		if err != nil {
			t.Fatalf("ListPeople(%d, %q): %v", tt.org, tt.role, err)
		}
		if diff := cmp.Diff(tt.want, names(got)); diff != "" {
			t.Errorf("ListPeople(%d, %q) (-want +got):\n%s", tt.org, tt.role, diff)
		}
	}
	list, err := s.ListPeople(ctx, school.ID, storage.RoleQualityManager)
	if err != nil {
		t.Fatal(err)
	}
	wantList := []storage.PersonRoles{{
		Person: storage.Person{ID: qm.ID, TelegramID: 101, FullName: "Иванов Иван", OrgID: school.ID,
			ConsentAt: start, Active: true, CreatedAt: start},
		Roles: []storage.RoleGrant{{PersonID: qm.ID, Role: storage.RoleQualityManager, OrgID: school.ID}},
	}}
	if diff := cmp.Diff(wantList, list); diff != "" {
		t.Errorf("ListPeople with roles (-want +got):\n%s", diff)
	}
}

func TestMarkInactiveByTelegramID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	p := mustPerson(t, s, 200, "Блок Блоков", storage.RoleSecretary, 0)

	if err := s.MarkInactiveByTelegramID(ctx, 200); err != nil {
		t.Fatalf("MarkInactiveByTelegramID: %v", err)
	}
	if _, _, err := s.FindPersonByTelegramID(ctx, 200); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("after 403: err = %v, want ErrNotFound", err)
	}
	if err := s.MarkInactiveByTelegramID(ctx, 200); err != nil {
		t.Errorf("MarkInactiveByTelegramID twice: %v", err)
	}
	if err := s.MarkInactiveByTelegramID(ctx, 12345); err != nil {
		t.Errorf("MarkInactiveByTelegramID(unknown): %v", err)
	}
	log := actions(t, s)
	if diff := cmp.Diff(actionLine{0, "person.blocked_bot", "person", p.ID}, log[len(log)-1]); diff != "" {
		t.Errorf("last action (-want +got):\n%s", diff)
	}
	if n := len(log); n != 3 { // invite, register, blocked once
		t.Errorf("%d action lines, want 3 (no line for no-ops)", n)
	}
}

func TestForgetPerson(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := newStore(t)
	school := mustOrg(t, s, "Школа")
	p := mustPerson(t, s, 300, "Забытый Человек", storage.RoleQualityManager, school.ID)
	// Something the person did, which must stay after forget-me.
	if _, _, err := s.CreateInvite(ctx, p.ID, storage.RoleTeacher, school.ID, 5, time.Hour); err != nil {
		t.Fatal(err)
	}
	before := actions(t, s)

	c.Add(time.Hour)
	if err := s.ForgetPerson(ctx, p.ID); err != nil {
		t.Fatalf("ForgetPerson: %v", err)
	}
	if err := s.ForgetPerson(ctx, 9999); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("ForgetPerson(9999): err = %v, want ErrNotFound", err)
	}
	got, roles, err := s.FindPersonByID(ctx, p.ID)
	if err != nil {
		t.Fatalf("FindPersonByID(forgotten): %v", err)
	}
	want := storage.Person{ID: p.ID, OrgID: school.ID, ConsentAt: start, CreatedAt: start}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("forgotten person (-want +got):\n%s", diff)
	}
	if len(roles) != 0 {
		t.Errorf("forgotten person keeps roles %v", roles)
	}
	if _, _, err := s.FindPersonByTelegramID(ctx, 300); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("FindPersonByTelegramID(forgotten): err = %v, want ErrNotFound", err)
	}
	after := actions(t, s)
	wantLog := append(before, actionLine{p.ID, "person.forget", "person", p.ID})
	if diff := cmp.Diff(wantLog, after); diff != "" {
		t.Errorf("action log after forget-me (-want +got):\n%s", diff)
	}
	if people, err := s.ListPeople(ctx, 0, ""); err != nil || len(people) != 0 {
		t.Errorf("ListPeople after forget-me = %v, %v; want none", people, err)
	}
	// The same Telegram account may register again as a new person.
	again := mustPerson(t, s, 300, "Вернувшийся Человек", storage.RoleTeacher, school.ID)
	if again.ID == p.ID {
		t.Errorf("a returning account was given the forgotten person's row")
	}
}

func TestAnonSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)

	got, err := s.AnonSecret(ctx, "from-config")
	if err != nil || string(got) != "from-config" {
		t.Errorf("AnonSecret(given) = %q, %v; want the given value", got, err)
	}

	// Replicas asking at once agree on one generated key.
	secrets := make([][]byte, 5)
	errs := make([]error, 5)
	var wg sync.WaitGroup
	for i := range secrets {
		wg.Go(func() { secrets[i], errs[i] = s.AnonSecret(ctx, "") })
	}
	wg.Wait()
	for i := range secrets {
		if errs[i] != nil {
			t.Fatalf("AnonSecret: %v", errs[i])
		}
		if diff := cmp.Diff(secrets[0], secrets[i]); diff != "" {
			t.Errorf("replica %d got another secret (-want +got):\n%s", i, diff)
		}
	}
	if len(secrets[0]) != 32 {
		t.Errorf("generated secret has %d bytes, want 32", len(secrets[0]))
	}
}

func TestListActionsDetail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	o := mustOrg(t, s, "Школа")
	if _, _, err := s.CreateInvite(ctx, 0, storage.RoleAuditor, o.ID, 2, time.Hour); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListActions(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []storage.Action{{Action: "invite.create", Object: "invite", At: start,
		Detail: `{"role": "auditor", "uses": 2, "org_id": ` + itoa(o.ID) + `}`}}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(storage.Action{}, "ID", "ObjectID")); diff != "" {
		t.Errorf("ListActions(1) (-want +got):\n%s", diff)
	}
}
