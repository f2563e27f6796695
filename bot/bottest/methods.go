package bottest

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Telegram's limits.
const (
	maxText     = 4096
	maxCaption  = 1024
	maxData     = 64
	maxAnswer   = 200
	maxAlbum    = 10
	notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
)

// target finds the chat a call is for. Callers hold s.mu.
func (s *Server) target(p map[string]string) (*chat, *apiError) {
	raw := p["chat_id"]
	if raw == "" {
		return nil, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, badRequest("chat not found")
	}
	if s.blocked[id] {
		return nil, &apiError{code: http.StatusForbidden, desc: "Forbidden: bot was blocked by the user"}
	}
	c := s.chats[id]
	if c == nil {
		return nil, badRequest("chat not found")
	}
	return c, nil
}

// allowedTag reports whether Telegram's HTML parse mode knows the tag.
func allowedTag(name string) bool {
	switch name {
	case "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
		"tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji":
		return true
	}
	return false
}

// plainText is the text as Telegram shows it: for the HTML parse mode the
// tags are checked and removed and entities decoded, so an unescaped "<" in
// a person's name fails here as it would on Telegram.
func plainText(text, mode string) (string, *apiError) {
	if !strings.EqualFold(mode, "HTML") {
		return text, nil
	}
	var b strings.Builder
	var stack []string
	for i := 0; i < len(text); {
		switch text[i] {
		case '<':
			j := strings.IndexByte(text[i:], '>')
			if j < 0 {
				return "", badRequest(fmt.Sprintf("can't parse entities: Unclosed start tag at byte offset %d", i))
			}
			tag := text[i+1 : i+j]
			name, closing := strings.CutPrefix(tag, "/")
			name, _, _ = strings.Cut(name, " ")
			lower := strings.ToLower(name)
			switch {
			case closing && (len(stack) == 0 || stack[len(stack)-1] != lower):
				return "", badRequest(fmt.Sprintf("can't parse entities: Unexpected end tag at byte offset %d", i))
			case closing:
				stack = stack[:len(stack)-1]
			case !allowedTag(lower):
				return "", badRequest(fmt.Sprintf("can't parse entities: Unsupported start tag %q at byte offset %d", name, i))
			default:
				stack = append(stack, lower)
			}
			i += j + 1
		case '&':
			if j := strings.IndexByte(text[i:], ';'); j > 1 && j < 12 {
				if ent := html.UnescapeString(text[i : i+j+1]); ent != text[i:i+j+1] {
					b.WriteString(ent)
					i += j + 1
					continue
				}
			}
			b.WriteByte('&')
			i++
		default:
			b.WriteByte(text[i])
			i++
		}
	}
	if len(stack) > 0 {
		return "", badRequest(fmt.Sprintf("can't parse entities: Can't find end tag corresponding to start tag %q", stack[len(stack)-1]))
	}
	return b.String(), nil
}

func checkText(text, mode string) *apiError {
	plain, e := plainText(text, mode)
	if e != nil {
		return e
	}
	if strings.TrimSpace(plain) == "" {
		return badRequest("message text is empty")
	}
	if utf16Len(plain) > maxText {
		return badRequest("message is too long")
	}
	return nil
}

func checkCaption(caption, mode string) *apiError {
	plain, e := plainText(caption, mode)
	if e != nil {
		return e
	}
	if utf16Len(plain) > maxCaption {
		return badRequest("message caption is too long")
	}
	return nil
}

// markup is a parsed reply_markup.
type markup struct {
	inline [][]Button
	canon  string // canonical JSON of the inline keyboard, "" for none
	menu   [][]string
	remove bool
	other  bool // a reply keyboard, removal or force reply: not an inline keyboard
}

