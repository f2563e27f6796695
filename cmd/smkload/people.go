package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sync/atomic"

	"smkbot/bot/bottest"
	"smkbot/storage"
)

// Telegram ids of the simulated people, by kind; a parent who has
// submitted comes back as a new parent with the next id.
const (
	parentBase    int64 = 7_100_000_000
	teacherBase   int64 = 7_200_000_000
	managerBase   int64 = 7_300_000_000
	memberBase    int64 = 7_400_000_000
	secretaryID   int64 = 7_500_000_000
	echoBase      int64 = 7_600_000_000
	inflightBase  int64 = 7_700_000_000
	broadcastBase int64 = 7_800_000_000
)

// world is what the seed made and the people need.
type world struct {
	survey    storage.Survey
	links     []string // "/start s_<code>", one per class
	teachers  []int64
	members   []int64
	parentSeq atomic.Int64
}

// parentSteps is a parent's whole conversation: open a class link, start,
// answer every question (buttons, ticks, a typed answer), submit.
func parentSteps(r *rand.Rand, w *world) []step {
	steps := []step{say(w.links[r.IntN(len(w.links))]), press("Начать")}
	for _, q := range w.survey.Questions {
		switch q.Kind {
		case storage.QuestionScale:
			steps = append(steps, press(fmt.Sprint(3+r.IntN(3))))
		case storage.QuestionYesNo:
			steps = append(steps, press([]string{"Да", "Нет"}[r.IntN(2)]))
		case storage.QuestionSingle:
			steps = append(steps, press(q.Options[r.IntN(len(q.Options))]))
		case storage.QuestionMulti:
			steps = append(steps, press("☐ "+q.Options[r.IntN(len(q.Options)-1)]), press("Готово"))
		case storage.QuestionText:
			steps = append(steps, say("Больше кружков для младших классов и ремонт спортзала"))
		}
	}
	return append(steps, press("✅ Отправить"))
}

// teacherSteps reports the teacher's next open task: the list, the task,
// accept, done, a comment, send.
func teacherSteps() []step {
	return []step{
		say("📌 Мои задачи"), press("1. " + taskTitle), maybe(press("✅ Принять")), maybe(press("📎 Выполнено")),
		say("Провели открытый урок, материалы на сайте школы."), press("📤 Отправить отчёт"),
	}
}

// memberAnswer answers the meeting notice, or changes the answer given
// (with a reason when they cannot come), as members do when plans change.
func (d *driver) memberAnswer(ctx context.Context, who bottest.User) error {
	err := d.do(ctx, who, press("✅ Буду"))
	if !errors.Is(err, errNoButton) {
		return err
	}
	if err := d.do(ctx, who, press("❌ Не смогу")); err != nil {
		return err
	}
	return d.do(ctx, who, say("Командировка в Барнаул"))
}

// person runs conversations of one kind until ctx ends.
func (d *driver) person(ctx context.Context, kind string, id int64, w *world, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 7))
	who := bottest.User{ID: id, FirstName: "Гость"}
	outOfTasks := false
	for ctx.Err() == nil {
		var steps []step
		switch kind {
		case "parent":
			who = bottest.User{ID: parentBase + w.parentSeq.Add(1), FirstName: "Родитель"}
			steps = parentSteps(r, w)
		case "teacher":
			who.FirstName = "Учитель"
			steps = teacherSteps()
			if outOfTasks {
				// Every task reported: the teacher only looks at the list.
				steps = steps[:1]
			}
		}
		var err error
		if kind == "member" {
			who.FirstName = "Член"
			err = d.memberAnswer(ctx, who)
		} else {
			err = d.conversation(ctx, who, steps)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if kind == "teacher" && errors.Is(err, errNoButton) && !outOfTasks {
				outOfTasks = true
				continue
			}
			if d.measuring.Load() {
				d.failed.Add(1)
			}
			d.logFailure(kind, who, err)
		}
	}
}

// maybe makes a press optional: a conversation cut short earlier (the
// phase ended) may have left the task accepted or the report begun.
func maybe(s step) step { s.optional = true; return s }

func (d *driver) conversation(ctx context.Context, who bottest.User, steps []step) error {
	for _, s := range steps {
		err := d.do(ctx, who, s)
		if s.optional && errors.Is(err, errNoButton) {
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// logFailure prints the first few abandoned conversations, to tell a
// broken script from a broken bot.
func (d *driver) logFailure(kind string, who bottest.User, err error) {
	if d.logged.Add(1) > 5 {
		return
	}
	fmt.Fprintf(os.Stderr, "smkload: a %s's conversation failed: %v\n  the bot's last message: %.200q\n", kind, err, lastText(d.tg, who.ID))
}
