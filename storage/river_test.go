package storage_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"smkbot/storage"
	"smkbot/storage/storagetest"
)

// TestMigrateRiverConcurrently starts three replicas at once on an empty
// database, then restarts one: River's tables must be made once, without
// an error in any of them, and be complete.
func TestMigrateRiverConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := storagetest.EmptyDatabaseURL(t)

	errs := make(chan error, 3)
	for range 3 {
		go func() { errs <- storage.Migrate(ctx, dbURL) }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Migrate: %v", err)
		}
	}
	if err := storage.Migrate(ctx, dbURL); err != nil {
		t.Errorf("Migrate again: %v", err)
	}

	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Validate(ctx, nil)
	if err != nil {
		t.Fatalf("validate River's schema: %v", err)
	}
	if !res.OK {
		t.Errorf("River's schema is not up to date: %v", res.Messages)
	}
	applied, err := m.ExistingVersions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(applied), len(m.AllVersions()); got != want {
		t.Errorf("River versions applied = %d, want %d", got, want)
	}
	var jobs int
	if err := pool.QueryRow(ctx, "select count(*) from river_job").Scan(&jobs); err != nil {
		t.Errorf("river_job is not usable: %v", err)
	}
}
