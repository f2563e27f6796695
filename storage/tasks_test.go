package storage_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smkbot/storage"
)

// taskEnv is a school with a quality manager, two teachers and a
// programme, on a store of its own.
type taskEnv struct {
	s       *storage.Store
	clock   *clock
	org     storage.Organisation
	manager storage.Person
	anna    storage.Person
	boris   storage.Person
	prog    storage.Programme
	dirs    []storage.Direction
}

func newTaskEnv(t *testing.T) *taskEnv {
	t.Helper()
	s, c := newStore(t)
	e := &taskEnv{s: s, clock: c}
	e.org = mustOrg(t, s, "Школа № 1")
	e.manager = mustPerson(t, s, 100, "Петрова Анна Сергеевна", storage.RoleQualityManager, e.org.ID)
	e.anna = mustPerson(t, s, 101, "Иванова Анна Петровна", storage.RoleTeacher, e.org.ID)
	e.boris = mustPerson(t, s, 102, "Борисов Борис Борисович", storage.RoleTeacher, e.org.ID)
	var err error
	e.prog, e.dirs, err = s.EnsureProgramme(context.Background(), e.manager.ID, e.org.ID, "2026/2027")
	if err != nil {
		t.Fatalf("EnsureProgramme: %v", err)
	}
	return e
}

// task creates a task due at due (with its time unless at midnight, UTC
// being the tests' zone) for the people, each with a reminder at remind.
func (e *taskEnv) task(t *testing.T, title string, due time.Time, remind time.Time, people ...int64) storage.Task {
	t.Helper()
	var as []storage.Assignment
	for _, id := range people {
		as = append(as, storage.Assignment{PersonID: id, Status: storage.TaskAssigned, NextRemindAt: remind, RemindStep: 1})
	}
	task, err := e.s.CreateTask(context.Background(), e.manager.ID, storage.Task{
		ProgrammeID: e.prog.ID, DirectionID: e.dirs[0].ID, Title: title, Due: due,
		HasTime: !due.Equal(due.Truncate(24 * time.Hour)),
	}, as)
	if err != nil {
		t.Fatalf("CreateTask(%q): %v", title, err)
	}
	return task
}

// day is a date at midnight UTC, the tests' local zone.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestEnsureProgramme(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTaskEnv(t)

	want := storage.Programme{ID: e.prog.ID, OrgID: e.org.ID, Year: "2026/2027", CreatedAt: start}
	if diff := cmp.Diff(want, e.prog); diff != "" {
		t.Errorf("programme (-want +got):\n%s", diff)
	}
	var names []string
	for i, d := range e.dirs {
		names = append(names, d.Name)
		if d.Position != i+1 || d.ProgrammeID != e.prog.ID {
			t.Errorf("direction %d = %+v, want position %d of programme %d", i, d, i+1, e.prog.ID)
		}
	}
	if diff := cmp.Diff(storage.ModelDirections, names); diff != "" {
		t.Errorf("directions (-want +got):\n%s", diff)
	}

	// The second call finds it, with the directions as they are now.
	added, err := e.s.AddDirection(ctx, e.manager.ID, e.prog.ID, " Воспитательная работа ")
	if err != nil {
		t.Fatalf("AddDirection: %v", err)
	}
	if added.Name != "Воспитательная работа" || added.Position != 5 {
		t.Errorf("added %+v, want the trimmed name at position 5", added)
	}
	if err := e.s.RenameDirection(ctx, e.manager.ID, e.dirs[2].ID, "Кадры"); err != nil {
		t.Fatalf("RenameDirection: %v", err)
	}
	p, dirs, err := e.s.EnsureProgramme(ctx, e.manager.ID, e.org.ID, "2026/2027")
	if err != nil {
		t.Fatal(err)
	}
	wantDirs := append(slices.Clone(e.dirs), added)
	wantDirs[2].Name = "Кадры"
	if diff := cmp.Diff(e.prog, p); diff != "" {
		t.Errorf("programme again (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantDirs, dirs); diff != "" {
		t.Errorf("directions again (-want +got):\n%s", diff)
	}

	// Another year is another programme.
	next, _, err := e.s.EnsureProgramme(ctx, e.manager.ID, e.org.ID, "2027/2028")
	if err != nil || next.ID == e.prog.ID {
		t.Errorf("EnsureProgramme(next year) = %+v, %v; want a new programme", next, err)
	}

	for _, tt := range []struct {
		name string
		err  error
		do   func() error
	}{
		{"unknown organisation", storage.ErrNotFound, func() error {
			_, _, err := e.s.EnsureProgramme(ctx, 0, 9999, "2026/2027")
			return err
		}},
		{"malformed year", storage.ErrInvalid, func() error {
			_, _, err := e.s.EnsureProgramme(ctx, 0, e.org.ID, "2026")
			return err
		}},
		{"add a name taken in another case", storage.ErrConflict, func() error {
			_, err := e.s.AddDirection(ctx, 0, e.prog.ID, "кадры")
			return err
		}},
		{"add an empty name", storage.ErrInvalid, func() error {
			_, err := e.s.AddDirection(ctx, 0, e.prog.ID, " ")
			return err
		}},
		{"add to an unknown programme", storage.ErrNotFound, func() error {
			_, err := e.s.AddDirection(ctx, 0, 9999, "X")
			return err
		}},
		{"rename to a taken name", storage.ErrConflict, func() error {
			return e.s.RenameDirection(ctx, 0, e.dirs[0].ID, "КОНТРОЛЬ ПРОЦЕССОВ")
		}},
		{"rename to nothing", storage.ErrInvalid, func() error { return e.s.RenameDirection(ctx, 0, e.dirs[0].ID, "") }},
		{"rename an unknown direction", storage.ErrNotFound, func() error { return e.s.RenameDirection(ctx, 0, 9999, "X") }},
	} {
		if err := tt.do(); !errors.Is(err, tt.err) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.err)
		}
	}

	// Two first calls at once make one programme.
	other := mustOrg(t, e.s, "Школа № 2")
	var wg sync.WaitGroup
	ids := make([]int64, 4)
	for i := range ids {
		wg.Go(func() {
			p, dirs, err := e.s.EnsureProgramme(ctx, 0, other.ID, "2026/2027")
			if err != nil || len(dirs) != 4 {
				t.Errorf("concurrent EnsureProgramme: %d directions, %v", len(dirs), err)
			}
			ids[i] = p.ID
		})
	}
	wg.Wait()
	if ids[0] != ids[1] || ids[0] != ids[2] || ids[0] != ids[3] {
		t.Errorf("concurrent EnsureProgramme made programmes %v, want one", ids)
	}
}

