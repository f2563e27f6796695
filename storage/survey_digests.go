package storage

import (
	"context"
	"fmt"
	"time"
)

// ClaimSurveyDigests returns the open surveys closing within the given time
// after now whose digest was not sent yet, and marks it sent in the same
// transaction: whoever claims a survey sends its digest, nobody else does.
func (s *Store) ClaimSurveyDigests(ctx context.Context, now time.Time, within time.Duration) ([]Survey, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: claim survey digests: %w", err)
	}
	defer tx.Rollback(ctx)
	due, err := findSurveys(ctx, tx, `where status = 'open' and digest_sent_at is null
		and closes_at > $1 and closes_at <= $2 order by id for update skip locked`, now, now.Add(within))
	if err != nil {
		return nil, fmt.Errorf("storage: claim survey digests: %w", err)
	}
	for _, sv := range due {
		if _, err := tx.Exec(ctx, `update surveys set digest_sent_at = $2 where id = $1`, sv.ID, now); err != nil {
			return nil, fmt.Errorf("storage: claim survey digest %d: %w", sv.ID, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: claim survey digests: %w", err)
	}
	return due, nil
}
