package storage

import (
	"fmt"
	"time"
)

// MembershipKind is what an application asks for.
type MembershipKind string

// The kinds: to join as a member (3.1) or as a candidate (3.2), the
// organisation's own exit, and an exclusion case opened on a member's
// initiative (3.14), decided by two thirds of the presidium.
const (
	KindMember    MembershipKind = "member"
	KindCandidate MembershipKind = "candidate"
	KindLeave     MembershipKind = "leave"
	KindExclude   MembershipKind = "exclude"
)

// Joining reports whether the kind makes the organisation a member or a
// candidate (and earns a certificate).
func (k MembershipKind) Joining() bool { return k == KindMember || k == KindCandidate }

// ApplicationStatus is where an application is in its life. A submitted
// application may be on a presidium meeting's agenda (AgendaItemID).
type ApplicationStatus string

// The statuses.
const (
	ApplicationDraft     ApplicationStatus = "draft"
	ApplicationSubmitted ApplicationStatus = "submitted"
	ApplicationAccepted  ApplicationStatus = "accepted"
	ApplicationRefused   ApplicationStatus = "refused"
	ApplicationWithdrawn ApplicationStatus = "withdrawn"
)

// MembershipGround is a member's ground from the charter's list (3.1).
type MembershipGround string

// The grounds.
const (
	GroundCertified    MembershipGround = "certified"    // a certified quality management system
	GroundImplemented  MembershipGround = "implemented"  // an implemented one
	GroundImplementing MembershipGround = "implementing" // one being actively implemented
)

// Grounds lists the grounds in the charter's order.
func Grounds() []MembershipGround {
	return []MembershipGround{GroundCertified, GroundImplemented, GroundImplementing}
}

// ApplicationDoc is what a file of an application documents.
type ApplicationDoc string

// The documents: a candidate's three of 3.2 and any supporting file.
const (
	DocOrder   ApplicationDoc = "order"   // the order on developing the system
	DocPlan    ApplicationDoc = "plan"    // the plan of its development
	DocTrained ApplicationDoc = "trained" // staff who have been trained
	DocSupport ApplicationDoc = "support" // a supporting document
)

// CandidateDocs lists a candidate's documents in the order asked.
func CandidateDocs() []ApplicationDoc { return []ApplicationDoc{DocOrder, DocPlan, DocTrained} }

// MembershipApplication is an application of annex A (or a request to
// leave, or an exclusion case).
type MembershipApplication struct {
	ID      int64             `db:"id"`
	OrgID   int64             `db:"org_id"`
	OrgName string            `db:"org_name"` // joined from organisations
	Kind    MembershipKind    `db:"kind"`
	Status  ApplicationStatus `db:"status"`
	// ApplicantID is the director (the chair or the secretary for an
	// exclusion); ApplicantName is joined ("" once forgotten).
	ApplicantID   int64            `db:"applicant_id"`
	ApplicantName string           `db:"applicant_name"`
	Address       string           `db:"address"`
	Ground        MembershipGround `db:"ground"`
	// A candidate's documents: nil until answered.
	HasOrder   *bool `db:"has_order"`
	HasPlan    *bool `db:"has_plan"`
	HasTrained *bool `db:"has_trained"`
	// RecommenderID is the member of the council recommending the
	// organisation (0 when none); RecommenderSet is true once the
	// question is answered, «none» included.
	RecommenderID   int64  `db:"recommender_id"`
	RecommenderName string `db:"recommender_name"` // joined
	RecommenderSet  bool   `db:"recommender_set"`
	// DocumentsDone is true once the supporting files are given (or
	// declined).
	DocumentsDone bool   `db:"documents_done"`
	Reason        string `db:"reason"`
	// AgendaItemID is the presidium's item deciding it (0 until put on
	// an agenda); MeetingID its meeting.
	AgendaItemID int64     `db:"agenda_item_id"`
	MeetingID    int64     `db:"meeting_id"`
	CreatedAt    time.Time `db:"created_at"`
	UpdatedAt    time.Time `db:"updated_at"`
	SubmittedAt  time.Time `db:"submitted_at"` // zero while a draft
	DecidedAt    time.Time `db:"decided_at"`   // zero until decided
}

// Has returns the answer about one of a candidate's documents (nil when
// not answered or not a candidate's document).
func (a MembershipApplication) Has(d ApplicationDoc) *bool {
	switch d {
	case DocOrder:
		return a.HasOrder
	case DocPlan:
		return a.HasPlan
	case DocTrained:
		return a.HasTrained
	}
	return nil
}

// ApplicationFile is a file of an application.
type ApplicationFile struct {
	ApplicationID int64          `db:"application_id"`
	AttachmentID  int64          `db:"attachment_id"`
	Doc           ApplicationDoc `db:"doc"`
	Position      int            `db:"position"`
	Name          string         `db:"name"`
	// FileID is Telegram's id of the file as the director sent it.
	FileID string `db:"file_id"`
}

// Certificate is an entry of the register of certificates (annex B).
type Certificate struct {
	ID            int64          `db:"id"`
	Year          int            `db:"year"`
	Number        int            `db:"number"`
	OrgID         int64          `db:"org_id"`
	ApplicationID int64          `db:"application_id"`
	Kind          MembershipKind `db:"kind"`
	IssuedAt      time.Time      `db:"issued_at"`
	OrgName       string         `db:"org_name"`
	OrgAddress    string         `db:"org_address"`
	ChairID       int64          `db:"chair_id"`
	ChairName     string         `db:"chair_name"` // joined; "" once forgotten
	SecretaryID   int64          `db:"secretary_id"`
	SecretaryName string         `db:"secretary_name"` // joined
}

// Label is the certificate's number as printed: «12/2026».
func (c Certificate) Label() string { return fmt.Sprintf("%d/%d", c.Number, c.Year) }

// MembershipOutcome is a decided application as ClaimMembershipOutcomes
// applies it.
type MembershipOutcome struct {
	Application MembershipApplication // as it stands after the decision
	Item        AgendaItem
	// Members is the presidium list of the meeting (its member
	// invitees), the base of the two-thirds rule.
	Members int
	// Accepted: the decision applies. An exclusion adopted by the half
	// rule but with fewer than two thirds of Members for is refused,
	// and TwoThirdsShort says so.
	Accepted       bool
	TwoThirdsShort bool
	Org            Organisation // after the decision
	// Certificate is issued on a joining application's acceptance.
	Certificate *Certificate
	// FormerMentorID is the mentor of a candidate that became a member
	// or left (the pair ended, 4.11); 0 when none. Mentees are the
	// candidates that lost this organisation as their mentor when it
	// left.
	FormerMentorID int64
	Mentees        []int64
}