func TestCreateTask(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTaskEnv(t)
	due := day(2027, 1, 15)
	remind := day(2027, 1, 8).Add(9 * time.Hour)

	task, err := e.s.CreateTask(ctx, e.manager.ID, storage.Task{
		ProgrammeID: e.prog.ID, OrgID: e.org.ID, DirectionID: e.dirs[1].ID, Title: " Обновить положение ",
		Description: "О внутренней системе оценки качества", Due: due, EvidenceRequired: true,
	}, []storage.Assignment{
		{PersonID: e.anna.ID, NextRemindAt: remind, RemindStep: 1},
		{PersonID: e.boris.ID, NextRemindAt: remind, RemindStep: 1},
	})
	if err != nil {
		t.Fatalf("CreateTask: %v", err)
	}
	want := storage.Task{ID: task.ID, ProgrammeID: e.prog.ID, OrgID: e.org.ID, DirectionID: e.dirs[1].ID,
		Title: "Обновить положение", Description: "О внутренней системе оценки качества", Due: due,
		EvidenceRequired: true, CreatedBy: e.manager.ID, CreatedAt: start}
	if diff := cmp.Diff(want, task); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	got, as, err := e.s.FindTask(ctx, task.ID)
	if err != nil {
		t.Fatalf("FindTask: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("found (-want +got):\n%s", diff)
	}
	wantAs := []storage.Assignment{
		{TaskID: task.ID, PersonID: e.anna.ID, Status: storage.TaskAssigned, StatusAt: start, NextRemindAt: remind, RemindStep: 1},
		{TaskID: task.ID, PersonID: e.boris.ID, Status: storage.TaskAssigned, StatusAt: start, NextRemindAt: remind, RemindStep: 1},
	}
	if diff := cmp.Diff(wantAs, as); diff != "" {
		t.Errorf("assignments (-want +got):\n%s", diff)
	}
	if _, _, err := e.s.FindTask(ctx, 9999); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("FindTask(9999): err = %v, want ErrNotFound", err)
	}

	// Without a reminder: the zero time comes back.
	quiet := e.task(t, "Без напоминаний", due, time.Time{}, e.anna.ID)
	_, as, _ = e.s.FindTask(ctx, quiet.ID)
	if !as[0].NextRemindAt.IsZero() {
		t.Errorf("NextRemindAt = %v, want zero", as[0].NextRemindAt)
	}

	other := mustOrg(t, e.s, "Школа № 2")
	stranger := mustPerson(t, e.s, 200, "Чужой Учитель", storage.RoleTeacher, other.ID)
	gone := mustPerson(t, e.s, 201, "Ушедший Учитель", storage.RoleTeacher, e.org.ID)
	if err := e.s.DeactivatePerson(ctx, 0, gone.ID); err != nil {
		t.Fatal(err)
	}
	otherProg, otherDirs, err := e.s.EnsureProgramme(ctx, 0, other.ID, "2026/2027")
	if err != nil {
		t.Fatal(err)
	}
	good := storage.Task{ProgrammeID: e.prog.ID, DirectionID: e.dirs[0].ID, Title: "Задача", Due: due}
	one := []storage.Assignment{{PersonID: e.anna.ID}}
	for _, tt := range []struct {
		name string
		task func(storage.Task) storage.Task
		as   []storage.Assignment
		err  error
	}{
		{"empty title", func(t storage.Task) storage.Task { t.Title = "  "; return t }, one, storage.ErrInvalid},
		{"deadline days ago", func(t storage.Task) storage.Task { t.Due = start.AddDate(0, 0, -2); return t }, one, storage.ErrInvalid},
		{"no assignees", func(t storage.Task) storage.Task { return t }, nil, storage.ErrInvalid},
		{"an assignee of another school", func(t storage.Task) storage.Task { return t },
			[]storage.Assignment{{PersonID: e.anna.ID}, {PersonID: stranger.ID}}, storage.ErrInvalid},
		{"an inactive assignee", func(t storage.Task) storage.Task { return t }, []storage.Assignment{{PersonID: gone.ID}}, storage.ErrInvalid},
		{"an unknown assignee", func(t storage.Task) storage.Task { return t }, []storage.Assignment{{PersonID: 9999}}, storage.ErrInvalid},
		{"an assignee twice", func(t storage.Task) storage.Task { return t },
			[]storage.Assignment{{PersonID: e.anna.ID}, {PersonID: e.anna.ID}}, storage.ErrInvalid},
		{"another school's organisation", func(t storage.Task) storage.Task { t.OrgID = other.ID; return t }, one, storage.ErrInvalid},
		{"unknown programme", func(t storage.Task) storage.Task { t.ProgrammeID = 9999; return t }, one, storage.ErrNotFound},
		{"another programme's direction", func(t storage.Task) storage.Task { t.DirectionID = otherDirs[0].ID; return t }, one, storage.ErrNotFound},
	} {
		if _, err := e.s.CreateTask(ctx, e.manager.ID, tt.task(good), tt.as); !errors.Is(err, tt.err) {
			t.Errorf("CreateTask with %s: err = %v, want %v", tt.name, err, tt.err)
		}
	}
	_ = otherProg
	// Today's deadline (already past midnight) is still allowed.
	if _, err := e.s.CreateTask(ctx, e.manager.ID, storage.Task{ProgrammeID: e.prog.ID, DirectionID: e.dirs[0].ID,
		Title: "Сегодня", Due: day(2026, 12, 25)}, one); err != nil {
		t.Errorf("CreateTask due today: %v", err)
	}
	list, err := e.s.ListTasks(ctx, e.prog.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Errorf("%d tasks after the refused ones, want 3", len(list))
	}
}

