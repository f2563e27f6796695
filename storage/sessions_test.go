package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smkbot/storage"
	"smkbot/storage/storagetest"
)

func TestSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb, prefix := storagetest.Redis(t)
	s := storage.NewSessions(rdb, prefix, 72*time.Hour)
	s.Now = func() time.Time { return start }

	if _, ok, err := s.Get(ctx, 1); ok || err != nil {
		t.Errorf("Get(missing) = ok %v, err %v; want not found", ok, err)
	}

	in := storage.Session{Step: "onboarding:name", Data: map[string]string{"code": "abc", "name": "Иванов Иван"}}
	if err := s.Save(ctx, 1, in); err != nil {
		t.Fatalf("Save: %v", err)
	}
	got, ok, err := s.Get(ctx, 1)
	if err != nil || !ok {
		t.Fatalf("Get = ok %v, err %v", ok, err)
	}
	want := in
	want.V, want.Updated = storage.SessionVersion, start
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}

	ttl, err := rdb.TTL(ctx, prefix+"session:1").Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 71*time.Hour || ttl > 72*time.Hour {
		t.Errorf("TTL = %v, want about 72h", ttl)
	}

	// Another user's session is separate.
	if _, ok, _ := s.Get(ctx, 2); ok {
		t.Errorf("user 2 sees user 1's session")
	}

	if err := s.Delete(ctx, 1); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, ok, err := s.Get(ctx, 1); ok || err != nil {
		t.Errorf("Get after Delete = ok %v, err %v; want not found", ok, err)
	}
	if err := s.Delete(ctx, 1); err != nil {
		t.Errorf("Delete(missing): %v", err)
	}
}

func TestSessionsUnreadable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb, prefix := storagetest.Redis(t)
	s := storage.NewSessions(rdb, prefix, time.Hour)

	for name, raw := range map[string]string{
		"corrupt":       `{"v":1,"step":`,
		"not an object": `"hello"`,
		"old version":   `{"v":0,"step":"onboarding:name"}`,
		"newer version": `{"v":2,"step":"onboarding:name"}`,
	} {
		if err := rdb.Set(ctx, prefix+"session:7", raw, time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.Get(ctx, 7)
		if ok || err != nil || !cmp.Equal(got, storage.Session{}) {
			t.Errorf("%s session: Get = %+v, ok %v, err %v; want the zero session, not found", name, got, ok, err)
		}
	}
}

func TestLimiter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb, prefix := storagetest.Redis(t)
	l := storage.NewLimiter(rdb, prefix)

	var got []bool
	for range 5 {
		ok, err := l.Allow(ctx, "redeem:1", 3, time.Hour)
		if err != nil {
			t.Fatalf("Allow: %v", err)
		}
		got = append(got, ok)
	}
	if diff := cmp.Diff([]bool{true, true, true, false, false}, got); diff != "" {
		t.Errorf("first five attempts (-want +got):\n%s", diff)
	}
	if ok, err := l.Allow(ctx, "redeem:2", 3, time.Hour); !ok || err != nil {
		t.Errorf("another key: Allow = %v, %v; want its own count", ok, err)
	}
	ttl, err := rdb.PTTL(ctx, prefix+"limit:redeem:1").Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 0 || ttl > time.Hour {
		t.Errorf("window TTL = %v, want within an hour", ttl)
	}

	// A short window resets: poll instead of asserting how long it takes.
	for range 2 {
		if _, err := l.Allow(ctx, "short", 1, 50*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := l.Allow(ctx, "short", 1, 50*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the window never reset")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
