package bottest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // DecodeConfig of photos people send
	_ "image/png"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// AddChat registers a chat the bot may write to without anyone having
// written first (a negative id is a group).
func (s *Server) AddChat(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatFor(id, User{ID: id})
}

// chatFor returns the chat, registering it. Callers hold s.mu.
func (s *Server) chatFor(id int64, from User) *chat {
	c := s.chats[id]
	if c == nil {
		c = &chat{id: id, typ: "private", byID: make(map[int]*message), inbound: make(map[int]bool)}
		if id < 0 {
			c.typ = "group"
			c.title = fmt.Sprintf("Group %d", -id)
		}
		s.chats[id] = c
	}
	if c.typ == "private" && from.ID == id && from.FirstName != "" {
		c.user = from
	}
	return c
}

func tgUser(u User) *tgbotapi.User {
	first := u.FirstName
	if first == "" {
		first = "User" + strconv.FormatInt(u.ID, 10)
	}
	return &tgbotapi.User{ID: u.ID, FirstName: first, LastName: u.LastName, UserName: u.Username, LanguageCode: "ru"}
}

func (s *Server) tgBot() *tgbotapi.User {
	return &tgbotapi.User{ID: s.botID, IsBot: true, FirstName: "SMK Test Bot", UserName: Username}
}

func (c *chat) tg() *tgbotapi.Chat {
	t := &tgbotapi.Chat{ID: c.id, Type: c.typ, Title: c.title}
	if c.typ == "private" {
		u := tgUser(c.user)
		if c.user.ID == 0 {
			u = tgUser(User{ID: c.id})
		}
		t.FirstName, t.LastName, t.UserName = u.FirstName, u.LastName, u.UserName
	}
	return t
}

// inbound makes a new message from a person in chat c. Callers hold s.mu.
func (s *Server) inbound(c *chat, from User) *tgbotapi.Message {
	c.nextMsg++
	c.inbound[c.nextMsg] = true
	return &tgbotapi.Message{MessageID: c.nextMsg, From: tgUser(from), Chat: c.tg(), Date: int(time.Now().Unix())}
}

// enqueue gives u the next update_id and queues it for getUpdates or the
// webhook. Callers hold s.mu.
func (s *Server) enqueue(u tgbotapi.Update) int {
	s.nextUpdate++
	u.UpdateID = s.nextUpdate
	s.pending = append(s.pending, u)
	s.history[u.UpdateID] = u
	s.notify()
	return u.UpdateID
}

// SendText sends text from the person to the bot in their private chat and
// returns the update_id. A text starting with "/" carries a bot_command
// entity, as Telegram's clients send it.
func (s *Server) SendText(from User, text string) int {
	return s.SendTextIn(from.ID, from, text)
}

// SendTextIn is SendText in any chat (a negative chatID is a group).
func (s *Server) SendTextIn(chatID int64, from User, text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatFor(chatID, from)
	m := s.inbound(c, from)
	m.Text = text
	if strings.HasPrefix(text, "/") {
		end := strings.IndexAny(text, " \n")
		if end < 0 {
			end = len(text)
		}
		m.Entities = []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: utf16Len(text[:end])}}
	}
	return s.enqueue(tgbotapi.Update{Message: m})
}

// Press presses an inline button under message messageID in the person's
// private chat, with data as the callback data. The data is not checked
// against the message's buttons, so tests can forge presses. It returns the
// callback query id and the update_id.
func (s *Server) Press(from User, messageID int, data string) (callbackQueryID string, updateID int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatFor(from.ID, from)
	s.nextQuery++
	id := strconv.Itoa(4_000_000 + s.nextQuery)
	s.queries[id] = &query{}
	msg := &tgbotapi.Message{MessageID: messageID, From: s.tgBot(), Chat: c.tg(), Date: int(time.Now().Unix())}
	if m := c.byID[messageID]; m != nil && !m.Deleted {
		msg = s.tgMessage(c, m, messageID)
	}
	cq := &tgbotapi.CallbackQuery{ID: id, From: tgUser(from), Message: msg, ChatInstance: strconv.FormatInt(c.id, 10), Data: data}
	return id, s.enqueue(tgbotapi.Update{CallbackQuery: cq})
}

