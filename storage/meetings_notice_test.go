package storage_test

import (
	"context"
	"errors"
	"testing"

	"smkbot/storage"
)

func TestDeleteDraftMeeting(t *testing.T) {
	e := newMeetEnv(t, 2)
	ctx := context.Background()
	d := e.draft(t, 10)
	if err := e.s.AddGuest(ctx, e.secretary.ID, d.ID, e.teacher.ID, storage.InviteeGuest); err != nil {
		t.Fatal(err)
	}
	if err := e.s.DeleteDraftMeeting(ctx, e.secretary.ID, d.ID); err != nil {
		t.Fatalf("DeleteDraftMeeting: %v", err)
	}
	if _, err := e.s.FindMeeting(ctx, d.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("FindMeeting after delete: %v, want ErrNotFound", err)
	}
	if _, err := e.s.DraftMeetingOf(ctx, e.secretary.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("DraftMeetingOf after delete: %v, want ErrNotFound", err)
	}
	if err := e.s.DeleteDraftMeeting(ctx, e.secretary.ID, d.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("delete again: %v, want ErrNotFound", err)
	}
	s := e.sent(t, 10)
	if err := e.s.DeleteDraftMeeting(ctx, e.secretary.ID, s.ID); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("delete a sent meeting: %v, want ErrConflict", err)
	}
}

func TestPendDeliveries(t *testing.T) {
	e := newMeetEnv(t, 2)
	ctx := context.Background()
	d := e.draft(t, 10)
	if _, err := e.s.PendDeliveries(ctx, e.secretary.ID, d.ID); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("pend a draft: %v, want ErrConflict", err)
	}
	m := e.sent(t, 10)
	for _, p := range append(e.members, e.chair) {
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
	if _, err := e.s.CancelMeeting(ctx, e.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.PendDeliveries(ctx, e.secretary.ID, m.ID); err != nil {
		t.Fatalf("pend a cancelled meeting: %v", err)
	}
	if _, err := e.s.PendDeliveries(ctx, e.secretary.ID, 999999); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("pend an unknown meeting: %v, want ErrNotFound", err)
	}
}
