package storage_test

import (
	"context"
	"fmt"
	"testing"

	"smkbot/storage"
)

// TestGroups: a group is created once per name, members are added by id
// (forgotten people refused), a lead must be a member and goes when
// removed; a message draft is kept as it is typed, sent to every member
// but its author, its deliveries recorded and its report claimed once;
// a task given to a member is linked to the group atomically.
func TestGroups(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	school := mustOrg(t, s, "Школа № 3")
	chair := mustPerson(t, s, 600, "Председатель Пётр", storage.RoleChair, 0)
	a := mustPerson(t, s, 601, "Андреева Анна", storage.RoleTeacher, school.ID)
	b := mustPerson(t, s, 602, "Борисова Белла", storage.RoleQualityManager, school.ID)
	c := mustPerson(t, s, 603, "Васильева Вера", storage.RolePresidium, 0)

	_, err := s.CreateGroup(ctx, chair.ID, "secret", "Тайная")
	wantErr(t, "CreateGroup(kind)", err, storage.ErrInvalid)
	_, err = s.CreateGroup(ctx, chair.ID, storage.GroupOther, "   ")
	wantErr(t, "CreateGroup(empty)", err, storage.ErrInvalid)
	g, err := s.CreateGroup(ctx, chair.ID, storage.GroupMethodological, " Консультационно-методическая   группа ")
	if err != nil {
		t.Fatal(err)
	}
	if g.Name != "Консультационно-методическая группа" || g.Kind != storage.GroupMethodological || g.LeadID != 0 {
		t.Errorf("created = %+v", g)
	}
	_, err = s.CreateGroup(ctx, chair.ID, storage.GroupOther, "КОНСУЛЬТАЦИОННО-МЕТОДИЧЕСКАЯ ГРУППА")
	wantErr(t, "CreateGroup(name taken)", err, storage.ErrConflict)

	for _, p := range []storage.Person{c, a, b} {
		if added, err := s.AddGroupMember(ctx, chair.ID, g.ID, p.ID); err != nil || !added {
			t.Fatalf("AddGroupMember(%d) = %v, %v", p.ID, added, err)
		}
	}
	if added, err := s.AddGroupMember(ctx, chair.ID, g.ID, a.ID); err != nil || added {
		t.Errorf("AddGroupMember(again) = %v, %v", added, err)
	}
	_, err = s.AddGroupMember(ctx, chair.ID, g.ID, a.ID+1000)
	wantErr(t, "AddGroupMember(unknown person)", err, storage.ErrNotFound)
	_, err = s.AddGroupMember(ctx, chair.ID, g.ID+1000, a.ID)
	wantErr(t, "AddGroupMember(unknown group)", err, storage.ErrNotFound)
	members, err := s.ListGroupMembers(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range members {
		names = append(names, m.FullName)
	}
	if fmt.Sprint(names) != "[Андреева Анна Борисова Белла Васильева Вера]" || members[0].OrgID != school.ID || members[0].TelegramID != 601 {
		t.Errorf("members = %+v", members)
	}

	_, err = s.SetGroupLead(ctx, chair.ID, g.ID, chair.ID)
	wantErr(t, "SetGroupLead(not a member)", err, storage.ErrInvalid)
	g, err = s.SetGroupLead(ctx, chair.ID, g.ID, b.ID)
	if err != nil || g.LeadID != b.ID || g.Members != 3 {
		t.Fatalf("SetGroupLead = %+v, %v", g, err)
	}
	if mine, err := s.GroupsOf(ctx, a.ID); err != nil || len(mine) != 1 || mine[0].ID != g.ID {
		t.Errorf("GroupsOf(member) = %v, %v", mine, err)
	}
	if mine, err := s.GroupsOf(ctx, chair.ID); err != nil || len(mine) != 0 {
		t.Errorf("GroupsOf(not a member) = %v, %v", mine, err)
	}

	// A message: the draft replaced as it is retyped, then sent.
	_, err = s.SaveGroupMessageDraft(ctx, b.ID, g.ID, " ")
	wantErr(t, "SaveGroupMessageDraft(empty)", err, storage.ErrInvalid)
	d1, err := s.SaveGroupMessageDraft(ctx, b.ID, g.ID, "Встреча в пятницу")
	if err != nil {
		t.Fatal(err)
	}
	d2, err := s.SaveGroupMessageDraft(ctx, b.ID, g.ID, "Встреча в четверг")
	if err != nil || d2.ID != d1.ID || d2.Text != "Встреча в четверг" {
		t.Fatalf("retyped draft = %+v, %v", d2, err)
	}
	if ok, err := s.ClaimGroupReport(ctx, d2.ID); err != nil || ok {
		t.Errorf("ClaimGroupReport(draft) = %v, %v", ok, err)
	}
	sent, n, err := s.SendGroupMessage(ctx, b.ID, d2.ID)
	if err != nil || n != 2 || sent.SentAt.IsZero() {
		t.Fatalf("SendGroupMessage = %+v, %d, %v", sent, n, err)
	}
	_, _, err = s.SendGroupMessage(ctx, b.ID, d2.ID)
	wantErr(t, "SendGroupMessage(again)", err, storage.ErrConflict)
	if err := s.SetGroupDelivery(ctx, d2.ID, a.ID, storage.DeliveryBlocked); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "SetGroupDelivery(author)", s.SetGroupDelivery(ctx, d2.ID, b.ID, storage.DeliverySent), storage.ErrNotFound)
	ds, err := s.GroupDeliveries(ctx, d2.ID)
	if err != nil || len(ds) != 2 || ds[0].PersonID != a.ID || ds[0].Status != storage.DeliveryBlocked || ds[1].Status != storage.DeliveryPending {
		t.Errorf("GroupDeliveries = %+v, %v", ds, err)
	}
	if ok, err := s.ClaimGroupReport(ctx, d2.ID); err != nil || !ok {
		t.Errorf("ClaimGroupReport = %v, %v", ok, err)
	}
	if ok, err := s.ClaimGroupReport(ctx, d2.ID); err != nil || ok {
		t.Errorf("ClaimGroupReport(again) = %v, %v", ok, err)
	}
	// A new draft after the sent one is a new message.
	if d3, err := s.SaveGroupMessageDraft(ctx, b.ID, g.ID, "Ещё"); err != nil || d3.ID == d2.ID {
		t.Errorf("draft after sending = %+v, %v", d3, err)
	}

	// A task for a member, linked to the group.
	prog, dirs, err := s.EnsureProgramme(ctx, 0, school.ID, "2026/2027")
	if err != nil {
		t.Fatal(err)
	}
	task, err := s.CreateLinkedTask(ctx, b.ID, storage.Task{ProgrammeID: prog.ID, OrgID: school.ID, DirectionID: dirs[0].ID,
		Title: "Подготовить обзор", Due: day(2027, 1, 20)}, []storage.Assignment{{PersonID: a.ID, Status: storage.TaskAssigned}},
		storage.TaskLink{GroupID: g.ID})
	if err != nil {
		t.Fatal(err)
	}
	if ids, err := s.GroupTasks(ctx, g.ID); err != nil || fmt.Sprint(ids) != fmt.Sprint([]int64{task.ID}) {
		t.Errorf("GroupTasks = %v, %v", ids, err)
	}

	// The lead removed: the group has none.
	if err := s.RemoveGroupMember(ctx, chair.ID, g.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "RemoveGroupMember(again)", s.RemoveGroupMember(ctx, chair.ID, g.ID, b.ID), storage.ErrNotFound)
	if g, err = s.FindGroup(ctx, g.ID); err != nil || g.LeadID != 0 || g.Members != 2 {
		t.Errorf("after removing the lead = %+v, %v", g, err)
	}
	if list, err := s.ListGroups(ctx); err != nil || len(list) != 1 {
		t.Errorf("ListGroups = %v, %v", list, err)
	}
}
