package bot

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestChatMutex(t *testing.T) {
	m := newChatMutex()
	ctx := context.Background()

	unlock, err := m.lock(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Another chat is not held up.
	unlock2, err := m.lock(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	unlock2()

	// The same chat waits, and gives up with its context.
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := m.lock(short, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("lock of a held chat = %v; want DeadlineExceeded", err)
	}

	got := make(chan struct{})
	go func() {
		u, err := m.lock(ctx, 1)
		if err != nil {
			t.Error(err)
		}
		close(got)
		u()
	}()
	unlock()
	unlock() // a second call is harmless
	<-got

	// Entries are freed once nobody holds or waits.
	for m.len() != 0 {
		time.Sleep(time.Millisecond)
	}
}

func TestChatMutexExclusive(t *testing.T) {
	m := newChatMutex()
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		inside  = map[int64]int{}
		overlap bool
	)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chat := int64(i % 4)
			unlock, err := m.lock(context.Background(), chat)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			inside[chat]++
			if inside[chat] > 1 {
				overlap = true
			}
			mu.Unlock()
			time.Sleep(100 * time.Microsecond)
			mu.Lock()
			inside[chat]--
			mu.Unlock()
			unlock()
		}()
	}
	wg.Wait()
	if overlap {
		t.Error("two holders of one chat's lock at once")
	}
	if n := m.len(); n != 0 {
		t.Errorf("%d lock entries left; want 0", n)
	}
}

func TestRedisChatLock(t *testing.T) {
	rdb, prefix := testRedis(t)
	ctx := context.Background()
	// Two locks on one Redis stand for two replicas.
	a := NewRedisChatLock(rdb, RedisChatLockOptions{Prefix: prefix, TTL: 600 * time.Millisecond, Retry: 5 * time.Millisecond})
	b := NewRedisChatLock(rdb, RedisChatLockOptions{Prefix: prefix, TTL: 600 * time.Millisecond, Retry: 5 * time.Millisecond})

	unlockA, err := a.Lock(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	// Held well past its TTL: the holder keeps extending it.
	time.Sleep(1500 * time.Millisecond)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := b.Lock(short, 7); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second replica took a held lock: %v", err)
	}
	// Another chat is free.
	unlockOther, err := b.Lock(ctx, 8)
	if err != nil {
		t.Fatal(err)
	}
	unlockOther()

	acquired := make(chan func())
	go func() {
		u, err := b.Lock(ctx, 7)
		if err != nil {
			t.Error(err)
		}
		acquired <- u
	}()
	unlockA()
	unlockB := <-acquired
	// A's late second unlock must not free B's lock.
	unlockA()
	if v, err := rdb.Get(ctx, prefix+"7").Result(); err != nil || v == "" {
		t.Fatalf("B's lock gone after A's second unlock: %q, %v", v, err)
	}
	unlockB()
	if n, err := rdb.Exists(ctx, prefix+"7").Result(); err != nil || n != 0 {
		t.Fatalf("lock key still there after unlock: %d, %v", n, err)
	}
}

func TestRedisChatLockExpiresWhenHolderDies(t *testing.T) {
	rdb, prefix := testRedis(t)
	ctx := context.Background()
	// A replica that died left its lock behind (no extension runs).
	if err := rdb.Set(ctx, prefix+"9", "dead-replica", 100*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	l := NewRedisChatLock(rdb, RedisChatLockOptions{Prefix: prefix, Retry: 5 * time.Millisecond})
	unlock, err := l.Lock(ctx, 9)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
}
