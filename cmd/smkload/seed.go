package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"smkbot/bot/bottest"
	"smkbot/flows/survey"
	"smkbot/flows/tasks"
	"smkbot/storage"
)

// taskTitle is the title of every seeded task; the list shows the oldest
// open one first, so «1. <title>» is always the next to report.
const taskTitle = "Открытый урок"

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// createDatabase makes a fresh database next to the one adminURL names and
// returns its URL and the function that drops it.
func createDatabase(ctx context.Context, adminURL string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("postgres: %w", err)
	}
	name := "smkload_" + randomHex(6)
	if _, err := conn.Exec(ctx, "create database "+name); err != nil {
		conn.Close(ctx)
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	conn.Close(ctx)
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			return
		}
		defer conn.Close(ctx)
		_, _ = conn.Exec(ctx, "drop database if exists "+name+" with (force)")
	}
	return u.String(), drop, nil
}

// register makes a registered person directly in the store, as an invite
// and its acceptance would.
func register(ctx context.Context, st *storage.Store, role storage.Role, orgID, telegramID int64, name string) (storage.Person, error) {
	code, _, err := st.CreateInvite(ctx, 0, role, orgID, 1, time.Hour)
	if err != nil {
		return storage.Person{}, err
	}
	p, _, err := st.Register(ctx, code, telegramID, name, time.Now())
	return p, err
}

// seed fills the database: schools, a published 15-question parents
// survey with class links, teachers with tasks (and their quality
// managers), presidium members and a secretary.
func seed(ctx context.Context, st *storage.Store, tg *bottest.Server, teachers, members, tasksEach int, loc *time.Location) (*world, error) {
	w := &world{}
	orgs := max(1, (teachers+9)/10)
	var orgIDs, managerIDs []int64
	for i := range orgs {
		org, err := st.CreateOrganisation(ctx, 0, storage.Organisation{
			Name: fmt.Sprintf("МБОУ СОШ № %d г. Бийска", i+1), ShortName: fmt.Sprintf("СОШ № %d", i+1),
			Municipality: "Бийск", Status: storage.OrgMember,
		})
		if err != nil {
			return nil, fmt.Errorf("organisation: %w", err)
		}
		m, err := register(ctx, st, storage.RoleQualityManager, org.ID, managerBase+int64(i), fmt.Sprintf("Менеджерова Ольга %03d", i))
		if err != nil {
			return nil, fmt.Errorf("manager: %w", err)
		}
		tg.AddChat(managerBase + int64(i))
		orgIDs, managerIDs = append(orgIDs, org.ID), append(managerIDs, m.ID)
	}

	t, ok := survey.TemplateByKey("parents")
	if !ok {
		return nil, fmt.Errorf("no parents template")
	}
	qs := append(t.Questions, storage.Question{Kind: storage.QuestionYesNo, Text: "Порекомендуете ли вы нашу школу знакомым?", Group: "Общее впечатление"})
	sv, classes, err := st.CreateSurvey(ctx, 0, storage.Survey{
		OrgID: orgIDs[0], Title: t.Title, Audience: storage.AudienceParents, TemplateKey: t.Key, Intro: t.Intro,
		Questions: qs, ClosesAt: time.Now().AddDate(0, 1, 0),
	}, []storage.SurveyClass{{Name: "5А", Headcount: 30}, {Name: "5Б", Headcount: 28}, {Name: "6А", Headcount: 27}, {Name: "7В", Headcount: 25}})
	if err != nil {
		return nil, fmt.Errorf("survey: %w", err)
	}
	if err := st.PublishSurvey(ctx, 0, sv.ID); err != nil {
		return nil, fmt.Errorf("publish survey: %w", err)
	}
	w.survey = sv
	for _, c := range classes {
		w.links = append(w.links, "/start s_"+c.Code)
	}

	now := time.Now().In(loc)
	year := tasks.SchoolYear(now)
	for i := range teachers {
		org := i % orgs
		p, err := register(ctx, st, storage.RoleTeacher, orgIDs[org], teacherBase+int64(i), fmt.Sprintf("Учителева Анна %03d", i))
		if err != nil {
			return nil, fmt.Errorf("teacher: %w", err)
		}
		prog, dirs, err := st.EnsureProgramme(ctx, managerIDs[org], orgIDs[org], year)
		if err != nil {
			return nil, fmt.Errorf("programme: %w", err)
		}
		due := time.Date(now.Year(), now.Month(), now.Day()+14, 15, 0, 0, 0, loc)
		for range tasksEach {
			if _, err := st.CreateTask(ctx, managerIDs[org], storage.Task{
				ProgrammeID: prog.ID, OrgID: orgIDs[org], DirectionID: dirs[0].ID, Title: taskTitle, Due: due, HasTime: true,
				CreatedBy: managerIDs[org],
			}, []storage.Assignment{{PersonID: p.ID, Status: storage.TaskAssigned}}); err != nil {
				return nil, fmt.Errorf("task: %w", err)
			}
		}
		w.teachers = append(w.teachers, teacherBase+int64(i))
	}
	for i := range members {
		if err := registerMember(ctx, st, tg, memberBase+int64(i), i); err != nil {
			return nil, err
		}
		w.members = append(w.members, memberBase+int64(i))
	}
	if _, err := register(ctx, st, storage.RoleSecretary, 0, secretaryID, "Секретарёва Елена Ивановна"); err != nil {
		return nil, fmt.Errorf("secretary: %w", err)
	}
	return w, nil
}

