package storage

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// versionTable is where tern records the applied migration.
const versionTable = "public.schema_version"

// Migrations returns the embedded migration files (001_platform.sql, ...).
// storagetest names its template database by their hash.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		// fs.Sub fails only on an invalid path, and "migrations" is valid.
		panic(err)
	}
	return sub
}

// Migrate applies the embedded migrations to the database at databaseURL,
// then River's (the job queue). Each runs under a Postgres advisory lock,
// so replicas starting together apply each migration once.
func Migrate(ctx context.Context, databaseURL string) error {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return fmt.Errorf("storage: migrate: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return fmt.Errorf("storage: migrate: %w", err)
	}
	if err := m.LoadMigrations(Migrations()); err != nil {
		return fmt.Errorf("storage: migrate: load: %w", err)
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("storage: migrate: %w", err)
	}
	if err := migrateRiver(ctx, conn, databaseURL); err != nil {
		return fmt.Errorf("storage: migrate river: %w", err)
	}
	return nil
}

// Store holds the records in Postgres. Each public method runs in one
// transaction of its own.
type Store struct {
	// Now is the clock used for every timestamp the store writes and for
	// invite expiry; tests replace it to move time. It defaults to time.Now.
	Now func() time.Time
	// Location is the association's zone, for the calendar days of
	// records the store writes on its own (a journal entry made when the
	// minutes are sent). It defaults to UTC.
	Location *time.Location

	pool *pgxpool.Pool
}

// Open connects to the database at databaseURL and checks that it answers.
// It does not migrate: call Migrate first.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	pool, err := pgxpool.New(ctx, databaseURL)
	if err != nil {
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	return &Store{Now: time.Now, pool: pool}, nil
}

// Close closes every connection of the pool.
func (s *Store) Close() { s.pool.Close() }

// Ping checks that Postgres answers (for /healthz).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("storage: ping: %w", err)
	}
	return nil
}

// Pool returns the connection pool, for packages that keep their own tables
// (river's job queue, for one).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// now returns the store's clock, rounded to Postgres's microseconds so a
// time written and read back compares equal.
func (s *Store) now() time.Time {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return now().Round(time.Microsecond)
}

// loc returns the association's zone (UTC when not set).
func (s *Store) loc() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

// Postgres error codes the store turns into its own errors.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
	pgCheckViolation      = "23514"
)

// pgCode returns the SQLSTATE of err, or "" when err is not from Postgres.
func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// nullID turns the zero id into SQL NULL for nullable references.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// logAction writes one action_log row. personID 0 means the system or the
// command line. detail must never hold personal data: the row outlives the
// person's forget-me.
func logAction(ctx context.Context, tx pgx.Tx, at time.Time, personID int64, action, object string, objectID int64, detail map[string]any) error {
	var raw []byte
	if len(detail) > 0 {
		var err error
		if raw, err = json.Marshal(detail); err != nil {
			return fmt.Errorf("action detail: %w", err)
		}
	}
	_, err := tx.Exec(ctx, `
		insert into action_log (person_id, action, object, object_id, at, detail)
		values ($1, $2, $3, $4, $5, $6)`,
		nullID(personID), action, object, nullID(objectID), at, raw)
	if err != nil {
		return fmt.Errorf("log action %s: %w", action, err)
	}
	return nil
}

// ListActions returns the latest limit lines of the action log, newest
// first.
func (s *Store) ListActions(ctx context.Context, limit int) ([]Action, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: list actions: %w", err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `
		select id, coalesce(person_id, 0) as person_id, action, object,
		       coalesce(object_id, 0) as object_id, at, coalesce(detail::text, '') as detail
		from action_log
		order by at desc, id desc
		limit $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: list actions: %w", err)
	}
	actions, err := pgx.CollectRows(rows, pgx.RowToStructByName[Action])
	if err != nil {
		return nil, fmt.Errorf("storage: list actions: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: list actions: %w", err)
	}
	return actions, nil
}
