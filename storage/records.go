// Package storage holds the records of the association in Postgres and the
// conversation sessions in Redis. It imports neither bot nor flows.
package storage

import (
	"errors"
	"time"
)

// Errors returned by the store. Callers match them with errors.Is.
var (
	// ErrNotFound: the record does not exist (or is not visible).
	ErrNotFound = errors.New("storage: not found")
	// ErrInviteInvalid: the invite code is unknown.
	ErrInviteInvalid = errors.New("storage: invite unknown")
	// ErrInviteExpired: the invite's time is over.
	ErrInviteExpired = errors.New("storage: invite expired")
	// ErrInviteUsedUp: the invite has no uses left.
	ErrInviteUsedUp = errors.New("storage: invite used up")
	// ErrConflict: a unique value (an organisation's name, say) is taken.
	ErrConflict = errors.New("storage: conflict")
	// ErrInvalid: a value the records cannot hold (an unknown role or
	// status, an empty name, a non-positive number of uses).
	ErrInvalid = errors.New("storage: invalid value")
)

// Role is what a person may do, in an organisation or association-wide.
type Role string

// The roles. Admin, chair, secretary and presidium are association-wide
// (their OrgID may be zero); the others belong to an organisation.
const (
	RoleAdmin          Role = "admin"
	RoleChair          Role = "chair"
	RoleSecretary      Role = "secretary"
	RolePresidium      Role = "presidium"
	RoleQualityManager Role = "quality_manager"
	RoleAuditor        Role = "auditor"
	RoleTeacher        Role = "teacher"
	// RoleDirector is the head of a school (a member or a candidate, or
	// one applying): it applies for membership and receives the
	// certificate.
	RoleDirector Role = "director"
)

// Roles lists every role in the order menus show them.
func Roles() []Role {
	return []Role{RoleAdmin, RoleChair, RoleSecretary, RolePresidium, RoleQualityManager, RoleAuditor, RoleTeacher, RoleDirector}
}

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool {
	for _, x := range Roles() {
		if x == r {
			return true
		}
	}
	return false
}

// OrgScoped reports whether the role must name an organisation.
func (r Role) OrgScoped() bool {
	return r == RoleQualityManager || r == RoleAuditor || r == RoleTeacher || r == RoleDirector
}

// OrgStatus is an organisation's standing in the association.
type OrgStatus string

const (
	OrgMember    OrgStatus = "member"
	OrgCandidate OrgStatus = "candidate"
	// OrgFormer is an organisation that left or was excluded.
	OrgFormer OrgStatus = "former"
)

// Organisation is a school or other member of the association.
type Organisation struct {
	ID           int64     `db:"id"`
	Name         string    `db:"name"`
	ShortName    string    `db:"short_name"`
	Municipality string    `db:"municipality"`
	Status       OrgStatus `db:"status"`
	// MentorID is the mentor organisation of a candidate (0 when none).
	MentorID  int64     `db:"mentor_id"`
	CreatedAt time.Time `db:"created_at"`
	// Address is the legal address, as the last accepted membership
	// application gave it ("" when none).
	Address string `db:"address"`
}

// Person is a registered user of the bot. A forgotten person keeps their
// records but has no name and no Telegram id.
type Person struct {
	ID         int64     `db:"id"`
	TelegramID int64     `db:"telegram_id"` // 0 once forgotten
	FullName   string    `db:"full_name"`   // "" once forgotten
	OrgID      int64     `db:"org_id"`      // 0 when association-level only
	ConsentAt  time.Time `db:"consent_at"`
	Active     bool      `db:"active"`
	CreatedAt  time.Time `db:"created_at"`
}

// RoleGrant is one role of a person, in an organisation (OrgID) or
// association-wide (OrgID 0).
type RoleGrant struct {
	PersonID int64 `db:"person_id"`
	Role     Role  `db:"role"`
	OrgID    int64 `db:"org_id"`
}

// Invite is an invitation to register with a role. The code itself is never
// stored, only its hash.
type Invite struct {
	ID        int64     `db:"id"`
	Role      Role      `db:"role"`
	OrgID     int64     `db:"org_id"`
	UsesLeft  int       `db:"uses_left"`
	ExpiresAt time.Time `db:"expires_at"`
	CreatedBy int64     `db:"created_by"` // person id; 0 when made from the command line
	CreatedAt time.Time `db:"created_at"`
}

// Action is a line of the action log: who did what to which record.
type Action struct {
	ID       int64     `db:"id"`
	PersonID int64     `db:"person_id"` // 0 for the system or the command line
	Action   string    `db:"action"`
	Object   string    `db:"object"`
	ObjectID int64     `db:"object_id"`
	At       time.Time `db:"at"`
	// Detail is the JSON object recorded with the action ("" when none),
	// for example {"role":"teacher","org_id":3}. It never holds personal data.
	Detail string `db:"detail"`
}

// PersonRoles is a person with their role grants, as people lists show them.
type PersonRoles struct {
	Person
	Roles []RoleGrant
}

// QuestionKind is how a survey question is answered.
type QuestionKind string

// The kinds of survey questions.
const (
	// QuestionScale is a 1–5 scale with labelled ends.
	QuestionScale QuestionKind = "scale"
	// QuestionYesNo is «Да» or «Нет».
	QuestionYesNo QuestionKind = "yesno"
	// QuestionSingle is one of Options.
	QuestionSingle QuestionKind = "single"
	// QuestionMulti is any number of Options, toggled, then «Готово».
	QuestionMulti QuestionKind = "multi"
	// QuestionText is free text of at most 1000 characters.
	QuestionText QuestionKind = "text"
)

// MaxTextAnswer is the longest free-text answer, in characters.
const MaxTextAnswer = 1000

// Question is one question of a survey. A published survey keeps its own
// copy of its questions, so editing a template never changes the meaning of
// answers already given.
type Question struct {
	Kind QuestionKind `json:"kind" yaml:"kind"`
	Text string       `json:"text" yaml:"text"`
	// Group names the topic for charts ("Питание", "Безопасность").
	Group string `json:"group,omitempty" yaml:"group,omitempty"`
	// Options are the choices of single and multiple choice questions.
	Options []string `json:"options,omitempty" yaml:"options,omitempty"`
	// Low and High label the ends of a scale ("Совсем не доволен").
	Low  string `json:"low,omitempty" yaml:"low,omitempty"`
	High string `json:"high,omitempty" yaml:"high,omitempty"`
	// Required questions cannot be skipped.
	Required bool `json:"required" yaml:"required"`
}

// Errors of survey answering. They are declared apart from the ones above
// so that each capability appends its own.
var (
	// ErrAlreadyAnswered: this respondent has already submitted the survey.
	ErrAlreadyAnswered = errors.New("storage: survey already answered")
	// ErrSurveyClosed: the survey is closed, or its closing time has passed.
	ErrSurveyClosed = errors.New("storage: survey closed")
	// ErrSurveyNotOpen: the survey is not published yet, or its opening time
	// has not come.
	ErrSurveyNotOpen = errors.New("storage: survey not open yet")
)
