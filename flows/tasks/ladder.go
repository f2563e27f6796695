package tasks

import (
	"slices"
	"time"

	"smkbot/storage"
)

// The reminder ladder of an assignment: when its reminders go out.
//
// A reminder goes out on each day of the policy's ladder (days relative to
// the deadline: −7, −1, 0 by default), then every OverdueEvery days past
// the deadline, up to MaxOverdueDays. These are the ladder's points,
// numbered from 0 in time order: the step of a reminder is the number of
// its point.
//
// A point goes out at 09:00 local time, except on the day of a deadline
// with a time, when it goes out two hours before the deadline (at 09:00
// when that is in the quiet hours and 09:00 is still before the deadline,
// and not at all when neither is). Then it is
// moved out of the policy's quiet hours to their end, and off weekends and
// holidays to the next working day's 09:00 (or the end of the quiet hours,
// if later). Points moved onto the same time are sent once, and points
// whose time has passed are skipped: a task due in three days starts at
// −1, and a bot that was down sends the reminder that is due now, not the
// ones it missed.
//
// The ladder is found by time, not by counting steps, so a deadline moved
// since the last reminder (an approved postponement) simply continues
// with the new deadline's points still ahead.

// MaxOverdueDays caps the overdue reminders: none goes out more than 60
// days past the deadline. An assignment still open by then has had about
// thirty reminders and an escalation; it stays on the quality manager's
// list of overdue tasks and in the weekly digest, and a reminder a day for
// ever would only teach the assignee to ignore the bot.
const MaxOverdueDays = 60

const (
	// ladderHour is the local hour a ladder point goes out.
	ladderHour = 9
	// ladderBeforeTime is how long before a deadline with a time the
	// reminder of its day goes out.
	ladderBeforeTime = 2 * time.Hour
	// ladderSearchDays bounds the search for a working moment: a policy
	// with every weekday a weekend, or quiet all day, has none, and then
	// no reminders go out.
	ladderSearchDays = 400
)

// FirstReminder is the first reminder of an assignment to a task due at
// due (a local date, or a local date and time when hasTime), created at
// now: the first point of the ladder after now, and its step. A zero time
// means no reminder at all (a deadline more than MaxOverdueDays past, or a
// policy without a working moment). Dates are local to loc.
func FirstReminder(p storage.ReminderPolicy, due time.Time, hasTime bool, now time.Time, loc *time.Location) (at time.Time, step int) {
	return ladderAfter(p, due, hasTime, now, loc)
}

// NextReminder is the reminder after the one of step that goes out at now:
// the next point of the ladder after now, and its step; a zero time means
// no more reminders. The step sent is not counted on: the ladder is found
// by time, so that a deadline moved since step was scheduled restarts
// from the new deadline's points ahead rather than from a step number
// that belonged to the old one.
func NextReminder(p storage.ReminderPolicy, due time.Time, hasTime bool, step int, now time.Time, loc *time.Location) (at time.Time, next int) {
	return ladderAfter(p, due, hasTime, now, loc)
}

// ladderAfter returns the first point of the ladder strictly after now.
func ladderAfter(p storage.ReminderPolicy, due time.Time, hasTime bool, now time.Time, loc *time.Location) (time.Time, int) {
	if loc == nil {
		loc = time.UTC
	}
	due = due.In(loc)
	for step, day := range ladderDays(p) {
		at, ok := ladderShift(p, ladderPoint(due, hasTime, day, loc), loc)
		if !ok {
			return time.Time{}, 0
		}
		if hasTime && day == 0 && !at.Before(due) {
			// Two hours before an early deadline fell in the quiet hours
			// and waits past it: remind in the morning, if that is still
			// before the deadline, or not on the day (the day before had
			// its reminder) rather than announce a deadline as coming
			// once it has gone.
			y, m, d := due.Date()
			at, ok = ladderShift(p, time.Date(y, m, d, ladderHour, 0, 0, 0, loc), loc)
			if !ok || !at.Before(due) {
				continue
			}
		}
		if at.After(now) {
			return at, step
		}
	}
	return time.Time{}, 0
}