func parseMarkup(raw string) (markup, *apiError) {
	var mk markup
	if raw == "" {
		return mk, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &fields); err != nil {
		return mk, badRequest("can't parse reply keyboard markup JSON object")
	}
	if r, ok := fields["inline_keyboard"]; ok {
		var rows [][]struct {
			Text         string  `json:"text"`
			URL          *string `json:"url"`
			CallbackData *string `json:"callback_data"`
		}
		if err := json.Unmarshal(r, &rows); err != nil {
			return mk, badRequest("can't parse inline keyboard button: field \"inline_keyboard\" must be of type Array")
		}
		for _, row := range rows {
			var out []Button
			for _, b := range row {
				switch {
				case b.Text == "":
					return mk, badRequest("can't parse inline keyboard button: Text must be non-empty")
				case b.CallbackData != nil && len(*b.CallbackData) > maxData:
					return mk, badRequest("BUTTON_DATA_INVALID")
				case b.CallbackData != nil && b.URL != nil:
					return mk, badRequest("can't parse inline keyboard button: Only one of optional fields must be present")
				case b.CallbackData != nil:
					out = append(out, Button{Text: b.Text, Data: *b.CallbackData})
				case b.URL != nil:
					u, err := url.Parse(*b.URL)
					if err != nil || u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "tg" {
						return mk, badRequest("BUTTON_URL_INVALID")
					}
					out = append(out, Button{Text: b.Text, URL: *b.URL})
				default:
					return mk, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
				}
			}
			if len(out) > 0 {
				mk.inline = append(mk.inline, out)
			}
		}
		if len(mk.inline) > 0 {
			b, _ := json.Marshal(mk.inline)
			mk.canon = string(b)
		}
		return mk, nil
	}
	mk.other = true
	if r, ok := fields["keyboard"]; ok {
		var rows [][]json.RawMessage
		if err := json.Unmarshal(r, &rows); err != nil {
			return mk, badRequest("can't parse reply keyboard markup JSON object")
		}
		for _, row := range rows {
			var out []string
			for _, b := range row {
				var text string
				if json.Unmarshal(b, &text) != nil {
					var kb struct {
						Text string `json:"text"`
					}
					json.Unmarshal(b, &kb)
					text = kb.Text
				}
				if text == "" {
					return mk, badRequest("can't parse keyboard button: Text must be non-empty")
				}
				out = append(out, text)
			}
			if len(out) > 0 {
				mk.menu = append(mk.menu, out)
			}
		}
		if len(mk.menu) == 0 {
			return mk, badRequest("keyboard must be non-empty")
		}
	}
	if r, ok := fields["remove_keyboard"]; ok && string(r) == "true" {
		mk.remove = true
	}
	return mk, nil
}

// addSent gives m the chat's next message id and records it. Callers hold
// s.mu.
func (s *Server) addSent(c *chat, m *message, mk markup, n int) {
	m.ChatID = c.id
	m.date = int(time.Now().Unix())
	for range n {
		c.nextMsg++
		m.MessageIDs = append(m.MessageIDs, c.nextMsg)
		c.byID[c.nextMsg] = m
	}
	m.MessageID = m.MessageIDs[0]
	m.Buttons, m.markup, m.Menu, m.RemoveMenu = mk.inline, mk.canon, mk.menu, mk.remove
	if mk.menu != nil {
		c.menu = mk.menu
	}
	if mk.remove {
		c.menu = nil
	}
	c.sent = append(c.sent, m)
	s.publish(Event{Kind: "sent", Message: m.snapshot()})
}

// snapshot copies the message so callers cannot change the server's state.
func (m *message) snapshot() Sent {
	out := m.Sent
	out.Buttons = nil
	for _, row := range m.Buttons {
		out.Buttons = append(out.Buttons, slices.Clone(row))
	}
	out.Menu = nil
	for _, row := range m.Menu {
		out.Menu = append(out.Menu, slices.Clone(row))
	}
	out.Files = slices.Clone(m.Files)
	out.MessageIDs = slices.Clone(m.MessageIDs)
	return out
}

