package audit

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/flowtest"
	"smkbot/storage"
)

// The people of the audit tests.
var (
	auAuditor  = flowtest.User{ID: 830001, First: "Ирина"}
	auManager  = flowtest.User{ID: 830002, First: "Ольга"}
	auTeacher  = flowtest.User{ID: 830003, First: "Анна"}
	auStranger = flowtest.User{ID: 830004, First: "Пётр"}
	auOther    = flowtest.User{ID: 830005, First: "Нина"}
)

// fakeFiles is Telegram's file storage as the flow sees it.
type fakeFiles struct {
	mu    sync.Mutex
	files map[string][]byte
}

func (f *fakeFiles) put(id string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[id] = data
}

func (f *fakeFiles) Download(_ context.Context, id string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	data, ok := f.files[id]
	if !ok {
		return nil, fmt.Errorf("no file %q", id)
	}
	if len(data) > bot.MaxDownload {
		return nil, bot.ErrFileTooLarge
	}
	return data, nil
}

type auEnv struct {
	*flowtest.Env
	files   *fakeFiles
	org     storage.Organisation
	auditor storage.Person
	manager storage.Person
	next    int
}

func newAuEnv(t *testing.T) *auEnv {
	t.Helper()
	files := &fakeFiles{files: map[string][]byte{}}
	e := flowtest.New(t, func(r *flows.Router, e *flowtest.Env) {
		(&Flow{Store: e.Store, Files: files, Location: flowtest.Zone}).Register(r)
	})
	m := &auEnv{Env: e, files: files, next: 1 << 20}
	m.org = e.Org(t, "СОШ № 7")
	m.auditor = e.Person(t, auAuditor, "Кузнецова Ирина Павловна", storage.RoleAuditor, m.org.ID)
	m.manager = e.Person(t, auManager, "Смирнова Ольга Петровна", storage.RoleQualityManager, m.org.ID)
	e.Person(t, auTeacher, "Иванова Анна Сергеевна", storage.RoleTeacher, m.org.ID)
	return m
}

