package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smkbot/storage"
	"smkbot/storage/storagetest"
)

func TestSurveyAnswerRows(t *testing.T) {
	t.Parallel()
	s := storagetest.NewStore(t)
	ctx := context.Background()
	sv, classes := mustOpenSurvey(t, s, 0)

	answer(t, s, sv.ID, classes[0].ID, "a", map[int]storage.Answer{
		0: {Value: intp(5)}, 1: {Value: intp(1)}, 2: {Value: intp(2)},
		3: {Choices: []int{0, 2}}, 4: {Text: "Больше спорта"},
	})
	answer(t, s, sv.ID, classes[1].ID, "b", map[int]storage.Answer{
		0: {Value: intp(3)}, 1: {Skipped: true},
	})

	rows, err := s.SurveyAnswerRows(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(rows, func(a, b storage.AnswerRow) int { return int(a.ClassID - b.ClassID) })
	want := []storage.AnswerRow{
		{ClassID: classes[0].ID, Class: "5А", Answers: map[int]storage.Answer{
			0: {Value: intp(5)}, 1: {Value: intp(1)}, 2: {Value: intp(2)},
			3: {Choices: []int{0, 2}}, 4: {Text: "Больше спорта"},
		}},
		{ClassID: classes[1].ID, Class: "5Б", Answers: map[int]storage.Answer{0: {Value: intp(3)}}},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}

	if _, err := s.SurveyAnswerRows(ctx, sv.ID+1000); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown survey: err = %v, want ErrNotFound", err)
	}
}

// TestSurveyAnswerRowsUnordered checks that the rows do not come in the
// order the responses were submitted.
func TestSurveyAnswerRowsUnordered(t *testing.T) {
	t.Parallel()
	s := storagetest.NewStore(t)
	sv, classes := mustOpenSurvey(t, s, 0)
	const n = 12
	for i := range n {
		answer(t, s, sv.ID, classes[0].ID, fmt.Sprint("r", i), map[int]storage.Answer{0: {Value: intp(1 + i%5)}, 4: {Text: fmt.Sprint(i)}})
	}
	for range 5 {
		rows, err := s.SurveyAnswerRows(context.Background(), sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != n {
			t.Fatalf("got %d rows, want %d", len(rows), n)
		}
		inOrder := true
		for i, r := range rows {
			inOrder = inOrder && r.Answers[4].Text == fmt.Sprint(i)
		}
		if !inOrder {
			return
		}
	}
	t.Error("rows came in submission order five times out of five")
}
