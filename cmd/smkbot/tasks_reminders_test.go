package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"smkbot/bot/bottest"
	"smkbot/storage"
)

// TestTaskReminder: a task whose reminder is due while the bot runs; the
// teacher gets exactly one reminder, however many times the job ticks, and
// opens the task's card from it. Tasks reported or cancelled before their
// reminder get none.
func TestTaskReminder(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.JobsEvery = 50 * time.Millisecond })
	ctx := context.Background()
	org, err := h.store.CreateOrganisation(ctx, 0, storage.Organisation{Name: "МБОУ СОШ № 2 г. Бийска", ShortName: "СОШ № 2", Municipality: "Бийск", Status: storage.OrgMember})
	if err != nil {
		t.Fatal(err)
	}
	teacher := h.user(8201, "Мария")
	teacher.register(h.invite(storage.RoleTeacher, org.ID, 1, time.Hour), "Иванова Мария Петровна")
	tp, _, err := h.store.FindPersonByTelegramID(ctx, teacher.u.ID)
	if err != nil {
		t.Fatal(err)
	}
	// No quiet hours and no days off, so that the test does not depend on
	// the hour or the day it runs.
	policy := storage.DefaultReminderPolicy(org.ID)
	policy.QuietFrom, policy.QuietTo, policy.Weekends = 0, 0, nil
	if err := h.store.SaveReminderPolicy(ctx, 0, policy); err != nil {
		t.Fatal(err)
	}
	prog, dirs, err := h.store.EnsureProgramme(ctx, 0, org.ID, "2026/2027")
	if err != nil {
		t.Fatal(err)
	}
	before := len(h.tg.Messages(teacher.u.ID))
	due := time.Now().In(h.cfg.Timezone).AddDate(0, 0, 10)
	due = time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, h.cfg.Timezone)
	create := func(title string, remindAt time.Time) storage.Task {
		task, err := h.store.CreateTask(ctx, 0, storage.Task{
			ProgrammeID: prog.ID, OrgID: org.ID, DirectionID: dirs[0].ID, Title: title, Due: due,
		}, []storage.Assignment{{PersonID: tp.ID, Status: storage.TaskAssigned, NextRemindAt: remindAt}})
		if err != nil {
			t.Fatal(err)
		}
		return task
	}
	create("Подготовить портфолио класса", time.Now().Add(-time.Minute))
	// Two more are due in a second, but are reported and cancelled before:
	// no reminder of them ever goes.
	soon := time.Now().Add(time.Second)
	reported := create("Отчитаться заранее", soon)
	cancelled := create("Отменённая задача", soon)
	r, err := h.store.DraftReport(ctx, reported.ID, tp.ID)
	if err != nil {
		t.Fatal(err)
	}
	r.Comment = "Сделано"
	if err := h.store.UpdateReport(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := h.store.SubmitReport(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if err := h.store.CancelTask(ctx, 0, cancelled.ID); err != nil {
		t.Fatal(err)
	}

	reminders := func() []bottest.Sent {
		var out []bottest.Sent
		for _, m := range h.tg.Messages(teacher.u.ID)[before:] {
			if strings.HasPrefix(m.Text, "⏰ Напоминание о задаче") {
				out = append(out, m)
			}
		}
		return out
	}
	if err := h.tg.Wait(20*time.Second, func() bool { return len(reminders()) > 0 }); err != nil {
		t.Fatalf("no reminder: %v\nchat:\n%s", err, teacher.transcript())
	}
	// Several more ticks of the job, past the closed tasks' time, send
	// nothing more.
	time.Sleep(time.Until(soon) + 500*time.Millisecond)
	got := reminders()
	if len(got) != 1 {
		t.Fatalf("%d reminders, want 1\nchat:\n%s", len(got), teacher.transcript())
	}
	if !strings.Contains(got[0].Text, "«Подготовить портфолио класса»") {
		t.Errorf("reminder:\n%s", got[0].Text)
	}
	teacher.press("📋 Открыть задачу")
	teacher.expect("Подготовить портфолио класса")
}
