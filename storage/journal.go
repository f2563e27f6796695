package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// Limits of the journal's typed fields, in characters.
const (
	MaxJournalCorrespondent = 300
	MaxJournalSubject       = 1000
	MaxJournalAnnulReason   = 500
)

// journalColumns selects a JournalEntry from journal_entries j.
const journalColumns = `j.id, j.direction, j.status, coalesce(j.year, 0) as year,
	coalesce(j.seq, 0) as seq, coalesce(j.number, '') as number,
	coalesce(j.doc_date, '0001-01-01'::date)::timestamp at time zone 'UTC' as doc_date,
	j.correspondent, j.subject, coalesce(j.attachment_id, 0) as attachment_id,
	j.file_kind, j.file_name, j.file_id, j.source, coalesce(j.source_id, 0) as source_id,
	j.annul_reason, coalesce(j.annulled_by, 0) as annulled_by,
	coalesce(j.annulled_at, '0001-01-01 00:00:00Z'::timestamptz) as annulled_at,
	coalesce(j.created_by, 0) as created_by, j.created_at,
	coalesce(j.registered_at, '0001-01-01 00:00:00Z'::timestamptz) as registered_at`

// findJournalEntry returns the one entry matching where (a clause on j),
// or ErrNotFound.
func findJournalEntry(ctx context.Context, tx pgx.Tx, where string, args ...any) (JournalEntry, error) {
	rows, err := tx.Query(ctx, `select `+journalColumns+` from journal_entries j `+where, args...)
	if err != nil {
		return JournalEntry{}, err
	}
	e, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[JournalEntry])
	if errors.Is(err, pgx.ErrNoRows) {
		return JournalEntry{}, ErrNotFound
	}
	return e, err
}

// journalDay is a calendar day as the journal stores it: the wall-clock
// date of t at 00:00 UTC.
func journalDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// tidyJournal trims the typed fields and checks their lengths: ErrInvalid
// when one is too long.
func tidyJournal(e *JournalEntry) error {
	e.Correspondent = strings.Join(strings.Fields(e.Correspondent), " ")
	e.Subject = strings.TrimSpace(e.Subject)
	e.FileName = strings.TrimSpace(e.FileName)
	if utf8.RuneCountInString(e.Correspondent) > MaxJournalCorrespondent || utf8.RuneCountInString(e.Subject) > MaxJournalSubject {
		return fmt.Errorf("too long: %w", ErrInvalid)
	}
	switch {
	case e.AttachmentID == 0:
		e.FileKind, e.FileName, e.FileID = "", "", ""
	case e.FileKind != "photo" && e.FileKind != "document":
		return fmt.Errorf("file kind %q: %w", e.FileKind, ErrInvalid)
	}
	return nil
}

// allocateJournalNumber takes the next sequence number of direction d in
// year: 1, 2, ... The counter row is locked until the transaction ends,
// so two registrations at once get different numbers.
func allocateJournalNumber(ctx context.Context, tx pgx.Tx, d JournalDirection, year int) (int, error) {
	var seq int
	err := tx.QueryRow(ctx, `
		insert into journal_counters (direction, year, last) values ($1, $2, 1)
		on conflict (direction, year) do update set last = journal_counters.last + 1
		returning last`, d, year).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("allocate journal number: %w", err)
	}
	return seq, nil
}

