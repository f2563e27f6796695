package bottest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/google/go-cmp/cmp"

	"smkbot/bot/bottest"
)

var (
	anna  = bottest.User{ID: 101, FirstName: "Анна", LastName: "Иванова", Username: "anna"}
	boris = bottest.User{ID: 102, FirstName: "Борис"}
)

func start(t *testing.T) (*bottest.Server, *tgbotapi.BotAPI) {
	t.Helper()
	s := bottest.New("")
	t.Cleanup(s.Close)
	api, err := tgbotapi.NewBotAPIWithClient(s.Token(), s.Endpoint(), &http.Client{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("NewBotAPIWithClient: %v", err)
	}
	return s, api
}

// apiErr asserts err is a Bot API error with the code and description.
func apiErr(t *testing.T, err error, code int, desc string) {
	t.Helper()
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *tgbotapi.Error %d %q", err, code, desc)
	}
	if code != 0 && e.Code != code || e.Message != desc {
		t.Fatalf("err = %d %q, want %d %q", e.Code, e.Message, code, desc)
	}
}

func TestGetMeAndToken(t *testing.T) {
	s, api := start(t)
	if api.Self.UserName != bottest.Username || !api.Self.IsBot {
		t.Errorf("Self = %+v", api.Self)
	}
	_, err := tgbotapi.NewBotAPIWithClient("1:wrong", s.Endpoint(), http.DefaultClient)
	apiErr(t, err, 401, "Unauthorized")
	_, err = api.MakeRequest("noSuchMethod", nil)
	apiErr(t, err, 404, "Not Found")
}

func TestGetUpdatesOffsetAndCommand(t *testing.T) {
	s, api := start(t)
	id1 := s.SendText(anna, "/start abc")
	id2 := s.SendText(anna, "привет")
	id3 := s.SendText(boris, "/help")

	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 3 || ups[0].UpdateID != id1 || ups[2].UpdateID != id3 {
		t.Fatalf("got %d updates", len(ups))
	}
	m := ups[0].Message
	if !m.IsCommand() || m.Command() != "start" || m.CommandArguments() != "abc" || m.Chat.ID != anna.ID || m.From.LastName != "Иванова" {
		t.Errorf("first update = %+v", m)
	}
	// An update not confirmed is given again; offset confirms the earlier ones.
	ups, _ = api.GetUpdates(tgbotapi.UpdateConfig{Offset: id2, Limit: 1})
	if len(ups) != 1 || ups[0].UpdateID != id2 {
		t.Fatalf("offset %d limit 1: %+v", id2, ups)
	}
	ups, _ = api.GetUpdates(tgbotapi.UpdateConfig{})
	if len(ups) != 2 || ups[0].UpdateID != id2 {
		t.Fatalf("after confirm: %d updates", len(ups))
	}
	ups, _ = api.GetUpdates(tgbotapi.UpdateConfig{Offset: id3 + 1})
	if len(ups) != 0 || s.Pending() != 0 {
		t.Fatalf("after confirming all: %d updates, %d pending", len(ups), s.Pending())
	}
}

func TestLongPollWakesAndConflicts(t *testing.T) {
	s, api := start(t)
	got := make(chan []tgbotapi.Update)
	go func() {
		ups, _ := api.GetUpdates(tgbotapi.UpdateConfig{Timeout: 30})
		got <- ups
	}()
	s.SendText(anna, "hi")
	if ups := <-got; len(ups) != 1 || ups[0].Message.Text != "hi" {
		t.Fatalf("long poll got %+v", ups)
	}

	// A second poller ends the first with 409.
	errc := make(chan error)
	go func() {
		_, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: 2, Timeout: 30})
		errc <- err
	}()
	// The first poll is in progress once its offset has confirmed update 1.
	if err := s.Wait(5*time.Second, func() bool { return s.Pending() == 0 }); err != nil {
		t.Fatal(err)
	}
	if _, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: 2}); err != nil {
		t.Fatal(err)
	}
	apiErr(t, <-errc, 409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
}