// tgMessage is the Message Telegram returns for one id of m.
func (s *Server) tgMessage(c *chat, m *message, id int) *tgbotapi.Message {
	out := &tgbotapi.Message{MessageID: id, From: s.tgBot(), Chat: c.tg(), Date: m.date}
	text, _ := plainText(m.Text, m.ParseMode)
	idx := slices.Index(m.MessageIDs, id)
	switch m.Kind {
	case "text":
		out.Text = text
	case "photo", "album":
		f := m.files[max(idx, 0)]
		if strings.HasPrefix(f.path, "photos/") {
			out.Photo = []tgbotapi.PhotoSize{photoSize(f)}
		} else {
			out.Document = &tgbotapi.Document{FileID: f.id, FileUniqueID: f.unique, FileName: f.name, MimeType: f.mime, FileSize: len(f.data)}
		}
		if m.Kind == "album" {
			out.MediaGroupID = fmt.Sprintf("album%d", m.MessageID)
		}
		if idx <= 0 {
			out.Caption = text
		}
	case "document":
		f := m.files[0]
		out.Document = &tgbotapi.Document{FileID: f.id, FileUniqueID: f.unique, FileName: f.name, MimeType: f.mime, FileSize: len(f.data)}
		out.Caption = text
	}
	if len(m.Buttons) > 0 {
		kb := make([][]tgbotapi.InlineKeyboardButton, len(m.Buttons))
		for i, row := range m.Buttons {
			for _, b := range row {
				tb := tgbotapi.InlineKeyboardButton{Text: b.Text}
				if b.Data != "" {
					tb.CallbackData = &b.Data
				} else {
					tb.URL = &b.URL
				}
				kb[i] = append(kb[i], tb)
			}
		}
		out.ReplyMarkup = &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: kb}
	}
	return out
}

func (s *Server) sendMessage(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.target(r.p)
	if e != nil {
		return nil, e
	}
	if e := checkText(r.p["text"], r.p["parse_mode"]); e != nil {
		return nil, e
	}
	mk, e := parseMarkup(r.p["reply_markup"])
	if e != nil {
		return nil, e
	}
	m := &message{Sent: Sent{Kind: "text", Text: r.p["text"], ParseMode: r.p["parse_mode"], DisablePreview: r.p["disable_web_page_preview"] == "true"}}
	s.addSent(c, m, mk, 1)
	return s.tgMessage(c, m, m.MessageID), nil
}

// editable finds the bot's message to edit. Callers hold s.mu.
func (s *Server) editable(r *request) (*chat, *message, *apiError) {
	if r.p["inline_message_id"] != "" {
		return nil, nil, badRequest("MESSAGE_ID_INVALID")
	}
	c, e := s.target(r.p)
	if e != nil {
		return nil, nil, e
	}
	id, _ := strconv.Atoi(r.p["message_id"])
	m := c.byID[id]
	if m == nil || m.Deleted {
		return nil, nil, badRequest("message to edit not found")
	}
	return c, m, nil
}

func (s *Server) editMessageText(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, e := s.editable(r)
	if e != nil {
		return nil, e
	}
	if m.Kind != "text" {
		return nil, badRequest("there is no text in the message to edit")
	}
	text, mode := r.p["text"], r.p["parse_mode"]
	if e := checkText(text, mode); e != nil {
		return nil, e
	}
	mk, e := parseMarkup(r.p["reply_markup"])
	if e != nil {
		return nil, e
	}
	if mk.other {
		return nil, badRequest("inline keyboard expected")
	}
	oldPlain, _ := plainText(m.Text, m.ParseMode)
	newPlain, _ := plainText(text, mode)
	if oldPlain == newPlain && m.Text == text && mk.canon == m.markup {
		return nil, badRequest(notModified)
	}
	m.Text, m.ParseMode = text, mode
	m.Buttons, m.markup = mk.inline, mk.canon
	m.DisablePreview = r.p["disable_web_page_preview"] == "true"
	m.Edits++
	s.publish(Event{Kind: "edited", Message: m.snapshot()})
	return s.tgMessage(c, m, m.MessageID), nil
}

