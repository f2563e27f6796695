package bot

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// testRedis connects to the Redis of TEST_REDIS_URL (default the local one)
// and returns a key prefix no other test uses. A Redis that does not answer
// fails the test: the transport's guarantees are only worth what they are on
// the real thing.
func testRedis(t *testing.T) (*redis.Client, string) {
	t.Helper()
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("TEST_REDIS_URL %q: %v", url, err)
	}
	rdb := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		t.Fatalf("Redis at %s is not reachable (start it, or set TEST_REDIS_URL): %v", opt.Addr, err)
	}
	prefix := "smkbot-test:" + rand.Text() + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		keys, _ := rdb.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
		rdb.Close()
	})
	return rdb, prefix
}

func TestDedupe(t *testing.T) {
	rdb, prefix := testRedis(t)
	ctx := context.Background()
	d := NewDedupe(rdb, DedupeOptions{Prefix: prefix})

	ok, err := d.Claim(ctx, 1)
	if err != nil || !ok {
		t.Fatalf("first Claim = %v, %v; want true, nil", ok, err)
	}
	if ok, err := d.Claim(ctx, 1); ok || !errors.Is(err, ErrInProgress) {
		t.Fatalf("Claim while processing = %v, %v; want false, ErrInProgress", ok, err)
	}
	if err := d.Done(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if ok, err := d.Claim(ctx, 1); ok || err != nil {
		t.Fatalf("Claim after Done = %v, %v; want false, nil", ok, err)
	}
	ttl, err := rdb.TTL(ctx, prefix+"1").Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl < 23*time.Hour {
		t.Errorf("handled update kept for %v; want about 24h", ttl)
	}
	// Release never forgets a handled update.
	if err := d.Release(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if ok, err := d.Claim(ctx, 1); ok || err != nil {
		t.Fatalf("Claim after Done and Release = %v, %v; want false, nil", ok, err)
	}

	// A released claim can be taken again, so a redelivery is handled.
	if ok, err := d.Claim(ctx, 2); !ok || err != nil {
		t.Fatalf("Claim(2) = %v, %v", ok, err)
	}
	if err := d.Release(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if ok, err := d.Claim(ctx, 2); !ok || err != nil {
		t.Fatalf("Claim after Release = %v, %v; want true, nil", ok, err)
	}
}

func TestDedupeClaimExpires(t *testing.T) {
	rdb, prefix := testRedis(t)
	ctx := context.Background()
	// A worker that died holding the claim blocks the update only for the
	// processing TTL.
	d := NewDedupe(rdb, DedupeOptions{Prefix: prefix, ProcessingTTL: 50 * time.Millisecond})
	if ok, err := d.Claim(ctx, 3); !ok || err != nil {
		t.Fatalf("Claim = %v, %v", ok, err)
	}
	for {
		ok, err := d.Claim(ctx, 3)
		if ok {
			break
		}
		if !errors.Is(err, ErrInProgress) {
			t.Fatalf("Claim = %v, %v; want ErrInProgress until the claim expires", ok, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDedupeRedisDown(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer rdb.Close()
	d := NewDedupe(rdb, DedupeOptions{Prefix: "x:"})
	if ok, err := d.Claim(context.Background(), 1); ok || err == nil {
		t.Fatalf("Claim with Redis down = %v, %v; want an error", ok, err)
	}
}
