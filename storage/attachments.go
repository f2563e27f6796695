package storage

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// attachmentColumns selects an Attachment from attachments a, its data
// only when the query's boolean parameter %s is true.
const attachmentColumns = `a.id, a.sha256, a.size, a.mime, a.name, case when %s then a.data end as data`

// SaveAttachment keeps a file and returns it without its data. The same
// content is kept once: saving it again returns the stored attachment,
// with the name and type it was first saved under. It returns ErrInvalid
// for an empty file, one over MaxAttachmentSize, or no MIME type.
func (s *Store) SaveAttachment(ctx context.Context, data []byte, name, mime string) (Attachment, error) {
	mime = strings.TrimSpace(mime)
	switch {
	case len(data) == 0:
		return Attachment{}, fmt.Errorf("storage: save attachment: empty: %w", ErrInvalid)
	case len(data) > MaxAttachmentSize:
		return Attachment{}, fmt.Errorf("storage: save attachment: %d bytes: %w", len(data), ErrInvalid)
	case mime == "":
		return Attachment{}, fmt.Errorf("storage: save attachment: no type: %w", ErrInvalid)
	}
	sum := sha256.Sum256(data)
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Attachment{}, fmt.Errorf("storage: save attachment: %w", err)
	}
	defer tx.Rollback(ctx)

	if _, err := tx.Exec(ctx, `
		insert into attachments (sha256, size, mime, name, data, created_at)
		values ($1, $2, $3, $4, $5, $6)
		on conflict (sha256) do nothing`,
		sum[:], len(data), mime, strings.TrimSpace(name), data, s.now()); err != nil {
		return Attachment{}, fmt.Errorf("storage: save attachment: %w", err)
	}
	rows, err := tx.Query(ctx, `select `+fmt.Sprintf(attachmentColumns, "false")+`
		from attachments a where a.sha256 = $1`, sum[:])
	if err != nil {
		return Attachment{}, fmt.Errorf("storage: save attachment: %w", err)
	}
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Attachment])
	if err != nil {
		return Attachment{}, fmt.Errorf("storage: save attachment: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Attachment{}, fmt.Errorf("storage: save attachment: %w", err)
	}
	return a, nil
}

// AttachToFinding attaches a stored file to a finding of an open audit at
// the position given (an album's photos arrive in any order); attaching
// the same file again changes nothing. It returns ErrInvalid for an
// unknown kind, ErrNotFound for an unknown or deleted finding or an
// unknown attachment, and ErrConflict when the audit is closed.
func (s *Store) AttachToFinding(ctx context.Context, actorID, findingID, attachmentID int64, kind AttachmentKind, position int) error {
	switch kind {
	case AttachPhoto, AttachDocument, AttachVoice:
	default:
		return fmt.Errorf("storage: attach to finding %d: kind %q: %w", findingID, kind, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: attach to finding %d: %w", findingID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := lockEditableFinding(ctx, tx, findingID); err != nil {
		return fmt.Errorf("storage: attach to finding %d: %w", findingID, err)
	}
	tag, err := tx.Exec(ctx, `
		insert into finding_attachments (finding_id, attachment_id, kind, position)
		values ($1, $2, $3, $4)
		on conflict (finding_id, attachment_id) do nothing`, findingID, attachmentID, kind, position)
	if pgCode(err) == pgForeignKeyViolation {
		return fmt.Errorf("storage: attach to finding %d: attachment %d: %w", findingID, attachmentID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("storage: attach to finding %d: %w", findingID, err)
	}
	if tag.RowsAffected() == 0 {
		return nil
	}
	detail := map[string]any{"attachment_id": attachmentID, "kind": string(kind)}
	if err := logAction(ctx, tx, s.now(), actorID, "finding.attach", "finding", findingID, detail); err != nil {
		return fmt.Errorf("storage: attach to finding %d: %w", findingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: attach to finding %d: %w", findingID, err)
	}
	return nil
}

// FindingAttachments returns the files of a finding by position, with
// their data when withData. It returns ErrNotFound for an unknown or
// deleted finding.
func (s *Store) FindingAttachments(ctx context.Context, findingID int64, withData bool) ([]FindingAttachment, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: attachments of finding %d: %w", findingID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := findFinding(ctx, tx, `where f.id = $1 and f.deleted_at is null`, findingID); err != nil {
		return nil, fmt.Errorf("storage: attachments of finding %d: %w", findingID, err)
	}
	rows, err := tx.Query(ctx, `
		select `+fmt.Sprintf(attachmentColumns, "$2::boolean")+`, fa.finding_id, fa.kind, fa.position
		from finding_attachments fa join attachments a on a.id = fa.attachment_id
		where fa.finding_id = $1
		order by fa.position, a.id`, findingID, withData)
	if err != nil {
		return nil, fmt.Errorf("storage: attachments of finding %d: %w", findingID, err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[FindingAttachment])
	if err != nil {
		return nil, fmt.Errorf("storage: attachments of finding %d: %w", findingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: attachments of finding %d: %w", findingID, err)
	}
	return list, nil
}
