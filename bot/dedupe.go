package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrInProgress is returned by Dedupe.Claim when another worker (or a
// replica, or a process that crashed) is handling the update right now. The
// update must be retried later, not dropped: if that worker fails, it
// releases the claim, and if it crashed, the claim expires.
var ErrInProgress = errors.New("bot: update is being handled elsewhere")

// Values stored under a dedupe key.
const (
	dedupeProcessing = "processing"
	dedupeDone       = "done"
)

// compareAndDelete deletes KEYS[1] only while it still holds ARGV[1], so a
// worker never removes a key that has since changed hands.
var compareAndDelete = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
end
return 0`)

// DedupeOptions configures a Dedupe.
type DedupeOptions struct {
	// Prefix starts every key, for example "smkbot:update:".
	Prefix string
	// ProcessingTTL bounds a claim whose holder died; it must exceed the time
	// an update may take to handle and send (default 90s).
	ProcessingTTL time.Duration
	// DoneTTL is how long a handled update_id is remembered (default 24h;
	// Telegram keeps undelivered updates for a day).
	DoneTTL time.Duration
}

// Dedupe records update_ids in Redis so that an update delivered twice (a
// webhook retry, a restart before the offset was confirmed) is handled once.
// It implements Deduper.
type Dedupe struct {
	rdb           redis.Cmdable
	prefix        string
	processingTTL time.Duration
	doneTTL       time.Duration
}

// NewDedupe returns a Dedupe storing its keys in rdb.
func NewDedupe(rdb redis.Cmdable, o DedupeOptions) *Dedupe {
	if o.ProcessingTTL <= 0 {
		o.ProcessingTTL = 90 * time.Second
	}
	if o.DoneTTL <= 0 {
		o.DoneTTL = 24 * time.Hour
	}
	return &Dedupe{rdb: rdb, prefix: o.Prefix, processingTTL: o.ProcessingTTL, doneTTL: o.DoneTTL}
}

func (d *Dedupe) key(id int) string { return d.prefix + strconv.Itoa(id) }

// Claim marks the update as being handled. It reports true when the caller
// now owns the update, false with a nil error when the update was already
// handled, and ErrInProgress when someone else holds it.
func (d *Dedupe) Claim(ctx context.Context, id int) (bool, error) {
	key := d.key(id)
	ok, err := d.rdb.SetNX(ctx, key, dedupeProcessing, d.processingTTL).Result()
	if err != nil {
		return false, fmt.Errorf("dedupe: claim update %d: %w", id, err)
	}
	if ok {
		return true, nil
	}
	v, err := d.rdb.Get(ctx, key).Result()
	switch {
	case errors.Is(err, redis.Nil):
		// Released or expired between the two commands: try once more, as
		// if it had never been claimed.
		ok, err = d.rdb.SetNX(ctx, key, dedupeProcessing, d.processingTTL).Result()
		if err != nil {
			return false, fmt.Errorf("dedupe: claim update %d: %w", id, err)
		}
		if ok {
			return true, nil
		}
		return false, ErrInProgress
	case err != nil:
		return false, fmt.Errorf("dedupe: claim update %d: %w", id, err)
	case v == dedupeDone:
		return false, nil
	default:
		return false, ErrInProgress
	}
}

// Done records the update as handled for DoneTTL.
func (d *Dedupe) Done(ctx context.Context, id int) error {
	if err := d.rdb.Set(ctx, d.key(id), dedupeDone, d.doneTTL).Err(); err != nil {
		return fmt.Errorf("dedupe: mark update %d done: %w", id, err)
	}
	return nil
}

// Release gives up a claim after a failure that may pass (a database down),
// so that the redelivered update is handled. A handled update stays handled.
func (d *Dedupe) Release(ctx context.Context, id int) error {
	if err := compareAndDelete.Run(ctx, d.rdb, []string{d.key(id)}, dedupeProcessing).Err(); err != nil {
		return fmt.Errorf("dedupe: release update %d: %w", id, err)
	}
	return nil
}
