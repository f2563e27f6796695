package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// auditColumns selects an Audit from audits a.
const auditColumns = `a.id, a.year, a.number, a.org_id, a.auditor_org_id, a.area, a.date, a.lead_id,
	a.co_auditors, a.status, a.created_at, coalesce(a.closed_at, ` + zeroTime + `) as closed_at`

// findingColumns selects a Finding from findings f.
const findingColumns = `f.id, f.audit_id, f.kind, f.seq, f.requirement, f.description, f.place, f.status,
	coalesce(f.created_by, 0) as created_by, f.created_at, f.updated_at,
	coalesce(f.deleted_at, ` + zeroTime + `) as deleted_at`

// findingOrder lists findings by class (nonconformities, observations,
// improvements), then number.
const findingOrder = `order by case f.class when 'nonconformity' then 1 when 'observation' then 2 else 3 end, f.seq`

// kindOrder is the order of FindingKinds in SQL.
const kindOrder = `case f.kind when 'major' then 1 when 'minor' then 2 when 'observation' then 3 else 4 end`

// correctiveColumns selects a CorrectiveAction from corrective_actions c.
const correctiveColumns = `c.finding_id, c.task_id, c.cause, coalesce(c.created_by, 0) as created_by,
	c.created_at, coalesce(c.verified_by, 0) as verified_by,
	coalesce(c.verified_at, ` + zeroTime + `) as verified_at, c.effective, c.comment`

