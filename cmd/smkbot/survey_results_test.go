package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"smkbot/bot/bottest"
	"smkbot/storage"
)

// resultsQuestions is a short survey: two scales and a yes/no.
func resultsQuestions() []storage.Question {
	return []storage.Question{
		{Kind: storage.QuestionScale, Text: "Насколько вас устраивает качество преподавания?", Group: "Обучение", Low: "Нет", High: "Да", Required: true},
		{Kind: storage.QuestionScale, Text: "Насколько вас устраивает питание?", Group: "Питание", Low: "Нет", High: "Да", Required: true},
		{Kind: storage.QuestionYesNo, Text: "Ребёнку безопасно в школе?", Required: true},
	}
}

// resultsSubmit submits a response through a draft, as a respondent would.
func resultsSubmit(t *testing.T, s *storage.Store, surveyID, classID int64, who string, values ...int) {
	t.Helper()
	ctx := context.Background()
	key := sha256.Sum256([]byte(who))
	d, err := s.StartDraft(ctx, surveyID, classID, key[:])
	if err != nil {
		t.Fatal(err)
	}
	for q, v := range values {
		if err := s.SaveAnswer(ctx, d.ID, q, storage.Answer{Value: &v}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SubmitDraft(ctx, d.ID, key[:]); err != nil {
		t.Fatal(err)
	}
}

// resultsMessages returns the messages to the chat whose text has sub.
func resultsMessages(h *harness, chatID int64, sub string) []bottest.Sent {
	var out []bottest.Sent
	for _, m := range h.tg.Messages(chatID) {
		if strings.Contains(m.Text, sub) {
			out = append(out, m)
		}
	}
	return out
}

// TestSurveyFinalResults: a survey's closing time passes while the bot
// runs; the quality manager gets the digest and then the final results,
// each once, and from them opens the charts and the spreadsheet.
func TestSurveyFinalResults(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.JobsEvery = 50 * time.Millisecond })
	ctx := context.Background()
	org, err := h.store.CreateOrganisation(ctx, 0, storage.Organisation{Name: "МБОУ СОШ № 1 г. Бийска", ShortName: "СОШ № 1", Municipality: "Бийск", Status: storage.OrgMember})
	if err != nil {
		t.Fatal(err)
	}
	qm := h.user(8101, "Мария")
	qm.register(h.invite(storage.RoleQualityManager, org.ID, 1, time.Hour), "Иванова Мария Петровна")
	p, _, err := h.store.FindPersonByTelegramID(ctx, qm.u.ID)
	if err != nil {
		t.Fatal(err)
	}

	sv, classes, err := h.store.CreateSurvey(ctx, p.ID, storage.Survey{
		OrgID: org.ID, Title: "Удовлетворённость родителей", Audience: storage.AudienceParents, TemplateKey: "parents",
		Questions: resultsQuestions(), ClosesAt: time.Now().Add(3 * time.Second),
	}, []storage.SurveyClass{{Name: "5А", Headcount: 25}, {Name: "5Б", Headcount: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.store.PublishSurvey(ctx, p.ID, sv.ID); err != nil {
		t.Fatal(err)
	}
	for i, v := range []int{5, 5, 4, 3, 2} {
		resultsSubmit(t, h.store, sv.ID, classes[0].ID, fmt.Sprint("parent-", i), v, 4, 1)
	}

	// The menu shows the open survey meanwhile.
	qm.send("📊 Результаты опросов")
	qm.expect("1 опрос")
	if label := qm.last().Buttons[0][0].Text; !strings.HasPrefix(label, "🟢 Удовлетворённость родителей · СОШ № 1") {
		t.Fatalf("list button %q", label)
	}
	qm.press(qm.last().Buttons[0][0].Text)
	qm.expect("🟢 Идёт", "• 5А — 5 из 25 (20%)", "Ответили: 5 · среднее 3,8 · индекс 60%")

	if err := h.tg.Wait(20*time.Second, func() bool { return len(resultsMessages(h, qm.u.ID, "завершён")) > 0 }); err != nil {
		t.Fatalf("no final results: %v\nchat:\n%s", err, qm.transcript())
	}
	// Several more ticks of the jobs send nothing more.
	time.Sleep(300 * time.Millisecond)
	digests := resultsMessages(h, qm.u.ID, "⏰ Опрос «Удовлетворённость родителей» закроется")
	finals := resultsMessages(h, qm.u.ID, "✅ Опрос «Удовлетворённость родителей» завершён")
	// The digest races the closing (the survey closes 3 s after it opens,
	// and the jobs' leader may be elected later than that), so here it may
	// be missing; that it goes exactly once is tested on the job itself.
	if len(digests) > 1 || len(finals) != 1 {
		t.Fatalf("%d digests and %d final results, want at most one and exactly one\nchat:\n%s", len(digests), len(finals), qm.transcript())
	}
	if len(digests) == 1 && !strings.Contains(digests[0].Text, "• 5А — 5 из 25 (20%)") {
		t.Errorf("digest:\n%s", digests[0].Text)
	}
	for _, w := range []string{"⏹ Завершён", "Всего: 5 из 45 (11%)", "Ответили: 5 · среднее 3,8 · индекс 60%", "Ответили: 5 · среднее 4,0 · индекс 100%"} {
		if !strings.Contains(finals[0].Text, w) {
			t.Errorf("final results lack %q:\n%s", w, finals[0].Text)
		}
	}

	// Charts: PNG images that decode.
	before := len(h.tg.Messages(qm.u.ID))
	qm.press("📈 Графики")
	images := 0
	for _, m := range h.tg.Messages(qm.u.ID)[before:] {
		for _, f := range m.Files {
			if _, err := png.Decode(bytes.NewReader(f.Data)); err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			images++
		}
	}
	if images != 4 { // two groups, the summary, the distribution
		t.Fatalf("got %d chart images, want 4\nchat:\n%s", images, qm.transcript())
	}

	// The spreadsheet opens and holds the numbers.
	qm.press("📄 Excel")
	doc := qm.last()
	if doc.Kind != "document" || len(doc.Files) != 1 {
		t.Fatalf("want a document, got:\n%s", qm.transcript())
	}
	f, err := excelize.OpenReader(bytes.NewReader(doc.Files[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Сводка")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[1][3:6], "|"); got != "5|3.8|60" {
		t.Errorf("summary of question 1 = %q, want 5|3.8|60", got)
	}
}