func TestSendStrictness(t *testing.T) {
	s, api := start(t)
	_, err := api.Send(tgbotapi.NewMessage(anna.ID, "hello"))
	apiErr(t, err, 400, "Bad Request: chat not found")
	s.AddChat(anna.ID)

	_, err = api.Send(tgbotapi.NewMessage(anna.ID, strings.Repeat("я", 4097)))
	apiErr(t, err, 400, "Bad Request: message is too long")
	// Telegram counts UTF-16 code units: 2049 emoji are 4098 units.
	_, err = api.Send(tgbotapi.NewMessage(anna.ID, strings.Repeat("😀", 2049)))
	apiErr(t, err, 400, "Bad Request: message is too long")
	_, err = api.Send(tgbotapi.NewMessage(anna.ID, strings.Repeat("я", 4096)))
	if err != nil {
		t.Fatalf("4096 characters: %v", err)
	}
	_, err = api.Send(tgbotapi.NewMessage(anna.ID, ""))
	apiErr(t, err, 400, "Bad Request: message text is empty")

	html := tgbotapi.NewMessage(anna.ID, "<b>Иванова</b> & <Петров>")
	html.ParseMode = tgbotapi.ModeHTML
	_, err = api.Send(html)
	apiErr(t, err, 400, `Bad Request: can't parse entities: Unsupported start tag "Петров" at byte offset 24`)

	long := tgbotapi.NewMessage(anna.ID, "x")
	long.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("a", strings.Repeat("d", 65))))
	_, err = api.Send(long)
	apiErr(t, err, 400, "Bad Request: BUTTON_DATA_INVALID")

	photo := tgbotapi.NewPhoto(anna.ID, tgbotapi.FileBytes{Name: "a.jpg", Bytes: []byte("jpeg")})
	photo.Caption = strings.Repeat("c", 1025)
	_, err = api.Send(photo)
	apiErr(t, err, 0, "Bad Request: message caption is too long")

	if n := len(s.Messages(anna.ID)); n != 1 {
		t.Errorf("%d messages stored, want 1", n)
	}
	calls := s.CallsTo("sendMessage")
	var statuses []int
	for _, c := range calls {
		statuses = append(statuses, c.Status)
	}
	if diff := cmp.Diff([]int{400, 400, 400, 200, 400, 400, 400}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

func TestEditAndButtons(t *testing.T) {
	s, api := start(t)
	s.SendText(anna, "/menu")
	msg := tgbotapi.NewMessage(anna.ID, "Выберите")
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Да", "c:yes:1"), tgbotapi.NewInlineKeyboardButtonData("Нет", "c:no:1")),
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonURL("Сайт", "https://example.org")))
	sent, err := api.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	if sent.MessageID != 2 {
		t.Errorf("message id = %d, want 2 (the person's message was 1)", sent.MessageID)
	}

	same := tgbotapi.NewEditMessageTextAndMarkup(anna.ID, sent.MessageID, "Выберите", msg.ReplyMarkup.(tgbotapi.InlineKeyboardMarkup))
	_, err = api.Send(same)
	apiErr(t, err, 400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")

	_, err = api.Send(tgbotapi.NewEditMessageText(anna.ID, 99, "x"))
	apiErr(t, err, 400, "Bad Request: message to edit not found")

	// Pressing, answering once, and not twice.
	qid, _ := s.Press(anna, sent.MessageID, "c:yes:1")
	if _, err := api.Request(tgbotapi.NewCallback(qid, "Готово")); err != nil {
		t.Fatal(err)
	}
	_, err = api.Request(tgbotapi.NewCallback(qid, ""))
	apiErr(t, err, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
	_, err = api.Request(tgbotapi.NewCallback("nope", ""))
	apiErr(t, err, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
	if diff := cmp.Diff([]bottest.CallbackAnswer{{QueryID: qid, Text: "Готово"}}, s.CallbackAnswers()); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}

	// An edit of the text without markup removes the buttons.
	if _, err := api.Send(tgbotapi.NewEditMessageText(anna.ID, sent.MessageID, "Спасибо")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PressButton(anna, "Да"); err == nil {
		t.Error("PressButton found a removed button")
	}
	got := s.Messages(anna.ID)
	want := []bottest.Sent{{MessageID: 2, ChatID: anna.ID, Kind: "text", Text: "Спасибо", MessageIDs: []int{2}, Edits: 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}

	// PressButton presses the newest message's button and delivers the message.
	api.Send(msg)
	uid, err := s.PressButton(anna, "Нет")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := s.Update(uid)
	if u.CallbackQuery.Data != "c:no:1" || u.CallbackQuery.Message.MessageID != 3 || u.CallbackQuery.Message.ReplyMarkup == nil {
		t.Errorf("callback = %+v", u.CallbackQuery)
	}
	if _, err := api.Request(tgbotapi.NewDeleteMessage(anna.ID, 3)); err != nil {
		t.Fatal(err)
	}
	_, err = api.Request(tgbotapi.NewDeleteMessage(anna.ID, 3))
	apiErr(t, err, 400, "Bad Request: message to delete not found")
}

func TestMenu(t *testing.T) {
	s, api := start(t)
	s.AddChat(anna.ID)
	m := tgbotapi.NewMessage(anna.ID, "Меню")
	kb := tgbotapi.NewReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButton("Задачи"), tgbotapi.NewKeyboardButton("Опросы")))
	kb.ResizeKeyboard = true
	m.ReplyMarkup = kb
	if _, err := api.Send(m); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{{"Задачи", "Опросы"}}, s.Menu(anna.ID)); diff != "" {
		t.Errorf("menu (-want +got):\n%s", diff)
	}
	m = tgbotapi.NewMessage(anna.ID, "Пока")
	m.ReplyMarkup = tgbotapi.NewRemoveKeyboard(false)
	api.Send(m)
	if s.Menu(anna.ID) != nil {
		t.Errorf("menu not removed")
	}
}

