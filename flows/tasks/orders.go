package tasks

// Tasks other flows order without a conversation: a finding's corrective
// action, a decision's executor. They land in the programme like any
// other task, with the school's reminders, and the assignee gets the same
// card; the link to what they answer is written with them.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"smkbot/flows"
	"smkbot/storage"
)

var _ flows.TaskOrders = (*Flow)(nil)

// AssignTask implements flows.TaskOrders.
func (f *Flow) AssignTask(ctx context.Context, c *flows.Context, o flows.TaskOrder) (storage.Task, error) {
	loc := f.manLoc(c)
	due := manDay(o.Due, loc)
	if due.Before(f.manToday(c)) {
		return storage.Task{}, flows.Invalid("tasks.order_due_passed")
	}
	p, dirs, err := f.Store.EnsureProgramme(ctx, c.Actor.PersonID(), o.OrgID, SchoolYear(c.Now.In(loc)))
	if errors.Is(err, storage.ErrNotFound) {
		return storage.Task{}, flows.ErrStale
	}
	if err != nil {
		return storage.Task{}, fmt.Errorf("tasks: programme of %d: %w", o.OrgID, err)
	}
	dir, err := f.orderDirection(ctx, c, p, dirs, o.Direction)
	if err != nil {
		return storage.Task{}, err
	}
	policy, err := f.manPolicy(ctx, o.OrgID)
	if err != nil {
		return storage.Task{}, err
	}
	next, step := FirstReminder(policy, due, false, c.Now, loc)
	t, err := f.Store.CreateLinkedTask(ctx, c.Actor.PersonID(), storage.Task{
		ProgrammeID: p.ID,
		OrgID:       o.OrgID,
		DirectionID: dir.ID,
		Title:       manClip(strings.Join(strings.Fields(o.Title), " "), manMaxTitle),
		Description: manClip(strings.TrimSpace(o.Description), manMaxDescription),
		Due:         due,
		CreatedBy:   c.Actor.PersonID(),
	}, []storage.Assignment{{PersonID: o.AssigneeID, Status: storage.TaskAssigned, StatusAt: c.Now, NextRemindAt: next, RemindStep: step}}, o.Link)
	switch {
	case errors.Is(err, storage.ErrInvalid):
		return storage.Task{}, flows.Invalid("tasks.order_assignee_gone")
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrConflict):
		return storage.Task{}, flows.ErrStale
	case err != nil:
		return storage.Task{}, fmt.Errorf("tasks: order task in %d: %w", o.OrgID, err)
	}
	t, as, err := f.Store.FindTask(ctx, t.ID)
	if err != nil {
		return storage.Task{}, fmt.Errorf("tasks: find task %d: %w", t.ID, err)
	}
	for _, a := range as {
		if err := f.manTellAssignee(ctx, c, t, a, c.T("tasks.manage.to_assignee.new")); err != nil {
			return t, err
		}
	}
	return t, nil
}

// orderDirection finds the programme's direction by name (in any case),
// adding it when missing.
func (f *Flow) orderDirection(ctx context.Context, c *flows.Context, p storage.Programme, dirs []storage.Direction, name string) (storage.Direction, error) {
	name = strings.Join(strings.Fields(name), " ")
	for _, d := range dirs {
		if strings.EqualFold(d.Name, name) {
			return d, nil
		}
	}
	d, err := f.Store.AddDirection(ctx, c.Actor.PersonID(), p.ID, name)
	if errors.Is(err, storage.ErrConflict) {
		// Added meanwhile by another chat: take it.
		_, dirs, err := f.Store.EnsureProgramme(ctx, c.Actor.PersonID(), p.OrgID, p.Year)
		if err != nil {
			return storage.Direction{}, fmt.Errorf("tasks: programme %d: %w", p.ID, err)
		}
		for _, d := range dirs {
			if strings.EqualFold(d.Name, name) {
				return d, nil
			}
		}
		return storage.Direction{}, flows.ErrStale
	}
	if err != nil {
		return storage.Direction{}, fmt.Errorf("tasks: add direction to %d: %w", p.ID, err)
	}
	return d, nil
}

// ReturnTask implements flows.TaskOrders.
func (f *Flow) ReturnTask(ctx context.Context, c *flows.Context, taskID int64, comment string) error {
	t, as, err := f.Store.FindTask(ctx, taskID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("tasks: find task %d: %w", taskID, err)
	}
	if !t.CancelledAt.IsZero() {
		return nil
	}
	policy, err := f.manPolicy(ctx, t.OrgID)
	if err != nil {
		return err
	}
	for _, a := range as {
		if a.Status != storage.TaskDone && a.Status != storage.TaskConfirmed {
			continue
		}
		a.Status, a.StatusAt, a.Comment = storage.TaskReturned, c.Now, manClip(strings.TrimSpace(comment), manMaxComment)
		a.NextRemindAt, a.RemindStep = FirstReminder(policy, t.Due, t.HasTime, c.Now, f.manLoc(c))
		if err := f.Store.SetAssignment(ctx, c.Actor.PersonID(), a); err != nil {
			return fmt.Errorf("tasks: return %d of %d: %w", t.ID, a.PersonID, err)
		}
		if err := f.manTellAssignee(ctx, c, t, a, c.T("tasks.manage.to_assignee.returned")); err != nil {
			return err
		}
	}
	return nil
}
