package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"
)

// Errors in a Delivery. Match them with errors.Is.
var (
	// ErrBlocked: Telegram answered 403 — the person blocked the bot or
	// the account is gone. The Sender does not retry and calls OnBlocked.
	ErrBlocked = errors.New("bot: blocked by the user")
	// ErrInvalidMessage: the message cannot be sent as given (an unknown
	// type, a photo without data, a Text with both Buttons and a Menu that
	// fits one message).
	ErrInvalidMessage = errors.New("bot: invalid message")
)

// SendMetrics counts what the Sender does; the Prometheus metrics implement
// it.
type SendMetrics interface {
	MessageSent(kind string)
	RateLimited()
	SendFailed(kind string)
}

// SenderOptions tune the Sender. Zero values take the defaults.
type SenderOptions struct {
	// GlobalRate is the bot-wide cap in messages per second (default 25;
	// Telegram allows about 30).
	GlobalRate float64
	// ChatInterval paces one private chat (default 1s, bursts of 3).
	ChatInterval time.Duration
	// GroupPerMinute paces one group, a chat with a negative id (default 20).
	GroupPerMinute int
	// MaxRetries bounds the retries of one message after 429, 5xx or a
	// network error (default 10: with the backoff doubling to 30s, about
	// two and a half minutes of Telegram failing before a reply is given
	// up).
	MaxRetries int
	// RetryBase is the first wait after a 5xx or network error, doubled on
	// each retry up to 30s (default 500ms).
	RetryBase time.Duration
	// Log receives each retry with its reason at info level; it never gets
	// texts or chat ids.
	Log *slog.Logger
	// OnBlocked is called once per Send for a chat that answered 403, so
	// the caller can mark the person inactive.
	OnBlocked func(ctx context.Context, chatID int64)
	// Metrics may be nil.
	Metrics SendMetrics
}

// chatBurst is how many messages a chat may get at once before pacing.
const chatBurst = 3

// idleChat is how long a chat's limiter is kept unused; by then it has
// refilled, so a new one behaves the same.
const idleChat = time.Minute

// maxBackoff caps the wait between retries after 5xx or network errors.
const maxBackoff = 30 * time.Second

// Sender delivers messages within Telegram's limits: a global rate, per-chat
// pacing, waiting retry_after on 429, retrying 5xx and network errors with
// backoff, and reporting 403 as ErrBlocked. It is safe for concurrent use.
type Sender struct {
	c      *Client
	o      SenderOptions
	global *rate.Limiter

	// now and sleep are the clock; tests replace them to check waits
	// without waiting.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	mu    sync.Mutex
	chats map[int64]*chatPace
	swept time.Time
}

type chatPace struct {
	lim    *rate.Limiter
	paused time.Time // after a 429: no sends to the chat before this
	used   time.Time
}

