package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"smkbot/flows/flowtest"
	"smkbot/storage"
	"smkbot/storage/storagetest"
)

// TestForgetMeLeavesNoTrace: a person who took part in everything —
// registered by invitation, answered a survey, reported a task, led an
// audit with a finding, answered a meeting's notice — asks to be
// forgotten; then no table of the database (every schema, every column)
// and no Redis key or value holds their name or Telegram id.
func TestForgetMeLeavesNoTrace(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	const name = "Забудькина Фаина Стираевна"
	u := flowtest.User{ID: 7391846205, First: "Фаина"}
	id := strconv.FormatInt(u.ID, 10)

	// Registration, as a person does it.
	code, _, err := w.Store.CreateInvite(ctx, w.a.qm.ID, storage.RoleTeacher, w.a.org.ID, 1, time.Hour)
	must(t, err)
	w.Send(t, u, "/start "+code)
	w.Press(t, u, "onb:consent:yes")
	w.Send(t, u, name)
	flowtest.Has(t, w.Press(t, u, "onb:confirm:yes"), "Добро пожаловать")
	me, _, err := w.Store.FindPersonByTelegramID(ctx, u.ID)
	must(t, err)
	// More roles: an auditor of the school, a member of the presidium.
	w.Person(t, u, name, storage.RoleAuditor, w.a.org.ID)
	w.Person(t, u, name, storage.RolePresidium, 0)

	// A survey answered and sent.
	w.Send(t, u, "/start s_"+w.a.class.Code)
	msgs := w.Press(t, u, fmt.Sprintf("sv:go:%d", w.a.survey.ID))
	for range 3 * len(w.a.survey.Questions) {
		// A scale or a choice; ticked options confirmed; a tick; a
		// skip; the sending.
		var data string
		bs := flowtest.ButtonData(msgs)
		for _, pick := range []func(string) bool{
			func(b string) bool { return strings.HasPrefix(b, "sv:a:") },
			func(b string) bool { return strings.HasPrefix(b, "sv:d:") && !strings.HasSuffix(b, ".0") },
			func(b string) bool { return strings.HasPrefix(b, "sv:t:") },
			func(b string) bool { return strings.HasPrefix(b, "sv:s:") },
			func(b string) bool { return strings.HasPrefix(b, "sv:send:") },
		} {
			for _, b := range bs {
				if data == "" && pick(b) {
					data = b
				}
			}
		}
		if data == "" {
			msgs = w.Send(t, u, "Всё хорошо")
			continue
		}
		msgs = w.Press(t, u, data)
		if strings.HasPrefix(data, "sv:send:") {
			break
		}
	}
	flowtest.Has(t, msgs, "Спасибо")

	// A task accepted and reported.
	task, err := w.Store.CreateTask(ctx, w.a.qm.ID, storage.Task{ProgrammeID: w.a.dir.ProgrammeID, OrgID: w.a.org.ID,
		DirectionID: w.a.dir.ID, Title: "Провести родительское собрание", Due: flowtest.Start.AddDate(0, 0, 10)},
		[]storage.Assignment{{PersonID: me.ID}})
	must(t, err)
	w.Press(t, u, fmt.Sprintf("tk:acc:%d", task.ID))
	w.Press(t, u, fmt.Sprintf("tk:done:%d", task.ID))
	w.Send(t, u, "Собрание проведено, протокол у завуча")
	w.Press(t, u, fmt.Sprintf("tk:send:%d", task.ID))
	w.Press(t, u, fmt.Sprintf("tk:help:%d", task.ID))
	w.Send(t, u, "Нужен проектор")

	// An audit led, with a finding.
	au, err := w.Store.CreateAudit(ctx, me.ID, storage.Audit{OrgID: w.a.org.ID, AuditorOrgID: w.a.org.ID,
		Area: "Библиотека", Date: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), LeadID: me.ID})
	must(t, err)
	_, err = w.Store.AddFinding(ctx, me.ID, storage.Finding{AuditID: au.ID, Kind: storage.FindingObservation, Description: "Нет каталога"})
	must(t, err)
	w.Send(t, u, "/audit")

	// A meeting's notice answered.
	m, err := w.Store.CreateMeeting(ctx, w.sec.ID, storage.Meeting{Kind: storage.MeetingRegular,
		StartsAt: w.Clock.Now().Add(5 * 24 * time.Hour), Place: "Школа Альфа"})
	must(t, err)
	_, err = w.Store.AddAgendaItem(ctx, w.sec.ID, m.ID, "О библиотеке", "")
	must(t, err)
	_, err = w.Store.SendMeeting(ctx, w.sec.ID, m.ID)
	must(t, err)
	m, err = w.Store.FindMeeting(ctx, m.ID)
	must(t, err)
	w.Press(t, u, fmt.Sprintf("mt:nrsvp:%d.1.%d", m.ID, m.Version))

	// Before: the person is found, so the scan can find them.
	if hits := scanDatabase(t, w.Env, name, id); len(hits) == 0 {
		t.Fatal("the scan finds nothing before /forget_me: is it looking at the right database?")
	}

	w.Send(t, u, "/forget_me")
	flowtest.Has(t, w.Press(t, u, "onb:forget:yes"), w.L.T("onboarding.forgotten"))

	for _, hit := range scanDatabase(t, w.Env, name, id) {
		t.Errorf("after /forget_me the database still holds the person: %s", hit)
	}
	for _, hit := range scanRedis(t, name, id) {
		t.Errorf("after /forget_me Redis still holds the person: %s", hit)
	}
}

