package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"smkbot/storage"
)

// mbEnv is an association of a chair, a secretary and 7 more presidium
// members (9 on the list), a member school mentoring a candidate school,
// and the candidate's director.
type mbEnv struct {
	s         *storage.Store
	clock     *clock
	chair     storage.Person
	secretary storage.Person
	presidium []storage.Person // the chair and 8 members: 9 on the list
	mentor    storage.Organisation
	cand      storage.Organisation
	director  storage.Person
}

func newMbEnv(t *testing.T) *mbEnv {
	t.Helper()
	s, c := newStore(t)
	ctx := context.Background()
	e := &mbEnv{s: s, clock: c}
	e.chair = mustPerson(t, s, 500, "Андреева Ольга", storage.RoleChair, 0)
	e.secretary = mustPerson(t, s, 501, "Секретарёва Светлана", storage.RoleSecretary, 0)
	e.presidium = []storage.Person{e.chair}
	for i := range 8 {
		e.presidium = append(e.presidium, mustPerson(t, s, int64(510+i), fmt.Sprintf("Членов Член %d", i), storage.RolePresidium, 0))
	}
	e.mentor = mustOrg(t, s, "Гимназия № 1")
	cand, err := s.CreateOrganisation(ctx, 0, storage.Organisation{Name: "СОШ № 7", Status: storage.OrgCandidate, MentorID: e.mentor.ID})
	if err != nil {
		t.Fatal(err)
	}
	e.cand = cand
	e.director = mustPerson(t, s, 520, "Директорова Дина", storage.RoleDirector, cand.ID)
	return e
}

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

// complete fills and submits an application of the kind for org.
func (e *mbEnv) complete(t *testing.T, orgID int64, kind storage.MembershipKind) storage.MembershipApplication {
	t.Helper()
	ctx := context.Background()
	a, err := e.s.CreateApplication(ctx, e.director.ID, orgID, kind)
	if err != nil {
		t.Fatalf("CreateApplication: %v", err)
	}
	a.Address, a.Reason, a.RecommenderSet, a.DocumentsDone = "г. Бийск, ул. Ленина, 1", "Решение педсовета", true, true
	switch kind {
	case storage.KindMember:
		a.Ground = storage.GroundImplemented
	case storage.KindCandidate:
		a.HasOrder, a.HasPlan, a.HasTrained = no(), no(), no()
	}
	if _, err := e.s.UpdateApplication(ctx, e.director.ID, a); err != nil {
		t.Fatalf("UpdateApplication: %v", err)
	}
	if a, err = e.s.SubmitApplication(ctx, e.director.ID, a.ID); err != nil {
		t.Fatalf("SubmitApplication: %v", err)
	}
	return a
}

