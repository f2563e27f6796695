package storage

import "time"

// AuditStatus is whether an audit is still being carried out.
type AuditStatus string

// The statuses of an audit: findings are added, edited and deleted while
// it is open.
const (
	AuditOpen   AuditStatus = "open"
	AuditClosed AuditStatus = "closed"
)

// Audit is an internal audit of an organisation. Audits are numbered per
// audited organisation and year: Year and Number make "2026-3", which the
// flow formats.
type Audit struct {
	ID     int64 `db:"id"`
	Year   int   `db:"year"`
	Number int   `db:"number"`
	// OrgID is the audited organisation; AuditorOrgID the auditors', the
	// same or the mentor of a candidate school.
	OrgID        int64  `db:"org_id"`
	AuditorOrgID int64  `db:"auditor_org_id"`
	Area         string `db:"area"` // the process or area audited
	// Date is the day of the audit, at midnight UTC.
	Date       time.Time   `db:"date"`
	LeadID     int64       `db:"lead_id"`
	CoAuditors []int64     `db:"co_auditors"`
	Status     AuditStatus `db:"status"`
	CreatedAt  time.Time   `db:"created_at"`
	ClosedAt   time.Time   `db:"closed_at"` // zero while open
}

// AuditArea is a process or area on an organisation's list.
type AuditArea struct {
	ID    int64  `db:"id"`
	OrgID int64  `db:"org_id"`
	Name  string `db:"name"`
}

// FindingKind is the type of a finding.
type FindingKind string

// The kinds of findings.
const (
	// FindingMajor is «несоответствие значительное».
	FindingMajor FindingKind = "major"
	// FindingMinor is «несоответствие незначительное».
	FindingMinor FindingKind = "minor"
	// FindingObservation is «наблюдение».
	FindingObservation FindingKind = "observation"
	// FindingImprovement is «возможность для улучшения».
	FindingImprovement FindingKind = "improvement"
)

// FindingKinds lists the kinds in the order lists show them.
func FindingKinds() []FindingKind {
	return []FindingKind{FindingMajor, FindingMinor, FindingObservation, FindingImprovement}
}

// Valid reports whether k is one of the kinds.
func (k FindingKind) Valid() bool {
	switch k {
	case FindingMajor, FindingMinor, FindingObservation, FindingImprovement:
		return true
	}
	return false
}

// FindingClass is the sequence a finding is numbered in.
type FindingClass string

// The classes: the nonconformities (major and minor) share one sequence;
// observations and improvements have one each.
const (
	ClassNonconformity FindingClass = "nonconformity"
	ClassObservation   FindingClass = "observation"
	ClassImprovement   FindingClass = "improvement"
)

// Class is the sequence findings of kind k are numbered in.
func (k FindingKind) Class() FindingClass {
	switch k {
	case FindingMajor, FindingMinor:
		return ClassNonconformity
	case FindingImprovement:
		return ClassImprovement
	}
	return ClassObservation
}

// FindingStatus is where a finding is on its way to closure.
type FindingStatus string

// The statuses of a finding: open → action (a corrective action assigned)
// → closed when verified effective, or reopened when not (a corrective
// action assigned again makes it action). FindingVerified is declared for
// a verification awaiting closing; the store does not set it yet.
const (
	FindingOpen     FindingStatus = "open"
	FindingAction   FindingStatus = "action"
	FindingVerified FindingStatus = "verified"
	FindingReopened FindingStatus = "reopened"
	FindingClosed   FindingStatus = "closed"
)

// Finding is what an auditor recorded during an audit.
type Finding struct {
	ID      int64       `db:"id"`
	AuditID int64       `db:"audit_id"`
	Kind    FindingKind `db:"kind"`
	// Seq is the number within the audit and the kind's class (Н-1, Н-2
	// for nonconformities); the flow formats it. Numbers of deleted
	// findings are not given again.
	Seq         int           `db:"seq"`
	Requirement string        `db:"requirement"` // «ГОСТ Р ИСО 9001-2015 п. 7.1.4», optional
	Description string        `db:"description"`
	Place       string        `db:"place"` // optional
	Status      FindingStatus `db:"status"`
	CreatedBy   int64         `db:"created_by"` // 0 from the command line
	CreatedAt   time.Time     `db:"created_at"`
	UpdatedAt   time.Time     `db:"updated_at"`
	DeletedAt   time.Time     `db:"deleted_at"` // zero unless deleted
}

// MaxAttachmentSize is the largest file kept: Telegram's download limit.
const MaxAttachmentSize = 20 << 20

// Attachment is a stored file, kept once per content.
type Attachment struct {
	ID     int64  `db:"id"`
	SHA256 []byte `db:"sha256"`
	Size   int    `db:"size"`
	MIME   string `db:"mime"`
	// Name is the name the content was first stored under ("" for a photo).
	Name string `db:"name"`
	// Data is the content, when asked for (nil otherwise).
	Data []byte `db:"data"`
}

// AttachmentKind is what an attachment is to a finding.
type AttachmentKind string

// The kinds of a finding's attachments.
const (
	AttachPhoto    AttachmentKind = "photo"
	AttachDocument AttachmentKind = "document"
	AttachVoice    AttachmentKind = "voice"
)

// FindingAttachment is an attachment of a finding, in its place.
type FindingAttachment struct {
	Attachment
	FindingID int64          `db:"finding_id"`
	Kind      AttachmentKind `db:"kind"`
	Position  int            `db:"position"`
}

// CorrectiveAction links a finding to the task that corrects it, with the
// auditor's verification of its effectiveness.
type CorrectiveAction struct {
	FindingID int64     `db:"finding_id"`
	TaskID    int64     `db:"task_id"`
	Cause     string    `db:"cause"` // the cause found
	CreatedBy int64     `db:"created_by"`
	CreatedAt time.Time `db:"created_at"`
	// VerifiedBy, VerifiedAt and Effective are zero and nil until
	// verified.
	VerifiedBy int64     `db:"verified_by"`
	VerifiedAt time.Time `db:"verified_at"`
	Effective  *bool     `db:"effective"`
	Comment    string    `db:"comment"`
}

// ProcessCount is how many findings of a kind were recorded in audits of
// a process or area, across the organisations asked for.
type ProcessCount struct {
	Area  string      `db:"area"`
	Kind  FindingKind `db:"kind"`
	Count int         `db:"count"`
}

// FindingView is a finding of a closed audit as the views list it: with
// its audit and, when one is assigned, its corrective action's task.
type FindingView struct {
	Finding
	OrgID       int64  `db:"org_id"`
	AuditYear   int    `db:"audit_year"`
	AuditNumber int    `db:"audit_number"`
	Area        string `db:"area"`
	LeadID      int64  `db:"lead_id"`
	// TaskID is the corrective action's task (0 without one); Due its
	// deadline, HasTime as on the task.
	TaskID  int64     `db:"task_id"`
	Due     time.Time `db:"due"`
	HasTime bool      `db:"has_time"`
}

// Verification is a corrective action reported done, for its auditors to
// verify.
type Verification struct {
	FindingView
	Cause      string  `db:"cause"`
	TaskTitle  string  `db:"task_title"`
	CoAuditors []int64 `db:"co_auditors"`
}