func TestFaults(t *testing.T) {
	s, api := start(t)
	s.AddChat(anna.ID)
	s.AddChat(boris.ID)

	s.Inject(bottest.Fault{Code: 429, RetryAfter: 3})
	_, err := api.Send(tgbotapi.NewMessage(anna.ID, "a"))
	apiErr(t, err, 429, "Too Many Requests: retry after 3")
	var e *tgbotapi.Error
	errors.As(err, &e)
	if e.RetryAfter != 3 {
		t.Errorf("retry_after = %d", e.RetryAfter)
	}
	// Uploads report the 429 with Code 0 but keep retry_after (the library's trap).
	s.Inject(bottest.Fault{Method: "sendPhoto", Code: 429, RetryAfter: 2})
	_, err = api.Send(tgbotapi.NewPhoto(anna.ID, tgbotapi.FileBytes{Name: "p.jpg", Bytes: []byte("x")}))
	errors.As(err, &e)
	if e.Code != 0 || e.RetryAfter != 2 {
		t.Errorf("upload 429 = %+v", e)
	}

	// A fault for one chat leaves others alone; Times counts.
	s.Inject(bottest.Fault{ChatID: boris.ID, Code: 502, Times: 2})
	if _, err := api.Send(tgbotapi.NewMessage(anna.ID, "b")); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		_, err = api.Send(tgbotapi.NewMessage(boris.ID, "c"))
		apiErr(t, err, 502, "Bad Gateway")
	}
	if _, err := api.Send(tgbotapi.NewMessage(boris.ID, "d")); err != nil {
		t.Fatal(err)
	}

	s.Inject(bottest.Fault{Method: "sendmessage", Hangup: true})
	if _, err = api.Send(tgbotapi.NewMessage(anna.ID, "e")); err == nil || errors.As(err, &e) {
		t.Errorf("hangup: err = %v, want a network error", err)
	}

	s.Block(anna.ID)
	_, err = api.Send(tgbotapi.NewMessage(anna.ID, "f"))
	apiErr(t, err, 403, "Forbidden: bot was blocked by the user")
}

func TestFilesBothWays(t *testing.T) {
	s, api := start(t)
	uid := s.SendDocument(anna, "отчёт.pdf", []byte("%PDF-1.4"), "вот")
	pid := s.SendPhoto(anna, []byte("photo-bytes"), "", "g1")
	ud, _ := s.Update(uid)
	up, _ := s.Update(pid)
	if ud.Message.Document.FileName != "отчёт.pdf" || ud.Message.Document.MimeType != "application/pdf" {
		t.Errorf("document = %+v", ud.Message.Document)
	}
	if len(up.Message.Photo) != 2 || up.Message.MediaGroupID != "g1" {
		t.Errorf("photo = %+v", up.Message)
	}
	download := func(fileID string) string {
		t.Helper()
		f, err := api.GetFile(tgbotapi.FileConfig{FileID: fileID})
		if err != nil {
			t.Fatal(err)
		}
		base := strings.TrimSuffix(s.Endpoint(), "/bot%s/%s")
		resp, err := http.Get(base + "/file/bot" + s.Token() + "/" + f.FilePath)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := download(ud.Message.Document.FileID); got != "%PDF-1.4" {
		t.Errorf("document bytes = %q", got)
	}
	if got := download(up.Message.Photo[1].FileID); got != "photo-bytes" {
		t.Errorf("photo bytes = %q", got)
	}
	_, err := api.GetFile(tgbotapi.FileConfig{FileID: "nope"})
	apiErr(t, err, 400, "Bad Request: invalid file_id")

	// The bot sends a document by upload and a photo by the person's file_id.
	doc := tgbotapi.NewDocument(anna.ID, tgbotapi.FileBytes{Name: "итоги.xlsx", Bytes: []byte("xlsx")})
	doc.Caption = "Итоги"
	sent, err := api.Send(doc)
	if err != nil {
		t.Fatal(err)
	}
	if got := download(sent.Document.FileID); got != "xlsx" {
		t.Errorf("uploaded bytes = %q", got)
	}
	if _, err := api.Send(tgbotapi.NewPhoto(anna.ID, tgbotapi.FileID(up.Message.Photo[1].FileID))); err != nil {
		t.Fatal(err)
	}
	_, err = api.Send(tgbotapi.NewPhoto(anna.ID, tgbotapi.FileID("unknown")))
	apiErr(t, err, 400, "Bad Request: wrong file identifier/HTTP URL specified")

	album := tgbotapi.NewMediaGroup(anna.ID, []any{
		tgbotapi.NewInputMediaPhoto(tgbotapi.FileBytes{Name: "1.jpg", Bytes: []byte("one")}),
		tgbotapi.NewInputMediaPhoto(tgbotapi.FileID(up.Message.Photo[1].FileID)),
	})
	msgs, err := api.SendMediaGroup(album)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].MediaGroupID == "" {
		t.Fatalf("album = %+v", msgs)
	}
	got := s.Messages(anna.ID)
	if len(got) != 3 {
		t.Fatalf("%d messages", len(got))
	}
	want := []bottest.SentFile{{Name: "1.jpg", Data: []byte("one")}, {Data: []byte("photo-bytes")}}
	if diff := cmp.Diff(want, got[2].Files); got[2].Kind != "album" || diff != "" {
		t.Errorf("album %s files (-want +got):\n%s", got[2].Kind, diff)
	}
	if got[0].Kind != "document" || got[0].Text != "Итоги" || got[0].Files[0].Name != "итоги.xlsx" {
		t.Errorf("document = %+v", got[0])
	}
}