func registerMember(ctx context.Context, st *storage.Store, tg *bottest.Server, telegramID int64, i int) error {
	if _, err := register(ctx, st, storage.RolePresidium, 0, telegramID, fmt.Sprintf("Членова Мария %04d", i)); err != nil {
		return fmt.Errorf("member: %w", err)
	}
	tg.AddChat(telegramID)
	return nil
}

// sendNotice has the secretary write a meeting notice and send it to every
// presidium member, as in the meetings flow, and waits until the bot
// reports the delivery. It returns how long the broadcast took, from the
// press of «📨 Отправить» to the delivery report.
func sendNotice(ctx context.Context, d *driver, loc *time.Location, days int, timeout time.Duration) (time.Duration, string, error) {
	sec := bottest.User{ID: secretaryID, FirstName: "Елена"}
	when := time.Now().In(loc).AddDate(0, 0, days)
	steps := []step{
		say("🏛 Заседания"), press("➕ Новое заседание"), press("Очередное"), say(when.Format("02.01") + " 14:00"),
		say("СОШ № 1, г. Бийск, ул. Ленина, 1"), press("Без ссылки ›"),
		say("О плане работы на 2027 год — Андреева О. П."), say("О приёме новых членов — Секретарёва Е. И."),
		press("Готово ›"), press("Далее ›"), press("Без гостей ›"),
	}
	if err := d.conversation(ctx, sec, steps); err != nil {
		return 0, "", fmt.Errorf("secretary: %w\nlast message: %s", err, lastText(d.tg, secretaryID))
	}
	if !strings.Contains(lastText(d.tg, secretaryID), "Так извещение увидят") {
		return 0, "", fmt.Errorf("secretary: no preview; last message: %s", lastText(d.tg, secretaryID))
	}
	before := len(d.tg.Messages(secretaryID))
	start := time.Now()
	if err := d.do(ctx, sec, press("📨 Отправить")); err != nil {
		return 0, "", fmt.Errorf("secretary: %w", err)
	}
	var report string
	err := d.tg.Wait(timeout, func() bool {
		msgs := d.tg.Messages(secretaryID)
		for _, m := range msgs[min(before, len(msgs)):] {
			if strings.Contains(m.Text, "доставлено") {
				report = m.Text
				return true
			}
		}
		return false
	})
	if err != nil {
		return 0, "", fmt.Errorf("no delivery report within %v; last message: %s", timeout, lastText(d.tg, secretaryID))
	}
	return time.Since(start), report, nil
}

func lastText(tg *bottest.Server, chat int64) string {
	m, ok := tg.Last(chat)
	if !ok {
		return "(none)"
	}
	return m.Text
}
