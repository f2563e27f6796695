package flows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// zone is the association's zone in tests: Barnaul is UTC+7 all year.
var zone = time.FixedZone("Barnaul", 7*3600)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, zone) }

func wantInputError(t *testing.T, err error, msgID string) {
	t.Helper()
	var ie *InputError
	if !errors.As(err, &ie) || ie.MsgID != msgID {
		t.Errorf("err = %v, want *InputError %q", err, msgID)
	}
}

func TestParseDate(t *testing.T) {
	// Sunday 20 December 2026, 10:00 in Barnaul.
	now := time.Date(2026, 12, 20, 10, 0, 0, 0, zone)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"25.12", day(2026, 12, 25)},
		{"20.12", day(2026, 12, 20)}, // today counts
		{"19.12", day(2027, 12, 19)}, // yesterday means next year
		{"1.1", day(2027, 1, 1)},     // rolls over the year
		{"01.01", day(2027, 1, 1)},
		{"25/12", day(2026, 12, 25)},
		{"25.12.2026", day(2026, 12, 25)},
		{"25.12.26", day(2026, 12, 25)},
		{"25/12/2027", day(2027, 12, 25)},
		{"1.9.2025", day(2025, 9, 1)}, // a past date with a year is the caller's to refuse
		{"2026-12-25", day(2026, 12, 25)},
		{"2027-1-5", day(2027, 1, 5)},
		{" 25 . 12 ", day(2026, 12, 25)},
		{"29.02.2028", day(2028, 2, 29)}, // leap year
		{"29.02", day(2028, 2, 29)},      // the next 29 February
		{"28.02", day(2027, 2, 28)},
		{"сегодня", day(2026, 12, 20)},
		{"Сегодня", day(2026, 12, 20)},
		{"ЗАВТРА", day(2026, 12, 21)},
		{"  завтра  ", day(2026, 12, 21)},
		{"послезавтра", day(2026, 12, 22)},
		{"через 3 дня", day(2026, 12, 23)},
		{"через  3   дня", day(2026, 12, 23)},
		{"через3дня", day(2026, 12, 23)},
		{"Через 1 день", day(2026, 12, 21)},
		{"через день", day(2026, 12, 21)},
		{"через 12 дней", day(2027, 1, 1)},
		{"через неделю", day(2026, 12, 27)},
		{"через 2 недели", day(2027, 1, 3)},
		{"через месяц", day(2027, 1, 20)},
		{"через 3 месяца", day(2027, 3, 20)},
		{"через 14 месяцев", day(2028, 2, 20)},
		{"25 декабря", day(2026, 12, 25)},
		{"1 января", day(2027, 1, 1)},
		{"25 Дек 2027", day(2027, 12, 25)},
		{"3 мая 2027", day(2027, 5, 3)},
		{"1 сентября 27", day(2027, 9, 1)},
		{"через 999 дней", day(2029, 9, 14)},
		{"25.12.", day(2026, 12, 25)}, // a trailing dot, as people write
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, now, zone)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) || got.Location() != zone {
			t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseDateInvalid(t *testing.T) {
	now := time.Date(2026, 12, 20, 10, 0, 0, 0, zone)
	for _, in := range []string{
		"", "   ", "31.02", "31.02.2027", "29.02.2027", "30.02", "32.12", "0.12", "25.0", "25.13", "00.00",
		"25", "25.12.2026.1", "25..12", ".12", "25.12/2026", "25-12", "25.12.202", "25.12.12345",
		"2026-13-01", "2026-02-30", "2026/12/25", "1899-01-01", "25.12.1899", "2200-01-01",
		"+1.12", "-1.12", "1e2.12", "２５.１２", // full-width digits are not ours
		"через 0 дней", // "сегодня" says it; documented
		"через -1 день", "через 1000 дней", "через 3", "через", "через 3 года", "через 3 дня назад",
		"вчера", "завтра завтра", "послезавтра!", "25 декабрь", "32 декабря", "30 февраля 2027",
		"через 99999999999999999999 дней", strings.Repeat("1", 100), "14:00",
	} {
		got, err := ParseDate(in, now, zone)
		if err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error", in, got)
			continue
		}
		wantInputError(t, err, "input.date_invalid")
	}
}

