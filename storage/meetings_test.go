package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smkbot/storage"
)

// meetEnv is a presidium (a chair and members), a secretary and a teacher
// of a member school, on a store of its own.
type meetEnv struct {
	s         *storage.Store
	clock     *clock
	school    storage.Organisation
	chair     storage.Person
	members   []storage.Person // presidium members, by name, the chair apart
	secretary storage.Person
	teacher   storage.Person
}

// presidiumNames are the members' names, in the order lists show them.
var presidiumNames = []string{"Борисов Борис", "Васильева Вера", "Григорьев Глеб", "Дмитриева Дарья",
	"Егоров Евгений", "Жукова Жанна"}

// newMeetEnv seeds a chair and n presidium members.
func newMeetEnv(t *testing.T, n int) *meetEnv {
	t.Helper()
	s, c := newStore(t)
	e := &meetEnv{s: s, clock: c}
	e.school = mustOrg(t, s, "Школа № 1")
	e.chair = mustPerson(t, s, 300, "Андреева Ольга", storage.RoleChair, 0)
	for i := range n {
		e.members = append(e.members, mustPerson(t, s, int64(301+i), presidiumNames[i], storage.RolePresidium, 0))
	}
	e.secretary = mustPerson(t, s, 399, "Секретарь Светлана", storage.RoleSecretary, 0)
	e.teacher = mustPerson(t, s, 398, "Учитель Ульяна", storage.RoleTeacher, e.school.ID)
	return e
}

// draft creates a draft meeting by the secretary, starting in days, at
// the school, with one agenda item.
func (e *meetEnv) draft(t *testing.T, days int) storage.Meeting {
	t.Helper()
	ctx := context.Background()
	m, err := e.s.CreateMeeting(ctx, e.secretary.ID, storage.Meeting{Kind: storage.MeetingRegular,
		StartsAt: start.Add(time.Duration(days) * 24 * time.Hour), Place: "Школа № 1, актовый зал"})
	if err != nil {
		t.Fatalf("CreateMeeting: %v", err)
	}
	if _, err := e.s.AddAgendaItem(ctx, e.secretary.ID, m.ID, "О плане работы", "Андреева О."); err != nil {
		t.Fatalf("AddAgendaItem: %v", err)
	}
	return m
}

// sent is draft, sent.
func (e *meetEnv) sent(t *testing.T, days int) storage.Meeting {
	t.Helper()
	m := e.draft(t, days)
	if _, err := e.s.SendMeeting(context.Background(), e.secretary.ID, m.ID); err != nil {
		t.Fatalf("SendMeeting: %v", err)
	}
	return m
}

// held is sent, with the people marked present, then held.
func (e *meetEnv) held(t *testing.T, days int, present ...int64) storage.Meeting {
	t.Helper()
	ctx := context.Background()
	m := e.sent(t, days)
	for _, id := range present {
		if err := e.s.SetPresent(ctx, e.secretary.ID, m.ID, id, true); err != nil {
			t.Fatalf("SetPresent(%d): %v", id, err)
		}
	}
	m, err := e.s.MarkHeld(ctx, e.secretary.ID, m.ID)
	if err != nil {
		t.Fatalf("MarkHeld: %v", err)
	}
	return m
}

// attachment stores a small file with the content.
func (e *meetEnv) attachment(t *testing.T, content string) storage.Attachment {
	t.Helper()
	a, err := e.s.SaveAttachment(context.Background(), []byte(content), content+".pdf", "application/pdf")
	if err != nil {
		t.Fatalf("SaveAttachment: %v", err)
	}
	return a
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s = %v, want %v", what, err, want)
	}
}

func TestMeetingCreate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 1)

	startsAt := time.Date(2027, 1, 15, 8, 0, 0, 0, time.UTC)
	m, err := e.s.CreateMeeting(ctx, e.secretary.ID, storage.Meeting{Kind: storage.MeetingRegular,
		StartsAt: startsAt, Place: "  Школа № 1 ", Status: storage.MeetingHeld, Version: 7})
	if err != nil {
		t.Fatal(err)
	}
	want := storage.Meeting{ID: m.ID, Kind: storage.MeetingRegular, Status: storage.MeetingDraft,
		StartsAt: startsAt, Place: "Школа № 1", CreatedBy: e.secretary.ID, CreatedAt: start}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("CreateMeeting (-want +got):\n%s", diff)
	}
	got, err := e.s.FindMeeting(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FindMeeting (-want +got):\n%s", diff)
	}
	_, err = e.s.FindMeeting(ctx, m.ID+100)
	wantErr(t, "FindMeeting(unknown)", err, storage.ErrNotFound)

	_, err = e.s.CreateMeeting(ctx, e.secretary.ID, storage.Meeting{Kind: "weekly", StartsAt: startsAt})
	wantErr(t, "CreateMeeting(unknown kind)", err, storage.ErrInvalid)
	_, err = e.s.CreateMeeting(ctx, e.secretary.ID, storage.Meeting{Kind: storage.MeetingExtraordinary})
	wantErr(t, "CreateMeeting(no start)", err, storage.ErrInvalid)

	// The latest draft of its author; a sent meeting is no draft.
	e.clock.Add(time.Minute)
	later, err := e.s.CreateMeeting(ctx, e.secretary.ID, storage.Meeting{Kind: storage.MeetingExtraordinary,
		StartsAt: startsAt.Add(time.Hour), Link: "https://meet.example/abc"})
	if err != nil {
		t.Fatal(err)
	}
	draft, err := e.s.DraftMeetingOf(ctx, e.secretary.ID)
	if err != nil || draft.ID != later.ID {
		t.Errorf("DraftMeetingOf = %d, %v; want %d", draft.ID, err, later.ID)
	}
	if _, err := e.s.AddAgendaItem(ctx, e.secretary.ID, later.ID, "Разное", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.SendMeeting(ctx, e.secretary.ID, later.ID); err != nil {
		t.Fatal(err)
	}
	if draft, err := e.s.DraftMeetingOf(ctx, e.secretary.ID); err != nil || draft.ID != m.ID {
		t.Errorf("DraftMeetingOf after sending the latest = %d, %v; want %d", draft.ID, err, m.ID)
	}
	_, err = e.s.DraftMeetingOf(ctx, e.chair.ID)
	wantErr(t, "DraftMeetingOf(no draft)", err, storage.ErrNotFound)

	log := actions(t, e.s)
	if last := log[len(log)-1]; last != (actionLine{e.secretary.ID, "meeting.send", "meeting", later.ID}) {
		t.Errorf("last action = %+v, want the send", last)
	}
}

