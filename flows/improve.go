package flows

import "context"

// TaskDrafts starts a task in a school's quality programme on behalf of
// another flow: a survey question with a low index, say, becomes an
// improvement task. It is implemented by the tasks flow and handed to the
// flows that offer "make a task of this"; such a flow calls it from the
// handler of its button. A nil TaskDrafts means the tasks capability is
// absent: the flow does not show the button at all.
type TaskDrafts interface {
	// StartTaskDraft begins the quality manager's new-task conversation in
	// the organisation's programme of the current school year (creating the
	// programme on first use), with the title and description filled in,
	// replies with the next question and returns the step the conversation
	// goes to. It replaces a new task being written in the session. It
	// returns ErrForbidden when the actor does not run the organisation's
	// programme (ManageTasks there) and ErrStale when the organisation no
	// longer exists.
	StartTaskDraft(ctx context.Context, c *Context, orgID int64, title, description string) (Next, error)
}
