package bot

import (
	"strings"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// FromTelegram converts a Bot API update into the Update the flows see.
//
// It reports false for updates the bot does not act on (edited messages,
// channel posts, inline queries, membership changes and the like, or a
// message without a chat); the caller acknowledges them all the same, so
// Telegram does not deliver them again. The returned Update then carries only
// the ID.
func FromTelegram(u tgbotapi.Update) (Update, bool) {
	switch {
	case u.Message != nil:
		return fromMessage(u.UpdateID, u.Message)
	case u.CallbackQuery != nil:
		return fromCallback(u.UpdateID, u.CallbackQuery)
	}
	return Update{ID: u.UpdateID}, false
}

func fromMessage(id int, m *tgbotapi.Message) (Update, bool) {
	if m.Chat == nil {
		return Update{ID: id}, false
	}
	u := Update{
		ID:           id,
		ChatID:       m.Chat.ID,
		Private:      m.Chat.IsPrivate(),
		From:         fromUser(m.From),
		MessageID:    m.MessageID,
		Text:         m.Text,
		MediaGroupID: m.MediaGroupID,
	}
	entities := m.Entities
	if u.Text == "" {
		// A photo or document carries its text as a caption, and a command
		// typed there is marked in the caption's entities.
		u.Text = m.Caption
		entities = m.CaptionEntities
	}
	u.Command, u.Args = command(u.Text, entities)
	if p := largestPhoto(m.Photo); p != nil {
		u.Photo = &File{
			ID:       p.FileID,
			UniqueID: p.FileUniqueID,
			// Telegram recompresses every photo to JPEG.
			MIME: "image/jpeg",
			Size: p.FileSize,
		}
	}
	if d := m.Document; d != nil {
		u.Document = &File{
			ID:       d.FileID,
			UniqueID: d.FileUniqueID,
			Name:     d.FileName,
			MIME:     d.MimeType,
			Size:     d.FileSize,
		}
	}
	if v := m.Voice; v != nil {
		u.Voice = &File{
			ID:       v.FileID,
			UniqueID: v.FileUniqueID,
			MIME:     v.MimeType,
			Size:     v.FileSize,
		}
	}
	return u, true
}

func fromCallback(id int, q *tgbotapi.CallbackQuery) (Update, bool) {
	if q.From == nil {
		return Update{ID: id}, false
	}
	u := Update{
		ID:       id,
		From:     fromUser(q.From),
		Callback: &Callback{ID: q.ID, Data: q.Data},
	}
	if m := q.Message; m != nil && m.Chat != nil {
		u.ChatID = m.Chat.ID
		u.Private = m.Chat.IsPrivate()
		u.MessageID = m.MessageID
		u.Callback.MessageID = m.MessageID
	} else {
		// The button's message is not available (an inline-mode message):
		// replies go to the person's private chat with the bot.
		u.ChatID = q.From.ID
		u.Private = true
	}
	return u, true
}

func fromUser(u *tgbotapi.User) User {
	if u == nil {
		// Messages on behalf of a chat (an anonymous group admin) have no
		// sender; the flows treat a zero User as unknown.
		return User{}
	}
	return User{ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Username: u.UserName}
}

// command returns the command (without the slash and the "@botname" suffix)
// and its arguments when text starts with a bot_command entity.
func command(text string, entities []tgbotapi.MessageEntity) (cmd, args string) {
	if len(entities) == 0 {
		return "", ""
	}
	e := entities[0]
	if e.Type != "bot_command" || e.Offset != 0 || e.Length < 2 {
		return "", ""
	}
	// Entity offsets and lengths count UTF-16 code units, not bytes.
	units := utf16.Encode([]rune(text))
	if e.Length > len(units) {
		return "", ""
	}
	cmd = string(utf16.Decode(units[1:e.Length]))
	if i := strings.IndexByte(cmd, '@'); i >= 0 {
		cmd = cmd[:i]
	}
	args = strings.TrimSpace(string(utf16.Decode(units[e.Length:])))
	return cmd, args
}

// largestPhoto returns the size with the most pixels (Telegram lists them
// from small to large, but does not promise it).
func largestPhoto(sizes []tgbotapi.PhotoSize) *tgbotapi.PhotoSize {
	var best *tgbotapi.PhotoSize
	for i := range sizes {
		p := &sizes[i]
		if best == nil || p.Width*p.Height >= best.Width*best.Height {
			best = p
		}
	}
	return best
}
