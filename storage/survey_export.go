package storage

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// AnswerRow is one submitted response as exported: the name of its class
// and its answers keyed by question index (skipped questions are absent).
// It carries neither the response's key nor its day, so rows cannot be
// matched with anything else.
type AnswerRow struct {
	ClassID int64          `db:"class_id"`
	Class   string         `db:"class"`
	Answers map[int]Answer `db:"answers"`
}

// SurveyAnswerRows returns every submitted response of the survey, one row
// each, in random order (never the order they came in). Groups smaller than
// five are returned like the others: hiding them is the reader's part. It
// returns ErrNotFound for an unknown survey.
func (s *Store) SurveyAnswerRows(ctx context.Context, surveyID int64) ([]AnswerRow, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: survey %d answer rows: %w", surveyID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := findSurvey(ctx, tx, `where id = $1`, surveyID); err != nil {
		return nil, fmt.Errorf("storage: survey %d answer rows: %w", surveyID, err)
	}
	// The answers of a response are folded into the same JSON the drafts
	// use, so they read back as Answer values.
	rows, err := tx.Query(ctx, `
		select c.id as class_id, c.name as class,
		       coalesce(jsonb_object_agg(a.question::text, jsonb_strip_nulls(
		                   jsonb_build_object('v', a.value, 'c', to_jsonb(a.choices), 't', a.text)))
		                filter (where a.question is not null), '{}') as answers
		from survey_responses r
		join survey_classes c on c.id = r.class_id
		left join survey_answers a on a.response_key = r.key and a.survey_id = r.survey_id
		where r.survey_id = $1
		group by r.key, c.id
		order by random()`, surveyID)
	if err != nil {
		return nil, fmt.Errorf("storage: survey %d answer rows: %w", surveyID, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[AnswerRow])
	if err != nil {
		return nil, fmt.Errorf("storage: survey %d answer rows: %w", surveyID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: survey %d answer rows: %w", surveyID, err)
	}
	return out, nil
}
