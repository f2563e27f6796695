package storage

import "time"

// MeetingKind is whether a presidium meeting is the quarter's regular one
// or called in between.
type MeetingKind string

// The kinds of meetings.
const (
	MeetingRegular       MeetingKind = "regular"
	MeetingExtraordinary MeetingKind = "extraordinary"
)

// MeetingStatus is where a meeting is in its life.
type MeetingStatus string

// The statuses of a meeting: a draft is being written by the secretary;
// a sent one has had its notice broadcast; held once attendance is
// marked; cancelled after a cancellation notice.
const (
	MeetingDraft     MeetingStatus = "draft"
	MeetingSent      MeetingStatus = "sent"
	MeetingHeld      MeetingStatus = "held"
	MeetingCancelled MeetingStatus = "cancelled"
)

// Meeting is a presidium meeting.
type Meeting struct {
	ID     int64         `db:"id"`
	Kind   MeetingKind   `db:"kind"`
	Status MeetingStatus `db:"status"`
	// StartsAt is the local date and time of the meeting (an instant; the
	// flow shows it in the association's zone).
	StartsAt time.Time `db:"starts_at"`
	// Place is an address (a member school's); Link an online meeting's
	// address. At least one is set before the notice is sent.
	Place string `db:"place"`
	Link  string `db:"link"`
	// Version counts the changes of date and time since the notice: an
	// RSVP given at an earlier version is asked again.
	Version   int       `db:"version"`
	CreatedBy int64     `db:"created_by"`
	CreatedAt time.Time `db:"created_at"`
	SentAt    time.Time `db:"sent_at"`      // zero until the notice is sent
	HeldAt    time.Time `db:"held_at"`      // zero until attendance is marked
	Cancelled time.Time `db:"cancelled_at"` // zero unless cancelled
	// MinutesSentAt is when the signed minutes went to the members.
	MinutesSentAt time.Time `db:"minutes_sent_at"`
	// AgendaChangedAt is when the agenda of the sent meeting was first
	// changed since the invitees were last told (the notice or an
	// update); zero when they know it as it is.
	AgendaChangedAt time.Time `db:"agenda_changed_at"`
}

// AgendaItem is a numbered item of a meeting's agenda, with its decision
// once recorded.
type AgendaItem struct {
	ID        int64  `db:"id"`
	MeetingID int64  `db:"meeting_id"`
	Position  int    `db:"position"` // 1, 2, ... as shown
	Title     string `db:"title"`
	Speaker   string `db:"speaker"` // optional
	// The decision, once recorded (Decided non-zero).
	Decision string    `db:"decision"`
	For      int       `db:"votes_for"`
	Against  int       `db:"votes_against"`
	Abstain  int       `db:"votes_abstain"`
	Adopted  bool      `db:"adopted"`
	Decided  time.Time `db:"decided_at"`
}

// InviteeRole is why a person receives a meeting's notice.
type InviteeRole string

// The invitee roles: a presidium member counts for the quorum; a guest
// does not, with an advisory vote or without one.
const (
	InviteeMember   InviteeRole = "member"
	InviteeAdvisory InviteeRole = "advisory"
	InviteeGuest    InviteeRole = "guest"
)

// RSVP is an invitee's answer to the notice.
type RSVP string

// The answers. RSVPNone is no answer (or one to be given again after the
// date changed).
const (
	RSVPNone   RSVP = ""
	RSVPYes    RSVP = "yes"
	RSVPOnline RSVP = "online"
	RSVPNo     RSVP = "no"
)

// DeliveryStatus is what became of the notice sent to an invitee.
type DeliveryStatus string

// The delivery statuses. Blocked: Telegram answered 403 (or the person
// was already inactive); NoChat: the person has no Telegram chat with the
// bot (forgotten); Failed: any other error.
const (
	DeliveryPending DeliveryStatus = "pending"
	DeliverySent    DeliveryStatus = "sent"
	DeliveryBlocked DeliveryStatus = "blocked"
	DeliveryNoChat  DeliveryStatus = "no_chat"
	DeliveryFailed  DeliveryStatus = "failed"
)

// Invitee is a person invited to a meeting, with their answer, the fate
// of their notice and, after the meeting, whether they were present.
type Invitee struct {
	MeetingID  int64       `db:"meeting_id"`
	PersonID   int64       `db:"person_id"`
	Role       InviteeRole `db:"role"`
	FullName   string      `db:"full_name"`   // joined from people
	TelegramID int64       `db:"telegram_id"` // joined from people; 0 when none
	RSVP       RSVP        `db:"rsvp"`
	Reason     string      `db:"reason"` // why not, optional
	RSVPAt     time.Time   `db:"rsvp_at"`
	// Delivery is the fate of the last notice or update sent.
	Delivery DeliveryStatus `db:"delivery"`
	// Present is nil until attendance is marked.
	Present *bool `db:"present"`
}

// Material is a document attached to a meeting's notice.
type Material struct {
	MeetingID    int64  `db:"meeting_id"`
	AttachmentID int64  `db:"attachment_id"`
	Position     int    `db:"position"`
	Name         string `db:"name"`
	// FileID is Telegram's id of the file as the secretary sent it, so
	// the notice forwards it without uploading it again.
	FileID string `db:"file_id"`
}

// MinutesFile is a page or file of the signed minutes.
type MinutesFile struct {
	MeetingID    int64  `db:"meeting_id"`
	AttachmentID int64  `db:"attachment_id"`
	Position     int    `db:"position"`
	Kind         string `db:"kind"` // "photo" or "document"
	Name         string `db:"name"`
	FileID       string `db:"file_id"`
}

// MeetingReminder names one reminder of a meeting, claimed once for a
// person: several replicas never send it twice.
type MeetingReminder string

// The reminders. The person is 0 for those addressed to the secretary and
// the chair about the meeting as a whole.
const (
	RemindNoAnswer  MeetingReminder = "no_answer"  // 2 days before, to those who have not answered
	RemindDayBefore MeetingReminder = "day_before" // to those coming
	RemindTwoHours  MeetingReminder = "two_hours"  // to those coming
	RemindQuorum    MeetingReminder = "quorum"     // no quorum forecast 3 days before
	RemindMinutes3  MeetingReminder = "minutes_3"  // minutes not sent on day 3
	RemindMinutes5  MeetingReminder = "minutes_5"  // minutes not sent on day 5
)

// Attendance is a person's record over the meetings held in a period.
type Attendance struct {
	PersonID int64  `db:"person_id"`
	FullName string `db:"full_name"`
	Invited  int    `db:"invited"` // held meetings they were a member at
	Present  int    `db:"present"`
}
