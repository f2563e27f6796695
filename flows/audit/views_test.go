package audit

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/flowtest"
	"smkbot/storage"
)

var auChair = flowtest.User{ID: 830006, First: "Галина"}

// closedAudit records a closed audit of org by lead with findings of the
// kinds given, described by their kind, and returns its findings.
func (m *auEnv) closedAudit(t *testing.T, org, auditorOrg, lead int64, area string, kinds ...storage.FindingKind) []storage.Finding {
	t.Helper()
	ctx := context.Background()
	a, err := m.Store.CreateAudit(ctx, lead, storage.Audit{OrgID: org, AuditorOrgID: auditorOrg, Area: area,
		Date: time.Date(2026, time.November, 18, 0, 0, 0, 0, time.UTC), LeadID: lead})
	if err != nil {
		t.Fatal(err)
	}
	var out []storage.Finding
	for i, k := range kinds {
		fd, err := m.Store.AddFinding(ctx, lead, storage.Finding{AuditID: a.ID, Kind: k,
			Description: fmt.Sprintf("Замечание %d: %s", i+1, k)})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fd)
	}
	if err := m.Store.CloseAudit(ctx, lead, a.ID); err != nil {
		t.Fatal(err)
	}
	return out
}

// viewsEnv is the audit env with a second member school audited twice,
// a candidate school audited once, and the chair.
type viewsEnv struct {
	*auEnv
	other     storage.Organisation
	own       []storage.Finding // СОШ № 7: Н-1 major, О-1 observation
	otherOnes []storage.Finding
}

