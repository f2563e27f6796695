package meetings

import (
	"context"
	"time"

	"smkbot/storage"
)

// Store is what the meetings flow reads and writes; *storage.Store
// implements it. Errors wrap storage.ErrNotFound, ErrInvalid or
// ErrConflict as each method says.
type Store interface {
	// People, as everywhere.
	FindPersonByID(ctx context.Context, id int64) (storage.Person, []storage.RoleGrant, error)
	ListPeople(ctx context.Context, orgID int64, role storage.Role) ([]storage.PersonRoles, error)
	SaveAttachment(ctx context.Context, data []byte, name, mime string) (storage.Attachment, error)

	// CreateMeeting stores a draft meeting (status draft, version 0) of
	// m.Kind at m.StartsAt with m.Place and m.Link (either may be empty in
	// a draft). ErrInvalid for an unknown kind or a zero StartsAt.
	CreateMeeting(ctx context.Context, actorID int64, m storage.Meeting) (storage.Meeting, error)
	// FindMeeting returns a meeting, or ErrNotFound.
	FindMeeting(ctx context.Context, id int64) (storage.Meeting, error)
	// DraftMeetingOf returns the latest draft created by the person, or
	// ErrNotFound.
	DraftMeetingOf(ctx context.Context, personID int64) (storage.Meeting, error)
	// UpdateMeeting changes kind, StartsAt, place and link of a draft or
	// sent meeting (the rest of m is ignored). When the meeting was sent
	// and StartsAt changed, Version goes up by one and every invitee's
	// RSVP is reset to none (reason and rsvp_at cleared): they are asked
	// again. rsvpReset reports that. ErrConflict for a held or cancelled
	// meeting; ErrInvalid for a zero StartsAt, or a sent meeting left
	// with neither place nor link.
	UpdateMeeting(ctx context.Context, actorID int64, m storage.Meeting) (_ storage.Meeting, rsvpReset bool, _ error)
	// CancelMeeting sets a draft or sent meeting cancelled; ErrConflict
	// for a held or cancelled one.
	CancelMeeting(ctx context.Context, actorID, id int64) (storage.Meeting, error)

	// AddAgendaItem appends an item (position = last + 1); ErrInvalid for
	// an empty title; ErrConflict for a held or cancelled meeting.
	AddAgendaItem(ctx context.Context, actorID, meetingID int64, title, speaker string) (storage.AgendaItem, error)
	// UpdateAgendaItem changes an item's title and speaker; ErrConflict
	// once a decision is recorded on it or the meeting is held/cancelled.
	UpdateAgendaItem(ctx context.Context, actorID int64, item storage.AgendaItem) (storage.AgendaItem, error)
	// DeleteAgendaItem removes an item and renumbers the rest (1..n);
	// ErrConflict as UpdateAgendaItem.
	DeleteAgendaItem(ctx context.Context, actorID, itemID int64) error
	// FindAgendaItem returns an item, or ErrNotFound.
	FindAgendaItem(ctx context.Context, itemID int64) (storage.AgendaItem, error)
	// ListAgenda returns a meeting's items by position.
	ListAgenda(ctx context.Context, meetingID int64) ([]storage.AgendaItem, error)

	// AddMaterial attaches a stored attachment to the notice under a name,
	// at the next position; the same attachment twice is a no-op.
	// ErrConflict for a held or cancelled meeting.
	AddMaterial(ctx context.Context, actorID, meetingID, attachmentID int64, name, fileID string) error
	// ListMaterials returns a meeting's materials by position.
	ListMaterials(ctx context.Context, meetingID int64) ([]storage.Material, error)

	// AddGuest invites a registered person as a guest (role advisory or
	// guest); inviting again changes the role. ErrInvalid for a member
	// role or a person who is a presidium member (they are invited
	// anyway); ErrNotFound for an unknown or forgotten person;
	// ErrConflict for a held or cancelled meeting. Works on drafts and
	// sent meetings (a guest added after sending has delivery pending).
	AddGuest(ctx context.Context, actorID, meetingID, personID int64, role storage.InviteeRole) error
	// RemoveGuest removes a guest; removing a member is ErrInvalid.
	RemoveGuest(ctx context.Context, actorID, meetingID, personID int64) error
	// SearchPeople returns up to limit registered, not forgotten people
	// whose name contains every word of query (case-insensitive), by name.
	SearchPeople(ctx context.Context, query string, limit int) ([]storage.Person, error)
	// PresidiumSize counts the presidium list as SendMeeting would take it.
	PresidiumSize(ctx context.Context) (int, error)

	// SendMeeting fixes the invitee list and marks the meeting sent: every
	// not forgotten person holding the presidium or chair role becomes a
	// member invitee (a guest who is a member becomes a member), all with
	// delivery pending. It returns the invitees, as ListInvitees.
	// ErrConflict unless a draft; ErrInvalid with no agenda item, neither
	// place nor link, or an empty presidium list.
	SendMeeting(ctx context.Context, actorID, meetingID int64) ([]storage.Invitee, error)
	// ListInvitees returns a meeting's invitees: members first, then
	// guests, each by name, with their name and Telegram id joined.
	ListInvitees(ctx context.Context, meetingID int64) ([]storage.Invitee, error)
	// FindInvitee returns one invitee, or ErrNotFound when not invited.
	FindInvitee(ctx context.Context, meetingID, personID int64) (storage.Invitee, error)
	// SetDelivery records the fate of the notice sent to an invitee.
	SetDelivery(ctx context.Context, meetingID, personID int64, d storage.DeliveryStatus) error
	// SetRSVP records an invitee's answer (RSVPYes, RSVPOnline or RSVPNo,
	// reason kept only with RSVPNo) at the clock's now and returns the
	// invitee. ErrNotFound when not invited; ErrConflict unless the
	// meeting is sent (not held, not cancelled).
	SetRSVP(ctx context.Context, meetingID, personID int64, r storage.RSVP, reason string) (storage.Invitee, error)

	// SetPresent marks one member or guest present or absent; ErrConflict
	// for a draft or cancelled meeting (sent and held are fine, so the
	// list can be corrected after).
	SetPresent(ctx context.Context, actorID, meetingID, personID int64, present bool) error
	// MarkHeld sets a sent meeting held (held_at now): members not marked
	// present are recorded absent. Holding again is a no-op returning the
	// meeting. ErrConflict for a draft or cancelled one.
	MarkHeld(ctx context.Context, actorID, meetingID int64) (storage.Meeting, error)
	// RecordDecision records an item's decision and votes. present is the
	// count of members present (the flow passes it; the store checks it
	// against the marked attendance and returns ErrInvalid on mismatch or
	// when for+against+abstain > present); adopted is for*2 >= present.
	// ErrConflict unless the meeting is held. Recording again replaces.
	RecordDecision(ctx context.Context, actorID, itemID int64, decision string, votesFor, against, abstain, present int) (storage.AgendaItem, error)

	// AddMinutesFile appends a page or file of the signed minutes;
	// ErrConflict unless the meeting is held.
	AddMinutesFile(ctx context.Context, actorID int64, f storage.MinutesFile) error
	// ListMinutesFiles returns the signed minutes' files by position.
	ListMinutesFiles(ctx context.Context, meetingID int64) ([]storage.MinutesFile, error)
	// ClearMinutesFiles removes the files uploaded so far (before sending).
	ClearMinutesFiles(ctx context.Context, actorID, meetingID int64) error
	// MarkMinutesSent sets minutes_sent_at; ErrInvalid with no file;
	// ErrConflict when sent already.
	MarkMinutesSent(ctx context.Context, actorID, meetingID int64) (storage.Meeting, error)

	// MeetingsBetween returns meetings (not drafts) starting in [from, to),
	// by start.
	MeetingsBetween(ctx context.Context, from, to time.Time) ([]storage.Meeting, error)
	// ClaimReminder claims one reminder of a meeting for a person (0 for
	// the meeting as a whole): true the first time, false ever after,
	// across replicas.
	ClaimReminder(ctx context.Context, meetingID, personID int64, kind storage.MeetingReminder) (bool, error)
	// ClaimNudge claims the secretary's «Напомнить» of a meeting for a
	// local day (a date at midnight UTC): true once per meeting and day.
	ClaimNudge(ctx context.Context, meetingID int64, day time.Time) (bool, error)
	// PurgeMinutes deletes, for meetings that started before before, the
	// signed minutes' files and the materials, and the attachments no
	// longer referenced by anything (findings, other meetings), logging
	// one action per meeting. It returns how many files it removed per
	// meeting id (meetings with nothing left to remove are absent).
	PurgeMinutes(ctx context.Context, before time.Time) (map[int64]int, error)
	// Attendance counts, per person invited as a member to a held meeting
	// starting in [from, to), the meetings held and those attended, by
	// name.
	Attendance(ctx context.Context, from, to time.Time) ([]storage.Attendance, error)
	// DecisionTasks returns the ids of the tasks given to carry out an
	// agenda item's decision, oldest first (after.go).
	DecisionTasks(ctx context.Context, itemID int64) ([]int64, error)
	// FindTask returns a task with its assignments, or ErrNotFound
	// (after.go: a decision's executors).
	FindTask(ctx context.Context, id int64) (storage.Task, []storage.Assignment, error)
	// DeleteDraftMeeting removes a draft with its agenda, materials and
	// guests; ErrConflict unless a draft.
	DeleteDraftMeeting(ctx context.Context, actorID, id int64) error
	// PendDeliveries sets every invitee's delivery of a sent or cancelled
	// meeting (or a held one whose minutes are marked sent) back to
	// pending before an update (or the minutes) is broadcast, clears
	// AgendaChangedAt, and returns how many invitees there are;
	// ErrConflict for a draft, or a held one whose minutes are not sent.
	// Agenda changes of a sent meeting set AgendaChangedAt (the first).
	PendDeliveries(ctx context.Context, actorID, meetingID int64) (int, error)
}
