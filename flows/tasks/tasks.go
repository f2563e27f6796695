// Package tasks is a school's quality programme (комплексно-целевая
// программа): directions and tasks with assignees and deadlines, set by the
// quality manager; teachers accept them, ask for help or more time, and
// report with evidence from their phones; reminders climb a ladder towards
// the deadline and past it, outside quiet hours, and escalate to the manager.
package tasks

import (
	"context"
	"strconv"
	"time"

	"smkbot/flows"
	"smkbot/storage"
)

// Store is what the tasks flow needs of the records.
type Store interface {
	// Programme and directions.
	EnsureProgramme(ctx context.Context, actorID, orgID int64, year string) (storage.Programme, []storage.Direction, error)
	AddDirection(ctx context.Context, actorID, programmeID int64, name string) (storage.Direction, error)
	RenameDirection(ctx context.Context, actorID, directionID int64, name string) error

	// Tasks.
	CreateTask(ctx context.Context, actorID int64, t storage.Task, assignees []storage.Assignment) (storage.Task, error)
	CreateLinkedTask(ctx context.Context, actorID int64, t storage.Task, assignees []storage.Assignment, link storage.TaskLink) (storage.Task, error)
	UpdateTask(ctx context.Context, actorID int64, t storage.Task) error
	CancelTask(ctx context.Context, actorID, taskID int64) error
	FindTask(ctx context.Context, id int64) (storage.Task, []storage.Assignment, error)
	ListTasks(ctx context.Context, programmeID int64) ([]storage.Task, error)
	ListOverdue(ctx context.Context, orgID int64, now time.Time) ([]storage.DueReminder, error)
	ListPersonTasks(ctx context.Context, personID int64) ([]storage.Task, []storage.Assignment, error)
	Overview(ctx context.Context, programmeID int64, now time.Time) ([]storage.DirectionCount, error)
	ImportProgramme(ctx context.Context, actorID, orgID int64, year string, rows []storage.ImportRow) (int, error)

	// An assignee's progress.
	SetAssignment(ctx context.Context, actorID int64, a storage.Assignment) error
	DraftReport(ctx context.Context, taskID, personID int64) (storage.Report, error)
	UpdateReport(ctx context.Context, r storage.Report) error
	AddEvidence(ctx context.Context, reportID int64, e storage.Evidence) (storage.Evidence, error)
	SubmitReport(ctx context.Context, reportID int64) error
	LastReport(ctx context.Context, taskID, personID int64) (storage.Report, error)

	// Requests.
	CreateRequest(ctx context.Context, r storage.TaskRequest) (storage.TaskRequest, error)
	FindRequest(ctx context.Context, id int64) (storage.TaskRequest, error)
	DecideRequest(ctx context.Context, actorID, requestID int64, approve bool, nextRemindAt time.Time) error

	// Reminders.
	ReminderPolicy(ctx context.Context, orgID int64) (storage.ReminderPolicy, error)
	ReminderPolicies(ctx context.Context) (map[int64]storage.ReminderPolicy, error)
	SaveReminderPolicy(ctx context.Context, actorID int64, p storage.ReminderPolicy) error
	// ClaimDueReminders locks up to limit assignments whose NextRemindAt is
	// at or before now, calls advance for each inside the same transaction
	// to get its next reminder time and step (zero time: no more), stores
	// them, and returns the claimed reminders: each goes out once.
	ClaimDueReminders(ctx context.Context, now time.Time, limit int,
		advance func(storage.DueReminder) (next time.Time, step int)) ([]storage.DueReminder, error)
	MarkEscalated(ctx context.Context, taskID, personID int64, at time.Time) (bool, error)
	TaskDigestOrgs(ctx context.Context, week time.Time) ([]int64, error)
	ClaimTaskDigest(ctx context.Context, orgID int64, w storage.TaskDigestWeek) (storage.TaskDigest, bool, error)

	// People and organisations.
	ListPeople(ctx context.Context, orgID int64, role storage.Role) ([]storage.PersonRoles, error)
	FindPersonByID(ctx context.Context, id int64) (storage.Person, []storage.RoleGrant, error)
	FindOrganisationByID(ctx context.Context, id int64) (storage.Organisation, error)
}

// Files downloads what people send (an imported spreadsheet).
type Files interface {
	Download(ctx context.Context, fileID string) ([]byte, error)
}

// Flow holds what the tasks handlers share.
type Flow struct {
	Store Store
	Files Files
	// Location is the association's zone: deadlines, quiet hours.
	Location *time.Location
}

// Callback data flow names: the manager's buttons and the assignee's.
const (
	cbManage = "tkm"
	cbMine   = "tk"
)

// Register adds the tasks flow's commands, buttons, steps, menu items and
// periodic jobs to r.
func (f *Flow) Register(r *flows.Router) {
	f.registerManage(r)
	f.registerMine(r)
	f.registerReminders(r)
	f.registerSettings(r)
}

// SchoolYear is the school year a date falls in: from 1 September.
func SchoolYear(t time.Time) string {
	y := t.Year()
	if t.Month() < time.September {
		y--
	}
	return strconv.Itoa(y) + "/" + strconv.Itoa(y+1)
}