func newViewsEnv(t *testing.T) *viewsEnv {
	t.Helper()
	m := newAuEnv(t)
	ctx := context.Background()
	v := &viewsEnv{auEnv: m}
	v.own = m.closedAudit(t, m.org.ID, m.org.ID, m.auditor.ID, "Образовательный процесс",
		storage.FindingMajor, storage.FindingObservation)
	v.other = m.Org(t, "Гимназия № 3")
	otherAuditor := m.Person(t, auOther, "Орлова Нина Викторовна", storage.RoleAuditor, v.other.ID)
	// The same process in other case, and another process.
	v.otherOnes = append(v.otherOnes, m.closedAudit(t, v.other.ID, v.other.ID, otherAuditor.ID, "образовательный процесс",
		storage.FindingMinor)...)
	v.otherOnes = append(v.otherOnes, m.closedAudit(t, v.other.ID, v.other.ID, otherAuditor.ID, "Управление ресурсами",
		storage.FindingMajor, storage.FindingImprovement)...)
	// A candidate school is not a member: not on the chair's views.
	cand, err := m.Store.CreateOrganisation(ctx, 0, storage.Organisation{
		Name: "ООШ с. Луговое", ShortName: "ООШ Луговое", Municipality: "Бийский район", Status: storage.OrgCandidate,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Store.SetMentor(ctx, 0, cand.ID, m.org.ID); err != nil {
		t.Fatal(err)
	}
	m.closedAudit(t, cand.ID, m.org.ID, m.auditor.ID, "Управление ресурсами", storage.FindingMajor)
	m.Person(t, auChair, "Петрова Галина Ивановна", storage.RoleChair, 0)
	return v
}

func TestViewsManagerOwnSchool(t *testing.T) {
	m := newViewsEnv(t)

	msgs := m.Send(t, auManager, "/findings")
	flowtest.Has(t, msgs, "Открытые замечания — СОШ № 7", "Всего 2 замечания",
		"Аудит № 2026-1, Образовательный процесс, 18 ноября 2026",
		"Н-1 · 🔴 Несоответствие значительное", "ожидает корректирующего действия",
		"О-1 · 🔵 Наблюдение", "к сведению")
	flowtest.Lacks(t, msgs, "Гимназия", "К списку школ")
	data := flowtest.ButtonData(msgs)
	for _, fd := range m.own {
		if !slices.Contains(data, flows.CB(cb, actView, fd.ID)) {
			t.Fatalf("no card button of finding %d in %q", fd.ID, data)
		}
	}
	// The menu item shows the same screen.
	flowtest.Has(t, m.Send(t, auManager, "📋 Замечания аудитов"), "Открытые замечания — СОШ № 7")

	// A finding's button opens its card.
	flowtest.Has(t, m.Press(t, auManager, flows.CB(cb, actView, m.own[0].ID)), "Н-1 · 🔴 Несоответствие значительное",
		"Замечание 1: major")
	flowtest.Has(t, m.PressLabel(t, auManager, "‹ Открытые замечания"), "Открытые замечания — СОШ № 7")

	flowtest.Has(t, m.PressLabel(t, auManager, "По процессам"), "Открытые замечания по процессам — СОШ № 7",
		"• Образовательный процесс: 2 замечания (1 значительное несоответствие, 1 наблюдение)")
	m.PressLabel(t, auManager, "‹ К открытым замечаниям")
	flowtest.Has(t, m.PressLabel(t, auManager, "Просроченные действия"), "СОШ № 7: просроченных корректирующих действий нет")
	m.PressLabel(t, auManager, "‹ К открытым замечаниям")

	// The chart and XLSX of the manager's school: one sheet.
	msgs = m.PressLabel(t, auManager, "📊 Диаграмма и XLSX")
	png, xlsx := photoAndXLSX(t, msgs)
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatal("the chart is not a PNG")
	}
	flowtest.Has(t, msgs, "Замечания всех аудитов по процессам и видам — СОШ № 7. Всего 2 замечания.")
	x := openXLSX(t, xlsx)
	if got := x.GetSheetList(); !slices.Equal(got, []string{"По процессам"}) {
		t.Fatalf("sheets %q", got)
	}
	wantRows(t, x, "По процессам", [][]string{
		{"Процесс, область", "Несоответствие значительное", "Несоответствие незначительное", "Наблюдение", "Возможность для улучшения", "Всего"},
		{"Образовательный процесс", "1", "0", "1", "0", "2"},
		{"Итого", "1", "0", "1", "0", "2"},
	})

	// Forged buttons for another school, or for every school, are refused.
	for _, data := range []string{
		flows.CB(cb, actViews, m.other.ID), flows.CB(cb, actByProcess, m.other.ID), flows.CB(cb, actOverdue, m.other.ID),
		flows.CB(cb, actChart, m.other.ID), flows.CB(cb, actViews, 0), flows.CB(cb, actByProcess, 0),
		flows.CB(cb, actOverdue, 0), flows.CB(cb, actChart, 0), flows.CB(cb, actView, m.otherOnes[0].ID),
	} {
		msgs := m.Press(t, auManager, data)
		flowtest.Has(t, msgs, "Это действие вам недоступно")
		flowtest.Lacks(t, msgs, "Гимназия", "Замечание 1: minor")
	}
	// Malformed ones are stale.
	for _, data := range []string{"au:v:", "au:v:x", "au:vp:1.2.3", "au:vc:01"} {
		flowtest.Has(t, m.Press(t, auManager, data), "Эта кнопка устарела")
	}
	// A teacher has no views at all.
	flowtest.Has(t, m.Send(t, auTeacher, "/findings"), "Это действие вам недоступно")
	flowtest.Has(t, m.Press(t, auTeacher, flows.CB(cb, actViews, m.org.ID)), "Это действие вам недоступно")
}

func TestViewsChairSchoolsChartXLSX(t *testing.T) {
	m := newViewsEnv(t)

	msgs := m.Send(t, auChair, "/findings")
	flowtest.Has(t, msgs, "Открытые замечания аудитов по школам", "Гимназия № 3 — 3 открытых замечания",
		"СОШ № 7 — 2 открытых замечания")
	flowtest.Lacks(t, msgs, "Луговое")
	if got := flowtest.ButtonLabels(msgs); !slices.Equal(got, []string{"Гимназия № 3 · 3", "СОШ № 7 · 2",
		"По процессам", "Просроченные действия", "📊 Диаграмма и XLSX"}) {
		t.Fatalf("buttons %q", got)
	}

	// A school's screen, and back.
	flowtest.Has(t, m.PressLabel(t, auChair, "Гимназия № 3 · 3"), "Открытые замечания — Гимназия № 3",
		"Аудит № 2026-1, образовательный процесс", "Аудит № 2026-2, Управление ресурсами", "Н-1 · 🟠", "В-1 · 🟢")
	flowtest.Has(t, m.PressLabel(t, auChair, "‹ К списку школ"), "Открытые замечания аудитов по школам")

	// By process over every member school: the case of an area does not split it.
	flowtest.Has(t, m.PressLabel(t, auChair, "По процессам"), "Открытые замечания по процессам — все школы",
		"Всего 5 замечаний",
		"• Образовательный процесс: 3 замечания (1 значительное несоответствие, 1 незначительное несоответствие, 1 наблюдение)",
		"• Управление ресурсами: 2 замечания (1 значительное несоответствие, 1 возможность для улучшения)")
	m.PressLabel(t, auChair, "‹ К списку школ")

	msgs = m.PressLabel(t, auChair, "📊 Диаграмма и XLSX")
	png, xlsx := photoAndXLSX(t, msgs)
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatal("the chart is not a PNG")
	}
	flowtest.Has(t, msgs, "все школы. Всего 5 замечаний.")
	x := openXLSX(t, xlsx)
	if got := x.GetSheetList(); !slices.Equal(got, []string{"По процессам", "По школам"}) {
		t.Fatalf("sheets %q", got)
	}
	kinds := []string{"Несоответствие значительное", "Несоответствие незначительное", "Наблюдение", "Возможность для улучшения", "Всего"}
	wantRows(t, x, "По процессам", [][]string{
		append([]string{"Процесс, область"}, kinds...),
		{"Образовательный процесс", "1", "1", "1", "0", "3"},
		{"Управление ресурсами", "1", "0", "0", "1", "2"},
		{"Итого", "2", "1", "1", "1", "5"},
	})
	wantRows(t, x, "По школам", [][]string{
		append([]string{"Школа"}, kinds...),
		{"Гимназия № 3", "1", "1", "0", "1", "3"},
		{"СОШ № 7", "1", "0", "1", "0", "2"},
		{"Итого", "2", "1", "1", "1", "5"},
	})
	// The numbers are the store's.
	counts, err := m.Store.FindingsByProcess(context.Background(), []int64{m.org.ID, m.other.ID})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range counts {
		total += c.Count
	}
	if total != 5 {
		t.Fatalf("store counts %d findings, the XLSX 5", total)
	}

	// A school with no findings: a message instead of an empty chart.
	empty := m.Org(t, "Лицей № 1")
	msgs = m.Press(t, auChair, flows.CB(cb, actChart, empty.ID))
	flowtest.Has(t, msgs, "Лицей № 1: в аудитах пока нет замечаний")
	if png, xlsx := photoAndXLSXMaybe(msgs); png != nil || xlsx != nil {
		t.Fatal("files sent for a school without findings")
	}
	flowtest.Has(t, m.Press(t, auChair, flows.CB(cb, actViews, empty.ID)), "Лицей № 1: открытых замечаний нет")
	// An unknown school is stale.
	flowtest.Has(t, m.Press(t, auChair, flows.CB(cb, actViews, empty.ID+1000)), "Эта кнопка устарела")
}

