package storage

import "time"

// GroupKind is what a working group of the association does (charter
// 3.11).
type GroupKind string

// The kinds of working groups: the three the charter names, and others
// the chair creates under a name of their own.
const (
	GroupMethodological GroupKind = "methodological" // консультационно-методическая
	GroupAnalytical     GroupKind = "analytical"     // научно-аналитическая
	GroupInformation    GroupKind = "information"    // информационного сопровождения
	GroupOther          GroupKind = "other"
)

// GroupKinds lists the kinds in the order the chair is offered them.
func GroupKinds() []GroupKind {
	return []GroupKind{GroupMethodological, GroupAnalytical, GroupInformation, GroupOther}
}

// Valid reports whether k is one of the kinds.
func (k GroupKind) Valid() bool {
	for _, x := range GroupKinds() {
		if x == k {
			return true
		}
	}
	return false
}

// MaxGroupName is the longest name of a working group, in characters.
const MaxGroupName = 100

// WorkingGroup is a working group of the association.
type WorkingGroup struct {
	ID   int64     `db:"id"`
	Kind GroupKind `db:"kind"`
	Name string    `db:"name"`
	// LeadID is the member leading the group (0 while none is named).
	LeadID    int64     `db:"lead_id"`
	CreatedBy int64     `db:"created_by"`
	CreatedAt time.Time `db:"created_at"`
	// Members counts the group's members (filled by the list queries).
	Members int `db:"members"`
}

// GroupMember is a member of a working group, with what the flows need to
// reach them.
type GroupMember struct {
	GroupID  int64 `db:"group_id"`
	PersonID int64 `db:"person_id"`
	// FullName is "" once the person is forgotten; TelegramID 0.
	FullName   string    `db:"full_name"`
	TelegramID int64     `db:"telegram_id"`
	OrgID      int64     `db:"org_id"`
	Active     bool      `db:"active"`
	AddedAt    time.Time `db:"added_at"`
}

// GroupMessage is a message of a group's lead to the whole group.
type GroupMessage struct {
	ID       int64     `db:"id"`
	GroupID  int64     `db:"group_id"`
	AuthorID int64     `db:"author_id"`
	Text     string    `db:"text"`
	Created  time.Time `db:"created_at"`
	// SentAt is zero while the lead is still writing it.
	SentAt     time.Time `db:"sent_at"`
	ReportedAt time.Time `db:"reported_at"`
}

// MaxGroupMessage is the longest message to a group, in characters
// (Telegram's limit with room for the heading).
const MaxGroupMessage = 3500

// GroupDelivery is the fate of a group message for one member.
type GroupDelivery struct {
	MessageID int64          `db:"message_id"`
	PersonID  int64          `db:"person_id"`
	Status    DeliveryStatus `db:"status"`
	FullName  string         `db:"full_name"`
}
