package storage_test

import (
	"context"
	"testing"
	"time"

	"smkbot/storage"
	"smkbot/storage/storagetest"
)

// TestLimiterForget: a forgotten counter is gone from Redis and counts
// afresh; forgetting a missing one is not an error.
func TestLimiterForget(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb, prefix := storagetest.Redis(t)
	l := storage.NewLimiter(rdb, prefix)
	for range 3 {
		if _, err := l.Allow(ctx, "redeem:7", 2, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Forget(ctx, "redeem:7"); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	if n, err := rdb.Exists(ctx, prefix+"limit:redeem:7").Result(); err != nil || n != 0 {
		t.Errorf("after Forget the key exists: %d, %v", n, err)
	}
	if ok, err := l.Allow(ctx, "redeem:7", 2, time.Hour); !ok || err != nil {
		t.Errorf("after Forget: Allow = %v, %v; want a fresh count", ok, err)
	}
	if err := l.Forget(ctx, "redeem:none"); err != nil {
		t.Errorf("Forget of a missing key: %v", err)
	}
}