// NewSender returns a Sender sending through c.
func NewSender(c *Client, o SenderOptions) *Sender {
	if o.GlobalRate <= 0 {
		o.GlobalRate = 25
	}
	if o.ChatInterval <= 0 {
		o.ChatInterval = time.Second
	}
	if o.GroupPerMinute <= 0 {
		o.GroupPerMinute = 20
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 10
	}
	if o.RetryBase <= 0 {
		o.RetryBase = 500 * time.Millisecond
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Sender{
		c:      c,
		o:      o,
		global: rate.NewLimiter(rate.Limit(o.GlobalRate), max(1, int(o.GlobalRate))),
		chats:  make(map[int64]*chatPace),
		swept:  time.Now(),
		now:    time.Now,
		sleep:  sleep,
	}
}

// Delivery is the outcome of one message given to Send.
type Delivery struct {
	Message Message
	// MessageIDs are the Telegram ids of what was sent: several for a long
	// text split in parts, an album, or a file whose caption overflowed
	// into a text.
	MessageIDs []int
	Err        error
}

// Send delivers the messages and reports each one, in the order given.
// Messages to one chat go in order, one after another; different chats are
// served at once (up to sendConcurrency), so a chat waiting out its own
// pace or a 429's retry_after does not hold up a broadcast to the others,
// while the global rate still caps the whole. A chat that answers 403 gets
// nothing more from this call. When ctx ends, the messages not yet sent
// report ctx's error.
func (s *Sender) Send(ctx context.Context, msgs ...Message) []Delivery {
	out := make([]Delivery, len(msgs))
	var chats []int64
	byChat := make(map[int64][]int)
	for i, m := range msgs {
		out[i].Message = m
		chat := m.Chat()
		if _, ok := byChat[chat]; !ok {
			chats = append(chats, chat)
		}
		byChat[chat] = append(byChat[chat], i)
	}
	if len(chats) == 1 {
		s.sendChat(ctx, chats[0], byChat[chats[0]], msgs, out)
		return out
	}
	sem := make(chan struct{}, sendConcurrency)
	var wg sync.WaitGroup
	for _, chat := range chats {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s.sendChat(ctx, chat, byChat[chat], msgs, out)
		}()
	}
	wg.Wait()
	return out
}

// sendConcurrency bounds the chats one Send serves at once.
const sendConcurrency = 32

// sendChat sends the messages at positions idx, all to chat, in order,
// writing their outcomes into out.
func (s *Sender) sendChat(ctx context.Context, chat int64, idx []int, msgs []Message, out []Delivery) {
	var blocked error
	for _, i := range idx {
		if err := ctx.Err(); err != nil {
			out[i].Err = err
			continue
		}
		if blocked != nil {
			out[i].Err = blocked
			continue
		}
		out[i].MessageIDs, out[i].Err = s.send(ctx, msgs[i])
		if errors.Is(out[i].Err, ErrBlocked) && chat != 0 {
			blocked = out[i].Err
			if s.o.OnBlocked != nil {
				s.o.OnBlocked(ctx, chat)
			}
		}
	}
}

func (s *Sender) send(ctx context.Context, m Message) ([]int, error) {
	switch m := m.(type) {
	case Text:
		return s.sendText(ctx, m)
	case Photo:
		return s.sendFile(ctx, "photo", m.ChatID, m.Name, m.Data, m.FileID, m.Caption, m.Buttons)
	case Document:
		return s.sendFile(ctx, "document", m.ChatID, m.Name, m.Data, m.FileID, m.Caption, m.Buttons)
	case Album:
		return s.sendAlbum(ctx, m)
	case Edit:
		return s.sendEdit(ctx, m)
	case CallbackAnswer:
		cfg := tgbotapi.NewCallback(m.ID, m.Text)
		cfg.ShowAlert = m.Alert
		return nil, s.do(ctx, 0, "callback", func(ctx context.Context) error {
			_, err := s.c.Request(ctx, cfg)
			return err
		})
	}
	return nil, fmt.Errorf("%w: type %T", ErrInvalidMessage, m)
}

