package storage_test

import (
	"context"
	"testing"

	"smkbot/storage/storagetest"
)

func TestRunExclusive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := storagetest.NewStore(t)
	ran, err := store.RunExclusive(ctx, "job", func(ctx context.Context) error {
		// A second replica asking while the first runs is turned away.
		inner, err := store.RunExclusive(ctx, "job", func(context.Context) error { return nil })
		if err != nil || inner {
			t.Errorf("nested run: ran=%v err=%v, want refused", inner, err)
		}
		other, err := store.RunExclusive(ctx, "other", func(context.Context) error { return nil })
		if err != nil || !other {
			t.Errorf("another job was blocked: ran=%v err=%v", other, err)
		}
		return nil
	})
	if err != nil || !ran {
		t.Fatalf("first run: ran=%v err=%v", ran, err)
	}
	again, err := store.RunExclusive(ctx, "job", func(context.Context) error { return nil })
	if err != nil || !again {
		t.Fatalf("the lock was not released: ran=%v err=%v", again, err)
	}
}
