package meetings

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/flowtest"
	"smkbot/flows/tasks"
	"smkbot/storage"
)

// aFiles is Telegram's file storage as the flow sees it.
type aFiles struct {
	mu    sync.Mutex
	files map[string][]byte
}

func (f *aFiles) Download(_ context.Context, id string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	data, ok := f.files[id]
	if !ok {
		return nil, fmt.Errorf("no file %q", id)
	}
	return data, nil
}

// aEnv is the association for the tests of after.go: a secretary (not a
// member), a chair and presidium members, a teacher of a member school
// (a decision's executor), and the flow's jobs to run by hand.
type aEnv struct {
	*flowtest.Env
	files   *aFiles
	sched   *noticeScheduler // the minutes' broadcast, run by hand
	jobs    map[string]flows.Job
	sec     storage.Person
	secU    flowtest.User
	members []storage.Person // the chair first
	users   []flowtest.User
	school  storage.Organisation
	teacher storage.Person
	teachU  flowtest.User
	next    int
}

const (
	aSecChat     = 700
	aMemberChat  = 710 // + i
	aTeacherChat = 790
)

// newAEnv registers the secretary, the chair and n-1 presidium members,
// and a teacher; with tasks, the real tasks flow takes decisions'
// executors.
func newAEnv(t *testing.T, n int, withTasks bool) *aEnv {
	t.Helper()
	e := &aEnv{files: &aFiles{files: map[string][]byte{}}, jobs: map[string]flows.Job{}, next: 1 << 20,
		sched: &noticeScheduler{handlers: map[string]flows.WorkFunc{}, seen: map[string]bool{}}}
	e.Env = flowtest.New(t, func(r *flows.Router, fe *flowtest.Env) {
		f := &Flow{Store: fe.Store, Files: e.files, Scheduler: e.sched, Location: flowtest.Zone}
		if withTasks {
			tf := &tasks.Flow{Store: fe.Store, Location: flowtest.Zone}
			tf.Register(r)
			f.Tasks = tf
		}
		f.Register(r)
		for _, j := range r.Jobs() {
			e.jobs[j.Name] = j
		}
	})
	e.secU = flowtest.User{ID: aSecChat, First: "Ольга"}
	e.sec = e.Person(t, e.secU, "Секретарёва Ольга Ивановна", storage.RoleSecretary, 0)
	chairU := flowtest.User{ID: aMemberChat, First: "Пётр"}
	e.members = []storage.Person{e.Person(t, chairU, "Аверин Пётр Петрович", storage.RoleChair, 0)}
	e.users = []flowtest.User{chairU}
	for i := 1; i < n; i++ {
		u := flowtest.User{ID: int64(aMemberChat + i), First: "Член"}
		e.members = append(e.members, e.Person(t, u, fmt.Sprintf("Член%02d Иван Иванович", i), storage.RolePresidium, 0))
		e.users = append(e.users, u)
	}
	e.school = e.Org(t, "Школа № 5")
	e.teachU = flowtest.User{ID: aTeacherChat, First: "Анна"}
	e.teacher = e.Person(t, e.teachU, "Учителева Анна Сергеевна", storage.RoleTeacher, e.school.ID)
	e.Send(t, e.secU, "/meetings") // a message for buttons to be pressed on
	return e
}

