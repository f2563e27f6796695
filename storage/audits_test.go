package storage_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smkbot/storage"
)

// auditEnv is a member school with a lead auditor, a co-auditor and a
// quality manager, and a candidate school it mentors, on a store of its
// own.
type auditEnv struct {
	s         *storage.Store
	clock     *clock
	school    storage.Organisation
	candidate storage.Organisation
	lead      storage.Person
	co        storage.Person
	manager   storage.Person
	stranger  storage.Person // an auditor of the candidate school
}

func newAuditEnv(t *testing.T) *auditEnv {
	t.Helper()
	s, c := newStore(t)
	e := &auditEnv{s: s, clock: c}
	e.school = mustOrg(t, s, "Школа № 1")
	e.candidate = mustOrg(t, s, "Школа № 2")
	if err := s.SetMentor(context.Background(), 0, e.candidate.ID, e.school.ID); err != nil {
		t.Fatalf("SetMentor: %v", err)
	}
	e.candidate.MentorID = e.school.ID
	e.lead = mustPerson(t, s, 200, "Аудитор Ведущий", storage.RoleAuditor, e.school.ID)
	e.co = mustPerson(t, s, 201, "Аудитор Второй", storage.RoleAuditor, e.school.ID)
	e.manager = mustPerson(t, s, 202, "Менеджер Качества", storage.RoleQualityManager, e.school.ID)
	e.stranger = mustPerson(t, s, 203, "Аудитор Кандидата", storage.RoleAuditor, e.candidate.ID)
	return e
}

// audit opens an audit of the school led by e.lead with e.co.
func (e *auditEnv) audit(t *testing.T) storage.Audit {
	t.Helper()
	a, err := e.s.CreateAudit(context.Background(), e.lead.ID, storage.Audit{
		OrgID: e.school.ID, Area: "Управление персоналом", Date: day(2026, 12, 25),
		LeadID: e.lead.ID, CoAuditors: []int64{e.co.ID},
	})
	if err != nil {
		t.Fatalf("CreateAudit: %v", err)
	}
	return a
}

// finding adds a finding of the kind to the audit.
func (e *auditEnv) finding(t *testing.T, auditID int64, kind storage.FindingKind, desc string) storage.Finding {
	t.Helper()
	f, err := e.s.AddFinding(context.Background(), e.lead.ID, storage.Finding{AuditID: auditID, Kind: kind, Description: desc})
	if err != nil {
		t.Fatalf("AddFinding(%s): %v", kind, err)
	}
	return f
}