func TestWebhook(t *testing.T) {
	s, api := start(t)
	var mu sync.Mutex
	var got []int
	fail := 2 // the first two deliveries fail, as when Postgres is down
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var u tgbotapi.Update
		json.NewDecoder(r.Body).Decode(&u)
		mu.Lock()
		defer mu.Unlock()
		if fail > 0 {
			fail--
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		got = append(got, u.UpdateID)
	}))
	defer hook.Close()

	if _, err := api.MakeRequest("setWebhook", tgbotapi.Params{"url": hook.URL, "secret_token": "s3cret"}); err != nil {
		t.Fatal(err)
	}
	_, err := api.GetUpdates(tgbotapi.UpdateConfig{})
	apiErr(t, err, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")

	id1 := s.SendText(anna, "/start")
	id2 := s.SendText(anna, "second")
	if err := s.Wait(5*time.Second, func() bool { return s.Pending() == 0 }); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if diff := cmp.Diff([]int{id1, id2}, got); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	mu.Unlock()
	ds := s.Deliveries()
	if len(ds) != 4 || ds[0].Status != 503 || ds[1].Status != 503 || ds[2].Status != 200 {
		t.Errorf("deliveries = %+v", ds)
	}

	status, err := s.Deliver(context.Background(), id1, "wrong")
	if err != nil || status != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d %v", status, err)
	}
	status, _ = s.Deliver(context.Background(), id1, s.WebhookSecret())
	if status != http.StatusOK {
		t.Errorf("redelivery: %d", status)
	}

	info, err := api.GetWebhookInfo()
	if err != nil || info.URL != hook.URL {
		t.Errorf("webhook info = %+v, %v", info, err)
	}
	if _, err := api.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		t.Fatal(err)
	}
	s.SendText(anna, "polled")
	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 {
		t.Errorf("after deleteWebhook: %d updates, %v", len(ups), err)
	}
}

func TestCommandsAndEvents(t *testing.T) {
	s, api := start(t)
	events, stop := s.Subscribe()
	defer stop()
	cmds := tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "start", Description: "Начать"})
	if _, err := api.Request(cmds); err != nil {
		t.Fatal(err)
	}
	_, err := api.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "Bad-Name", Description: "x"}))
	apiErr(t, err, 400, "Bad Request: BOT_COMMAND_INVALID")
	if diff := cmp.Diff([]bottest.Command{{Command: "start", Description: "Начать"}}, s.Commands()); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}

	s.AddChat(anna.ID)
	sent, _ := api.Send(tgbotapi.NewMessage(anna.ID, "раз"))
	api.Send(tgbotapi.NewEditMessageText(anna.ID, sent.MessageID, "два"))
	e1, e2 := <-events, <-events
	if e1.Kind != "sent" || e1.Message.Text != "раз" || e2.Kind != "edited" || e2.Message.Text != "два" || e2.Message.Edits != 1 {
		t.Errorf("events = %+v, %+v", e1, e2)
	}
}

func TestWaitMessagesTimesOut(t *testing.T) {
	s, _ := start(t)
	if _, err := s.WaitMessages(anna.ID, 1, 10*time.Millisecond); err == nil {
		t.Error("no error for a chat without messages")
	}
}