func TestViewsOverdue(t *testing.T) {
	m := newViewsEnv(t)
	ctx := context.Background()
	prog, dirs, err := m.Store.EnsureProgramme(ctx, m.manager.ID, m.org.ID, "2026/2027")
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, time.November, 27, 0, 0, 0, 0, flowtest.Zone)
	if _, err := m.Store.CreateLinkedTask(ctx, m.manager.ID, storage.Task{ProgrammeID: prog.ID, DirectionID: dirs[0].ID,
		Title: "Заменить огнетушитель", Due: due},
		[]storage.Assignment{{PersonID: m.manager.ID, Status: storage.TaskAssigned}},
		storage.TaskLink{FindingID: m.own[0].ID, Cause: "Нет графика проверок"}); err != nil {
		t.Fatal(err)
	}

	flowtest.Has(t, m.Send(t, auManager, "/findings"), "действие назначено, срок 27 ноября 2026")
	flowtest.Has(t, m.PressLabel(t, auManager, "Просроченные действия"), "просроченных корректирующих действий нет")

	// The whole due day passes.
	m.Clock.Set(time.Date(2026, time.November, 28, 10, 0, 0, 0, flowtest.Zone))
	msgs := m.Send(t, auManager, "/findings")
	flowtest.Has(t, msgs, "⚠️ действие просрочено, срок был 27 ноября 2026")
	msgs = m.PressLabel(t, auManager, "Просроченные действия")
	flowtest.Has(t, msgs, "Просроченные корректирующие действия — СОШ № 7: 1",
		"Н-1 · аудит № 2026-1 · Образовательный процесс", "Срок: 27 ноября 2026 — просрочено на 1 день")
	flowtest.Lacks(t, msgs, "🏫")
	if !slices.Contains(flowtest.ButtonData(msgs), flows.CB(cb, actView, m.own[0].ID)) {
		t.Fatalf("no card button in %q", flowtest.ButtonData(msgs))
	}

	m.Clock.Set(time.Date(2026, time.November, 30, 10, 0, 0, 0, flowtest.Zone))
	flowtest.Has(t, m.Press(t, auManager, flows.CB(cb, actOverdue, m.org.ID)), "просрочено на 3 дня")
	m.Clock.Set(time.Date(2026, time.December, 2, 10, 0, 0, 0, flowtest.Zone))
	flowtest.Has(t, m.Press(t, auManager, flows.CB(cb, actOverdue, m.org.ID)), "просрочено на 5 дней")
	flowtest.Has(t, m.PressLabel(t, auManager, "Н-1 · 2026-1 · Замечание 1: major"), "Корректирующее действие: Заменить огнетушитель")

	// The chair sees it among every school's, with the school named.
	msgs = m.Send(t, auChair, "/findings")
	flowtest.Has(t, msgs, "СОШ № 7 — 2 открытых замечания · ⚠️ просрочено действий: 1")
	msgs = m.PressLabel(t, auChair, "Просроченные действия")
	flowtest.Has(t, msgs, "Просроченные корректирующие действия — все школы: 1", "🏫 СОШ № 7",
		"Н-1 · аудит № 2026-1", "просрочено на 5 дней")
	if !slices.Contains(flowtest.ButtonData(msgs), flows.CB(cb, actView, m.own[0].ID)) {
		t.Fatalf("no card button in %q", flowtest.ButtonData(msgs))
	}
}

