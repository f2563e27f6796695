// Package storagetest gives tests of every package their own throwaway
// PostgreSQL database and Redis key space, on the real servers.
//
// Each database is a copy (CREATE DATABASE ... TEMPLATE) of a template that is
// migrated once per migration set, so a new database costs milliseconds and
// tests can run in parallel, in many packages at once. A server that cannot
// be reached fails the test: it is never skipped.
//
// The servers are found through TEST_DATABASE_URL (a postgres:// URL of a
// role that may create databases; default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable) and
// TEST_REDIS_URL (default redis://127.0.0.1:6379/0).
package storagetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"

	"smkbot/storage"
)

const (
	defaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	defaultRedisURL    = "redis://127.0.0.1:6379/0"

	// howToStart ends every message about a missing server.
	howToStart = "start PostgreSQL and Redis with `make services` (or point TEST_DATABASE_URL / TEST_REDIS_URL at running ones)"

	// setupTimeout bounds each step of preparing or removing a database.
	setupTimeout = 2 * time.Minute
)

// NewStore returns a store on a fresh, migrated database of its own, closed
// and dropped when the test ends.
func NewStore(t testing.TB) *storage.Store {
	t.Helper()
	dbURL := DatabaseURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	s, err := storage.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("storagetest: open the test database: %v", err)
	}
	// Cleanups run last-in first-out: the pool closes before the drop.
	t.Cleanup(s.Close)
	return s
}

// DatabaseURL creates a fresh, migrated database for the test and returns
// its URL. The database is dropped when the test ends (connections still
// open are cut off then).
func DatabaseURL(t testing.TB) string {
	t.Helper()
	server := serverURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()

	admin := connect(ctx, t, server)
	defer admin.Close(context.Background())

	tpl := templateName()
	if err := ensureTemplate(ctx, admin, server, tpl); err != nil {
		t.Fatalf("storagetest: prepare template database %s: %v", tpl, err)
	}
	name := uniqueName(t, "smkbot_test_")
	if err := createFromTemplate(ctx, admin, name, tpl); err != nil {
		t.Fatalf("storagetest: create test database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(t, server, name) })
	return withDatabase(server, name)
}

// EmptyDatabaseURL creates an empty database (no migrations applied) for the
// test and returns its URL, for tests of migrating itself. It is dropped
// when the test ends.
func EmptyDatabaseURL(t testing.TB) string {
	t.Helper()
	server := serverURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()

	admin := connect(ctx, t, server)
	defer admin.Close(context.Background())

	name := uniqueName(t, "smkbot_test_")
	if _, err := admin.Exec(ctx, "create database "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("storagetest: create empty database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(t, server, name) })
	return withDatabase(server, name)
}

// Redis returns a client of the test Redis and a key prefix unique to the
// test; every key under the prefix is deleted when the test ends.
func Redis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	raw := os.Getenv("TEST_REDIS_URL")
	if raw == "" {
		raw = defaultRedisURL
	}
	opts, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatalf("storagetest: TEST_REDIS_URL: %v", err)
	}
	rdb := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		t.Fatalf("storagetest: cannot reach Redis at %s: %v\n\t%s", opts.Addr, err, howToStart)
	}
	prefix := uniqueName(t, "test:") + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		defer rdb.Close()
		iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("storagetest: list test keys: %v", err)
			return
		}
		if len(keys) > 0 {
			if err := rdb.Del(ctx, keys...).Err(); err != nil {
				t.Errorf("storagetest: delete test keys: %v", err)
			}
		}
	})
	return rdb, prefix
}

// serverURL is the administrative URL of the test PostgreSQL server.
func serverURL(t testing.TB) *url.URL {
	t.Helper()
	raw := os.Getenv("TEST_DATABASE_URL")
	if raw == "" {
		raw = defaultDatabaseURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("storagetest: TEST_DATABASE_URL must be a postgres:// URL")
	}
	return u
}

// withDatabase returns the server URL pointing at database name.
func withDatabase(server *url.URL, name string) string {
	u := *server
	u.Path = "/" + name
	u.RawPath = ""
	return u.String()
}

