package flowtest

import (
	"fmt"
	"testing"

	"smkbot/bot"
)

// Deliver plays the Sender for scheduled work (flows.Work.Deliver): each
// message is recorded in its chat, as Telegram would show it, and its
// fate returned in order. A chat in blocked answers as a person who
// blocked the bot: bot.ErrBlocked, nothing recorded.
func (e *Env) Deliver(t testing.TB, blocked map[int64]bool, msgs ...bot.Message) []bot.Delivery {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]bot.Delivery, len(msgs))
	for i, m := range msgs {
		out[i].Message = m
		if chat := m.Chat(); blocked[chat] {
			out[i].Err = fmt.Errorf("%w: chat %d (403 Forbidden)", bot.ErrBlocked, chat)
			continue
		}
		e.record(t, m)
		if chat := m.Chat(); chat != 0 {
			out[i].MessageIDs = []int{e.chat(chat).nextID}
		}
	}
	return out
}

// Shown returns the texts (and captions) of the bot's messages in u's
// chat as it shows them now, oldest first.
func (e *Env) Shown(u User) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, s := range e.chat(u.ID).msgs {
		out = append(out, s.text)
	}
	return out
}