// meeting creates and sends a regular meeting starting at the clock's
// time plus in, with two agenda items.
func (e *aEnv) meeting(t *testing.T, in time.Duration) storage.Meeting {
	t.Helper()
	ctx := context.Background()
	m, err := e.Store.CreateMeeting(ctx, e.sec.ID, storage.Meeting{Kind: storage.MeetingRegular,
		StartsAt: e.Clock.Now().Add(in), Place: "Школа № 5, актовый зал"})
	if err != nil {
		t.Fatal(err)
	}
	for i, title := range []string{"О плане работы на год", "О конкурсе «Школа качества»"} {
		if _, err := e.Store.AddAgendaItem(ctx, e.sec.ID, m.ID, title, []string{"Аверин П. П.", ""}[i]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Store.SendMeeting(ctx, e.sec.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	return m
}

// held marks the first present members present and the meeting held,
// through the store.
func (e *aEnv) held(t *testing.T, m storage.Meeting, present int) storage.Meeting {
	t.Helper()
	ctx := context.Background()
	for _, p := range e.members[:present] {
		if err := e.Store.SetPresent(ctx, e.sec.ID, m.ID, p.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	m, err := e.Store.MarkHeld(ctx, e.sec.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// agenda returns the meeting's items.
func (e *aEnv) agenda(t *testing.T, m storage.Meeting) []storage.AgendaItem {
	t.Helper()
	items, err := e.Store.ListAgenda(context.Background(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// decide records a decision through the conversation and returns the
// replies to the votes.
func (e *aEnv) decide(t *testing.T, item storage.AgendaItem, text, votes string) []bot.Message {
	t.Helper()
	e.Press(t, e.secU, flows.CB(cb, actItem, item.ID))
	e.Press(t, e.secU, flows.CB(cb, actDecide, item.ID))
	flowtest.Has(t, e.Send(t, e.secU, text), "за, против, воздержались")
	return e.Send(t, e.secU, votes)
}

// file sends a photo (or a document when name is set) from u.
func (e *aEnv) file(t *testing.T, u flowtest.User, data []byte, name, group string) []bot.Message {
	t.Helper()
	e.next++
	id := fmt.Sprintf("f%d", e.next)
	e.files.mu.Lock()
	e.files.files[id] = data
	e.files.mu.Unlock()
	upd := bot.Update{ID: e.next, ChatID: u.ID, Private: true, From: bot.User{ID: u.ID, FirstName: u.First},
		MessageID: e.next, MediaGroupID: group}
	f := &bot.File{ID: id, UniqueID: "u" + id, Name: name, Size: len(data)}
	if name == "" {
		upd.Photo = f
	} else {
		upd.Document = f
	}
	msgs, err := e.Router.Handle(context.Background(), upd)
	if err != nil {
		t.Fatal(err)
	}
	if s := flowtest.Joined(msgs); strings.Contains(s, "⟦") {
		t.Fatalf("missing locale message in %q", s)
	}
	return msgs
}

// run runs a job of the flow at now.
func (e *aEnv) run(t *testing.T, job string, now time.Time) []bot.Message {
	t.Helper()
	j, ok := e.jobs[job]
	if !ok {
		t.Fatalf("no job %q", job)
	}
	msgs, err := j.Run(context.Background(), now)
	if err != nil {
		t.Fatalf("job %s: %v", job, err)
	}
	return msgs
}

func TestParseVotes(t *testing.T) {
	for _, tc := range []struct {
		in      string
		f, a, b int
		ok      bool
	}{
		{"7 1 0", 7, 1, 0, true},
		{" 7  1   0 ", 7, 1, 0, true},
		{"7,1,0", 7, 1, 0, true},
		{"7, 1, 0", 7, 1, 0, true},
		{"7/1/0", 7, 1, 0, true},
		{"7-1-0", 7, 1, 0, true},
		{"7; 1; 0", 7, 1, 0, true},
		{"0 0 0", 0, 0, 0, true},
		{"007 01 0", 7, 1, 0, true},
		{"9999 0 0", 9999, 0, 0, true},
		{"10000 0 0", 0, 0, 0, false},
		{"7 1", 0, 0, 0, false},
		{"7 1 0 2", 0, 0, 0, false},
		{"", 0, 0, 0, false},
		{"семь один ноль", 0, 0, 0, false},
		{"7 1 x", 0, 0, 0, false},
		{"+7 1 0", 0, 0, 0, false},
		{"-1 0 0", 0, 0, 0, false},
		{"7 1 0,", 0, 0, 0, false},
		{"7 1 0 —", 0, 0, 0, false},
		{"7 — 1 — 0", 7, 1, 0, true},
		{"7,,1,0", 7, 1, 0, true},
		{"7.5 1 0", 0, 0, 0, false},
		{"٧ 1 0", 0, 0, 0, false}, // Arabic-Indic digit
		{strings.Repeat(" ", 70) + "7 1 0", 0, 0, 0, false},
	} {
		f, a, b, ok := ParseVotes(tc.in)
		if ok != tc.ok || f != tc.f || a != tc.a || b != tc.b {
			t.Errorf("ParseVotes(%q) = %d %d %d %v, want %d %d %d %v", tc.in, f, a, b, ok, tc.f, tc.a, tc.b, tc.ok)
		}
	}
}

func FuzzParseVotes(f *testing.F) {
	for _, s := range []string{"7 1 0", "7,1,0", "7/1/0", "1 2", "a b c", "9999 9999 9999", "-1 0 0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, b, c, ok := ParseVotes(s)
		if !ok {
			if a != 0 || b != 0 || c != 0 {
				t.Fatalf("ParseVotes(%q) refused with counts %d %d %d", s, a, b, c)
			}
			return
		}
		for _, n := range []int{a, b, c} {
			if n < 0 || n > maxVote {
				t.Fatalf("ParseVotes(%q) = %d %d %d: out of range", s, a, b, c)
			}
		}
		a2, b2, c2, ok2 := ParseVotes(fmt.Sprintf("%d %d %d", a, b, c))
		if !ok2 || a2 != a || b2 != b || c2 != c {
			t.Fatalf("ParseVotes(%q) = %d %d %d does not read back", s, a, b, c)
		}
	})
}

// TestAfterAttendanceQuorum: attendance opens two hours before the start;
// the list is prefilled from the answers and paged; 5 of 10 present is a
// valid meeting, 4 of 10 is not and its decisions are refused.
func TestAfterAttendanceQuorum(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAEnv(t, 10, false)

	later := e.meeting(t, 3*time.Hour)
	e.Send(t, e.secU, "/meetings")
	flowtest.Lacks(t, e.Press(t, e.secU, flows.CB(cb, actCard, later.ID)), "Отметить присутствие")
	if slices.Contains(e.Labels(e.secU), "✅ Отметить присутствие") {
		t.Fatal("attendance offered three hours before the start")
	}
	flowtest.Has(t, e.Press(t, e.secU, flows.CB(cb, actAttend, fmt.Sprintf("%d.1", later.ID))), "Эта кнопка устарела")

	m := e.meeting(t, time.Hour)
	guest := e.Person(t, flowtest.User{ID: 799, First: "Гость"}, "Гостева Галина Петровна", storage.RoleTeacher, e.school.ID)
	if err := e.Store.AddGuest(ctx, e.sec.ID, m.ID, guest.ID, storage.InviteeAdvisory); err != nil {
		t.Fatal(err)
	}
	for _, p := range e.members[:2] {
		if _, err := e.Store.SetRSVP(ctx, m.ID, p.ID, storage.RSVPYes, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Store.SetRSVP(ctx, m.ID, e.members[2].ID, storage.RSVPNo, "болею"); err != nil {
		t.Fatal(err)
	}
	e.Press(t, e.secU, flows.CB(cb, actCard, m.ID))
	got := e.PressLabel(t, e.secU, "✅ Отметить присутствие")
	flowtest.Has(t, got, "присутствуют 2 из 10 членов президиума, а нужно не менее 5", "Стр. 1 из 2")
	labels := flowtest.ButtonLabels(got)
	for _, want := range []string{"✅ Аверин Пётр Петрович", "✅ Член01 Иван Иванович", "▫️ Член02 Иван Иванович", "Далее ›", "Готово"} {
		if !slices.Contains(labels, want) {
			t.Fatalf("attendance buttons %q lack %q", labels, want)
		}
	}
	flowtest.Has(t, e.PressLabel(t, e.secU, "Далее ›"), "Стр. 2 из 2")
	if !slices.Contains(e.Labels(e.secU), "▫️ Гостева Галина Петровна (гость)") {
		t.Fatalf("the guest is not on page 2: %q", e.Labels(e.secU))
	}
	e.PressLabel(t, e.secU, "‹ Назад")
	// Reopening does not prefill again: a member unmarked stays unmarked.
	e.PressLabel(t, e.secU, "✅ Член01 Иван Иванович")
	e.Press(t, e.secU, flows.CB(cb, actAttend, fmt.Sprintf("%d.1", m.ID)))
	if !slices.Contains(e.Labels(e.secU), "▫️ Член01 Иван Иванович") {
		t.Fatalf("reopening prefilled again: %q", e.Labels(e.secU))
	}
	for _, name := range []string{"Член01", "Член02", "Член03", "Член04"} {
		e.PressLabel(t, e.secU, "▫️ "+name+" Иван Иванович")
	}
	// A forged person or meeting is refused.
	flowtest.Has(t, e.Press(t, e.secU, flows.CB(cb, actToggle, fmt.Sprintf("%d.%d.1", m.ID, e.teacher.ID))), "Эта кнопка устарела")
	flowtest.Has(t, e.Press(t, e.secU, flows.CB(cb, actToggle, fmt.Sprintf("%d.%d.1", m.ID+100, e.members[5].ID))), "Эта кнопка устарела")
	// A member may not mark attendance.
	flowtest.Has(t, e.Send(t, e.users[3], "/meetings"), "Это действие вам недоступно")
	flowtest.Has(t, e.Press(t, e.users[3], flows.CB(cb, actToggle, fmt.Sprintf("%d.%d.1", m.ID, e.members[5].ID))), "Это действие вам недоступно")

	got = e.PressLabel(t, e.secU, "Готово")
	flowtest.Has(t, got, "Заседание правомочно: присутствуют 5 из 10 членов президиума (нужно не менее 5)")
	m, err := e.Store.FindMeeting(ctx, m.ID)
	if err != nil || m.Status != storage.MeetingHeld {
		t.Fatalf("meeting after «Готово»: %v, %v", m.Status, err)
	}

	// 4 of 10: not valid, and decisions are refused.
	m2 := e.held(t, e.meeting(t, time.Hour), 4)
	got = e.Press(t, e.secU, flows.CB(cb, actAttendOK, m2.ID))
	flowtest.Has(t, got, "Заседание неправомочно: присутствуют 4 из 10 членов президиума, а нужно не менее 5", "решения этого заседания записать нельзя")
	flowtest.Has(t, e.PressLabel(t, e.secU, "🗳 Решения"), "Решения записать нельзя: заседание неправомочно")
	item := e.agenda(t, m2)[0]
	flowtest.Has(t, e.Press(t, e.secU, flows.CB(cb, actDecide, item.ID)), "Решения записать нельзя")
}

// TestAfterVotes: the half-present rule at its boundaries, and votes over
// those present refused.
func TestAfterVotes(t *testing.T) {
	t.Parallel()
	e := newAEnv(t, 10, false)

	m := e.held(t, e.meeting(t, time.Hour), 6)
	items := e.agenda(t, m)
	e.Send(t, e.secU, "/meetings")
	e.Press(t, e.secU, flows.CB(cb, actCard, m.ID))
	got := e.PressLabel(t, e.secU, "🗳 Решения")
	flowtest.Has(t, got, "1. О плане работы на год — решение не записано")

	// 6 present, 3 for: exactly half, adopted.
	got = e.decide(t, items[0], "Утвердить план работы на год.", "3 0 3")
	flowtest.Has(t, got, "Решение принято (за 3 из 6 присутствующих, нужно не менее 3)", "Решили: Утвердить план работы на год.")
	// Votes over those present are refused; the step stays.
	e.Press(t, e.secU, flows.CB(cb, actDecide, items[1].ID))
	e.Send(t, e.secU, "Провести конкурс в марте.")
	flowtest.Has(t, e.Send(t, e.secU, "4 2 1"), "Голосов больше, чем присутствующих: всего 7, а членов президиума присутствует 6")
	flowtest.Has(t, e.Send(t, e.secU, "два два два"), "Введите три числа")
	// 6 present, 2 for: not adopted.
	flowtest.Has(t, e.Send(t, e.secU, "2/2/2"), "Решение не принято (за 2 из 6 присутствующих, нужно не менее 3)")

	stored := e.agenda(t, m)
	if !stored[0].Adopted || stored[0].For != 3 || stored[0].Abstain != 3 || stored[1].Adopted || stored[1].Against != 2 {
		t.Fatalf("decisions stored: %+v", stored)
	}
	flowtest.Has(t, e.Press(t, e.secU, flows.CB(cb, actDecisions, m.ID)), "— ✅ принято", "— ❌ не принято")

	// 5 present, 3 for: adopted.
	m5 := e.held(t, e.meeting(t, time.Hour), 5)
	got = e.decide(t, e.agenda(t, m5)[0], "Принять к сведению.", "3, 2, 0")
	flowtest.Has(t, got, "Решение принято (за 3 из 5 присутствующих, нужно не менее 3)")
	// 5 present, 2 for: not adopted.
	got = e.decide(t, e.agenda(t, m5)[1], "Отложить.", "2 1 2")
	flowtest.Has(t, got, "Решение не принято (за 2 из 5 присутствующих, нужно не менее 3)")
	// Without the tasks capability there is no executor to name.
	if slices.Contains(flowtest.ButtonLabels(got), "👤 Назначить исполнителя") {
		t.Fatal("executor offered without tasks")
	}
}

// TestAfterExecutor: an executor of an adopted decision becomes a task of
// their school's programme, linked to the decision; a person without a
// school cannot be one.
func TestAfterExecutor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAEnv(t, 4, true)

	m := e.held(t, e.meeting(t, time.Hour), 3)
	item := e.agenda(t, m)[0]
	got := e.decide(t, item, "Разработать положение о конкурсе.", "3 0 0")
	flowtest.Has(t, got, "Решение принято")
	e.PressLabel(t, e.secU, "👤 Назначить исполнителя")
	flowtest.Has(t, e.Send(t, e.secU, "никтотакой"), "Никого не нашлось")
	e.Send(t, e.secU, "Член01")
	flowtest.Has(t, e.PressLabel(t, e.secU, "Член01 Иван Иванович"), "не указана школа")
	flowtest.Has(t, e.Send(t, e.secU, "учител"), "Выберите исполнителя")
	e.PressLabel(t, e.secU, "Учителева Анна Сергеевна")
	due := time.Date(2026, time.December, 4, 0, 0, 0, 0, flowtest.Zone) // Start + 2 weeks
	got = e.PressLabel(t, e.secU, "до 4 декабря")
	flowtest.Has(t, got, "Исполнитель назначен: Учителева Анна Сергеевна, срок — 4 декабря 2026",
		"Исполнители:", "👤 Учителева Анна Сергеевна — до 4 декабря 2026")
	if len(flowtest.To(got, e.teachU)) == 0 {
		t.Fatal("the executor was not told of the task")
	}

	ids, err := e.Store.DecisionTasks(ctx, item.ID)
	if err != nil || len(ids) != 1 {
		t.Fatalf("DecisionTasks = %v, %v", ids, err)
	}
	task, as, err := e.Store.FindTask(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if task.OrgID != e.school.ID || len(as) != 1 || as[0].PersonID != e.teacher.ID || !task.Due.Equal(due) {
		t.Fatalf("task = %+v, assignments %+v", task, as)
	}
	if !strings.Contains(task.Title, "Разработать положение о конкурсе") || !strings.Contains(task.Description, "О плане работы на год") {
		t.Fatalf("task title %q, description %q", task.Title, task.Description)
	}
	_, dirs, err := e.Store.EnsureProgramme(ctx, 0, e.school.ID, tasks.SchoolYear(e.Clock.Now().In(flowtest.Zone)))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(dirs, func(d storage.Direction) bool {
		return d.ID == task.DirectionID && d.Name == "Решения президиума"
	}) {
		t.Fatalf("the task is not under «Решения президиума»: %+v", dirs)
	}

	// A typed deadline works too; a past one is refused.
	e.PressLabel(t, e.secU, "👤 Назначить исполнителя")
	e.Send(t, e.secU, "Учителева")
	e.PressLabel(t, e.secU, "Учителева Анна Сергеевна")
	flowtest.Has(t, e.Send(t, e.secU, "01.01.2020"), "Эта дата уже прошла")
	flowtest.Has(t, e.Send(t, e.secU, "25.12"), "срок — 25 декабря 2026")
	if ids, _ := e.Store.DecisionTasks(ctx, item.ID); len(ids) != 2 {
		t.Fatalf("DecisionTasks after the second = %v", ids)
	}

	// A decision not adopted has no executor.
	other := e.agenda(t, m)[1]
	got = e.decide(t, other, "Отложить.", "1 2 0")
	if slices.Contains(flowtest.ButtonLabels(got), "👤 Назначить исполнителя") {
		t.Fatal("executor offered for a decision not adopted")
	}
	flowtest.Has(t, e.Press(t, e.secU, flows.CB(cb, actExec, other.ID)), "Эта кнопка устарела")
}

// utf16be is s as the PDF's metadata holds it.
func utf16be(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.BigEndian.AppendUint16(b, u)
	}
	return b
}

// TestAfterMinutesPDF: the draft minutes are a PDF with the Go fonts
// embedded and the Russian title.
func TestAfterMinutesPDF(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAEnv(t, 4, false)

	m := e.meeting(t, time.Hour)
	guest := e.Person(t, flowtest.User{ID: 799, First: "Гость"}, "Гостева Галина Петровна", storage.RoleTeacher, e.school.ID)
	if err := e.Store.AddGuest(ctx, e.sec.ID, m.ID, guest.ID, storage.InviteeAdvisory); err != nil {
		t.Fatal(err)
	}
	if err := e.Store.SetPresent(ctx, e.sec.ID, m.ID, guest.ID, true); err != nil {
		t.Fatal(err)
	}
	m = e.held(t, m, 3)
	e.decide(t, e.agenda(t, m)[0], "Утвердить план 📋 работы.", "2 1 0")
	e.Press(t, e.secU, flows.CB(cb, actMinutes, m.ID))
	got := e.PressLabel(t, e.secU, "📄 Проект протокола (PDF)")
	var doc *bot.Document
	for _, msg := range got {
		if d, ok := msg.(bot.Document); ok {
			doc = &d
		}
	}
	if doc == nil {
		t.Fatalf("no PDF in %v", flowtest.Texts(got))
	}
	if !bytes.HasPrefix(doc.Data, []byte("%PDF")) {
		t.Fatalf("not a PDF: %q", doc.Data[:min(len(doc.Data), 16)])
	}
	for _, want := range [][]byte{[]byte("/Type /Page"), []byte("/FontFile2"), []byte("/Count "),
		utf16be("Протокол заседания президиума № " + strconv.FormatInt(m.ID, 10))} {
		if !bytes.Contains(doc.Data, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	flowtest.Has(t, got, "Проект протокола № "+strconv.FormatInt(m.ID, 10))
}

// TestAfterMinutesUpload: a PDF uploaded and cleared, then a PDF and an
// album of two photos (answered once), sent to every invitee who can be
// reached.
func TestAfterMinutesUpload(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAEnv(t, 5, false)

	m := e.meeting(t, time.Hour)
	guest := e.Person(t, flowtest.User{ID: 799, First: "Гость"}, "Гостева Галина Петровна", storage.RoleTeacher, e.school.ID)
	if err := e.Store.AddGuest(ctx, e.sec.ID, m.ID, guest.ID, storage.InviteeGuest); err != nil {
		t.Fatal(err)
	}
	m = e.held(t, m, 3)
	if err := e.Store.MarkInactiveByTelegramID(ctx, e.users[4].ID); err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n% подписанный протокол\n%%EOF\n")
	jpeg := []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00 страница")

	e.Press(t, e.secU, flows.CB(cb, actMinutes, m.ID))
	flowtest.Has(t, e.PressLabel(t, e.secU, "📤 Загрузить подписанный протокол"), "PDF-файлом или фотографиями")
	flowtest.Has(t, e.Send(t, e.secU, "вот"), "Пришлите протокол PDF-файлом")
	flowtest.Has(t, e.file(t, e.secU, []byte("just text"), "notes.txt", ""), "Пришлите протокол PDF-файлом")
	flowtest.Has(t, e.file(t, e.secU, pdf, "protokol.pdf", ""), "Принят 1 файл")
	flowtest.Has(t, e.PressLabel(t, e.secU, "Готово"), "Загружен 1 файл")
	flowtest.Has(t, e.PressLabel(t, e.secU, "🗑 Очистить и загрузить заново"), "Загруженные файлы удалены")
	if files, _ := e.Store.ListMinutesFiles(ctx, m.ID); len(files) != 0 {
		t.Fatalf("files after clearing: %d", len(files))
	}

	e.PressLabel(t, e.secU, "📤 Загрузить подписанный протокол")
	flowtest.Has(t, e.file(t, e.secU, pdf, "protokol.pdf", ""), "Принят 1 файл")
	flowtest.Has(t, e.file(t, e.secU, jpeg, "", "album1"), "Фотографии альбома приняты")
	if got := e.file(t, e.secU, append(slices.Clone(jpeg), '2'), "", "album1"); len(got) != 0 {
		t.Fatalf("the album's second photo was answered: %v", flowtest.Texts(got))
	}
	files, err := e.Store.ListMinutesFiles(ctx, m.ID)
	if err != nil || len(files) != 3 {
		t.Fatalf("files = %d, %v", len(files), err)
	}
	flowtest.Has(t, e.PressLabel(t, e.secU, "Готово"), "Загружено 3 файла")
	flowtest.Has(t, e.PressLabel(t, e.secU, "📨 Разослать протокол"), "(3 файла) всем приглашённым на заседание — 6 адресатам")
	flowtest.Has(t, e.PressLabel(t, e.secU, "📨 Да, разослать"), "Протокол № "+strconv.FormatInt(m.ID, 10)+" рассылается: 6 адресатов",
		"Отчёт о доставке придёт сюда")
	// The minutes go out as durable work: a member who blocked the bot
	// (403) and one inactive are named in the report.
	// A first attempt reached the chair and recorded it before the
	// replica died: the work, run again, sends the rest only.
	if err := e.Store.SetDelivery(ctx, m.ID, e.members[0].ID, storage.DeliverySent); err != nil {
		t.Fatal(err)
	}
	blocked := map[int64]bool{e.users[3].ID: true}
	got := e.sched.run(t, e.Env, blocked)
	if n := len(flowtest.To(got, e.users[0])); n != 0 {
		t.Fatalf("the chair, sent the minutes already, got %d messages more", n)
	}
	report := flowtest.To(got, e.secU)
	flowtest.Has(t, report, "Протокол № "+strconv.FormatInt(m.ID, 10)+" заседания", "разослан: доставлено 4 из 6",
		"Не получили — позвоните им:", "Член03 Иван Иванович — заблокировал бота", "Член04 Иван Иванович — заблокировал бота")
	for _, u := range append(slices.Clone(e.users[1:3]), flowtest.User{ID: 799}) {
		to := flowtest.To(got, u)
		if len(to) != 3 {
			t.Fatalf("%d got %d messages, want 3", u.ID, len(to))
		}
		if _, ok := to[0].(bot.Document); !ok {
			t.Fatalf("%d: first is %T, want the PDF", u.ID, to[0])
		}
		for i, want := range []string{files[0].FileID, files[1].FileID, files[2].FileID} {
			var id, caption string
			switch msg := to[i].(type) {
			case bot.Document:
				id, caption = msg.FileID, msg.Caption
			case bot.Photo:
				id, caption = msg.FileID, msg.Caption
			}
			if id != want {
				t.Fatalf("%d: message %d has file %q, want %q", u.ID, i, id, want)
			}
			if i > 0 && caption != "" {
				t.Fatalf("%d: message %d has a caption %q", u.ID, i, caption)
			}
		}
		flowtest.Has(t, to[:1], "Протокол заседания президиума № "+strconv.FormatInt(m.ID, 10))
	}
	if len(flowtest.To(got, e.users[4])) != 0 || len(e.Shown(e.users[3])) != 0 {
		t.Fatal("an inactive or blocked member was sent the minutes")
	}
	inv, err := e.Store.ListInvitees(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range inv {
		want := storage.DeliverySent
		if v.PersonID == e.members[3].ID || v.PersonID == e.members[4].ID {
			want = storage.DeliveryBlocked
		}
		if v.Delivery != want {
			t.Fatalf("%s: delivery %s, want %s", v.FullName, v.Delivery, want)
		}
	}
	// The work run again (a replica died after sending): nothing twice.
	e.sched.mu.Lock()
	e.sched.queue = append(e.sched.queue, flows.Work{Kind: kindBroadcast, Key: "again",
		Args: []byte(fmt.Sprintf(`{"m":%d,"w":"minutes"}`, m.ID))})
	e.sched.mu.Unlock()
	if again := e.sched.run(t, e.Env, nil); len(again) != 0 {
		t.Fatalf("the minutes' broadcast run again sent %d messages", len(again))
	}
	m, err = e.Store.FindMeeting(ctx, m.ID)
	if err != nil || m.MinutesSentAt.IsZero() {
		t.Fatalf("minutes not marked sent: %v", err)
	}
	// Sent: no more uploads or sending.
	flowtest.Has(t, e.Press(t, e.secU, flows.CB(cb, actSendOK, m.ID)), "Эта кнопка устарела")
	flowtest.Has(t, e.Press(t, e.secU, flows.CB(cb, actUpload, m.ID)), "Эта кнопка устарела")
}

// TestAfterMinutesReminders: the secretary is reminded of minutes not
// sent on day 3 and, more urgently, on day 5, each once, in the daytime;
// minutes sent get none.
func TestAfterMinutesReminders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAEnv(t, 3, false)

	m := e.held(t, e.meeting(t, time.Hour), 2) // 20 November, 11:00
	sent := e.held(t, e.meeting(t, 2*time.Hour), 2)
	att, err := e.Store.SaveAttachment(ctx, []byte("%PDF-1.4 x"), "p.pdf", "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store.AddMinutesFile(ctx, e.sec.ID, storage.MinutesFile{MeetingID: sent.ID, AttachmentID: att.ID, Kind: "document", FileID: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.MarkMinutesSent(ctx, e.sec.ID, sent.ID); err != nil {
		t.Fatal(err)
	}
	at := func(day, hour int) time.Time {
		return time.Date(2026, time.November, day, hour, 0, 0, 0, flowtest.Zone)
	}
	const job = "meeting-minutes"

	if got := e.run(t, job, at(22, 10)); len(got) != 0 {
		t.Fatalf("day 2: %v", flowtest.Texts(got))
	}
	if got := e.run(t, job, at(23, 3)); len(got) != 0 {
		t.Fatalf("day 3 at night: %v", flowtest.Texts(got))
	}
	got := e.run(t, job, at(23, 10))
	if len(got) != 1 || got[0].Chat() != aSecChat {
		t.Fatalf("day 3: %v", flowtest.Texts(got))
	}
	flowtest.Has(t, got, "Напоминание: протокол заседания президиума № "+strconv.FormatInt(m.ID, 10), "до 25 ноября 2026")
	if got := e.run(t, job, at(23, 10)); len(got) != 0 {
		t.Fatalf("day 3 again: %v", flowtest.Texts(got))
	}
	if got := e.run(t, job, at(24, 12)); len(got) != 0 {
		t.Fatalf("day 4: %v", flowtest.Texts(got))
	}
	got = e.run(t, job, at(25, 9))
	if len(got) != 1 || got[0].Chat() != aSecChat {
		t.Fatalf("day 5: %v", flowtest.Texts(got))
	}
	flowtest.Has(t, got, "Срочно: сегодня истекает срок оформления протокола")
	if got := e.run(t, job, at(25, 9)); len(got) != 0 {
		t.Fatalf("day 5 again: %v", flowtest.Texts(got))
	}
	if got := e.run(t, job, at(28, 12)); len(got) != 0 {
		t.Fatalf("day 8: %v", flowtest.Texts(got))
	}
}

// TestAfterRetention: minutes of a meeting three years ago are removed,
// newer ones kept.
func TestAfterRetention(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAEnv(t, 3, false)

	now := e.Clock.Now()
	old := e.held(t, e.meeting(t, -3*365*24*time.Hour-48*time.Hour), 2)
	newer := e.held(t, e.meeting(t, -2*365*24*time.Hour), 2)
	for i, m := range []storage.Meeting{old, newer} {
		att, err := e.Store.SaveAttachment(ctx, []byte(fmt.Sprintf("%%PDF-1.4 %d", i)), "p.pdf", "application/pdf")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Store.AddMinutesFile(ctx, e.sec.ID, storage.MinutesFile{MeetingID: m.ID, AttachmentID: att.ID, Kind: "document", FileID: "f" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.run(t, "meeting-retention", now); len(got) != 0 {
		t.Fatalf("retention sent %v", flowtest.Texts(got))
	}
	for _, tc := range []struct {
		m    storage.Meeting
		want int
	}{{old, 0}, {newer, 1}} {
		files, err := e.Store.ListMinutesFiles(ctx, tc.m.ID)
		if err != nil || len(files) != tc.want {
			t.Errorf("meeting %d: %d files, %v; want %d", tc.m.ID, len(files), err, tc.want)
		}
	}
}

// TestAfterHistory: the history shows the meetings held with attendance
// and decisions, and its XLSX holds the same numbers.
func TestAfterHistory(t *testing.T) {
	t.Parallel()
	e := newAEnv(t, 4, false)

	e.Send(t, e.secU, "/meetings")
	flowtest.Has(t, e.PressLabel(t, e.secU, "🗂 История"), "Проведённых заседаний пока нет")

	e.Clock.Set(flowtest.Start.AddDate(0, -2, 0))
	m1 := e.held(t, e.meeting(t, time.Hour), 3)
	e.decide(t, e.agenda(t, m1)[0], "Утвердить план.", "2 1 0")
	e.decide(t, e.agenda(t, m1)[1], "Отложить конкурс.", "1 2 0")
	e.Clock.Set(flowtest.Start.AddDate(0, -1, 0))
	m2 := e.held(t, e.meeting(t, time.Hour), 2)
	e.decide(t, e.agenda(t, m2)[0], "Принять к сведению.", "2 0 0")
	e.Clock.Set(flowtest.Start)
	e.meeting(t, 24*time.Hour) // not held: not in the history

	e.Send(t, e.secU, "/meetings")
	got := e.PressLabel(t, e.secU, "🗂 История")
	flowtest.Has(t, got, "присутствовали 3 из 4 (75%) · правомочно\nрешений принято: 1 из 2",
		"присутствовали 2 из 4 (50%) · правомочно\nрешений принято: 1 из 2")
	if texts := flowtest.Joined(got); strings.Index(texts, "20 октября") > strings.Index(texts, "20 сентября") {
		t.Fatalf("history not newest first:\n%s", texts)
	}
	got = e.PressLabel(t, e.secU, "📊 XLSX")
	var doc *bot.Document
	for _, msg := range got {
		if d, ok := msg.(bot.Document); ok {
			doc = &d
		}
	}
	if doc == nil {
		t.Fatalf("no XLSX in %v", flowtest.Texts(got))
	}
	x, err := excelize.OpenReader(bytes.NewReader(doc.Data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows := func(sheet string) [][]string {
		t.Helper()
		r, err := x.GetRows(sheet)
		if err != nil {
			t.Fatalf("sheet %q: %v", sheet, err)
		}
		return r
	}
	ms := rows("Заседания")
	if len(ms) != 3 {
		t.Fatalf("Заседания: %q", ms)
	}
	for i, want := range [][]string{{"очередное", "Школа № 5, актовый зал", "3", "4", "да", "1", "2"}, {"очередное", "Школа № 5, актовый зал", "2", "4", "да", "1", "2"}} {
		if diff := slices.Compare(ms[i+1][1:], want); diff != 0 {
			t.Errorf("Заседания row %d = %q, want %q", i+1, ms[i+1][1:], want)
		}
	}
	att := rows("Посещаемость")
	wantAtt := map[string][]string{
		"Аверин Пётр Петрович": {"2", "2", "100"}, "Член01 Иван Иванович": {"2", "2", "100"},
		"Член02 Иван Иванович": {"2", "1", "50"}, "Член03 Иван Иванович": {"2", "0", "0"},
	}
	if len(att) != 5 {
		t.Fatalf("Посещаемость: %q", att)
	}
	for _, r := range att[1:] {
		if want, ok := wantAtt[r[0]]; !ok || slices.Compare(r[1:], want) != 0 {
			t.Errorf("Посещаемость row %q, want %q", r, want)
		}
	}
	ds := rows("Решения")
	if len(ds) != 4 {
		t.Fatalf("Решения: %q", ds)
	}
	if want := []string{"1. О плане работы на год", "Утвердить план.", "2", "1", "0", "да"}; slices.Compare(ds[1][1:], want) != 0 {
		t.Errorf("Решения row 1 = %q, want %q", ds[1][1:], want)
	}
	if want := []string{"2. О конкурсе «Школа качества»", "Отложить конкурс.", "1", "2", "0", "нет"}; slices.Compare(ds[2][1:], want) != 0 {
		t.Errorf("Решения row 2 = %q, want %q", ds[2][1:], want)
	}
}

// TestAfterMinutesResend: minutes marked sent whose broadcast was never
// scheduled (the bot died between the two) are not stranded: the minutes
// screen offers to send them to those still pending, once.
func TestAfterMinutesResend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAEnv(t, 3, false)
	m := e.held(t, e.meeting(t, time.Hour), 2)
	att, err := e.Store.SaveAttachment(ctx, []byte("%PDF-1.4\n%%EOF\n"), "protokol.pdf", "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store.AddMinutesFile(ctx, e.sec.ID, storage.MinutesFile{MeetingID: m.ID, AttachmentID: att.ID,
		Kind: "document", Name: "protokol.pdf", FileID: "file-protokol"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.MarkMinutesSent(ctx, e.sec.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	msgs := e.Press(t, e.secU, flows.CB(cb, actMinutes, m.ID))
	if !slices.Contains(flowtest.ButtonLabels(msgs), "📨 Разослать недоставленным") {
		t.Fatalf("no re-send for stranded minutes: %q", flowtest.ButtonLabels(msgs))
	}
	flowtest.Has(t, e.PressLabel(t, e.secU, "📨 Разослать недоставленным"), "рассылается: 3 адресата")
	// Pressed again from an old screen: the same occurrence, not a second broadcast.
	e.Press(t, e.secU, flows.CB(cb, actResend, m.ID))
	got := e.sched.run(t, e.Env, nil)
	for _, u := range e.users {
		if n := len(flowtest.To(got, u)); n != 1 {
			t.Fatalf("%d got the minutes %d times", u.ID, n)
		}
	}
	msgs = e.Press(t, e.secU, flows.CB(cb, actMinutes, m.ID))
	if slices.Contains(flowtest.ButtonLabels(msgs), "📨 Разослать недоставленным") {
		t.Fatalf("re-send offered after every delivery was recorded: %q", flowtest.ButtonLabels(msgs))
	}
}