// ladderDays are the days of the ladder's points relative to the
// deadline, in order: the policy's ladder, sorted and without repeats,
// then every OverdueEvery days after the later of the deadline and the
// ladder's last day, all up to MaxOverdueDays. OverdueEvery of 0 or less
// means no overdue reminders.
func ladderDays(p storage.ReminderPolicy) []int {
	days := slices.Clone(p.Ladder)
	slices.Sort(days)
	days = slices.Compact(days)
	days = slices.DeleteFunc(days, func(d int) bool { return d > MaxOverdueDays })
	if p.OverdueEvery <= 0 {
		return days
	}
	base := 0
	if n := len(days); n > 0 && days[n-1] > 0 {
		base = days[n-1]
	}
	for d := base + p.OverdueEvery; d <= MaxOverdueDays; d += p.OverdueEvery {
		days = append(days, d)
	}
	return days
}

// ladderPoint is the time a point goes out before it is moved out of quiet
// hours and days off: 09:00 of its day, or two hours before a deadline
// with a time on the deadline's day. Days are counted on the calendar
// (time.Date normalises the 32nd), not in 24 hours, so the hour holds in a
// zone with daylight saving time.
func ladderPoint(due time.Time, hasTime bool, day int, loc *time.Location) time.Time {
	if hasTime && day == 0 {
		return due.Add(-ladderBeforeTime)
	}
	y, m, d := due.Date()
	return time.Date(y, m, d+day, ladderHour, 0, 0, 0, loc)
}

// ladderShift moves t out of quiet hours to their end, and off weekends
// and holidays to ladderHour of the next working day (then out of quiet
// hours again, should they end later). ok is false when no working moment
// comes within ladderSearchDays.
func ladderShift(p storage.ReminderPolicy, t time.Time, loc *time.Location) (_ time.Time, ok bool) {
	t = t.In(loc)
	// Each turn moves t to a later day or out of the quiet hours of its
	// day, so two turns a day suffice.
	for range 2 * ladderSearchDays {
		y, m, d := t.Date()
		if !ladderWorkday(p, t) {
			t = time.Date(y, m, d+1, ladderHour, 0, 0, 0, loc)
			continue
		}
		end, quiet := ladderQuietEnd(p, t)
		if !quiet {
			return t, true
		}
		t = end
	}
	return time.Time{}, false
}

// ladderWorkday reports whether t's local date is neither a weekend day
// nor a holiday of the policy.
func ladderWorkday(p storage.ReminderPolicy, t time.Time) bool {
	if slices.Contains(p.Weekends, int(t.Weekday())) {
		return false
	}
	y, m, d := t.Date()
	for _, h := range p.Holidays {
		// A holiday is a date, compared as the calendar date it carries:
		// Postgres hands a date over as midnight UTC, which shown in a
		// zone west of Greenwich would fall on the day before.
		hy, hm, hd := h.Date()
		if hy == y && hm == m && hd == d {
			return false
		}
	}
	return true
}

// ladderQuietEnd reports whether t (local) falls in the policy's quiet
// hours, and if so when they end. Quiet hours from 21:00 to 08:00 span
// midnight: 22:00 waits for 08:00 the next day, 06:00 for 08:00 the same
// day. Equal bounds mean no quiet hours.
func ladderQuietEnd(p storage.ReminderPolicy, t time.Time) (time.Time, bool) {
	from, to := p.QuietFrom, p.QuietTo
	if from == to {
		return time.Time{}, false
	}
	y, mo, d := t.Date()
	m := t.Hour()*60 + t.Minute()
	switch {
	case from < to && m >= from && m < to, from > to && m < to:
		return time.Date(y, mo, d, 0, to, 0, 0, t.Location()), true
	case from > to && m >= from:
		return time.Date(y, mo, d+1, 0, to, 0, 0, t.Location()), true
	}
	return time.Time{}, false
}