func TestCreateAudit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAuditEnv(t)

	a := e.audit(t)
	want := storage.Audit{
		ID: a.ID, Year: 2026, Number: 1, OrgID: e.school.ID, AuditorOrgID: e.school.ID,
		Area: "Управление персоналом", Date: day(2026, 12, 25), LeadID: e.lead.ID,
		CoAuditors: []int64{e.co.ID}, Status: storage.AuditOpen, CreatedAt: start,
	}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	got, err := e.s.FindAudit(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FindAudit (-want +got):\n%s", diff)
	}
	if _, err := e.s.FindAudit(ctx, a.ID+100); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("FindAudit(unknown) = %v, want ErrNotFound", err)
	}

	// The lead has one open audit at a time.
	_, err = e.s.CreateAudit(ctx, e.lead.ID, storage.Audit{OrgID: e.school.ID, Area: "Закупки",
		Date: day(2026, 12, 26), LeadID: e.lead.ID})
	if !errors.Is(err, storage.ErrConflict) {
		t.Errorf("CreateAudit(second open) = %v, want ErrConflict", err)
	}

	// Closed, the next is numbered 2 in the year; next year starts at 1.
	if err := e.s.CloseAudit(ctx, e.lead.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	second, err := e.s.CreateAudit(ctx, e.lead.ID, storage.Audit{OrgID: e.school.ID, Area: " Закупки ",
		Date: day(2026, 12, 28), LeadID: e.lead.ID})
	if err != nil {
		t.Fatal(err)
	}
	if second.Number != 2 || second.Year != 2026 || second.Area != "Закупки" || len(second.CoAuditors) != 0 {
		t.Errorf("second audit = %+v, want 2026-2 of «Закупки» without co-auditors", second)
	}
	if err := e.s.CloseAudit(ctx, e.lead.ID, second.ID); err != nil {
		t.Fatal(err)
	}
	third, err := e.s.CreateAudit(ctx, e.co.ID, storage.Audit{OrgID: e.school.ID, Area: "Закупки",
		Date: day(2027, 1, 12), LeadID: e.co.ID})
	if err != nil {
		t.Fatal(err)
	}
	if third.Number != 1 || third.Year != 2027 {
		t.Errorf("third audit = %d-%d, want 2027-1", third.Year, third.Number)
	}

	// The mentor's auditors audit the candidate; numbered in the candidate's sequence.
	mentored, err := e.s.CreateAudit(ctx, e.lead.ID, storage.Audit{OrgID: e.candidate.ID,
		AuditorOrgID: e.school.ID, Area: "Образовательный процесс", Date: day(2026, 12, 29), LeadID: e.lead.ID})
	if err != nil {
		t.Fatalf("CreateAudit(mentored): %v", err)
	}
	if mentored.Number != 1 || mentored.AuditorOrgID != e.school.ID || mentored.OrgID != e.candidate.ID {
		t.Errorf("mentored audit = %+v, want 2026-1 of the candidate by the school", mentored)
	}

	for _, tt := range []struct {
		name string
		a    storage.Audit
		err  error
	}{
		{"empty area", storage.Audit{OrgID: e.school.ID, Area: " ", Date: day(2026, 12, 25), LeadID: e.manager.ID}, storage.ErrInvalid},
		{"no date", storage.Audit{OrgID: e.school.ID, Area: "А", LeadID: e.manager.ID}, storage.ErrInvalid},
		{"no lead", storage.Audit{OrgID: e.school.ID, Area: "А", Date: day(2026, 12, 25)}, storage.ErrInvalid},
		{"co-auditor twice", storage.Audit{OrgID: e.school.ID, Area: "А", Date: day(2026, 12, 25), LeadID: e.manager.ID,
			CoAuditors: []int64{e.co.ID, e.co.ID}}, storage.ErrInvalid},
		{"lead as co-auditor", storage.Audit{OrgID: e.school.ID, Area: "А", Date: day(2026, 12, 25), LeadID: e.manager.ID,
			CoAuditors: []int64{e.manager.ID}}, storage.ErrInvalid},
		{"candidate audits its mentor", storage.Audit{OrgID: e.school.ID, AuditorOrgID: e.candidate.ID, Area: "А",
			Date: day(2026, 12, 25), LeadID: e.stranger.ID}, storage.ErrInvalid},
		{"lead of another school", storage.Audit{OrgID: e.school.ID, Area: "А", Date: day(2026, 12, 25),
			LeadID: e.stranger.ID}, storage.ErrInvalid},
		{"unknown organisation", storage.Audit{OrgID: e.candidate.ID + 100, Area: "А", Date: day(2026, 12, 25),
			LeadID: e.manager.ID}, storage.ErrNotFound},
	} {
		if _, err := e.s.CreateAudit(ctx, e.manager.ID, tt.a); !errors.Is(err, tt.err) {
			t.Errorf("CreateAudit(%s) = %v, want %v", tt.name, err, tt.err)
		}
	}

	var got2 []actionLine
	for _, l := range actions(t, e.s) {
		if l.Object == "audit" {
			got2 = append(got2, l)
		}
	}
	wantLog := []actionLine{
		{e.lead.ID, "audit.create", "audit", a.ID},
		{e.lead.ID, "audit.close", "audit", a.ID},
		{e.lead.ID, "audit.create", "audit", second.ID},
		{e.lead.ID, "audit.close", "audit", second.ID},
		{e.co.ID, "audit.create", "audit", third.ID},
		{e.lead.ID, "audit.create", "audit", mentored.ID},
	}
	if diff := cmp.Diff(wantLog, got2); diff != "" {
		t.Errorf("action log (-want +got):\n%s", diff)
	}
}

func TestCreateAuditNumbersConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAuditEnv(t)
	var people []storage.Person
	for i := range 8 {
		people = append(people, mustPerson(t, e.s, int64(300+i), "Аудитор", storage.RoleAuditor, e.school.ID))
	}
	numbers := make([]int, len(people))
	var wg sync.WaitGroup
	for i, p := range people {
		wg.Go(func() {
			a, err := e.s.CreateAudit(ctx, p.ID, storage.Audit{OrgID: e.school.ID, Area: "Процесс",
				Date: day(2026, 12, 25), LeadID: p.ID})
			if err != nil {
				t.Errorf("CreateAudit: %v", err)
				return
			}
			numbers[i] = a.Number
		})
	}
	wg.Wait()
	slices.Sort(numbers)
	if diff := cmp.Diff([]int{1, 2, 3, 4, 5, 6, 7, 8}, numbers); diff != "" {
		t.Errorf("numbers (-want +got):\n%s", diff)
	}
}