// sendText sends a text, split in parts of at most 4096 characters. A Menu
// (or RemoveMenu) goes with the first part, Buttons with the last.
func (s *Sender) sendText(ctx context.Context, m Text) ([]int, error) {
	parts := splitText(m.Text, maxText, m.HTML)
	if len(m.Buttons) > 0 && (len(m.Menu) > 0 || m.RemoveMenu) && len(parts) == 1 {
		// Telegram takes one reply_markup per message.
		return nil, fmt.Errorf("%w: a text with both Buttons and a Menu", ErrInvalidMessage)
	}
	var ids []int
	for i, p := range parts {
		cfg := tgbotapi.NewMessage(m.ChatID, p)
		cfg.DisableWebPagePreview = m.DisablePreview
		if m.HTML {
			cfg.ParseMode = tgbotapi.ModeHTML
		}
		if i == 0 && len(m.Menu) > 0 {
			cfg.ReplyMarkup = replyKeyboard(m.Menu)
		} else if i == 0 && m.RemoveMenu {
			cfg.ReplyMarkup = tgbotapi.NewRemoveKeyboard(false)
		}
		if i == len(parts)-1 && len(m.Buttons) > 0 {
			cfg.ReplyMarkup = inlineKeyboard(m.Buttons)
		}
		id, err := s.sendMessage(ctx, m.ChatID, "text", cfg)
		if err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// sendFile sends a photo or a document. A caption over 1024 characters is
// cut: the file goes with its start and the rest follows as a text, which
// then carries the buttons.
func (s *Sender) sendFile(ctx context.Context, kind string, chat int64, name string, data []byte, fileID, caption string, buttons Keyboard) ([]int, error) {
	file, err := fileData(kind, name, data, fileID)
	if err != nil {
		return nil, err
	}
	head, rest := caption, ""
	if utf16Len(caption) > maxCaption {
		head, rest = cutText(caption, maxCaption, false)
	}
	var markup any
	if rest == "" && len(buttons) > 0 {
		markup = inlineKeyboard(buttons)
	}
	var cfg tgbotapi.Chattable
	if kind == "photo" {
		c := tgbotapi.NewPhoto(chat, file)
		c.Caption, c.ReplyMarkup = head, markup
		cfg = c
	} else {
		c := tgbotapi.NewDocument(chat, file)
		c.Caption, c.ReplyMarkup = head, markup
		cfg = c
	}
	id, err := s.sendMessage(ctx, chat, kind, cfg)
	if err != nil {
		return nil, err
	}
	ids := []int{id}
	if rest != "" {
		more, err := s.sendText(ctx, Text{ChatID: chat, Text: rest, Buttons: buttons})
		ids = append(ids, more...)
		if err != nil {
			return ids, err
		}
	}
	return ids, nil
}

func fileData(kind, name string, data []byte, fileID string) (tgbotapi.RequestFileData, error) {
	if fileID != "" {
		return tgbotapi.FileID(fileID), nil
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: a %s without Data or FileID", ErrInvalidMessage, kind)
	}
	if name == "" {
		// Without a file name the multipart part is not a file at all.
		name = "file"
		if kind == "photo" {
			name = "photo.jpg"
		}
	}
	return tgbotapi.FileBytes{Name: name, Bytes: data}, nil
}

// sendAlbum sends photos as media groups of up to ten; a lone photo (an
// album of one, or the eleventh) goes as a plain photo.
func (s *Sender) sendAlbum(ctx context.Context, m Album) ([]int, error) {
	if len(m.Photos) == 0 {
		return nil, fmt.Errorf("%w: an empty album", ErrInvalidMessage)
	}
	var ids []int
	for photos := m.Photos; len(photos) > 0; {
		n := min(len(photos), 10)
		group := photos[:n]
		photos = photos[n:]
		if len(group) == 1 {
			p := group[0]
			more, err := s.sendFile(ctx, "photo", m.ChatID, p.Name, p.Data, p.FileID, p.Caption, nil)
			ids = append(ids, more...)
			if err != nil {
				return ids, err
			}
			continue
		}
		media := make([]any, len(group))
		for i, p := range group {
			file, err := fileData("photo", p.Name, p.Data, p.FileID)
			if err != nil {
				return ids, err
			}
			im := tgbotapi.NewInputMediaPhoto(file)
			im.Caption, _ = cutText(p.Caption, maxCaption, false)
			media[i] = im
		}
		cfg := tgbotapi.NewMediaGroup(m.ChatID, media)
		var sent []tgbotapi.Message
		err := s.do(ctx, m.ChatID, "album", func(ctx context.Context) error {
			var err error
			sent, err = s.c.SendMediaGroup(ctx, cfg)
			return err
		})
		if err != nil {
			return ids, err
		}
		for _, msg := range sent {
			ids = append(ids, msg.MessageID)
		}
	}
	return ids, nil
}

// sendEdit changes an earlier message: its text and buttons, or only the
// buttons when Text is empty. "message is not modified" counts as done.
func (s *Sender) sendEdit(ctx context.Context, m Edit) ([]int, error) {
	var cfg tgbotapi.Chattable
	if m.Text == "" {
		cfg = tgbotapi.NewEditMessageReplyMarkup(m.ChatID, m.MessageID, inlineKeyboard(m.Buttons))
	} else {
		c := tgbotapi.NewEditMessageText(m.ChatID, m.MessageID, m.Text)
		if m.HTML {
			c.ParseMode = tgbotapi.ModeHTML
		}
		if len(m.Buttons) > 0 {
			kb := inlineKeyboard(m.Buttons)
			c.ReplyMarkup = &kb
		}
		cfg = c
	}
	if _, err := s.sendMessage(ctx, m.ChatID, "edit", cfg); err != nil {
		return nil, err
	}
	return []int{m.MessageID}, nil
}

// sendMessage sends one message-returning call and returns the message id.
func (s *Sender) sendMessage(ctx context.Context, chat int64, kind string, cfg tgbotapi.Chattable) (int, error) {
	var sent tgbotapi.Message
	err := s.do(ctx, chat, kind, func(ctx context.Context) error {
		var err error
		sent, err = s.c.Send(ctx, cfg)
		return err
	})
	return sent.MessageID, err
}

func inlineKeyboard(kb Keyboard) tgbotapi.InlineKeyboardMarkup {
	// Never nil: {"inline_keyboard":[]} removes the buttons, null is refused.
	rows := make([][]tgbotapi.InlineKeyboardButton, 0, len(kb))
	for _, r := range kb {
		row := make([]tgbotapi.InlineKeyboardButton, 0, len(r))
		for _, b := range r {
			if b.URL != "" {
				row = append(row, tgbotapi.NewInlineKeyboardButtonURL(b.Text, b.URL))
			} else {
				row = append(row, tgbotapi.NewInlineKeyboardButtonData(b.Text, b.Data))
			}
		}
		rows = append(rows, row)
	}
	return tgbotapi.InlineKeyboardMarkup{InlineKeyboard: rows}
}

func replyKeyboard(menu [][]string) tgbotapi.ReplyKeyboardMarkup {
	rows := make([][]tgbotapi.KeyboardButton, 0, len(menu))
	for _, r := range menu {
		row := make([]tgbotapi.KeyboardButton, 0, len(r))
		for _, text := range r {
			row = append(row, tgbotapi.NewKeyboardButton(text))
		}
		rows = append(rows, row)
	}
	kb := tgbotapi.NewReplyKeyboard(rows...)
	kb.ResizeKeyboard = true
	return kb
}

// do makes one call within the limits, retrying as Telegram asks: after
// retry_after on 429, with backoff on 5xx and network errors. 403 becomes
// ErrBlocked and "message is not modified" success; other errors are final.
func (s *Sender) do(ctx context.Context, chat int64, kind string, call func(context.Context) error) error {
	for attempt := 0; ; attempt++ {
		if err := s.wait(ctx, chat); err != nil {
			return err
		}
		err := call(ctx)
		if err == nil {
			s.sent(kind)
			return nil
		}
		var apiErr *tgbotapi.Error
		isAPI := errors.As(err, &apiErr)
		var delay time.Duration
		switch {
		case isAPI && apiErr.RetryAfter > 0:
			// Uploads report 429 with Code 0: retry_after is what counts.
			if s.o.Metrics != nil {
				s.o.Metrics.RateLimited()
			}
			delay = time.Duration(apiErr.RetryAfter) * time.Second
			s.pause(chat, delay)
		case isAPI && strings.HasPrefix(apiErr.Message, "Bad Request: message is not modified"):
			return nil
		case isAPI && (apiErr.Code == 403 || strings.HasPrefix(apiErr.Message, "Forbidden")):
			s.failed(kind)
			return fmt.Errorf("%w (%w)", ErrBlocked, err)
		case isAPI && !retryable(apiErr):
			s.failed(kind)
			return fmt.Errorf("bot: send %s: %w", kind, err)
		case !isAPI && ctx.Err() != nil:
			return ctx.Err()
		default:
			delay = min(s.o.RetryBase<<attempt, maxBackoff)
		}
		if attempt >= s.o.MaxRetries {
			s.failed(kind)
			return fmt.Errorf("bot: send %s: gave up after %d retries: %w", kind, attempt, err)
		}
		s.o.Log.LogAttrs(ctx, slog.LevelInfo, "send retry", slog.String("kind", kind),
			slog.Int("attempt", attempt+1), slog.Duration("wait", delay), slog.String("error", err.Error()))
		if err := s.sleep(ctx, delay); err != nil {
			return err
		}
	}
}

// retryable reports whether an API error may pass on a retry: 5xx. Uploads
// lose the code (Code 0), so their description decides.
func retryable(e *tgbotapi.Error) bool {
	if e.Code != 0 {
		return e.Code >= 500
	}
	for _, final := range []string{"Bad Request", "Unauthorized", "Forbidden", "Not Found", "Conflict", "Request Entity Too Large"} {
		if strings.HasPrefix(e.Message, final) {
			return false
		}
	}
	return true
}

func (s *Sender) sent(kind string) {
	if s.o.Metrics != nil {
		s.o.Metrics.MessageSent(kind)
	}
}

func (s *Sender) failed(kind string) {
	if s.o.Metrics != nil {
		s.o.Metrics.SendFailed(kind)
	}
	// The caller gets the error in the Delivery and logs it; this line only
	// helps when tracing retries.
	s.o.Log.LogAttrs(context.Background(), slog.LevelDebug, "send failed", slog.String("kind", kind))
}

// wait blocks until a message may go to chat: after any 429 pause of the
// chat, within the chat's pace, within the global rate. Callback answers
// (chat 0) are not messages and are not limited.
func (s *Sender) wait(ctx context.Context, chat int64) error {
	if chat == 0 {
		return nil
	}
	lim, paused := s.pace(chat)
	if d := paused.Sub(s.now()); d > 0 {
		if err := s.sleep(ctx, d); err != nil {
			return err
		}
	}
	if err := lim.Wait(ctx); err != nil {
		return limitErr(ctx, err)
	}
	if err := s.global.Wait(ctx); err != nil {
		return limitErr(ctx, err)
	}
	return nil
}

// limitErr turns rate's "would exceed context deadline" into an error that
// matches context.DeadlineExceeded.
func limitErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("bot: %w: %v", context.DeadlineExceeded, err)
}

// pace returns the chat's limiter and pause, making them on first use and
// dropping chats idle long enough to have refilled, so the map stays small.
func (s *Sender) pace(chat int64) (*rate.Limiter, time.Time) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.swept) > idleChat {
		for id, p := range s.chats {
			if now.Sub(p.used) > idleChat && now.After(p.paused) {
				delete(s.chats, id)
			}
		}
		s.swept = now
	}
	p := s.chats[chat]
	if p == nil {
		every := rate.Every(s.o.ChatInterval)
		if chat < 0 {
			every = rate.Every(time.Minute / time.Duration(s.o.GroupPerMinute))
		}
		p = &chatPace{lim: rate.NewLimiter(every, chatBurst)}
		s.chats[chat] = p
	}
	p.used = now
	return p.lim, p.paused
}

// pause holds every send to chat for d, after Telegram's 429.
func (s *Sender) pause(chat int64, d time.Duration) {
	if chat == 0 {
		return
	}
	until := s.now().Add(d)
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.chats[chat]; p != nil && until.After(p.paused) {
		p.paused = until
	}
}

// tracked is the number of chats with a limiter (for tests of eviction).
func (s *Sender) tracked() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.chats)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
