package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// Audience is who answers a survey.
type Audience string

// The audiences of surveys.
const (
	AudienceParents  Audience = "parents"
	AudienceStudents Audience = "students"
)

// Valid reports whether a is one of the audiences.
func (a Audience) Valid() bool { return a == AudienceParents || a == AudienceStudents }

// SurveyStatus is where a survey is in its life.
type SurveyStatus string

// The statuses of a survey: written, answered, over.
const (
	SurveyDraft  SurveyStatus = "draft"
	SurveyOpen   SurveyStatus = "open"
	SurveyClosed SurveyStatus = "closed"
)

// Survey is a questionnaire of a school (or of the association when OrgID is
// zero) for parents or students. Zero times stand for unset ones.
type Survey struct {
	ID       int64    `db:"id"`
	OrgID    int64    `db:"org_id"` // 0 for an association-wide survey
	Title    string   `db:"title"`
	Audience Audience `db:"audience"`
	// TemplateKey names the template the survey came from ("" when
	// uploaded); runs of one template at one school are compared.
	TemplateKey string `db:"template_key"`
	Intro       string `db:"intro"`
	// Questions are the survey's own copy, fixed when it is created.
	Questions []Question   `db:"questions"`
	Status    SurveyStatus `db:"status"`
	// OpensAt is when answering starts (set to the publishing time when
	// zero); ClosesAt when it ends (zero: open until closed by hand).
	OpensAt     time.Time `db:"opens_at"`
	ClosesAt    time.Time `db:"closes_at"`
	CreatedBy   int64     `db:"created_by"` // person id; 0 from the command line
	CreatedAt   time.Time `db:"created_at"`
	PublishedAt time.Time `db:"published_at"`
	ClosedAt    time.Time `db:"closed_at"`
}

// SurveyClass is a class a survey covers, with its own deep link.
type SurveyClass struct {
	ID        int64  `db:"id"`
	SurveyID  int64  `db:"survey_id"`
	Name      string `db:"name"` // "5А"
	Headcount int    `db:"headcount"`
	// Code is 10 random characters of A-Za-z0-9_-, part of the class's
	// ?start= payload.
	Code string `db:"code"`
}

// Answer is one answer of a respondent. Value holds a scale answer (1–5),
// yes (1) or no (0), or the option index of a single choice; Choices the
// option indexes of a multiple choice; Text a free-text answer. Skipped marks
// an optional question passed over.
type Answer struct {
	Value   *int   `json:"v,omitempty"`
	Choices []int  `json:"c,omitempty"`
	Text    string `json:"t,omitempty"`
	Skipped bool   `json:"s,omitempty"`
}

// Draft is a response in progress: the only record where a respondent and
// their answers meet. It is deleted when submitted.
type Draft struct {
	ID       int64 `db:"id"`
	SurveyID int64 `db:"survey_id"`
	ClassID  int64 `db:"class_id"`
	// Answers are keyed by question index.
	Answers   map[int]Answer `db:"answers"`
	UpdatedAt time.Time      `db:"updated_at"`
}

// zeroTime is what the column lists give for a NULL timestamp.
const zeroTime = `'0001-01-01 00:00:00Z'::timestamptz`

// surveyColumns selects a Survey for pgx.RowToStructByName.
const surveyColumns = `id, coalesce(org_id, 0) as org_id, title, audience, template_key, intro,
	questions, status,
	coalesce(opens_at, ` + zeroTime + `) as opens_at,
	coalesce(closes_at, ` + zeroTime + `) as closes_at,
	coalesce(created_by, 0) as created_by, created_at,
	coalesce(published_at, ` + zeroTime + `) as published_at,
	coalesce(closed_at, ` + zeroTime + `) as closed_at`

// surveyClassColumns selects a SurveyClass.
const surveyClassColumns = `id, survey_id, name, headcount, code`

// draftColumns selects a Draft.
const draftColumns = `id, survey_id, class_id, answers, updated_at`

