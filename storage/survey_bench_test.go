package storage_test

import (
	"context"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"smkbot/storage"
	"smkbot/storage/storagetest"
)

// benchQuestions is a survey of 15 questions like the templates: ten
// scales, two yes/no, a single and a multiple choice, and a free text.
func benchQuestions() []storage.Question {
	var qs []storage.Question
	for i := range 10 {
		qs = append(qs, storage.Question{Kind: storage.QuestionScale, Text: fmt.Sprintf("Вопрос %d", i+1), Required: true})
	}
	qs = append(qs,
		storage.Question{Kind: storage.QuestionYesNo, Text: "Да или нет?"},
		storage.Question{Kind: storage.QuestionYesNo, Text: "Ещё да или нет?"},
		storage.Question{Kind: storage.QuestionSingle, Text: "Один из", Options: []string{"а", "б", "в", "г"}},
		storage.Question{Kind: storage.QuestionMulti, Text: "Несколько из", Options: []string{"а", "б", "в", "г", "д"}},
		storage.Question{Kind: storage.QuestionText, Text: "Ваши предложения"},
	)
	return qs
}

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
			TemplateKey: "parents", Questions: benchQuestions()}, classes)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.PublishSurvey(ctx, 0, sv.ID); err != nil {
			b.Fatal(err)
		}
		seedResponses(b, s, sv.ID, classes, 10_000)
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

// seedResponses writes n random responses to the survey of benchQuestions.
func seedResponses(b *testing.B, s *storage.Store, surveyID int64, classes []storage.SurveyClass, n int) {
	b.Helper()
	ctx := context.Background()
	rnd := mrand.New(mrand.NewPCG(uint64(surveyID), 1))
	day := time.Date(2026, 12, 25, 0, 0, 0, 0, time.UTC)
	var responses, answers [][]any
	for i := range n {
		var key [16]byte
		rand.Read(key[:])
		key[6] = key[6]&0x0f | 0x40 // version 4
		key[8] = key[8]&0x3f | 0x80 // variant 10
		responses = append(responses, []any{key, surveyID, classes[i%len(classes)].ID, day})
		for q := range 10 {
			answers = append(answers, []any{key, surveyID, q, 1 + rnd.IntN(5), nil, nil})
		}
		answers = append(answers,
			[]any{key, surveyID, 10, rnd.IntN(2), nil, nil},
			[]any{key, surveyID, 11, rnd.IntN(2), nil, nil},
			[]any{key, surveyID, 12, rnd.IntN(4), nil, nil},
			[]any{key, surveyID, 13, nil, []int32{int32(rnd.IntN(5)), 5 - 1 - int32(rnd.IntN(2))}, nil},
		)
		if i%3 == 0 {
			answers = append(answers, []any{key, surveyID, 14, nil, nil, fmt.Sprintf("Предложение номер %d: больше кружков и секций", i)})
		}
	}
	if _, err := s.Pool().CopyFrom(ctx, pgx.Identifier{"survey_responses"},
		[]string{"key", "survey_id", "class_id", "submitted_on"}, pgx.CopyFromRows(responses)); err != nil {
		b.Fatalf("copy responses: %v", err)
	}
	if _, err := s.Pool().CopyFrom(ctx, pgx.Identifier{"survey_answers"},
		[]string{"response_key", "survey_id", "question", "value", "choices", "text"}, pgx.CopyFromRows(answers)); err != nil {
		b.Fatalf("copy answers: %v", err)
	}
}