func TestOpenAuditOfAndCloseAudit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAuditEnv(t)

	if _, err := e.s.OpenAuditOf(ctx, e.lead.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("OpenAuditOf(before) = %v, want ErrNotFound", err)
	}
	a := e.audit(t)
	for _, p := range []storage.Person{e.lead, e.co} {
		got, err := e.s.OpenAuditOf(ctx, p.ID)
		if err != nil || got.ID != a.ID {
			t.Errorf("OpenAuditOf(%d) = %d, %v; want audit %d", p.ID, got.ID, err, a.ID)
		}
	}
	if _, err := e.s.OpenAuditOf(ctx, e.manager.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("OpenAuditOf(not an auditor of it) = %v, want ErrNotFound", err)
	}

	e.clock.Add(3 * 60 * 60 * 1e9)
	if err := e.s.CloseAudit(ctx, e.co.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	got, err := e.s.FindAudit(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != storage.AuditClosed || !got.ClosedAt.Equal(e.clock.Now()) {
		t.Errorf("closed audit = %s at %v, want closed at %v", got.Status, got.ClosedAt, e.clock.Now())
	}
	if _, err := e.s.OpenAuditOf(ctx, e.lead.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("OpenAuditOf(after close) = %v, want ErrNotFound", err)
	}
	if err := e.s.CloseAudit(ctx, e.co.ID, a.ID); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("CloseAudit(closed) = %v, want ErrConflict", err)
	}
	if err := e.s.CloseAudit(ctx, e.co.ID, a.ID+100); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("CloseAudit(unknown) = %v, want ErrNotFound", err)
	}
}