func TestViewsPages(t *testing.T) {
	m := newAuEnv(t)
	kinds := make([]storage.FindingKind, viewPage+3)
	for i := range kinds {
		kinds[i] = storage.FindingObservation
	}
	m.closedAudit(t, m.org.ID, m.org.ID, m.auditor.ID, "Образовательный процесс", kinds...)
	msgs := m.Send(t, auManager, "/findings")
	flowtest.Has(t, msgs, "Всего 13 замечаний", "О-10", "Стр. 1 из 2")
	flowtest.Lacks(t, msgs, "О-11")
	msgs = m.PressLabel(t, auManager, "Далее ›")
	flowtest.Has(t, msgs, "О-11", "О-13", "Стр. 2 из 2")
	flowtest.Lacks(t, msgs, "О-10 ")
	// A page past the end shows the last one.
	flowtest.Has(t, m.Press(t, auManager, flows.CB(cb, actViews, fmt.Sprintf("%d.9", m.org.ID))), "Стр. 2 из 2")
}

func photoAndXLSXMaybe(msgs []bot.Message) (png, xlsx []byte) {
	for _, msg := range msgs {
		switch m := msg.(type) {
		case bot.Photo:
			png = m.Data
		case bot.Document:
			xlsx = m.Data
		}
	}
	return png, xlsx
}

func photoAndXLSX(t *testing.T, msgs []bot.Message) (png, xlsx []byte) {
	t.Helper()
	png, xlsx = photoAndXLSXMaybe(msgs)
	if png == nil || xlsx == nil {
		t.Fatalf("want a photo and a document, got %d messages: %s", len(msgs), flowtest.Joined(msgs))
	}
	return png, xlsx
}

func openXLSX(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func wantRows(t *testing.T, x *excelize.File, sheet string, want [][]string) {
	t.Helper()
	got, err := x.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("sheet %q (-want +got):\n%s", sheet, diff)
	}
}
