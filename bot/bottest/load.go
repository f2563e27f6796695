package bottest

import (
	"fmt"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Helpers for load tests (cmd/smkload): updates made without queueing, for
// a driver that posts them to a webhook itself with several connections at
// once, as Telegram does (the server's own webhook delivery goes one update
// at a time); and cheap counters that do not copy the whole record.

// NewText makes the update SendText would — the chat registered, the
// message and update_id taken, the update kept for Update — but does not
// queue it for getUpdates or the webhook: the caller delivers it.
func (s *Server) NewText(from User, text string) tgbotapi.Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatFor(from.ID, from)
	m := s.inbound(c, from)
	m.Text = text
	if strings.HasPrefix(text, "/") {
		end := strings.IndexAny(text, " \n")
		if end < 0 {
			end = len(text)
		}
		m.Entities = []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: utf16Len(text[:end])}}
	}
	return s.made(tgbotapi.Update{Message: m})
}

// NewPress makes the update PressButton would (a press of the callback
// button labelled buttonText under the newest bot message in the person's
// private chat that has one) without queueing it.
func (s *Server) NewPress(from User, buttonText string) (tgbotapi.Update, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[from.ID]
	if c == nil {
		return tgbotapi.Update{}, fmt.Errorf("bottest: no callback button %q in chat %d", buttonText, from.ID)
	}
	for i := len(c.sent) - 1; i >= 0; i-- {
		m := c.sent[i]
		if m.Deleted {
			continue
		}
		for _, row := range m.Buttons {
			for _, b := range row {
				if b.Text != buttonText || b.Data == "" {
					continue
				}
				s.nextQuery++
				id := fmt.Sprintf("%d", 4_000_000+s.nextQuery)
				s.queries[id] = &query{}
				cq := &tgbotapi.CallbackQuery{ID: id, From: tgUser(from), Message: s.tgMessage(c, m, m.MessageID),
					ChatInstance: fmt.Sprintf("%d", c.id), Data: b.Data}
				return s.made(tgbotapi.Update{CallbackQuery: cq}), nil
			}
		}
	}
	return tgbotapi.Update{}, fmt.Errorf("bottest: no callback button %q in chat %d", buttonText, from.ID)
}

// made gives u the next update_id and keeps it, without queueing it.
// Callers hold s.mu.
func (s *Server) made(u tgbotapi.Update) tgbotapi.Update {
	s.nextUpdate++
	u.UpdateID = s.nextUpdate
	s.history[u.UpdateID] = u
	s.notify()
	return u
}

// ConfirmedThrough is the newest update_id up to which every queued update
// has been confirmed by a getUpdates offset or a webhook answer: one less
// than the oldest update still pending, or the newest update made when none
// is. Cheaper than Confirmed for a driver that follows many updates.
func (s *Server) ConfirmedThrough() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) > 0 {
		return s.pending[0].UpdateID - 1
	}
	return s.nextUpdate
}

// CallCount is the number of calls answered so far (Calls without the copy).
func (s *Server) CallCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

// CallCounts counts the calls answered so far by method, from the from-th
// call on (0 for all).
func (s *Server) CallCounts(from int) map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int)
	for _, c := range s.calls[min(max(from, 0), len(s.calls)):] {
		out[c.Method]++
	}
	return out
}
