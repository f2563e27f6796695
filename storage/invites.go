package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// inviteColumns selects an Invite for pgx.RowToStructByName.
const inviteColumns = `id, role, coalesce(org_id, 0) as org_id, uses_left, expires_at,
	coalesce(created_by, 0) as created_by, created_at`

// hashCode is what the invites table keeps of a code.
func hashCode(code string) []byte {
	sum := sha256.Sum256([]byte(code))
	return sum[:]
}

// CreateInvite makes an invitation to register with the role, usable uses
// times until ttl from now. It returns the code, which is shown once and
// never stored: 32 random bytes in base64url without padding (43
// characters, a valid ?start= payload). Organisation-scoped roles need an
// existing organisation (ErrNotFound, also for orgID 0); association-wide
// roles take orgID 0 or an existing organisation. An unknown role, uses < 1
// or ttl <= 0 give ErrInvalid. actorID 0 means the command line.
func (s *Store) CreateInvite(ctx context.Context, actorID int64, role Role, orgID int64, uses int, ttl time.Duration) (string, Invite, error) {
	if !role.Valid() || uses < 1 || ttl <= 0 {
		return "", Invite{}, fmt.Errorf("storage: create invite: role %q, %d uses, ttl %v: %w", role, uses, ttl, ErrInvalid)
	}
	if role.OrgScoped() && orgID == 0 {
		return "", Invite{}, fmt.Errorf("storage: create invite: role %s needs an organisation: %w", role, ErrNotFound)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", Invite{}, fmt.Errorf("storage: create invite: %w", err)
	}
	code := base64.RawURLEncoding.EncodeToString(raw[:])

	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return "", Invite{}, fmt.Errorf("storage: create invite: %w", err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	if orgID != 0 {
		if _, err := findOrganisationByID(ctx, tx, orgID); err != nil {
			return "", Invite{}, fmt.Errorf("storage: create invite: organisation %d: %w", orgID, err)
		}
	}
	rows, err := tx.Query(ctx, `
		insert into invites (code_hash, role, org_id, uses_left, expires_at, created_by, created_at)
		values ($1, $2, $3, $4, $5, $6, $7)
		returning `+inviteColumns,
		hashCode(code), string(role), nullID(orgID), uses, now.Add(ttl), nullID(actorID), now)
	if err != nil {
		return "", Invite{}, fmt.Errorf("storage: create invite: %w", err)
	}
	inv, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Invite])
	if err != nil {
		if pgCode(err) == pgForeignKeyViolation {
			err = fmt.Errorf("creator %d: %w", actorID, ErrNotFound)
		}
		return "", Invite{}, fmt.Errorf("storage: create invite: %w", err)
	}
	detail := map[string]any{"role": role, "org_id": orgID, "uses": uses}
	if err := logAction(ctx, tx, now, actorID, "invite.create", "invite", inv.ID, detail); err != nil {
		return "", Invite{}, fmt.Errorf("storage: create invite: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return "", Invite{}, fmt.Errorf("storage: create invite: %w", err)
	}
	return code, inv, nil
}

