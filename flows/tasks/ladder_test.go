package tasks

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smkbot/storage"
)

var ladderZone = mustLoad("Asia/Barnaul")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is a local time in the association's zone.
func at(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, ladderZone)
}

// walk follows the ladder from a task's creation as the job would: the
// first reminder, then each next one computed when the previous goes out.
// It lists up to n reminders as "Mon 2026-11-27 09:00 #0" (local time and
// step).
func walk(p storage.ReminderPolicy, due time.Time, hasTime bool, created time.Time, loc *time.Location, n int) []string {
	var out []string
	t, step := FirstReminder(p, due, hasTime, created, loc)
	for !t.IsZero() && len(out) < n {
		out = append(out, t.In(loc).Format("Mon 2006-01-02 15:04")+" #"+strconv.Itoa(step))
		t, step = NextReminder(p, due, hasTime, step, t, loc)
	}
	return out
}

func TestLadder(t *testing.T) {
	def := storage.DefaultReminderPolicy(1)
	noWeekends := def
	noWeekends.Weekends = nil
	// Russian New Year holidays, as Postgres hands dates over: midnight UTC.
	newYear := def
	for d := 1; d <= 8; d++ {
		newYear.Holidays = append(newYear.Holidays, time.Date(2027, time.January, d, 0, 0, 0, 0, time.UTC))
	}
	newYear.Holidays = append(newYear.Holidays, time.Date(2026, time.December, 31, 0, 0, 0, 0, time.UTC))
	lateMorning := def // quiet from 20:00 to 10:00
	lateMorning.QuietFrom, lateMorning.QuietTo = 20*60, 10*60
	lunch := noWeekends // quiet in the day only, from 13:00 to 15:00
	lunch.QuietFrom, lunch.QuietTo = 13*60, 15*60
	every3 := noWeekends
	every3.OverdueEvery = 3
	messy := def
	messy.Ladder = []int{0, -7, -1, -1, 90}
	noOverdue := def
	noOverdue.OverdueEvery = 0
	neverWorks := def
	neverWorks.Weekends = []int{0, 1, 2, 3, 4, 5, 6}
	allQuiet := def
	allQuiet.QuietFrom, allQuiet.QuietTo = 0, 24*60
	laterLadder := noWeekends
	laterLadder.Ladder = []int{-1, 1}

	tests := []struct {
		name    string
		p       storage.ReminderPolicy
		due     time.Time
		hasTime bool
		created time.Time
		n       int
		want    []string
	}{{
		// Monday 23 November, due Friday 4 December: the whole ladder,
		// then the overdue cadence moved off weekends; +8 (Saturday) and
		// +10 (Monday) land on the same Monday morning and go once.
		name: "created far ahead", p: def, due: at(2026, 12, 4, 0, 0), created: at(2026, 11, 23, 10, 0), n: 9,
		want: []string{
			"Fri 2026-11-27 09:00 #0",
			"Thu 2026-12-03 09:00 #1",
			"Fri 2026-12-04 09:00 #2",
			"Mon 2026-12-07 09:00 #3",
			"Tue 2026-12-08 09:00 #4",
			"Thu 2026-12-10 09:00 #5",
			"Mon 2026-12-14 09:00 #6",
			"Wed 2026-12-16 09:00 #8",
			"Fri 2026-12-18 09:00 #9",
		},
	}, {
		name: "due this Friday", p: def, due: at(2026, 11, 27, 0, 0), created: at(2026, 11, 23, 10, 0), n: 3,
		want: []string{"Thu 2026-11-26 09:00 #1", "Fri 2026-11-27 09:00 #2", "Mon 2026-11-30 09:00 #3"},
	}, {
		name: "due in three days starts at -1", p: def, due: at(2026, 11, 26, 0, 0), created: at(2026, 11, 23, 10, 0), n: 2,
		want: []string{"Wed 2026-11-25 09:00 #1", "Thu 2026-11-26 09:00 #2"},
	}, {
		name: "created after the morning of the day before", p: def, due: at(2026, 11, 26, 0, 0), created: at(2026, 11, 25, 9, 30), n: 1,
		want: []string{"Thu 2026-11-26 09:00 #2"},
	}, {
		name: "due today with a time: two hours before", p: def, due: at(2026, 11, 23, 14, 0), hasTime: true, created: at(2026, 11, 23, 10, 0), n: 2,
		want: []string{"Mon 2026-11-23 12:00 #2", "Wed 2026-11-25 09:00 #3"},
	}, {
		name: "due today with a time, created after the reminder", p: def, due: at(2026, 11, 23, 14, 0), hasTime: true, created: at(2026, 11, 23, 12, 30), n: 1,
		want: []string{"Wed 2026-11-25 09:00 #3"},
	}, {
		name: "due at 09:00: not before the quiet hours end", p: def, due: at(2026, 11, 24, 9, 0), hasTime: true, created: at(2026, 11, 23, 10, 0), n: 2,
		want: []string{"Tue 2026-11-24 08:00 #2", "Thu 2026-11-26 09:00 #3"},
	}, {
		// 23:00 the evening before is quiet, and the morning after is
		// past the deadline: no reminder on the day.
		name: "due at 01:00", p: def, due: at(2026, 11, 25, 1, 0), hasTime: true, created: at(2026, 11, 23, 10, 0), n: 2,
		want: []string{"Tue 2026-11-24 09:00 #1", "Fri 2026-11-27 09:00 #3"},
	}, {
		// 21:00 is quiet until 10:00 the next day: the morning of the day
		// instead.
		name: "due at 23:00 with quiet hours from 20:00", p: lateMorning, due: at(2026, 11, 25, 23, 0), hasTime: true, created: at(2026, 11, 23, 10, 0), n: 3,
		want: []string{"Tue 2026-11-24 10:00 #1", "Wed 2026-11-25 10:00 #2", "Fri 2026-11-27 10:00 #3"},
	}, {
		name: "day before on a Sunday joins the day", p: def, due: at(2026, 11, 30, 0, 0), created: at(2026, 11, 20, 10, 0), n: 3,
		want: []string{"Mon 2026-11-23 09:00 #0", "Mon 2026-11-30 09:00 #1", "Wed 2026-12-02 09:00 #3"},
	}, {
		// The deadline's point and +2 both land on Monday and go once.
		name: "due on a Saturday", p: def, due: at(2026, 11, 28, 0, 0), created: at(2026, 11, 25, 10, 0), n: 3,
		want: []string{"Fri 2026-11-27 09:00 #1", "Mon 2026-11-30 09:00 #2", "Wed 2026-12-02 09:00 #4"},
	}, {
		name: "new year holidays", p: newYear, due: at(2027, 1, 1, 0, 0), created: at(2026, 12, 1, 10, 0), n: 3,
		want: []string{"Fri 2026-12-25 09:00 #0", "Mon 2027-01-11 09:00 #1", "Wed 2027-01-13 09:00 #8"},
	}, {
		name: "quiet hours across midnight end at 10:00", p: lateMorning, due: at(2026, 11, 28, 0, 0), created: at(2026, 11, 25, 10, 0), n: 2,
		want: []string{"Fri 2026-11-27 10:00 #1", "Mon 2026-11-30 10:00 #2"},
	}, {
		name: "a deadline at 21:30: its reminder at 19:30 is before the quiet hours", p: lateMorning, due: at(2026, 11, 25, 21, 30), hasTime: true, created: at(2026, 11, 23, 10, 0), n: 3,
		want: []string{"Tue 2026-11-24 10:00 #1", "Wed 2026-11-25 19:30 #2", "Fri 2026-11-27 10:00 #3"},
	}, {
		name: "quiet hours inside the day", p: lunch, due: at(2026, 11, 24, 16, 0), hasTime: true, created: at(2026, 11, 24, 10, 0), n: 1,
		want: []string{"Tue 2026-11-24 15:00 #2"},
	}, {
		name: "overdue every three days", p: every3, due: at(2026, 11, 23, 0, 0), created: at(2026, 11, 23, 10, 0), n: 3,
		want: []string{"Thu 2026-11-26 09:00 #3", "Sun 2026-11-29 09:00 #4", "Wed 2026-12-02 09:00 #5"},
	}, {
		name: "overdue after a ladder point past the deadline", p: laterLadder, due: at(2026, 11, 23, 0, 0), created: at(2026, 11, 21, 10, 0), n: 3,
		want: []string{"Sun 2026-11-22 09:00 #0", "Tue 2026-11-24 09:00 #1", "Thu 2026-11-26 09:00 #2"},
	}, {
		name: "unsorted ladder with repeats; days past the cap dropped", p: messy, due: at(2026, 12, 4, 0, 0), created: at(2026, 11, 23, 10, 0), n: 3,
		want: []string{"Fri 2026-11-27 09:00 #0", "Thu 2026-12-03 09:00 #1", "Fri 2026-12-04 09:00 #2"},
	}, {
		name: "no overdue reminders", p: noOverdue, due: at(2026, 11, 27, 0, 0), created: at(2026, 11, 23, 10, 0), n: 10,
		want: []string{"Thu 2026-11-26 09:00 #1", "Fri 2026-11-27 09:00 #2"},
	}, {
		// Due Monday 5 October: +60 is Friday 4 December, the last point.
		name: "the cap", p: def, due: at(2026, 10, 5, 0, 0), created: at(2026, 11, 30, 10, 0), n: 10,
		want: []string{"Wed 2026-12-02 09:00 #31", "Fri 2026-12-04 09:00 #32"},
	}, {
		name: "past the cap", p: def, due: at(2026, 10, 5, 0, 0), created: at(2026, 12, 4, 9, 0), n: 10,
	}, {
		name: "no working day", p: neverWorks, due: at(2026, 12, 4, 0, 0), created: at(2026, 11, 23, 10, 0), n: 10,
	}, {
		name: "quiet all day", p: allQuiet, due: at(2026, 12, 4, 0, 0), created: at(2026, 11, 23, 10, 0), n: 10,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := walk(tt.p, tt.due, tt.hasTime, tt.created, ladderZone, tt.n)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("reminders (-want +got):\n%s", diff)
			}
			// The same instants given in UTC walk the same ladder: dates
			// are taken in the zone passed, not the zone of the values.
			utc := walk(tt.p, tt.due.UTC(), tt.hasTime, tt.created.UTC(), ladderZone, tt.n)
			if diff := cmp.Diff(got, utc); diff != "" {
				t.Errorf("with UTC inputs (-local +utc):\n%s", diff)
			}
		})
	}
}