// decide puts the application on a new meeting's agenda, holds the
// meeting with the whole presidium present and records for votes for.
func (e *mbEnv) decide(t *testing.T, appID int64, votesFor int) storage.AgendaItem {
	t.Helper()
	ctx := context.Background()
	m, err := e.s.CreateMeeting(ctx, e.secretary.ID, storage.Meeting{Kind: storage.MeetingRegular,
		StartsAt: e.clock.Now().Add(24 * time.Hour), Place: "Гимназия № 1"})
	if err != nil {
		t.Fatal(err)
	}
	item, err := e.s.ScheduleApplication(ctx, e.secretary.ID, appID, m.ID, "О заявлении")
	if err != nil {
		t.Fatalf("ScheduleApplication: %v", err)
	}
	if _, err := e.s.SendMeeting(ctx, e.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	for _, p := range e.presidium {
		if err := e.s.SetPresent(ctx, e.secretary.ID, m.ID, p.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.s.MarkHeld(ctx, e.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	item, err = e.s.RecordDecision(ctx, e.secretary.ID, item.ID, "Решили.", votesFor, len(e.presidium)-votesFor, 0, len(e.presidium))
	if err != nil {
		t.Fatalf("RecordDecision: %v", err)
	}
	return item
}

func (e *mbEnv) claim(t *testing.T) []storage.MembershipOutcome {
	t.Helper()
	out, err := e.s.ClaimMembershipOutcomes(context.Background(), 10)
	if err != nil {
		t.Fatalf("ClaimMembershipOutcomes: %v", err)
	}
	return out
}

func TestApplicationCreateFits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMbEnv(t)
	_, err := e.s.CreateApplication(ctx, e.director.ID, e.mentor.ID, storage.KindMember)
	wantErr(t, "member applying as a member", err, storage.ErrConflict)
	_, err = e.s.CreateApplication(ctx, e.director.ID, e.mentor.ID, storage.KindCandidate)
	wantErr(t, "member applying as a candidate", err, storage.ErrConflict)
	_, err = e.s.CreateApplication(ctx, e.director.ID, e.cand.ID, "honorary")
	wantErr(t, "unknown kind", err, storage.ErrInvalid)
	_, err = e.s.CreateApplication(ctx, e.director.ID, 99999, storage.KindMember)
	wantErr(t, "unknown organisation", err, storage.ErrNotFound)

	a, err := e.s.CreateApplication(ctx, e.director.ID, e.cand.ID, storage.KindMember)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != storage.ApplicationDraft || a.OrgName != "СОШ № 7" || a.ApplicantName != "Директорова Дина" {
		t.Errorf("created %+v", a)
	}
	_, err = e.s.CreateApplication(ctx, e.director.ID, e.cand.ID, storage.KindLeave)
	wantErr(t, "a second open application", err, storage.ErrConflict)
	// An exclusion case is apart from the school's own application.
	if _, err := e.s.CreateApplication(ctx, e.chair.ID, e.cand.ID, storage.KindExclude); err != nil {
		t.Errorf("exclusion beside an application: %v", err)
	}
	got, err := e.s.LatestApplication(ctx, e.cand.ID)
	if err != nil || got.ID != a.ID {
		t.Errorf("LatestApplication = %d, %v; want %d", got.ID, err, a.ID)
	}
	_, err = e.s.LatestApplication(ctx, e.mentor.ID)
	wantErr(t, "LatestApplication of none", err, storage.ErrNotFound)
	if err := e.s.WithdrawApplication(ctx, e.director.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.CreateApplication(ctx, e.director.ID, e.cand.ID, storage.KindCandidate); err != nil {
		t.Errorf("after withdrawing: %v", err)
	}
}

func TestApplicationDraft(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMbEnv(t)
	a, err := e.s.CreateApplication(ctx, e.director.ID, e.cand.ID, storage.KindCandidate)
	if err != nil {
		t.Fatal(err)
	}
	bad := a
	bad.Ground = "famous"
	_, err = e.s.UpdateApplication(ctx, e.director.ID, bad)
	wantErr(t, "unknown ground", err, storage.ErrInvalid)
	bad = a
	bad.RecommenderID = 99999
	_, err = e.s.UpdateApplication(ctx, e.director.ID, bad)
	wantErr(t, "unknown recommender", err, storage.ErrNotFound)
	bad = a
	bad.Address = string(make([]rune, storage.MaxApplicationText+1))
	_, err = e.s.UpdateApplication(ctx, e.director.ID, bad)
	wantErr(t, "long address", err, storage.ErrInvalid)
	bad = a
	bad.Reason = "нуль\x00"
	_, err = e.s.UpdateApplication(ctx, e.director.ID, bad)
	wantErr(t, "a NUL in the reason", err, storage.ErrInvalid)

	a.Address, a.HasOrder, a.HasPlan, a.HasTrained = "  г. Бийск  ", yes(), no(), no()
	a.RecommenderID = e.presidium[1].ID
	if a, err = e.s.UpdateApplication(ctx, e.director.ID, a); err != nil {
		t.Fatal(err)
	}
	if a.Address != "г. Бийск" || !a.RecommenderSet || a.RecommenderName != "Членов Член 0" || a.HasOrder == nil || !*a.HasOrder {
		t.Errorf("updated %+v", a)
	}
	_, err = e.s.SubmitApplication(ctx, e.director.ID, a.ID)
	wantErr(t, "incomplete: no order file, documents not done", err, storage.ErrInvalid)

	att, err := e.s.SaveAttachment(ctx, []byte("%PDF приказ"), "prikaz.pdf", "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.s.AddApplicationFile(ctx, e.director.ID, a.ID, att.ID, "photo", "", "f1")
	wantErr(t, "unknown doc", err, storage.ErrInvalid)
	_, err = e.s.AddApplicationFile(ctx, e.director.ID, a.ID, 99999, storage.DocOrder, "", "f1")
	wantErr(t, "unknown attachment", err, storage.ErrNotFound)
	for range 2 {
		n, err := e.s.AddApplicationFile(ctx, e.director.ID, a.ID, att.ID, storage.DocOrder, "", "f1")
		if err != nil || n != 1 {
			t.Errorf("AddApplicationFile = %d, %v; want 1 (the same file twice is kept once)", n, err)
		}
	}
	files, err := e.s.ApplicationFiles(ctx, a.ID)
	if err != nil || len(files) != 1 || files[0].Name != "prikaz.pdf" || files[0].Doc != storage.DocOrder || files[0].FileID != "f1" {
		t.Errorf("ApplicationFiles = %+v, %v", files, err)
	}
	a.DocumentsDone = true
	if a, err = e.s.UpdateApplication(ctx, e.director.ID, a); err != nil {
		t.Fatal(err)
	}
	if !storage.ApplicationComplete(a, files) {
		t.Error("not complete")
	}
	if a, err = e.s.SubmitApplication(ctx, e.director.ID, a.ID); err != nil || a.Status != storage.ApplicationSubmitted || a.SubmittedAt.IsZero() {
		t.Fatalf("SubmitApplication = %+v, %v", a, err)
	}
	_, err = e.s.UpdateApplication(ctx, e.director.ID, a)
	wantErr(t, "update after submitting", err, storage.ErrConflict)
	_, err = e.s.AddApplicationFile(ctx, e.director.ID, a.ID, att.ID, storage.DocSupport, "", "f1")
	wantErr(t, "file after submitting", err, storage.ErrConflict)
	_, err = e.s.SubmitApplication(ctx, e.director.ID, a.ID)
	wantErr(t, "submit twice", err, storage.ErrConflict)
	_, err = e.s.FindApplication(ctx, 99999)
	wantErr(t, "FindApplication unknown", err, storage.ErrNotFound)
}

func TestApplicationComplete(t *testing.T) {
	t.Parallel()
	base := storage.MembershipApplication{Address: "x", RecommenderSet: true, DocumentsDone: true}
	order := []storage.ApplicationFile{{Doc: storage.DocOrder}}
	tests := []struct {
		name  string
		a     func(a storage.MembershipApplication) storage.MembershipApplication
		files []storage.ApplicationFile
		want  bool
	}{
		{"member with ground", func(a storage.MembershipApplication) storage.MembershipApplication {
			a.Kind, a.Ground = storage.KindMember, storage.GroundCertified
			return a
		}, nil, true},
		{"member without ground", func(a storage.MembershipApplication) storage.MembershipApplication {
			a.Kind = storage.KindMember
			return a
		}, nil, false},
		{"member without address", func(a storage.MembershipApplication) storage.MembershipApplication {
			a.Kind, a.Ground, a.Address = storage.KindMember, storage.GroundCertified, ""
			return a
		}, nil, false},
		{"candidate, all no", func(a storage.MembershipApplication) storage.MembershipApplication {
			a.Kind, a.HasOrder, a.HasPlan, a.HasTrained = storage.KindCandidate, no(), no(), no()
			return a
		}, nil, true},
		{"candidate, order yes without file", func(a storage.MembershipApplication) storage.MembershipApplication {
			a.Kind, a.HasOrder, a.HasPlan, a.HasTrained = storage.KindCandidate, yes(), no(), no()
			return a
		}, nil, false},
		{"candidate, order yes with file", func(a storage.MembershipApplication) storage.MembershipApplication {
			a.Kind, a.HasOrder, a.HasPlan, a.HasTrained = storage.KindCandidate, yes(), no(), no()
			return a
		}, order, true},
		{"candidate, plan unanswered", func(a storage.MembershipApplication) storage.MembershipApplication {
			a.Kind, a.HasOrder, a.HasTrained = storage.KindCandidate, no(), no()
			return a
		}, nil, false},
		{"leave with reason", func(a storage.MembershipApplication) storage.MembershipApplication {
			a = storage.MembershipApplication{Kind: storage.KindLeave, Reason: "r"}
			return a
		}, nil, true},
		{"exclusion without reason", func(a storage.MembershipApplication) storage.MembershipApplication {
			a = storage.MembershipApplication{Kind: storage.KindExclude}
			return a
		}, nil, false},
		{"recommender unanswered", func(a storage.MembershipApplication) storage.MembershipApplication {
			a.Kind, a.Ground, a.RecommenderSet = storage.KindMember, storage.GroundCertified, false
			return a
		}, nil, false},
	}
	for _, tt := range tests {
		if got := storage.ApplicationComplete(tt.a(base), tt.files); got != tt.want {
			t.Errorf("%s: complete = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestApplicationSchedule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMbEnv(t)
	a := e.complete(t, e.cand.ID, storage.KindMember)
	m, err := e.s.CreateMeeting(ctx, e.secretary.ID, storage.Meeting{Kind: storage.MeetingRegular,
		StartsAt: start.Add(48 * time.Hour), Place: "Гимназия № 1"})
	if err != nil {
		t.Fatal(err)
	}
	open, err := e.s.OpenMeetings(ctx)
	if err != nil || len(open) != 1 || open[0].ID != m.ID {
		t.Errorf("OpenMeetings = %v, %v", open, err)
	}
	_, err = e.s.ScheduleApplication(ctx, e.secretary.ID, a.ID, m.ID, " ")
	wantErr(t, "empty title", err, storage.ErrInvalid)
	_, err = e.s.ScheduleApplication(ctx, e.secretary.ID, a.ID, 99999, "О приёме")
	wantErr(t, "unknown meeting", err, storage.ErrNotFound)
	item, err := e.s.ScheduleApplication(ctx, e.secretary.ID, a.ID, m.ID, "О приёме СОШ № 7 в члены ассоциации")
	if err != nil {
		t.Fatal(err)
	}
	if item.Position != 1 || item.MeetingID != m.ID {
		t.Errorf("item %+v", item)
	}
	if a, err = e.s.FindApplication(ctx, a.ID); err != nil || a.AgendaItemID != item.ID || a.MeetingID != m.ID {
		t.Errorf("application %+v, %v", a, err)
	}
	_, err = e.s.ScheduleApplication(ctx, e.secretary.ID, a.ID, m.ID, "Ещё раз")
	wantErr(t, "scheduled twice", err, storage.ErrConflict)
	wantErr(t, "withdraw on the agenda", e.s.WithdrawApplication(ctx, e.director.ID, a.ID), storage.ErrConflict)
	list, err := e.s.OpenApplications(ctx)
	if err != nil || len(list) != 1 || list[0].ID != a.ID {
		t.Errorf("OpenApplications = %v, %v", list, err)
	}
	// The item deleted, the application waits for an agenda again.
	if err := e.s.DeleteAgendaItem(ctx, e.secretary.ID, item.ID); err != nil {
		t.Fatal(err)
	}
	if a, err = e.s.FindApplication(ctx, a.ID); err != nil || a.AgendaItemID != 0 {
		t.Errorf("after the item's deletion %+v, %v", a, err)
	}
	if _, err := e.s.CancelMeeting(ctx, e.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.ScheduleApplication(ctx, e.secretary.ID, a.ID, m.ID, "О приёме")
	wantErr(t, "cancelled meeting", err, storage.ErrConflict)
	// Nothing decided, nothing claimed.
	if out := e.claim(t); len(out) != 0 {
		t.Errorf("claimed %v", out)
	}
}

func TestMembershipAccepted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMbEnv(t)
	a := e.complete(t, e.cand.ID, storage.KindMember)
	e.decide(t, a.ID, 5)
	out := e.claim(t)
	if len(out) != 1 {
		t.Fatalf("claimed %d outcomes", len(out))
	}
	o := out[0]
	if !o.Accepted || o.Application.Status != storage.ApplicationAccepted || o.Members != 9 || o.Application.DecidedAt.IsZero() {
		t.Errorf("outcome %+v", o)
	}
	if o.Org.Status != storage.OrgMember || o.Org.MentorID != 0 || o.Org.Address != "г. Бийск, ул. Ленина, 1" {
		t.Errorf("organisation %+v", o.Org)
	}
	if o.FormerMentorID != e.mentor.ID {
		t.Errorf("former mentor %d, want %d", o.FormerMentorID, e.mentor.ID)
	}
	c := o.Certificate
	if c == nil || c.Number != 1 || c.Year != start.Year() || c.Label() != fmt.Sprintf("1/%d", start.Year()) ||
		c.ChairName != "Андреева Ольга" || c.SecretaryName != "Секретарёва Светлана" || c.OrgName != "СОШ № 7" ||
		c.Kind != storage.KindMember || c.OrgAddress != "г. Бийск, ул. Ленина, 1" {
		t.Fatalf("certificate %+v", c)
	}
	if again := e.claim(t); len(again) != 0 {
		t.Errorf("claimed again: %v", again)
	}
	// The journal entered it as an outgoing document, with the issue.
	je, err := e.s.JournalEntryBySource(ctx, storage.JournalCertificate, c.ID)
	if err != nil || je.Direction != storage.JournalOut || je.Correspondent != "СОШ № 7" || je.Number == "" ||
		je.Subject != fmt.Sprintf("Свидетельство о членстве в ассоциации № 1/%d", start.Year()) {
		t.Errorf("journal entry of the certificate = %+v, %v", je, err)
	}
	got, err := e.s.CertificateOf(ctx, e.cand.ID)
	if err != nil || got.ID != c.ID {
		t.Errorf("CertificateOf = %+v, %v", got, err)
	}
	_, err = e.s.CertificateOf(ctx, e.mentor.ID)
	wantErr(t, "CertificateOf none", err, storage.ErrNotFound)

	// The next certificate takes the next number.
	other, err := e.s.CreateOrganisation(ctx, 0, storage.Organisation{Name: "Лицей № 2", Status: storage.OrgFormer})
	if err != nil {
		t.Fatal(err)
	}
	b := e.complete(t, other.ID, storage.KindCandidate)
	e.decide(t, b.ID, 9)
	out = e.claim(t)
	if len(out) != 1 || out[0].Certificate == nil || out[0].Certificate.Number != 2 || out[0].Org.Status != storage.OrgCandidate {
		t.Fatalf("second outcome %+v", out)
	}
	list, err := e.s.ListCertificates(ctx)
	if err != nil || len(list) != 2 || list[0].Number != 2 || list[1].Number != 1 {
		t.Errorf("ListCertificates = %+v, %v", list, err)
	}
}

func TestMembershipRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMbEnv(t)
	a := e.complete(t, e.cand.ID, storage.KindMember)
	e.decide(t, a.ID, 4) // 4 of 9 present: not adopted
	out := e.claim(t)
	if len(out) != 1 || out[0].Accepted || out[0].TwoThirdsShort || out[0].Certificate != nil ||
		out[0].Application.Status != storage.ApplicationRefused {
		t.Fatalf("outcome %+v", out)
	}
	org, err := e.s.FindOrganisationByID(ctx, e.cand.ID)
	if err != nil || org.Status != storage.OrgCandidate || org.MentorID != e.mentor.ID {
		t.Errorf("organisation changed: %+v, %v", org, err)
	}
}

// TestMembershipExclusion: 9 on the list; 6 for is two thirds, 5 is not
// (though adopted by the half rule).
func TestMembershipExclusion(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		votesFor int
		accepted bool
	}{{6, true}, {5, false}} {
		t.Run(fmt.Sprint(tt.votesFor), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := newMbEnv(t)
			a, err := e.s.CreateApplication(ctx, e.chair.ID, e.mentor.ID, storage.KindExclude)
			if err != nil {
				t.Fatal(err)
			}
			a.Reason = "Не участвует в работе ассоциации"
			if _, err := e.s.UpdateApplication(ctx, e.chair.ID, a); err != nil {
				t.Fatal(err)
			}
			if _, err := e.s.SubmitApplication(ctx, e.chair.ID, a.ID); err != nil {
				t.Fatal(err)
			}
			item := e.decide(t, a.ID, tt.votesFor)
			if !item.Adopted {
				t.Fatalf("%d of 9 not adopted by the half rule", tt.votesFor)
			}
			out := e.claim(t)
			if len(out) != 1 {
				t.Fatalf("claimed %d", len(out))
			}
			o := out[0]
			if o.Accepted != tt.accepted || o.TwoThirdsShort == tt.accepted || o.Members != 9 {
				t.Errorf("outcome accepted %v, short %v, members %d", o.Accepted, o.TwoThirdsShort, o.Members)
			}
			org, err := e.s.FindOrganisationByID(ctx, e.mentor.ID)
			if err != nil {
				t.Fatal(err)
			}
			cand, err := e.s.FindOrganisationByID(ctx, e.cand.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tt.accepted {
				if org.Status != storage.OrgFormer || cand.MentorID != 0 || len(o.Mentees) != 1 || o.Mentees[0] != e.cand.ID {
					t.Errorf("excluded: %+v, mentee %+v, outcome mentees %v", org, cand, o.Mentees)
				}
			} else if org.Status != storage.OrgMember || cand.MentorID != e.mentor.ID {
				t.Errorf("not excluded, yet %+v, mentee %+v", org, cand)
			}
		})
	}
}

func TestMembershipLeave(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMbEnv(t)
	a := e.complete(t, e.cand.ID, storage.KindLeave)
	e.decide(t, a.ID, 5)
	out := e.claim(t)
	if len(out) != 1 || !out[0].Accepted || out[0].Org.Status != storage.OrgFormer || out[0].FormerMentorID != e.mentor.ID {
		t.Fatalf("outcome %+v", out)
	}
	// A former member may apply again.
	if _, err := e.s.CreateApplication(ctx, e.director.ID, e.cand.ID, storage.KindCandidate); err != nil {
		t.Errorf("reapplying: %v", err)
	}
	_, err := e.s.CreateApplication(ctx, e.chair.ID, e.cand.ID, storage.KindExclude)
	wantErr(t, "excluding a former member", err, storage.ErrConflict)
	acts, err := e.s.ListActions(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range acts {
		seen[a.Action] = true
	}
	for _, want := range []string{"membership.create", "membership.update", "membership.submit", "membership.schedule",
		"membership.decide", "organisation.status"} {
		if !seen[want] {
			t.Errorf("no %s in the action log", want)
		}
	}
}
