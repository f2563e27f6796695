package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// SessionVersion is the shape of Session stored now. A session saved under
// another version is treated as missing, so a deploy that changes the shape
// returns people to their menu instead of misreading old data.
const SessionVersion = 1

// Session is where a person is in a conversation: a cursor, not a record.
// Anything that would hurt to lose belongs in Postgres.
type Session struct {
	V       int               `json:"v"`
	Step    string            `json:"step"`
	Data    map[string]string `json:"data,omitempty"`
	Updated time.Time         `json:"updated"`
}

// Sessions keeps one Session per user in Redis, as JSON under
// <prefix>session:<user id>, expiring ttl after the last save.
type Sessions struct {
	// Now stamps Session.Updated; it defaults to time.Now.
	Now func() time.Time

	rdb    *redis.Client
	prefix string
	ttl    time.Duration
}

// NewSessions returns the session store. Every key starts with prefix.
func NewSessions(rdb *redis.Client, prefix string, ttl time.Duration) *Sessions {
	return &Sessions{Now: time.Now, rdb: rdb, prefix: prefix, ttl: ttl}
}

func (s *Sessions) key(userID int64) string {
	return s.prefix + "session:" + strconv.FormatInt(userID, 10)
}

// Get returns the user's session. A missing, expired, unreadable or
// other-version session gives (Session{}, false, nil): the caller starts
// afresh. Only a failure to reach Redis is an error.
func (s *Sessions) Get(ctx context.Context, userID int64) (Session, bool, error) {
	raw, err := s.rdb.Get(ctx, s.key(userID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return Session{}, false, nil
	}
	if err != nil {
		return Session{}, false, fmt.Errorf("storage: get session: %w", err)
	}
	var sess Session
	if err := json.Unmarshal(raw, &sess); err != nil || sess.V != SessionVersion {
		return Session{}, false, nil
	}
	return sess, true, nil
}

// Save stores the user's session, stamping its version and time, and starts
// its time to live again.
func (s *Sessions) Save(ctx context.Context, userID int64, sess Session) error {
	sess.V = SessionVersion
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	sess.Updated = now().UTC()
	raw, err := json.Marshal(sess)
	if err != nil {
		return fmt.Errorf("storage: save session: %w", err)
	}
	if err := s.rdb.Set(ctx, s.key(userID), raw, s.ttl).Err(); err != nil {
		return fmt.Errorf("storage: save session: %w", err)
	}
	return nil
}

// Delete removes the user's session; a missing one is not an error.
func (s *Sessions) Delete(ctx context.Context, userID int64) error {
	if err := s.rdb.Del(ctx, s.key(userID)).Err(); err != nil {
		return fmt.Errorf("storage: delete session: %w", err)
	}
	return nil
}

// Limiter counts events per key in fixed time windows, in Redis, so the
// count is shared by every replica.
type Limiter struct {
	rdb    *redis.Client
	prefix string
}

// NewLimiter returns a limiter whose keys start with prefix.
func NewLimiter(rdb *redis.Client, prefix string) *Limiter {
	return &Limiter{rdb: rdb, prefix: prefix}
}

// limitScript counts one event and starts the window on the first. It runs
// atomically in Redis, so the counter can never be left without an expiry
// (which would block the key forever). The PTTL check also repairs a key
// that somehow lost its expiry.
var limitScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then
	redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
`)

// Allow counts an event for key and reports whether it is within limit
// events in the current window, which starts at the first event and lasts
// window.
func (l *Limiter) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, error) {
	ms := window.Milliseconds()
	if ms < 1 {
		ms = 1
	}
	n, err := limitScript.Run(ctx, l.rdb, []string{l.prefix + "limit:" + key}, ms).Int64()
	if err != nil {
		return false, fmt.Errorf("storage: limit: %w", err)
	}
	return n <= int64(limit), nil
}

// Forget removes the counter of key, for a person who asked to be
// forgotten when the key names them. Removing a missing key is not an
// error.
func (l *Limiter) Forget(ctx context.Context, key string) error {
	if err := l.rdb.Del(ctx, l.prefix+"limit:"+key).Err(); err != nil {
		return fmt.Errorf("storage: forget limit: %w", err)
	}
	return nil
}
