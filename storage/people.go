package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// personColumns selects a Person for pgx.RowToStructByName; the zero time
// stands for a missing consent.
const personColumns = `id, coalesce(telegram_id, 0) as telegram_id, full_name,
	coalesce(org_id, 0) as org_id,
	coalesce(consent_at, '0001-01-01 00:00:00Z'::timestamptz) as consent_at,
	active, created_at`

// FindPersonByTelegramID returns the active person with the Telegram id and
// their roles. Strangers, deactivated and forgotten people give ErrNotFound.
func (s *Store) FindPersonByTelegramID(ctx context.Context, telegramID int64) (Person, []RoleGrant, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Person{}, nil, fmt.Errorf("storage: find person by telegram id: %w", err)
	}
	defer tx.Rollback(ctx)

	p, err := findPerson(ctx, tx, `where telegram_id = $1 and active`, telegramID)
	if err != nil {
		return Person{}, nil, fmt.Errorf("storage: find person by telegram id: %w", err)
	}
	roles, err := personRoles(ctx, tx, p.ID)
	if err != nil {
		return Person{}, nil, fmt.Errorf("storage: find person by telegram id: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Person{}, nil, fmt.Errorf("storage: find person by telegram id: %w", err)
	}
	return p, roles, nil
}

// FindPersonByID returns the person, active or not, and their roles, or
// ErrNotFound.
func (s *Store) FindPersonByID(ctx context.Context, id int64) (Person, []RoleGrant, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Person{}, nil, fmt.Errorf("storage: find person %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	p, err := findPerson(ctx, tx, `where id = $1`, id)
	if err != nil {
		return Person{}, nil, fmt.Errorf("storage: find person %d: %w", id, err)
	}
	roles, err := personRoles(ctx, tx, p.ID)
	if err != nil {
		return Person{}, nil, fmt.Errorf("storage: find person %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Person{}, nil, fmt.Errorf("storage: find person %d: %w", id, err)
	}
	return p, roles, nil
}

// ListPeople returns people, active and inactive, ordered by name, with their
// roles. orgID 0 means every organisation; otherwise a person belongs to the
// organisation by their own org or by a role granted in it. role "" means
// any role; otherwise the person must hold it (in orgID when given; an
// association-wide grant counts for the person's own organisation).
// Forgotten people are left out: they have no name to list.
func (s *Store) ListPeople(ctx context.Context, orgID int64, role Role) ([]PersonRoles, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: list people: %w", err)
	}
	defer tx.Rollback(ctx)

	people, err := listPeople(ctx, tx, orgID, role)
	if err != nil {
		return nil, fmt.Errorf("storage: list people: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: list people: %w", err)
	}
	return people, nil
}

// RenamePerson changes the person's full name (their own /profile). It
// returns ErrNotFound for an unknown or forgotten person and ErrInvalid for
// an empty name.
func (s *Store) RenamePerson(ctx context.Context, personID int64, fullName string) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: rename person %d: %w", personID, err)
	}
	defer tx.Rollback(ctx)

	fullName = strings.TrimSpace(fullName)
	if fullName == "" {
		return fmt.Errorf("storage: rename person %d: empty name: %w", personID, ErrInvalid)
	}
	tag, err := tx.Exec(ctx, `update people set full_name = $2 where id = $1 and forgotten_at is null`,
		personID, fullName)
	if err != nil {
		return fmt.Errorf("storage: rename person %d: %w", personID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("storage: rename person %d: %w", personID, ErrNotFound)
	}
	// The name itself stays out of the log: the row outlives a forget-me.
	if err := logAction(ctx, tx, s.now(), personID, "person.rename", "person", personID, nil); err != nil {
		return fmt.Errorf("storage: rename person %d: %w", personID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: rename person %d: %w", personID, err)
	}
	return nil
}

// DeactivatePerson stops the person from using the bot; their roles are kept
// for the record but FindPersonByTelegramID no longer finds them. It returns
// ErrNotFound for an unknown person.
func (s *Store) DeactivatePerson(ctx context.Context, actorID, personID int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: deactivate person %d: %w", personID, err)
	}
	defer tx.Rollback(ctx)

	tag, err := tx.Exec(ctx, `update people set active = false where id = $1`, personID)
	if err != nil {
		return fmt.Errorf("storage: deactivate person %d: %w", personID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("storage: deactivate person %d: %w", personID, ErrNotFound)
	}
	if err := logAction(ctx, tx, s.now(), actorID, "person.deactivate", "person", personID, nil); err != nil {
		return fmt.Errorf("storage: deactivate person %d: %w", personID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: deactivate person %d: %w", personID, err)
	}
	return nil
}

// MarkInactiveByTelegramID deactivates the person with the Telegram id
// because they blocked the bot (Telegram answered 403). An unknown or already
// inactive id is not an error. A new invite brings the person back.
func (s *Store) MarkInactiveByTelegramID(ctx context.Context, telegramID int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: mark inactive: %w", err)
	}
	defer tx.Rollback(ctx)

	var personID int64
	err = tx.QueryRow(ctx, `
		update people set active = false
		where telegram_id = $1 and active
		returning id`, telegramID).Scan(&personID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("storage: mark inactive: %w", err)
	}
	// The system did this, not a person.
	if err := logAction(ctx, tx, s.now(), 0, "person.blocked_bot", "person", personID, nil); err != nil {
		return fmt.Errorf("storage: mark inactive: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: mark inactive: %w", err)
	}
	return nil
}

// ForgetPerson carries out a person's forget-me: their name and Telegram id
// are cleared, forgotten_at is set, they are deactivated and their roles
// removed. The rows they created and the action log stay, attributed to the
// nameless person. It returns ErrNotFound for an unknown person.
func (s *Store) ForgetPerson(ctx context.Context, personID int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: forget person %d: %w", personID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	tag, err := tx.Exec(ctx, `
		update people
		set full_name = '', telegram_id = null, active = false,
		    forgotten_at = coalesce(forgotten_at, $2)
		where id = $1`, personID, now)
	if err != nil {
		return fmt.Errorf("storage: forget person %d: %w", personID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("storage: forget person %d: %w", personID, ErrNotFound)
	}
	if _, err := tx.Exec(ctx, `delete from person_roles where person_id = $1`, personID); err != nil {
		return fmt.Errorf("storage: forget person %d: %w", personID, err)
	}
	if err := logAction(ctx, tx, now, personID, "person.forget", "person", personID, nil); err != nil {
		return fmt.Errorf("storage: forget person %d: %w", personID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: forget person %d: %w", personID, err)
	}
	return nil
}

// findPerson returns the one person matched by where (with its argument).
func findPerson(ctx context.Context, tx pgx.Tx, where string, arg any) (Person, error) {
	rows, err := tx.Query(ctx, `select `+personColumns+` from people `+where, arg)
	if err != nil {
		return Person{}, err
	}
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Person])
	if errors.Is(err, pgx.ErrNoRows) {
		return Person{}, ErrNotFound
	}
	return p, err
}

// roleNames lists the roles in menu order, so grants come back in that order.
func roleNames() []string {
	var names []string
	for _, r := range Roles() {
		names = append(names, string(r))
	}
	return names
}

// personRoles returns the grants of the people, in menu order.
func personRoles(ctx context.Context, tx pgx.Tx, personIDs ...int64) ([]RoleGrant, error) {
	rows, err := tx.Query(ctx, `
		select person_id, role, coalesce(org_id, 0) as org_id
		from person_roles
		where person_id = any($1)
		order by person_id, array_position($2::text[], role), org_id nulls first`,
		personIDs, roleNames())
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[RoleGrant])
}

func listPeople(ctx context.Context, tx pgx.Tx, orgID int64, role Role) ([]PersonRoles, error) {
	rows, err := tx.Query(ctx, `
		select `+personColumns+`
		from people p
		where p.forgotten_at is null
		  and ($1 = 0 or p.org_id = $1
		       or exists (select 1 from person_roles r where r.person_id = p.id and r.org_id = $1))
		  and ($2 = '' or exists (
		       select 1 from person_roles r
		       where r.person_id = p.id and r.role = $2
		         and ($1 = 0 or coalesce(r.org_id, p.org_id) = $1)))
		order by p.full_name, p.id`, orgID, string(role))
	if err != nil {
		return nil, err
	}
	people, err := pgx.CollectRows(rows, pgx.RowToStructByName[Person])
	if err != nil {
		return nil, err
	}
	if len(people) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	grants, err := personRoles(ctx, tx, ids...)
	if err != nil {
		return nil, err
	}
	byPerson := make(map[int64][]RoleGrant)
	for _, g := range grants {
		byPerson[g.PersonID] = append(byPerson[g.PersonID], g)
	}
	out := make([]PersonRoles, len(people))
	for i, p := range people {
		out[i] = PersonRoles{Person: p, Roles: byPerson[p.ID]}
	}
	return out, nil
}

// grantRole gives the person the role (in orgID, 0 for association-wide); an
// existing identical grant is left as it is.
func grantRole(ctx context.Context, tx pgx.Tx, personID int64, role Role, orgID int64) error {
	_, err := tx.Exec(ctx, `
		insert into person_roles (person_id, role, org_id) values ($1, $2, $3)
		on conflict do nothing`, personID, string(role), nullID(orgID))
	return err
}
