package storagetest

import (
	"context"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"smkbot/storage"
)

// SurveyQuestions is a survey of 15 questions shaped like the templates:
// ten scales in three groups, two yes/no, a single choice of four, a
// multiple choice of five and a free text. SeedResponses answers it.
func SurveyQuestions() []storage.Question {
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

// SeedResponses writes n random submitted responses to a survey of
// SurveyQuestions, spread over its classes (a text answer in every third),
// with COPY: for benchmarks, which need volume rather than conversations.
func SeedResponses(tb testing.TB, s *storage.Store, surveyID int64, classes []storage.SurveyClass, n int) {
	tb.Helper()
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
		tb.Fatalf("copy responses: %v", err)
	}
	if _, err := s.Pool().CopyFrom(ctx, pgx.Identifier{"survey_answers"},
		[]string{"response_key", "survey_id", "question", "value", "choices", "text"}, pgx.CopyFromRows(answers)); err != nil {
		tb.Fatalf("copy answers: %v", err)
	}
}