// CreateAudit opens an audit of a.OrgID led by a.LeadID and returns it as
// stored, numbered next in its organisation and year (the year of a.Date).
// a.AuditorOrgID may be zero (the audited organisation's own auditors);
// otherwise it must be the audited organisation or its mentor. It returns
// ErrNotFound for an unknown organisation; ErrInvalid for an empty area, no
// date, no lead, a co-auditor twice or who is the lead, an auditor
// organisation that is neither, or a lead or co-auditor who is not an
// active person of the auditors' organisation; ErrConflict when the lead
// already has an open audit.
func (s *Store) CreateAudit(ctx context.Context, actorID int64, a Audit) (Audit, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Audit{}, fmt.Errorf("storage: create audit: %w", err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	a, err = createAudit(ctx, tx, now, a)
	if err != nil {
		return Audit{}, fmt.Errorf("storage: create audit of %d: %w", a.OrgID, err)
	}
	detail := map[string]any{"org_id": a.OrgID, "auditor_org_id": a.AuditorOrgID}
	if err := logAction(ctx, tx, now, actorID, "audit.create", "audit", a.ID, detail); err != nil {
		return Audit{}, fmt.Errorf("storage: create audit: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Audit{}, fmt.Errorf("storage: create audit: %w", err)
	}
	return a, nil
}

// FindAudit returns the audit, or ErrNotFound.
func (s *Store) FindAudit(ctx context.Context, id int64) (Audit, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Audit{}, fmt.Errorf("storage: find audit %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	a, err := findAudit(ctx, tx, `where a.id = $1`, id)
	if err != nil {
		return Audit{}, fmt.Errorf("storage: find audit %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Audit{}, fmt.Errorf("storage: find audit %d: %w", id, err)
	}
	return a, nil
}

// OpenAuditOf returns the open audit the person leads or is a co-auditor
// of (the latest begun when several), or ErrNotFound.
func (s *Store) OpenAuditOf(ctx context.Context, personID int64) (Audit, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Audit{}, fmt.Errorf("storage: open audit of %d: %w", personID, err)
	}
	defer tx.Rollback(ctx)

	a, err := findAudit(ctx, tx, `where a.status = 'open'
		  and (a.lead_id = $1 or a.co_auditors @> array[$1::bigint])
		order by a.created_at desc, a.id desc limit 1`, personID)
	if err != nil {
		return Audit{}, fmt.Errorf("storage: open audit of %d: %w", personID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Audit{}, fmt.Errorf("storage: open audit of %d: %w", personID, err)
	}
	return a, nil
}

// CloseAudit closes an open audit: its findings can no longer be edited or
// deleted. It returns ErrNotFound for an unknown audit and ErrConflict for
// one already closed.
func (s *Store) CloseAudit(ctx context.Context, actorID, id int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: close audit %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	if _, err := lockOpenAudit(ctx, tx, id); err != nil {
		return fmt.Errorf("storage: close audit %d: %w", id, err)
	}
	if _, err := tx.Exec(ctx, `update audits set status = 'closed', closed_at = $2 where id = $1`, id, now); err != nil {
		return fmt.Errorf("storage: close audit %d: %w", id, err)
	}
	if err := logAction(ctx, tx, now, actorID, "audit.close", "audit", id, nil); err != nil {
		return fmt.Errorf("storage: close audit %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: close audit %d: %w", id, err)
	}
	return nil
}

// ListAuditAreas returns the organisation's processes and areas by name.
func (s *Store) ListAuditAreas(ctx context.Context, orgID int64) ([]AuditArea, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: list audit areas of %d: %w", orgID, err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `select id, org_id, name from audit_areas
		where org_id = $1 order by lower(name), id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("storage: list audit areas of %d: %w", orgID, err)
	}
	areas, err := pgx.CollectRows(rows, pgx.RowToStructByName[AuditArea])
	if err != nil {
		return nil, fmt.Errorf("storage: list audit areas of %d: %w", orgID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: list audit areas of %d: %w", orgID, err)
	}
	return areas, nil
}

// AddAuditArea adds a process or area to the organisation's list. It
// returns ErrInvalid for an empty name, ErrConflict for a name on the list
// (in any case) and ErrNotFound for an unknown organisation.
func (s *Store) AddAuditArea(ctx context.Context, actorID, orgID int64, name string) (AuditArea, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return AuditArea{}, fmt.Errorf("storage: add audit area to %d: empty name: %w", orgID, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return AuditArea{}, fmt.Errorf("storage: add audit area to %d: %w", orgID, err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `insert into audit_areas (org_id, name) values ($1, $2)
		returning id, org_id, name`, orgID, name)
	if err != nil {
		return AuditArea{}, fmt.Errorf("storage: add audit area to %d: %w", orgID, err)
	}
	area, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[AuditArea])
	switch pgCode(err) {
	case pgUniqueViolation:
		return AuditArea{}, fmt.Errorf("storage: add audit area to %d: %w", orgID, ErrConflict)
	case pgForeignKeyViolation:
		return AuditArea{}, fmt.Errorf("storage: add audit area to %d: %w", orgID, ErrNotFound)
	}
	if err != nil {
		return AuditArea{}, fmt.Errorf("storage: add audit area to %d: %w", orgID, err)
	}
	if err := logAction(ctx, tx, s.now(), actorID, "audit_area.add", "audit_area", area.ID, map[string]any{"org_id": orgID}); err != nil {
		return AuditArea{}, fmt.Errorf("storage: add audit area to %d: %w", orgID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return AuditArea{}, fmt.Errorf("storage: add audit area to %d: %w", orgID, err)
	}
	return area, nil
}

// AddFinding records a finding of the open audit f.AuditID, numbered next
// in its audit and class, with status open, and returns it as stored. It
// returns ErrInvalid for an unknown kind, ErrNotFound for an unknown audit
// and ErrConflict for a closed one.
func (s *Store) AddFinding(ctx context.Context, actorID int64, f Finding) (Finding, error) {
	if !f.Kind.Valid() {
		return Finding{}, fmt.Errorf("storage: add finding to audit %d: kind %q: %w", f.AuditID, f.Kind, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Finding{}, fmt.Errorf("storage: add finding: %w", err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	if _, err := lockOpenAudit(ctx, tx, f.AuditID); err != nil {
		return Finding{}, fmt.Errorf("storage: add finding to audit %d: %w", f.AuditID, err)
	}
	seq, err := nextFindingSeq(ctx, tx, f.AuditID, f.Kind.Class())
	if err != nil {
		return Finding{}, fmt.Errorf("storage: add finding to audit %d: %w", f.AuditID, err)
	}
	var id int64
	if err := tx.QueryRow(ctx, `
		insert into findings (audit_id, kind, seq, requirement, description, place, status,
		                      created_by, created_at, updated_at)
		values ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $8)
		returning id`,
		f.AuditID, f.Kind, seq, strings.TrimSpace(f.Requirement), strings.TrimSpace(f.Description),
		strings.TrimSpace(f.Place), nullID(actorID), now).Scan(&id); err != nil {
		return Finding{}, fmt.Errorf("storage: add finding to audit %d: %w", f.AuditID, err)
	}
	if f, err = findFinding(ctx, tx, `where f.id = $1`, id); err != nil {
		return Finding{}, fmt.Errorf("storage: add finding %d: %w", id, err)
	}
	detail := map[string]any{"audit_id": f.AuditID, "kind": string(f.Kind)}
	if err := logAction(ctx, tx, now, actorID, "finding.add", "finding", id, detail); err != nil {
		return Finding{}, fmt.Errorf("storage: add finding: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Finding{}, fmt.Errorf("storage: add finding: %w", err)
	}
	return f, nil
}

// FindFinding returns a finding that is not deleted, or ErrNotFound.
func (s *Store) FindFinding(ctx context.Context, id int64) (Finding, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Finding{}, fmt.Errorf("storage: find finding %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	f, err := findFinding(ctx, tx, `where f.id = $1 and f.deleted_at is null`, id)
	if err != nil {
		return Finding{}, fmt.Errorf("storage: find finding %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Finding{}, fmt.Errorf("storage: find finding %d: %w", id, err)
	}
	return f, nil
}

// UpdateFinding changes the kind, requirement, description and place of a
// finding of an open audit (the rest of f is ignored) and returns it as
// stored. A kind of another class takes the next number of that class. It
// returns ErrInvalid for an unknown kind, ErrNotFound for an unknown or
// deleted finding and ErrConflict when the audit is closed.
func (s *Store) UpdateFinding(ctx context.Context, actorID int64, f Finding) (Finding, error) {
	if !f.Kind.Valid() {
		return Finding{}, fmt.Errorf("storage: update finding %d: kind %q: %w", f.ID, f.Kind, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Finding{}, fmt.Errorf("storage: update finding %d: %w", f.ID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	old, err := lockEditableFinding(ctx, tx, f.ID)
	if err != nil {
		return Finding{}, fmt.Errorf("storage: update finding %d: %w", f.ID, err)
	}
	f.Requirement = strings.TrimSpace(f.Requirement)
	f.Description = strings.TrimSpace(f.Description)
	f.Place = strings.TrimSpace(f.Place)
	var changed []string
	if f.Kind != old.Kind {
		changed = append(changed, "kind")
	}
	if f.Requirement != old.Requirement {
		changed = append(changed, "requirement")
	}
	if f.Description != old.Description {
		changed = append(changed, "description")
	}
	if f.Place != old.Place {
		changed = append(changed, "place")
	}
	if len(changed) == 0 {
		return old, nil
	}
	seq := old.Seq
	if f.Kind.Class() != old.Kind.Class() {
		if seq, err = nextFindingSeq(ctx, tx, old.AuditID, f.Kind.Class()); err != nil {
			return Finding{}, fmt.Errorf("storage: update finding %d: %w", f.ID, err)
		}
	}
	if _, err := tx.Exec(ctx, `
		update findings set kind = $2, seq = $3, requirement = $4, description = $5, place = $6,
		                    updated_at = $7
		where id = $1`, f.ID, f.Kind, seq, f.Requirement, f.Description, f.Place, now); err != nil {
		return Finding{}, fmt.Errorf("storage: update finding %d: %w", f.ID, err)
	}
	if f, err = findFinding(ctx, tx, `where f.id = $1`, old.ID); err != nil {
		return Finding{}, fmt.Errorf("storage: update finding %d: %w", old.ID, err)
	}
	if err := logAction(ctx, tx, now, actorID, "finding.update", "finding", f.ID, map[string]any{"changed": changed}); err != nil {
		return Finding{}, fmt.Errorf("storage: update finding %d: %w", f.ID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Finding{}, fmt.Errorf("storage: update finding %d: %w", f.ID, err)
	}
	return f, nil
}

// DeleteFinding deletes a finding of an open audit, keeping the row (and
// its number) for the log. It returns ErrNotFound for an unknown or deleted
// finding and ErrConflict when the audit is closed.
func (s *Store) DeleteFinding(ctx context.Context, actorID, id int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: delete finding %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	if _, err := lockEditableFinding(ctx, tx, id); err != nil {
		return fmt.Errorf("storage: delete finding %d: %w", id, err)
	}
	if _, err := tx.Exec(ctx, `update findings set deleted_at = $2, updated_at = $2 where id = $1`, id, now); err != nil {
		return fmt.Errorf("storage: delete finding %d: %w", id, err)
	}
	if err := logAction(ctx, tx, now, actorID, "finding.delete", "finding", id, nil); err != nil {
		return fmt.Errorf("storage: delete finding %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: delete finding %d: %w", id, err)
	}
	return nil
}

// ListFindings returns the audit's findings that are not deleted:
// nonconformities, observations, then improvements, each by number. It
// returns ErrNotFound for an unknown audit.
func (s *Store) ListFindings(ctx context.Context, auditID int64) ([]Finding, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: list findings of audit %d: %w", auditID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := findAudit(ctx, tx, `where a.id = $1`, auditID); err != nil {
		return nil, fmt.Errorf("storage: list findings of audit %d: %w", auditID, err)
	}
	fs, err := listFindings(ctx, tx, `where f.audit_id = $1 and f.deleted_at is null `+findingOrder, auditID)
	if err != nil {
		return nil, fmt.Errorf("storage: list findings of audit %d: %w", auditID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: list findings of audit %d: %w", auditID, err)
	}
	return fs, nil
}

// OpenFindingsOf returns the last closed audit of the organisation and
// those of its findings not deleted and not closed, in ListFindings'
// order, to be checked at the start of the next audit. It returns
// ErrNotFound when the organisation has no closed audit.
func (s *Store) OpenFindingsOf(ctx context.Context, orgID int64) (Audit, []Finding, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Audit{}, nil, fmt.Errorf("storage: open findings of %d: %w", orgID, err)
	}
	defer tx.Rollback(ctx)

	a, err := findAudit(ctx, tx, `where a.org_id = $1 and a.status = 'closed'
		order by a.closed_at desc, a.id desc limit 1`, orgID)
	if err != nil {
		return Audit{}, nil, fmt.Errorf("storage: open findings of %d: %w", orgID, err)
	}
	fs, err := listFindings(ctx, tx, `where f.audit_id = $1 and f.deleted_at is null
		and f.status <> 'closed' `+findingOrder, a.ID)
	if err != nil {
		return Audit{}, nil, fmt.Errorf("storage: open findings of %d: %w", orgID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Audit{}, nil, fmt.Errorf("storage: open findings of %d: %w", orgID, err)
	}
	return a, fs, nil
}

// SetCorrectiveAction links a finding to the task of the audited school's
// programme that corrects it, with the cause found, and sets the finding's
// status to action. A finding reopened (or with an action not yet
// verified) gets the new task and cause, and the earlier verification is
// cleared. It returns ErrNotFound for an unknown or deleted finding or an
// unknown task, ErrInvalid for a task of another organisation or a
// cancelled one, and ErrConflict for a closed finding.
func (s *Store) SetCorrectiveAction(ctx context.Context, actorID, findingID, taskID int64, cause string) (CorrectiveAction, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return CorrectiveAction{}, fmt.Errorf("storage: set corrective action of %d: %w", findingID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	c, err := setCorrectiveAction(ctx, tx, now, actorID, findingID, taskID, strings.TrimSpace(cause))
	if err != nil {
		return CorrectiveAction{}, fmt.Errorf("storage: set corrective action of %d: %w", findingID, err)
	}
	if err := logAction(ctx, tx, now, actorID, "finding.action", "finding", findingID, map[string]any{"task_id": taskID}); err != nil {
		return CorrectiveAction{}, fmt.Errorf("storage: set corrective action of %d: %w", findingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return CorrectiveAction{}, fmt.Errorf("storage: set corrective action of %d: %w", findingID, err)
	}
	return c, nil
}

// FindCorrectiveAction returns the corrective action of a finding, or
// ErrNotFound.
func (s *Store) FindCorrectiveAction(ctx context.Context, findingID int64) (CorrectiveAction, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return CorrectiveAction{}, fmt.Errorf("storage: find corrective action of %d: %w", findingID, err)
	}
	defer tx.Rollback(ctx)

	c, err := findCorrectiveAction(ctx, tx, findingID)
	if err != nil {
		return CorrectiveAction{}, fmt.Errorf("storage: find corrective action of %d: %w", findingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return CorrectiveAction{}, fmt.Errorf("storage: find corrective action of %d: %w", findingID, err)
	}
	return c, nil
}

// VerifyAction records the auditor's verification of a finding's
// corrective action: effective closes the finding, not effective reopens
// it, with the comment. Only an action whose task was reported done (and
// claimed by ClaimVerifications) can be verified. It returns ErrNotFound
// for an unknown or deleted finding and ErrConflict for a finding whose
// status is not action or whose action was not reported done.
func (s *Store) VerifyAction(ctx context.Context, actorID, findingID int64, effective bool, comment string) (Finding, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Finding{}, fmt.Errorf("storage: verify action of %d: %w", findingID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	f, err := verifyAction(ctx, tx, now, actorID, findingID, effective, strings.TrimSpace(comment))
	if err != nil {
		return Finding{}, fmt.Errorf("storage: verify action of %d: %w", findingID, err)
	}
	if err := logAction(ctx, tx, now, actorID, "finding.verify", "finding", findingID, map[string]any{"effective": effective}); err != nil {
		return Finding{}, fmt.Errorf("storage: verify action of %d: %w", findingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Finding{}, fmt.Errorf("storage: verify action of %d: %w", findingID, err)
	}
	return f, nil
}

// FindingsByProcess counts the findings (not deleted) of every audit of
// the organisations, by process or area (areas differing only in case are
// one, under the spelling of its earliest audit) and kind, ordered by area
// then kind.
func (s *Store) FindingsByProcess(ctx context.Context, orgIDs []int64) ([]ProcessCount, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: findings by process: %w", err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `
		with areas as (
			select lower(area) as key, (array_agg(area order by id))[1] as area
			from audits where org_id = any($1)
			group by lower(area))
		select min(r.area) as area, f.kind, count(*)::integer as count
		from findings f
		join audits a on a.id = f.audit_id
		join areas r on r.key = lower(a.area)
		where a.org_id = any($1) and f.deleted_at is null
		group by r.key, f.kind
		order by r.key, min(`+kindOrder+`)`, orgIDs)
	if err != nil {
		return nil, fmt.Errorf("storage: findings by process: %w", err)
	}
	counts, err := pgx.CollectRows(rows, pgx.RowToStructByName[ProcessCount])
	if err != nil {
		return nil, fmt.Errorf("storage: findings by process: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: findings by process: %w", err)
	}
	return counts, nil
}

// createAudit checks and inserts an audit, allocating its number. The
// error wraps ErrNotFound, ErrInvalid or ErrConflict.
func createAudit(ctx context.Context, tx pgx.Tx, now time.Time, a Audit) (Audit, error) {
	a.Area = strings.TrimSpace(a.Area)
	if a.Area == "" {
		return a, fmt.Errorf("empty area: %w", ErrInvalid)
	}
	if a.Date.IsZero() {
		return a, fmt.Errorf("no date: %w", ErrInvalid)
	}
	if a.LeadID == 0 {
		return a, fmt.Errorf("no lead: %w", ErrInvalid)
	}
	auditors := append([]int64{a.LeadID}, a.CoAuditors...)
	sorted := slices.Clone(auditors)
	slices.Sort(sorted)
	if len(slices.Compact(sorted)) != len(auditors) {
		return a, fmt.Errorf("an auditor twice: %w", ErrInvalid)
	}
	org, err := findOrganisationByID(ctx, tx, a.OrgID)
	if err != nil {
		return a, fmt.Errorf("organisation %d: %w", a.OrgID, err)
	}
	if a.AuditorOrgID == 0 {
		a.AuditorOrgID = a.OrgID
	}
	if a.AuditorOrgID != a.OrgID && a.AuditorOrgID != org.MentorID {
		return a, fmt.Errorf("organisation %d neither is nor mentors %d: %w", a.AuditorOrgID, a.OrgID, ErrInvalid)
	}
	if bad, err := strangers(ctx, tx, a.AuditorOrgID, auditors); err != nil {
		return a, err
	} else if len(bad) > 0 {
		return a, fmt.Errorf("auditors %v are not active people of organisation %d: %w", bad, a.AuditorOrgID, ErrInvalid)
	}

	y, m, d := a.Date.Date()
	date := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	var number int
	if err := tx.QueryRow(ctx, `
		insert into audit_numbers (org_id, year, last) values ($1, $2, 1)
		on conflict (org_id, year) do update set last = audit_numbers.last + 1
		returning last`, a.OrgID, y).Scan(&number); err != nil {
		return a, err
	}
	var id int64
	err = tx.QueryRow(ctx, `
		insert into audits (org_id, auditor_org_id, year, number, area, date, lead_id, co_auditors,
		                    status, created_at)
		values ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9)
		returning id`,
		a.OrgID, a.AuditorOrgID, y, number, a.Area, date, a.LeadID, nonNil(a.CoAuditors), now).Scan(&id)
	if pgCode(err) == pgUniqueViolation {
		return a, fmt.Errorf("lead %d has an open audit: %w", a.LeadID, ErrConflict)
	}
	if err != nil {
		return a, err
	}
	return findAudit(ctx, tx, `where a.id = $1`, id)
}

// nonNil is ids, or an empty list for nil (the column is not null).
func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

func findAudit(ctx context.Context, tx pgx.Tx, where string, args ...any) (Audit, error) {
	rows, err := tx.Query(ctx, `select `+auditColumns+` from audits a `+where, args...)
	if err != nil {
		return Audit{}, err
	}
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Audit])
	if errors.Is(err, pgx.ErrNoRows) {
		return Audit{}, ErrNotFound
	}
	return a, err
}

// lockOpenAudit locks an audit's row, so findings are numbered one at a
// time and the audit is not closed meanwhile. The error wraps ErrNotFound
// for an unknown audit and ErrConflict for a closed one.
func lockOpenAudit(ctx context.Context, tx pgx.Tx, id int64) (Audit, error) {
	a, err := findAudit(ctx, tx, `where a.id = $1 for update`, id)
	if err != nil {
		return Audit{}, err
	}
	if a.Status != AuditOpen {
		return Audit{}, fmt.Errorf("audit %d closed: %w", id, ErrConflict)
	}
	return a, nil
}

// lockEditableFinding locks the open audit of a finding that is not
// deleted, then returns the finding. The error wraps ErrNotFound or
// ErrConflict.
func lockEditableFinding(ctx context.Context, tx pgx.Tx, id int64) (Finding, error) {
	f, err := findFinding(ctx, tx, `where f.id = $1 and f.deleted_at is null`, id)
	if err != nil {
		return Finding{}, err
	}
	if _, err := lockOpenAudit(ctx, tx, f.AuditID); err != nil {
		return Finding{}, err
	}
	// Read again under the audit's lock: a concurrent delete has finished.
	return findFinding(ctx, tx, `where f.id = $1 and f.deleted_at is null for update`, id)
}

// nextFindingSeq is the next number of the class in the audit, deleted
// findings counted. The caller holds the audit's lock.
func nextFindingSeq(ctx context.Context, tx pgx.Tx, auditID int64, class FindingClass) (int, error) {
	var seq int
	err := tx.QueryRow(ctx, `select coalesce(max(seq), 0) + 1 from findings
		where audit_id = $1 and class = $2`, auditID, class).Scan(&seq)
	return seq, err
}

func findFinding(ctx context.Context, tx pgx.Tx, where string, args ...any) (Finding, error) {
	rows, err := tx.Query(ctx, `select `+findingColumns+` from findings f `+where, args...)
	if err != nil {
		return Finding{}, err
	}
	f, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Finding])
	if errors.Is(err, pgx.ErrNoRows) {
		return Finding{}, ErrNotFound
	}
	return f, err
}

func listFindings(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]Finding, error) {
	rows, err := tx.Query(ctx, `select `+findingColumns+` from findings f `+where, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[Finding])
}

func findCorrectiveAction(ctx context.Context, tx pgx.Tx, findingID int64) (CorrectiveAction, error) {
	rows, err := tx.Query(ctx, `select `+correctiveColumns+` from corrective_actions c
		where c.finding_id = $1`, findingID)
	if err != nil {
		return CorrectiveAction{}, err
	}
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[CorrectiveAction])
	if errors.Is(err, pgx.ErrNoRows) {
		return CorrectiveAction{}, ErrNotFound
	}
	return c, err
}

func setCorrectiveAction(ctx context.Context, tx pgx.Tx, now time.Time, actorID, findingID, taskID int64, cause string) (CorrectiveAction, error) {
	f, err := findFinding(ctx, tx, `where f.id = $1 and f.deleted_at is null for update`, findingID)
	if err != nil {
		return CorrectiveAction{}, err
	}
	if f.Status == FindingClosed || f.Status == FindingVerified {
		return CorrectiveAction{}, fmt.Errorf("finding %s: %w", f.Status, ErrConflict)
	}
	a, err := findAudit(ctx, tx, `where a.id = $1`, f.AuditID)
	if err != nil {
		return CorrectiveAction{}, err
	}
	t, err := findTask(ctx, tx, `where t.id = $1`, taskID)
	if err != nil {
		return CorrectiveAction{}, fmt.Errorf("task %d: %w", taskID, err)
	}
	if t.OrgID != a.OrgID {
		return CorrectiveAction{}, fmt.Errorf("task %d of organisation %d, audit of %d: %w", taskID, t.OrgID, a.OrgID, ErrInvalid)
	}
	if !t.CancelledAt.IsZero() {
		return CorrectiveAction{}, fmt.Errorf("task %d cancelled: %w", taskID, ErrInvalid)
	}
	if _, err := tx.Exec(ctx, `
		insert into corrective_actions (finding_id, task_id, cause, created_by, created_at)
		values ($1, $2, $3, $4, $5)
		on conflict (finding_id) do update set task_id = excluded.task_id, cause = excluded.cause,
			created_by = excluded.created_by, created_at = excluded.created_at,
			verified_by = null, verified_at = null, effective = null, comment = '', asked_at = null`,
		findingID, taskID, cause, nullID(actorID), now); err != nil {
		return CorrectiveAction{}, err
	}
	if _, err := tx.Exec(ctx, `update findings set status = 'action', updated_at = $2 where id = $1`, findingID, now); err != nil {
		return CorrectiveAction{}, err
	}
	return findCorrectiveAction(ctx, tx, findingID)
}

func verifyAction(ctx context.Context, tx pgx.Tx, now time.Time, actorID, findingID int64, effective bool, comment string) (Finding, error) {
	f, err := findFinding(ctx, tx, `where f.id = $1 and f.deleted_at is null for update`, findingID)
	if err != nil {
		return Finding{}, err
	}
	if f.Status != FindingAction {
		return Finding{}, fmt.Errorf("finding %s, not awaiting verification: %w", f.Status, ErrConflict)
	}
	tag, err := tx.Exec(ctx, `
		update corrective_actions set verified_by = $2, verified_at = $3, effective = $4, comment = $5
		where finding_id = $1 and asked_at is not null`, findingID, nullID(actorID), now, effective, comment)
	if err != nil {
		return Finding{}, err
	}
	if tag.RowsAffected() == 0 {
		return Finding{}, fmt.Errorf("corrective action not reported done: %w", ErrConflict)
	}
	status := FindingReopened
	if effective {
		status = FindingClosed
	}
	if _, err := tx.Exec(ctx, `update findings set status = $2, updated_at = $3 where id = $1`, findingID, status, now); err != nil {
		return Finding{}, err
	}
	return findFinding(ctx, tx, `where f.id = $1`, findingID)
}
