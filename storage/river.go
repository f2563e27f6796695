package storage

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// riverMigrateLock is the advisory lock key under which River's schema is
// migrated. River's migrator takes no lock of its own: two replicas starting
// together would both see river_migration missing and both create it. The
// value is arbitrary; it only has to differ from tern's key.
const riverMigrateLock int64 = 0x736d6b626f74 // "smkbot"

// migrateRiver brings River's job tables (river_job, river_leader, ...) up
// to the version of the linked River module. It runs after tern, so the
// application's migrations may not refer to River's tables.
//
// conn holds the session advisory lock while River migrates through a small
// pool of its own: River applies each version in its own transaction (one of
// them adds an enum value that a later one uses, which Postgres refuses in a
// single transaction), so it cannot run inside one transaction under an
// xact lock.
func migrateRiver(ctx context.Context, conn *pgx.Conn, databaseURL string) error {
	if _, err := conn.Exec(ctx, "select pg_advisory_lock($1)", riverMigrateLock); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	defer func() {
		// On a fresh context: ctx may be cancelled, and the lock must not
		// outlive a failed migration (closing conn would release it too).
		_, _ = conn.Exec(context.WithoutCancel(ctx), "select pg_advisory_unlock($1)", riverMigrateLock)
	}()

	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return err
	}
	cfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{
		// Errors are returned; River's own lines ("Applied migration")
		// would otherwise go to stdout, outside the structured log.
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return err
	}
	return nil
}

// RiverSchema names the River schema version the linked River module
// migrates to, so that a cached copy of a migrated database (the test
// template) is rebuilt when River is upgraded.
func RiverSchema() string {
	m, err := rivermigrate.New(riverpgxv5.New(nil), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return "river:unknown"
	}
	all := m.AllVersions()
	if len(all) == 0 {
		return "river:none"
	}
	return fmt.Sprintf("river:%d", all[len(all)-1].Version)
}
