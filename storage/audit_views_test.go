package storage_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"smkbot/storage"
)

func TestCreateLinkedTaskAndViews(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAuditEnv(t)
	a := e.audit(t)
	major := e.finding(t, a.ID, storage.FindingMajor, "Огнетушитель просрочен")
	minor := e.finding(t, a.ID, storage.FindingMinor, "Журнал не заполнен")
	obs := e.finding(t, a.ID, storage.FindingObservation, "Стенд устарел")

	// Findings of an audit still open are not on the views yet.
	if vs, err := e.s.OpenFindings(ctx, []int64{e.school.ID}); err != nil || len(vs) != 0 {
		t.Fatalf("OpenFindings(audit open) = %v, %v; want none", vs, err)
	}
	if err := e.s.CloseAudit(ctx, e.lead.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	p, dirs, err := e.s.EnsureProgramme(ctx, e.manager.ID, e.school.ID, "2026/2027")
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 7)
	task := storage.Task{ProgrammeID: p.ID, DirectionID: dirs[0].ID, Title: "Заменить огнетушитель", Due: due}
	as := []storage.Assignment{{PersonID: e.co.ID, Status: storage.TaskAssigned}}

	// A link to a finding of another school's audit is refused, and no task is left behind.
	before, err := e.s.ListTasks(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.CreateLinkedTask(ctx, e.manager.ID, task, as, storage.TaskLink{FindingID: major.ID + 1000}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("CreateLinkedTask(unknown finding) = %v, want ErrNotFound", err)
	}
	if after, _ := e.s.ListTasks(ctx, p.ID); len(after) != len(before) {
		t.Errorf("a failed link left a task: %d tasks, want %d", len(after), len(before))
	}

	got, err := e.s.CreateLinkedTask(ctx, e.manager.ID, task, as, storage.TaskLink{FindingID: major.ID, Cause: " Нет графика проверок "})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.s.FindCorrectiveAction(ctx, major.ID)
	if err != nil || c.TaskID != got.ID || c.Cause != "Нет графика проверок" {
		t.Errorf("corrective action = %+v, %v", c, err)
	}

	vs, err := e.s.OpenFindings(ctx, []int64{e.school.ID, e.candidate.ID})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, v := range vs {
		ids = append(ids, v.ID)
	}
	if !slices.Equal(ids, []int64{major.ID, minor.ID, obs.ID}) {
		t.Errorf("OpenFindings = %v, want %v", ids, []int64{major.ID, minor.ID, obs.ID})
	}
	if v := vs[0]; v.TaskID != got.ID || !v.Due.Equal(due) || v.Status != storage.FindingAction || v.Area != a.Area || v.AuditNumber != a.Number || v.OrgID != e.school.ID {
		t.Errorf("view of the major finding = %+v", v)
	}
	if v, err := e.s.FindFindingView(ctx, minor.ID); err != nil || v.TaskID != 0 || !v.Due.IsZero() {
		t.Errorf("FindFindingView(no action) = %+v, %v", v, err)
	}

	// Overdue only after the whole due day has passed, and not once reported.
	for _, tt := range []struct {
		at   time.Time
		want int
	}{
		{due.Add(23 * time.Hour), 0},
		{due.Add(24 * time.Hour), 1},
	} {
		vs, err := e.s.OverdueActions(ctx, []int64{e.school.ID}, tt.at)
		if err != nil || len(vs) != tt.want {
			t.Errorf("OverdueActions(%v) = %d, %v; want %d", tt.at, len(vs), err, tt.want)
		}
	}
	r, err := e.s.DraftReport(ctx, got.ID, e.co.ID)
	if err != nil {
		t.Fatal(err)
	}
	r.Comment = "Заменён"
	if err := e.s.UpdateReport(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := e.s.SubmitReport(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if vs, err := e.s.OverdueActions(ctx, []int64{e.school.ID}, due.AddDate(0, 0, 3)); err != nil || len(vs) != 0 {
		t.Errorf("OverdueActions(reported) = %d, %v; want 0", len(vs), err)
	}
	if vs, err := e.s.OverdueActions(ctx, []int64{e.candidate.ID}, due.AddDate(0, 0, 3)); err != nil || len(vs) != 0 {
		t.Errorf("OverdueActions(another school) = %d, %v; want 0", len(vs), err)
	}
}