// PressButton presses the callback button labelled buttonText under the
// newest bot message in the person's private chat that has one. It returns
// the update_id.
func (s *Server) PressButton(from User, buttonText string) (int, error) {
	s.mu.Lock()
	var id int
	var data string
	if c := s.chats[from.ID]; c != nil {
	search:
		for i := len(c.sent) - 1; i >= 0; i-- {
			m := c.sent[i]
			if m.Deleted {
				continue
			}
			for _, row := range m.Buttons {
				for _, b := range row {
					if b.Text == buttonText && b.Data != "" {
						id, data = m.MessageID, b.Data
						break search
					}
				}
			}
		}
	}
	s.mu.Unlock()
	if id == 0 {
		return 0, fmt.Errorf("bottest: no callback button %q in chat %d", buttonText, from.ID)
	}
	_, u := s.Press(from, id, data)
	return u, nil
}

// SendPhoto sends a photo from the person to the bot in their private chat.
// Photos sharing a non-empty mediaGroupID form an album.
func (s *Server) SendPhoto(from User, data []byte, caption, mediaGroupID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatFor(from.ID, from)
	m := s.inbound(c, from)
	big := s.storeFile("photo", "", data)
	// Telegram sends several sizes, the largest last; the thumbnail here has
	// its own id so a bot that takes the first size shows up in tests.
	thumb := s.storeFile("photo", "", data)
	thumb.width, thumb.height = 90, 90
	m.Photo = []tgbotapi.PhotoSize{photoSize(thumb), photoSize(big)}
	m.Caption = caption
	m.MediaGroupID = mediaGroupID
	return s.enqueue(tgbotapi.Update{Message: m})
}

// SendDocument sends a file from the person to the bot in their private chat.
func (s *Server) SendDocument(from User, name string, data []byte, caption string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatFor(from.ID, from)
	m := s.inbound(c, from)
	f := s.storeFile("document", name, data)
	m.Document = &tgbotapi.Document{FileID: f.id, FileUniqueID: f.unique, FileName: f.name, MimeType: f.mime, FileSize: len(f.data)}
	m.Caption = caption
	return s.enqueue(tgbotapi.Update{Message: m})
}

// SendVoice sends a voice message from the person to the bot in their
// private chat.
func (s *Server) SendVoice(from User, data []byte, seconds int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatFor(from.ID, from)
	m := s.inbound(c, from)
	f := s.storeFile("voice", "", data)
	m.Voice = &tgbotapi.Voice{FileID: f.id, FileUniqueID: f.unique, Duration: seconds, MimeType: "audio/ogg", FileSize: len(f.data)}
	return s.enqueue(tgbotapi.Update{Message: m})
}

func photoSize(f *file) tgbotapi.PhotoSize {
	return tgbotapi.PhotoSize{FileID: f.id, FileUniqueID: f.unique, Width: f.width, Height: f.height, FileSize: len(f.data)}
}

// storeFile keeps a file for getFile and download. Callers hold s.mu.
func (s *Server) storeFile(kind, name string, data []byte) *file {
	s.nextFile++
	n := s.nextFile
	f := &file{name: name, data: data}
	switch kind {
	case "photo":
		f.id = fmt.Sprintf("AgACAgIAAxkBAAI%08d", n)
		f.path = fmt.Sprintf("photos/file_%d.jpg", n)
		f.mime = "image/jpeg"
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil {
			f.width, f.height = cfg.Width, cfg.Height
		}
	case "voice":
		f.id = fmt.Sprintf("AwACAgIAAxkBAAI%08d", n)
		f.path = fmt.Sprintf("voice/file_%d.oga", n)
		f.mime = "audio/ogg"
	default:
		f.id = fmt.Sprintf("BQACAgIAAxkBAAI%08d", n)
		f.path = fmt.Sprintf("documents/file_%d%s", n, path.Ext(name))
		f.mime = mime.TypeByExtension(path.Ext(name))
		if f.mime == "" {
			f.mime = "application/octet-stream"
		}
		if i := strings.IndexByte(f.mime, ';'); i >= 0 {
			f.mime = f.mime[:i]
		}
	}
	f.unique = fmt.Sprintf("AQAD%08d", n)
	s.files[f.id] = f
	s.paths[f.path] = f
	return f
}

