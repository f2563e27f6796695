package storage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smkbot/storage"
)

// TestCreateLinkedTaskDecision: a task created for a decision's executor
// is linked to the agenda item in the same transaction; a link to an
// unknown item creates no task at all.
func TestCreateLinkedTaskDecision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 2)

	m := e.held(t, 1, e.chair.ID, e.members[0].ID)
	items, err := e.s.ListAgenda(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	prog, dirs, err := e.s.EnsureProgramme(ctx, 0, e.school.ID, "2026/2027")
	if err != nil {
		t.Fatal(err)
	}
	task := storage.Task{ProgrammeID: prog.ID, OrgID: e.school.ID, DirectionID: dirs[0].ID,
		Title: "Подготовить план", Due: day(2027, 2, 1)}
	as := []storage.Assignment{{PersonID: e.teacher.ID, Status: storage.TaskAssigned}}

	got, err := e.s.CreateLinkedTask(ctx, e.secretary.ID, task, as, storage.TaskLink{AgendaItemID: items[0].ID})
	if err != nil {
		t.Fatalf("CreateLinkedTask: %v", err)
	}
	ids, err := e.s.DecisionTasks(ctx, items[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{got.ID}, ids); diff != "" {
		t.Errorf("DecisionTasks (-want +got):\n%s", diff)
	}

	before, err := e.s.ListTasks(ctx, prog.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.s.CreateLinkedTask(ctx, e.secretary.ID, task, as, storage.TaskLink{AgendaItemID: items[0].ID + 1000})
	if !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("CreateLinkedTask(unknown item) = %v, want ErrNotFound", err)
	}
	after, err := e.s.ListTasks(ctx, prog.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("a failed link left a task: %d tasks, want %d", len(after), len(before))
	}
}
