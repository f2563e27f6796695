// Package bot is the Telegram transport: it receives updates (long polling or
// webhook), hands them in order per chat to a Handler, and delivers the
// Handler's replies within Telegram's limits. It knows Telegram and nothing of
// surveys, tasks or meetings; the flows see only the types declared here.
package bot

import "context"

// Handler turns one incoming update into the messages to deliver.
// flows.Router implements it. A returned error means the update was not
// handled and may be retried (for example, Postgres or Redis is down); the
// handler itself is responsible for turning ordinary failures into replies.
type Handler interface {
	Handle(ctx context.Context, u Update) ([]Message, error)
}

// Update is an incoming update as the flows see it.
type Update struct {
	ID     int
	ChatID int64
	// Private is true for one-to-one chats with the bot.
	Private   bool
	From      User
	MessageID int
	// Text is the message text, or the caption of a photo or document.
	Text string
	// Command is the bot command without the slash and bot name
	// ("start" for "/start abc"); Args is the rest ("abc").
	Command string
	Args    string
	// Callback is set when an inline button was pressed.
	Callback *Callback
	// Photo is the largest size of an attached photo.
	Photo    *File
	Document *File
	// Voice is a voice message (OGG/Opus).
	Voice *File
	// MediaGroupID is shared by the updates of one album.
	MediaGroupID string
}

// User is the sender of an update.
type User struct {
	ID        int64
	FirstName string
	LastName  string
	Username  string
}

// Callback is a pressed inline button.
type Callback struct {
	ID        string
	Data      string
	MessageID int
}

// File names a file held by Telegram.
type File struct {
	ID       string
	UniqueID string
	Name     string
	MIME     string
	Size     int
}

// Message is something to deliver: Text, Photo, Document, Album, Edit or
// CallbackAnswer.
type Message interface {
	// Chat is the chat the message goes to (0 for a CallbackAnswer).
	Chat() int64
}

// Keyboard is an inline keyboard: rows of buttons.
type Keyboard [][]Button

// Button is an inline button: it either sends Data back as a callback
// (at most 64 bytes) or opens URL.
type Button struct {
	Text string
	Data string
	URL  string
}

// Text is a text message. Texts over 4096 characters are split at paragraph
// boundaries by the Sender; Buttons go with the last part.
type Text struct {
	ChatID  int64
	Text    string
	Buttons Keyboard
	// Menu, when set, replaces the reply keyboard under the input field.
	Menu [][]string
	// RemoveMenu hides the reply keyboard.
	RemoveMenu bool
	// HTML enables Telegram's HTML parse mode; text must then be escaped.
	HTML bool
	// DisablePreview stops link previews (invite links, for one).
	DisablePreview bool
}

// Photo is an image: new bytes (Data with Name) or a Telegram FileID.
type Photo struct {
	ChatID  int64
	Name    string
	Data    []byte
	FileID  string
	Caption string
	Buttons Keyboard
}

// Document is a file: new bytes (Data with Name) or a Telegram FileID.
type Document struct {
	ChatID  int64
	Name    string
	Data    []byte
	FileID  string
	Caption string
	Buttons Keyboard
}

// Album is two to ten photos sent as one media group.
type Album struct {
	ChatID int64
	Photos []Photo
}

// Edit changes the text and buttons of an earlier message of the bot. An empty
// Text edits the buttons only.
type Edit struct {
	ChatID    int64
	MessageID int
	Text      string
	Buttons   Keyboard
	HTML      bool
}

// CallbackAnswer answers a pressed button: a short notice (or nothing) shown
// to the person who pressed it. The Dispatcher answers every callback query
// with an empty answer when the handler did not.
type CallbackAnswer struct {
	ID    string
	Text  string
	Alert bool
}

func (m Text) Chat() int64           { return m.ChatID }
func (m Photo) Chat() int64          { return m.ChatID }
func (m Document) Chat() int64       { return m.ChatID }
func (m Album) Chat() int64          { return m.ChatID }
func (m Edit) Chat() int64           { return m.ChatID }
func (m CallbackAnswer) Chat() int64 { return 0 }