func (s *Server) editMessageReplyMarkup(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, e := s.editable(r)
	if e != nil {
		return nil, e
	}
	mk, e := parseMarkup(r.p["reply_markup"])
	if e != nil {
		return nil, e
	}
	if mk.other {
		return nil, badRequest("inline keyboard expected")
	}
	if mk.canon == m.markup {
		return nil, badRequest(notModified)
	}
	m.Buttons, m.markup = mk.inline, mk.canon
	m.Edits++
	s.publish(Event{Kind: "edited", Message: m.snapshot()})
	return s.tgMessage(c, m, m.MessageID), nil
}

func (s *Server) deleteMessage(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.target(r.p)
	if e != nil {
		return nil, e
	}
	id, _ := strconv.Atoi(r.p["message_id"])
	if m := c.byID[id]; m != nil && !m.Deleted {
		m.Deleted = true
		s.publish(Event{Kind: "deleted", Message: m.snapshot()})
		return true, nil
	}
	if c.inbound[id] {
		delete(c.inbound, id)
		s.notify()
		return true, nil
	}
	return nil, badRequest("message to delete not found")
}

func (s *Server) answerCallbackQuery(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.p["callback_query_id"]
	q := s.queries[id]
	if q == nil || q.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	text := r.p["text"]
	if utf16Len(text) > maxAnswer {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	q.answered = true
	a := CallbackAnswer{QueryID: id, Text: text, Alert: r.p["show_alert"] == "true"}
	s.answers = append(s.answers, a)
	s.publish(Event{Kind: "answer", Answer: a})
	return true, nil
}

// CallbackAnswers lists the bot's answers to pressed buttons, in order.
func (s *Server) CallbackAnswers() []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.answers)
}

// Answered reports whether the callback query has been answered.
func (s *Server) Answered(queryID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queries[queryID]
	return q != nil && q.answered
}

// fileParam is the file of a send: an upload in the request, or the file_id
// of a file the server knows. Callers hold s.mu.
func (s *Server) fileParam(r *request, field, kind string) (*file, *apiError) {
	if up, ok := r.files[field]; ok {
		if len(up.data) == 0 {
			return nil, badRequest("file must be non-empty")
		}
		return s.storeFile(kind, up.name, up.data), nil
	}
	id := r.p[field]
	if id == "" {
		return nil, badRequest(fmt.Sprintf("there is no %s in the request", field))
	}
	f := s.files[id]
	if f == nil {
		return nil, badRequest("wrong file identifier/HTTP URL specified")
	}
	if kind == "photo" && !strings.HasPrefix(f.path, "photos/") {
		return nil, badRequest("type of file mismatch")
	}
	return f, nil
}

func (s *Server) sendPhoto(r *request) (any, *apiError)    { return s.sendFile(r, "photo") }
func (s *Server) sendDocument(r *request) (any, *apiError) { return s.sendFile(r, "document") }

func (s *Server) sendFile(r *request, kind string) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.target(r.p)
	if e != nil {
		return nil, e
	}
	caption, mode := r.p["caption"], r.p["parse_mode"]
	if e := checkCaption(caption, mode); e != nil {
		return nil, e
	}
	mk, e := parseMarkup(r.p["reply_markup"])
	if e != nil {
		return nil, e
	}
	f, e := s.fileParam(r, kind, kind)
	if e != nil {
		return nil, e
	}
	m := &message{Sent: Sent{Kind: kind, Text: caption, ParseMode: mode, Files: []SentFile{{Name: f.name, Data: f.data}}}, files: []*file{f}}
	s.addSent(c, m, mk, 1)
	return s.tgMessage(c, m, m.MessageID), nil
}

