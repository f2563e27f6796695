package tasks

import (
	"context"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smkbot/flows"
	"smkbot/flows/flowtest"
	"smkbot/locales"
	"smkbot/storage"
)

// newSetEnv is the manager's bot with the settings registered too.
func newSetEnv(t *testing.T) *manEnv {
	t.Helper()
	f := &Flow{Location: flowtest.Zone, Files: manFiles{}}
	e := flowtest.New(t, func(r *flows.Router, e *flowtest.Env) {
		f.Store = e.Store
		f.registerManage(r)
		f.registerSettings(r)
	})
	m := &manEnv{Env: e, files: manFiles{}, next: 1 << 20, flowRef: f}
	m.org = e.Org(t, "СОШ № 5")
	m.other = e.Org(t, "Гимназия № 2")
	m.qm = e.Person(t, manQM, "Смирнова Ольга Петровна", storage.RoleQualityManager, m.org.ID)
	m.anna = e.Person(t, manAnna, "Иванова Анна Сергеевна", storage.RoleTeacher, m.org.ID)
	e.Person(t, manOtherQM, "Орлова Вера Павловна", storage.RoleQualityManager, m.other.ID)
	return m
}

func (m *manEnv) policy(t *testing.T) storage.ReminderPolicy {
	t.Helper()
	p, err := m.Store.ReminderPolicy(context.Background(), m.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// openSettings goes from the menu to the settings screen.
func (m *manEnv) openSettings(t *testing.T) {
	t.Helper()
	m.Send(t, manQM, "🗂 Программа")
	msgs := m.PressLabel(t, manQM, "⚙️ Напоминания")
	flowtest.Has(t, msgs, "⚙️ Напоминания — СОШ № 5")
}

func utcDay(y int, mo time.Month, d int) time.Time { return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC) }

func TestSettingsScreenDefault(t *testing.T) {
	t.Parallel()
	m := newSetEnv(t)
	m.Send(t, manQM, "🗂 Программа")
	msgs := m.PressLabel(t, manQM, "⚙️ Напоминания")
	flowtest.Has(t, msgs,
		"📅 До срока: за 7 дней, за 1 день и в день срока",
		"🔁 После срока: раз в 2 дня",
		"📣 Руководителю: сообщить, если задача просрочена на 3 дня",
		"🌙 Тихие часы: с 21:00 до 08:00",
		"🗓 Без напоминаний по дням недели: Сб, Вс",
		"🎉 Праздники: не указаны",
		"Уже назначенные напоминания придут в своё время")
	for _, l := range []string{"📅 До срока", "🔁 После срока", "📣 Руководителю", "🌙 Тихие часы", "🗓 Дни недели", "🎉 Праздники", "↩ По умолчанию", "‹ К программе"} {
		if !slices.Contains(flowtest.ButtonLabels(msgs), l) {
			t.Fatalf("no button %q in %q", l, flowtest.ButtonLabels(msgs))
		}
	}
	// Back to the programme.
	flowtest.Has(t, m.PressLabel(t, manQM, "‹ К программе"), "🗂 Программа")
}

func TestSettingsButtonsSave(t *testing.T) {
	t.Parallel()
	m := newSetEnv(t)
	m.openSettings(t)

	// After the deadline: every day.
	flowtest.Has(t, m.PressLabel(t, manQM, "🔁 После срока"), "Как часто напоминать")
	flowtest.Has(t, m.PressLabel(t, manQM, "каждый день"), "✅ Сохранено.", "🔁 После срока: каждый день")
	if p := m.policy(t); p.OverdueEvery != 1 {
		t.Fatalf("overdue every %d", p.OverdueEvery)
	}
	m.PressLabel(t, manQM, "🔁 После срока")
	flowtest.Has(t, m.PressLabel(t, manQM, "раз в 7 дней"), "🔁 После срока: раз в 7 дней")
	if p := m.policy(t); p.OverdueEvery != 7 {
		t.Fatalf("overdue every %d", p.OverdueEvery)
	}

	// Telling the manager: after 5 days, then never.
	m.PressLabel(t, manQM, "📣 Руководителю")
	if !slices.Contains(m.Labels(manQM), "✅ 3 дня") {
		t.Fatalf("current choice not marked: %q", m.Labels(manQM))
	}
	flowtest.Has(t, m.PressLabel(t, manQM, "5 дней"), "просрочена на 5 дней")
	if p := m.policy(t); p.EscalateAfter != 5 {
		t.Fatalf("escalate after %d", p.EscalateAfter)
	}
	m.PressLabel(t, manQM, "📣 Руководителю")
	flowtest.Has(t, m.PressLabel(t, manQM, "не сообщать"), "📣 Руководителю: не сообщать")
	if p := m.policy(t); p.EscalateAfter != 0 {
		t.Fatalf("escalate after %d", p.EscalateAfter)
	}

	// Days of the week: Sunday on again, Wednesday off.
	m.PressLabel(t, manQM, "🗓 Дни недели")
	m.PressLabel(t, manQM, "🚫 Вс")
	if p := m.policy(t); !slices.Equal(p.Weekends, []int{6}) {
		t.Fatalf("weekends %v", p.Weekends)
	}
	msgs := m.PressLabel(t, manQM, "Ср")
	if !slices.Contains(flowtest.ButtonLabels(msgs), "🚫 Ср") || !slices.Contains(flowtest.ButtonLabels(msgs), "Вс") {
		t.Fatalf("toggles %q", flowtest.ButtonLabels(msgs))
	}
	if p := m.policy(t); !slices.Equal(p.Weekends, []int{3, 6}) {
		t.Fatalf("weekends %v", p.Weekends)
	}
	flowtest.Has(t, m.PressLabel(t, manQM, "‹ К настройкам"), "по дням недели: Ср, Сб")

	// The rest of the policy is untouched.
	want := storage.DefaultReminderPolicy(m.org.ID)
	want.OverdueEvery, want.EscalateAfter, want.Weekends = 7, 0, []int{3, 6}
	if diff := cmp.Diff(want, m.policy(t)); diff != "" {
		t.Fatalf("policy (-want +got):\n%s", diff)
	}

	// Back to the default.
	flowtest.Has(t, m.PressLabel(t, manQM, "↩ По умолчанию"), "Вернули настройки по умолчанию", "Сб, Вс")
	if diff := cmp.Diff(storage.DefaultReminderPolicy(m.org.ID), m.policy(t)); diff != "" {
		t.Fatalf("policy (-want +got):\n%s", diff)
	}
}

func TestSettingsTypedSave(t *testing.T) {
	t.Parallel()
	m := newSetEnv(t)
	m.openSettings(t)

	// The ladder: a bad answer keeps the question.
	flowtest.Has(t, m.PressLabel(t, manQM, "📅 До срока"), "За сколько дней до срока")
	flowtest.Has(t, m.Send(t, manQM, "неделя"), "Не получилось понять «неделя»")
	flowtest.Has(t, m.Send(t, manQM, "3, 99"), "от 0 до 60")
	if s := m.step(t, manQM); s != stepSetLadder {
		t.Fatalf("step %q after a refused ladder", s)
	}
	flowtest.Has(t, m.Send(t, manQM, "14, 3, 0"), "✅ Сохранено.", "📅 До срока: за 14 дней, за 3 дня и в день срока")
	if p := m.policy(t); !slices.Equal(p.Ladder, []int{-14, -3, 0}) {
		t.Fatalf("ladder %v", p.Ladder)
	}
	if s := m.step(t, manQM); s != "" {
		t.Fatalf("step %q after the ladder", s)
	}

	// Quiet hours.
	m.PressLabel(t, manQM, "🌙 Тихие часы")
	flowtest.Has(t, m.Send(t, manQM, "поздно вечером"), "Не получилось понять время")
	flowtest.Has(t, m.Send(t, manQM, "25:00-08:00"), "Не получилось понять время")
	flowtest.Has(t, m.Send(t, manQM, "8:00-8:00"), "совпадают")
	flowtest.Has(t, m.Send(t, manQM, "22:30 - 7:00"), "🌙 Тихие часы: с 22:30 до 07:00")
	if p := m.policy(t); p.QuietFrom != 22*60+30 || p.QuietTo != 7*60 {
		t.Fatalf("quiet %d-%d", p.QuietFrom, p.QuietTo)
	}
	m.PressLabel(t, manQM, "🌙 Тихие часы")
	flowtest.Has(t, m.Send(t, manQM, "нет"), "🌙 Тихие часы: нет")
	if p := m.policy(t); p.QuietFrom != p.QuietTo {
		t.Fatalf("quiet %d-%d", p.QuietFrom, p.QuietTo)
	}

	// Holidays, relative to 20 November 2026; a past date is allowed.
	m.PressLabel(t, manQM, "🎉 Праздники")
	flowtest.Has(t, m.Send(t, manQM, "31.12, когда-нибудь"), "Не получилось понять дату «когда-нибудь»")
	flowtest.Has(t, m.Send(t, manQM, "08.01-01.01"), "конец должен быть не раньше начала")
	flowtest.Has(t, m.Send(t, manQM, "31.12-03.01\n23 февраля, 04.11.2026"),
		"🎉 Праздники: 4 ноября 2026, 31 декабря 2026 – 3 января 2027, 23 февраля 2027")
	want := []time.Time{utcDay(2026, 11, 4), utcDay(2026, 12, 31), utcDay(2027, 1, 1), utcDay(2027, 1, 2), utcDay(2027, 1, 3), utcDay(2027, 2, 23)}
	if diff := cmp.Diff(want, m.policy(t).Holidays); diff != "" {
		t.Fatalf("holidays (-want +got):\n%s", diff)
	}
	// More dates are added to the list.
	m.PressLabel(t, manQM, "🎉 Праздники")
	m.Send(t, manQM, "08.03.2027")
	if got := m.policy(t).Holidays; len(got) != 7 || !got[6].Equal(utcDay(2027, 3, 8)) {
		t.Fatalf("holidays %v", got)
	}
	// «очистить» typed, and the button, empty the list.
	m.PressLabel(t, manQM, "🎉 Праздники")
	flowtest.Has(t, m.Send(t, manQM, "Очистить"), "🎉 Праздники: не указаны")
	if got := m.policy(t).Holidays; got != nil {
		t.Fatalf("holidays %v", got)
	}
	m.PressLabel(t, manQM, "🎉 Праздники")
	m.Send(t, manQM, "01.05")
	flowtest.Has(t, m.PressLabel(t, manQM, "🧹 Очистить праздники"), "🎉 Праздники: не указаны")
	if got := m.policy(t).Holidays; got != nil {
		t.Fatalf("holidays %v", got)
	}

	// «Отмена» leaves a question without a change.
	m.PressLabel(t, manQM, "📅 До срока")
	flowtest.Has(t, m.PressLabel(t, manQM, "Отмена"), "📅 До срока: за 14 дней")
	if s := m.step(t, manQM); s != "" {
		t.Fatalf("step %q after cancel", s)
	}
}

func TestSettingsRoles(t *testing.T) {
	t.Parallel()
	m := newSetEnv(t)
	data := []string{
		flows.CB(cbManage, "set", m.org.ID),
		flows.CB(cbManage, "setov", strconv.FormatInt(m.org.ID, 10)+".1"),
		flows.CB(cbManage, "setes", strconv.FormatInt(m.org.ID, 10)+".0"),
		flows.CB(cbManage, "setwdt", strconv.FormatInt(m.org.ID, 10)+".3"),
		flows.CB(cbManage, "setholc", m.org.ID),
		flows.CB(cbManage, "setdef", m.org.ID),
		flows.CB(cbManage, "setlad", m.org.ID),
	}
	// A teacher has no programme; another school's manager has their own.
	flowtest.Has(t, m.Send(t, manAnna, "🗂 Программа"), "недоступно")
	flowtest.Has(t, m.Send(t, manOtherQM, "🗂 Программа"), "Гимназия № 2")
	for _, u := range []flowtest.User{manAnna, manOtherQM} {
		for _, d := range data {
			msgs := m.Press(t, u, d)
			flowtest.Has(t, msgs, "недоступно")
			flowtest.Lacks(t, msgs, "Напоминания —", "Сохранено")
		}
	}
	if diff := cmp.Diff(storage.DefaultReminderPolicy(m.org.ID), m.policy(t)); diff != "" {
		t.Fatalf("policy changed (-want +got):\n%s", diff)
	}
	if s := m.step(t, manOtherQM); s != "" {
		t.Fatalf("another school's manager is in step %q", s)
	}
	// A forged value is stale.
	m.openSettings(t)
	flowtest.Has(t, m.Press(t, manQM, flows.CB(cbManage, "setov", strconv.FormatInt(m.org.ID, 10)+".5")), "устарел")
	flowtest.Has(t, m.Press(t, manQM, flows.CB(cbManage, "setwdt", strconv.FormatInt(m.org.ID, 10)+".7")), "устарел")
}

func TestSettingsParseLadder(t *testing.T) {
	none := []string{"нет", "не надо"}
	tests := []struct {
		in   string
		want []int
		ok   bool
	}{
		{"7, 1, 0", []int{-7, -1, 0}, true},
		{"0 1 7", []int{-7, -1, 0}, true},
		{"7,1,1,0.", []int{-7, -1, 0}, true},
		{"14;3\n0", []int{-14, -3, 0}, true},
		{"60", []int{-60}, true},
		{"Нет", nil, true},
		{"не надо", nil, true},
		{"61", nil, false},
		{"-1", nil, false},
		{"+1", nil, false},
		{"7, неделя", nil, false},
		{"1.5", nil, false},
		{",", nil, false},
		{"1 2 3 4 5 6 7 8 9 10 11", nil, false},
	}
	for _, tc := range tests {
		got, err := parseLadder(tc.in, none)
		if (err == nil) != tc.ok || !slices.Equal(got, tc.want) {
			t.Errorf("parseLadder(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestSettingsParseQuiet(t *testing.T) {
	none := []string{"нет"}
	tests := []struct {
		in       string
		from, to int
		ok       bool
	}{
		{"21:00-08:00", 21 * 60, 8 * 60, true},
		{"21:00 – 8:00", 21 * 60, 8 * 60, true},
		{"22.30—07.15", 22*60 + 30, 7*60 + 15, true},
		{"22-7", 22 * 60, 7 * 60, true},
		{"с 21:00 до 08:00", 21 * 60, 8 * 60, true},
		{"13:00-14:00", 13 * 60, 14 * 60, true},
		{"нет", 0, 0, true},
		{"НЕТ.", 0, 0, true},
		{"21:00", 0, 0, false},
		{"21:00-08:00-09:00", 0, 0, false},
		{"24:00-08:00", 0, 0, false},
		{"21:60-08:00", 0, 0, false},
		{"21:00/08:00", 0, 0, false},
		{"8:00-8:00", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tc := range tests {
		from, to, err := parseQuiet(tc.in, none)
		if (err == nil) != tc.ok || from != tc.from || to != tc.to {
			t.Errorf("parseQuiet(%q) = %d, %d, %v; want %d, %d, ok %v", tc.in, from, to, err, tc.from, tc.to, tc.ok)
		}
	}
}

func TestSettingsParseHolidays(t *testing.T) {
	now := flowtest.Start
	got, err := parseHolidays("31.12 - 02.01; 23.02.2027\n\n1 мая,", now, flowtest.Zone)
	want := []time.Time{utcDay(2026, 12, 31), utcDay(2027, 1, 1), utcDay(2027, 1, 2), utcDay(2027, 2, 23), utcDay(2027, 5, 1)}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("parseHolidays = %v, %v", got, err)
	}
	for _, bad := range []string{"", "завтра-послезавтра-потом", "01.01-01.03", "32.12", "31.12-"} {
		if got, err := parseHolidays(bad, now, flowtest.Zone); err == nil {
			t.Errorf("parseHolidays(%q) = %v, want an error", bad, got)
		}
	}
}

// TestSettingsLocaleIDs checks that every message id of the settings
// exists and that the file has none the code does not use.
func TestSettingsLocaleIDs(t *testing.T) {
	l, err := locales.New(flowtest.Zone)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("settings.go")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range regexp.MustCompile(`"(tasks\.(?:settings|manage)\.[a-z_.]*[a-z_])"`).FindAllStringSubmatch(string(src), -1) {
		ids = append(ids, m[1])
	}
	for d := range 7 {
		ids = append(ids, "tasks.settings.wd."+strconv.Itoa(d))
	}
	// The programme's button lives in manage.go.
	ids = append(ids, "tasks.settings.btn.open")
	for _, id := range ids {
		if !l.Has(id) {
			t.Errorf("no message %q", id)
		}
	}
	for _, id := range l.IDs() {
		if strings.HasPrefix(id, "tasks.settings.") && !slices.Contains(ids, id) {
			t.Errorf("message no code uses: %q", id)
		}
	}
}

// TestSettingsKeepsDraft checks that a typed question of the settings,
// asked while a new task is being written, gives the session back to it.
func TestSettingsKeepsDraft(t *testing.T) {
	t.Parallel()
	m := newSetEnv(t)
	m.Send(t, manQM, "🗂 Программа")
	m.PressLabel(t, manQM, "➕ Новая задача")
	flowtest.Has(t, m.Send(t, manQM, "Анализ ВПР"), "К какому направлению")
	m.Send(t, manQM, "🗂 Программа")
	m.PressLabel(t, manQM, "⚙️ Напоминания")
	m.PressLabel(t, manQM, "🌙 Тихие часы")
	msgs := m.Send(t, manQM, "22:00-07:00")
	flowtest.Has(t, msgs, "с 22:00 до 07:00", "Новая задача, которую вы начали, ждёт вас.")
	if s := m.step(t, manQM); s != stepManDir {
		t.Fatalf("step %q, want the new task's %q", s, stepManDir)
	}
}