func TestUpdateAndCancelTask(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTaskEnv(t)
	remind := start.Add(time.Hour)
	task := e.task(t, "Курсы", day(2027, 2, 1), remind, e.anna.ID, e.boris.ID)

	e.clock.Add(time.Hour)
	task.Title, task.Description, task.DirectionID = "Курсы повышения квалификации", "72 часа", e.dirs[2].ID
	task.Due, task.HasTime, task.EvidenceRequired = day(2027, 2, 3).Add(14*time.Hour), true, true
	task.CreatedBy = 0 // ignored
	if err := e.s.UpdateTask(ctx, e.manager.ID, task); err != nil {
		t.Fatalf("UpdateTask: %v", err)
	}
	got, _, err := e.s.FindTask(ctx, task.ID)
	if err != nil {
		t.Fatal(err)
	}
	task.CreatedBy = e.manager.ID
	if diff := cmp.Diff(task, got); diff != "" {
		t.Errorf("updated (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		name string
		t    func(storage.Task) storage.Task
		err  error
	}{
		{"empty title", func(t storage.Task) storage.Task { t.Title = ""; return t }, storage.ErrInvalid},
		{"a deadline days ago", func(t storage.Task) storage.Task { t.Due = day(2026, 12, 1); return t }, storage.ErrInvalid},
		{"a direction of no programme", func(t storage.Task) storage.Task { t.DirectionID = 9999; return t }, storage.ErrNotFound},
		{"unknown task", func(t storage.Task) storage.Task { t.ID = 9999; return t }, storage.ErrNotFound},
	} {
		if err := e.s.UpdateTask(ctx, e.manager.ID, tt.t(task)); !errors.Is(err, tt.err) {
			t.Errorf("UpdateTask with %s: err = %v, want %v", tt.name, err, tt.err)
		}
	}

	// Boris has reported; cancelling leaves his report done and stops
	// Anna's reminders.
	r, err := e.s.DraftReport(ctx, task.ID, e.boris.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.AddEvidence(ctx, r.ID, storage.Evidence{Kind: "document", FileID: "f1", Name: "удостоверение.pdf"}); err != nil {
		t.Fatal(err)
	}
	if err := e.s.SubmitReport(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Hour)
	if err := e.s.CancelTask(ctx, e.manager.ID, task.ID); err != nil {
		t.Fatalf("CancelTask: %v", err)
	}
	got, as, err := e.s.FindTask(ctx, task.ID)
	if err != nil {
		t.Fatal(err)
	}
	cancelledAt := start.Add(2 * time.Hour)
	if !got.CancelledAt.Equal(cancelledAt) {
		t.Errorf("CancelledAt = %v, want %v", got.CancelledAt, cancelledAt)
	}
	wantAs := []storage.Assignment{
		{TaskID: task.ID, PersonID: e.anna.ID, Status: storage.TaskCancelled, StatusAt: cancelledAt, RemindStep: 1},
		{TaskID: task.ID, PersonID: e.boris.ID, Status: storage.TaskDone, StatusAt: start.Add(time.Hour), RemindStep: 1},
	}
	if diff := cmp.Diff(wantAs, as); diff != "" {
		t.Errorf("assignments after cancel (-want +got):\n%s", diff)
	}
	claimed, err := e.s.ClaimDueReminders(ctx, day(2028, 1, 1), 10, func(storage.DueReminder) (time.Time, int) { return time.Time{}, 0 })
	if err != nil || len(claimed) != 0 {
		t.Errorf("ClaimDueReminders after cancel = %d reminders, %v; want none", len(claimed), err)
	}
	if err := e.s.CancelTask(ctx, e.manager.ID, task.ID); err != nil {
		t.Errorf("CancelTask again: %v", err)
	}
	if err := e.s.UpdateTask(ctx, e.manager.ID, got); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("UpdateTask of a cancelled task: err = %v, want ErrConflict", err)
	}
	if err := e.s.CancelTask(ctx, e.manager.ID, 9999); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("CancelTask(9999): err = %v, want ErrNotFound", err)
	}
	var logged []string
	for _, a := range actions(t, e.s) {
		if a.Object == "task" && a.ObjectID == task.ID {
			logged = append(logged, a.Action)
		}
	}
	if diff := cmp.Diff([]string{"task.create", "task.update", "task.report", "task.cancel"}, logged); diff != "" {
		t.Errorf("action log (-want +got):\n%s", diff)
	}
}

