package bot

import (
	"context"
	"crypto/rand"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// chatMutex orders the work of one chat inside the process: one lock per
// chat, created on first use and freed when nobody holds or waits for it, so
// the map does not grow with every chat the bot has ever seen.
type chatMutex struct {
	mu    sync.Mutex
	chats map[int64]*chatEntry
}

type chatEntry struct {
	// sem holds one token while the chat is locked; a channel rather than a
	// sync.Mutex so that waiting can end with the context.
	sem  chan struct{}
	refs int // holders and waiters
}

func newChatMutex() *chatMutex {
	return &chatMutex{chats: make(map[int64]*chatEntry)}
}

// lock waits until chat is free or ctx is done.
func (m *chatMutex) lock(ctx context.Context, chat int64) (unlock func(), err error) {
	m.mu.Lock()
	e := m.chats[chat]
	if e == nil {
		e = &chatEntry{sem: make(chan struct{}, 1)}
		m.chats[chat] = e
	}
	e.refs++
	m.mu.Unlock()

	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		m.put(chat, e)
		return nil, fmt.Errorf("chat lock %d: %w", chat, ctx.Err())
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-e.sem
			m.put(chat, e)
		})
	}, nil
}

func (m *chatMutex) put(chat int64, e *chatEntry) {
	m.mu.Lock()
	e.refs--
	if e.refs == 0 {
		delete(m.chats, chat)
	}
	m.mu.Unlock()
}

// len reports how many chats have a lock entry (for tests).
func (m *chatMutex) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.chats)
}

// compareAndExpire extends KEYS[1] to ARGV[2] milliseconds only while it
// still holds the token ARGV[1].
var compareAndExpire = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0`)

// RedisChatLockOptions configures a RedisChatLock.
type RedisChatLockOptions struct {
	// Prefix starts every key, for example "smkbot:chatlock:".
	Prefix string
	// TTL is how long a lock outlives a replica that died holding it
	// (default 30s). While held, the lock is extended every TTL/3, so
	// handling may take longer than TTL.
	TTL time.Duration
	// Retry is the pause between attempts to take a busy lock (default 25ms).
	Retry time.Duration
}

// RedisChatLock is a lock per chat shared by every replica through Redis, so
// that two replicas behind a webhook never handle one chat's updates at the
// same time (and so out of order). It implements ChatLocker.
type RedisChatLock struct {
	rdb redis.Cmdable
	o   RedisChatLockOptions
}

// NewRedisChatLock returns a RedisChatLock storing its keys in rdb.
func NewRedisChatLock(rdb redis.Cmdable, o RedisChatLockOptions) *RedisChatLock {
	if o.TTL <= 0 {
		o.TTL = 30 * time.Second
	}
	if o.Retry <= 0 {
		o.Retry = 25 * time.Millisecond
	}
	return &RedisChatLock{rdb: rdb, o: o}
}

// Lock takes the chat's lock, retrying until it is free or ctx is done. The
// returned unlock releases it (only if this holder still owns it) and may be
// called more than once.
func (l *RedisChatLock) Lock(ctx context.Context, chatID int64) (unlock func(), err error) {
	key := l.o.Prefix + strconv.FormatInt(chatID, 10)
	// The token tells this holder's lock from a later holder's, so a late
	// release or extension never touches someone else's lock.
	token := rand.Text()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("chat lock %d: %w", chatID, ctx.Err())
		case <-t.C:
		}
		ok, err := l.rdb.SetNX(ctx, key, token, l.o.TTL).Result()
		if err != nil {
			return nil, fmt.Errorf("chat lock %d: %w", chatID, err)
		}
		if ok {
			break
		}
		t.Reset(l.o.Retry)
	}

	// Keep the lock alive while the work goes on, so a slow handler does not
	// let another replica in; a replica that dies stops extending it.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(l.o.TTL / 3)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				ctx, cancel := context.WithTimeout(context.Background(), l.o.TTL/3)
				compareAndExpire.Run(ctx, l.rdb, []string{key}, token, l.o.TTL.Milliseconds())
				cancel()
			}
		}
	}()

	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			<-done
			// The caller's context may be cancelled by now; the release
			// must still happen, or the chat waits out the TTL.
			// A release that fails leaves the lock to expire after TTL.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			compareAndDelete.Run(ctx, l.rdb, []string{key}, token)
		})
	}, nil
}
