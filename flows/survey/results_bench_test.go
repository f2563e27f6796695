package survey

import (
	"context"
	"fmt"
	"testing"
	"time"

	"smkbot/locales"
	"smkbot/storage"
	"smkbot/storage/storagetest"
)

// BenchmarkResults10k measures what a quality manager waits for on a
// survey of 10,000 responses of 15 questions in 10 classes: the results
// counted by Postgres and written as the message ("results"), and the
// summary chart of the index per question ("chart"). The responses are
// written with COPY before the timer starts, and vacuumed as autovacuum
// would.
func BenchmarkResults10k(b *testing.B) {
	ctx := context.Background()
	s, err := storage.Open(ctx, storagetest.DatabaseURL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	l, err := locales.New(time.UTC)
	if err != nil {
		b.Fatal(err)
	}
	var classes []storage.SurveyClass
	for i := range 10 {
		classes = append(classes, storage.SurveyClass{Name: fmt.Sprintf("%dА", i+1), Headcount: 1100})
	}
	sv, classes, err := s.CreateSurvey(ctx, 0, storage.Survey{Title: "Нагрузка", Audience: storage.AudienceParents,
		TemplateKey: "parents", Questions: storagetest.SurveyQuestions()}, classes)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.PublishSurvey(ctx, 0, sv.ID); err != nil {
		b.Fatal(err)
	}
	sv, _, err = s.FindSurveyByID(ctx, sv.ID)
	if err != nil {
		b.Fatal(err)
	}
	storagetest.SeedResponses(b, s, sv.ID, classes, 10_000)
	for _, sql := range []string{`vacuum analyze survey_responses`, `vacuum analyze survey_answers`} {
		if _, err := s.Pool().Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}

	b.Run("results", func(b *testing.B) {
		for b.Loop() {
			res, err := s.SurveyResults(ctx, sv.ID)
			if err != nil {
				b.Fatal(err)
			}
			if res.Responses != 10_000 {
				b.Fatalf("counted %d responses", res.Responses)
			}
			if text := resText(l, sv, "СОШ № 1", res, ""); len(text) == 0 {
				b.Fatal("no text")
			}
		}
	})
	res, err := s.SurveyResults(ctx, sv.ID)
	if err != nil {
		b.Fatal(err)
	}
	scales := resScaleShown(resStats(sv, res))
	b.Run("chart", func(b *testing.B) {
		for b.Loop() {
			if _, err := resSummaryChart(l, scales); err != nil {
				b.Fatal(err)
			}
		}
	})
}