// File returns the bytes of a file known to the server by its file_id.
func (s *Server) File(fileID string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[fileID]
	if f == nil {
		return nil, false
	}
	return f.data, true
}

// Pending is the number of updates not yet confirmed by the bot.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// Confirmed reports whether the bot has confirmed the update: by a later
// getUpdates offset, or by answering its webhook delivery with 2xx. Both
// happen only after the bot handled it, so tests wait on this.
func (s *Server) Confirmed(updateID int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, made := s.history[updateID]; !made {
		return false
	}
	for _, u := range s.pending {
		if u.UpdateID == updateID {
			return false
		}
	}
	return true
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func (s *Server) getMe(r *request) (any, *apiError) {
	u := s.tgBot()
	u.CanJoinGroups = true
	return u, nil
}

// getUpdates follows Telegram: offset confirms (and forgets) every update
// with a smaller id, a negative offset keeps only the last -offset updates,
// limit caps the answer (1-100, default 100), and timeout long-polls. A newer
// getUpdates ends an older one with 409, and so does an active webhook.
func (s *Server) getUpdates(r *request) (any, *apiError) {
	offset, _ := strconv.Atoi(r.p["offset"])
	limit, _ := strconv.Atoi(r.p["limit"])
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(r.p["timeout"])
	deadline := time.NewTimer(time.Duration(max(timeout, 0)) * time.Second)
	defer deadline.Stop()

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhookURL != "" {
		return nil, &apiError{code: http.StatusConflict, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	s.pollGen++
	gen := s.pollGen
	switch {
	case offset > 0:
		i := 0
		for i < len(s.pending) && s.pending[i].UpdateID < offset {
			i++
		}
		s.pending = s.pending[i:]
	case offset < 0:
		if n := -offset; n < len(s.pending) {
			s.pending = s.pending[len(s.pending)-n:]
		}
	}
	s.notify()
	for {
		if gen != s.pollGen {
			return nil, &apiError{code: http.StatusConflict, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		}
		if len(s.pending) > 0 && s.webhookURL == "" {
			n := min(limit, len(s.pending))
			return append([]tgbotapi.Update(nil), s.pending[:n]...), nil
		}
		if timeout <= 0 {
			return []tgbotapi.Update{}, nil
		}
		ch := s.changed
		s.mu.Unlock()
		var stop bool
		select {
		case <-ch:
		case <-deadline.C:
			stop = true
		case <-r.ctx.Done():
			stop = true
		case <-s.done:
			stop = true
		}
		s.mu.Lock()
		if stop {
			return []tgbotapi.Update{}, nil
		}
	}
}

var secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// setWebhook stores the URL and secret_token; from then on updates are
// POSTed there and getUpdates answers 409.
func (s *Server) setWebhook(r *request) (any, *apiError) {
	u := r.p["url"]
	secret := r.p["secret_token"]
	if secret != "" && !secretRE.MatchString(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	if u != "" {
		if pu, err := url.Parse(u); err != nil || pu.Host == "" || pu.Scheme != "http" && pu.Scheme != "https" {
			return nil, badRequest("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopWebhook()
	if r.p["drop_pending_updates"] == "true" {
		s.pending = nil
	}
	if u == "" {
		s.notify()
		return true, nil
	}
	s.webhookURL, s.webhookSecret = u, secret
	ctx, cancel := context.WithCancel(context.Background())
	s.webhookStop = cancel
	s.wg.Add(1)
	go s.runWebhook(ctx, u, secret)
	s.notify()
	return true, nil
}

// stopWebhook forgets the webhook and stops its delivery. Callers hold s.mu.
func (s *Server) stopWebhook() {
	if s.webhookStop != nil {
		s.webhookStop()
		s.webhookStop = nil
	}
	s.webhookURL, s.webhookSecret, s.webhookErr = "", "", ""
	s.webhookErrAt = time.Time{}
}

func (s *Server) deleteWebhook(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopWebhook()
	if r.p["drop_pending_updates"] == "true" {
		s.pending = nil
	}
	s.notify()
	return true, nil
}

func (s *Server) getWebhookInfo(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := tgbotapi.WebhookInfo{URL: s.webhookURL, PendingUpdateCount: len(s.pending)}
	if s.webhookURL != "" {
		info.MaxConnections = 40
	}
	if s.webhookErr != "" {
		info.LastErrorMessage = s.webhookErr
		info.LastErrorDate = int(s.webhookErrAt.Unix())
	}
	return info, nil
}

// WebhookSecret is the secret_token given to setWebhook ("" when none).
func (s *Server) WebhookSecret() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookSecret
}

// WebhookURL is the URL given to setWebhook ("" when none).
func (s *Server) WebhookURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookURL
}

// Deliveries lists every webhook delivery attempt so far, in order.
func (s *Server) Deliveries() []WebhookDelivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]WebhookDelivery(nil), s.deliveries...)
}

// runWebhook POSTs pending updates to the webhook one at a time, in order.
// Like Telegram it retries an update until the webhook answers 2xx, backing
// off (here from 10 ms to 1 s, so tests stay quick).
func (s *Server) runWebhook(ctx context.Context, u, secret string) {
	defer s.wg.Done()
	backoff := 10 * time.Millisecond
	for {
		s.mu.Lock()
		for len(s.pending) == 0 {
			ch := s.changed
			s.mu.Unlock()
			select {
			case <-ch:
			case <-ctx.Done():
				return
			}
			s.mu.Lock()
		}
		up := s.pending[0]
		s.mu.Unlock()

		status, err := s.post(ctx, u, secret, up)
		if ctx.Err() != nil {
			return
		}
		s.mu.Lock()
		if err == nil && status/100 == 2 {
			if len(s.pending) > 0 && s.pending[0].UpdateID == up.UpdateID {
				s.pending = s.pending[1:]
			}
			s.notify()
			s.mu.Unlock()
			backoff = 10 * time.Millisecond
			continue
		}
		if err != nil {
			s.webhookErr = "Connection refused"
		} else {
			s.webhookErr = fmt.Sprintf("Wrong response from the webhook: %d %s", status, http.StatusText(status))
		}
		s.webhookErrAt = time.Now()
		s.mu.Unlock()
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
		backoff = min(backoff*2, time.Second)
	}
}

// post sends one update to the webhook and records the attempt.
func (s *Server) post(ctx context.Context, u, secret string, up tgbotapi.Update) (int, error) {
	body, err := json.Marshal(up)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	d := WebhookDelivery{UpdateID: up.UpdateID, At: time.Now()}
	resp, err := s.hook.Do(req)
	if err == nil {
		resp.Body.Close()
		d.Status = resp.StatusCode
	} else {
		d.Err = err.Error()
	}
	s.mu.Lock()
	s.deliveries = append(s.deliveries, d)
	s.notify()
	s.mu.Unlock()
	return d.Status, err
}

// Deliver POSTs an already made update (by update_id) once more to the
// webhook, with the given secret header ("" for none), and returns the HTTP
// status. Use it to check the secret (401) or a redelivered update_id.
func (s *Server) Deliver(ctx context.Context, updateID int, secret string) (int, error) {
	s.mu.Lock()
	u := s.webhookURL
	up, ok := s.history[updateID]
	s.mu.Unlock()
	if u == "" {
		return 0, errors.New("bottest: no webhook set")
	}
	if !ok {
		return 0, fmt.Errorf("bottest: no update %d", updateID)
	}
	return s.post(ctx, u, secret, up)
}

// Update returns an update made earlier, by id.
func (s *Server) Update(updateID int) (tgbotapi.Update, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.history[updateID]
	return u, ok
}