// addJournalEntry registers an entry made by the bot from a record it
// produced, in the caller's transaction, so the entry exists exactly when
// that record's change is committed. e needs Direction, Source (not
// manual), SourceID, Date (the document's date; only its calendar day in
// its own location is kept), Correspondent and Subject; a file is
// optional (AttachmentID with FileKind "photo" or "document", FileName,
// FileID). The number is allocated in the year of now (pass now in the
// association's zone, s.now().In(s.loc())), and registered_at is now.
//
// It is idempotent per source object: when the source already has its
// entry, that entry is returned unchanged. The error wraps ErrInvalid for
// a missing or bad field, and ErrNotFound for an unknown attachment.
func addJournalEntry(ctx context.Context, tx pgx.Tx, now time.Time, actorID int64, e JournalEntry) (JournalEntry, error) {
	switch {
	case !e.Direction.Valid():
		return JournalEntry{}, fmt.Errorf("journal entry: direction %q: %w", e.Direction, ErrInvalid)
	case !e.Source.Valid() || e.Source == JournalManual || e.SourceID == 0:
		return JournalEntry{}, fmt.Errorf("journal entry: source %q %d: %w", e.Source, e.SourceID, ErrInvalid)
	case e.Date.IsZero():
		return JournalEntry{}, fmt.Errorf("journal entry: no date: %w", ErrInvalid)
	}
	if err := tidyJournal(&e); err != nil {
		return JournalEntry{}, fmt.Errorf("journal entry: %w", err)
	}
	if e.Correspondent == "" || e.Subject == "" {
		return JournalEntry{}, fmt.Errorf("journal entry: no correspondent or subject: %w", ErrInvalid)
	}
	existing, err := findJournalEntry(ctx, tx, `where j.source = $1 and j.source_id = $2`, e.Source, e.SourceID)
	switch {
	case err == nil:
		return existing, nil
	case !errors.Is(err, ErrNotFound):
		return JournalEntry{}, fmt.Errorf("journal entry: %w", err)
	}
	year := now.Year()
	seq, err := allocateJournalNumber(ctx, tx, e.Direction, year)
	if err != nil {
		return JournalEntry{}, err
	}
	var id int64
	err = tx.QueryRow(ctx, `
		insert into journal_entries (direction, status, year, seq, number, doc_date, correspondent, subject,
		                             attachment_id, file_kind, file_name, file_id, source, source_id,
		                             created_by, created_at, registered_at)
		values ($1, 'registered', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
		returning id`,
		e.Direction, year, seq, JournalNumber(e.Direction, year, seq), journalDay(e.Date), e.Correspondent, e.Subject,
		nullID(e.AttachmentID), e.FileKind, e.FileName, e.FileID, e.Source, e.SourceID, nullID(actorID), now).Scan(&id)
	if pgCode(err) == pgForeignKeyViolation {
		return JournalEntry{}, fmt.Errorf("journal entry: attachment %d: %w", e.AttachmentID, ErrNotFound)
	}
	if err != nil {
		return JournalEntry{}, fmt.Errorf("journal entry: %w", err)
	}
	detail := map[string]any{"source": string(e.Source), "source_id": e.SourceID, "direction": string(e.Direction)}
	if err := logAction(ctx, tx, now, actorID, "journal.add", "journal_entry", id, detail); err != nil {
		return JournalEntry{}, fmt.Errorf("journal entry: %w", err)
	}
	return findJournalEntry(ctx, tx, `where j.id = $1`, id)
}