// TestParseDateZone: "today" is the day in the association's zone, not in
// the server's: at 20:00 UTC on 31 December it is already 1 January in
// Barnaul.
func TestParseDateZone(t *testing.T) {
	now := time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"сегодня":     day(2027, 1, 1),
		"завтра":      day(2027, 1, 2),
		"31.12":       day(2027, 12, 31),
		"1.1":         day(2027, 1, 1),
		"через месяц": day(2027, 2, 1),
	} {
		got, err := ParseDate(in, now, zone)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

// TestParseDateMonthEnd: a month later than the 31st is the month's last day.
func TestParseDateMonthEnd(t *testing.T) {
	tests := []struct {
		now, want time.Time
		in        string
	}{
		{day(2027, 1, 31), day(2027, 2, 28), "через месяц"},
		{day(2028, 1, 31), day(2028, 2, 29), "через месяц"},
		{day(2027, 3, 31), day(2027, 4, 30), "через месяц"},
		{day(2027, 12, 31), day(2028, 2, 29), "через 2 месяца"},
		{day(2028, 2, 29), day(2029, 2, 28), "через 12 месяцев"},
		{day(2028, 2, 28), day(2028, 2, 29), "завтра"},
		{day(2027, 2, 28), day(2027, 3, 1), "завтра"},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, tt.now.Add(15*time.Hour), zone)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseDate(%q) on %v = %v, %v; want %v", tt.in, tt.now, got, err, tt.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		h, m int
	}{
		{"14:00", 14, 0},
		{"14.00", 14, 0},
		{"9:30", 9, 30},
		{"09:05", 9, 5},
		{" 9 : 30 ", 9, 30},
		{"0:00", 0, 0},
		{"23:59", 23, 59},
	}
	for _, tt := range tests {
		h, m, err := ParseTime(tt.in)
		if err != nil || h != tt.h || m != tt.m {
			t.Errorf("ParseTime(%q) = %d, %d, %v; want %d, %d", tt.in, h, m, err, tt.h, tt.m)
		}
	}
	for _, in := range []string{"", "14", "1400", "24:00", "14:60", "14:5", "14:000", "123:00", "-1:00", "+9:30",
		"14:00:00", "14-00", "14,00", "14:0a", "девять", "９:３０", ":30", "14:"} {
		_, _, err := ParseTime(in)
		wantInputError(t, err, "input.time_invalid")
	}
}