func TestAuditAreas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAuditEnv(t)

	var added []storage.AuditArea
	for _, name := range []string{" Управление персоналом ", "Закупки", "Воспитательная работа"} {
		a, err := e.s.AddAuditArea(ctx, e.manager.ID, e.school.ID, name)
		if err != nil {
			t.Fatalf("AddAuditArea(%q): %v", name, err)
		}
		added = append(added, a)
	}
	got, err := e.s.ListAuditAreas(ctx, e.school.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []storage.AuditArea{
		{ID: added[2].ID, OrgID: e.school.ID, Name: "Воспитательная работа"},
		{ID: added[1].ID, OrgID: e.school.ID, Name: "Закупки"},
		{ID: added[0].ID, OrgID: e.school.ID, Name: "Управление персоналом"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("areas (-want +got):\n%s", diff)
	}
	if other, err := e.s.ListAuditAreas(ctx, e.candidate.ID); err != nil || len(other) != 0 {
		t.Errorf("ListAuditAreas(candidate) = %v, %v; want none", other, err)
	}
	// Another school may have the same name.
	if _, err := e.s.AddAuditArea(ctx, 0, e.candidate.ID, "Закупки"); err != nil {
		t.Errorf("AddAuditArea(candidate) = %v", err)
	}
	for _, tt := range []struct {
		name string
		org  int64
		area string
		err  error
	}{
		{"taken in another case", e.school.ID, "ЗАКУПКИ", storage.ErrConflict},
		{"empty", e.school.ID, "  ", storage.ErrInvalid},
		{"unknown organisation", e.candidate.ID + 100, "Закупки", storage.ErrNotFound},
	} {
		if _, err := e.s.AddAuditArea(ctx, e.manager.ID, tt.org, tt.area); !errors.Is(err, tt.err) {
			t.Errorf("AddAuditArea(%s) = %v, want %v", tt.name, err, tt.err)
		}
	}
}

func TestFindingNumbering(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAuditEnv(t)
	a := e.audit(t)

	f, err := e.s.AddFinding(ctx, e.co.ID, storage.Finding{AuditID: a.ID, Kind: storage.FindingMajor,
		Requirement: " ГОСТ Р ИСО 9001-2015 п. 7.1.4 ", Description: "Нет графика проветривания", Place: "Кабинет 12"})
	if err != nil {
		t.Fatal(err)
	}
	want := storage.Finding{ID: f.ID, AuditID: a.ID, Kind: storage.FindingMajor, Seq: 1,
		Requirement: "ГОСТ Р ИСО 9001-2015 п. 7.1.4", Description: "Нет графика проветривания", Place: "Кабинет 12",
		Status: storage.FindingOpen, CreatedBy: e.co.ID, CreatedAt: start, UpdatedAt: start}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("finding (-want +got):\n%s", diff)
	}
	obs1 := e.finding(t, a.ID, storage.FindingObservation, "н1")
	minor := e.finding(t, a.ID, storage.FindingMinor, "н2")
	imp1 := e.finding(t, a.ID, storage.FindingImprovement, "у1")
	obs2 := e.finding(t, a.ID, storage.FindingObservation, "н2")
	for _, x := range []struct {
		f   storage.Finding
		seq int
	}{{minor, 2}, {obs1, 1}, {obs2, 2}, {imp1, 1}} {
		if x.f.Seq != x.seq {
			t.Errorf("%s %q numbered %d, want %d", x.f.Kind, x.f.Description, x.f.Seq, x.seq)
		}
	}

	list, err := e.s.ListFindings(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(fs []storage.Finding) []int64 {
		var out []int64
		for _, f := range fs {
			out = append(out, f.ID)
		}
		return out
	}
	if diff := cmp.Diff([]int64{f.ID, minor.ID, obs1.ID, obs2.ID, imp1.ID}, ids(list)); diff != "" {
		t.Errorf("ListFindings order (-want +got):\n%s", diff)
	}

	// Deleted: gone from the list, its number not given again.
	e.clock.Add(60 * 1e9)
	if err := e.s.DeleteFinding(ctx, e.lead.ID, minor.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.FindFinding(ctx, minor.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("FindFinding(deleted) = %v, want ErrNotFound", err)
	}
	if again := e.finding(t, a.ID, storage.FindingMajor, "н3"); again.Seq != 3 {
		t.Errorf("after deleting Н-2 the next is %d, want 3", again.Seq)
	}

	// Edited within the class it keeps its number; into another it takes the next there.
	e.clock.Add(60 * 1e9)
	edited := f
	edited.Kind, edited.Description, edited.Place = storage.FindingMinor, "График есть, не соблюдается", ""
	got, err := e.s.UpdateFinding(ctx, e.lead.ID, edited)
	if err != nil {
		t.Fatal(err)
	}
	edited.UpdatedAt = e.clock.Now()
	if diff := cmp.Diff(edited, got); diff != "" {
		t.Errorf("UpdateFinding (-want +got):\n%s", diff)
	}
	moved := obs2
	moved.Kind = storage.FindingImprovement
	if got, err := e.s.UpdateFinding(ctx, e.lead.ID, moved); err != nil || got.Seq != 2 || got.Kind != storage.FindingImprovement {
		t.Errorf("UpdateFinding(observation → improvement) = %+v, %v; want improvement 2", got, err)
	}
	if got, err := e.s.FindFinding(ctx, f.ID); err != nil || got.Description != "График есть, не соблюдается" {
		t.Errorf("FindFinding = %+v, %v", got, err)
	}

	for _, tt := range []struct {
		name string
		err  error
		do   func() error
	}{
		{"add of unknown kind", storage.ErrInvalid, func() error {
			_, err := e.s.AddFinding(ctx, e.lead.ID, storage.Finding{AuditID: a.ID, Kind: "severe"})
			return err
		}},
		{"add to unknown audit", storage.ErrNotFound, func() error {
			_, err := e.s.AddFinding(ctx, e.lead.ID, storage.Finding{AuditID: a.ID + 100, Kind: storage.FindingMinor})
			return err
		}},
		{"update to unknown kind", storage.ErrInvalid, func() error {
			x := f
			x.Kind = ""
			_, err := e.s.UpdateFinding(ctx, e.lead.ID, x)
			return err
		}},
		{"update of deleted", storage.ErrNotFound, func() error {
			_, err := e.s.UpdateFinding(ctx, e.lead.ID, minor)
			return err
		}},
		{"delete of deleted", storage.ErrNotFound, func() error { return e.s.DeleteFinding(ctx, e.lead.ID, minor.ID) }},
		{"list of unknown audit", storage.ErrNotFound, func() error {
			_, err := e.s.ListFindings(ctx, a.ID+100)
			return err
		}},
	} {
		if err := tt.do(); !errors.Is(err, tt.err) {
			t.Errorf("%s = %v, want %v", tt.name, err, tt.err)
		}
	}

	var log []actionLine
	for _, l := range actions(t, e.s) {
		if l.Object == "finding" {
			log = append(log, l)
		}
	}
	if len(log) != 9 || log[0] != (actionLine{e.co.ID, "finding.add", "finding", f.ID}) ||
		log[5] != (actionLine{e.lead.ID, "finding.delete", "finding", minor.ID}) ||
		log[7] != (actionLine{e.lead.ID, "finding.update", "finding", f.ID}) {
		t.Errorf("finding log = %v; want 6 adds, a delete and 2 updates", log)
	}
}

func TestFindingDeleteRefusedAfterClose(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAuditEnv(t)
	a := e.audit(t)
	f := e.finding(t, a.ID, storage.FindingMinor, "Журнал не заполнен")
	att, err := e.s.SaveAttachment(ctx, []byte("jpeg"), "", "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.s.CloseAudit(ctx, e.lead.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		do   func() error
	}{
		{"delete", func() error { return e.s.DeleteFinding(ctx, e.lead.ID, f.ID) }},
		{"update", func() error {
			x := f
			x.Description = "иначе"
			_, err := e.s.UpdateFinding(ctx, e.lead.ID, x)
			return err
		}},
		{"add", func() error {
			_, err := e.s.AddFinding(ctx, e.lead.ID, storage.Finding{AuditID: a.ID, Kind: storage.FindingMinor})
			return err
		}},
		{"attach", func() error { return e.s.AttachToFinding(ctx, e.lead.ID, f.ID, att.ID, storage.AttachPhoto, 0) }},
	} {
		if err := tt.do(); !errors.Is(err, storage.ErrConflict) {
			t.Errorf("%s after close = %v, want ErrConflict", tt.name, err)
		}
	}
	list, err := e.s.ListFindings(ctx, a.ID)
	if err != nil || len(list) != 1 || list[0].Description != "Журнал не заполнен" {
		t.Errorf("ListFindings after refused changes = %+v, %v; want the finding unchanged", list, err)
	}
}

func TestFindingSeqConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAuditEnv(t)
	a := e.audit(t)

	kinds := storage.FindingKinds()
	const n = 24
	got := make([]storage.Finding, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			f, err := e.s.AddFinding(ctx, e.lead.ID, storage.Finding{AuditID: a.ID, Kind: kinds[i%len(kinds)]})
			if err != nil {
				t.Errorf("AddFinding: %v", err)
				return
			}
			got[i] = f
		})
	}
	wg.Wait()
	seqs := map[storage.FindingClass][]int{}
	for _, f := range got {
		seqs[f.Kind.Class()] = append(seqs[f.Kind.Class()], f.Seq)
	}
	for class, list := range seqs {
		slices.Sort(list)
		seqs[class] = list
	}
	upTo := func(k int) []int {
		var out []int
		for i := 1; i <= k; i++ {
			out = append(out, i)
		}
		return out
	}
	want := map[storage.FindingClass][]int{
		storage.ClassNonconformity: upTo(12), storage.ClassObservation: upTo(6), storage.ClassImprovement: upTo(6),
	}
	if diff := cmp.Diff(want, seqs); diff != "" {
		t.Errorf("numbers per class (-want +got):\n%s", diff)
	}
}