// CreateJournalDraft starts an entry typed by hand: a draft of direction
// d, without a number. It returns ErrInvalid for an unknown direction.
func (s *Store) CreateJournalDraft(ctx context.Context, actorID int64, d JournalDirection) (JournalEntry, error) {
	if !d.Valid() {
		return JournalEntry{}, fmt.Errorf("storage: create journal draft: direction %q: %w", d, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("storage: create journal draft: %w", err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	var id int64
	if err := tx.QueryRow(ctx, `
		insert into journal_entries (direction, created_by, created_at) values ($1, $2, $3)
		returning id`, d, nullID(actorID), now).Scan(&id); err != nil {
		return JournalEntry{}, fmt.Errorf("storage: create journal draft: %w", err)
	}
	if err := logAction(ctx, tx, now, actorID, "journal.draft", "journal_entry", id, map[string]any{"direction": string(d)}); err != nil {
		return JournalEntry{}, fmt.Errorf("storage: create journal draft: %w", err)
	}
	e, err := findJournalEntry(ctx, tx, `where j.id = $1`, id)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("storage: create journal draft: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return JournalEntry{}, fmt.Errorf("storage: create journal draft: %w", err)
	}
	return e, nil
}

// DraftJournalEntryOf returns the latest draft the person started, or
// ErrNotFound.
func (s *Store) DraftJournalEntryOf(ctx context.Context, personID int64) (JournalEntry, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("storage: journal draft of %d: %w", personID, err)
	}
	defer tx.Rollback(ctx)

	e, err := findJournalEntry(ctx, tx, `where j.status = 'draft' and j.created_by = $1
		order by j.created_at desc, j.id desc limit 1`, personID)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("storage: journal draft of %d: %w", personID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return JournalEntry{}, fmt.Errorf("storage: journal draft of %d: %w", personID, err)
	}
	return e, nil
}

// UpdateJournalDraft writes what has been typed into draft e.ID: its
// date (a calendar day, or zero), correspondent, subject and file (the
// rest of e is ignored). It returns ErrNotFound for an unknown entry,
// ErrConflict when it is no longer a draft, and ErrInvalid for a field
// too long or a file of an unknown kind.
func (s *Store) UpdateJournalDraft(ctx context.Context, actorID int64, e JournalEntry) (JournalEntry, error) {
	if err := tidyJournal(&e); err != nil {
		return JournalEntry{}, fmt.Errorf("storage: update journal draft %d: %w", e.ID, err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("storage: update journal draft %d: %w", e.ID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := lockJournalDraft(ctx, tx, e.ID); err != nil {
		return JournalEntry{}, fmt.Errorf("storage: update journal draft %d: %w", e.ID, err)
	}
	var date *time.Time
	if !e.Date.IsZero() {
		d := journalDay(e.Date)
		date = &d
	}
	_, err = tx.Exec(ctx, `
		update journal_entries set doc_date = $2, correspondent = $3, subject = $4,
		       attachment_id = $5, file_kind = $6, file_name = $7, file_id = $8
		where id = $1`, e.ID, date, e.Correspondent, e.Subject, nullID(e.AttachmentID), e.FileKind, e.FileName, e.FileID)
	if pgCode(err) == pgForeignKeyViolation {
		return JournalEntry{}, fmt.Errorf("storage: update journal draft %d: attachment %d: %w", e.ID, e.AttachmentID, ErrNotFound)
	}
	if err != nil {
		return JournalEntry{}, fmt.Errorf("storage: update journal draft %d: %w", e.ID, err)
	}
	out, err := findJournalEntry(ctx, tx, `where j.id = $1`, e.ID)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("storage: update journal draft %d: %w", e.ID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return JournalEntry{}, fmt.Errorf("storage: update journal draft %d: %w", e.ID, err)
	}
	return out, nil
}

// lockJournalDraft locks entry id, which must be a draft: ErrNotFound
// for an unknown one, ErrConflict for a registered or annulled one.
func lockJournalDraft(ctx context.Context, tx pgx.Tx, id int64) (JournalEntry, error) {
	e, err := findJournalEntry(ctx, tx, `where j.id = $1 for update`, id)
	if err != nil {
		return e, err
	}
	if e.Status != JournalDraft {
		return e, fmt.Errorf("entry %d is %s: %w", id, e.Status, ErrConflict)
	}
	return e, nil
}

// RegisterJournalEntry gives draft id its number, in the year of day (the
// local date of registration), and returns it. It returns ErrNotFound for
// an unknown entry, ErrConflict when it is not a draft, and ErrInvalid
// when the date, correspondent or subject is missing.
func (s *Store) RegisterJournalEntry(ctx context.Context, actorID, id int64, day time.Time) (JournalEntry, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("storage: register journal entry %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	e, err := lockJournalDraft(ctx, tx, id)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("storage: register journal entry %d: %w", id, err)
	}
	if e.Date.IsZero() || e.Correspondent == "" || e.Subject == "" {
		return JournalEntry{}, fmt.Errorf("storage: register journal entry %d: incomplete: %w", id, ErrInvalid)
	}
	now := s.now()
	year := day.Year()
	seq, err := allocateJournalNumber(ctx, tx, e.Direction, year)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("storage: register journal entry %d: %w", id, err)
	}
	number := JournalNumber(e.Direction, year, seq)
	if _, err := tx.Exec(ctx, `
		update journal_entries set status = 'registered', year = $2, seq = $3, number = $4, registered_at = $5
		where id = $1`, id, year, seq, number, now); err != nil {
		return JournalEntry{}, fmt.Errorf("storage: register journal entry %d: %w", id, err)
	}
	if err := logAction(ctx, tx, now, actorID, "journal.register", "journal_entry", id, map[string]any{"year": year, "seq": seq}); err != nil {
		return JournalEntry{}, fmt.Errorf("storage: register journal entry %d: %w", id, err)
	}
	e, err = findJournalEntry(ctx, tx, `where j.id = $1`, id)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("storage: register journal entry %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return JournalEntry{}, fmt.Errorf("storage: register journal entry %d: %w", id, err)
	}
	return e, nil
}

// DeleteJournalDraft removes a draft (registered entries are never
// deleted): ErrNotFound for an unknown entry, ErrConflict for one that is
// not a draft.
func (s *Store) DeleteJournalDraft(ctx context.Context, actorID, id int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: delete journal draft %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	if _, err := lockJournalDraft(ctx, tx, id); err != nil {
		return fmt.Errorf("storage: delete journal draft %d: %w", id, err)
	}
	if _, err := tx.Exec(ctx, `delete from journal_entries where id = $1`, id); err != nil {
		return fmt.Errorf("storage: delete journal draft %d: %w", id, err)
	}
	if err := logAction(ctx, tx, s.now(), actorID, "journal.draft_delete", "journal_entry", id, nil); err != nil {
		return fmt.Errorf("storage: delete journal draft %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: delete journal draft %d: %w", id, err)
	}
	return nil
}

// AnnulJournalEntry annuls a registered entry with a reason; it keeps its
// number and stays in the journal. It returns ErrInvalid for an empty or
// too long reason, ErrNotFound for an unknown entry and ErrConflict for a
// draft or an entry annulled already.
func (s *Store) AnnulJournalEntry(ctx context.Context, actorID, id int64, reason string) (JournalEntry, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxJournalAnnulReason {
		return JournalEntry{}, fmt.Errorf("storage: annul journal entry %d: reason: %w", id, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("storage: annul journal entry %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	e, err := findJournalEntry(ctx, tx, `where j.id = $1 for update`, id)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("storage: annul journal entry %d: %w", id, err)
	}
	if e.Status != JournalRegistered {
		return JournalEntry{}, fmt.Errorf("storage: annul journal entry %d: %s: %w", id, e.Status, ErrConflict)
	}
	now := s.now()
	if _, err := tx.Exec(ctx, `
		update journal_entries set status = 'annulled', annul_reason = $2, annulled_by = $3, annulled_at = $4
		where id = $1`, id, reason, nullID(actorID), now); err != nil {
		return JournalEntry{}, fmt.Errorf("storage: annul journal entry %d: %w", id, err)
	}
	// The reason is the association's business text, not personal data,
	// yet the log keeps only that the entry was annulled.
	if err := logAction(ctx, tx, now, actorID, "journal.annul", "journal_entry", id, map[string]any{"number": e.Number}); err != nil {
		return JournalEntry{}, fmt.Errorf("storage: annul journal entry %d: %w", id, err)
	}
	e, err = findJournalEntry(ctx, tx, `where j.id = $1`, id)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("storage: annul journal entry %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return JournalEntry{}, fmt.Errorf("storage: annul journal entry %d: %w", id, err)
	}
	return e, nil
}

// FindJournalEntry returns an entry (a draft too), or ErrNotFound.
func (s *Store) FindJournalEntry(ctx context.Context, id int64) (JournalEntry, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("storage: find journal entry %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	e, err := findJournalEntry(ctx, tx, `where j.id = $1`, id)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("storage: find journal entry %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return JournalEntry{}, fmt.Errorf("storage: find journal entry %d: %w", id, err)
	}
	return e, nil
}

// JournalEntryBySource returns the entry made from a source object (the
// minutes of meeting id, say), or ErrNotFound.
func (s *Store) JournalEntryBySource(ctx context.Context, source JournalSource, sourceID int64) (JournalEntry, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("storage: journal entry of %s %d: %w", source, sourceID, err)
	}
	defer tx.Rollback(ctx)

	e, err := findJournalEntry(ctx, tx, `where j.source = $1 and j.source_id = $2`, source, sourceID)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("storage: journal entry of %s %d: %w", source, sourceID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return JournalEntry{}, fmt.Errorf("storage: journal entry of %s %d: %w", source, sourceID, err)
	}
	return e, nil
}

// SearchJournal returns the registered and annulled entries whose number,
// correspondent or subject contains every word of query (case-insensitive;
// an empty query matches all), newest first, from offset, at most limit,
// and how many match in all.
func (s *Store) SearchJournal(ctx context.Context, query string, offset, limit int) ([]JournalEntry, int, error) {
	words := strings.Fields(query)
	if words == nil {
		words = []string{}
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("storage: search journal: %w", err)
	}
	defer tx.Rollback(ctx)

	const match = `j.status <> 'draft' and not exists (select 1 from unnest($1::text[]) w
		where strpos(lower(j.number || ' ' || j.correspondent || ' ' || j.subject), lower(w)) = 0)`
	var total int
	if err := tx.QueryRow(ctx, `select count(*) from journal_entries j where `+match, words).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("storage: search journal: %w", err)
	}
	rows, err := tx.Query(ctx, `select `+journalColumns+` from journal_entries j where `+match+`
		order by j.registered_at desc, j.id desc offset $2 limit $3`, words, max(offset, 0), max(limit, 0))
	if err != nil {
		return nil, 0, fmt.Errorf("storage: search journal: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[JournalEntry])
	if err != nil {
		return nil, 0, fmt.Errorf("storage: search journal: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, 0, fmt.Errorf("storage: search journal: %w", err)
	}
	return list, total, nil
}

// JournalYear returns the registered and annulled entries numbered in
// year: incoming first, then outgoing, each by number.
func (s *Store) JournalYear(ctx context.Context, year int) ([]JournalEntry, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: journal of %d: %w", year, err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `select `+journalColumns+` from journal_entries j
		where j.status <> 'draft' and j.year = $1
		order by j.direction = 'out', j.seq`, year)
	if err != nil {
		return nil, fmt.Errorf("storage: journal of %d: %w", year, err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[JournalEntry])
	if err != nil {
		return nil, fmt.Errorf("storage: journal of %d: %w", year, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: journal of %d: %w", year, err)
	}
	return list, nil
}

// JournalFile returns the stored file of an entry, with its data:
// ErrNotFound for an unknown entry or one without a file.
func (s *Store) JournalFile(ctx context.Context, id int64) (Attachment, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Attachment{}, fmt.Errorf("storage: file of journal entry %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `select `+fmt.Sprintf(attachmentColumns, "true")+`
		from journal_entries j join attachments a on a.id = j.attachment_id where j.id = $1`, id)
	if err != nil {
		return Attachment{}, fmt.Errorf("storage: file of journal entry %d: %w", id, err)
	}
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Attachment])
	if errors.Is(err, pgx.ErrNoRows) {
		return Attachment{}, fmt.Errorf("storage: file of journal entry %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Attachment{}, fmt.Errorf("storage: file of journal entry %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Attachment{}, fmt.Errorf("storage: file of journal entry %d: %w", id, err)
	}
	return a, nil
}

// The wording of the entry the journal gets when a meeting's signed
// minutes are sent: the register's own text, as the paper journal wrote
// it, stored with the entry.
const (
	minutesCorrespondent = "Члены президиума ассоциации"
	minutesSubject       = "Протокол заседания президиума № %d от %s"
)

// journalMinutes enters the signed minutes of meeting m, sent now, in the
// journal as an outgoing document, with the first file of the minutes.
func journalMinutes(ctx context.Context, tx pgx.Tx, now time.Time, actorID int64, m Meeting) (JournalEntry, error) {
	var f MinutesFile
	rows, err := tx.Query(ctx, `
		select meeting_id, attachment_id, position, kind, name, file_id
		from meeting_minutes_files where meeting_id = $1 order by position, attachment_id limit 1`, m.ID)
	if err != nil {
		return JournalEntry{}, err
	}
	f, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[MinutesFile])
	if err != nil {
		return JournalEntry{}, fmt.Errorf("first minutes file: %w", err)
	}
	day := m.StartsAt.In(now.Location())
	return addJournalEntry(ctx, tx, now, actorID, JournalEntry{
		Direction:     JournalOut,
		Source:        JournalMinutes,
		SourceID:      m.ID,
		Date:          day,
		Correspondent: minutesCorrespondent,
		Subject:       fmt.Sprintf(minutesSubject, m.ID, day.Format("02.01.2006")),
		AttachmentID:  f.AttachmentID,
		FileKind:      f.Kind,
		FileName:      f.Name,
		FileID:        f.FileID,
	})
}
