package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"smkbot/storage"
)

// TestAgendaChangedUntilAnnounced: a sent meeting's agenda changes are
// recorded as not announced, from the first one, until an update pends
// the deliveries; a draft's are not.
func TestAgendaChangedUntilAnnounced(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 2)
	find := func(id int64) storage.Meeting {
		t.Helper()
		m, err := e.s.FindMeeting(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}

	d := e.draft(t, 10)
	if _, err := e.s.AddAgendaItem(ctx, e.secretary.ID, d.ID, "Разное", ""); err != nil {
		t.Fatal(err)
	}
	if got := find(d.ID).AgendaChangedAt; !got.IsZero() {
		t.Fatalf("a draft's agenda change recorded at %v", got)
	}

	m := e.sent(t, 10)
	if got := find(m.ID).AgendaChangedAt; !got.IsZero() {
		t.Fatalf("sent meeting: changed at %v, want zero", got)
	}
	first := e.clock.Now()
	it, err := e.s.AddAgendaItem(ctx, e.secretary.ID, m.ID, "Разное", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := find(m.ID).AgendaChangedAt; !got.Equal(first) {
		t.Fatalf("after an item added: changed at %v, want %v", got, first)
	}
	e.clock.Add(time.Hour)
	it.Title = "Разное и текущее"
	if _, err := e.s.UpdateAgendaItem(ctx, e.secretary.ID, it); err != nil {
		t.Fatal(err)
	}
	if got := find(m.ID).AgendaChangedAt; !got.Equal(first) {
		t.Fatalf("a later change moved the time to %v, want the first %v", got, first)
	}
	if _, err := e.s.PendDeliveries(ctx, e.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	if got := find(m.ID).AgendaChangedAt; !got.IsZero() {
		t.Fatalf("after the update: changed at %v, want zero", got)
	}
	e.clock.Add(time.Hour)
	if err := e.s.DeleteAgendaItem(ctx, e.secretary.ID, it.ID); err != nil {
		t.Fatal(err)
	}
	if got := find(m.ID).AgendaChangedAt; !got.Equal(e.clock.Now()) {
		t.Fatalf("after an item deleted: changed at %v, want %v", got, e.clock.Now())
	}
	// An unchanged rewrite is no change.
	items, err := e.s.ListAgenda(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.PendDeliveries(ctx, e.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.UpdateAgendaItem(ctx, e.secretary.ID, items[0]); err != nil {
		t.Fatal(err)
	}
	if got := find(m.ID).AgendaChangedAt; !got.IsZero() {
		t.Fatalf("an unchanged rewrite recorded a change at %v", got)
	}
}

// TestPendDeliveriesMinutes: a held meeting's deliveries are pended for
// the minutes only once they are marked sent.
func TestPendDeliveriesMinutes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 2)
	m := e.held(t, 1, e.chair.ID, e.members[0].ID)
	if _, err := e.s.PendDeliveries(ctx, e.secretary.ID, m.ID); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("pend a held meeting, minutes not sent: %v, want ErrConflict", err)
	}
	a := e.attachment(t, "protokol")
	if err := e.s.AddMinutesFile(ctx, e.secretary.ID, storage.MinutesFile{MeetingID: m.ID, AttachmentID: a.ID,
		Kind: "document", Name: "protokol.pdf", FileID: "f1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.MarkMinutesSent(ctx, e.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	for _, p := range []storage.Person{e.chair, e.members[0], e.members[1]} {
		if err := e.s.SetDelivery(ctx, m.ID, p.ID, storage.DeliverySent); err != nil {
			t.Fatal(err)
		}
	}
	n, err := e.s.PendDeliveries(ctx, e.secretary.ID, m.ID)
	if err != nil || n != 3 {
		t.Fatalf("PendDeliveries = %d, %v; want 3", n, err)
	}
	list, err := e.s.ListInvitees(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range list {
		if v.Delivery != storage.DeliveryPending {
			t.Fatalf("%s: delivery %s, want pending", v.FullName, v.Delivery)
		}
	}
}
