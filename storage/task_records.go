package storage

import "time"

// TaskStatus is where one assignee is with a task.
type TaskStatus string

// The statuses of an assignment: назначена → принята → выполнена (report
// sent) → подтверждена, or returned to the assignee with a comment, or
// cancelled with the task.
const (
	TaskAssigned  TaskStatus = "assigned"
	TaskAccepted  TaskStatus = "accepted"
	TaskDone      TaskStatus = "done"
	TaskConfirmed TaskStatus = "confirmed"
	TaskReturned  TaskStatus = "returned"
	TaskCancelled TaskStatus = "cancelled"
)

// Open reports whether the assignee still has work to do (reminders run).
func (s TaskStatus) Open() bool {
	return s == TaskAssigned || s == TaskAccepted || s == TaskReturned
}

// Programme is an organisation's quality programme for one school year.
type Programme struct {
	ID        int64     `db:"id"`
	OrgID     int64     `db:"org_id"`
	Year      string    `db:"year"` // "2026/2027"
	CreatedAt time.Time `db:"created_at"`
}

// Direction groups a programme's tasks («кадровый ресурс»).
type Direction struct {
	ID          int64  `db:"id"`
	ProgrammeID int64  `db:"programme_id"`
	Name        string `db:"name"`
	Position    int    `db:"position"`
}

// Task is a task of a programme, with one or more assignees.
type Task struct {
	ID          int64  `db:"id"`
	ProgrammeID int64  `db:"programme_id"`
	OrgID       int64  `db:"org_id"`
	DirectionID int64  `db:"direction_id"`
	Title       string `db:"title"`
	Description string `db:"description"`
	// Due is the deadline: a local date at 00:00 in the bot's zone, or a
	// local date and time when HasTime.
	Due              time.Time `db:"due"`
	HasTime          bool      `db:"has_time"`
	EvidenceRequired bool      `db:"evidence_required"`
	CreatedBy        int64     `db:"created_by"`
	CreatedAt        time.Time `db:"created_at"`
	CancelledAt      time.Time `db:"cancelled_at"` // zero unless cancelled
}

// Assignment is one assignee's part of a task. A task with several
// assignees closes when every one has reported and been confirmed.
type Assignment struct {
	TaskID   int64      `db:"task_id"`
	PersonID int64      `db:"person_id"`
	Status   TaskStatus `db:"status"`
	// Comment is the manager's comment when returned.
	Comment  string    `db:"comment"`
	StatusAt time.Time `db:"status_at"`
	// NextRemindAt is when the next reminder is due (zero: none). Found by
	// index, so reminders cost nothing for tasks that are not due.
	NextRemindAt time.Time `db:"next_remind_at"`
	// RemindStep counts the reminders sent, for the ladder.
	RemindStep int `db:"remind_step"`
	// EscalatedAt is when the quality manager was told it is overdue.
	EscalatedAt time.Time `db:"escalated_at"`
}

// Evidence is a photo, document or link attached to a report.
type Evidence struct {
	ID       int64  `db:"id"`
	ReportID int64  `db:"report_id"`
	Kind     string `db:"kind"` // "photo", "document" or "link"
	FileID   string `db:"file_id"`
	Name     string `db:"name"` // file name, or the link
	// MediaGroupID ties the photos of one album together.
	MediaGroupID string `db:"media_group_id"`
}

// Report is an assignee's report on a task: a draft while being written
// (evidence arrives photo by photo), then sent.
type Report struct {
	ID        int64     `db:"id"`
	TaskID    int64     `db:"task_id"`
	PersonID  int64     `db:"person_id"`
	Comment   string    `db:"comment"`
	SentAt    time.Time `db:"sent_at"` // zero while a draft
	CreatedAt time.Time `db:"created_at"`
	Evidence  []Evidence
}

// RequestKind is what an assignee asks the manager.
type RequestKind string

const (
	RequestHelp     RequestKind = "help"     // «нужна помощь»
	RequestPostpone RequestKind = "postpone" // «просьба перенести срок»
)

// TaskRequest is an assignee's request about a task, open until decided.
type TaskRequest struct {
	ID        int64       `db:"id"`
	TaskID    int64       `db:"task_id"`
	PersonID  int64       `db:"person_id"`
	Kind      RequestKind `db:"kind"`
	Reason    string      `db:"reason"`
	NewDue    time.Time   `db:"new_due"` // postpone: the date asked for
	Status    string      `db:"status"`  // "open", "approved", "refused"
	CreatedAt time.Time   `db:"created_at"`
	DecidedBy int64       `db:"decided_by"`
	DecidedAt time.Time   `db:"decided_at"`
}

// ReminderPolicy is how an organisation wants its people reminded.
type ReminderPolicy struct {
	OrgID int64 `db:"org_id"`
	// Ladder is the days relative to the deadline a reminder goes out
	// (-7, -1, 0); after the deadline, one every OverdueEvery days.
	Ladder       []int `db:"ladder"`
	OverdueEvery int   `db:"overdue_every"`
	// EscalateAfter is the days overdue after which the quality manager
	// is told.
	EscalateAfter int `db:"escalate_after"`
	// Quiet hours in minutes after local midnight (21:00–08:00 is
	// 1260–480): a reminder due then waits for the morning.
	QuietFrom int `db:"quiet_from"`
	QuietTo   int `db:"quiet_to"`
	// Weekends are the weekdays without reminders (time.Saturday...);
	// Holidays the local dates without them.
	Weekends []int       `db:"weekends"`
	Holidays []time.Time `db:"holidays"`
}

// DefaultReminderPolicy is the policy of an organisation that set none.
func DefaultReminderPolicy(orgID int64) ReminderPolicy {
	return ReminderPolicy{
		OrgID: orgID, Ladder: []int{-7, -1, 0}, OverdueEvery: 2, EscalateAfter: 3,
		QuietFrom: 21 * 60, QuietTo: 8 * 60, Weekends: []int{int(time.Saturday), int(time.Sunday)},
	}
}

// DueReminder is an assignment whose reminder is due, with its task.
type DueReminder struct {
	Task       Task
	Assignment Assignment
	// TelegramID of the assignee (0 when forgotten or inactive).
	TelegramID int64
}

// DirectionCount is the overview of one direction: assignments by status
// and how many are overdue.
type DirectionCount struct {
	Direction Direction
	ByStatus  map[TaskStatus]int
	Overdue   int
}

// ImportRow is a task read from a programme spreadsheet.
type ImportRow struct {
	Row              int // the spreadsheet row, for error messages
	Direction        string
	Title            string
	Description      string
	AssigneeIDs      []int64
	Due              time.Time
	HasTime          bool
	EvidenceRequired bool
}
