package storage

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Results are the counted answers of a survey, or of one class of it. They
// are computed from the anonymous responses alone. Groups smaller than five
// respondents are returned like the others: hiding them is the reader's
// part.
type Results struct {
	// Classes are the classes counted, in the order the survey lists them.
	Classes []ClassResult
	// Questions has one entry per question of the survey, in order.
	Questions []QuestionResult
	// Responses is the number of submitted responses counted.
	Responses int
}

// ClassResult is the response count of a class against its headcount.
type ClassResult struct {
	ClassID   int64  `db:"class_id"`
	Name      string `db:"name"`
	Headcount int    `db:"headcount"`
	Responses int    `db:"responses"`
}

// QuestionResult is how one question was answered.
type QuestionResult struct {
	// Index is the question's place in Survey.Questions.
	Index int
	// Answered counts the responses that answered it (skipped ones do not).
	Answered int
	// Counts maps a value to the number of answers giving it: the scale
	// value 1–5, yes 1 / no 0, the option index of a single choice, and for a
	// multiple choice each option index chosen (so the counts may add up to
	// more than Answered). Nil for text questions.
	Counts map[int]int
	// Sum is the sum of the values of a scale question (the mean is
	// Sum/Answered); 0 for the other kinds.
	Sum int
	// Texts are the free-text answers, in random order (never the order they
	// came in).
	Texts []string
}

// valueCount is how many answers to a question gave a value (Valued) or
// none (a multiple choice or a text).
type valueCount struct {
	Question int  `db:"question"`
	Valued   bool `db:"valued"`
	Value    int  `db:"value"`
	N        int  `db:"n"`
}

// choiceCount is how many answers to a multiple choice chose an option.
type choiceCount struct {
	Question int `db:"question"`
	Choice   int `db:"choice"`
	N        int `db:"n"`
}

// textAnswer is one free-text answer.
type textAnswer struct {
	Question int    `db:"question"`
	Text     string `db:"text"`
}

// SurveyResults counts the answers of every class of the survey. It returns
// ErrNotFound for an unknown survey.
func (s *Store) SurveyResults(ctx context.Context, surveyID int64) (Results, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Results{}, fmt.Errorf("storage: survey %d results: %w", surveyID, err)
	}
	defer tx.Rollback(ctx)

	res, err := surveyResults(ctx, tx, surveyID, 0)
	if err != nil {
		return Results{}, fmt.Errorf("storage: survey %d results: %w", surveyID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Results{}, fmt.Errorf("storage: survey %d results: %w", surveyID, err)
	}
	return res, nil
}

// ClassResults counts the answers of one class of the survey. It returns
// ErrNotFound for an unknown survey or a class not of it.
func (s *Store) ClassResults(ctx context.Context, surveyID, classID int64) (Results, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Results{}, fmt.Errorf("storage: survey %d class %d results: %w", surveyID, classID, err)
	}
	defer tx.Rollback(ctx)

	if classID == 0 {
		return Results{}, fmt.Errorf("storage: survey %d class %d results: %w", surveyID, classID, ErrNotFound)
	}
	res, err := surveyResults(ctx, tx, surveyID, classID)
	if err != nil {
		return Results{}, fmt.Errorf("storage: survey %d class %d results: %w", surveyID, classID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Results{}, fmt.Errorf("storage: survey %d class %d results: %w", surveyID, classID, err)
	}
	return res, nil
}

// surveyResults counts the survey's answers, of one class when classID is
// not 0. The counting is done by Postgres: Go sees one row per question,
// value or choice, and text.
func surveyResults(ctx context.Context, tx pgx.Tx, surveyID, classID int64) (Results, error) {
	sv, err := findSurvey(ctx, tx, `where id = $1`, surveyID)
	if err != nil {
		return Results{}, err
	}
	rows, err := tx.Query(ctx, `
		select c.id as class_id, c.name, c.headcount, count(r.key)::int as responses
		from survey_classes c
		left join survey_responses r on r.survey_id = c.survey_id and r.class_id = c.id
		where c.survey_id = $1 and ($2::bigint = 0 or c.id = $2)
		group by c.id
		order by c.id`, surveyID, classID)
	if err != nil {
		return Results{}, err
	}
	classes, err := pgx.CollectRows(rows, pgx.RowToStructByName[ClassResult])
	if err != nil {
		return Results{}, err
	}
	if len(classes) == 0 && classID != 0 {
		return Results{}, fmt.Errorf("class %d: %w", classID, ErrNotFound)
	}
	res := Results{Classes: classes, Questions: make([]QuestionResult, len(sv.Questions))}
	for _, c := range classes {
		res.Responses += c.Responses
	}
	for i, q := range sv.Questions {
		res.Questions[i].Index = i
		if q.Kind != QuestionText {
			res.Questions[i].Counts = make(map[int]int)
		}
	}

	// Which answers count: the survey's, or those of the class's responses.
	// The survey's are read from survey_answers' own indexes.
	filter := `a.survey_id = $1 and $2::bigint = 0`
	if classID != 0 {
		filter = `a.survey_id = $1 and a.response_key in (
			select key from survey_responses where survey_id = $1 and class_id = $2)`
	}
	rows, err = tx.Query(ctx, `
		select question, value is not null as valued, coalesce(value, 0) as value, count(*)::int as n
		from survey_answers a
		where `+filter+`
		group by question, value`, surveyID, classID)
	if err != nil {
		return Results{}, err
	}
	values, err := pgx.CollectRows(rows, pgx.RowToStructByName[valueCount])
	if err != nil {
		return Results{}, err
	}
	rows, err = tx.Query(ctx, `
		select question, choice, count(*)::int as n
		from survey_answers a cross join unnest(a.choices) as choice
		where `+filter+` and a.choices is not null
		group by question, choice`, surveyID, classID)
	if err != nil {
		return Results{}, err
	}
	choices, err := pgx.CollectRows(rows, pgx.RowToStructByName[choiceCount])
	if err != nil {
		return Results{}, err
	}
	rows, err = tx.Query(ctx, `
		select question, text
		from survey_answers a
		where `+filter+` and a.text is not null
		order by question, random()`, surveyID, classID)
	if err != nil {
		return Results{}, err
	}
	texts, err := pgx.CollectRows(rows, pgx.RowToStructByName[textAnswer])
	if err != nil {
		return Results{}, err
	}

	// A few rows per question: answers are counted by Postgres.
	question := func(i int) *QuestionResult {
		if i < 0 || i >= len(res.Questions) {
			return nil // cannot happen: answers are checked against the questions
		}
		return &res.Questions[i]
	}
	for _, v := range values {
		q := question(v.Question)
		if q == nil {
			continue
		}
		q.Answered += v.N
		if v.Valued && q.Counts != nil {
			q.Counts[v.Value] = v.N
			if sv.Questions[v.Question].Kind == QuestionScale {
				q.Sum += v.Value * v.N
			}
		}
	}
	for _, c := range choices {
		if q := question(c.Question); q != nil && q.Counts != nil {
			q.Counts[c.Choice] = c.N
		}
	}
	for _, t := range texts {
		if q := question(t.Question); q != nil {
			q.Texts = append(q.Texts, t.Text)
		}
	}
	return res, nil
}