func TestAttachments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAuditEnv(t)
	a := e.audit(t)
	f := e.finding(t, a.ID, storage.FindingMajor, "Огнетушитель просрочен")

	photo := bytes.Repeat([]byte{0xff, 0xd8, 1}, 1000)
	p1, err := e.s.SaveAttachment(ctx, photo, "", "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(photo)
	want := storage.Attachment{ID: p1.ID, SHA256: sum[:], Size: len(photo), MIME: "image/jpeg"}
	if diff := cmp.Diff(want, p1); diff != "" {
		t.Errorf("SaveAttachment (-want +got):\n%s", diff)
	}
	// The same bytes again: the same record, its first name kept.
	again, err := e.s.SaveAttachment(ctx, slices.Clone(photo), "photo.jpg", "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p1, again); diff != "" {
		t.Errorf("SaveAttachment(same bytes) (-want +got):\n%s", diff)
	}
	p2, err := e.s.SaveAttachment(ctx, []byte("second photo"), "", "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := e.s.SaveAttachment(ctx, []byte("%PDF-1.7"), "акт.pdf", "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	if p2.ID == p1.ID || doc.ID == p1.ID {
		t.Errorf("different bytes share a record: %d, %d, %d", p1.ID, p2.ID, doc.ID)
	}

	// An album arrives in any order; positions put it right.
	for _, x := range []struct {
		id   int64
		kind storage.AttachmentKind
		pos  int
	}{{p2.ID, storage.AttachPhoto, 2}, {doc.ID, storage.AttachDocument, 3}, {p1.ID, storage.AttachPhoto, 1}, {p1.ID, storage.AttachPhoto, 5}} {
		if err := e.s.AttachToFinding(ctx, e.lead.ID, f.ID, x.id, x.kind, x.pos); err != nil {
			t.Fatalf("AttachToFinding(%d): %v", x.id, err)
		}
	}
	list, err := e.s.FindingAttachments(ctx, f.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	wantList := []storage.FindingAttachment{
		{Attachment: p1, FindingID: f.ID, Kind: storage.AttachPhoto, Position: 1},
		{Attachment: p2, FindingID: f.ID, Kind: storage.AttachPhoto, Position: 2},
		{Attachment: doc, FindingID: f.ID, Kind: storage.AttachDocument, Position: 3},
	}
	if diff := cmp.Diff(wantList, list); diff != "" {
		t.Errorf("FindingAttachments (-want +got):\n%s", diff)
	}
	withData, err := e.s.FindingAttachments(ctx, f.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	wantList[0].Data, wantList[1].Data, wantList[2].Data = photo, []byte("second photo"), []byte("%PDF-1.7")
	if diff := cmp.Diff(wantList, withData); diff != "" {
		t.Errorf("FindingAttachments(with data) (-want +got):\n%s", diff)
	}

	attaches := 0
	for _, l := range actions(t, e.s) {
		if l.Action == "finding.attach" {
			attaches++
		}
	}
	if attaches != 3 {
		t.Errorf("%d attach actions logged, want 3 (attaching again changes nothing)", attaches)
	}

	for _, tt := range []struct {
		name string
		err  error
		do   func() error
	}{
		{"save of 20 MB and a byte", storage.ErrInvalid, func() error {
			_, err := e.s.SaveAttachment(ctx, make([]byte, storage.MaxAttachmentSize+1), "big.jpg", "image/jpeg")
			return err
		}},
		{"save of nothing", storage.ErrInvalid, func() error {
			_, err := e.s.SaveAttachment(ctx, nil, "", "image/jpeg")
			return err
		}},
		{"save without a type", storage.ErrInvalid, func() error {
			_, err := e.s.SaveAttachment(ctx, []byte("x"), "", " ")
			return err
		}},
		{"attach of unknown kind", storage.ErrInvalid, func() error {
			return e.s.AttachToFinding(ctx, e.lead.ID, f.ID, p1.ID, "video", 0)
		}},
		{"attach of unknown attachment", storage.ErrNotFound, func() error {
			return e.s.AttachToFinding(ctx, e.lead.ID, f.ID, doc.ID+100, storage.AttachPhoto, 0)
		}},
		{"attach to unknown finding", storage.ErrNotFound, func() error {
			return e.s.AttachToFinding(ctx, e.lead.ID, f.ID+100, p1.ID, storage.AttachPhoto, 0)
		}},
		{"attachments of unknown finding", storage.ErrNotFound, func() error {
			_, err := e.s.FindingAttachments(ctx, f.ID+100, false)
			return err
		}},
	} {
		if err := tt.do(); !errors.Is(err, tt.err) {
			t.Errorf("%s = %v, want %v", tt.name, err, tt.err)
		}
	}
	// Exactly 20 MB is kept.
	if big, err := e.s.SaveAttachment(ctx, make([]byte, storage.MaxAttachmentSize), "", "image/jpeg"); err != nil || big.Size != storage.MaxAttachmentSize {
		t.Errorf("SaveAttachment(20 MB) = %+v, %v", big.Size, err)
	}
}

// correctiveTask creates a task of the organisation's programme for a
// corrective action, assigned to the person.
func correctiveTask(t *testing.T, s *storage.Store, orgID, managerID, assigneeID int64) storage.Task {
	t.Helper()
	ctx := context.Background()
	p, dirs, err := s.EnsureProgramme(ctx, managerID, orgID, "2026/2027")
	if err != nil {
		t.Fatalf("EnsureProgramme: %v", err)
	}
	task, err := s.CreateTask(ctx, managerID, storage.Task{ProgrammeID: p.ID, DirectionID: dirs[3].ID,
		Title: "Корректирующее действие", Due: day(2027, 1, 15)},
		[]storage.Assignment{{PersonID: assigneeID, Status: storage.TaskAssigned}})
	if err != nil {
		t.Fatalf("CreateTask: %v", err)
	}
	return task
}

func TestCorrectiveActionVerification(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAuditEnv(t)
	a := e.audit(t)
	major := e.finding(t, a.ID, storage.FindingMajor, "Огнетушитель просрочен")
	minor := e.finding(t, a.ID, storage.FindingMinor, "Журнал не заполнен")
	obs := e.finding(t, a.ID, storage.FindingObservation, "Стенд устарел")
	deleted := e.finding(t, a.ID, storage.FindingMinor, "Ошибка")
	if err := e.s.DeleteFinding(ctx, e.lead.ID, deleted.ID); err != nil {
		t.Fatal(err)
	}

	if _, _, err := e.s.OpenFindingsOf(ctx, e.school.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("OpenFindingsOf(no closed audit) = %v, want ErrNotFound", err)
	}
	if err := e.s.CloseAudit(ctx, e.lead.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	task := correctiveTask(t, e.s, e.school.ID, e.manager.ID, e.manager.ID)

	e.clock.Add(24 * 60 * 60 * 1e9)
	c, err := e.s.SetCorrectiveAction(ctx, e.manager.ID, major.ID, task.ID, " Не назначен ответственный ")
	if err != nil {
		t.Fatal(err)
	}
	wantC := storage.CorrectiveAction{FindingID: major.ID, TaskID: task.ID, Cause: "Не назначен ответственный",
		CreatedBy: e.manager.ID, CreatedAt: e.clock.Now()}
	if diff := cmp.Diff(wantC, c); diff != "" {
		t.Errorf("SetCorrectiveAction (-want +got):\n%s", diff)
	}
	if f, err := e.s.FindFinding(ctx, major.ID); err != nil || f.Status != storage.FindingAction {
		t.Errorf("finding after action = %s, %v; want action", f.Status, err)
	}
	if _, err := e.s.VerifyAction(ctx, e.lead.ID, minor.ID, true, ""); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("VerifyAction(no action) = %v, want ErrConflict", err)
	}

	// Not before the task is reported done: then the auditors are asked once.
	if _, err := e.s.VerifyAction(ctx, e.lead.ID, major.ID, false, ""); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("VerifyAction(not reported) = %v, want ErrConflict", err)
	}
	claim := func(want ...int64) {
		t.Helper()
		vs, err := e.s.ClaimVerifications(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, v := range vs {
			got = append(got, v.ID)
			if v.TaskID != task.ID || v.TaskTitle != task.Title || v.LeadID != e.lead.ID || v.AuditNumber != a.Number {
				t.Errorf("verification = %+v", v)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("ClaimVerifications = %v, want %v", got, want)
		}
	}
	claim()
	report := func() {
		t.Helper()
		r, err := e.s.DraftReport(ctx, task.ID, e.manager.ID)
		if err != nil {
			t.Fatal(err)
		}
		r.Comment = "Сделано"
		if err := e.s.UpdateReport(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := e.s.SubmitReport(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Add(60 * 1e9)
	report()
	claim(major.ID)
	claim()

	// Not effective: reopened, with the comment; it cannot be verified again until reported again.
	e.clock.Add(24 * 60 * 60 * 1e9)
	f, err := e.s.VerifyAction(ctx, e.lead.ID, major.ID, false, " Огнетушитель не заменён ")
	if err != nil {
		t.Fatal(err)
	}
	if f.Status != storage.FindingReopened || !f.UpdatedAt.Equal(e.clock.Now()) {
		t.Errorf("finding after not effective = %s at %v, want reopened now", f.Status, f.UpdatedAt)
	}
	no := false
	wantC.VerifiedBy, wantC.VerifiedAt, wantC.Effective, wantC.Comment = e.lead.ID, e.clock.Now(), &no, "Огнетушитель не заменён"
	if got, err := e.s.FindCorrectiveAction(ctx, major.ID); err != nil {
		t.Fatal(err)
	} else if diff := cmp.Diff(wantC, got); diff != "" {
		t.Errorf("corrective action after not effective (-want +got):\n%s", diff)
	}
	if _, err := e.s.VerifyAction(ctx, e.lead.ID, major.ID, true, ""); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("VerifyAction(reopened) = %v, want ErrConflict", err)
	}
	claim()
	_, as, err := e.s.FindTask(ctx, task.ID)
	if err != nil {
		t.Fatal(err)
	}
	as[0].Status, as[0].Comment = storage.TaskReturned, "Не эффективно"
	if err := e.s.SetAssignment(ctx, e.lead.ID, as[0]); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(60 * 1e9)
	report()
	claim(major.ID)
	if f, err := e.s.FindFinding(ctx, major.ID); err != nil || f.Status != storage.FindingAction {
		t.Errorf("finding reported again = %s, %v; want action", f.Status, err)
	}
	if f, err := e.s.VerifyAction(ctx, e.lead.ID, major.ID, false, "Опять"); err != nil || f.Status != storage.FindingReopened {
		t.Errorf("VerifyAction(not effective again) = %s, %v", f.Status, err)
	}

	// The open findings of the last closed audit: all but the deleted.
	gotAudit, open, err := e.s.OpenFindingsOf(ctx, e.school.ID)
	if err != nil {
		t.Fatal(err)
	}
	var openIDs []int64
	for _, f := range open {
		openIDs = append(openIDs, f.ID)
	}
	if gotAudit.ID != a.ID || !slices.Equal(openIDs, []int64{major.ID, minor.ID, obs.ID}) {
		t.Errorf("OpenFindingsOf = audit %d, %v; want audit %d, %v", gotAudit.ID, openIDs, a.ID, []int64{major.ID, minor.ID, obs.ID})
	}

	// A new action, verified effective: closed, and off the open list.
	e.clock.Add(24 * 60 * 60 * 1e9)
	c, err = e.s.SetCorrectiveAction(ctx, e.manager.ID, major.ID, task.ID, "Причина уточнена")
	if err != nil {
		t.Fatal(err)
	}
	if c.Effective != nil || c.Comment != "" || !c.VerifiedAt.IsZero() || c.Cause != "Причина уточнена" {
		t.Errorf("re-assigned action = %+v, want the new cause and no verification", c)
	}
	// The task stays reported: the new action is asked about at once.
	claim(major.ID)
	if f, err = e.s.VerifyAction(ctx, e.co.ID, major.ID, true, ""); err != nil || f.Status != storage.FindingClosed {
		t.Errorf("VerifyAction(effective) = %s, %v; want closed", f.Status, err)
	}
	if c, err = e.s.FindCorrectiveAction(ctx, major.ID); err != nil || c.Effective == nil || !*c.Effective || c.VerifiedBy != e.co.ID {
		t.Errorf("corrective action after effective = %+v, %v", c, err)
	}
	if _, open, err = e.s.OpenFindingsOf(ctx, e.school.ID); err != nil || len(open) != 2 {
		t.Errorf("OpenFindingsOf after closing one = %d findings, %v; want 2", len(open), err)
	}

	other := correctiveTask(t, e.s, e.candidate.ID, 0, e.stranger.ID)
	for _, tt := range []struct {
		name string
		err  error
		do   func() error
	}{
		{"action on a closed finding", storage.ErrConflict, func() error {
			_, err := e.s.SetCorrectiveAction(ctx, e.manager.ID, major.ID, task.ID, "")
			return err
		}},
		{"action by a task of another school", storage.ErrInvalid, func() error {
			_, err := e.s.SetCorrectiveAction(ctx, e.manager.ID, minor.ID, other.ID, "")
			return err
		}},
		{"action by an unknown task", storage.ErrNotFound, func() error {
			_, err := e.s.SetCorrectiveAction(ctx, e.manager.ID, minor.ID, other.ID+100, "")
			return err
		}},
		{"action on a deleted finding", storage.ErrNotFound, func() error {
			_, err := e.s.SetCorrectiveAction(ctx, e.manager.ID, deleted.ID, task.ID, "")
			return err
		}},
		{"verify an unknown finding", storage.ErrNotFound, func() error {
			_, err := e.s.VerifyAction(ctx, e.lead.ID, deleted.ID+100, true, "")
			return err
		}},
		{"corrective action of a finding without one", storage.ErrNotFound, func() error {
			_, err := e.s.FindCorrectiveAction(ctx, minor.ID)
			return err
		}},
	} {
		if err := tt.do(); !errors.Is(err, tt.err) {
			t.Errorf("%s = %v, want %v", tt.name, err, tt.err)
		}
	}

	var log []string
	for _, l := range actions(t, e.s) {
		if l.Object == "finding" && l.ObjectID == major.ID {
			log = append(log, l.Action)
		}
	}
	wantLog := []string{"finding.add", "finding.action", "finding.verify", "finding.verify", "finding.action", "finding.verify"}
	if diff := cmp.Diff(wantLog, log); diff != "" {
		t.Errorf("log of the finding (-want +got):\n%s", diff)
	}
}

func TestFindingsByProcess(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAuditEnv(t)

	a := e.audit(t) // Управление персоналом
	e.finding(t, a.ID, storage.FindingMajor, "1")
	e.finding(t, a.ID, storage.FindingMinor, "2")
	e.finding(t, a.ID, storage.FindingMinor, "3")
	gone := e.finding(t, a.ID, storage.FindingMinor, "удалено")
	if err := e.s.DeleteFinding(ctx, e.lead.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.s.CloseAudit(ctx, e.lead.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	b, err := e.s.CreateAudit(ctx, e.lead.ID, storage.Audit{OrgID: e.candidate.ID, AuditorOrgID: e.school.ID,
		Area: "управление персоналом", Date: day(2026, 12, 26), LeadID: e.lead.ID})
	if err != nil {
		t.Fatal(err)
	}
	e.finding(t, b.ID, storage.FindingObservation, "4")
	c, err := e.s.CreateAudit(ctx, e.co.ID, storage.Audit{OrgID: e.candidate.ID, AuditorOrgID: e.school.ID,
		Area: "Закупки", Date: day(2026, 12, 26), LeadID: e.co.ID})
	if err != nil {
		t.Fatal(err)
	}
	e.finding(t, c.ID, storage.FindingImprovement, "5")
	e.finding(t, c.ID, storage.FindingMajor, "6")

	got, err := e.s.FindingsByProcess(ctx, []int64{e.school.ID, e.candidate.ID})
	if err != nil {
		t.Fatal(err)
	}
	want := []storage.ProcessCount{
		{Area: "Закупки", Kind: storage.FindingMajor, Count: 1},
		{Area: "Закупки", Kind: storage.FindingImprovement, Count: 1},
		{Area: "Управление персоналом", Kind: storage.FindingMajor, Count: 1},
		{Area: "Управление персоналом", Kind: storage.FindingMinor, Count: 2},
		{Area: "Управление персоналом", Kind: storage.FindingObservation, Count: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FindingsByProcess (-want +got):\n%s", diff)
	}
	if got, err := e.s.FindingsByProcess(ctx, []int64{e.candidate.ID}); err != nil || len(got) != 3 {
		t.Errorf("FindingsByProcess(candidate) = %v, %v; want 3 rows", got, err)
	}
	if got, err := e.s.FindingsByProcess(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("FindingsByProcess(none) = %v, %v; want none", got, err)
	}
}
