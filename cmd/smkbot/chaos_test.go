package main

// Fault tests: the bot killed, Redis emptied, Postgres away, updates
// delivered twice, two replicas, Telegram failing. They run in `make test`
// with short faults; `make chaos` (the chaos build tag) runs them with the
// faults as long as the issue says. README, «Отказы», lists what covers what.

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"smkbot/bot/bottest"
	"smkbot/storage"
	"smkbot/storage/storagetest"
)

// TestChaosKill9MidSurvey: 100 parents answer a survey through a bot
// process that is killed with SIGKILL halfway and started again. Every
// draft resumes at the question its owner reached, every response is
// stored once, and no update finished before the kill is handled again.
func TestChaosKill9MidSurvey(t *testing.T) {
	t.Parallel()
	const parents = 100
	tg := bottest.New("123456:TEST-token")
	t.Cleanup(tg.Close)
	cfg := chaosConfig(t, tg)
	h := bareHarness(t, tg, cfg)
	sv, classes := answerSurvey(t, h, storage.Survey{Title: "Удовлетворённость родителей", ClosesAt: time.Now().Add(7 * 24 * time.Hour)}, true)
	rdb, _ := storagetest.Redis(t)

	bot := newChildBot(t, tg, cfg.DatabaseURL, cfg.RedisPrefix)
	bot.start()

	// Each parent goes a few steps into the survey: plan[i] is how many.
	// The steps after the link: start, q1, q2, q3, tick (not saved until
	// «Готово»), «Готово» (q4), the text (q5).
	steps := func(p person, class storage.SurveyClass) []func() error {
		return []func() error{
			func() error { return p.send(answerLink(class)) },
			func() error { return p.press("Начать") },
			func() error { return p.press("4") },
			func() error { return p.press("Да") },
			func() error { return p.press("Раз в месяц") },
			func() error { return p.press("☐ Футбол") },
			func() error { return p.press("Готово") },
			func() error { return p.send("Больше кружков") },
		}
	}
	// resumeAt is the question (1-based) a parent who did the first n
	// steps resumes at.
	resumeAt := []int{0, 0, 0, 2, 3, 4, 4, 5, 6}
	people := make([]person, parents)
	plan := make([]int, parents)
	total := 0
	for i := range people {
		people[i] = person{tg: tg, u: bottest.User{ID: 7400000000 + int64(i), FirstName: "Родитель"}}
		plan[i] = 3 + i%6 // 3..8 steps: at least one answer, never the last question
		total += plan[i]
	}

	var done atomic.Int64
	errs := make(chan error, parents)
	var wg sync.WaitGroup
	for i, p := range people {
		wg.Go(func() {
			for _, step := range steps(p, classes[i%2])[:plan[i]] {
				if err := step(); err != nil {
					errs <- err
					return
				}
				done.Add(1)
			}
		})
	}
	// Kill the bot with half of the steps done: updates are in flight.
	waitUntil(t, "half of the steps", func() bool { return done.Load() >= int64(total/2) })
	bot.kill()
	killedAt := done.Load()
	handledBefore := handledUpdates(bot.logs)
	inflight := claims(t, rdb, cfg.RedisPrefix+"update:", "processing")
	t.Logf("killed after %d of %d steps; %d updates handled, %d claimed in flight", killedAt, total, len(handledBefore), len(inflight))
	if !chaosLong {
		// The claims of the dead process expire after 90 s (DedupeOptions.
		// ProcessingTTL); the test expires them now instead of waiting.
		// `make chaos` waits for the real expiry.
		for id := range inflight {
			rdb.Del(context.Background(), fmt.Sprintf("%supdate:%d", cfg.RedisPrefix, id))
		}
	}
	bot.start()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// Every parent opens the link again: the intro says where they stopped,
	// by their draft in Postgres, and they finish from there.
	errs = make(chan error, parents)
	for i, p := range people {
		wg.Go(func() {
			n := resumeAt[plan[i]]
			err := p.send(answerLink(classes[i%2]))
			if err == nil {
				err = p.expect(fmt.Sprintf("Продолжим: вопрос %d из 6", n))
			}
			if err == nil {
				err = p.press("Продолжить")
			}
			if err == nil {
				err = p.expect(fmt.Sprintf("Вопрос %d из 6", n))
			}
			if err == nil {
				err = p.answerFrom(n - 1)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	bot.stop()

	checkAllAnswered(t, h, sv.ID, parents)
	// An update is handled once; only one in flight at the kill may have
	// run (part way, or to the end without being marked done) before it.
	for id, n := range handledUpdates(bot.logs) {
		if n > 1 && !inflight[id] {
			t.Errorf("update %d was handled %d times", id, n)
		}
		if n > 2 {
			t.Errorf("update %d in flight at the kill was handled %d times", id, n)
		}
	}
}

// chaosGoroutineSlack is how far an idle bot's goroutine count wanders
// (River's timers and HTTP connections come and go): 44 to 48 when measured.
const chaosGoroutineSlack = 5

// waitUntil polls cond for up to chaosWait.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(chaosWait())
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, chaosWait())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// claims lists the update ids whose dedupe key holds value.
func claims(t *testing.T, rdb *redis.Client, prefix, value string) map[int]bool {
	t.Helper()
	ctx := context.Background()
	out := map[int]bool{}
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		v, err := rdb.Get(ctx, key).Result()
		if err != nil || v != value {
			continue
		}
		var id int
		if _, err := fmt.Sscanf(strings.TrimPrefix(key, prefix), "%d", &id); err == nil {
			out[id] = true
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestChaosPostgresDown takes Postgres away from a running bot for 10 s
// (a proxy between them cuts every connection and refuses new ones). A
// parent answering then is told the bot is busy, and the answer is taken
// when Postgres is back; nothing half-written remains; a task reminder that
// fell due meanwhile is sent late, once; the goroutines come back to what
// they were.
func TestChaosPostgresDown(t *testing.T) {
	t.Parallel()
	const outage = 10 * time.Second
	ctx := context.Background()
	tg := bottest.New("123456:TEST-token")
	t.Cleanup(tg.Close)
	cfg := chaosConfig(t, tg)
	h := bareHarness(t, tg, cfg)
	proxy, viaProxy := newPGProxy(t, cfg.DatabaseURL)
	_, classes := answerSurvey(t, h, storage.Survey{Title: "Осенний опрос", ClosesAt: time.Now().Add(7 * 24 * time.Hour)}, true)

	// A teacher with a task whose reminder falls due in the outage.
	org, err := h.store.CreateOrganisation(ctx, 0, storage.Organisation{Name: "МБОУ СОШ № 3 г. Бийска", ShortName: "СОШ № 3", Municipality: "Бийск", Status: storage.OrgMember})
	if err != nil {
		t.Fatal(err)
	}
	teacher := bottest.User{ID: 7500000001, FirstName: "Мария"}
	tp, _, err := h.store.Register(ctx, h.invite(storage.RoleTeacher, org.ID, 1, time.Hour), teacher.ID, "Иванова Мария Петровна", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tg.AddChat(teacher.ID)
	policy := storage.DefaultReminderPolicy(org.ID)
	policy.QuietFrom, policy.QuietTo, policy.Weekends = 0, 0, nil
	if err := h.store.SaveReminderPolicy(ctx, 0, policy); err != nil {
		t.Fatal(err)
	}
	prog, dirs, err := h.store.EnsureProgramme(ctx, 0, org.ID, "2026/2027")
	if err != nil {
		t.Fatal(err)
	}
	reminders := func() int {
		n := 0
		for _, m := range tg.Messages(teacher.ID) {
			if strings.HasPrefix(m.Text, "⏰ Напоминание о задаче") {
				n++
			}
		}
		return n
	}

	bot := newChildBot(t, tg, viaProxy, cfg.RedisPrefix, "JOBS_EVERY=200ms")
	bot.start()
	parent := person{tg: tg, u: bottest.User{ID: 7500000002, FirstName: "Анна"}}
	for _, step := range []func() error{
		func() error { return parent.send(answerLink(classes[0])) },
		func() error { return parent.press("Начать") },
		func() error { return parent.press("4") },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	// River's leader starts its maintenance within a few seconds of the
	// start: the count settles (about 46) before it is taken.
	time.Sleep(4 * time.Second)
	baseline, err := bot.goroutines()
	if err != nil {
		t.Fatal(err)
	}

	// The reminder falls due 2 s into the outage (the test's store goes to
	// Postgres directly).
	due := time.Now().In(cfg.Timezone).AddDate(0, 0, 10)
	_, err = h.store.CreateTask(ctx, 0, storage.Task{
		ProgrammeID: prog.ID, OrgID: org.ID, DirectionID: dirs[0].ID, Title: "Подготовить портфолио класса",
		Due: time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, cfg.Timezone),
	}, []storage.Assignment{{PersonID: tp.ID, Status: storage.TaskAssigned, NextRemindAt: time.Now().Add(2 * time.Second)}})
	if err != nil {
		t.Fatal(err)
	}
	proxy.setDown(true)
	downAt := time.Now()
	id, err := tg.PressButton(parent.u, "Да")
	if err != nil {
		t.Fatal(err)
	}
	// The router cannot load the person without Postgres: the update
	// fails and comes again later, and meanwhile the dispatcher apologises
	// once — on a pressed button, as its answer.
	apology := func() int {
		n := 0
		for _, a := range tg.CallbackAnswers() {
			if strings.Contains(a.Text, "ненадолго недоступен") {
				n++
			}
		}
		return n
	}
	if err := tg.Wait(outage-time.Second, func() bool { return apology() > 0 }); err != nil {
		t.Errorf("nothing said to the parent during the outage: %v", err)
	}
	time.Sleep(time.Until(downAt.Add(outage)))
	if n := reminders(); n != 0 {
		t.Errorf("%d reminders sent without Postgres", n)
	}
	proxy.setDown(false)
	upAt := time.Now()

	if err := parent.handled(id); err != nil {
		t.Fatal(err)
	}
	if err := parent.expect("Вопрос 3 из 6"); err != nil {
		t.Fatal(err)
	}
	t.Logf("the answer given in the outage was taken %v after Postgres came back", time.Since(upAt).Round(time.Millisecond))
	if err := tg.Wait(chaosWait(), func() bool { return reminders() > 0 }); err != nil {
		t.Fatalf("no reminder after the outage: %v", err)
	}
	time.Sleep(time.Second) // five more ticks of the job
	if n := reminders(); n != 1 {
		t.Errorf("%d reminders, want 1", n)
	}
	// The draft holds exactly the two answers, nothing half-written.
	var answers string
	if err := h.store.Pool().QueryRow(ctx, `select answers::text from survey_drafts`).Scan(&answers); err != nil {
		t.Fatal(err)
	}
	if strings.Count(answers, `"0"`) != 1 || strings.Count(answers, `"1"`) != 1 || strings.Contains(answers, `"2"`) {
		t.Errorf("the draft after the outage: %s", answers)
	}
	if err := parent.answerFrom(2); err != nil {
		t.Fatal(err)
	}

	// The goroutines started for the outage (retries, reconnects) end.
	var now int
	deadline := time.Now().Add(15 * time.Second)
	for {
		if now, err = bot.goroutines(); err != nil {
			t.Fatal(err)
		}
		if now <= baseline+chaosGoroutineSlack || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if now > baseline+chaosGoroutineSlack {
		t.Errorf("%d goroutines after the outage, %d before", now, baseline)
	}
	bot.stop()
}

// TestChaosRedisFlushed empties the bot's Redis keys (SCAN and DEL of the
// test's prefix, as FLUSHALL or a restart without persistence would) while
// a parent is mid-survey and a teacher mid-report. The answers and the
// report comment already given stay in Postgres; the parent's buttons keep
// working and the link resumes the draft; the teacher gets the menu back
// and finds the comment in the report.
func TestChaosRedisFlushed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	sv, classes := answerSurvey(t, h, storage.Survey{Title: "Удовлетворённость родителей", ClosesAt: time.Now().Add(7 * 24 * time.Hour)}, true)
	org, err := h.store.CreateOrganisation(ctx, 0, storage.Organisation{Name: "МБОУ СОШ № 4 г. Бийска", ShortName: "СОШ № 4", Municipality: "Бийск", Status: storage.OrgMember})
	if err != nil {
		t.Fatal(err)
	}
	manager := h.user(7600000001, "Ольга")
	manager.register(h.invite(storage.RoleQualityManager, org.ID, 1, time.Hour), "Смирнова Ольга Петровна")
	teacher := h.user(7600000002, "Анна")
	teacher.register(h.invite(storage.RoleTeacher, org.ID, 1, time.Hour), "Иванова Анна Сергеевна")
	anna := minePerson(t, h, teacher)
	tk := mineTask(t, h, org.ID, minePerson(t, h, manager).ID, "Открытый урок", false, anna.ID)

	parent := h.user(7600000003, "Вера")
	parent.send(answerLink(classes[0]))
	parent.press("Начать")
	parent.press("4")
	parent.press("Да")
	parent.expect("Вопрос 3 из 6")
	teacher.send("📌 Мои задачи")
	teacher.press("1. Открытый урок")
	teacher.press("✅ Принять")
	teacher.press("📎 Выполнено")
	teacher.send("Провели открытый урок в 5А.")
	teacher.expect("Комментарий сохранён")

	rdb, _ := storagetest.Redis(t)
	if n := deleteKeys(t, rdb, h.cfg.RedisPrefix); n == 0 {
		t.Fatal("no keys under the test's prefix: the bot keeps nothing in Redis?")
	}

	// The parent's next press works without a session; the link says where
	// they are, from the draft.
	parent.press("Раз в месяц")
	parent.expect("Вопрос 4 из 6")
	deleteKeys(t, rdb, h.cfg.RedisPrefix)
	parent.send(answerLink(classes[0]))
	parent.expect("Продолжим: вопрос 4 из 6")
	parent.press("Продолжить")
	p := person{tg: h.tg, u: parent.u}
	if err := p.answerFrom(3); err != nil {
		t.Fatal(err)
	}
	if r, err := h.store.SurveyResults(ctx, sv.ID); err != nil || r.Responses != 1 || r.Questions[0].Counts[4] != 1 || r.Questions[2].Counts[1] != 1 {
		t.Fatalf("results after the flush: %+v, %v", r, err)
	}

	// The teacher's text step is gone: what she types is not taken as the
	// comment, she gets her menu back, and the comment given is kept.
	teacher.send("Ещё одна мысль")
	if m := teacher.last(); len(m.Menu) == 0 {
		t.Fatalf("no menu after the flush:\n%s", teacher.transcript())
	}
	// The draft exists already: DraftReport returns it as it stands.
	r, err := h.store.DraftReport(ctx, tk.ID, anna.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Comment != "Провели открытый урок в 5А." || !r.SentAt.IsZero() {
		t.Fatalf("the report draft after the flush: %+v", r)
	}
	teacher.send("📌 Мои задачи") // one task: its card at once
	teacher.press("📎 Выполнено")
	teacher.expect("В черновике уже есть комментарий.")
	teacher.press("📤 Отправить отчёт")
	teacher.expect("отправлен")
	if r, err := h.store.LastReport(ctx, tk.ID, anna.ID); err != nil || r.SentAt.IsZero() || r.Comment != "Провели открытый урок в 5А." {
		t.Fatalf("the report sent after the flush: %+v, %v", r, err)
	}
}

// deleteKeys deletes every key under prefix and returns how many there were.
func deleteKeys(t *testing.T, rdb *redis.Client, prefix string) int {
	t.Helper()
	ctx := context.Background()
	var keys []string
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	if len(keys) > 0 {
		if err := rdb.Del(ctx, keys...).Err(); err != nil {
			t.Fatal(err)
		}
	}
	return len(keys)
}

// chaosWebhook configures cfg for webhook mode behind a balancer of the
// given copies, and returns a function that starts one replica more.
func chaosWebhook(t *testing.T, cfg *Config, copies int) (*hookBalancer, func() *inprocBot) {
	t.Helper()
	lb := newHookBalancer(t, copies)
	cfg.WebhookURL = lb.srv.URL + "/telegram/hook"
	cfg.WebhookSecret = "chaos_secret-1"
	return lb, func() *inprocBot {
		c := *cfg
		c.HTTPAddr = freeAddr(t)
		lb.targets = append(lb.targets, "http://"+c.HTTPAddr)
		return startInproc(t, c)
	}
}

// surveyCrowd has n parents answer the whole survey at once.
func surveyCrowd(t *testing.T, tg *bottest.Server, classes []storage.SurveyClass, first int64, n int) []person {
	t.Helper()
	people := make([]person, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range people {
		people[i] = person{tg: tg, u: bottest.User{ID: first + int64(i), FirstName: "Родитель"}}
		p := people[i]
		wg.Go(func() {
			err := p.send(answerLink(classes[i%len(classes)]))
			if err == nil {
				err = p.press("Начать")
			}
			if err == nil {
				err = p.answerFrom(0)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return people
}

// checkChatsInOrder checks each person saw questions 1 to 6 once each, in
// order, then the thanks: their updates were handled in order, once.
func checkChatsInOrder(t *testing.T, people []person) {
	t.Helper()
	for _, p := range people {
		var got []string
		for _, m := range p.tg.Messages(p.u.ID) {
			if strings.HasPrefix(m.Text, "Вопрос ") {
				got = append(got, m.Text[:len("Вопрос 1 из 6")])
			}
		}
		want := []string{"Вопрос 1 из 6", "Вопрос 2 из 6", "Вопрос 3 из 6", "Вопрос 4 из 6", "Вопрос 5 из 6", "Вопрос 6 из 6"}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("person %d saw %v\n%s", p.u.ID, got, p.chat())
		}
	}
}

// checkHandledOnce checks every update was handled exactly once across the
// logs given.
func checkHandledOnce(t *testing.T, tg *bottest.Server, logs ...*lockedBuffer) {
	t.Helper()
	handled := handledUpdates(logs...)
	made := 0
	for id := 1; ; id++ {
		if _, ok := tg.Update(id); !ok {
			break
		}
		made++
		if handled[id] != 1 {
			t.Errorf("update %d was handled %d times", id, handled[id])
		}
	}
	if made == 0 {
		t.Error("no updates made")
	}
}

// TestChaosEveryUpdateTwice: the webhook gets every update twice at once
// (Telegram redelivers after a timeout); each is handled once.
// TestWebhookSecretAndRedelivery (http_test.go) redelivers one update after
// the first was handled; bot's TestDedupe* and TestPollerRestartDedupes
// cover the same for long polling.
func TestChaosEveryUpdateTwice(t *testing.T) {
	t.Parallel()
	tg := bottest.New("123456:TEST-token")
	t.Cleanup(tg.Close)
	cfg := chaosConfig(t, tg)
	h := bareHarness(t, tg, cfg)
	sv, classes := answerSurvey(t, h, storage.Survey{Title: "Удовлетворённость родителей", ClosesAt: time.Now().Add(7 * 24 * time.Hour)}, true)
	_, replica := chaosWebhook(t, &cfg, 2)
	bot := replica()

	people := surveyCrowd(t, tg, classes, 7700000000, 10)
	checkAllAnswered(t, h, sv.ID, len(people))
	checkChatsInOrder(t, people)
	checkHandledOnce(t, tg, bot.logs)
}

// TestChaosTwoReplicas runs two bots on one database and Redis behind one
// webhook, each update delivered to both at once. Every chat's updates are
// handled in order and once, a task reminder is sent once, and a meeting
// notice reaches each member once. The job queue's own tests
// (TestPeriodicJobOnceAcrossReplicas, TestScheduledWorkOnceAcrossReplicas)
// and bot's TestWebhookReplicasKeepChatOrder check the parts.
func TestChaosTwoReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tg := bottest.New("123456:TEST-token")
	t.Cleanup(tg.Close)
	cfg := chaosConfig(t, tg)
	cfg.JobsEvery = 50 * time.Millisecond
	h := bareHarness(t, tg, cfg)
	sv, classes := answerSurvey(t, h, storage.Survey{Title: "Удовлетворённость родителей", ClosesAt: time.Now().Add(7 * 24 * time.Hour)}, true)

	org, err := h.store.CreateOrganisation(ctx, 0, storage.Organisation{Name: "МБОУ СОШ № 6 г. Бийска", ShortName: "СОШ № 6", Municipality: "Бийск", Status: storage.OrgMember})
	if err != nil {
		t.Fatal(err)
	}
	teacher := bottest.User{ID: 7800000001, FirstName: "Мария"}
	tp, _, err := h.store.Register(ctx, h.invite(storage.RoleTeacher, org.ID, 1, time.Hour), teacher.ID, "Иванова Мария Петровна", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tg.AddChat(teacher.ID)
	policy := storage.DefaultReminderPolicy(org.ID)
	policy.QuietFrom, policy.QuietTo, policy.Weekends = 0, 0, nil
	if err := h.store.SaveReminderPolicy(ctx, 0, policy); err != nil {
		t.Fatal(err)
	}
	prog, dirs, err := h.store.EnsureProgramme(ctx, 0, org.ID, "2026/2027")
	if err != nil {
		t.Fatal(err)
	}
	due := time.Now().In(cfg.Timezone).AddDate(0, 0, 10)
	_, err = h.store.CreateTask(ctx, 0, storage.Task{
		ProgrammeID: prog.ID, OrgID: org.ID, DirectionID: dirs[0].ID, Title: "Подготовить портфолио класса",
		Due: time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, cfg.Timezone),
	}, []storage.Assignment{{PersonID: tp.ID, Status: storage.TaskAssigned, NextRemindAt: time.Now().Add(time.Second)}})
	if err != nil {
		t.Fatal(err)
	}
	members := make([]bottest.User, 10)
	for i := range members {
		members[i] = bottest.User{ID: 7810000000 + int64(i), FirstName: "Член"}
		if _, _, err := h.store.Register(ctx, h.invite(storage.RolePresidium, 0, 1, time.Hour), members[i].ID, fmt.Sprintf("Членова Мария %02d", i), time.Now()); err != nil {
			t.Fatal(err)
		}
		tg.AddChat(members[i].ID)
	}

	_, replica := chaosWebhook(t, &cfg, 2)
	a, b := replica(), replica()
	h.cfg = cfg

	// The secretary prepares and sends a notice while parents answer.
	var wg sync.WaitGroup
	wg.Go(func() {
		people := surveyCrowd(t, tg, classes, 7820000000, 20)
		checkChatsInOrder(t, people)
	})
	secretary := h.user(7800000002, "Елена")
	secretary.register(h.invite(storage.RoleSecretary, 0, 1, time.Hour), "Секретарёва Елена Ивановна")
	when := time.Now().In(cfg.Timezone).AddDate(0, 0, 10)
	secretary.send("🏛 Заседания")
	secretary.press("➕ Новое заседание")
	secretary.press("Очередное")
	secretary.send(when.Format("02.01") + " 14:00")
	secretary.send("СОШ № 6, г. Бийск, ул. Ленина, 1")
	secretary.press("Без ссылки ›")
	secretary.send("О плане работы на 2027 год — Андреева О. П.")
	secretary.press("Готово ›")
	secretary.press("Далее ›")
	secretary.press("Без гостей ›")
	secretary.expect("Так извещение увидят 10 членов президиума")
	secretary.press("📨 Отправить")
	wg.Wait()

	if err := tg.Wait(chaosWait(), func() bool {
		for _, m := range members {
			if countWith(tg.Messages(m.ID), "Очередное заседание президиума") == 0 {
				return false
			}
		}
		return countWith(tg.Messages(teacher.ID), "⏰ Напоминание о задаче") > 0
	}); err != nil {
		t.Fatalf("the notice or the reminder did not arrive: %v\n%s", err, secretary.transcript())
	}
	time.Sleep(time.Second) // twenty more ticks of the jobs on each replica
	for _, m := range members {
		if n := countWith(tg.Messages(m.ID), "Очередное заседание президиума"); n != 1 {
			t.Errorf("member %d got the notice %d times", m.ID, n)
		}
	}
	if n := countWith(tg.Messages(teacher.ID), "⏰ Напоминание о задаче"); n != 1 {
		t.Errorf("%d reminders, want 1", n)
	}
	checkAllAnswered(t, h, sv.ID, 20)
	checkHandledOnce(t, tg, a.logs, b.logs)
	ha, hb := len(handledUpdates(a.logs)), len(handledUpdates(b.logs))
	if ha == 0 || hb == 0 {
		t.Errorf("updates handled by the replicas: %d and %d; want both at work", ha, hb)
	}
}

// TestChaosTelegramFaults: for a while (5 s here, a minute under `make
// chaos`) every Bot API call fails in turn with 429, 500, 502 or a
// connection dropped after 2 s, while 20 parents answer a survey; a person
// who blocked the bot gets 403 all along. Nothing is lost or sent twice,
// and the log says why it was slow. bot's TestSend* tests check each
// answer of Telegram on its own.
func TestChaosTelegramFaults(t *testing.T) {
	t.Parallel()
	window := 5 * time.Second
	if chaosLong {
		window = time.Minute
	}
	ctx := context.Background()
	tg := bottest.New("123456:TEST-token")
	t.Cleanup(tg.Close)
	faults := newAPIFaults(t, tg)
	cfg := chaosConfig(t, tg)
	cfg.APIEndpoint = faults.Endpoint()
	cfg.LogLevel = slog.LevelDebug
	cfg.JobsEvery = 100 * time.Millisecond
	h := bareHarness(t, tg, cfg)
	sv, classes := answerSurvey(t, h, storage.Survey{Title: "Удовлетворённость родителей", ClosesAt: time.Now().Add(7 * 24 * time.Hour)}, true)
	// A registered teacher who blocked the bot; a reminder falls due.
	org, err := h.store.CreateOrganisation(ctx, 0, storage.Organisation{Name: "МБОУ СОШ № 8 г. Бийска", ShortName: "СОШ № 8", Municipality: "Бийск", Status: storage.OrgMember})
	if err != nil {
		t.Fatal(err)
	}
	blocked := bottest.User{ID: 7900000001, FirstName: "Мария"}
	tp, _, err := h.store.Register(ctx, h.invite(storage.RoleTeacher, org.ID, 1, time.Hour), blocked.ID, "Иванова Мария Петровна", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tg.AddChat(blocked.ID)
	tg.Block(blocked.ID)
	policy := storage.DefaultReminderPolicy(org.ID)
	policy.QuietFrom, policy.QuietTo, policy.Weekends = 0, 0, nil
	if err := h.store.SaveReminderPolicy(ctx, 0, policy); err != nil {
		t.Fatal(err)
	}
	prog, dirs, err := h.store.EnsureProgramme(ctx, 0, org.ID, "2026/2027")
	if err != nil {
		t.Fatal(err)
	}
	due := time.Now().In(cfg.Timezone).AddDate(0, 0, 10)
	_, err = h.store.CreateTask(ctx, 0, storage.Task{
		ProgrammeID: prog.ID, OrgID: org.ID, DirectionID: dirs[0].ID, Title: "Подготовить портфолио класса",
		Due: time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, cfg.Timezone),
	}, []storage.Assignment{{PersonID: tp.ID, Status: storage.TaskAssigned, NextRemindAt: time.Now()}})
	if err != nil {
		t.Fatal(err)
	}

	bot := startInproc(t, cfg)
	faults.on.Store(true)
	start := time.Now()
	time.AfterFunc(window, func() { faults.on.Store(false) })
	people := surveyCrowd(t, tg, classes, 7910000000, 20)
	t.Logf("faults for %v: %v; the survey took %v", window, faults.counts(), time.Since(start).Round(time.Millisecond))
	if time.Since(start) < window {
		t.Errorf("the crowd finished within the fault window: the faults did not bite")
	}

	checkAllAnswered(t, h, sv.ID, len(people))
	checkChatsInOrder(t, people)
	checkHandledOnce(t, tg, bot.logs)
	for _, p := range people {
		if n := len(tg.Messages(p.u.ID)); n != 10 {
			t.Errorf("person %d has %d messages, want 10 (intro, 6 questions, «Ответ записан», review, thanks)\n%s", p.u.ID, n, p.chat())
		}
	}
	// The teacher who blocked the bot is marked inactive, and the log says
	// why her reminder did not go and why the others were late.
	if err := waitFor2(chaosWait(), func() bool {
		active := true
		err := h.store.Pool().QueryRow(ctx, `select active from people where telegram_id = $1`, blocked.ID).Scan(&active)
		return err == nil && !active
	}); err != nil {
		t.Errorf("the person who blocked the bot is still active")
	}
	logs := bot.logs.String()
	for _, why := range []string{"Too Many Requests", "Internal Server Error", "Bad Gateway", "EOF", "blocked"} {
		if !strings.Contains(logs, why) {
			t.Errorf("the log never says %q", why)
		}
	}
}

// waitFor2 polls cond until it holds or timeout passes.
func waitFor2(timeout time.Duration, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("not within %v", timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}
