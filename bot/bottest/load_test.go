package bottest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestLoadHelpers(t *testing.T) {
	s, api := start(t)

	// Polling: nothing is confirmed until an offset passes it.
	first := s.SendText(anna, "/start")
	if got := s.ConfirmedThrough(); got != first-1 {
		t.Fatalf("ConfirmedThrough before getUpdates = %d, want %d", got, first-1)
	}
	if _, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: first + 1}); err != nil {
		t.Fatal(err)
	}
	if got := s.ConfirmedThrough(); got != first {
		t.Fatalf("ConfirmedThrough after the offset = %d, want %d", got, first)
	}

	// An update made by NewText is not queued, but replies to its chat work.
	u := s.NewText(boris, "/menu")
	if u.UpdateID != first+1 || u.Message.Text != "/menu" || len(u.Message.Entities) != 1 || u.Message.Chat.ID != boris.ID {
		t.Fatalf("NewText = %+v", u.Message)
	}
	if s.Pending() != 0 {
		t.Fatalf("NewText queued the update: %d pending", s.Pending())
	}
	if got, ok := s.Update(u.UpdateID); !ok || got.Message.Text != "/menu" {
		t.Fatal("NewText's update is not kept")
	}
	msg := tgbotapi.NewMessage(boris.ID, "Выберите")
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Да", "yes")))
	if _, err := api.Send(msg); err != nil {
		t.Fatal(err)
	}

	// NewPress finds the button and makes an answerable callback query.
	p, err := s.NewPress(boris, "Да")
	if err != nil || p.CallbackQuery.Data != "yes" || p.CallbackQuery.Message == nil {
		t.Fatalf("NewPress = %+v, %v", p.CallbackQuery, err)
	}
	if _, err := s.NewPress(boris, "Нет"); err == nil {
		t.Fatal("NewPress of a missing button: no error")
	}
	if _, err := api.Request(tgbotapi.NewCallback(p.CallbackQuery.ID, "ok")); err != nil {
		t.Fatalf("answering NewPress's query: %v", err)
	}
	if s.Pending() != 0 {
		t.Fatalf("NewPress queued the update: %d pending", s.Pending())
	}

	// The counters agree with Calls.
	if n := s.CallCount(); n != len(s.Calls()) {
		t.Fatalf("CallCount = %d, Calls = %d", n, len(s.Calls()))
	}
	counts := s.CallCounts(0)
	if counts["sendMessage"] != 1 || counts["answerCallbackQuery"] != 1 || counts["getUpdates"] != 1 {
		t.Fatalf("CallCounts = %v", counts)
	}
	if c := s.CallCounts(s.CallCount() - 1); len(c) != 1 || c["answerCallbackQuery"] != 1 {
		t.Fatalf("CallCounts of the last call = %v", c)
	}

	// The update posts as JSON to a webhook the driver chooses.
	var got tgbotapi.Update
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &got)
	}))
	defer hook.Close()
	body, _ := json.Marshal(p)
	resp, err := http.Post(hook.URL, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got.CallbackQuery == nil || got.CallbackQuery.ID != p.CallbackQuery.ID {
		t.Fatalf("posted update = %+v", got)
	}
}