// nullTime turns the zero time into SQL NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// utcDay is the UTC date of t, the finest time kept of an answer.
func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// CreateSurvey adds a survey in status draft with the classes it covers and
// returns them as stored, each class with a fresh random code. The status,
// ids and times of s other than OpensAt and ClosesAt are ignored. It returns
// ErrInvalid for an empty title, an unknown audience, no questions or a
// malformed one, no classes, a class without a name or headcount, two
// classes of one name, or OpensAt not before ClosesAt; ErrNotFound for an
// unknown organisation or actor.
func (s *Store) CreateSurvey(ctx context.Context, actorID int64, sv Survey, classes []SurveyClass) (Survey, []SurveyClass, error) {
	if err := checkSurvey(&sv, classes); err != nil {
		return Survey{}, nil, fmt.Errorf("storage: create survey: %w", err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Survey{}, nil, fmt.Errorf("storage: create survey: %w", err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	sv, err = createSurvey(ctx, tx, now, actorID, sv)
	if err != nil {
		return Survey{}, nil, fmt.Errorf("storage: create survey: %w", err)
	}
	out := make([]SurveyClass, 0, len(classes))
	for _, c := range classes {
		c, err := createSurveyClass(ctx, tx, sv.ID, c)
		if err != nil {
			return Survey{}, nil, fmt.Errorf("storage: create survey: class %q: %w", c.Name, err)
		}
		out = append(out, c)
	}
	detail := map[string]any{"org_id": sv.OrgID, "template": sv.TemplateKey, "classes": len(out)}
	if err := logAction(ctx, tx, now, actorID, "survey.create", "survey", sv.ID, detail); err != nil {
		return Survey{}, nil, fmt.Errorf("storage: create survey: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Survey{}, nil, fmt.Errorf("storage: create survey: %w", err)
	}
	return sv, out, nil
}

// PublishSurvey opens the draft survey for answers. A zero OpensAt becomes
// now. It returns ErrNotFound, ErrConflict when the survey is not a draft and
// ErrInvalid when its closing time has already passed.
func (s *Store) PublishSurvey(ctx context.Context, actorID, surveyID int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: publish survey %d: %w", surveyID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	sv, err := findSurvey(ctx, tx, `where id = $1 for update`, surveyID)
	if err != nil {
		return fmt.Errorf("storage: publish survey %d: %w", surveyID, err)
	}
	if sv.Status != SurveyDraft {
		return fmt.Errorf("storage: publish survey %d: status %s: %w", surveyID, sv.Status, ErrConflict)
	}
	if !sv.ClosesAt.IsZero() && !now.Before(sv.ClosesAt) {
		return fmt.Errorf("storage: publish survey %d: closing time passed: %w", surveyID, ErrInvalid)
	}
	if _, err := tx.Exec(ctx, `
		update surveys
		set status = 'open', opens_at = coalesce(opens_at, $2), published_at = $2
		where id = $1`, surveyID, now); err != nil {
		return fmt.Errorf("storage: publish survey %d: %w", surveyID, err)
	}
	if err := logAction(ctx, tx, now, actorID, "survey.publish", "survey", surveyID, nil); err != nil {
		return fmt.Errorf("storage: publish survey %d: %w", surveyID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: publish survey %d: %w", surveyID, err)
	}
	return nil
}

// CloseSurvey closes the survey now (early, or a draft that will not be
// published). It returns ErrNotFound, and ErrSurveyClosed when it is closed
// already.
func (s *Store) CloseSurvey(ctx context.Context, actorID, surveyID int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: close survey %d: %w", surveyID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	sv, err := findSurvey(ctx, tx, `where id = $1 for update`, surveyID)
	if err != nil {
		return fmt.Errorf("storage: close survey %d: %w", surveyID, err)
	}
	if sv.Status == SurveyClosed {
		return fmt.Errorf("storage: close survey %d: %w", surveyID, ErrSurveyClosed)
	}
	if err := closeSurvey(ctx, tx, now, surveyID); err != nil {
		return fmt.Errorf("storage: close survey %d: %w", surveyID, err)
	}
	if err := logAction(ctx, tx, now, actorID, "survey.close", "survey", surveyID, nil); err != nil {
		return fmt.Errorf("storage: close survey %d: %w", surveyID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: close survey %d: %w", surveyID, err)
	}
	return nil
}

// ExtendSurvey moves the survey's closing time to closesAt, which must be in
// the future and after its opening time (else ErrInvalid). A closed survey
// that had been published opens again (one never published goes back to
// draft). It returns ErrNotFound for an unknown survey.
func (s *Store) ExtendSurvey(ctx context.Context, actorID, surveyID int64, closesAt time.Time) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: extend survey %d: %w", surveyID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	sv, err := findSurvey(ctx, tx, `where id = $1 for update`, surveyID)
	if err != nil {
		return fmt.Errorf("storage: extend survey %d: %w", surveyID, err)
	}
	if !closesAt.After(now) || (!sv.OpensAt.IsZero() && !closesAt.After(sv.OpensAt)) {
		return fmt.Errorf("storage: extend survey %d: closing time %v: %w", surveyID, closesAt, ErrInvalid)
	}
	if _, err := tx.Exec(ctx, `
		update surveys
		set closes_at = $2,
		    status = case when status <> 'closed' then status
		                  when published_at is null then 'draft'
		                  else 'open' end,
		    closed_at = null
		where id = $1`, surveyID, closesAt); err != nil {
		return fmt.Errorf("storage: extend survey %d: %w", surveyID, err)
	}
	detail := map[string]any{"closes_at": closesAt.UTC().Format(time.RFC3339), "reopened": sv.Status == SurveyClosed}
	if err := logAction(ctx, tx, now, actorID, "survey.extend", "survey", surveyID, detail); err != nil {
		return fmt.Errorf("storage: extend survey %d: %w", surveyID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: extend survey %d: %w", surveyID, err)
	}
	return nil
}

// FindSurveyByID returns the survey and its classes (in the order given when
// it was created), or ErrNotFound.
func (s *Store) FindSurveyByID(ctx context.Context, id int64) (Survey, []SurveyClass, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Survey{}, nil, fmt.Errorf("storage: find survey %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	sv, err := findSurvey(ctx, tx, `where id = $1`, id)
	if err != nil {
		return Survey{}, nil, fmt.Errorf("storage: find survey %d: %w", id, err)
	}
	classes, err := surveyClasses(ctx, tx, id)
	if err != nil {
		return Survey{}, nil, fmt.Errorf("storage: find survey %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Survey{}, nil, fmt.Errorf("storage: find survey %d: %w", id, err)
	}
	return sv, classes, nil
}

// FindSurveyHead returns a survey without its questions (Questions is
// nil) and without its classes: what may change after publishing (status,
// dates, title) for a reader who keeps the questions, which do not. It
// returns ErrNotFound for an unknown survey.
func (s *Store) FindSurveyHead(ctx context.Context, id int64) (Survey, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Survey{}, fmt.Errorf("storage: find survey head %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	columns := strings.Replace(surveyColumns, "questions,", "'[]'::jsonb as questions,", 1)
	rows, err := tx.Query(ctx, `select `+columns+` from surveys where id = $1`, id)
	if err != nil {
		return Survey{}, fmt.Errorf("storage: find survey head %d: %w", id, err)
	}
	sv, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Survey])
	if errors.Is(err, pgx.ErrNoRows) {
		return Survey{}, fmt.Errorf("storage: find survey head %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Survey{}, fmt.Errorf("storage: find survey head %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Survey{}, fmt.Errorf("storage: find survey head %d: %w", id, err)
	}
	sv.Questions = nil
	return sv, nil
}

// FindSurveyClassByCode returns the class whose deep-link code is code and
// its survey, whatever the survey's status, or ErrNotFound.
func (s *Store) FindSurveyClassByCode(ctx context.Context, code string) (Survey, SurveyClass, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Survey{}, SurveyClass{}, fmt.Errorf("storage: find survey class by code: %w", err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `select `+surveyClassColumns+` from survey_classes where code = $1`, code)
	if err != nil {
		return Survey{}, SurveyClass{}, fmt.Errorf("storage: find survey class by code: %w", err)
	}
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[SurveyClass])
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Survey{}, SurveyClass{}, fmt.Errorf("storage: find survey class by code: %w", err)
	}
	sv, err := findSurvey(ctx, tx, `where id = $1`, c.SurveyID)
	if err != nil {
		return Survey{}, SurveyClass{}, fmt.Errorf("storage: find survey class by code: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Survey{}, SurveyClass{}, fmt.Errorf("storage: find survey class by code: %w", err)
	}
	return sv, c, nil
}

// ListSurveys returns the surveys of the organisation (orgID 0: every
// survey, association-wide ones included), newest first.
func (s *Store) ListSurveys(ctx context.Context, orgID int64) ([]Survey, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: list surveys: %w", err)
	}
	defer tx.Rollback(ctx)

	surveys, err := findSurveys(ctx, tx, `where $1 = 0 or org_id = $1 order by created_at desc, id desc`, orgID)
	if err != nil {
		return nil, fmt.Errorf("storage: list surveys: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: list surveys: %w", err)
	}
	return surveys, nil
}

// CloseDueSurveys closes every open survey whose closing time has passed and
// returns them as closed, in id order (for the scheduler, which sends the
// final results).
func (s *Store) CloseDueSurveys(ctx context.Context) ([]Survey, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: close due surveys: %w", err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	due, err := findSurveys(ctx, tx, `where status = 'open' and closes_at <= $1 order by id for update`, now)
	if err != nil {
		return nil, fmt.Errorf("storage: close due surveys: %w", err)
	}
	var closed []Survey
	for _, sv := range due {
		if err := closeSurvey(ctx, tx, now, sv.ID); err != nil {
			return nil, fmt.Errorf("storage: close due surveys: %d: %w", sv.ID, err)
		}
		if err := logAction(ctx, tx, now, 0, "survey.close", "survey", sv.ID, nil); err != nil {
			return nil, fmt.Errorf("storage: close due surveys: %w", err)
		}
		sv, err := findSurvey(ctx, tx, `where id = $1`, sv.ID)
		if err != nil {
			return nil, fmt.Errorf("storage: close due surveys: %w", err)
		}
		closed = append(closed, sv)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: close due surveys: %w", err)
	}
	return closed, nil
}

// PreviousSurvey returns the previous run of s: the newest survey of the same
// organisation and template, published and created before s. Surveys not
// made from a template have none. It returns ErrNotFound when there is none.
func (s *Store) PreviousSurvey(ctx context.Context, sv Survey) (Survey, error) {
	if sv.TemplateKey == "" {
		return Survey{}, fmt.Errorf("storage: previous survey of %d: no template: %w", sv.ID, ErrNotFound)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Survey{}, fmt.Errorf("storage: previous survey of %d: %w", sv.ID, err)
	}
	defer tx.Rollback(ctx)

	prev, err := findSurvey(ctx, tx, `
		where template_key = $1 and org_id is not distinct from $2
		  and published_at is not null
		  and (created_at, id) < ($3, $4)
		order by created_at desc, id desc
		limit 1`, sv.TemplateKey, nullID(sv.OrgID), sv.CreatedAt, sv.ID)
	if err != nil {
		return Survey{}, fmt.Errorf("storage: previous survey of %d: %w", sv.ID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Survey{}, fmt.Errorf("storage: previous survey of %d: %w", sv.ID, err)
	}
	return prev, nil
}

// StartDraft returns the respondent's draft response to the survey, creating
// it in the class when there is none; an existing draft is returned as it is
// (its class and answers kept). respondent is the caller's HMAC of survey and
// Telegram id (16 to 64 bytes, else ErrInvalid). It returns ErrNotFound for
// an unknown survey or a class of another survey, ErrAlreadyAnswered when the
// respondent has submitted already, ErrSurveyNotOpen before the survey opens
// and ErrSurveyClosed after it closes.
func (s *Store) StartDraft(ctx context.Context, surveyID, classID int64, respondent []byte) (Draft, error) {
	if err := checkRespondent(respondent); err != nil {
		return Draft{}, fmt.Errorf("storage: start draft: %w", err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Draft{}, fmt.Errorf("storage: start draft: %w", err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	sv, err := findSurvey(ctx, tx, `where id = $1`, surveyID)
	if err != nil {
		return Draft{}, fmt.Errorf("storage: start draft: survey %d: %w", surveyID, err)
	}
	var classOK bool
	if err := tx.QueryRow(ctx, `select exists (select 1 from survey_classes where id = $1 and survey_id = $2)`,
		classID, surveyID).Scan(&classOK); err != nil {
		return Draft{}, fmt.Errorf("storage: start draft: %w", err)
	}
	if !classOK {
		return Draft{}, fmt.Errorf("storage: start draft: class %d of survey %d: %w", classID, surveyID, ErrNotFound)
	}
	if err := checkNotAnswered(ctx, tx, surveyID, respondent); err != nil {
		return Draft{}, fmt.Errorf("storage: start draft: %w", err)
	}
	if err := surveyAnswerable(sv, now); err != nil {
		return Draft{}, fmt.Errorf("storage: start draft: %w", err)
	}
	// Two tries: a concurrent start by the same respondent (two devices, a
	// double tap) wins the insert, and the second look finds its draft.
	for range 2 {
		d, err := findDraft(ctx, tx, `where survey_id = $1 and respondent = $2`, surveyID, respondent)
		if err == nil {
			if err := tx.Commit(ctx); err != nil {
				return Draft{}, fmt.Errorf("storage: start draft: %w", err)
			}
			return d, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return Draft{}, fmt.Errorf("storage: start draft: %w", err)
		}
		rows, err := tx.Query(ctx, `
			insert into survey_drafts (survey_id, class_id, respondent, answers, created_at, updated_at)
			values ($1, $2, $3, '{}', $4, $4)
			on conflict (survey_id, respondent) do nothing
			returning `+draftColumns, surveyID, classID, respondent, now)
		if err != nil {
			return Draft{}, fmt.Errorf("storage: start draft: %w", err)
		}
		d, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Draft])
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return Draft{}, fmt.Errorf("storage: start draft: %w", err)
		}
		if err := tx.Commit(ctx); err != nil {
			return Draft{}, fmt.Errorf("storage: start draft: %w", err)
		}
		return d, nil
	}
	return Draft{}, fmt.Errorf("storage: start draft: started concurrently: %w", ErrConflict)
}

// FindDraft returns the respondent's draft response to the survey, or
// ErrNotFound (none started, or submitted already).
func (s *Store) FindDraft(ctx context.Context, surveyID int64, respondent []byte) (Draft, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Draft{}, fmt.Errorf("storage: find draft: %w", err)
	}
	defer tx.Rollback(ctx)

	d, err := findDraft(ctx, tx, `where survey_id = $1 and respondent = $2`, surveyID, respondent)
	if err != nil {
		return Draft{}, fmt.Errorf("storage: find draft: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Draft{}, fmt.Errorf("storage: find draft: %w", err)
	}
	return d, nil
}

// SaveAnswer records the answer to question (an index into the survey's
// questions) in the draft, replacing an earlier one. It returns ErrNotFound
// for an unknown draft, ErrSurveyClosed or ErrSurveyNotOpen when the survey
// does not take answers now, and ErrInvalid for a question out of range or
// an answer that does not fit it: a scale value outside 1–5, yes/no other
// than 1/0, an option index out of range or repeated, an empty or too long
// text (over MaxTextAnswer characters), a required question skipped, or a
// skipped answer that carries a value.
func (s *Store) SaveAnswer(ctx context.Context, draftID int64, question int, a Answer) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: save answer in draft %d: %w", draftID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	d, err := findDraft(ctx, tx, `where id = $1 for update`, draftID)
	if err != nil {
		return fmt.Errorf("storage: save answer in draft %d: %w", draftID, err)
	}
	if question < 0 || question > math.MaxInt32 {
		return fmt.Errorf("storage: save answer in draft %d: question %d: %w", draftID, question, ErrInvalid)
	}
	// Only the one question answered is read: decoding the whole list on
	// every answer was the largest cost of answering a survey.
	var (
		sv    Survey
		count int
		q     *Question
	)
	if err := tx.QueryRow(ctx, `select status, coalesce(opens_at, `+zeroTime+`), coalesce(closes_at, `+zeroTime+`),
			jsonb_array_length(questions), questions -> $2::int
		from surveys where id = $1`, d.SurveyID, question).Scan(&sv.Status, &sv.OpensAt, &sv.ClosesAt, &count, &q); err != nil {
		return fmt.Errorf("storage: save answer in draft %d: %w", draftID, err)
	}
	if err := surveyAnswerable(sv, now); err != nil {
		return fmt.Errorf("storage: save answer in draft %d: %w", draftID, err)
	}
	if question < 0 || question >= count || q == nil {
		return fmt.Errorf("storage: save answer in draft %d: question %d of %d: %w", draftID, question, count, ErrInvalid)
	}
	if err := checkAnswer(*q, a); err != nil {
		return fmt.Errorf("storage: save answer in draft %d: question %d: %w", draftID, question, err)
	}
	raw, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("storage: save answer in draft %d: %w", draftID, err)
	}
	if _, err := tx.Exec(ctx, `
		update survey_drafts
		set answers = jsonb_set(answers, array[$2::text], $3::jsonb, true), updated_at = $4
		where id = $1`, draftID, fmt.Sprint(question), raw, now); err != nil {
		return fmt.Errorf("storage: save answer in draft %d: %w", draftID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: save answer in draft %d: %w", draftID, err)
	}
	return nil
}

// SubmitDraft turns the respondent's draft into a completion record (who
// answered, by the day) and an anonymous response (what was answered, under
// a random key, by the day), and deletes the draft: after it nothing links
// the two. Skipped and unanswered questions are not stored.
//
// It returns ErrAlreadyAnswered when the respondent has submitted already
// (also for a second submit of the same, now dissolved, draft), ErrNotFound
// for an unknown draft or one of another respondent, ErrSurveyClosed or
// ErrSurveyNotOpen when the survey does not take answers now, and
// ErrInvalid when a required question has no answer.
func (s *Store) SubmitDraft(ctx context.Context, draftID int64, respondent []byte) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: submit draft %d: %w", draftID, err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	d, owner, err := findDraftOwner(ctx, tx, draftID)
	if errors.Is(err, ErrNotFound) || (err == nil && !bytes.Equal(owner, respondent)) {
		// A draft is dissolved by its submit: a second submit finds the
		// completion instead.
		var answered bool
		if err := tx.QueryRow(ctx, `select exists (select 1 from survey_completions where respondent = $1)`,
			respondent).Scan(&answered); err != nil {
			return fmt.Errorf("storage: submit draft %d: %w", draftID, err)
		}
		if answered {
			return fmt.Errorf("storage: submit draft %d: %w", draftID, ErrAlreadyAnswered)
		}
		return fmt.Errorf("storage: submit draft %d: %w", draftID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("storage: submit draft %d: %w", draftID, err)
	}
	// A share lock: submits go side by side, but not past a closing, which
	// reshuffles the completions (see closeSurvey).
	sv, err := findSurvey(ctx, tx, `where id = $1 for share`, d.SurveyID)
	if err != nil {
		return fmt.Errorf("storage: submit draft %d: %w", draftID, err)
	}
	if err := surveyAnswerable(sv, now); err != nil {
		return fmt.Errorf("storage: submit draft %d: %w", draftID, err)
	}
	for i, q := range sv.Questions {
		if a, ok := d.Answers[i]; q.Required && (!ok || a.Skipped) {
			return fmt.Errorf("storage: submit draft %d: required question %d unanswered: %w", draftID, i, ErrInvalid)
		}
	}
	if err := submitDraft(ctx, tx, utcDay(now), d, respondent); err != nil {
		return fmt.Errorf("storage: submit draft %d: %w", draftID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: submit draft %d: %w", draftID, err)
	}
	return nil
}

// submitDraft writes the completion, the response and its answers, and
// deletes the draft. No action is logged: a respondent is nobody.
func submitDraft(ctx context.Context, tx pgx.Tx, day time.Time, d Draft, respondent []byte) error {
	tag, err := tx.Exec(ctx, `
		insert into survey_completions (survey_id, respondent, completed_on)
		values ($1, $2, $3)
		on conflict do nothing`, d.SurveyID, respondent, day)
	if err != nil {
		return fmt.Errorf("completion: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrAlreadyAnswered
	}
	var key [16]byte
	if err := tx.QueryRow(ctx, `
		insert into survey_responses (key, survey_id, class_id, submitted_on)
		values (gen_random_uuid(), $1, $2, $3)
		returning key`, d.SurveyID, d.ClassID, day).Scan(&key); err != nil {
		return fmt.Errorf("response: %w", err)
	}
	// The answers go from the draft's JSON straight into rows.
	if _, err := tx.Exec(ctx, `
		insert into survey_answers (response_key, survey_id, question, value, choices, text)
		select $1, d.survey_id, a.question::int, (a.answer->>'v')::int,
		       case when a.answer ? 'c' then
		            array(select jsonb_array_elements_text(a.answer->'c')::int) end,
		       nullif(a.answer->>'t', '')
		from survey_drafts d, jsonb_each(d.answers) as a(question, answer)
		where d.id = $2 and not coalesce((a.answer->>'s')::boolean, false)`, key, d.ID); err != nil {
		return fmt.Errorf("answers: %w", err)
	}
	if _, err := tx.Exec(ctx, `delete from survey_drafts where id = $1`, d.ID); err != nil {
		return fmt.Errorf("dissolve draft: %w", err)
	}
	return nil
}

// closeSurvey marks the survey closed at now and reshuffles its completion
// records. While a survey is open, the completions and the responses are
// stored in the order they came, and a completion and its response share the
// transaction that wrote them (Postgres's xmin): a database dump lists them
// side by side in the same order. Rewriting the completions in random order
// in one transaction leaves nothing of that in the live rows (the old row
// versions are gone at the next vacuum).
func closeSurvey(ctx context.Context, tx pgx.Tx, now time.Time, surveyID int64) error {
	if _, err := tx.Exec(ctx, `
		update surveys set status = 'closed', closed_at = $2 where id = $1`, surveyID, now); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		with done as (
			delete from survey_completions where survey_id = $1
			returning respondent, completed_on
		)
		insert into survey_completions (survey_id, respondent, completed_on)
		select $1, respondent, completed_on from done order by random()`, surveyID); err != nil {
		return fmt.Errorf("reshuffle completions: %w", err)
	}
	return nil
}

// surveyAnswerable says why the survey takes no answers at now, or nil.
func surveyAnswerable(sv Survey, now time.Time) error {
	switch {
	case sv.Status == SurveyClosed:
		return ErrSurveyClosed
	case sv.Status != SurveyOpen, now.Before(sv.OpensAt):
		return ErrSurveyNotOpen
	case !sv.ClosesAt.IsZero() && !now.Before(sv.ClosesAt):
		return ErrSurveyClosed
	}
	return nil
}

// checkNotAnswered returns ErrAlreadyAnswered when the respondent has a
// completion of the survey.
func checkNotAnswered(ctx context.Context, tx pgx.Tx, surveyID int64, respondent []byte) error {
	var answered bool
	if err := tx.QueryRow(ctx, `
		select exists (select 1 from survey_completions where survey_id = $1 and respondent = $2)`,
		surveyID, respondent).Scan(&answered); err != nil {
		return err
	}
	if answered {
		return ErrAlreadyAnswered
	}
	return nil
}

// checkRespondent accepts an HMAC-sized respondent key.
func checkRespondent(respondent []byte) error {
	if len(respondent) < 16 || len(respondent) > 64 {
		return fmt.Errorf("respondent key of %d bytes: %w", len(respondent), ErrInvalid)
	}
	return nil
}

// checkSurvey validates and tidies a survey and its classes for
// CreateSurvey.
func checkSurvey(sv *Survey, classes []SurveyClass) error {
	sv.Title = strings.TrimSpace(sv.Title)
	if sv.Title == "" {
		return fmt.Errorf("empty title: %w", ErrInvalid)
	}
	if !sv.Audience.Valid() {
		return fmt.Errorf("audience %q: %w", sv.Audience, ErrInvalid)
	}
	if len(sv.Questions) == 0 {
		return fmt.Errorf("no questions: %w", ErrInvalid)
	}
	for i, q := range sv.Questions {
		if err := checkQuestion(q); err != nil {
			return fmt.Errorf("question %d: %w", i, err)
		}
	}
	if !sv.OpensAt.IsZero() && !sv.ClosesAt.IsZero() && !sv.OpensAt.Before(sv.ClosesAt) {
		return fmt.Errorf("opens %v, closes %v: %w", sv.OpensAt, sv.ClosesAt, ErrInvalid)
	}
	if len(classes) == 0 {
		return fmt.Errorf("no classes: %w", ErrInvalid)
	}
	seen := make(map[string]bool)
	for _, c := range classes {
		name := strings.TrimSpace(c.Name)
		if name == "" || c.Headcount <= 0 {
			return fmt.Errorf("class %q of %d: %w", c.Name, c.Headcount, ErrInvalid)
		}
		if seen[name] {
			return fmt.Errorf("class %q twice: %w", name, ErrInvalid)
		}
		seen[name] = true
	}
	return nil
}

// checkQuestion says what is wrong with a question, or nil.
func checkQuestion(q Question) error {
	if strings.TrimSpace(q.Text) == "" {
		return fmt.Errorf("empty text: %w", ErrInvalid)
	}
	switch q.Kind {
	case QuestionScale, QuestionYesNo, QuestionText:
	case QuestionSingle, QuestionMulti:
		if len(q.Options) < 2 {
			return fmt.Errorf("%s with %d options: %w", q.Kind, len(q.Options), ErrInvalid)
		}
	default:
		return fmt.Errorf("kind %q: %w", q.Kind, ErrInvalid)
	}
	return nil
}

// checkAnswer says why a does not answer q, or nil.
func checkAnswer(q Question, a Answer) error {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf(format+": %w", append(args, ErrInvalid)...)
	}
	if a.Skipped {
		if q.Required {
			return invalid("required question skipped")
		}
		if a.Value != nil || a.Choices != nil || a.Text != "" {
			return invalid("skipped answer with a value")
		}
		return nil
	}
	if q.Kind != QuestionMulti && a.Choices != nil {
		return invalid("choices for a %s question", q.Kind)
	}
	if q.Kind != QuestionText && a.Text != "" {
		return invalid("text for a %s question", q.Kind)
	}
	switch q.Kind {
	case QuestionScale, QuestionYesNo, QuestionSingle:
		lo, hi := 1, 5
		if q.Kind == QuestionYesNo {
			lo, hi = 0, 1
		} else if q.Kind == QuestionSingle {
			lo, hi = 0, len(q.Options)-1
		}
		if a.Value == nil || *a.Value < lo || *a.Value > hi {
			return invalid("%s answer out of %d..%d", q.Kind, lo, hi)
		}
	case QuestionMulti:
		if a.Value != nil {
			return invalid("value for a multi question")
		}
		if q.Required && len(a.Choices) == 0 {
			return invalid("nothing chosen")
		}
		seen := make(map[int]bool)
		for _, c := range a.Choices {
			if c < 0 || c >= len(q.Options) || seen[c] {
				return invalid("choice %d of %d options", c, len(q.Options))
			}
			seen[c] = true
		}
	case QuestionText:
		if a.Value != nil {
			return invalid("value for a text question")
		}
		if strings.TrimSpace(a.Text) == "" {
			return invalid("empty text")
		}
		if strings.ContainsRune(a.Text, 0) || !utf8.ValidString(a.Text) {
			return invalid("text Postgres cannot hold")
		}
		if n := utf8.RuneCountInString(a.Text); n > MaxTextAnswer {
			return invalid("text of %d characters", n)
		}
	default:
		return invalid("question kind %q", q.Kind)
	}
	return nil
}

// newClassCode returns 10 random characters of A-Za-z0-9_- (60 bits).
func newClassCode() (string, error) {
	var raw [8]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(raw[:])[:10], nil
}

func createSurvey(ctx context.Context, tx pgx.Tx, now time.Time, actorID int64, sv Survey) (Survey, error) {
	questions, err := json.Marshal(sv.Questions)
	if err != nil {
		return Survey{}, err
	}
	rows, err := tx.Query(ctx, `
		insert into surveys (org_id, title, audience, template_key, intro, questions, status,
		                     opens_at, closes_at, created_by, created_at)
		values ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $9, $10)
		returning `+surveyColumns,
		nullID(sv.OrgID), sv.Title, string(sv.Audience), sv.TemplateKey, sv.Intro, questions,
		nullTime(sv.OpensAt), nullTime(sv.ClosesAt), nullID(actorID), now)
	if err != nil {
		return Survey{}, err
	}
	sv, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Survey])
	if pgCode(err) == pgForeignKeyViolation {
		err = fmt.Errorf("organisation %d or creator %d: %w", sv.OrgID, actorID, ErrNotFound)
	}
	return sv, err
}

// createSurveyClass inserts the class with a fresh code; a code taken
// already (one chance in 2^60 per class) is drawn again.
func createSurveyClass(ctx context.Context, tx pgx.Tx, surveyID int64, c SurveyClass) (SurveyClass, error) {
	for range 5 {
		code, err := newClassCode()
		if err != nil {
			return SurveyClass{}, err
		}
		rows, err := tx.Query(ctx, `
			insert into survey_classes (survey_id, name, headcount, code)
			values ($1, $2, $3, $4)
			on conflict (code) do nothing
			returning `+surveyClassColumns, surveyID, strings.TrimSpace(c.Name), c.Headcount, code)
		if err != nil {
			return SurveyClass{}, err
		}
		c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[SurveyClass])
		if !errors.Is(err, pgx.ErrNoRows) {
			return c, err
		}
	}
	return SurveyClass{}, fmt.Errorf("no free class code: %w", ErrConflict)
}

// findSurvey returns the one survey matched by where (with its arguments).
func findSurvey(ctx context.Context, tx pgx.Tx, where string, args ...any) (Survey, error) {
	rows, err := tx.Query(ctx, `select `+surveyColumns+` from surveys `+where, args...)
	if err != nil {
		return Survey{}, err
	}
	sv, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Survey])
	if errors.Is(err, pgx.ErrNoRows) {
		return Survey{}, ErrNotFound
	}
	return sv, err
}

func findSurveys(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]Survey, error) {
	rows, err := tx.Query(ctx, `select `+surveyColumns+` from surveys `+where, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[Survey])
}

func surveyClasses(ctx context.Context, tx pgx.Tx, surveyID int64) ([]SurveyClass, error) {
	rows, err := tx.Query(ctx, `select `+surveyClassColumns+` from survey_classes where survey_id = $1 order by id`, surveyID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[SurveyClass])
}

// findDraft returns the one draft matched by where (with its arguments).
func findDraft(ctx context.Context, tx pgx.Tx, where string, args ...any) (Draft, error) {
	rows, err := tx.Query(ctx, `select `+draftColumns+` from survey_drafts `+where, args...)
	if err != nil {
		return Draft{}, err
	}
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Draft])
	if errors.Is(err, pgx.ErrNoRows) {
		return Draft{}, ErrNotFound
	}
	return d, err
}

// draftOwner is a draft with its respondent key, which Draft leaves out.
type draftOwner struct {
	Draft
	Respondent []byte `db:"respondent"`
}

// findDraftOwner locks the draft and returns it with its respondent key.
func findDraftOwner(ctx context.Context, tx pgx.Tx, draftID int64) (Draft, []byte, error) {
	rows, err := tx.Query(ctx, `select `+draftColumns+`, respondent from survey_drafts where id = $1 for update`, draftID)
	if err != nil {
		return Draft{}, nil, err
	}
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[draftOwner])
	if errors.Is(err, pgx.ErrNoRows) {
		return Draft{}, nil, ErrNotFound
	}
	return d.Draft, d.Respondent, err
}

// HasAnswered reports whether the respondent has submitted an answer to the
// survey. It reads only the completion record, which holds no answers.
func (s *Store) HasAnswered(ctx context.Context, surveyID int64, respondent []byte) (bool, error) {
	var done bool
	err := s.pool.QueryRow(ctx,
		`select exists(select 1 from survey_completions where survey_id = $1 and respondent = $2)`,
		surveyID, respondent).Scan(&done)
	if err != nil {
		return false, fmt.Errorf("storage: has answered %d: %w", surveyID, err)
	}
	return done, nil
}
