package survey

import (
	"context"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"smkbot/locales"
	"smkbot/storage"
	"smkbot/storage/storagetest"
)

// resBenchQuestions is a survey of 15 questions like the templates: ten
// scales in three groups, two yes/no, a single and a multiple choice, and
// a free text.
func resBenchQuestions() []storage.Question {
	var qs []storage.Question
	for i := range 10 {
		qs = append(qs, storage.Question{Kind: storage.QuestionScale, Group: fmt.Sprintf("Тема %d", i%3+1),
			Text: fmt.Sprintf("Насколько вас устраивает сторона школьной жизни номер %d?", i+1), Required: true})
	}
	return append(qs,
		storage.Question{Kind: storage.QuestionYesNo, Text: "Ребёнку безопасно в школе?"},
		storage.Question{Kind: storage.QuestionYesNo, Text: "Посоветуете ли вы школу знакомым?"},
		storage.Question{Kind: storage.QuestionSingle, Text: "Как часто ребёнок ест в столовой?", Options: []string{"а", "б", "в", "г"}},
		storage.Question{Kind: storage.QuestionMulti, Text: "Какие кружки посещает ребёнок?", Options: []string{"а", "б", "в", "г", "д"}},
		storage.Question{Kind: storage.QuestionText, Text: "Что бы вы изменили?"},
	)
}

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
		TemplateKey: "parents", Questions: resBenchQuestions()}, classes)
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
	resSeed(b, s, sv.ID, classes, 10_000)
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

// resSeed writes n random responses to a survey of resBenchQuestions.
func resSeed(b *testing.B, s *storage.Store, surveyID int64, classes []storage.SurveyClass, n int) {
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
			[]any{key, surveyID, 13, nil, []int32{int32(rnd.IntN(3)), 3 + int32(rnd.IntN(2))}, nil},
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
