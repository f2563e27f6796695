package tasks

import (
	"context"
	"strings"

	"smkbot/flows"
)

// keyManDesc is the description of a new task begun by another flow
// (StartTaskDraft); a task begun from the programme has none.
const keyManDesc = "tkm.desc"

var _ flows.TaskDrafts = (*Flow)(nil)

// StartTaskDraft implements flows.TaskDrafts: it begins the manager's new
// task in the organisation's programme with the title and description
// filled in, and asks for the direction, as after a typed title. The rest
// of the conversation (assignees, deadline, evidence, the summary) is the
// same as for a task begun from the programme. The right is checked here,
// whatever the caller checked: ErrForbidden without ManageTasks in orgID.
func (f *Flow) StartTaskDraft(ctx context.Context, c *flows.Context, orgID int64, title, description string) (flows.Next, error) {
	if err := manOrgArg(c, orgID); err != nil {
		return flows.Stay(), err
	}
	title = strings.Join(strings.Fields(title), " ")
	if title == "" {
		return flows.Stay(), flows.ErrStale
	}
	// The programme of the school year first: a refusal leaves the session
	// (and a new task being written in it) as it was.
	if _, _, err := f.manProg(ctx, c, orgID); err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	c.SetInt(keyManOrg, orgID)
	c.Set(keyManTitle, manClip(title, manMaxTitle))
	if d := strings.TrimSpace(description); d != "" {
		c.Set(keyManDesc, manClip(d, manMaxDescription))
	}
	return f.manAskDirection(ctx, c)
}
