package storage

import (
	"fmt"
	"time"
)

// JournalDirection is whether a document came in or went out.
type JournalDirection string

// The directions of the documents journal.
const (
	JournalIn  JournalDirection = "in"
	JournalOut JournalDirection = "out"
)

// Valid reports whether d is one of the directions.
func (d JournalDirection) Valid() bool { return d == JournalIn || d == JournalOut }

// JournalStatus is where an entry of the journal stands.
type JournalStatus string

// The statuses of a journal entry: a draft is being typed by hand and has
// no number; a registered entry has its number for good; an annulled one
// keeps it, with the reason.
const (
	JournalDraft      JournalStatus = "draft"
	JournalRegistered JournalStatus = "registered"
	JournalAnnulled   JournalStatus = "annulled"
)

// JournalSource is where an entry came from: typed by hand, or made by
// the bot from a record it produced.
type JournalSource string

// The sources of journal entries. SourceID names the meeting (minutes),
// the certificate or the report.
const (
	JournalManual      JournalSource = "manual"
	JournalMinutes     JournalSource = "minutes"
	JournalCertificate JournalSource = "certificate"
	JournalReport      JournalSource = "report"
)

// Valid reports whether s is one of the sources.
func (s JournalSource) Valid() bool {
	switch s {
	case JournalManual, JournalMinutes, JournalCertificate, JournalReport:
		return true
	}
	return false
}

// JournalEntry is an entry of the documents journal.
type JournalEntry struct {
	ID        int64            `db:"id"`
	Direction JournalDirection `db:"direction"`
	Status    JournalStatus    `db:"status"`
	// Year and Seq make the number: Number is «Вх-2026-001» or
	// «Исх-2026-001» ("" and zeros in a draft).
	Year   int    `db:"year"`
	Seq    int    `db:"seq"`
	Number string `db:"number"`
	// Date is the document's date: a calendar day at 00:00 UTC (zero
	// until typed in a draft).
	Date          time.Time `db:"doc_date"`
	Correspondent string    `db:"correspondent"`
	Subject       string    `db:"subject"`
	// AttachmentID is the document's stored file (0 when none), FileKind
	// "photo" or "document" (or ""), FileID Telegram's id of it.
	AttachmentID int64         `db:"attachment_id"`
	FileKind     string        `db:"file_kind"`
	FileName     string        `db:"file_name"`
	FileID       string        `db:"file_id"`
	Source       JournalSource `db:"source"`
	SourceID     int64         `db:"source_id"`
	AnnulReason  string        `db:"annul_reason"`
	AnnulledBy   int64         `db:"annulled_by"`
	AnnulledAt   time.Time     `db:"annulled_at"`
	CreatedBy    int64         `db:"created_by"`
	CreatedAt    time.Time     `db:"created_at"`
	RegisteredAt time.Time     `db:"registered_at"`
}

// The prefixes of journal numbers, as the association's paper journal
// writes them: they are part of the number, a record, not interface text.
const (
	journalPrefixIn  = "Вх"
	journalPrefixOut = "Исх"
)

// JournalNumber is the number of an entry of direction d, year and
// sequence number seq: «Вх-2026-001».
func JournalNumber(d JournalDirection, year, seq int) string {
	prefix := journalPrefixIn
	if d == JournalOut {
		prefix = journalPrefixOut
	}
	return fmt.Sprintf("%s-%d-%03d", prefix, year, seq)
}