func TestMeetingUpdate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 2)

	// A draft changes freely; its version stays.
	m := e.draft(t, 10)
	m.Kind = storage.MeetingExtraordinary
	m.StartsAt = m.StartsAt.Add(time.Hour)
	m.Link = "https://meet.example/x"
	got, reset, err := e.s.UpdateMeeting(ctx, e.secretary.ID, m)
	if err != nil || reset {
		t.Fatalf("UpdateMeeting(draft) = %v, %v", reset, err)
	}
	if got.Version != 0 || got.Kind != storage.MeetingExtraordinary || !got.StartsAt.Equal(m.StartsAt) || got.Link != m.Link {
		t.Errorf("updated draft = %+v", got)
	}
	m.Place, m.Link = "", ""
	if _, _, err := e.s.UpdateMeeting(ctx, e.secretary.ID, m); err != nil {
		t.Errorf("UpdateMeeting(draft without place) = %v, want nil", err)
	}
	m.Place = "Школа № 2"
	if _, _, err := e.s.UpdateMeeting(ctx, e.secretary.ID, m); err != nil {
		t.Fatal(err)
	}

	if _, err := e.s.SendMeeting(ctx, e.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.SetRSVP(ctx, m.ID, e.chair.ID, storage.RSVPYes, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.SetRSVP(ctx, m.ID, e.members[0].ID, storage.RSVPNo, "болею"); err != nil {
		t.Fatal(err)
	}

	// The place alone: no new version, the answers stay.
	m.Place = "Школа № 3"
	got, reset, err = e.s.UpdateMeeting(ctx, e.secretary.ID, m)
	if err != nil || reset || got.Version != 0 || got.Place != "Школа № 3" {
		t.Errorf("UpdateMeeting(place) = %+v, %v, %v; want version 0, no reset", got, reset, err)
	}
	if v, _ := e.s.FindInvitee(ctx, m.ID, e.chair.ID); v.RSVP != storage.RSVPYes {
		t.Errorf("chair's answer after a change of place = %q, want yes", v.RSVP)
	}
	// Nothing changed: nothing written.
	before := len(actions(t, e.s))
	if _, reset, err := e.s.UpdateMeeting(ctx, e.secretary.ID, m); err != nil || reset {
		t.Errorf("UpdateMeeting(same) = %v, %v", reset, err)
	}
	if after := len(actions(t, e.s)); after != before {
		t.Errorf("UpdateMeeting(same) logged %d actions", after-before)
	}

	// The date: a new version, everyone asked again, and reminded again.
	for _, kind := range []storage.MeetingReminder{storage.RemindNoAnswer, storage.RemindQuorum} {
		if ok, err := e.s.ClaimReminder(ctx, m.ID, e.chair.ID, kind); err != nil || !ok {
			t.Fatalf("ClaimReminder(%s) = %v, %v", kind, ok, err)
		}
	}
	m.StartsAt = m.StartsAt.Add(24 * time.Hour)
	got, reset, err = e.s.UpdateMeeting(ctx, e.secretary.ID, m)
	if err != nil || !reset || got.Version != 1 || !got.StartsAt.Equal(m.StartsAt) {
		t.Fatalf("UpdateMeeting(date) = %+v, %v, %v; want version 1 and a reset", got, reset, err)
	}
	list, err := e.s.ListInvitees(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range list {
		if v.RSVP != storage.RSVPNone || v.Reason != "" || !v.RSVPAt.IsZero() {
			t.Errorf("invitee %d after the date changed = %q %q %v, want no answer", v.PersonID, v.RSVP, v.Reason, v.RSVPAt)
		}
	}
	for _, kind := range []storage.MeetingReminder{storage.RemindNoAnswer, storage.RemindQuorum} {
		if ok, err := e.s.ClaimReminder(ctx, m.ID, e.chair.ID, kind); err != nil || !ok {
			t.Errorf("ClaimReminder(%s) after the date changed = %v, %v; want claimable again", kind, ok, err)
		}
	}
	m.StartsAt = m.StartsAt.Add(time.Hour)
	if got, reset, err = e.s.UpdateMeeting(ctx, e.secretary.ID, m); err != nil || !reset || got.Version != 2 {
		t.Errorf("second change of date = version %d, %v, %v; want 2, reset", got.Version, reset, err)
	}

	for _, tt := range []struct {
		name string
		m    storage.Meeting
		err  error
	}{
		{"sent without place or link", storage.Meeting{ID: m.ID, Kind: m.Kind, StartsAt: m.StartsAt}, storage.ErrInvalid},
		{"no start", storage.Meeting{ID: m.ID, Kind: m.Kind, Place: "А"}, storage.ErrInvalid},
		{"unknown kind", storage.Meeting{ID: m.ID, Kind: "x", StartsAt: m.StartsAt, Place: "А"}, storage.ErrInvalid},
		{"unknown meeting", storage.Meeting{ID: m.ID + 100, Kind: m.Kind, StartsAt: m.StartsAt, Place: "А"}, storage.ErrNotFound},
	} {
		_, _, err := e.s.UpdateMeeting(ctx, e.secretary.ID, tt.m)
		wantErr(t, "UpdateMeeting("+tt.name+")", err, tt.err)
	}

	held := e.held(t, 20)
	held.Place = "Другое место"
	_, _, err = e.s.UpdateMeeting(ctx, e.secretary.ID, held)
	wantErr(t, "UpdateMeeting(held)", err, storage.ErrConflict)

	cancelled, err := e.s.CancelMeeting(ctx, e.secretary.ID, e.draft(t, 30).ID)
	if err != nil {
		t.Fatal(err)
	}
	cancelled.Place = "Другое место"
	_, _, err = e.s.UpdateMeeting(ctx, e.secretary.ID, cancelled)
	wantErr(t, "UpdateMeeting(cancelled)", err, storage.ErrConflict)
}

func TestMeetingCancel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 1)

	draft := e.draft(t, 5)
	e.clock.Add(time.Hour)
	m, err := e.s.CancelMeeting(ctx, e.secretary.ID, draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != storage.MeetingCancelled || !m.Cancelled.Equal(start.Add(time.Hour)) {
		t.Errorf("cancelled draft = %s at %v", m.Status, m.Cancelled)
	}
	_, err = e.s.CancelMeeting(ctx, e.secretary.ID, draft.ID)
	wantErr(t, "CancelMeeting(cancelled)", err, storage.ErrConflict)

	sent := e.sent(t, 6)
	if m, err := e.s.CancelMeeting(ctx, e.secretary.ID, sent.ID); err != nil || m.Status != storage.MeetingCancelled {
		t.Errorf("CancelMeeting(sent) = %s, %v", m.Status, err)
	}
	_, err = e.s.CancelMeeting(ctx, e.secretary.ID, e.held(t, 7).ID)
	wantErr(t, "CancelMeeting(held)", err, storage.ErrConflict)
	_, err = e.s.CancelMeeting(ctx, e.secretary.ID, sent.ID+100)
	wantErr(t, "CancelMeeting(unknown)", err, storage.ErrNotFound)
}

func TestMeetingAgenda(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 1)

	m, err := e.s.CreateMeeting(ctx, e.secretary.ID, storage.Meeting{Kind: storage.MeetingRegular, StartsAt: start.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var items []storage.AgendaItem
	for i := range 4 {
		item, err := e.s.AddAgendaItem(ctx, e.secretary.ID, m.ID, fmt.Sprintf(" Вопрос %d ", i+1), "")
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, item)
	}
	want := storage.AgendaItem{ID: items[2].ID, MeetingID: m.ID, Position: 3, Title: "Вопрос 3"}
	if diff := cmp.Diff(want, items[2]); diff != "" {
		t.Errorf("third item (-want +got):\n%s", diff)
	}
	_, err = e.s.AddAgendaItem(ctx, e.secretary.ID, m.ID, "  ", "")
	wantErr(t, "AddAgendaItem(empty)", err, storage.ErrInvalid)
	_, err = e.s.AddAgendaItem(ctx, e.secretary.ID, m.ID+100, "А", "")
	wantErr(t, "AddAgendaItem(unknown meeting)", err, storage.ErrNotFound)

	upd, err := e.s.UpdateAgendaItem(ctx, e.secretary.ID, storage.AgendaItem{ID: items[1].ID, Title: "О бюджете", Speaker: " Петров П. ", Position: 9})
	if err != nil {
		t.Fatal(err)
	}
	if upd.Title != "О бюджете" || upd.Speaker != "Петров П." || upd.Position != 2 {
		t.Errorf("updated item = %+v", upd)
	}
	_, err = e.s.UpdateAgendaItem(ctx, e.secretary.ID, storage.AgendaItem{ID: items[1].ID})
	wantErr(t, "UpdateAgendaItem(empty)", err, storage.ErrInvalid)
	_, err = e.s.UpdateAgendaItem(ctx, e.secretary.ID, storage.AgendaItem{ID: items[3].ID + 100, Title: "А"})
	wantErr(t, "UpdateAgendaItem(unknown)", err, storage.ErrNotFound)

	// Deleting the second renumbers the rest 1..3.
	if err := e.s.DeleteAgendaItem(ctx, e.secretary.ID, items[1].ID); err != nil {
		t.Fatal(err)
	}
	if err := e.s.DeleteAgendaItem(ctx, e.secretary.ID, items[1].ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("DeleteAgendaItem(deleted) = %v, want ErrNotFound", err)
	}
	list, err := e.s.ListAgenda(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, item := range list {
		got = append(got, fmt.Sprintf("%d %s", item.Position, item.Title))
	}
	if diff := cmp.Diff([]string{"1 Вопрос 1", "2 Вопрос 3", "3 Вопрос 4"}, got); diff != "" {
		t.Errorf("agenda after a delete (-want +got):\n%s", diff)
	}
	if item, err := e.s.FindAgendaItem(ctx, items[3].ID); err != nil || item.Position != 3 {
		t.Errorf("FindAgendaItem = %+v, %v; want position 3", item, err)
	}
	_, err = e.s.FindAgendaItem(ctx, items[1].ID)
	wantErr(t, "FindAgendaItem(deleted)", err, storage.ErrNotFound)
	if next, err := e.s.AddAgendaItem(ctx, e.secretary.ID, m.ID, "Разное", ""); err != nil || next.Position != 4 {
		t.Errorf("AddAgendaItem after a delete = %d, %v; want position 4", next.Position, err)
	}

	// A held meeting's agenda is the record; so is a decided item's.
	held := e.held(t, 3, e.chair.ID)
	heldItems, err := e.s.ListAgenda(ctx, held.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.RecordDecision(ctx, e.secretary.ID, heldItems[0].ID, "Принять", 1, 0, 0, 1); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.AddAgendaItem(ctx, e.secretary.ID, held.ID, "Ещё", "")
	wantErr(t, "AddAgendaItem(held)", err, storage.ErrConflict)
	_, err = e.s.UpdateAgendaItem(ctx, e.secretary.ID, storage.AgendaItem{ID: heldItems[0].ID, Title: "Б"})
	wantErr(t, "UpdateAgendaItem(decided)", err, storage.ErrConflict)
	wantErr(t, "DeleteAgendaItem(decided)", e.s.DeleteAgendaItem(ctx, e.secretary.ID, heldItems[0].ID), storage.ErrConflict)

	cancelled, err := e.s.CancelMeeting(ctx, e.secretary.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.s.AddAgendaItem(ctx, e.secretary.ID, cancelled.ID, "Ещё", "")
	wantErr(t, "AddAgendaItem(cancelled)", err, storage.ErrConflict)
	wantErr(t, "DeleteAgendaItem(cancelled)", e.s.DeleteAgendaItem(ctx, e.secretary.ID, items[0].ID), storage.ErrConflict)
}

func TestMeetingMaterials(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 1)

	m := e.draft(t, 5)
	plan, report := e.attachment(t, "план"), e.attachment(t, "отчёт")
	if err := e.s.AddMaterial(ctx, e.secretary.ID, m.ID, plan.ID, "План на год", "file-1"); err != nil {
		t.Fatal(err)
	}
	if err := e.s.AddMaterial(ctx, e.secretary.ID, m.ID, report.ID, "", "file-2"); err != nil {
		t.Fatal(err)
	}
	if err := e.s.AddMaterial(ctx, e.secretary.ID, m.ID, plan.ID, "Снова", "file-3"); err != nil {
		t.Errorf("AddMaterial(again) = %v, want nil", err)
	}
	list, err := e.s.ListMaterials(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []storage.Material{
		{MeetingID: m.ID, AttachmentID: plan.ID, Position: 1, Name: "План на год", FileID: "file-1"},
		{MeetingID: m.ID, AttachmentID: report.ID, Position: 2, Name: "отчёт.pdf", FileID: "file-2"},
	}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("materials (-want +got):\n%s", diff)
	}
	wantErr(t, "AddMaterial(unknown attachment)", e.s.AddMaterial(ctx, e.secretary.ID, m.ID, report.ID+100, "", ""), storage.ErrNotFound)
	wantErr(t, "AddMaterial(unknown meeting)", e.s.AddMaterial(ctx, e.secretary.ID, m.ID+100, plan.ID, "", ""), storage.ErrNotFound)

	if _, err := e.s.SendMeeting(ctx, e.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	third := e.attachment(t, "смета")
	if err := e.s.AddMaterial(ctx, e.secretary.ID, m.ID, third.ID, "Смета", ""); err != nil {
		t.Errorf("AddMaterial(sent) = %v, want nil", err)
	}
	if _, err := e.s.CancelMeeting(ctx, e.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "AddMaterial(cancelled)", e.s.AddMaterial(ctx, e.secretary.ID, m.ID, e.attachment(t, "ещё").ID, "", ""), storage.ErrConflict)
}

func TestMeetingGuests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 2)
	other := mustPerson(t, e.s, 397, "Методист Мария", storage.RoleTeacher, e.school.ID)
	forgotten := mustPerson(t, e.s, 396, "Забытый Захар", storage.RoleTeacher, e.school.ID)
	if err := e.s.ForgetPerson(ctx, forgotten.ID); err != nil {
		t.Fatal(err)
	}

	m := e.draft(t, 5)
	if err := e.s.AddGuest(ctx, e.secretary.ID, m.ID, e.teacher.ID, storage.InviteeGuest); err != nil {
		t.Fatal(err)
	}
	if err := e.s.AddGuest(ctx, e.secretary.ID, m.ID, e.teacher.ID, storage.InviteeAdvisory); err != nil {
		t.Fatalf("AddGuest(again, advisory): %v", err)
	}
	v, err := e.s.FindInvitee(ctx, m.ID, e.teacher.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := storage.Invitee{MeetingID: m.ID, PersonID: e.teacher.ID, Role: storage.InviteeAdvisory,
		FullName: "Учитель Ульяна", TelegramID: 398, Delivery: storage.DeliveryPending}
	if diff := cmp.Diff(want, v); diff != "" {
		t.Errorf("guest (-want +got):\n%s", diff)
	}

	for _, tt := range []struct {
		name     string
		meeting  int64
		person   int64
		role     storage.InviteeRole
		expected error
	}{
		{"member role", m.ID, other.ID, storage.InviteeMember, storage.ErrInvalid},
		{"unknown role", m.ID, other.ID, "boss", storage.ErrInvalid},
		{"presidium member", m.ID, e.members[0].ID, storage.InviteeGuest, storage.ErrInvalid},
		{"chair", m.ID, e.chair.ID, storage.InviteeAdvisory, storage.ErrInvalid},
		{"forgotten person", m.ID, forgotten.ID, storage.InviteeGuest, storage.ErrNotFound},
		{"unknown person", m.ID, other.ID + 100, storage.InviteeGuest, storage.ErrNotFound},
		{"unknown meeting", m.ID + 100, other.ID, storage.InviteeGuest, storage.ErrNotFound},
	} {
		wantErr(t, "AddGuest("+tt.name+")", e.s.AddGuest(ctx, e.secretary.ID, tt.meeting, tt.person, tt.role), tt.expected)
	}

	// Sent, then a guest added: delivery pending; members cannot be removed.
	if _, err := e.s.SendMeeting(ctx, e.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.s.SetDelivery(ctx, m.ID, e.teacher.ID, storage.DeliverySent); err != nil {
		t.Fatal(err)
	}
	if err := e.s.AddGuest(ctx, e.secretary.ID, m.ID, other.ID, storage.InviteeGuest); err != nil {
		t.Fatal(err)
	}
	if v, err := e.s.FindInvitee(ctx, m.ID, other.ID); err != nil || v.Delivery != storage.DeliveryPending || v.Role != storage.InviteeGuest {
		t.Errorf("guest added after sending = %+v, %v; want a pending guest", v, err)
	}
	wantErr(t, "RemoveGuest(member)", e.s.RemoveGuest(ctx, e.secretary.ID, m.ID, e.members[0].ID), storage.ErrInvalid)
	if _, err := e.s.FindInvitee(ctx, m.ID, e.members[0].ID); err != nil {
		t.Errorf("member after RemoveGuest refused: %v", err)
	}
	if err := e.s.RemoveGuest(ctx, e.secretary.ID, m.ID, other.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.FindInvitee(ctx, m.ID, other.ID)
	wantErr(t, "FindInvitee(removed)", err, storage.ErrNotFound)
	wantErr(t, "RemoveGuest(not invited)", e.s.RemoveGuest(ctx, e.secretary.ID, m.ID, other.ID), storage.ErrNotFound)

	if _, err := e.s.CancelMeeting(ctx, e.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "AddGuest(cancelled)", e.s.AddGuest(ctx, e.secretary.ID, m.ID, other.ID, storage.InviteeGuest), storage.ErrConflict)
}

func TestMeetingSearchPeople(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 3)
	gone := mustPerson(t, e.s, 396, "Борисова Анна", storage.RoleTeacher, e.school.ID)
	if err := e.s.ForgetPerson(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}

	names := func(query string, limit int) []string {
		t.Helper()
		people, err := e.s.SearchPeople(ctx, query, limit)
		if err != nil {
			t.Fatalf("SearchPeople(%q): %v", query, err)
		}
		var out []string
		for _, p := range people {
			out = append(out, p.FullName)
		}
		return out
	}
	for _, tt := range []struct {
		query string
		limit int
		want  []string
	}{
		{"ольга АНДР", 10, []string{"Андреева Ольга"}},
		{"ВЕРА", 10, []string{"Васильева Вера"}},
		{"ЕВА", 10, []string{"Андреева Ольга", "Васильева Вера"}},
		{"ева", 1, []string{"Андреева Ольга"}},
		{"ов борис", 10, []string{"Борисов Борис"}},
		{"нет такого", 10, nil},
		{"%", 10, nil},
		{"ов", 0, nil},
	} {
		if diff := cmp.Diff(tt.want, names(tt.query, tt.limit)); diff != "" {
			t.Errorf("SearchPeople(%q, %d) (-want +got):\n%s", tt.query, tt.limit, diff)
		}
	}
}

func TestMeetingSend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 3)

	// A forgotten member is off the list; an inactive one stays on it.
	if err := e.s.ForgetPerson(ctx, e.members[2].ID); err != nil {
		t.Fatal(err)
	}
	if err := e.s.DeactivatePerson(ctx, 0, e.members[1].ID); err != nil {
		t.Fatal(err)
	}
	if n, err := e.s.PresidiumSize(ctx); err != nil || n != 3 {
		t.Errorf("PresidiumSize = %d, %v; want 3", n, err)
	}

	m, err := e.s.CreateMeeting(ctx, e.secretary.ID, storage.Meeting{Kind: storage.MeetingRegular, StartsAt: start.Add(72 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.s.SendMeeting(ctx, e.secretary.ID, m.ID)
	wantErr(t, "SendMeeting(no agenda, no place)", err, storage.ErrInvalid)
	if _, err := e.s.AddAgendaItem(ctx, e.secretary.ID, m.ID, "О плане", ""); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.SendMeeting(ctx, e.secretary.ID, m.ID)
	wantErr(t, "SendMeeting(no place or link)", err, storage.ErrInvalid)
	m.Link = "https://meet.example/q"
	if _, _, err := e.s.UpdateMeeting(ctx, e.secretary.ID, m); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.SendMeeting(ctx, e.secretary.ID, m.ID+100)
	wantErr(t, "SendMeeting(unknown)", err, storage.ErrNotFound)

	// Guests: the teacher, and the secretary, who joins the presidium
	// before the notice goes.
	if err := e.s.AddGuest(ctx, e.secretary.ID, m.ID, e.teacher.ID, storage.InviteeGuest); err != nil {
		t.Fatal(err)
	}
	if err := e.s.AddGuest(ctx, e.secretary.ID, m.ID, e.secretary.ID, storage.InviteeAdvisory); err != nil {
		t.Fatal(err)
	}
	mustPerson(t, e.s, 399, "Секретарь Светлана", storage.RolePresidium, 0)

	e.clock.Add(time.Hour)
	list, err := e.s.SendMeeting(ctx, e.secretary.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Name     string
		Role     storage.InviteeRole
		TG       int64
		Delivery storage.DeliveryStatus
	}
	var got []row
	for _, v := range list {
		got = append(got, row{v.FullName, v.Role, v.TelegramID, v.Delivery})
	}
	want := []row{
		{"Андреева Ольга", storage.InviteeMember, 300, storage.DeliveryPending},
		{"Борисов Борис", storage.InviteeMember, 301, storage.DeliveryPending},
		{"Васильева Вера", storage.InviteeMember, 302, storage.DeliveryPending},
		{"Секретарь Светлана", storage.InviteeMember, 399, storage.DeliveryPending},
		{"Учитель Ульяна", storage.InviteeGuest, 398, storage.DeliveryPending},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SendMeeting invitees (-want +got):\n%s", diff)
	}
	again, err := e.s.ListInvitees(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(list, again); diff != "" {
		t.Errorf("ListInvitees differs from SendMeeting (-send +list):\n%s", diff)
	}
	sent, err := e.s.FindMeeting(ctx, m.ID)
	if err != nil || sent.Status != storage.MeetingSent || !sent.SentAt.Equal(start.Add(time.Hour)) {
		t.Errorf("sent meeting = %+v, %v", sent, err)
	}
	_, err = e.s.SendMeeting(ctx, e.secretary.ID, m.ID)
	wantErr(t, "SendMeeting(sent)", err, storage.ErrConflict)

	// With nobody on the presidium nothing can be sent.
	lone := newMeetEnv(t, 0)
	if err := lone.s.ForgetPerson(ctx, lone.chair.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := lone.s.PresidiumSize(ctx); err != nil || n != 0 {
		t.Errorf("PresidiumSize(none) = %d, %v", n, err)
	}
	_, err = lone.s.SendMeeting(ctx, lone.secretary.ID, lone.draft(t, 3).ID)
	wantErr(t, "SendMeeting(empty presidium)", err, storage.ErrInvalid)
}

func TestMeetingRSVP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 2)

	m := e.draft(t, 5)
	_, err := e.s.SetRSVP(ctx, m.ID, e.chair.ID, storage.RSVPYes, "")
	wantErr(t, "SetRSVP(draft)", err, storage.ErrConflict)
	if _, err := e.s.SendMeeting(ctx, e.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}

	e.clock.Add(time.Minute)
	v, err := e.s.SetRSVP(ctx, m.ID, e.members[0].ID, storage.RSVPNo, "  в отпуске ")
	if err != nil {
		t.Fatal(err)
	}
	want := storage.Invitee{MeetingID: m.ID, PersonID: e.members[0].ID, Role: storage.InviteeMember,
		FullName: "Борисов Борис", TelegramID: 301, RSVP: storage.RSVPNo, Reason: "в отпуске",
		RSVPAt: start.Add(time.Minute), Delivery: storage.DeliveryPending}
	if diff := cmp.Diff(want, v); diff != "" {
		t.Errorf("SetRSVP(no) (-want +got):\n%s", diff)
	}
	// A change of mind drops the reason.
	e.clock.Add(time.Minute)
	if v, err = e.s.SetRSVP(ctx, m.ID, e.members[0].ID, storage.RSVPOnline, "ignored"); err != nil {
		t.Fatal(err)
	}
	if v.RSVP != storage.RSVPOnline || v.Reason != "" || !v.RSVPAt.Equal(start.Add(2*time.Minute)) {
		t.Errorf("SetRSVP(online) = %+v", v)
	}

	_, err = e.s.SetRSVP(ctx, m.ID, e.chair.ID, storage.RSVPNone, "")
	wantErr(t, "SetRSVP(none)", err, storage.ErrInvalid)
	_, err = e.s.SetRSVP(ctx, m.ID, e.teacher.ID, storage.RSVPYes, "")
	wantErr(t, "SetRSVP(not invited)", err, storage.ErrNotFound)
	_, err = e.s.SetRSVP(ctx, m.ID+100, e.chair.ID, storage.RSVPYes, "")
	wantErr(t, "SetRSVP(unknown meeting)", err, storage.ErrNotFound)

	if err := e.s.SetDelivery(ctx, m.ID, e.chair.ID, storage.DeliveryBlocked); err != nil {
		t.Fatal(err)
	}
	if v, err := e.s.FindInvitee(ctx, m.ID, e.chair.ID); err != nil || v.Delivery != storage.DeliveryBlocked {
		t.Errorf("delivery = %q, %v; want blocked", v.Delivery, err)
	}
	wantErr(t, "SetDelivery(unknown status)", e.s.SetDelivery(ctx, m.ID, e.chair.ID, "lost"), storage.ErrInvalid)
	wantErr(t, "SetDelivery(not invited)", e.s.SetDelivery(ctx, m.ID, e.teacher.ID, storage.DeliverySent), storage.ErrNotFound)
	_, err = e.s.FindInvitee(ctx, m.ID, e.teacher.ID)
	wantErr(t, "FindInvitee(not invited)", err, storage.ErrNotFound)

	if _, err := e.s.MarkHeld(ctx, e.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.SetRSVP(ctx, m.ID, e.chair.ID, storage.RSVPYes, "")
	wantErr(t, "SetRSVP(held)", err, storage.ErrConflict)
}

func TestMeetingHeld(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 2)

	draft := e.draft(t, 1)
	wantErr(t, "SetPresent(draft)", e.s.SetPresent(ctx, e.secretary.ID, draft.ID, e.chair.ID, true), storage.ErrConflict)
	_, err := e.s.MarkHeld(ctx, e.secretary.ID, draft.ID)
	wantErr(t, "MarkHeld(draft)", err, storage.ErrConflict)

	m := e.sent(t, 2)
	if err := e.s.AddGuest(ctx, e.secretary.ID, m.ID, e.teacher.ID, storage.InviteeGuest); err != nil {
		t.Fatal(err)
	}
	if err := e.s.SetPresent(ctx, e.secretary.ID, m.ID, e.chair.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := e.s.SetPresent(ctx, e.secretary.ID, m.ID, e.teacher.ID, true); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "SetPresent(not invited)", e.s.SetPresent(ctx, e.secretary.ID, m.ID, e.secretary.ID, true), storage.ErrNotFound)

	e.clock.Add(2 * time.Hour)
	held, err := e.s.MarkHeld(ctx, e.secretary.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if held.Status != storage.MeetingHeld || !held.HeldAt.Equal(start.Add(2*time.Hour)) {
		t.Errorf("held = %s at %v", held.Status, held.HeldAt)
	}
	list, err := e.s.ListInvitees(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	present := map[int64]string{}
	for _, v := range list {
		switch {
		case v.Present == nil:
			present[v.PersonID] = "unmarked"
		case *v.Present:
			present[v.PersonID] = "present"
		default:
			present[v.PersonID] = "absent"
		}
	}
	wantPresent := map[int64]string{e.chair.ID: "present", e.members[0].ID: "absent", e.members[1].ID: "absent", e.teacher.ID: "present"}
	if diff := cmp.Diff(wantPresent, present); diff != "" {
		t.Errorf("attendance after MarkHeld (-want +got):\n%s", diff)
	}

	// Again: a no-op; corrections after are fine.
	e.clock.Add(time.Hour)
	if again, err := e.s.MarkHeld(ctx, e.secretary.ID, m.ID); err != nil || !again.HeldAt.Equal(held.HeldAt) {
		t.Errorf("MarkHeld(again) = %v, %v; want the first time kept", again.HeldAt, err)
	}
	if err := e.s.SetPresent(ctx, e.secretary.ID, m.ID, e.members[0].ID, true); err != nil {
		t.Errorf("SetPresent(held) = %v", err)
	}

	cancelled, err := e.s.CancelMeeting(ctx, e.secretary.ID, e.sent(t, 3).ID)
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, "SetPresent(cancelled)", e.s.SetPresent(ctx, e.secretary.ID, cancelled.ID, e.chair.ID, true), storage.ErrConflict)
	_, err = e.s.MarkHeld(ctx, e.secretary.ID, cancelled.ID)
	wantErr(t, "MarkHeld(cancelled)", err, storage.ErrConflict)
	_, err = e.s.MarkHeld(ctx, e.secretary.ID, cancelled.ID+100)
	wantErr(t, "MarkHeld(unknown)", err, storage.ErrNotFound)
}

func TestMeetingDecision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 6)

	m := e.sent(t, 1)
	items, err := e.s.ListAgenda(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	item := items[0]
	_, err = e.s.RecordDecision(ctx, e.secretary.ID, item.ID, "Утвердить план", 1, 0, 0, 1)
	wantErr(t, "RecordDecision(sent)", err, storage.ErrConflict)

	// Six of seven present; a guest present does not count.
	present := []int64{e.chair.ID}
	for _, p := range e.members[:5] {
		present = append(present, p.ID)
	}
	for _, id := range present {
		if err := e.s.SetPresent(ctx, e.secretary.ID, m.ID, id, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.s.AddGuest(ctx, e.secretary.ID, m.ID, e.teacher.ID, storage.InviteeAdvisory); err != nil {
		t.Fatal(err)
	}
	if err := e.s.SetPresent(ctx, e.secretary.ID, m.ID, e.teacher.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.MarkHeld(ctx, e.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}

	e.clock.Add(time.Hour)
	got, err := e.s.RecordDecision(ctx, e.secretary.ID, item.ID, " Утвердить план ", 3, 2, 1, 6)
	if err != nil {
		t.Fatal(err)
	}
	want := storage.AgendaItem{ID: item.ID, MeetingID: m.ID, Position: 1, Title: item.Title, Speaker: item.Speaker,
		Decision: "Утвердить план", For: 3, Against: 2, Abstain: 1, Adopted: true, Decided: start.Add(time.Hour)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RecordDecision (-want +got):\n%s", diff)
	}
	if found, err := e.s.FindAgendaItem(ctx, item.ID); err != nil || !cmp.Equal(want, found) {
		t.Errorf("FindAgendaItem = %+v, %v; want %+v", found, err, want)
	}
	// Recording again replaces: 2 of 6 is not half.
	if got, err = e.s.RecordDecision(ctx, e.secretary.ID, item.ID, "Утвердить план", 2, 3, 1, 6); err != nil || got.Adopted || got.For != 2 {
		t.Errorf("RecordDecision(2 of 6) = %+v, %v; want not adopted", got, err)
	}

	for _, tt := range []struct {
		name                            string
		decision                        string
		votesFor, against, abstain, prs int
	}{
		{"present not as marked", "Д", 3, 0, 0, 5},
		{"present not as marked, more", "Д", 3, 0, 0, 7},
		{"more votes than present", "Д", 4, 2, 1, 6},
		{"negative votes", "Д", -1, 0, 0, 6},
		{"empty decision", " ", 6, 0, 0, 6},
		{"nobody present", "Д", 0, 0, 0, 0},
	} {
		_, err := e.s.RecordDecision(ctx, e.secretary.ID, item.ID, tt.decision, tt.votesFor, tt.against, tt.abstain, tt.prs)
		wantErr(t, "RecordDecision("+tt.name+")", err, storage.ErrInvalid)
	}
	_, err = e.s.RecordDecision(ctx, e.secretary.ID, item.ID+100, "Д", 1, 0, 0, 6)
	wantErr(t, "RecordDecision(unknown item)", err, storage.ErrNotFound)

	// One marked absent after: five present, three for is adopted.
	if err := e.s.SetPresent(ctx, e.secretary.ID, m.ID, e.members[4].ID, false); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		votesFor, present int
		adopted           bool
	}{
		{3, 5, true},
		{2, 5, false},
		{5, 5, true},
	} {
		got, err := e.s.RecordDecision(ctx, e.secretary.ID, item.ID, "Утвердить план", tt.votesFor, 0, 0, tt.present)
		if err != nil || got.Adopted != tt.adopted {
			t.Errorf("RecordDecision(%d of %d) = adopted %v, %v; want %v", tt.votesFor, tt.present, got.Adopted, err, tt.adopted)
		}
	}
}

func TestMeetingDecisionTasks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 1)

	m := e.held(t, 1, e.chair.ID)
	items, err := e.s.ListAgenda(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ids, err := e.s.DecisionTasks(ctx, items[0].ID); err != nil || len(ids) != 0 {
		t.Errorf("DecisionTasks(none) = %v, %v", ids, err)
	}
	prog, dirs, err := e.s.EnsureProgramme(ctx, 0, e.school.ID, "2026/2027")
	if err != nil {
		t.Fatal(err)
	}
	var tasks []int64
	for i := range 2 {
		task, err := e.s.CreateTask(ctx, e.secretary.ID, storage.Task{ProgrammeID: prog.ID, DirectionID: dirs[0].ID,
			Title: fmt.Sprintf("Исполнить решение, часть %d", i+1), Due: day(2027, 2, 1)},
			[]storage.Assignment{{PersonID: e.teacher.ID, Status: storage.TaskAssigned}})
		if err != nil {
			t.Fatal(err)
		}
		tasks = append(tasks, task.ID)
	}
	// linkDecisionTask is called inside the store; the test writes the rows
	// it writes.
	for _, id := range []int64{tasks[1], tasks[0]} {
		if _, err := e.s.Pool().Exec(ctx, `insert into decision_tasks (item_id, task_id) values ($1, $2)`, items[0].ID, id); err != nil {
			t.Fatal(err)
		}
	}
	ids, err := e.s.DecisionTasks(ctx, items[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tasks, ids); diff != "" {
		t.Errorf("DecisionTasks (-want +got):\n%s", diff)
	}
}

func TestMeetingMinutes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 1)

	m := e.sent(t, 1)
	page1, page2, doc := e.attachment(t, "стр1"), e.attachment(t, "стр2"), e.attachment(t, "протокол")
	wantErr(t, "AddMinutesFile(sent)", e.s.AddMinutesFile(ctx, e.secretary.ID,
		storage.MinutesFile{MeetingID: m.ID, AttachmentID: page1.ID, Kind: "photo"}), storage.ErrConflict)
	if _, err := e.s.MarkHeld(ctx, e.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	_, err := e.s.MarkMinutesSent(ctx, e.secretary.ID, m.ID)
	wantErr(t, "MarkMinutesSent(no file)", err, storage.ErrInvalid)

	for _, f := range []storage.MinutesFile{
		{MeetingID: m.ID, AttachmentID: page1.ID, Kind: "photo", FileID: "p1", Position: 7},
		{MeetingID: m.ID, AttachmentID: page2.ID, Kind: "photo", FileID: "p2"},
		{MeetingID: m.ID, AttachmentID: page2.ID, Kind: "photo", FileID: "p2-again"},
	} {
		if err := e.s.AddMinutesFile(ctx, e.secretary.ID, f); err != nil {
			t.Fatal(err)
		}
	}
	wantErr(t, "AddMinutesFile(kind)", e.s.AddMinutesFile(ctx, e.secretary.ID,
		storage.MinutesFile{MeetingID: m.ID, AttachmentID: doc.ID, Kind: "voice"}), storage.ErrInvalid)
	wantErr(t, "AddMinutesFile(unknown attachment)", e.s.AddMinutesFile(ctx, e.secretary.ID,
		storage.MinutesFile{MeetingID: m.ID, AttachmentID: doc.ID + 100, Kind: "document"}), storage.ErrNotFound)
	list, err := e.s.ListMinutesFiles(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []storage.MinutesFile{
		{MeetingID: m.ID, AttachmentID: page1.ID, Position: 1, Kind: "photo", Name: "стр1.pdf", FileID: "p1"},
		{MeetingID: m.ID, AttachmentID: page2.ID, Position: 2, Kind: "photo", Name: "стр2.pdf", FileID: "p2"},
	}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("minutes (-want +got):\n%s", diff)
	}

	// Cleared, the pages go, with their attachments.
	if err := e.s.ClearMinutesFiles(ctx, e.secretary.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	if list, err := e.s.ListMinutesFiles(ctx, m.ID); err != nil || len(list) != 0 {
		t.Errorf("minutes after clearing = %v, %v", list, err)
	}
	if n := countAttachments(t, e.s, page1.ID, page2.ID, doc.ID); n != 1 {
		t.Errorf("%d attachments left after clearing, want 1", n)
	}

	if err := e.s.AddMinutesFile(ctx, e.secretary.ID, storage.MinutesFile{MeetingID: m.ID, AttachmentID: doc.ID, Kind: "document", Name: "Протокол № 1.pdf"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Hour)
	sent, err := e.s.MarkMinutesSent(ctx, e.secretary.ID, m.ID)
	if err != nil || !sent.MinutesSentAt.Equal(start.Add(time.Hour)) {
		t.Errorf("MarkMinutesSent = %v, %v", sent.MinutesSentAt, err)
	}
	_, err = e.s.MarkMinutesSent(ctx, e.secretary.ID, m.ID)
	wantErr(t, "MarkMinutesSent(again)", err, storage.ErrConflict)
	wantErr(t, "AddMinutesFile(minutes sent)", e.s.AddMinutesFile(ctx, e.secretary.ID,
		storage.MinutesFile{MeetingID: m.ID, AttachmentID: page1.ID, Kind: "photo"}), storage.ErrConflict)
	wantErr(t, "ClearMinutesFiles(minutes sent)", e.s.ClearMinutesFiles(ctx, e.secretary.ID, m.ID), storage.ErrConflict)
	wantErr(t, "ClearMinutesFiles(unknown)", e.s.ClearMinutesFiles(ctx, e.secretary.ID, m.ID+100), storage.ErrNotFound)
	_, err = e.s.MarkMinutesSent(ctx, e.secretary.ID, m.ID+100)
	wantErr(t, "MarkMinutesSent(unknown)", err, storage.ErrNotFound)
}

// countAttachments counts those of the attachments still stored.
func countAttachments(t *testing.T, s *storage.Store, ids ...int64) int {
	t.Helper()
	var n int
	if err := s.Pool().QueryRow(context.Background(), `select count(*) from attachments where id = any($1)`, ids).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMeetingsBetween(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 1)

	e.draft(t, 2)
	late := e.sent(t, 4)
	early := e.held(t, 3)
	cancelled, err := e.s.CancelMeeting(ctx, e.secretary.ID, e.sent(t, 5).ID)
	if err != nil {
		t.Fatal(err)
	}
	e.sent(t, 9)
	list, err := e.s.MeetingsBetween(ctx, start.Add(24*time.Hour), start.Add(9*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, m := range list {
		ids = append(ids, m.ID)
	}
	if diff := cmp.Diff([]int64{early.ID, late.ID, cancelled.ID}, ids); diff != "" {
		t.Errorf("MeetingsBetween (-want +got):\n%s", diff)
	}
}

func TestMeetingClaims(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 1)
	m := e.sent(t, 3)

	// Replicas race for the same reminder: one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := e.s.ClaimReminder(ctx, m.ID, e.chair.ID, storage.RemindDayBefore)
			if err != nil {
				t.Errorf("ClaimReminder: %v", err)
				return
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("concurrent ClaimReminder won %d times, want 1", wins)
	}
	for _, tt := range []struct {
		person int64
		kind   storage.MeetingReminder
		want   bool
	}{
		{e.chair.ID, storage.RemindDayBefore, false},
		{e.chair.ID, storage.RemindTwoHours, true},
		{e.members[0].ID, storage.RemindDayBefore, true},
		{0, storage.RemindQuorum, true},
		{0, storage.RemindQuorum, false},
		{0, storage.RemindMinutes3, true},
	} {
		if ok, err := e.s.ClaimReminder(ctx, m.ID, tt.person, tt.kind); err != nil || ok != tt.want {
			t.Errorf("ClaimReminder(%d, %s) = %v, %v; want %v", tt.person, tt.kind, ok, err, tt.want)
		}
	}
	_, err := e.s.ClaimReminder(ctx, m.ID, 0, "weekly")
	wantErr(t, "ClaimReminder(unknown kind)", err, storage.ErrInvalid)
	_, err = e.s.ClaimReminder(ctx, m.ID+100, 0, storage.RemindQuorum)
	wantErr(t, "ClaimReminder(unknown meeting)", err, storage.ErrNotFound)

	// Nudges: once per meeting and day, also when raced.
	today := day(2026, 12, 25)
	wins = 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := e.s.ClaimNudge(ctx, m.ID, today)
			if err != nil {
				t.Errorf("ClaimNudge: %v", err)
				return
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("concurrent ClaimNudge won %d times, want 1", wins)
	}
	if ok, err := e.s.ClaimNudge(ctx, m.ID, day(2026, 12, 26)); err != nil || !ok {
		t.Errorf("ClaimNudge(next day) = %v, %v; want true", ok, err)
	}
	other := e.sent(t, 4)
	if ok, err := e.s.ClaimNudge(ctx, other.ID, today); err != nil || !ok {
		t.Errorf("ClaimNudge(other meeting) = %v, %v; want true", ok, err)
	}
	_, err = e.s.ClaimNudge(ctx, m.ID+100, today)
	wantErr(t, "ClaimNudge(unknown meeting)", err, storage.ErrNotFound)
}

func TestMeetingPurgeMinutes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 1)

	// An audit finding holds a photo that is also a page of old minutes.
	lead := mustPerson(t, e.s, 390, "Аудитор Анна", storage.RoleAuditor, e.school.ID)
	a, err := e.s.CreateAudit(ctx, lead.ID, storage.Audit{OrgID: e.school.ID, Area: "Закупки", Date: day(2026, 12, 25), LeadID: lead.ID})
	if err != nil {
		t.Fatal(err)
	}
	f, err := e.s.AddFinding(ctx, lead.ID, storage.Finding{AuditID: a.ID, Kind: storage.FindingMinor, Description: "Нет журнала"})
	if err != nil {
		t.Fatal(err)
	}
	page, shared, material, both, fresh := e.attachment(t, "стр"), e.attachment(t, "фото"),
		e.attachment(t, "материал"), e.attachment(t, "общий"), e.attachment(t, "новый")
	if err := e.s.AttachToFinding(ctx, lead.ID, f.ID, shared.ID, storage.AttachPhoto, 0); err != nil {
		t.Fatal(err)
	}

	old := e.draft(t, 1)
	for _, id := range []int64{material.ID, both.ID} {
		if err := e.s.AddMaterial(ctx, e.secretary.ID, old.ID, id, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.s.SendMeeting(ctx, e.secretary.ID, old.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.MarkHeld(ctx, e.secretary.ID, old.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{page.ID, shared.ID} {
		if err := e.s.AddMinutesFile(ctx, e.secretary.ID, storage.MinutesFile{MeetingID: old.ID, AttachmentID: id, Kind: "photo"}); err != nil {
			t.Fatal(err)
		}
	}
	// Sent: the journal enters the minutes with their first page.
	if _, err := e.s.MarkMinutesSent(ctx, e.secretary.ID, old.ID); err != nil {
		t.Fatal(err)
	}
	e.held(t, 2) // nothing to purge
	recent := e.draft(t, 60)
	for _, id := range []int64{both.ID, fresh.ID} {
		if err := e.s.AddMaterial(ctx, e.secretary.ID, recent.ID, id, "", ""); err != nil {
			t.Fatal(err)
		}
	}

	removed, err := e.s.PurgeMinutes(ctx, start.Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[int64]int{old.ID: 4}, removed); diff != "" {
		t.Errorf("PurgeMinutes (-want +got):\n%s", diff)
	}
	if n := countAttachments(t, e.s, page.ID, material.ID); n != 0 {
		t.Errorf("%d attachments of the old meeting alone left, want 0", n)
	}
	if n := countAttachments(t, e.s, shared.ID, both.ID, fresh.ID); n != 3 {
		t.Errorf("%d of the attachments still referred to left, want 3", n)
	}
	if list, _ := e.s.ListMinutesFiles(ctx, old.ID); len(list) != 0 {
		t.Errorf("old minutes after purge = %v", list)
	}
	// The journal keeps its line of the minutes, without their file.
	if je, err := e.s.JournalEntryBySource(ctx, storage.JournalMinutes, old.ID); err != nil || je.AttachmentID != 0 || je.FileID != "" || je.Number == "" {
		t.Errorf("journal entry of purged minutes = %+v, %v; want its number without a file", je, err)
	}
	if list, _ := e.s.ListMaterials(ctx, recent.ID); len(list) != 2 {
		t.Errorf("recent materials after purge = %v, want 2", list)
	}
	if fs, err := e.s.FindingAttachments(ctx, f.ID, true); err != nil || len(fs) != 1 || string(fs[0].Data) != "фото" {
		t.Errorf("finding's photo after purge = %v, %v", fs, err)
	}
	log := actions(t, e.s)
	if last := log[len(log)-1]; last != (actionLine{0, "meeting.purge", "meeting", old.ID}) {
		t.Errorf("last action = %+v, want the purge of %d", last, old.ID)
	}

	if removed, err := e.s.PurgeMinutes(ctx, start.Add(30*24*time.Hour)); err != nil || len(removed) != 0 {
		t.Errorf("PurgeMinutes(again) = %v, %v; want nothing", removed, err)
	}
}

func TestMeetingAttendance(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMeetEnv(t, 3)
	b, v, g := e.members[0], e.members[1], e.members[2]

	first := e.sent(t, 1)
	if err := e.s.AddGuest(ctx, e.secretary.ID, first.ID, e.teacher.ID, storage.InviteeGuest); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{e.chair.ID, b.ID, g.ID, e.teacher.ID} {
		if err := e.s.SetPresent(ctx, e.secretary.ID, first.ID, id, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.s.MarkHeld(ctx, e.secretary.ID, first.ID); err != nil {
		t.Fatal(err)
	}
	e.held(t, 2, e.chair.ID)
	e.sent(t, 3)                          // not held
	e.held(t, 40, e.chair.ID, v.ID, g.ID) // out of the period

	list, err := e.s.Attendance(ctx, start, start.Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []storage.Attendance{
		{PersonID: e.chair.ID, FullName: "Андреева Ольга", Invited: 2, Present: 2},
		{PersonID: b.ID, FullName: "Борисов Борис", Invited: 2, Present: 1},
		{PersonID: v.ID, FullName: "Васильева Вера", Invited: 2, Present: 0},
		{PersonID: g.ID, FullName: "Григорьев Глеб", Invited: 2, Present: 1},
	}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("Attendance (-want +got):\n%s", diff)
	}
}