func (s *Server) sendMediaGroup(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.target(r.p)
	if e != nil {
		return nil, e
	}
	var media []struct {
		Type      string `json:"type"`
		Media     string `json:"media"`
		Caption   string `json:"caption"`
		ParseMode string `json:"parse_mode"`
	}
	if err := json.Unmarshal([]byte(r.p["media"]), &media); err != nil {
		return nil, badRequest("can't parse media JSON object")
	}
	if len(media) < 2 || len(media) > maxAlbum {
		return nil, badRequest("wrong number of media in the group: must be 2-10")
	}
	m := &message{Sent: Sent{Kind: "album"}}
	for _, it := range media {
		if it.Type != "photo" && it.Type != "document" {
			return nil, badRequest("unsupported media type in the album")
		}
		if e := checkCaption(it.Caption, it.ParseMode); e != nil {
			return nil, e
		}
		field, kind := it.Media, it.Type
		rq := r
		if name, ok := strings.CutPrefix(it.Media, "attach://"); ok {
			field = name
		} else {
			rq = &request{p: map[string]string{field: it.Media}}
		}
		f, e := s.fileParam(rq, field, kind)
		if e != nil {
			return nil, e
		}
		m.files = append(m.files, f)
		m.Files = append(m.Files, SentFile{Name: f.name, Data: f.data})
		if m.Text == "" && it.Caption != "" {
			m.Text, m.ParseMode = it.Caption, it.ParseMode
		}
	}
	s.addSent(c, m, markup{}, len(media))
	out := make([]*tgbotapi.Message, len(m.MessageIDs))
	for i, id := range m.MessageIDs {
		out[i] = s.tgMessage(c, m, id)
		out[i].Caption = media[i].Caption
	}
	return out, nil
}

func (s *Server) getFile(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[r.p["file_id"]]
	if f == nil {
		return nil, badRequest("invalid file_id")
	}
	return tgbotapi.File{FileID: f.id, FileUniqueID: f.unique, FileSize: len(f.data), FilePath: f.path}, nil
}

var commandRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// commandKey names a scope and language of setMyCommands.
func commandKey(scope, lang string) string {
	var sc tgbotapi.BotCommandScope
	json.Unmarshal([]byte(scope), &sc)
	if sc.Type == "" {
		sc.Type = "default"
	}
	return fmt.Sprintf("%s/%d/%d|%s", sc.Type, sc.ChatID, sc.UserID, lang)
}

func (s *Server) setMyCommands(r *request) (any, *apiError) {
	var cmds []Command
	if err := json.Unmarshal([]byte(r.p["commands"]), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands specified")
	}
	for _, c := range cmds {
		if !commandRE.MatchString(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf16Len(c.Description); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands[commandKey(r.p["scope"], r.p["language_code"])] = cmds
	s.notify()
	return true, nil
}

func (s *Server) getMyCommands(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmds := s.commands[commandKey(r.p["scope"], r.p["language_code"])]
	if cmds == nil {
		cmds = []Command{}
	}
	return cmds, nil
}

func (s *Server) deleteMyCommands(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.commands, commandKey(r.p["scope"], r.p["language_code"]))
	s.notify()
	return true, nil
}

func (s *Server) sendChatAction(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, e := s.target(r.p); e != nil {
		return nil, e
	}
	return true, nil
}

// Commands returns the bot's commands for the default scope and language.
func (s *Server) Commands() []Command {
	return s.CommandsFor("", "")
}

// CommandsFor returns the commands set for a scope (its JSON, as the bot
// sent it; "" for the default) and language code.
func (s *Server) CommandsFor(scopeJSON, lang string) []Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[commandKey(scopeJSON, lang)])
}

// Messages returns the bot's messages in a chat, in order, in their current
// state (edits applied, deleted ones marked).
func (s *Server) Messages(chatID int64) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	out := make([]Sent, len(c.sent))
	for i, m := range c.sent {
		out[i] = m.snapshot()
	}
	return out
}

// Last returns the bot's newest message in a chat.
func (s *Server) Last(chatID int64) (Sent, bool) {
	msgs := s.Messages(chatID)
	if len(msgs) == 0 {
		return Sent{}, false
	}
	return msgs[len(msgs)-1], true
}

// Menu returns the reply keyboard the chat shows now (nil when none).
func (s *Server) Menu(chatID int64) [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	var out [][]string
	for _, row := range c.menu {
		out = append(out, slices.Clone(row))
	}
	return out
}
