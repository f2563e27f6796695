package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// findingViewQuery selects FindingViews: findings f of audits a, with the
// corrective action c and its task t when there is one.
const findingViewQuery = `select ` + findingColumns + `, a.org_id, a.year as audit_year,
		a.number as audit_number, a.area, a.lead_id,
		coalesce(c.task_id, 0) as task_id, coalesce(t.due, ` + zeroTime + `) as due,
		coalesce(t.has_time, false) as has_time
	from findings f
	join audits a on a.id = f.audit_id
	left join corrective_actions c on c.finding_id = f.id
	left join tasks t on t.id = c.task_id `

// findingViewOrder lists views by organisation, audit, then as findings.
const findingViewOrder = ` order by a.org_id, a.date desc, a.id desc,
	case f.class when 'nonconformity' then 1 when 'observation' then 2 else 3 end, f.seq`

// OpenFindings lists the findings of the organisations' closed audits
// that are not deleted and not closed, newest audit first.
func (s *Store) OpenFindings(ctx context.Context, orgIDs []int64) ([]FindingView, error) {
	vs, err := s.findingViews(ctx, `where a.org_id = any($1) and a.status = 'closed'
		and f.deleted_at is null and f.status <> 'closed'`, orgIDs)
	if err != nil {
		return nil, fmt.Errorf("storage: open findings: %w", err)
	}
	return vs, nil
}

// OverdueActions lists the findings of the organisations whose corrective
// action is past its deadline at now and not yet reported done by every
// assignee (a date-only deadline runs to the end of its day, 24 hours
// after the stored local midnight).
func (s *Store) OverdueActions(ctx context.Context, orgIDs []int64, now time.Time) ([]FindingView, error) {
	vs, err := s.findingViews(ctx, `where a.org_id = any($1) and f.deleted_at is null
		and f.status in ('action', 'reopened') and t.cancelled_at is null
		and case when t.has_time then t.due <= $2 else t.due + interval '1 day' <= $2 end
		and exists (select 1 from task_assignments ta where ta.task_id = t.id
			and ta.status in ('assigned', 'accepted', 'returned'))`, orgIDs, now)
	if err != nil {
		return nil, fmt.Errorf("storage: overdue actions: %w", err)
	}
	return vs, nil
}

// FindFindingView returns one finding (not deleted) as the views show it,
// or ErrNotFound.
func (s *Store) FindFindingView(ctx context.Context, id int64) (FindingView, error) {
	vs, err := s.findingViews(ctx, `where f.id = $1 and f.deleted_at is null`, id)
	if err != nil {
		return FindingView{}, fmt.Errorf("storage: finding view %d: %w", id, err)
	}
	if len(vs) == 0 {
		return FindingView{}, fmt.Errorf("storage: finding view %d: %w", id, ErrNotFound)
	}
	return vs[0], nil
}

func (s *Store) findingViews(ctx context.Context, where string, args ...any) ([]FindingView, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, findingViewQuery+where+findingViewOrder, args...)
	if err != nil {
		return nil, err
	}
	vs, err := pgx.CollectRows(rows, pgx.RowToStructByName[FindingView])
	if err != nil {
		return nil, err
	}
	return vs, tx.Commit(ctx)
}

// ClaimVerifications claims up to limit corrective actions whose task
// every assignee has reported done (or had confirmed) since the auditors
// were last asked, and returns them to be asked: each is claimed once,
// across replicas. A finding reopened by «не эффективно» goes back to
// action, its earlier verification cleared (the action log keeps it).
func (s *Store) ClaimVerifications(ctx context.Context, limit int) ([]Verification, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: claim verifications: %w", err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	rows, err := tx.Query(ctx, `
		select c.finding_id
		from corrective_actions c
		join findings f on f.id = c.finding_id
		join tasks t on t.id = c.task_id
		where f.deleted_at is null and f.status in ('action', 'reopened') and t.cancelled_at is null
		  and not exists (select 1 from task_assignments ta where ta.task_id = t.id
		                  and ta.status not in ('done', 'confirmed', 'cancelled'))
		  and exists (select 1 from task_assignments ta where ta.task_id = t.id
		                  and ta.status in ('done', 'confirmed'))
		  and (select max(r.sent_at) from task_reports r where r.task_id = t.id)
		      > coalesce(c.asked_at, '-infinity')
		order by c.finding_id
		limit $1
		for update of c skip locked`, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: claim verifications: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("storage: claim verifications: %w", err)
	}
	if len(ids) == 0 {
		return nil, tx.Commit(ctx)
	}
	if _, err := tx.Exec(ctx, `
		update corrective_actions set asked_at = $2, verified_by = null, verified_at = null,
			effective = null, comment = ''
		where finding_id = any($1)`, ids, now); err != nil {
		return nil, fmt.Errorf("storage: claim verifications: %w", err)
	}
	if _, err := tx.Exec(ctx, `update findings set status = 'action', updated_at = $2
		where id = any($1) and status = 'reopened'`, ids, now); err != nil {
		return nil, fmt.Errorf("storage: claim verifications: %w", err)
	}
	rows, err = tx.Query(ctx, `select `+findingColumns+`, a.org_id, a.year as audit_year,
			a.number as audit_number, a.area, a.lead_id, c.task_id, t.due, t.has_time,
			c.cause, t.title as task_title, a.co_auditors
		from findings f
		join audits a on a.id = f.audit_id
		join corrective_actions c on c.finding_id = f.id
		join tasks t on t.id = c.task_id
		where f.id = any($1) order by f.id`, ids)
	if err != nil {
		return nil, fmt.Errorf("storage: claim verifications: %w", err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Verification])
	if err != nil {
		return nil, fmt.Errorf("storage: claim verifications: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: claim verifications: %w", err)
	}
	return vs, nil
}