func TestListTasksAndOverview(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTaskEnv(t)
	// Made while their deadlines were ahead.
	e.clock.Add(-30 * 24 * time.Hour)
	late := e.task(t, "Просроченная", day(2026, 12, 20), time.Time{}, e.anna.ID, e.boris.ID)
	todayTimed := e.task(t, "Сегодня в 06:00", day(2026, 12, 25).Add(6*time.Hour), time.Time{}, e.anna.ID)
	e.clock.Add(30 * 24 * time.Hour)
	today := e.task(t, "Сегодня", day(2026, 12, 25), time.Time{}, e.anna.ID)
	later := e.task(t, "Позже", day(2027, 3, 1), time.Time{}, e.boris.ID)
	cancelled := e.task(t, "Отменённая", day(2026, 12, 26), time.Time{}, e.anna.ID)
	if err := e.s.CancelTask(ctx, e.manager.ID, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.s.SetAssignment(ctx, e.manager.ID, storage.Assignment{TaskID: late.ID, PersonID: e.boris.ID, Status: storage.TaskConfirmed}); err != nil {
		t.Fatal(err)
	}
	if err := e.s.SetAssignment(ctx, e.anna.ID, storage.Assignment{TaskID: later.ID, PersonID: e.boris.ID, Status: storage.TaskAccepted}); err != nil {
		t.Fatal(err)
	}

	list, err := e.s.ListTasks(ctx, e.prog.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, x := range list {
		ids = append(ids, x.ID)
	}
	if diff := cmp.Diff([]int64{late.ID, today.ID, todayTimed.ID, cancelled.ID, later.ID}, ids); diff != "" {
		t.Errorf("ListTasks ids (-want +got):\n%s", diff)
	}

	ts, as, err := e.s.ListPersonTasks(ctx, e.anna.ID)
	if err != nil {
		t.Fatal(err)
	}
	ids = nil
	for i, x := range ts {
		ids = append(ids, x.ID)
		if as[i].TaskID != x.ID || as[i].PersonID != e.anna.ID {
			t.Errorf("ListPersonTasks: assignment %d is %d/%d, want %d/%d", i, as[i].TaskID, as[i].PersonID, x.ID, e.anna.ID)
		}
	}
	if diff := cmp.Diff([]int64{late.ID, today.ID, todayTimed.ID}, ids); diff != "" {
		t.Errorf("ListPersonTasks(anna) ids (-want +got):\n%s", diff)
	}
	ts, _, err = e.s.ListPersonTasks(ctx, e.boris.ID)
	if err != nil || len(ts) != 1 || ts[0].ID != later.ID {
		t.Errorf("ListPersonTasks(boris) = %v, %v; want the later task alone (the late one is confirmed)", ts, err)
	}

	// At 07:00 on the 25th: the 20th is past, today's 06:00 has passed,
	// today's date-only deadline has not.
	now := start
	overdue, err := e.s.ListOverdue(ctx, e.org.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		Task, Person, Chat int64
	}
	var lines []line
	for _, d := range overdue {
		lines = append(lines, line{d.Task.ID, d.Assignment.PersonID, d.TelegramID})
	}
	if diff := cmp.Diff([]line{{late.ID, e.anna.ID, 101}, {todayTimed.ID, e.anna.ID, 101}}, lines); diff != "" {
		t.Errorf("ListOverdue (-want +got):\n%s", diff)
	}
	if err := e.s.DeactivatePerson(ctx, 0, e.anna.ID); err != nil {
		t.Fatal(err)
	}
	overdue, _ = e.s.ListOverdue(ctx, e.org.ID, now)
	if len(overdue) != 2 || overdue[0].TelegramID != 0 {
		t.Errorf("ListOverdue of an inactive assignee: %+v, want her without a chat", overdue)
	}

	counts, err := e.s.Overview(ctx, e.prog.ID, now)
	if err != nil {
		t.Fatalf("Overview: %v", err)
	}
	want := []storage.DirectionCount{
		{Direction: e.dirs[0], ByStatus: map[storage.TaskStatus]int{
			storage.TaskAssigned: 3, storage.TaskConfirmed: 1, storage.TaskAccepted: 1, storage.TaskCancelled: 1,
		}, Overdue: 2},
		{Direction: e.dirs[1], ByStatus: map[storage.TaskStatus]int{}},
		{Direction: e.dirs[2], ByStatus: map[storage.TaskStatus]int{}},
		{Direction: e.dirs[3], ByStatus: map[storage.TaskStatus]int{}},
	}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("Overview (-want +got):\n%s", diff)
	}
	// A day later today's task is overdue too.
	counts, _ = e.s.Overview(ctx, e.prog.ID, now.Add(24*time.Hour))
	if counts[0].Overdue != 3 {
		t.Errorf("Overview a day later: %d overdue, want 3", counts[0].Overdue)
	}
	if _, err := e.s.Overview(ctx, 9999, now); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Overview(9999): err = %v, want ErrNotFound", err)
	}
}

func TestSetAssignment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTaskEnv(t)
	task := e.task(t, "Портфолио", day(2027, 1, 10), start.Add(time.Hour), e.anna.ID)
	_, as, _ := e.s.FindTask(ctx, task.ID)
	a := as[0]

	if won, err := e.s.MarkEscalated(ctx, task.ID, e.anna.ID, start); err != nil || !won {
		t.Fatalf("MarkEscalated = %v, %v", won, err)
	}
	e.clock.Add(time.Minute)
	a.Status, a.Comment, a.NextRemindAt, a.RemindStep = storage.TaskReturned, "Нет подписи", start.Add(2*time.Hour), 4
	a.EscalatedAt = start // kept
	if err := e.s.SetAssignment(ctx, e.manager.ID, a); err != nil {
		t.Fatalf("SetAssignment: %v", err)
	}
	_, as, _ = e.s.FindTask(ctx, task.ID)
	a.StatusAt = start.Add(time.Minute)
	if diff := cmp.Diff([]storage.Assignment{a}, as); diff != "" {
		t.Errorf("returned (-want +got):\n%s", diff)
	}

	// The same status keeps its time; a zero EscalatedAt clears it.
	e.clock.Add(time.Minute)
	a.RemindStep, a.EscalatedAt = 5, time.Time{}
	if err := e.s.SetAssignment(ctx, e.manager.ID, a); err != nil {
		t.Fatal(err)
	}
	_, as, _ = e.s.FindTask(ctx, task.ID)
	if diff := cmp.Diff([]storage.Assignment{a}, as); diff != "" {
		t.Errorf("rescheduled (-want +got):\n%s", diff)
	}

	// Confirmed: no more reminders, whatever the caller left in.
	a.Status = storage.TaskConfirmed
	if err := e.s.SetAssignment(ctx, e.manager.ID, a); err != nil {
		t.Fatal(err)
	}
	_, as, _ = e.s.FindTask(ctx, task.ID)
	if !as[0].NextRemindAt.IsZero() || !as[0].StatusAt.Equal(start.Add(2*time.Minute)) {
		t.Errorf("confirmed: %+v, want no reminder and a new status time", as[0])
	}

	if err := e.s.SetAssignment(ctx, 0, storage.Assignment{TaskID: task.ID, PersonID: e.boris.ID, Status: storage.TaskDone}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("SetAssignment of a non-assignee: err = %v, want ErrNotFound", err)
	}
	if err := e.s.SetAssignment(ctx, 0, storage.Assignment{TaskID: task.ID, PersonID: e.anna.ID, Status: "lost"}); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("SetAssignment with an unknown status: err = %v, want ErrInvalid", err)
	}
}

