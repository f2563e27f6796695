package storage_test

import (
	"context"
	"fmt"
	"testing"

	"smkbot/storage"
	"smkbot/storage/storagetest"
)

// BenchmarkSurveyResults10k measures SurveyResults on a survey of 10,000
// responses of 15 questions in 10 classes (a text answer in every third
// response), next to a second survey of the same size, so the query has to
// pick its survey's rows out of 300,000 answers. The data is written once,
// with COPY, before the timer starts.
func BenchmarkSurveyResults10k(b *testing.B) {
	ctx := context.Background()
	s, err := storage.Open(ctx, storagetest.DatabaseURL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()

	var surveyID int64
	for range 2 {
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
		storagetest.SeedResponses(b, s, sv.ID, classes, 10_000)
		surveyID = sv.ID
	}
	measure := func(b *testing.B) {
		for b.Loop() {
			res, err := s.SurveyResults(ctx, surveyID)
			if err != nil {
				b.Fatal(err)
			}
			if res.Responses != 10_000 || res.Questions[0].Answered != 10_000 {
				b.Fatalf("counted %d responses, %d answers to question 1; want 10000", res.Responses, res.Questions[0].Answered)
			}
		}
	}
	// Right after the bulk insert, before autovacuum has been by: the
	// planner knows the numbers but the visibility map is empty, so the
	// value index cannot answer alone.
	for _, sql := range []string{`analyze survey_responses`, `analyze survey_answers`} {
		if _, err := s.Pool().Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("fresh", measure)
	// Once autovacuum has been by (it does after inserts, too): index-only.
	for _, sql := range []string{`vacuum analyze survey_responses`, `vacuum analyze survey_answers`} {
		if _, err := s.Pool().Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("vacuumed", measure)
}
