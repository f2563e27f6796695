package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"smkbot/storage"
)

// TestJournalManual: a draft typed step by step is registered under the
// next number of its direction and year, numbers of the two directions
// and of a new year start at 1, incomplete drafts are refused, only
// drafts are deleted, and an annulled entry keeps its number.
func TestJournalManual(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	sec := mustPerson(t, s, 500, "Секретарь Светлана", storage.RoleSecretary, 0)

	_, err := s.CreateJournalDraft(ctx, sec.ID, "sideways")
	wantErr(t, "CreateJournalDraft(direction)", err, storage.ErrInvalid)

	d, err := s.CreateJournalDraft(ctx, sec.ID, storage.JournalIn)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.DraftJournalEntryOf(ctx, sec.ID); err != nil || got.ID != d.ID || got.Status != storage.JournalDraft || got.Number != "" {
		t.Fatalf("DraftJournalEntryOf = %+v, %v", got, err)
	}
	_, err = s.RegisterJournalEntry(ctx, sec.ID, d.ID, day(2026, 12, 25))
	wantErr(t, "RegisterJournalEntry(empty)", err, storage.ErrInvalid)

	file, err := s.SaveAttachment(ctx, []byte("письмо"), "pismo.pdf", "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	d.Date = day(2026, 12, 20)
	d.Correspondent = "  Министерство   образования  "
	d.Subject = " О проведении конкурса "
	d.AttachmentID, d.FileKind, d.FileName, d.FileID = file.ID, "document", "pismo.pdf", "tg-file-1"
	d, err = s.UpdateJournalDraft(ctx, sec.ID, d)
	if err != nil {
		t.Fatal(err)
	}
	if d.Correspondent != "Министерство образования" || d.Subject != "О проведении конкурса" || !d.Date.Equal(day(2026, 12, 20)) {
		t.Errorf("draft after update = %+v", d)
	}
	bad := d
	bad.FileKind = "voice"
	_, err = s.UpdateJournalDraft(ctx, sec.ID, bad)
	wantErr(t, "UpdateJournalDraft(kind)", err, storage.ErrInvalid)

	in1, err := s.RegisterJournalEntry(ctx, sec.ID, d.ID, day(2026, 12, 25))
	if err != nil {
		t.Fatal(err)
	}
	if in1.Number != "Вх-2026-001" || in1.Status != storage.JournalRegistered || in1.RegisteredAt.IsZero() {
		t.Errorf("registered = %+v", in1)
	}
	_, err = s.RegisterJournalEntry(ctx, sec.ID, d.ID, day(2026, 12, 25))
	wantErr(t, "RegisterJournalEntry(again)", err, storage.ErrConflict)
	_, err = s.UpdateJournalDraft(ctx, sec.ID, in1)
	wantErr(t, "UpdateJournalDraft(registered)", err, storage.ErrConflict)
	wantErr(t, "DeleteJournalDraft(registered)", s.DeleteJournalDraft(ctx, sec.ID, in1.ID), storage.ErrConflict)
	if _, err := s.DraftJournalEntryOf(ctx, sec.ID); err == nil {
		t.Error("a draft is left after registering")
	}

	register := func(dir storage.JournalDirection, on time.Time, subject string) storage.JournalEntry {
		t.Helper()
		e, err := s.CreateJournalDraft(ctx, sec.ID, dir)
		if err != nil {
			t.Fatal(err)
		}
		e.Date, e.Correspondent, e.Subject = on, "Школа № 5", subject
		if _, err := s.UpdateJournalDraft(ctx, sec.ID, e); err != nil {
			t.Fatal(err)
		}
		e, err = s.RegisterJournalEntry(ctx, sec.ID, e.ID, on)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	in2 := register(storage.JournalIn, day(2026, 12, 26), "Заявка на аудит")
	out1 := register(storage.JournalOut, day(2026, 12, 27), "Ответ на заявку")
	in2027 := register(storage.JournalIn, day(2027, 1, 9), "План на 2027 год")
	for e, want := range map[*storage.JournalEntry]string{&in2: "Вх-2026-002", &out1: "Исх-2026-001", &in2027: "Вх-2027-001"} {
		if e.Number != want {
			t.Errorf("number %q, want %q", e.Number, want)
		}
	}

	// A draft is deleted; entries are annulled, never deleted.
	draft, err := s.CreateJournalDraft(ctx, sec.ID, storage.JournalOut)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteJournalDraft(ctx, sec.ID, draft.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.FindJournalEntry(ctx, draft.ID)
	wantErr(t, "FindJournalEntry(deleted draft)", err, storage.ErrNotFound)
	_, err = s.AnnulJournalEntry(ctx, sec.ID, in2.ID, "  ")
	wantErr(t, "AnnulJournalEntry(no reason)", err, storage.ErrInvalid)
	ann, err := s.AnnulJournalEntry(ctx, sec.ID, in2.ID, "Зарегистрировано дважды")
	if err != nil {
		t.Fatal(err)
	}
	if ann.Status != storage.JournalAnnulled || ann.Number != "Вх-2026-002" || ann.AnnulReason != "Зарегистрировано дважды" || ann.AnnulledBy != sec.ID {
		t.Errorf("annulled = %+v", ann)
	}
	_, err = s.AnnulJournalEntry(ctx, sec.ID, in2.ID, "ещё раз")
	wantErr(t, "AnnulJournalEntry(again)", err, storage.ErrConflict)
	next := register(storage.JournalIn, day(2026, 12, 28), "После аннулирования")
	if next.Number != "Вх-2026-003" {
		t.Errorf("the number after an annulled one = %q, want Вх-2026-003", next.Number)
	}

	// Search: number, correspondent, subject; every word; paged.
	search := func(q string, offset, limit int) ([]string, int) {
		t.Helper()
		list, total, err := s.SearchJournal(ctx, q, offset, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range list {
			out = append(out, e.Number)
		}
		return out, total
	}
	if got, n := search("министерство КОНКУРСА", 0, 10); n != 1 || fmt.Sprint(got) != "[Вх-2026-001]" {
		t.Errorf("search by correspondent and subject = %v (%d)", got, n)
	}
	if got, n := search("исх-2026", 0, 10); n != 1 || fmt.Sprint(got) != "[Исх-2026-001]" {
		t.Errorf("search by number = %v (%d)", got, n)
	}
	if got, n := search("", 1, 2); n != 5 || len(got) != 2 {
		t.Errorf("all, page 2 of 2 = %v (%d), want 2 of 5", got, n)
	}
	year, err := s.JournalYear(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for _, e := range year {
		numbers = append(numbers, e.Number)
	}
	if fmt.Sprint(numbers) != "[Вх-2026-001 Вх-2026-002 Вх-2026-003 Исх-2026-001]" {
		t.Errorf("JournalYear(2026) = %v", numbers)
	}
	a, err := s.JournalFile(ctx, in1.ID)
	if err != nil || string(a.Data) != "письмо" {
		t.Errorf("JournalFile = %q, %v", a.Data, err)
	}
	_, err = s.JournalFile(ctx, out1.ID)
	wantErr(t, "JournalFile(no file)", err, storage.ErrNotFound)
}

// TestJournalNumbersConcurrent: registrations at once get distinct,
// consecutive numbers.
func TestJournalNumbersConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	sec := mustPerson(t, s, 501, "Секретарь Светлана", storage.RoleSecretary, 0)
	const n = 12
	ids := make([]int64, n)
	for i := range ids {
		e, err := s.CreateJournalDraft(ctx, sec.ID, storage.JournalOut)
		if err != nil {
			t.Fatal(err)
		}
		e.Date, e.Correspondent, e.Subject = day(2026, 12, 1), "Школа", "Письмо"
		if _, err := s.UpdateJournalDraft(ctx, sec.ID, e); err != nil {
			t.Fatal(err)
		}
		ids[i] = e.ID
	}
	var wg sync.WaitGroup
	numbers := make([]string, n)
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := s.RegisterJournalEntry(ctx, sec.ID, id, day(2026, 12, 1))
			if err != nil {
				t.Error(err)
				return
			}
			numbers[i] = e.Number
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, num := range numbers {
		seen[num] = true
	}
	for i := 1; i <= n; i++ {
		if want := fmt.Sprintf("Исх-2026-%03d", i); !seen[want] {
			t.Errorf("no %s among %v", want, numbers)
		}
	}
}

// TestJournalMinutes: marking a meeting's minutes sent enters them in the
// journal, in the same transaction, with their first file; a failed
// marking enters nothing.
func TestJournalMinutes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 1)
	m := e.held(t, 1, e.members[0].ID)
	_, err := e.s.MarkMinutesSent(ctx, e.secretary.ID, m.ID)
	wantErr(t, "MarkMinutesSent(no file)", err, storage.ErrInvalid)
	_, err = e.s.JournalEntryBySource(ctx, storage.JournalMinutes, m.ID)
	wantErr(t, "the journal after a failed marking", err, storage.ErrNotFound)

	p1, p2 := e.attachment(t, "лист1"), e.attachment(t, "лист2")
	for _, a := range []storage.Attachment{p1, p2} {
		if err := e.s.AddMinutesFile(ctx, e.secretary.ID, storage.MinutesFile{MeetingID: m.ID, AttachmentID: a.ID,
			Kind: "photo", FileID: "tg-" + a.Name}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.s.MarkMinutesSent(ctx, e.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	j, err := e.s.JournalEntryBySource(ctx, storage.JournalMinutes, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantSubject := fmt.Sprintf("Протокол заседания президиума № %d от %s", m.ID, m.StartsAt.UTC().Format("02.01.2006"))
	if j.Number != "Исх-2026-001" || j.Direction != storage.JournalOut || j.Subject != wantSubject ||
		j.AttachmentID != p1.ID || j.FileKind != "photo" || j.FileID != "tg-"+p1.Name || j.CreatedBy != e.secretary.ID {
		t.Errorf("the minutes' entry = %+v", j)
	}
	if !j.Date.Equal(day(m.StartsAt.UTC().Year(), m.StartsAt.UTC().Month(), m.StartsAt.UTC().Day())) {
		t.Errorf("the minutes' entry is dated %v, the meeting %v", j.Date, m.StartsAt)
	}
}