func TestParseFullName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Иванова Мария Петровна", "Иванова Мария Петровна"},
		{"иванова мария петровна", "Иванова Мария Петровна"},
		{"  иванова   мария\tпетровна ", "Иванова Мария Петровна"},
		{"петрова-водкина анна сергеевна", "Петрова-Водкина Анна Сергеевна"},
		{"ИВАНОВА МАРИЯ", "Иванова Мария"},
		{"иВАНОВА мАРИЯ", "Иванова Мария"},
		{"a a aA A", "A A Aa A"}, // found by fuzzing: the result must parse to itself
		{"МакДональд Анна", "МакДональд Анна"},
		{"Ёлкина Алёна", "Ёлкина Алёна"},
		{"ёлкина алёна", "Ёлкина Алёна"},
		{"John Smith", "John Smith"},
		{"Ахмед Оглы Мамедов Али", "Ахмед Оглы Мамедов Али"},
		{"Анна‐Мария Иванова", "Анна-Мария Иванова"},   // U+2010 from a phone
		{"Иванои\u0306 Андреи\u0306", "Иваной Андрей"}, // decomposed й
		{"ю ян", "Ю Ян"}, // short names exist
	}
	for _, tt := range tests {
		got, err := ParseFullName(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseFullName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	long := strings.Repeat("а", 49) + " " + strings.Repeat("б", 50)
	if _, err := ParseFullName(long); err != nil {
		t.Errorf("100 runes refused: %v", err)
	}
	for _, in := range []string{
		"", "Иванова", "Иванова Мария Петровна Оглы Лишнее", "Иванова М.", "Иванова М. П.", "Иванова 2",
		"-Иванова Мария", "Иванова- Мария", "Петрова--Водкина Анна", "Иванова_Мария Петровна", "Ивaнова Мария", // Latin "a"
		"Иванова Мария 🙂", "Ιωάννης Παπαδόπουλος", "O'Neil John", "Иванова\x00 Мария",
		long + "б", strings.Repeat("а ", 1000),
	} {
		_, err := ParseFullName(in)
		wantInputError(t, err, "input.name_invalid")
	}
}

func TestInvalid(t *testing.T) {
	err := Invalid("input.date_past", "Date", "25 декабря")
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("Invalid returned %T", err)
	}
	if diff := cmp.Diff(&InputError{MsgID: "input.date_past", Data: []any{"Date", "25 декабря"}}, ie); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if !strings.Contains(err.Error(), "input.date_past") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestParseCallback(t *testing.T) {
	tests := []struct {
		in   string
		want CallbackData
	}{
		{"onb:consent:yes", CallbackData{"onb", "consent", "yes"}},
		{"tasks:done:42", CallbackData{"tasks", "done", "42"}},
		{"onb:rename:", CallbackData{"onb", "rename", ""}},
		{"survey:answer_2:12.5.3", CallbackData{"survey", "answer_2", "12.5.3"}},
		{"a:b:A-z_0.9", CallbackData{"a", "b", "A-z_0.9"}},
		{"abcdefghijkl:" + strings.Repeat("x", 24) + ":" + strings.Repeat("9", 26), // 64 bytes exactly
			CallbackData{"abcdefghijkl", strings.Repeat("x", 24), strings.Repeat("9", 26)}},
	}
	for _, tt := range tests {
		got, err := ParseCallback(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseCallback(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if got.String() != tt.in {
			t.Errorf("String() = %q, want %q", got.String(), tt.in)
		}
	}
	for _, in := range []string{
		"", "onb", "onb:consent", "onb:consent:yes:no", ":consent:yes", "onb::yes", "Onb:consent:yes",
		"onb:Consent:yes", "onb1:consent:yes", "on-b:consent:yes", "onb:con-sent:yes", "onb:consent:y s",
		"onb:consent:yes ", " onb:consent:yes", "onb:consent:да", "onb:consent:a/b", "onb:consent:a:b",
		"abcdefghijklm:a:1", "a:" + strings.Repeat("x", 25) + ":1", "a:b:" + strings.Repeat("1", 41),
		"abcdefghijkl:" + strings.Repeat("x", 24) + ":" + strings.Repeat("9", 27), // 65 bytes
		"onb:consent:yes\n", "onb:consent:\x00",
	} {
		if got, err := ParseCallback(in); err == nil {
			t.Errorf("ParseCallback(%q) = %v, want an error", in, got)
		}
	}
}

func TestCB(t *testing.T) {
	tests := []struct {
		flow, action string
		arg          any
		want         string
	}{
		{"tasks", "done", 42, "tasks:done:42"},
		{"tasks", "done", int64(9007199254740993), "tasks:done:9007199254740993"},
		{"onb", "rename", nil, "onb:rename:"},
		{"onb", "consent", "yes", "onb:consent:yes"},
		{"survey", "page", "3.2", "survey:page:3.2"},
	}
	for _, tt := range tests {
		if got := CB(tt.flow, tt.action, tt.arg); got != tt.want {
			t.Errorf("CB(%q, %q, %v) = %q, want %q", tt.flow, tt.action, tt.arg, got, tt.want)
		}
	}
	for _, bad := range []struct {
		flow, action string
		arg          any
	}{
		{"", "x", nil}, {"Tasks", "x", nil}, {"tasks", "", nil}, {"tasks", "x", "a:b"},
		{"tasks", "x", strings.Repeat("1", 41)}, {"tasks", "x", []int{1, 2}}, {"tasks", "x", "да"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("CB(%q, %q, %v) did not panic", bad.flow, bad.action, bad.arg)
				}
			}()
			CB(bad.flow, bad.action, bad.arg)
		}()
	}
}

func TestArgInts(t *testing.T) {
	tests := []struct {
		in   string
		want []int64
	}{
		{"1", []int64{1}},
		{"0", []int64{0}},
		{"7.0.3", []int64{7, 0, 3}},
		{"12.5.3", []int64{12, 5, 3}},
		{"9223372036854775807", []int64{9223372036854775807}},
	}
	for _, tt := range tests {
		got, err := ArgInts(tt.in)
		if err != nil {
			t.Errorf("ArgInts(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ArgInts(%q) (-want +got)\n%s", tt.in, diff)
		}
	}
	for _, in := range []string{"", "00", "01", "1.", ".1", "1..2", "+1", "-1", "1.-2", "1.a", " 1", "1 ",
		"9223372036854775808", "1e3", "1_000", "１"} {
		if got, err := ArgInts(in); err == nil {
			t.Errorf("ArgInts(%q) = %v, want an error", in, got)
		}
	}
}