// jpegOf is a small valid JPEG of one colour.
func jpegOf(t testing.TB, n int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	c := color.RGBA{R: uint8(40 * n), G: uint8(255 - 30*n), B: uint8(90 + 20*n), A: 255}
	for x := range 32 {
		for y := range 24 {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// file sends a photo (or a document when name is set) with the given
// message id straight to the router and returns the replies.
func (m *auEnv) file(t *testing.T, u flowtest.User, msgID int, data []byte, name, group string) []bot.Message {
	t.Helper()
	m.next++
	id := fmt.Sprintf("f%d", m.next)
	m.files.put(id, data)
	upd := bot.Update{ID: m.next, ChatID: u.ID, Private: true, From: bot.User{ID: u.ID, FirstName: u.First},
		MessageID: msgID, MediaGroupID: group}
	f := &bot.File{ID: id, UniqueID: "u" + id, Name: name, Size: len(data)}
	if name == "" {
		upd.Photo = f
	} else {
		upd.Document = f
	}
	msgs, err := m.Router.Handle(context.Background(), upd)
	if err != nil {
		t.Fatalf("file: %v", err)
	}
	if s := flowtest.Joined(msgs); strings.Contains(s, "⟦") {
		t.Fatalf("missing locale message in %q", s)
	}
	return msgs
}

// begin starts an audit of the auditor's school today, typing the area.
func (m *auEnv) begin(t *testing.T) storage.Audit {
	t.Helper()
	flowtest.Has(t, m.Send(t, auAuditor, "/audit"), "Какой процесс или область")
	flowtest.Has(t, m.Send(t, auAuditor, "Образовательный процесс"), "Когда проходит аудит")
	msgs := m.PressLabel(t, auAuditor, "📅 Сегодня, 20 ноября")
	flowtest.Has(t, msgs, "Кто проводит аудит вместе с вами?")
	if got := flowtest.ButtonLabels(msgs); !slices.Equal(got, []string{"Смирнова Ольга Петровна", "Без соаудиторов ›"}) {
		t.Fatalf("co-auditors offered: %q", got)
	}
	msgs = m.PressLabel(t, auAuditor, "Без соаудиторов ›")
	flowtest.Has(t, msgs, "Аудит № 2026-1", "СОШ № 7", "Образовательный процесс", "20 ноября 2026",
		"Кузнецова Ирина Павловна", "Замечаний пока нет")
	a, err := m.Store.OpenAuditOf(context.Background(), m.auditor.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// finding logs a finding up to its description (no photos, no place
// yet); req "" skips the requirement.
func (m *auEnv) finding(t *testing.T, kind, req, desc, number string) {
	t.Helper()
	m.PressLabel(t, auAuditor, "➕ Замечание")
	m.PressLabel(t, auAuditor, kind)
	if req == "" {
		m.PressLabel(t, auAuditor, "Пропустить ›")
	} else {
		m.Send(t, auAuditor, req)
	}
	flowtest.Has(t, m.Send(t, auAuditor, desc), "Замечание "+number+" сохранено", "Пришлите фото")
}

// kindsOf are the stored findings of the audit by number.
func (m *auEnv) findings(t *testing.T, auditID int64) []storage.Finding {
	t.Helper()
	fs, err := m.Store.ListFindings(context.Background(), auditID)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestAuditFindingsPhotosEditDeleteClose(t *testing.T) {
	m := newAuEnv(t)
	ctx := context.Background()
	a := m.begin(t)

	// A major nonconformity with a requirement, an album of 3 photos
	// delivered in shuffled order, a refused document and a place.
	m.finding(t, "🔴 Несоответствие значительное", "ГОСТ Р ИСО 9001-2015 п. 7.1.4",
		"Огнетушитель в кабинете химии просрочен.", "Н-1")
	ids := []int{501, 502, 503}
	rand.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	replies := 0
	for _, id := range ids {
		msgs := m.file(t, auAuditor, id, jpegOf(t, id-500), "", "album-1")
		replies += len(msgs)
		if len(msgs) > 0 {
			flowtest.Has(t, msgs, "Альбом получен")
		}
	}
	if replies != 1 {
		t.Fatalf("an album of 3 photos got %d replies, want 1", replies)
	}
	fs := m.findings(t, a.ID)
	atts, err := m.Store.FindingAttachments(ctx, fs[0].ID, true)
	if err != nil {
		t.Fatal(err)
	}
	var pos []int
	for i, at := range atts {
		pos = append(pos, at.Position)
		if at.Kind != storage.AttachPhoto || at.MIME != "image/jpeg" || !bytes.Equal(at.Data, jpegOf(t, i+1)) {
			t.Fatalf("attachment %d: kind %s, mime %s, or not photo %d of the album", i, at.Kind, at.MIME, i+1)
		}
	}
	if !slices.Equal(pos, []int{501, 502, 503}) {
		t.Fatalf("positions %v, want the album's order", pos)
	}
	flowtest.Has(t, m.file(t, auAuditor, 504, []byte("%PDF-1.4 акт"), "акт.pdf", ""), "Это не фотография")
	flowtest.Has(t, m.file(t, auAuditor, 505, []byte("просто текст"), "", ""), "Это не фотография")
	if atts, _ := m.Store.FindingAttachments(ctx, fs[0].ID, false); len(atts) != 3 {
		t.Fatalf("%d attachments after refusals, want 3", len(atts))
	}
	m.Press(t, auAuditor, flows.CB(cb, actPhotosEnd, fs[0].ID))
	flowtest.Has(t, m.Send(t, auAuditor, "кабинет 204"), "Замечание сохранено", "Н-1", "Место: кабинет 204", "3 фото")

	// A minor nonconformity with a single photo, an observation and an
	// improvement without photos or place.
	m.finding(t, "🟠 Несоответствие незначительное", "", "Журнал инструктажей заполнен не полностью.", "Н-2")
	flowtest.Has(t, m.file(t, auAuditor, 601, jpegOf(t, 4), "", ""), "Фото сохранено")
	m.PressLabel(t, auAuditor, "Далее ›")
	m.PressLabel(t, auAuditor, "Пропустить ›")
	m.finding(t, "🔵 Наблюдение", "", "Стенд по охране труда устарел.", "О-1")
	m.PressLabel(t, auAuditor, "Далее ›")
	m.PressLabel(t, auAuditor, "Пропустить ›")
	m.finding(t, "🟢 Возможность для улучшения", "", "Добавить QR-коды на стенды.", "В-1")
	m.PressLabel(t, auAuditor, "Далее ›")
	flowtest.Has(t, m.PressLabel(t, auAuditor, "Пропустить ›"), "Замечание сохранено", "В-1")

	m.PressLabel(t, auAuditor, "🔍 К аудиту")
	msgs := m.PressLabel(t, auAuditor, "📋 Замечания")
	flowtest.Has(t, msgs, "Всего 4 замечания", "1 значительное несоответствие", "1 незначительное несоответствие",
		"1 наблюдение", "1 возможность для улучшения", "Н-1 · 🔴", "Н-2 · 🟠", "О-1 · 🔵", "В-1 · 🟢")

	// Edit the observation's description and make the improvement a
	// minor nonconformity (numbered next in its class); delete Н-2.
	m.PressLabel(t, auAuditor, "О-1 · Стенд по охране труда устарел.")
	m.PressLabel(t, auAuditor, "✏️ Изменить")
	m.PressLabel(t, auAuditor, "Описание")
	flowtest.Has(t, m.Send(t, auAuditor, "Стенд по охране труда не обновлялся с 2023 года 🙁"), "Изменения сохранены",
		"не обновлялся с 2023 года")
	m.PressLabel(t, auAuditor, "‹ К замечаниям")
	m.PressLabel(t, auAuditor, "В-1 · Добавить QR-коды на стенды.")
	m.PressLabel(t, auAuditor, "✏️ Изменить")
	m.PressLabel(t, auAuditor, "Вид")
	flowtest.Has(t, m.PressLabel(t, auAuditor, "🟠 Несоответствие незначительное"), "Н-3 · 🟠")
	m.PressLabel(t, auAuditor, "‹ К замечаниям")
	m.PressLabel(t, auAuditor, "Н-2 · Журнал инструктажей заполнен не полност…")
	flowtest.Has(t, m.PressLabel(t, auAuditor, "🗑 Удалить"), "Удалить замечание Н-2?")
	flowtest.Has(t, m.PressLabel(t, auAuditor, "🗑 Да, удалить"), "Замечание Н-2 удалено")
	fs = m.findings(t, a.ID)
	var nums []string
	for _, fd := range fs {
		nums = append(nums, fmt.Sprintf("%s%d", fd.Kind.Class(), fd.Seq))
	}
	if want := []string{"nonconformity1", "nonconformity3", "observation1"}; !slices.Equal(nums, want) {
		t.Fatalf("findings after edit and delete %v, want %v", nums, want)
	}

	// Close: the manager and the auditor get the summary, the PDF with
	// every photo and the XLSX of the findings.
	m.Send(t, auAuditor, "/audit")
	flowtest.Has(t, m.PressLabel(t, auAuditor, "✅ Завершить"), "Завершить аудит № 2026-1?")
	msgs = m.PressLabel(t, auAuditor, "✅ Да, завершить")
	flowtest.Has(t, msgs, "Аудит № 2026-1 завершён")
	for _, u := range []flowtest.User{auManager, auAuditor} {
		got := flowtest.To(msgs, u)
		flowtest.Has(t, got, "Завершён аудит № 2026-1", "Всего 3 замечания", "1 значительное несоответствие",
			"1 незначительное несоответствие", "1 наблюдение")
		var pdf, xlsx []byte
		for _, msg := range got {
			if d, ok := msg.(bot.Document); ok {
				switch {
				case strings.HasSuffix(d.Name, ".pdf"):
					pdf = d.Data
				case strings.HasSuffix(d.Name, ".xlsx"):
					xlsx = d.Data
				}
			}
		}
		if n := bytes.Count(pdf, []byte("/Subtype /Image")); n != 3 {
			t.Fatalf("the PDF to %d has %d images, want 3 (the photos of Н-1)", u.ID, n)
		}
		x, err := excelize.OpenReader(bytes.NewReader(xlsx))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows("Замечания")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1+len(fs) {
			t.Fatalf("XLSX rows %q, want a header and %d findings", rows, len(fs))
		}
		for i, fd := range fs {
			if rows[i+1][3] != fd.Description {
				t.Fatalf("XLSX row %d %q, want finding %q", i+1, rows[i+1], fd.Description)
			}
		}
		if rows[1][0] != "Н-1" || rows[1][5] != "3" {
			t.Fatalf("XLSX first row %q", rows[1])
		}
	}
	stored, err := m.Store.FindAudit(ctx, a.ID)
	if err != nil || stored.Status != storage.AuditClosed {
		t.Fatalf("audit %+v, %v: not closed", stored, err)
	}
	// The closed audit's buttons are stale now.
	for _, data := range []string{flows.CB(cb, actAdd, a.ID), flows.CB(cb, actFinding, fs[0].ID), flows.CB(cb, actDeleteOK, fs[0].ID)} {
		flowtest.Has(t, m.Press(t, auAuditor, data), "Эта кнопка устарела")
	}
	if f, err := m.Store.FindFinding(ctx, fs[0].ID); err != nil || !f.DeletedAt.IsZero() {
		t.Fatalf("finding %+v, %v after a stale delete", f, err)
	}
}

func TestAuditRoles(t *testing.T) {
	m := newAuEnv(t)
	a := m.begin(t)
	m.finding(t, "🔵 Наблюдение", "", "Стенд устарел.", "О-1")
	fd := m.findings(t, a.ID)[0]

	other := m.Org(t, "Гимназия № 3")
	m.Person(t, auOther, "Орлова Нина Викторовна", storage.RoleAuditor, other.ID)

	forged := []string{flows.CB(cb, actFinding, fd.ID), flows.CB(cb, actDeleteOK, fd.ID),
		flows.CB(cb, actCloseOK, a.ID), flows.CB(cb, actEditKind, fmt.Sprintf("%d.0", fd.ID))}
	for _, u := range []flowtest.User{auTeacher, auStranger, auOther} {
		m.Send(t, u, "/audit")
		for _, data := range forged {
			flowtest.Has(t, m.Press(t, u, data), "Это действие вам недоступно")
		}
	}
	flowtest.Has(t, m.Send(t, auTeacher, "/audit"), "Это действие вам недоступно")
	flowtest.Has(t, m.Send(t, auStranger, "/audit"), "Это действие вам недоступно")
	if got, err := m.Store.FindFinding(context.Background(), fd.ID); err != nil || got.Kind != storage.FindingObservation {
		t.Fatalf("finding %+v, %v after forged presses", got, err)
	}
	if got, _ := m.Store.FindAudit(context.Background(), a.ID); got.Status != storage.AuditOpen {
		t.Fatal("a forged press closed the audit")
	}
}

func TestAuditCandidateSchoolAndOpenFindings(t *testing.T) {
	m := newAuEnv(t)
	ctx := context.Background()
	cand, err := m.Store.CreateOrganisation(ctx, 0, storage.Organisation{
		Name: "ООШ с. Луговое", ShortName: "ООШ Луговое", Municipality: "Бийский район", Status: storage.OrgCandidate,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Store.SetMentor(ctx, 0, cand.ID, m.org.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store.AddAuditArea(ctx, 0, cand.ID, "Управление ресурсами"); err != nil {
		t.Fatal(err)
	}
	// An earlier audit of the candidate left a finding open.
	prev, err := m.Store.CreateAudit(ctx, m.auditor.ID, storage.Audit{OrgID: cand.ID, AuditorOrgID: m.org.ID,
		Area: "Управление ресурсами", Date: flowtest.Start.AddDate(0, -2, 0), LeadID: m.auditor.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store.AddFinding(ctx, m.auditor.ID, storage.Finding{AuditID: prev.ID, Kind: storage.FindingMinor,
		Description: "Нет плана закупок."}); err != nil {
		t.Fatal(err)
	}
	if err := m.Store.CloseAudit(ctx, m.auditor.ID, prev.ID); err != nil {
		t.Fatal(err)
	}

	msgs := m.Send(t, auAuditor, "/audit")
	flowtest.Has(t, msgs, "Какую организацию проверяем?")
	if got := flowtest.ButtonLabels(msgs); !slices.Equal(got, []string{"СОШ № 7", "ООШ Луговое"}) {
		t.Fatalf("organisations %q", got)
	}
	flowtest.Has(t, m.PressLabel(t, auAuditor, "ООШ Луговое"), "Выберите из списка")
	m.PressLabel(t, auAuditor, "Управление ресурсами")
	flowtest.Has(t, m.Send(t, auAuditor, "19.11.2026"), "Кто проводит аудит вместе с вами?")
	msgs = m.PressLabel(t, auAuditor, "Без соаудиторов ›")
	flowtest.Has(t, msgs, "Аудит № 2026-2", "ООШ с. Луговое", "19 ноября 2026",
		"По прошлому аудиту № 2026-1", "1 открытое замечание", "Н-1", "Нет плана закупок.")

	// A forged organisation the auditor's school does not mentor.
	other := m.Org(t, "Гимназия № 3")
	flowtest.Has(t, m.Press(t, auAuditor, flows.CB(cb, actOrg, other.ID)), "Это действие вам недоступно")
}
