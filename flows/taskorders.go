package flows

import (
	"context"
	"time"

	"smkbot/storage"
)

// TaskOrder is a task another flow places in a school's quality
// programme without a conversation: the corrective action of an audit
// finding, an executor's part of a presidium decision.
type TaskOrder struct {
	// OrgID is the school whose programme of the current school year
	// takes the task (created on first use).
	OrgID int64
	// Direction names the programme's direction the task goes under; it
	// is added to the programme when missing.
	Direction   string
	Title       string
	Description string
	// AssigneeID must be an active person of the school.
	AssigneeID int64
	// Due is the deadline, a local date (00:00 in the association's zone).
	Due time.Time
	// Link is what the task answers, recorded with it atomically.
	Link storage.TaskLink
}

// TaskOrders places tasks in school programmes on behalf of other flows.
// The tasks flow implements it: it schedules the reminders by the
// school's policy and tells the assignee, as for a task it created
// itself. A nil TaskOrders means the tasks capability is absent. The
// caller authorises: these methods check only that the records allow it.
type TaskOrders interface {
	// AssignTask creates the task with its one assignee and its link, and
	// sends the assignee the task's card. It returns ErrStale for an
	// unknown school or a link to a record gone, and an invalid-input
	// error (tasks.order_*) for an assignee who is not an active person of
	// the school or a deadline that has passed.
	AssignTask(ctx context.Context, c *Context, o TaskOrder) (storage.Task, error)
	// ReturnTask sends a task's reported assignments back to work with the
	// comment, restarts their reminders and tells the assignees. A task
	// with nothing reported, or cancelled, is left as it is.
	ReturnTask(ctx context.Context, c *Context, taskID int64, comment string) error
}