func TestReports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTaskEnv(t)
	task := e.task(t, "Открытый урок", day(2027, 1, 10), start.Add(time.Hour), e.anna.ID)
	proof := e.task(t, "С подтверждением", day(2027, 1, 10), start.Add(time.Hour), e.anna.ID)
	if err := func() error {
		tt, _, _ := e.s.FindTask(ctx, proof.ID)
		tt.EvidenceRequired = true
		return e.s.UpdateTask(ctx, e.manager.ID, tt)
	}(); err != nil {
		t.Fatal(err)
	}

	if _, err := e.s.LastReport(ctx, task.ID, e.anna.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("LastReport before any: err = %v, want ErrNotFound", err)
	}
	r, err := e.s.DraftReport(ctx, task.ID, e.anna.ID)
	if err != nil {
		t.Fatalf("DraftReport: %v", err)
	}
	want := storage.Report{ID: r.ID, TaskID: task.ID, PersonID: e.anna.ID, CreatedAt: start}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("draft (-want +got):\n%s", diff)
	}
	if err := e.s.SubmitReport(ctx, r.ID); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("SubmitReport of an empty report: err = %v, want ErrInvalid", err)
	}
	// An album of two photos and a link.
	var ev []storage.Evidence
	for _, x := range []storage.Evidence{
		{Kind: "photo", FileID: "p1", MediaGroupID: "g1"},
		{Kind: "photo", FileID: "p2", MediaGroupID: "g1"},
		{Kind: "link", Name: "https://school1.example/lesson"},
	} {
		got, err := e.s.AddEvidence(ctx, r.ID, x)
		if err != nil {
			t.Fatalf("AddEvidence: %v", err)
		}
		x.ID, x.ReportID = got.ID, r.ID
		if diff := cmp.Diff(x, got); diff != "" {
			t.Errorf("evidence (-want +got):\n%s", diff)
		}
		ev = append(ev, got)
	}
	for _, bad := range []storage.Evidence{{Kind: "video", FileID: "v"}, {Kind: "photo"}, {Kind: "link"}} {
		if _, err := e.s.AddEvidence(ctx, r.ID, bad); !errors.Is(err, storage.ErrInvalid) {
			t.Errorf("AddEvidence(%+v): err = %v, want ErrInvalid", bad, err)
		}
	}
	r.Comment = " Провела 20 декабря "
	if err := e.s.UpdateReport(ctx, r); err != nil {
		t.Fatalf("UpdateReport: %v", err)
	}
	// The draft comes back as it is, however often asked for.
	again, err := e.s.DraftReport(ctx, task.ID, e.anna.ID)
	if err != nil {
		t.Fatal(err)
	}
	want.Comment, want.Evidence = "Провела 20 декабря", ev
	if diff := cmp.Diff(want, again); diff != "" {
		t.Errorf("draft again (-want +got):\n%s", diff)
	}

	e.clock.Add(time.Hour)
	if err := e.s.SubmitReport(ctx, r.ID); err != nil {
		t.Fatalf("SubmitReport: %v", err)
	}
	want.SentAt = start.Add(time.Hour)
	last, err := e.s.LastReport(ctx, task.ID, e.anna.ID)
	if err != nil {
		t.Fatalf("LastReport: %v", err)
	}
	if diff := cmp.Diff(want, last); diff != "" {
		t.Errorf("last report (-want +got):\n%s", diff)
	}
	_, as, _ := e.s.FindTask(ctx, task.ID)
	if as[0].Status != storage.TaskDone || !as[0].NextRemindAt.IsZero() || !as[0].StatusAt.Equal(want.SentAt) {
		t.Errorf("assignment after the report: %+v, want done at %v without a reminder", as[0], want.SentAt)
	}
	for name, err := range map[string]error{
		"SubmitReport again":     e.s.SubmitReport(ctx, r.ID),
		"UpdateReport once sent": e.s.UpdateReport(ctx, r),
		"AddEvidence once sent": func() error {
			_, err := e.s.AddEvidence(ctx, r.ID, storage.Evidence{Kind: "photo", FileID: "p3"})
			return err
		}(),
	} {
		if !errors.Is(err, storage.ErrConflict) {
			t.Errorf("%s: err = %v, want ErrConflict", name, err)
		}
	}

	// Returned: a new draft, a new report, the newest is the last.
	a := as[0]
	a.Status, a.Comment = storage.TaskReturned, "Добавьте фото"
	if err := e.s.SetAssignment(ctx, e.manager.ID, a); err != nil {
		t.Fatal(err)
	}
	r2, err := e.s.DraftReport(ctx, task.ID, e.anna.ID)
	if err != nil || r2.ID == r.ID || len(r2.Evidence) != 0 {
		t.Fatalf("DraftReport after return = %+v, %v; want a new empty draft", r2, err)
	}
	r2.Comment = "Исправила"
	if err := e.s.UpdateReport(ctx, r2); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Hour)
	if err := e.s.SubmitReport(ctx, r2.ID); err != nil {
		t.Fatalf("SubmitReport after return: %v", err)
	}
	last, _ = e.s.LastReport(ctx, task.ID, e.anna.ID)
	if last.ID != r2.ID || last.Comment != "Исправила" {
		t.Errorf("LastReport after re-report = %+v, want report %d", last, r2.ID)
	}

	// Required evidence.
	rp, err := e.s.DraftReport(ctx, proof.ID, e.anna.ID)
	if err != nil {
		t.Fatal(err)
	}
	rp.Comment = "Сделано"
	if err := e.s.UpdateReport(ctx, rp); err != nil {
		t.Fatal(err)
	}
	if err := e.s.SubmitReport(ctx, rp.ID); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("SubmitReport without required evidence: err = %v, want ErrInvalid", err)
	}
	// A cancelled task takes no report.
	if err := e.s.CancelTask(ctx, e.manager.ID, proof.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.AddEvidence(ctx, rp.ID, storage.Evidence{Kind: "photo", FileID: "p9"}); err != nil {
		t.Fatal(err)
	}
	if err := e.s.SubmitReport(ctx, rp.ID); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("SubmitReport on a cancelled task: err = %v, want ErrConflict", err)
	}

	for name, err := range map[string]error{
		"DraftReport of a non-assignee": func() error { _, err := e.s.DraftReport(ctx, task.ID, e.boris.ID); return err }(),
		"UpdateReport(9999)":            e.s.UpdateReport(ctx, storage.Report{ID: 9999}),
		"SubmitReport(9999)":            e.s.SubmitReport(ctx, 9999),
		"AddEvidence(9999)": func() error {
			_, err := e.s.AddEvidence(ctx, 9999, storage.Evidence{Kind: "photo", FileID: "x"})
			return err
		}(),
	} {
		if !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
}

