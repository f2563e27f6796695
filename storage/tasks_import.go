package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RowError is what is wrong with one row of an imported programme. Reason
// is a short code the flow turns into Russian: "empty_title",
// "empty_direction", "past_due", "no_assignee", "unknown_assignee",
// "duplicate_assignee".
type RowError struct {
	Row    int
	Field  string // "title", "direction", "due", "assignee"
	Reason string
}

// ImportError lists the rows an import refused, in row order; nothing of
// the import was kept. It matches ErrInvalid with errors.Is.
type ImportError struct {
	Rows []RowError
}

func (e *ImportError) Error() string {
	var b strings.Builder
	b.WriteString("storage: import refused:")
	for i, r := range e.Rows {
		if i == 5 {
			b.WriteString(" …")
			break
		}
		b.WriteString(" row " + strconv.Itoa(r.Row) + " " + r.Field + " " + r.Reason + ";")
	}
	return b.String()
}

// Is makes an ImportError an ErrInvalid for callers that need no rows.
func (e *ImportError) Is(target error) bool { return target == ErrInvalid }

// ImportProgramme creates the rows' tasks in the organisation's programme
// of the school year, all or nothing: the programme is ensured, directions
// the programme lacks are added (names match in any case), and every
// row's task is created with its assignees (status assigned, no reminder
// yet: the flow schedules them after). Any row that cannot be taken
// rolls everything back and the error is an *ImportError naming every
// such row. It returns the number of tasks created; ErrNotFound for an
// unknown organisation.
func (s *Store) ImportProgramme(ctx context.Context, actorID, orgID int64, year string, rows []ImportRow) (int, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("storage: import programme: %w", err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	p, dirs, err := ensureProgramme(ctx, tx, now, actorID, orgID, year)
	if err != nil {
		return 0, fmt.Errorf("storage: import programme of %d %s: %w", orgID, year, err)
	}
	// Lock the programme: directions appended by two imports at once
	// would race for positions.
	if _, err := findProgramme(ctx, tx, `where id = $1 for update`, p.ID); err != nil {
		return 0, fmt.Errorf("storage: import programme of %d: %w", orgID, err)
	}
	if dirs, err = programmeDirections(ctx, tx, p.ID); err != nil {
		return 0, fmt.Errorf("storage: import programme of %d: %w", orgID, err)
	}
	byName := map[string]int64{}
	for _, d := range dirs {
		byName[strings.ToLower(d.Name)] = d.ID
	}

	// Every row is checked before anything is written, so the error names
	// all the bad rows rather than the first.
	var bad []RowError
	for _, r := range rows {
		bad = append(bad, checkImportRow(r, now)...)
	}
	var ids []int64
	for _, r := range rows {
		ids = append(ids, r.AssigneeIDs...)
	}
	strange, err := strangers(ctx, tx, orgID, ids)
	if err != nil {
		return 0, fmt.Errorf("storage: import programme of %d: %w", orgID, err)
	}
	if len(strange) > 0 {
		isStrange := map[int64]bool{}
		for _, id := range strange {
			isStrange[id] = true
		}
		for _, r := range rows {
			for _, id := range r.AssigneeIDs {
				if isStrange[id] {
					bad = append(bad, RowError{Row: r.Row, Field: "assignee", Reason: "unknown_assignee"})
					break
				}
			}
		}
	}
	if len(bad) > 0 {
		slices.SortStableFunc(bad, func(a, b RowError) int { return cmp.Compare(a.Row, b.Row) })
		return 0, &ImportError{Rows: bad}
	}

	for _, r := range rows {
		key := strings.ToLower(strings.TrimSpace(r.Direction))
		dirID, ok := byName[key]
		if !ok {
			d, err := addDirection(ctx, tx, p.ID, r.Direction)
			if err != nil {
				return 0, fmt.Errorf("storage: import programme of %d: row %d: %w", orgID, r.Row, err)
			}
			dirID, byName[key] = d.ID, d.ID
		}
		var as []Assignment
		for _, id := range r.AssigneeIDs {
			as = append(as, Assignment{PersonID: id})
		}
		_, err := createTask(ctx, tx, now, actorID, Task{
			ProgrammeID: p.ID, OrgID: orgID, DirectionID: dirID, Title: r.Title, Description: r.Description,
			Due: r.Due, HasTime: r.HasTime, EvidenceRequired: r.EvidenceRequired,
		}, as)
		if errors.Is(err, ErrInvalid) {
			// Checked above; kept so that no check missed there lets a
			// bad row through.
			return 0, &ImportError{Rows: []RowError{{Row: r.Row, Field: "task", Reason: "invalid"}}}
		}
		if err != nil {
			return 0, fmt.Errorf("storage: import programme of %d: row %d: %w", orgID, r.Row, err)
		}
	}
	detail := map[string]any{"org_id": orgID, "year": year, "tasks": len(rows)}
	if err := logAction(ctx, tx, now, actorID, "programme.import", "programme", p.ID, detail); err != nil {
		return 0, fmt.Errorf("storage: import programme of %d: %w", orgID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("storage: import programme of %d: %w", orgID, err)
	}
	return len(rows), nil
}

// checkImportRow returns what is wrong with the row, the assignees'
// membership aside (that needs the records).
func checkImportRow(r ImportRow, now time.Time) []RowError {
	var bad []RowError
	if strings.TrimSpace(r.Direction) == "" {
		bad = append(bad, RowError{Row: r.Row, Field: "direction", Reason: "empty_direction"})
	}
	if strings.TrimSpace(r.Title) == "" {
		bad = append(bad, RowError{Row: r.Row, Field: "title", Reason: "empty_title"})
	}
	if r.Due.IsZero() || pastDue(r.Due, now) {
		bad = append(bad, RowError{Row: r.Row, Field: "due", Reason: "past_due"})
	}
	if len(r.AssigneeIDs) == 0 {
		bad = append(bad, RowError{Row: r.Row, Field: "assignee", Reason: "no_assignee"})
	}
	seen := map[int64]bool{}
	for _, id := range r.AssigneeIDs {
		if seen[id] {
			bad = append(bad, RowError{Row: r.Row, Field: "assignee", Reason: "duplicate_assignee"})
			break
		}
		seen[id] = true
	}
	return bad
}
