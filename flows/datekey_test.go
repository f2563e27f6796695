package flows

import (
	"testing"
	"time"
)

func TestDateKey(t *testing.T) {
	loc := time.FixedZone("+07", 7*3600)
	for _, tt := range []struct {
		n    int64
		ok   bool
		want time.Time
	}{
		{20261225, true, time.Date(2026, 12, 25, 0, 0, 0, 0, loc)},
		{20280229, true, time.Date(2028, 2, 29, 0, 0, 0, 0, loc)},
		{20270229, false, time.Time{}},
		{20261301, false, time.Time{}},
		{20261200, false, time.Time{}},
		{18991231, false, time.Time{}},
		{22000101, false, time.Time{}},
		{0, false, time.Time{}},
		{-20261225, false, time.Time{}},
	} {
		got, ok := KeyDate(tt.n, loc)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("KeyDate(%d) = %v, %v; want %v, %v", tt.n, got, ok, tt.want, tt.ok)
		}
		if ok && DateKey(got) != tt.n {
			t.Errorf("DateKey(KeyDate(%d)) = %d", tt.n, DateKey(got))
		}
	}
}

func FuzzKeyDate(f *testing.F) {
	for _, n := range []int64{20261225, 0, -1, 20270229, 1 << 62} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		d, ok := KeyDate(n, time.UTC)
		if ok && DateKey(d) != n {
			t.Fatalf("DateKey(KeyDate(%d)) = %d", n, DateKey(d))
		}
	})
}
