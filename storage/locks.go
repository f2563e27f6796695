package storage

import (
	"context"
	"fmt"
)

// RunExclusive runs fn unless another process (a replica) holds the lock
// named name, and reports whether fn ran. It is how periodic jobs run once
// across replicas; the lock is a Postgres session advisory lock held on one
// pooled connection for the duration of fn.
func (s *Store) RunExclusive(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("storage: lock %s: %w", name, err)
	}
	defer conn.Release()
	var got bool
	if err := conn.QueryRow(ctx, `select pg_try_advisory_lock(hashtext('smkbot:' || $1))`, name).Scan(&got); err != nil {
		return false, fmt.Errorf("storage: lock %s: %w", name, err)
	}
	if !got {
		return false, nil
	}
	defer func() {
		// Unlock on a fresh context: fn may have been cancelled, and a
		// connection returned to the pool still holding the lock would
		// block the job on every replica.
		_, _ = conn.Exec(context.WithoutCancel(ctx), `select pg_advisory_unlock(hashtext('smkbot:' || $1))`, name)
	}()
	return true, fn(ctx)
}
