package storagetest_test

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"smkbot/storage"
	"smkbot/storage/storagetest"
)

// Each test gets a migrated database of its own, gone once the test ends.
func TestDatabaseURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var first, second string
	t.Run("make", func(t *testing.T) {
		first = storagetest.DatabaseURL(t)
		second = storagetest.DatabaseURL(t)
		if first == second {
			t.Fatalf("two calls gave the same database")
		}
		a, err := storage.Open(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if _, err := a.CreateOrganisation(ctx, 0, storage.Organisation{Name: "Только в первой"}); err != nil {
			t.Fatalf("the copy is not migrated: %v", err)
		}
		b := storagetest.NewStore(t)
		orgs, err := b.ListOrganisations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(orgs) != 0 {
			t.Errorf("a new database already holds %v", orgs)
		}
	})

	server := os.Getenv("TEST_DATABASE_URL")
	if server == "" {
		server = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for _, raw := range []string{first, second} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(u.Path, "/")
		var n int
		if err := admin.QueryRow(ctx, "select count(*) from pg_database where datname = $1", name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("database %s outlived its test", name)
		}
	}
}

func TestEmptyDatabaseURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, storagetest.EmptyDatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "select count(*) from pg_tables where schemaname = 'public'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("the empty database has %d tables", n)
	}
}

// Keys under the test's prefix are deleted when the test ends.
func TestRedis(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var prefix string
	t.Run("use", func(t *testing.T) {
		var rdb *redis.Client
		rdb, prefix = storagetest.Redis(t)
		if err := rdb.Set(ctx, prefix+"a", "1", 0).Err(); err != nil {
			t.Fatal(err)
		}
		_, other := storagetest.Redis(t)
		if other == prefix {
			t.Errorf("two calls gave the same prefix %q", prefix)
		}
	})
	check, _ := storagetest.Redis(t)
	n, err := check.Exists(ctx, prefix+"a").Result()
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("key %sa outlived its test", prefix)
	}
}