func TestRequests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTaskEnv(t)
	remind := start.Add(time.Hour)
	task := e.task(t, "Самоанализ", day(2027, 1, 10), remind, e.anna.ID, e.boris.ID)

	newDue := day(2027, 1, 20)
	r, err := e.s.CreateRequest(ctx, storage.TaskRequest{TaskID: task.ID, PersonID: e.anna.ID,
		Kind: storage.RequestPostpone, Reason: " Болею ", NewDue: newDue, Status: "approved"})
	if err != nil {
		t.Fatalf("CreateRequest: %v", err)
	}
	want := storage.TaskRequest{ID: r.ID, TaskID: task.ID, PersonID: e.anna.ID, Kind: storage.RequestPostpone,
		Reason: "Болею", NewDue: newDue, Status: "open", CreatedAt: start}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	got, err := e.s.FindRequest(ctx, r.ID)
	if err != nil {
		t.Fatalf("FindRequest: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("found (-want +got):\n%s", diff)
	}
	help, err := e.s.CreateRequest(ctx, storage.TaskRequest{TaskID: task.ID, PersonID: e.anna.ID, Kind: storage.RequestHelp, Reason: "Нет шаблона"})
	if err != nil {
		t.Fatalf("CreateRequest(help) beside an open postponement: %v", err)
	}
	for _, tt := range []struct {
		name string
		r    storage.TaskRequest
		err  error
	}{
		{"a second open postponement", storage.TaskRequest{TaskID: task.ID, PersonID: e.anna.ID, Kind: storage.RequestPostpone, NewDue: newDue}, storage.ErrConflict},
		{"a postponement without a date", storage.TaskRequest{TaskID: task.ID, PersonID: e.boris.ID, Kind: storage.RequestPostpone}, storage.ErrInvalid},
		{"an unknown kind", storage.TaskRequest{TaskID: task.ID, PersonID: e.boris.ID, Kind: "holiday"}, storage.ErrInvalid},
		{"a non-assignee", storage.TaskRequest{TaskID: task.ID, PersonID: e.manager.ID, Kind: storage.RequestHelp}, storage.ErrNotFound},
	} {
		if _, err := e.s.CreateRequest(ctx, tt.r); !errors.Is(err, tt.err) {
			t.Errorf("CreateRequest of %s: err = %v, want %v", tt.name, err, tt.err)
		}
	}

	// Approved: the deadline moves for both, and both are reminded anew.
	if won, _ := e.s.MarkEscalated(ctx, task.ID, e.boris.ID, start); !won {
		t.Fatal("MarkEscalated did not claim")
	}
	e.clock.Add(time.Hour)
	next := day(2027, 1, 13).Add(9 * time.Hour)
	if err := e.s.DecideRequest(ctx, e.manager.ID, r.ID, true, next); err != nil {
		t.Fatalf("DecideRequest: %v", err)
	}
	got, _ = e.s.FindRequest(ctx, r.ID)
	want.Status, want.DecidedBy, want.DecidedAt = "approved", e.manager.ID, start.Add(time.Hour)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decided (-want +got):\n%s", diff)
	}
	moved, as, _ := e.s.FindTask(ctx, task.ID)
	if !moved.Due.Equal(newDue) {
		t.Errorf("due after approval = %v, want %v", moved.Due, newDue)
	}
	for _, a := range as {
		if !a.NextRemindAt.Equal(next) || !a.EscalatedAt.IsZero() {
			t.Errorf("assignment of %d after approval: %+v, want reminded at %v, not escalated", a.PersonID, a, next)
		}
	}
	if err := e.s.DecideRequest(ctx, e.manager.ID, r.ID, false, next); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("DecideRequest twice: err = %v, want ErrConflict", err)
	}
	if err := e.s.DecideRequest(ctx, e.manager.ID, 9999, true, next); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("DecideRequest(9999): err = %v, want ErrNotFound", err)
	}
	if _, err := e.s.FindRequest(ctx, 9999); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("FindRequest(9999): err = %v, want ErrNotFound", err)
	}

	// A refused postponement keeps the deadline; the requester's next
	// reminder is the one given; a new request may be opened then.
	r2, err := e.s.CreateRequest(ctx, storage.TaskRequest{TaskID: task.ID, PersonID: e.boris.ID, Kind: storage.RequestPostpone, NewDue: day(2027, 2, 1)})
	if err != nil {
		t.Fatal(err)
	}
	later := next.Add(24 * time.Hour)
	if err := e.s.DecideRequest(ctx, e.manager.ID, r2.ID, false, later); err != nil {
		t.Fatal(err)
	}
	moved, as, _ = e.s.FindTask(ctx, task.ID)
	if !moved.Due.Equal(newDue) || !as[0].NextRemindAt.Equal(next) || !as[1].NextRemindAt.Equal(later) {
		t.Errorf("after refusal: due %v, reminders %v and %v; want %v, %v, %v",
			moved.Due, as[0].NextRemindAt, as[1].NextRemindAt, newDue, next, later)
	}
	if _, err := e.s.CreateRequest(ctx, storage.TaskRequest{TaskID: task.ID, PersonID: e.boris.ID, Kind: storage.RequestPostpone, NewDue: day(2027, 2, 1)}); err != nil {
		t.Errorf("CreateRequest after the refusal: %v", err)
	}
	// Help answered: the deadline stays.
	if err := e.s.DecideRequest(ctx, e.manager.ID, help.ID, true, next); err != nil {
		t.Fatal(err)
	}
	if moved, _, _ = e.s.FindTask(ctx, task.ID); !moved.Due.Equal(newDue) {
		t.Errorf("due after help = %v, want %v", moved.Due, newDue)
	}
}

func TestReminderPolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTaskEnv(t)

	p, err := e.s.ReminderPolicy(ctx, e.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(storage.DefaultReminderPolicy(e.org.ID), p); diff != "" {
		t.Errorf("unsaved policy (-want +got):\n%s", diff)
	}
	barnaul := time.FixedZone("Asia/Barnaul", 7*3600)
	saved := storage.ReminderPolicy{OrgID: e.org.ID, Ladder: []int{-3, 0}, OverdueEvery: 1, EscalateAfter: 5,
		QuietFrom: 22 * 60, QuietTo: 7 * 60, Weekends: []int{0},
		Holidays: []time.Time{time.Date(2027, 1, 1, 0, 0, 0, 0, barnaul), time.Date(2027, 1, 7, 0, 0, 0, 0, barnaul)}}
	if err := e.s.SaveReminderPolicy(ctx, e.manager.ID, saved); err != nil {
		t.Fatalf("SaveReminderPolicy: %v", err)
	}
	p, err = e.s.ReminderPolicy(ctx, e.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := saved
	want.Holidays = []time.Time{day(2027, 1, 1), day(2027, 1, 7)}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("saved policy (-want +got):\n%s", diff)
	}
	// Saved again: replaced, empty lists allowed.
	saved = storage.ReminderPolicy{OrgID: e.org.ID, Ladder: []int{0}, QuietFrom: 0, QuietTo: 0}
	if err := e.s.SaveReminderPolicy(ctx, e.manager.ID, saved); err != nil {
		t.Fatal(err)
	}
	if p, _ = e.s.ReminderPolicy(ctx, e.org.ID); !cmp.Equal(saved, p) {
		t.Errorf("replaced policy = %+v, want %+v", p, saved)
	}
	for _, bad := range []storage.ReminderPolicy{
		{OrgID: e.org.ID, QuietFrom: 24 * 60},
		{OrgID: e.org.ID, QuietTo: -1},
		{OrgID: e.org.ID, OverdueEvery: -1},
		{OrgID: e.org.ID, Weekends: []int{7}},
	} {
		if err := e.s.SaveReminderPolicy(ctx, 0, bad); !errors.Is(err, storage.ErrInvalid) {
			t.Errorf("SaveReminderPolicy(%+v): err = %v, want ErrInvalid", bad, err)
		}
	}
	if err := e.s.SaveReminderPolicy(ctx, 0, storage.DefaultReminderPolicy(9999)); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("SaveReminderPolicy of an unknown school: err = %v, want ErrNotFound", err)
	}
}