// TestLadderLateJob: a job that runs late (the bot was down) sends the
// reminder that is due and schedules the next one ahead, without a burst
// of the missed ones.
func TestLadderLateJob(t *testing.T) {
	p := storage.DefaultReminderPolicy(1)
	due := at(2026, 12, 4, 0, 0)
	got, step := NextReminder(p, due, false, 0, at(2026, 12, 7, 15, 0), ladderZone)
	if want := at(2026, 12, 8, 9, 0); !got.Equal(want) || step != 4 {
		t.Errorf("next after a late run = %v #%d, want %v #4", got, step, want)
	}
}

// TestLadderDST: in a zone with daylight saving time the points keep
// their local hour across the change.
func TestLadderDST(t *testing.T) {
	berlin := mustLoad("Europe/Berlin")
	p := storage.DefaultReminderPolicy(1)
	p.Weekends = nil
	p.Ladder = []int{-2, -1, 0}
	due := time.Date(2026, time.March, 30, 0, 0, 0, 0, berlin) // clocks go forward on the 29th
	got := walk(p, due, false, time.Date(2026, time.March, 20, 12, 0, 0, 0, berlin), berlin, 4)
	want := []string{
		"Sat 2026-03-28 09:00 #0",
		"Sun 2026-03-29 09:00 #1",
		"Mon 2026-03-30 09:00 #2",
		"Wed 2026-04-01 09:00 #3",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reminders (-want +got):\n%s", diff)
	}
	// Quiet hours end at 08:00 local on the day the clocks change.
	p.Ladder = []int{0}
	start, _ := FirstReminder(p, time.Date(2026, time.March, 29, 9, 0, 0, 0, berlin), true, due.AddDate(0, 0, -5), berlin)
	if want := time.Date(2026, time.March, 29, 8, 0, 0, 0, berlin); !start.Equal(want) {
		t.Errorf("reminder of a 09:00 deadline on the change day = %v, want %v", start, want)
	}
}
