// Package survey is the satisfaction surveys of parents and students:
// templates and the upload format, authoring and publishing by a school's
// quality manager (or the chair, association-wide), anonymous answering by
// anyone with a class link, and results, charts, exports and reminders.
//
// Anonymity is by construction: a respondent is known to the records only as
// an HMAC of (survey, Telegram id) under the server's secret, enough to keep
// one answer per person and to resume a draft, and nothing more. Survey
// handlers never log or store a Telegram id.
package survey

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"regexp"
	"time"

	"smkbot/flows"
	"smkbot/storage"
)

// Store is what the survey flow needs of the records.
type Store interface {
	CreateSurvey(ctx context.Context, actorID int64, s storage.Survey, classes []storage.SurveyClass) (storage.Survey, []storage.SurveyClass, error)
	PublishSurvey(ctx context.Context, actorID, surveyID int64) error
	CloseSurvey(ctx context.Context, actorID, surveyID int64) error
	ExtendSurvey(ctx context.Context, actorID, surveyID int64, closesAt time.Time) error
	FindSurveyByID(ctx context.Context, id int64) (storage.Survey, []storage.SurveyClass, error)
	FindSurveyHead(ctx context.Context, id int64) (storage.Survey, error)
	FindSurveyClassByCode(ctx context.Context, code string) (storage.Survey, storage.SurveyClass, error)
	ListSurveys(ctx context.Context, orgID int64) ([]storage.Survey, error)
	PreviousSurvey(ctx context.Context, s storage.Survey) (storage.Survey, error)

	StartDraft(ctx context.Context, surveyID, classID int64, respondent []byte) (storage.Draft, error)
	FindDraft(ctx context.Context, surveyID int64, respondent []byte) (storage.Draft, error)
	SaveAnswer(ctx context.Context, draftID int64, question int, a storage.Answer) error
	SubmitDraft(ctx context.Context, draftID int64, respondent []byte) error
	HasAnswered(ctx context.Context, surveyID int64, respondent []byte) (bool, error)

	SurveyResults(ctx context.Context, surveyID int64) (storage.Results, error)
	ClassResults(ctx context.Context, surveyID, classID int64) (storage.Results, error)
	SurveyAnswerRows(ctx context.Context, surveyID int64) ([]storage.AnswerRow, error)

	FindOrganisationByID(ctx context.Context, id int64) (storage.Organisation, error)
	ListOrganisations(ctx context.Context) ([]storage.Organisation, error)
	ListPeople(ctx context.Context, orgID int64, role storage.Role) ([]storage.PersonRoles, error)
	FindPersonByID(ctx context.Context, id int64) (storage.Person, []storage.RoleGrant, error)

	// CloseDueSurveys closes open surveys whose time is over and returns
	// them (each once, across replicas).
	CloseDueSurveys(ctx context.Context) ([]storage.Survey, error)
	// ClaimSurveyDigests returns open surveys closing within the given time
	// of now whose digest was not sent yet, marking it sent.
	ClaimSurveyDigests(ctx context.Context, now time.Time, within time.Duration) ([]storage.Survey, error)
}

// Files downloads what people send (an uploaded survey file).
type Files interface {
	Download(ctx context.Context, fileID string) ([]byte, error)
}

// Flow holds what the survey handlers share.
type Flow struct {
	Store Store
	// Secret is the anonymity key (storage.Store.AnonSecret).
	Secret []byte
	// BotUsername builds class links: https://t.me/<BotUsername>?start=s_<code>.
	BotUsername string
	Files       Files
	// Tasks starts an improvement task in a school's quality programme
	// from a question with a low index; nil when the tasks capability is
	// absent, and then the results offer no such button.
	Tasks flows.TaskDrafts

	// questions keeps published surveys' questions for answering.
	questions questionCache
}

// The steps of the survey conversations.
const (
	// A respondent typing the answer to a free-text question.
	stepText = "survey:text"
)

// Callback data flow names: respondents' buttons, authoring, results.
const (
	cbAnswer  = "sv"
	cbAuthor  = "sva"
	cbResults = "svr"
)

// MinGroup is the smallest group whose answers are shown apart: fewer
// respondents could be recognised by their answers.
const MinGroup = 5

// linkPrefix starts the ?start= payload of a class link; the rest is the
// class's code. The whole payload (12 characters) can never be taken for an
// invite code (43).
const linkPrefix = "s_"

var linkPattern = regexp.MustCompile(`^s_[A-Za-z0-9_-]{10}$`)

// Register adds the survey flow's commands, buttons, steps, menu items and
// periodic jobs to r.
func (f *Flow) Register(r *flows.Router) {
	f.registerAnswer(r)
	f.registerAuthor(r)
	f.registerResults(r)
}

// respondent is the key a person answers a survey under: an HMAC of the
// survey and their Telegram id, so that answers can be kept one per person
// without keeping who the person is.
func (f *Flow) respondent(surveyID, telegramID int64) []byte {
	var msg [16]byte
	binary.BigEndian.PutUint64(msg[:8], uint64(surveyID))
	binary.BigEndian.PutUint64(msg[8:], uint64(telegramID))
	m := hmac.New(sha256.New, f.Secret)
	m.Write(msg[:])
	return m.Sum(nil)
}

// ClassLink is the deep link a class's parents or students open.
func ClassLink(botUsername string, c storage.SurveyClass) string {
	return "https://t.me/" + botUsername + "?start=" + linkPrefix + c.Code
}
