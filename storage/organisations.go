package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// organisationColumns selects an Organisation for pgx.RowToStructByName.
const organisationColumns = `id, name, short_name, municipality, status,
	coalesce(mentor_id, 0) as mentor_id, created_at, address`

// CreateOrganisation adds an organisation and returns it with its id and
// creation time. An empty status means member. It returns ErrConflict when
// the name is taken (ignoring case) and ErrInvalid for an empty name or an
// unknown status.
func (s *Store) CreateOrganisation(ctx context.Context, actorID int64, o Organisation) (Organisation, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Organisation{}, fmt.Errorf("storage: create organisation: %w", err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	o, err = createOrganisation(ctx, tx, now, o)
	if err != nil {
		return Organisation{}, fmt.Errorf("storage: create organisation: %w", err)
	}
	if err := logAction(ctx, tx, now, actorID, "organisation.create", "organisation", o.ID, nil); err != nil {
		return Organisation{}, fmt.Errorf("storage: create organisation: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Organisation{}, fmt.Errorf("storage: create organisation: %w", err)
	}
	return o, nil
}

// UpdateOrganisation changes the name, short name, municipality and status of
// the organisation o.ID (not its mentor: see SetMentor). It returns
// ErrNotFound, ErrConflict for a taken name and ErrInvalid as
// CreateOrganisation does.
func (s *Store) UpdateOrganisation(ctx context.Context, actorID int64, o Organisation) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: update organisation %d: %w", o.ID, err)
	}
	defer tx.Rollback(ctx)

	if err := updateOrganisation(ctx, tx, o); err != nil {
		return fmt.Errorf("storage: update organisation %d: %w", o.ID, err)
	}
	if err := logAction(ctx, tx, s.now(), actorID, "organisation.update", "organisation", o.ID, nil); err != nil {
		return fmt.Errorf("storage: update organisation %d: %w", o.ID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: update organisation %d: %w", o.ID, err)
	}
	return nil
}

// FindOrganisationByID returns the organisation, or ErrNotFound.
func (s *Store) FindOrganisationByID(ctx context.Context, id int64) (Organisation, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Organisation{}, fmt.Errorf("storage: find organisation %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	o, err := findOrganisationByID(ctx, tx, id)
	if err != nil {
		return Organisation{}, fmt.Errorf("storage: find organisation %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Organisation{}, fmt.Errorf("storage: find organisation %d: %w", id, err)
	}
	return o, nil
}

// ListOrganisations returns every organisation, ordered by name.
func (s *Store) ListOrganisations(ctx context.Context) ([]Organisation, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: list organisations: %w", err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `select `+organisationColumns+`
		from organisations
		order by lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("storage: list organisations: %w", err)
	}
	orgs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Organisation])
	if err != nil {
		return nil, fmt.Errorf("storage: list organisations: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: list organisations: %w", err)
	}
	return orgs, nil
}

// SetMentor pairs the candidate organisation with its mentor; mentorID 0
// clears the pairing. It returns ErrNotFound when either organisation does
// not exist and ErrConflict when a school would mentor itself.
func (s *Store) SetMentor(ctx context.Context, actorID, candidateID, mentorID int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: set mentor of %d: %w", candidateID, err)
	}
	defer tx.Rollback(ctx)

	if err := setMentor(ctx, tx, candidateID, mentorID); err != nil {
		return fmt.Errorf("storage: set mentor of %d: %w", candidateID, err)
	}
	detail := map[string]any{"mentor_id": mentorID}
	if err := logAction(ctx, tx, s.now(), actorID, "organisation.set_mentor", "organisation", candidateID, detail); err != nil {
		return fmt.Errorf("storage: set mentor of %d: %w", candidateID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: set mentor of %d: %w", candidateID, err)
	}
	return nil
}

// checkOrganisation normalises and validates the editable fields of o.
func checkOrganisation(o Organisation) (Organisation, error) {
	o.Name = strings.TrimSpace(o.Name)
	o.ShortName = strings.TrimSpace(o.ShortName)
	o.Municipality = strings.TrimSpace(o.Municipality)
	if o.Status == "" {
		o.Status = OrgMember
	}
	if o.Name == "" {
		return o, fmt.Errorf("empty name: %w", ErrInvalid)
	}
	if o.Status != OrgMember && o.Status != OrgCandidate && o.Status != OrgFormer {
		return o, fmt.Errorf("status %q: %w", o.Status, ErrInvalid)
	}
	return o, nil
}

func createOrganisation(ctx context.Context, tx pgx.Tx, now time.Time, o Organisation) (Organisation, error) {
	o, err := checkOrganisation(o)
	if err != nil {
		return Organisation{}, err
	}
	rows, err := tx.Query(ctx, `
		insert into organisations (name, short_name, municipality, status, mentor_id, created_at)
		values ($1, $2, $3, $4, $5, $6)
		returning `+organisationColumns,
		o.Name, o.ShortName, o.Municipality, o.Status, nullID(o.MentorID), now)
	if err != nil {
		return Organisation{}, err
	}
	o, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Organisation])
	return o, orgError(err)
}

func updateOrganisation(ctx context.Context, tx pgx.Tx, o Organisation) error {
	o, err := checkOrganisation(o)
	if err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `
		update organisations
		set name = $2, short_name = $3, municipality = $4, status = $5
		where id = $1`,
		o.ID, o.Name, o.ShortName, o.Municipality, o.Status)
	if err != nil {
		return orgError(err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

func findOrganisationByID(ctx context.Context, tx pgx.Tx, id int64) (Organisation, error) {
	rows, err := tx.Query(ctx, `select `+organisationColumns+` from organisations where id = $1`, id)
	if err != nil {
		return Organisation{}, err
	}
	o, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Organisation])
	if errors.Is(err, pgx.ErrNoRows) {
		return Organisation{}, ErrNotFound
	}
	return o, err
}

func setMentor(ctx context.Context, tx pgx.Tx, candidateID, mentorID int64) error {
	if candidateID == mentorID {
		return fmt.Errorf("a school cannot mentor itself: %w", ErrConflict)
	}
	if mentorID != 0 {
		if _, err := findOrganisationByID(ctx, tx, mentorID); err != nil {
			return fmt.Errorf("mentor %d: %w", mentorID, err)
		}
	}
	tag, err := tx.Exec(ctx, `update organisations set mentor_id = $2 where id = $1`,
		candidateID, nullID(mentorID))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// orgError turns the constraint violations of an organisation's row into the
// store's errors.
func orgError(err error) error {
	switch pgCode(err) {
	case pgUniqueViolation:
		return fmt.Errorf("name taken: %w", ErrConflict)
	case pgCheckViolation:
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	case pgForeignKeyViolation:
		return fmt.Errorf("mentor: %w", ErrNotFound)
	}
	return err
}