func connect(ctx context.Context, t testing.TB, server *url.URL) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, server.String())
	if err != nil {
		t.Fatalf("storagetest: cannot reach PostgreSQL at %s: %v\n\t%s", server.Redacted(), err, howToStart)
	}
	return conn
}

// uniqueName is prefix and 16 random hex digits: short enough for a
// database name (63 bytes) and unique across parallel test processes.
func uniqueName(t testing.TB, prefix string) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("storagetest: %v", err)
	}
	return prefix + hex.EncodeToString(b[:])
}

// templateName names the template database by a hash of the embedded
// migrations and River's schema version, so a changed migration gets a new template and old test
// runs are never handed a stale schema.
func templateName() string {
	h := sha256.New()
	migrations := storage.Migrations()
	// fs.WalkDir visits names in lexical order, so the hash is stable.
	err := fs.WalkDir(migrations, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(migrations, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(body))
		h.Write(body)
		return nil
	})
	if err != nil {
		// The files are embedded in the binary: reading them cannot fail.
		panic(err)
	}
	// River's tables are migrated too, from the linked River module.
	fmt.Fprintf(h, "%s\x00", storage.RiverSchema())
	return "smkbot_tpl_" + hex.EncodeToString(h.Sum(nil))[:8]
}

// ensureTemplate creates and migrates the template database unless it is
// ready. Ready means marked IS_TEMPLATE, which is done last, so a template
// left half-made by a killed process is rebuilt. Test processes of several
// packages race here; a Postgres advisory lock lets one of them build it.
func ensureTemplate(ctx context.Context, admin *pgx.Conn, server *url.URL, name string) error {
	ready, err := templateReady(ctx, admin, name)
	if err != nil || ready {
		return err
	}

	sum := sha256.Sum256([]byte("smkbot template " + name))
	key := int64(binary.BigEndian.Uint64(sum[:8]))
	if _, err := admin.Exec(ctx, "select pg_advisory_lock($1)", key); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	defer admin.Exec(context.Background(), "select pg_advisory_unlock($1)", key)

	if ready, err := templateReady(ctx, admin, name); err != nil || ready {
		return err
	}
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(ctx, "drop database if exists "+ident+" with (force)"); err != nil {
		return fmt.Errorf("drop half-made template: %w", err)
	}
	if _, err := admin.Exec(ctx, "create database "+ident); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	if err := storage.Migrate(ctx, withDatabase(server, name)); err != nil {
		return err
	}
	// No connections from now on: CREATE DATABASE ... TEMPLATE refuses to
	// copy a database somebody is connected to.
	if _, err := admin.Exec(ctx, "alter database "+ident+" with allow_connections false is_template true"); err != nil {
		return fmt.Errorf("mark as template: %w", err)
	}
	return nil
}

func templateReady(ctx context.Context, admin *pgx.Conn, name string) (bool, error) {
	var ready bool
	err := admin.QueryRow(ctx, "select datistemplate from pg_database where datname = $1", name).Scan(&ready)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up template: %w", err)
	}
	return ready, nil
}

// createFromTemplate copies the template. The connection that migrated the
// template may take a moment to go away after it closed, and Postgres then
// answers "being accessed by other users" (55006): that is retried.
func createFromTemplate(ctx context.Context, admin *pgx.Conn, name, tpl string) error {
	sql := "create database " + pgx.Identifier{name}.Sanitize() + " template " + pgx.Identifier{tpl}.Sanitize()
	for attempt := 0; ; attempt++ {
		_, err := admin.Exec(ctx, sql)
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) || pgErr.Code != "55006" || attempt >= 100 {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// dropDatabase drops a test database, cutting off connections the test left.
func dropDatabase(t testing.TB, server *url.URL, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	admin, err := pgx.Connect(ctx, server.String())
	if err != nil {
		t.Errorf("storagetest: drop test database: %v", err)
		return
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, "drop database if exists "+pgx.Identifier{name}.Sanitize()+" with (force)"); err != nil {
		t.Errorf("storagetest: drop test database: %v", err)
	}
}