// scanDatabase looks for any of needles in every row of every table of
// every schema but the system's, each row read whole as text, and
// returns "table: row" for each hit.
func scanDatabase(t testing.TB, e *flowtest.Env, needles ...string) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := e.Store.Pool().Query(ctx, `
		select table_schema::text, table_name::text from information_schema.tables
		where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
		order by 1, 2`)
	must(t, err)
	var tables [][2]string
	for rows.Next() {
		var s, n string
		must(t, rows.Scan(&s, &n))
		tables = append(tables, [2]string{s, n})
	}
	must(t, rows.Err())
	var hits []string
	for _, tb := range tables {
		q := fmt.Sprintf(`select x::text from %q.%q x where position($1 in x::text) > 0 or position($2 in x::text) > 0`, tb[0], tb[1])
		rows, err := e.Store.Pool().Query(ctx, q, needles[0], needles[1])
		must(t, err)
		for rows.Next() {
			var row string
			must(t, rows.Scan(&row))
			hits = append(hits, tb[0]+"."+tb[1]+": "+row)
		}
		must(t, rows.Err())
	}
	return hits
}

// scanRedis looks for any of needles in the name and the value of every
// key the tests' Redis holds (the needles are this test's own, so other
// tests' keys cannot match).
func scanRedis(t testing.TB, needles ...string) []string {
	t.Helper()
	ctx := context.Background()
	rdb, _ := storagetest.Redis(t)
	var hits []string
	iter := rdb.Scan(ctx, 0, "*", 1000).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		text := key + " " + redisValue(ctx, rdb, key)
		for _, n := range needles {
			if strings.Contains(text, n) {
				hits = append(hits, key)
				break
			}
		}
	}
	must(t, iter.Err())
	return hits
}

func redisValue(ctx context.Context, rdb *redis.Client, key string) string {
	switch rdb.Type(ctx, key).Val() {
	case "string":
		return rdb.Get(ctx, key).Val()
	case "hash":
		return fmt.Sprint(rdb.HGetAll(ctx, key).Val())
	case "list":
		return strings.Join(rdb.LRange(ctx, key, 0, -1).Val(), " ")
	case "set":
		return strings.Join(rdb.SMembers(ctx, key).Val(), " ")
	case "zset":
		return strings.Join(rdb.ZRange(ctx, key, 0, -1).Val(), " ")
	}
	return ""
}