// PeekInvite returns the invite with the code and its organisation (the zero
// Organisation for an association-wide invite without one), without using
// it. It returns ErrInviteInvalid for an unknown code, ErrInviteUsedUp when
// no uses are left and ErrInviteExpired when its time is over.
func (s *Store) PeekInvite(ctx context.Context, code string) (Invite, Organisation, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Invite{}, Organisation{}, fmt.Errorf("storage: peek invite: %w", err)
	}
	defer tx.Rollback(ctx)

	inv, err := findInvite(ctx, tx, code)
	if err == nil {
		err = inviteUsable(inv, s.now())
	}
	if err != nil {
		return Invite{}, Organisation{}, fmt.Errorf("storage: peek invite: %w", err)
	}
	var org Organisation
	if inv.OrgID != 0 {
		if org, err = findOrganisationByID(ctx, tx, inv.OrgID); err != nil {
			return Invite{}, Organisation{}, fmt.Errorf("storage: peek invite: organisation %d: %w", inv.OrgID, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return Invite{}, Organisation{}, fmt.Errorf("storage: peek invite: %w", err)
	}
	return inv, org, nil
}

// Register redeems the invite code for the person with the Telegram id. A
// new person is created with fullName and consentAt. When the Telegram id
// already belongs to an active person, the invite's role is added to them
// (their name and consent stay). A deactivated person with that id is
// brought back with fullName, consentAt and only the invite's role: the roles
// they had before are not restored by someone else's invitation. The person's
// organisation is set from the invite when they have none.
//
// One use is taken atomically, so two people racing for a one-time code
// cannot both win. It returns the errors of PeekInvite, and ErrInvalid for an
// empty fullName of a new person.
func (s *Store) Register(ctx context.Context, code string, telegramID int64, fullName string, consentAt time.Time) (Person, Invite, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Person{}, Invite{}, fmt.Errorf("storage: register: %w", err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	inv, err := redeemInvite(ctx, tx, now, code)
	if err != nil {
		return Person{}, Invite{}, fmt.Errorf("storage: register: %w", err)
	}
	p, err := enrol(ctx, tx, now, telegramID, strings.TrimSpace(fullName), consentAt, inv)
	if err != nil {
		return Person{}, Invite{}, fmt.Errorf("storage: register: %w", err)
	}
	if err := grantRole(ctx, tx, p.ID, inv.Role, inv.OrgID); err != nil {
		return Person{}, Invite{}, fmt.Errorf("storage: register: grant: %w", err)
	}
	if _, err := tx.Exec(ctx, `insert into invite_uses (invite_id, person_id, at) values ($1, $2, $3)`,
		inv.ID, p.ID, now); err != nil {
		return Person{}, Invite{}, fmt.Errorf("storage: register: record use: %w", err)
	}
	detail := map[string]any{"invite_id": inv.ID, "role": inv.Role, "org_id": inv.OrgID}
	if err := logAction(ctx, tx, now, p.ID, "person.register", "person", p.ID, detail); err != nil {
		return Person{}, Invite{}, fmt.Errorf("storage: register: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Person{}, Invite{}, fmt.Errorf("storage: register: %w", err)
	}
	return p, inv, nil
}

// findInvite returns the invite with the code, or ErrInviteInvalid.
func findInvite(ctx context.Context, tx pgx.Tx, code string) (Invite, error) {
	rows, err := tx.Query(ctx, `select `+inviteColumns+` from invites where code_hash = $1`, hashCode(code))
	if err != nil {
		return Invite{}, err
	}
	inv, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Invite])
	if errors.Is(err, pgx.ErrNoRows) {
		return Invite{}, ErrInviteInvalid
	}
	return inv, err
}

// inviteUsable says why inv cannot be used at now, or nil. Used up comes
// first: for a one-time link that was used and has since expired, "already
// used" is the more useful answer.
func inviteUsable(inv Invite, now time.Time) error {
	if inv.UsesLeft <= 0 {
		return ErrInviteUsedUp
	}
	if !now.Before(inv.ExpiresAt) {
		return ErrInviteExpired
	}
	return nil
}

// redeemInvite takes one use of the invite. The conditional UPDATE is the
// whole race guard: a concurrent redeemer waits on the row lock and then
// re-checks uses_left, so a one-time code is used once.
func redeemInvite(ctx context.Context, tx pgx.Tx, now time.Time, code string) (Invite, error) {
	rows, err := tx.Query(ctx, `
		update invites set uses_left = uses_left - 1
		where code_hash = $1 and uses_left > 0 and expires_at > $2
		returning `+inviteColumns, hashCode(code), now)
	if err != nil {
		return Invite{}, err
	}
	inv, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Invite])
	if errors.Is(err, pgx.ErrNoRows) {
		// Find out why, for the person's sake.
		inv, err := findInvite(ctx, tx, code)
		if err != nil {
			return Invite{}, err
		}
		if err := inviteUsable(inv, now); err != nil {
			return Invite{}, err
		}
		// Usable now but not a moment ago: treat as used up rather than loop.
		return Invite{}, ErrInviteUsedUp
	}
	return inv, err
}

// enrol finds or creates the person for the Telegram id as Register
// describes, returning them as stored.
func enrol(ctx context.Context, tx pgx.Tx, now time.Time, telegramID int64, fullName string, consentAt time.Time, inv Invite) (Person, error) {
	var consent *time.Time
	if !consentAt.IsZero() {
		consent = &consentAt
	}
	// Two tries: when a concurrent registration of the same Telegram id wins
	// the insert, the second look finds its person.
	for range 2 {
		existing, err := findPerson(ctx, tx, `where telegram_id = $1 for update`, telegramID)
		switch {
		case err == nil && existing.Active:
			return updatePerson(ctx, tx, `
				update people
				set org_id = coalesce(org_id, $2),
				    consent_at = coalesce(consent_at, $3),
				    full_name = case when full_name = '' then $4 else full_name end
				where id = $1`, existing.ID, nullID(inv.OrgID), consent, fullName)
		case err == nil:
			if fullName == "" {
				return Person{}, fmt.Errorf("empty name: %w", ErrInvalid)
			}
			if _, err := tx.Exec(ctx, `delete from person_roles where person_id = $1`, existing.ID); err != nil {
				return Person{}, fmt.Errorf("drop old roles: %w", err)
			}
			return updatePerson(ctx, tx, `
				update people
				set active = true, org_id = $2, consent_at = $3, full_name = $4
				where id = $1`, existing.ID, nullID(inv.OrgID), consent, fullName)
		case !errors.Is(err, ErrNotFound):
			return Person{}, err
		}

		if fullName == "" {
			return Person{}, fmt.Errorf("empty name: %w", ErrInvalid)
		}
		rows, err := tx.Query(ctx, `
			insert into people (telegram_id, full_name, org_id, consent_at, active, created_at)
			values ($1, $2, $3, $4, true, $5)
			on conflict (telegram_id) where telegram_id is not null do nothing
			returning `+personColumns,
			telegramID, fullName, nullID(inv.OrgID), consent, now)
		if err != nil {
			return Person{}, err
		}
		p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Person])
		if !errors.Is(err, pgx.ErrNoRows) {
			return p, err
		}
	}
	return Person{}, fmt.Errorf("telegram id registered concurrently: %w", ErrConflict)
}

// updatePerson runs an UPDATE of one person (id as $1) and returns the row.
func updatePerson(ctx context.Context, tx pgx.Tx, sql string, id int64, args ...any) (Person, error) {
	if _, err := tx.Exec(ctx, sql, append([]any{id}, args...)...); err != nil {
		return Person{}, err
	}
	return findPerson(ctx, tx, `where id = $1`, id)
}