func TestClaimDueReminders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTaskEnv(t)
	first := e.task(t, "Первая", day(2027, 1, 10), start.Add(time.Hour), e.anna.ID)
	second := e.task(t, "Вторая", day(2027, 1, 10), start.Add(2*time.Hour), e.anna.ID, e.boris.ID)
	e.task(t, "Не скоро", day(2027, 1, 10), start.Add(48*time.Hour), e.anna.ID)
	if err := e.s.ForgetPerson(ctx, e.boris.ID); err != nil {
		t.Fatal(err)
	}

	now := start.Add(3 * time.Hour)
	var seen []storage.DueReminder
	advance := func(d storage.DueReminder) (time.Time, int) {
		seen = append(seen, d)
		if d.Task.ID == first.ID {
			return time.Time{}, 0 // the last one
		}
		return d.Assignment.NextRemindAt.Add(24 * time.Hour), d.Assignment.RemindStep + 1
	}
	got, err := e.s.ClaimDueReminders(ctx, now, 10, advance)
	if err != nil {
		t.Fatalf("ClaimDueReminders: %v", err)
	}
	type line struct {
		Task, Person, Chat int64
		At                 time.Time
		Step               int
	}
	lines := func(ds []storage.DueReminder) []line {
		var out []line
		for _, d := range ds {
			out = append(out, line{d.Task.ID, d.Assignment.PersonID, d.TelegramID, d.Assignment.NextRemindAt, d.Assignment.RemindStep})
		}
		return out
	}
	want := []line{
		{first.ID, e.anna.ID, 101, start.Add(time.Hour), 1},
		{second.ID, e.anna.ID, 101, start.Add(2 * time.Hour), 1},
		{second.ID, e.boris.ID, 0, start.Add(2 * time.Hour), 1}, // forgotten: no chat
	}
	if diff := cmp.Diff(want, lines(got), cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("claimed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(lines(got), lines(seen)); diff != "" {
		t.Errorf("advance saw (-claimed +seen):\n%s", diff)
	}
	if got[0].Task.Title != "Первая" || got[0].Task.OrgID != e.org.ID {
		t.Errorf("claimed task = %+v, want the whole task", got[0].Task)
	}
	_, as, _ := e.s.FindTask(ctx, first.ID)
	if !as[0].NextRemindAt.IsZero() {
		t.Errorf("first task's reminder after its last: %v, want none", as[0].NextRemindAt)
	}
	_, as, _ = e.s.FindTask(ctx, second.ID)
	if !as[0].NextRemindAt.Equal(start.Add(26*time.Hour)) || as[0].RemindStep != 2 {
		t.Errorf("second task advanced to %v step %d, want %v step 2", as[0].NextRemindAt, as[0].RemindStep, start.Add(26*time.Hour))
	}
	// Nothing is due twice.
	if again, err := e.s.ClaimDueReminders(ctx, now, 10, advance); err != nil || len(again) != 0 {
		t.Errorf("ClaimDueReminders again = %v, %v; want none", lines(again), err)
	}
	// The limit takes the earliest.
	later, err := e.s.ClaimDueReminders(ctx, start.Add(72*time.Hour), 1, advance)
	if err != nil || len(later) != 1 || later[0].Task.ID != second.ID {
		t.Errorf("ClaimDueReminders with limit 1 = %v, %v; want the second task's", lines(later), err)
	}

	// A reported task is not reminded of.
	r, _ := e.s.DraftReport(ctx, second.ID, e.anna.ID)
	r.Comment = "Готово"
	if err := e.s.UpdateReport(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := e.s.SubmitReport(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	for _, d := range mustClaim(t, e.s, start.Add(1000*time.Hour)) {
		if d.Task.ID == second.ID && d.Assignment.PersonID == e.anna.ID {
			t.Errorf("a reported assignment was claimed: %+v", d)
		}
	}
}

// mustClaim claims every reminder due at now, ending them.
func mustClaim(t *testing.T, s *storage.Store, now time.Time) []storage.DueReminder {
	t.Helper()
	got, err := s.ClaimDueReminders(context.Background(), now, 1000, func(storage.DueReminder) (time.Time, int) { return time.Time{}, 0 })
	if err != nil {
		t.Fatalf("ClaimDueReminders: %v", err)
	}
	return got
}

// TestClaimDueRemindersConcurrently: claimers racing on one database hand
// out every reminder exactly once.
func TestClaimDueRemindersConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTaskEnv(t)
	const tasks = 60
	for i := range tasks {
		e.task(t, "Задача", day(2027, 1, 10), start.Add(time.Duration(i)*time.Second), e.anna.ID, e.boris.ID)
	}
	var mu sync.Mutex
	count := map[[2]int64]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				got, err := e.s.ClaimDueReminders(ctx, start.Add(time.Hour), 7, func(storage.DueReminder) (time.Time, int) {
					time.Sleep(time.Millisecond) // hold the locks a while
					return time.Time{}, 0
				})
				if err != nil {
					t.Errorf("ClaimDueReminders: %v", err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, d := range got {
					count[[2]int64{d.Task.ID, d.Assignment.PersonID}]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(count) != 2*tasks {
		t.Errorf("%d reminders claimed, want %d", len(count), 2*tasks)
	}
	for k, n := range count {
		if n != 1 {
			t.Errorf("reminder %v claimed %d times", k, n)
		}
	}
}

func TestMarkEscalated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTaskEnv(t)
	task := e.task(t, "Отчёт", day(2027, 1, 10), time.Time{}, e.anna.ID)

	at := start.Add(time.Hour)
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 4 {
		wg.Go(func() {
			ok, err := e.s.MarkEscalated(ctx, task.ID, e.anna.ID, at)
			if err != nil {
				t.Errorf("MarkEscalated: %v", err)
			}
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Errorf("%d calls claimed the escalation, want 1", won)
	}
	_, as, _ := e.s.FindTask(ctx, task.ID)
	if !as[0].EscalatedAt.Equal(at) {
		t.Errorf("EscalatedAt = %v, want %v", as[0].EscalatedAt, at)
	}
	if _, err := e.s.MarkEscalated(ctx, task.ID, e.boris.ID, at); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("MarkEscalated of a non-assignee: err = %v, want ErrNotFound", err)
	}
}

func TestImportProgramme(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTaskEnv(t)
	other := mustOrg(t, e.s, "Школа № 2")
	stranger := mustPerson(t, e.s, 200, "Чужой Учитель", storage.RoleTeacher, other.ID)

	good := []storage.ImportRow{
		{Row: 2, Direction: "кадровый ресурс", Title: "Курсы", AssigneeIDs: []int64{e.anna.ID}, Due: day(2027, 1, 20), EvidenceRequired: true},
		{Row: 3, Direction: " Воспитательная работа ", Title: "Собрание", Description: "Родительское",
			AssigneeIDs: []int64{e.anna.ID, e.boris.ID}, Due: day(2027, 2, 1).Add(14 * time.Hour), HasTime: true},
		{Row: 4, Direction: "ВОСПИТАТЕЛЬНАЯ РАБОТА", Title: "Классный час", AssigneeIDs: []int64{e.boris.ID}, Due: day(2027, 2, 5)},
	}
	bad := append(slices.Clone(good),
		storage.ImportRow{Row: 5, Direction: "Кадровый ресурс", Title: " ", AssigneeIDs: []int64{e.anna.ID}, Due: day(2027, 1, 20)},
		storage.ImportRow{Row: 6, Direction: "Кадровый ресурс", Title: "Старое", AssigneeIDs: []int64{stranger.ID}, Due: day(2026, 11, 1)},
	)
	_, err := e.s.ImportProgramme(ctx, e.manager.ID, e.org.ID, "2026/2027", bad)
	var ie *storage.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("ImportProgramme with bad rows: err = %v, want an *ImportError", err)
	}
	wantErrs := []storage.RowError{
		{Row: 5, Field: "title", Reason: "empty_title"},
		{Row: 6, Field: "due", Reason: "past_due"},
		{Row: 6, Field: "assignee", Reason: "unknown_assignee"},
	}
	if diff := cmp.Diff(wantErrs, ie.Rows); diff != "" {
		t.Errorf("row errors (-want +got):\n%s", diff)
	}
	if !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("an ImportError is not ErrInvalid: %v", err)
	}
	// Nothing half-imported: no task, no new direction.
	if list, _ := e.s.ListTasks(ctx, e.prog.ID); len(list) != 0 {
		t.Errorf("%d tasks after a refused import, want none", len(list))
	}
	if _, dirs, _ := e.s.EnsureProgramme(ctx, 0, e.org.ID, "2026/2027"); len(dirs) != 4 {
		t.Errorf("%d directions after a refused import, want 4", len(dirs))
	}

	n, err := e.s.ImportProgramme(ctx, e.manager.ID, e.org.ID, "2026/2027", good)
	if err != nil || n != 3 {
		t.Fatalf("ImportProgramme = %d, %v; want 3 tasks", n, err)
	}
	_, dirs, _ := e.s.EnsureProgramme(ctx, 0, e.org.ID, "2026/2027")
	if len(dirs) != 5 || dirs[4].Name != "Воспитательная работа" {
		t.Fatalf("directions after the import: %+v, want one added", dirs)
	}
	list, err := e.s.ListTasks(ctx, e.prog.ID)
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		Title string
		Dir   int64
		Due   time.Time
		Who   []int64
	}
	var got []line
	for _, x := range list {
		_, as, _ := e.s.FindTask(ctx, x.ID)
		var who []int64
		for _, a := range as {
			who = append(who, a.PersonID)
			if a.Status != storage.TaskAssigned || !a.NextRemindAt.IsZero() {
				t.Errorf("imported assignment %+v, want assigned without a reminder", a)
			}
		}
		got = append(got, line{x.Title, x.DirectionID, x.Due, who})
	}
	want := []line{
		{"Курсы", e.dirs[2].ID, day(2027, 1, 20), []int64{e.anna.ID}},
		{"Собрание", dirs[4].ID, day(2027, 2, 1).Add(14 * time.Hour), []int64{e.anna.ID, e.boris.ID}},
		{"Классный час", dirs[4].ID, day(2027, 2, 5), []int64{e.boris.ID}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("imported (-want +got):\n%s", diff)
	}

	// Into a year not started yet: the programme is made with the import.
	n, err = e.s.ImportProgramme(ctx, e.manager.ID, e.org.ID, "2027/2028", good[:1])
	if err != nil || n != 1 {
		t.Errorf("ImportProgramme into a new year = %d, %v", n, err)
	}
	if _, err := e.s.ImportProgramme(ctx, 0, 9999, "2026/2027", good); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("ImportProgramme of an unknown school: err = %v, want ErrNotFound", err)
	}
}
