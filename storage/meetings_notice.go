package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// DeleteDraftMeeting removes a draft meeting with its agenda, materials
// and guests (the secretary's «Удалить черновик»): a notice never sent
// leaves no trace but the log line. It returns ErrNotFound for an unknown
// meeting and ErrConflict unless it is a draft.
func (s *Store) DeleteDraftMeeting(ctx context.Context, actorID, id int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: delete draft meeting %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	if _, err := lockMeeting(ctx, tx, id, MeetingDraft); err != nil {
		return fmt.Errorf("storage: delete draft meeting %d: %w", id, err)
	}
	if _, err := tx.Exec(ctx, `delete from meetings where id = $1`, id); err != nil {
		return fmt.Errorf("storage: delete draft meeting %d: %w", id, err)
	}
	if err := logAction(ctx, tx, s.now(), actorID, "meeting.delete_draft", "meeting", id, nil); err != nil {
		return fmt.Errorf("storage: delete draft meeting %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: delete draft meeting %d: %w", id, err)
	}
	return nil
}

// PendDeliveries sets every invitee's delivery of a sent or cancelled
// meeting back to pending, before an update (or the cancellation) is
// broadcast, and returns how many invitees there are. The broadcast then
// sends to those pending and records each one's fate, so a broadcast run
// again after a crash does not send twice. An update tells the agenda as
// it is, so the agenda's changes count as announced (AgendaChangedAt is
// cleared). A held meeting whose minutes are marked sent is pended too,
// for the minutes' broadcast. It returns ErrNotFound for an unknown
// meeting and ErrConflict for a draft, or a held meeting whose minutes
// are not marked sent.
func (s *Store) PendDeliveries(ctx context.Context, actorID, meetingID int64) (int, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("storage: pend deliveries of meeting %d: %w", meetingID, err)
	}
	defer tx.Rollback(ctx)

	m, err := lockMeeting(ctx, tx, meetingID, MeetingSent, MeetingCancelled, MeetingHeld)
	if err != nil {
		return 0, fmt.Errorf("storage: pend deliveries of meeting %d: %w", meetingID, err)
	}
	if m.Status == MeetingHeld && m.MinutesSentAt.IsZero() {
		return 0, fmt.Errorf("storage: pend deliveries of meeting %d: held, minutes not sent: %w", meetingID, ErrConflict)
	}
	tag, err := tx.Exec(ctx, `update meeting_invitees set delivery = 'pending' where meeting_id = $1`, meetingID)
	if err != nil {
		return 0, fmt.Errorf("storage: pend deliveries of meeting %d: %w", meetingID, err)
	}
	if _, err := tx.Exec(ctx, `update meetings set agenda_changed_at = null where id = $1`, meetingID); err != nil {
		return 0, fmt.Errorf("storage: pend deliveries of meeting %d: %w", meetingID, err)
	}
	n := int(tag.RowsAffected())
	if err := logAction(ctx, tx, s.now(), actorID, "meeting.resend", "meeting", meetingID, map[string]any{"invitees": n}); err != nil {
		return 0, fmt.Errorf("storage: pend deliveries of meeting %d: %w", meetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("storage: pend deliveries of meeting %d: %w", meetingID, err)
	}
	return n, nil
}

// agendaChanged records that the agenda of meeting id changed at now: on
// a sent meeting, a change its invitees are not told of yet (the first
// one since they were is kept). Drafts are not announced; held and
// cancelled meetings take no changes.
func agendaChanged(ctx context.Context, tx pgx.Tx, now time.Time, id int64) error {
	_, err := tx.Exec(ctx, `update meetings set agenda_changed_at = coalesce(agenda_changed_at, $2)
		where id = $1 and status = 'sent'`, id, now)
	return err
}
