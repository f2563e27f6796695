package storage

import (
	"context"
	"fmt"
	"strings"
)

// TaskLink names what a task created by another flow answers: the
// corrective action of an audit finding (FindingID, with the cause
// found) or an executor's part of a presidium decision (AgendaItemID).
// The zero TaskLink links nothing.
type TaskLink struct {
	FindingID    int64
	Cause        string
	AgendaItemID int64
	// GroupID is the working group whose member the task was given to.
	GroupID int64
}

// CreateLinkedTask is CreateTask, and records the link in the same
// transaction, so a task never exists without what it answers: a
// finding's corrective action is set as SetCorrectiveAction does (the
// finding goes to status action). It returns CreateTask's errors, and
// SetCorrectiveAction's for a finding link, and ErrNotFound for an
// unknown agenda item.
func (s *Store) CreateLinkedTask(ctx context.Context, actorID int64, t Task, assignees []Assignment, link TaskLink) (Task, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Task{}, fmt.Errorf("storage: create linked task: %w", err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	t, err = createTask(ctx, tx, now, actorID, t, assignees)
	if err != nil {
		return Task{}, fmt.Errorf("storage: create linked task: %w", err)
	}
	detail := map[string]any{"programme_id": t.ProgrammeID, "assignees": len(assignees)}
	if err := logAction(ctx, tx, now, actorID, "task.create", "task", t.ID, detail); err != nil {
		return Task{}, fmt.Errorf("storage: create linked task: %w", err)
	}
	if link.FindingID != 0 {
		if _, err := setCorrectiveAction(ctx, tx, now, actorID, link.FindingID, t.ID, strings.TrimSpace(link.Cause)); err != nil {
			return Task{}, fmt.Errorf("storage: create linked task: finding %d: %w", link.FindingID, err)
		}
		if err := logAction(ctx, tx, now, actorID, "finding.action", "finding", link.FindingID, map[string]any{"task_id": t.ID}); err != nil {
			return Task{}, fmt.Errorf("storage: create linked task: %w", err)
		}
	}
	if link.AgendaItemID != 0 {
		if err := linkDecisionTask(ctx, tx, link.AgendaItemID, t.ID); err != nil {
			return Task{}, fmt.Errorf("storage: create linked task: %w", err)
		}
		if err := logAction(ctx, tx, now, actorID, "agenda_item.task", "agenda_item", link.AgendaItemID, map[string]any{"task_id": t.ID}); err != nil {
			return Task{}, fmt.Errorf("storage: create linked task: %w", err)
		}
	}
	if link.GroupID != 0 {
		if err := linkGroupTask(ctx, tx, link.GroupID, t.ID); err != nil {
			return Task{}, fmt.Errorf("storage: create linked task: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return Task{}, fmt.Errorf("storage: create linked task: %w", err)
	}
	return t, nil
}
