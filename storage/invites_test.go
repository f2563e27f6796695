package storage_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"smkbot/storage"
	"smkbot/storage/storagetest"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestCreateInvite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := storagetest.DatabaseURL(t)
	s, err := storage.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Now = func() time.Time { return start }
	school := mustOrg(t, s, "Школа")
	qm := mustPerson(t, s, 1, "Иванов Иван", storage.RoleQualityManager, school.ID)

	code, inv, err := s.CreateInvite(ctx, qm.ID, storage.RoleTeacher, school.ID, 3, 48*time.Hour)
	if err != nil {
		t.Fatalf("CreateInvite: %v", err)
	}
	if len(code) != 43 {
		t.Errorf("code has %d characters, want 43", len(code))
	}
	if raw, err := base64.RawURLEncoding.DecodeString(code); err != nil || len(raw) != 32 {
		t.Errorf("code is not 32 bytes of base64url: %v", err)
	}
	want := storage.Invite{ID: inv.ID, Role: storage.RoleTeacher, OrgID: school.ID, UsesLeft: 3,
		ExpiresAt: start.Add(48 * time.Hour), CreatedBy: qm.ID, CreatedAt: start}
	if diff := cmp.Diff(want, inv); diff != "" {
		t.Errorf("invite (-want +got):\n%s", diff)
	}

	// Only the hash is kept.
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var found int
	if err := conn.QueryRow(ctx, `select count(*) from invites
		where position(convert_to($1, 'UTF8') in code_hash) > 0`, code).Scan(&found); err != nil {
		t.Fatal(err)
	}
	if found != 0 {
		t.Errorf("the code itself is stored")
	}

	code2, _, err := s.CreateInvite(ctx, 0, storage.RoleAdmin, 0, 1, time.Hour)
	if err != nil {
		t.Fatalf("CreateInvite(admin, no org): %v", err)
	}
	if code2 == code {
		t.Errorf("two invites share a code")
	}

	for _, tt := range []struct {
		name  string
		role  storage.Role
		org   int64
		uses  int
		ttl   time.Duration
		want  error
		actor int64
	}{
		{"org-scoped without org", storage.RoleTeacher, 0, 1, time.Hour, storage.ErrNotFound, 0},
		{"unknown org", storage.RoleAuditor, 9999, 1, time.Hour, storage.ErrNotFound, 0},
		{"unknown org, association role", storage.RoleChair, 9999, 1, time.Hour, storage.ErrNotFound, 0},
		{"unknown role", "janitor", school.ID, 1, time.Hour, storage.ErrInvalid, 0},
		{"no uses", storage.RoleTeacher, school.ID, 0, time.Hour, storage.ErrInvalid, 0},
		{"no time", storage.RoleTeacher, school.ID, 1, 0, storage.ErrInvalid, 0},
		{"unknown creator", storage.RoleTeacher, school.ID, 1, time.Hour, storage.ErrNotFound, 9999},
	} {
		if _, _, err := s.CreateInvite(ctx, tt.actor, tt.role, tt.org, tt.uses, tt.ttl); !errors.Is(err, tt.want) {
			t.Errorf("CreateInvite %s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestPeekInvite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := newStore(t)
	school := mustOrg(t, s, "Школа")

	code, inv, err := s.CreateInvite(ctx, 0, storage.RoleAuditor, school.ID, 1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	gotInv, gotOrg, err := s.PeekInvite(ctx, code)
	if err != nil {
		t.Fatalf("PeekInvite: %v", err)
	}
	if diff := cmp.Diff(inv, gotInv); diff != "" {
		t.Errorf("invite (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(school, gotOrg); diff != "" {
		t.Errorf("organisation (-want +got):\n%s", diff)
	}

	adminCode, _, err := s.CreateInvite(ctx, 0, storage.RoleAdmin, 0, 1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, org, err := s.PeekInvite(ctx, adminCode); err != nil || org != (storage.Organisation{}) {
		t.Errorf("PeekInvite(association-wide) = %v, %v; want the zero organisation", org, err)
	}

	if _, _, err := s.PeekInvite(ctx, "no-such-code"); !errors.Is(err, storage.ErrInviteInvalid) {
		t.Errorf("PeekInvite(unknown): err = %v, want ErrInviteInvalid", err)
	}
	if _, _, err := s.PeekInvite(ctx, ""); !errors.Is(err, storage.ErrInviteInvalid) {
		t.Errorf("PeekInvite(empty): err = %v, want ErrInviteInvalid", err)
	}

	c.Add(time.Hour)
	if _, _, err := s.PeekInvite(ctx, code); !errors.Is(err, storage.ErrInviteExpired) {
		t.Errorf("PeekInvite(expired): err = %v, want ErrInviteExpired", err)
	}
	// Peeking never uses the invite up.
	c.Add(-time.Hour)
	for range 3 {
		if _, _, err := s.PeekInvite(ctx, code); err != nil {
			t.Fatalf("PeekInvite again: %v", err)
		}
	}
}

func TestRegister(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := newStore(t)
	school := mustOrg(t, s, "Школа")
	other := mustOrg(t, s, "Другая школа")

	code, inv, err := s.CreateInvite(ctx, 0, storage.RoleTeacher, school.ID, 2, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	consent := start.Add(-time.Minute)
	c.Add(time.Minute)
	p, gotInv, err := s.Register(ctx, code, 500, " Смирнова Мария ", consent)
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	want := storage.Person{ID: p.ID, TelegramID: 500, FullName: "Смирнова Мария", OrgID: school.ID,
		ConsentAt: consent, Active: true, CreatedAt: start.Add(time.Minute)}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("person (-want +got):\n%s", diff)
	}
	inv.UsesLeft--
	if diff := cmp.Diff(inv, gotInv); diff != "" {
		t.Errorf("invite after a use (-want +got):\n%s", diff)
	}

	// The same person taking an auditor role elsewhere keeps their name,
	// consent and organisation.
	code2, _, err := s.CreateInvite(ctx, 0, storage.RoleAuditor, other.ID, 1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	p2, _, err := s.Register(ctx, code2, 500, "Другое Имя", start.Add(time.Hour))
	if err != nil {
		t.Fatalf("Register a second role: %v", err)
	}
	if diff := cmp.Diff(want, p2); diff != "" {
		t.Errorf("person after a second role (-want +got):\n%s", diff)
	}
	_, roles, err := s.FindPersonByTelegramID(ctx, 500)
	if err != nil {
		t.Fatal(err)
	}
	wantRoles := []storage.RoleGrant{
		{PersonID: p.ID, Role: storage.RoleAuditor, OrgID: other.ID},
		{PersonID: p.ID, Role: storage.RoleTeacher, OrgID: school.ID},
	}
	if diff := cmp.Diff(wantRoles, roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}

	// A deactivated person brought back by an invite gets only its role.
	if err := s.DeactivatePerson(ctx, 0, p.ID); err != nil {
		t.Fatal(err)
	}
	code3, _, err := s.CreateInvite(ctx, 0, storage.RoleTeacher, other.ID, 1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	p3, _, err := s.Register(ctx, code3, 500, "Смирнова Мария Ивановна", start.Add(2*time.Hour))
	if err != nil {
		t.Fatalf("Register a deactivated person: %v", err)
	}
	if p3.ID != p.ID || !p3.Active || p3.OrgID != other.ID || p3.FullName != "Смирнова Мария Ивановна" {
		t.Errorf("reactivated person = %+v; want the same row, active, in the new org, with the new name", p3)
	}
	_, roles, err = s.FindPersonByTelegramID(ctx, 500)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]storage.RoleGrant{{PersonID: p.ID, Role: storage.RoleTeacher, OrgID: other.ID}}, roles); diff != "" {
		t.Errorf("roles after coming back (-want +got):\n%s", diff)
	}

	if _, _, err := s.Register(ctx, code, 501, "", start); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("Register with no name: err = %v, want ErrInvalid", err)
	}
	// That failure did not use up the invite's last use.
	if _, _, err := s.Register(ctx, code, 501, "Новиков Олег", start); err != nil {
		t.Errorf("Register the last use: %v", err)
	}

	log := actions(t, s)
	wantLast := actionLine{PersonID: p.ID + 1, Action: "person.register", Object: "person", ObjectID: p.ID + 1}
	if diff := cmp.Diff(wantLast, log[len(log)-1]); diff != "" {
		t.Errorf("last action (-want +got):\n%s", diff)
	}
}

func TestRegisterRejectsUnusableInvites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := newStore(t)
	school := mustOrg(t, s, "Школа")

	once, _, err := s.CreateInvite(ctx, 0, storage.RoleTeacher, school.ID, 1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	soon, _, err := s.CreateInvite(ctx, 0, storage.RoleTeacher, school.ID, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Register(ctx, once, 600, "Первый Пришедший", start); err != nil {
		t.Fatalf("Register: %v", err)
	}

	if _, _, err := s.Register(ctx, once, 601, "Второй Пришедший", start); !errors.Is(err, storage.ErrInviteUsedUp) {
		t.Errorf("Register(used up): err = %v, want ErrInviteUsedUp", err)
	}
	if _, _, err := s.PeekInvite(ctx, once); !errors.Is(err, storage.ErrInviteUsedUp) {
		t.Errorf("PeekInvite(used up): err = %v, want ErrInviteUsedUp", err)
	}
	if _, _, err := s.Register(ctx, "made-up", 601, "Второй Пришедший", start); !errors.Is(err, storage.ErrInviteInvalid) {
		t.Errorf("Register(unknown): err = %v, want ErrInviteInvalid", err)
	}
	c.Add(time.Minute)
	if _, _, err := s.Register(ctx, soon, 601, "Второй Пришедший", start); !errors.Is(err, storage.ErrInviteExpired) {
		t.Errorf("Register(expired): err = %v, want ErrInviteExpired", err)
	}
	if _, _, err := s.FindPersonByTelegramID(ctx, 601); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a refused registration left a person: err = %v", err)
	}
}

// Ten people press a one-time link at the same moment: exactly one wins.
func TestRegisterRace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	school := mustOrg(t, s, "Школа")
	code, _, err := s.CreateInvite(ctx, 0, storage.RoleQualityManager, school.ID, 1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	const n = 10
	ready := make(chan struct{})
	errs := make(chan error, n)
	for i := range n {
		go func() {
			<-ready
			_, _, err := s.Register(ctx, code, int64(700+i), "Гонщик Быстрый", start)
			errs <- err
		}()
	}
	close(ready)
	won, lost := 0, 0
	for range n {
		switch err := <-errs; {
		case err == nil:
			won++
		case errors.Is(err, storage.ErrInviteUsedUp):
			lost++
		default:
			t.Errorf("Register: unexpected error %v", err)
		}
	}
	if won != 1 || lost != n-1 {
		t.Errorf("%d won and %d were told the invite is used up; want 1 and %d", won, lost, n-1)
	}
	people, err := s.ListPeople(ctx, school.ID, storage.RoleQualityManager)
	if err != nil {
		t.Fatal(err)
	}
	if len(people) != 1 {
		t.Errorf("%d quality managers registered, want 1", len(people))
	}
}

// The same account double-tapping two different links at once ends up as
// one person with both roles.
func TestRegisterSameAccountConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	school := mustOrg(t, s, "Школа")
	var codes []string
	for _, r := range []storage.Role{storage.RoleTeacher, storage.RoleAuditor} {
		code, _, err := s.CreateInvite(ctx, 0, r, school.ID, 1, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, code)
	}
	errs := make(chan error, len(codes))
	for _, code := range codes {
		go func() {
			_, _, err := s.Register(ctx, code, 800, "Двойной Клик", start)
			errs <- err
		}()
	}
	for range codes {
		if err := <-errs; err != nil {
			t.Errorf("Register: %v", err)
		}
	}
	_, roles, err := s.FindPersonByTelegramID(ctx, 800)
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) != 2 {
		t.Errorf("roles = %v, want teacher and auditor", roles)
	}
}
