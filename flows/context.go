package flows

import (
	"context"
	"errors"
	"strconv"
	"time"

	"smkbot/bot"
	"smkbot/locales"
	"smkbot/storage"
)

// Errors a handler returns to have the router answer with a short notice
// instead of the generic apology. Invalid-input errors are *InputError.
var (
	// ErrStale: the button or step refers to something that no longer
	// exists or no longer applies (an old message, a lost session).
	ErrStale = errors.New("flows: stale")
	// ErrForbidden: the actor may not act on the object the input names.
	ErrForbidden = errors.New("flows: forbidden")
)

// Next is what a handler returns: where the person's conversation goes.
type Next struct {
	step string
	end  bool
	stay bool
}

// Stay keeps the session's current step (and any data the handler set).
func Stay() Next { return Next{stay: true} }

// Goto moves the conversation to the named step.
func Goto(step string) Next { return Next{step: step} }

// End finishes the conversation: the session is removed.
func End() Next { return Next{end: true} }

// HandlerFunc is a flow step, command or button handler. It reads the input
// from c, writes records, adds replies to c and returns where to go next. It
// never calls Telegram.
type HandlerFunc func(ctx context.Context, c *Context) (Next, error)

// Context is one update on its way through a handler.
type Context struct {
	Update bot.Update
	Actor  *Actor
	// Callback is the parsed data of a pressed button.
	Callback CallbackData
	L        *locales.Localizer
	Now      time.Time

	session storage.Session
	replies []bot.Message
	router  *Router
}

// Chat is the chat the update came from.
func (c *Context) Chat() int64 { return c.Update.ChatID }

// Step is the session's current step ("" when none).
func (c *Context) Step() string { return c.session.Step }

// T renders a message of the locale.
func (c *Context) T(id string, kv ...any) string { return c.L.T(id, kv...) }

// Get returns a value saved in the session by an earlier step.
func (c *Context) Get(key string) string { return c.session.Data[key] }

// GetInt returns a numeric session value (0 when absent or malformed).
func (c *Context) GetInt(key string) int64 {
	n, _ := strconv.ParseInt(c.session.Data[key], 10, 64)
	return n
}

// Set saves a value in the session for later steps.
func (c *Context) Set(key, value string) {
	if c.session.Data == nil {
		c.session.Data = map[string]string{}
	}
	c.session.Data[key] = value
}

// SetInt saves a numeric value in the session.
func (c *Context) SetInt(key string, n int64) { c.Set(key, strconv.FormatInt(n, 10)) }

// Clear removes every session value, keeping the step.
func (c *Context) Clear() { c.session.Data = nil }

// Say replies in the update's chat with a message of the locale.
func (c *Context) Say(id string, kv ...any) { c.Reply(c.L.T(id, kv...), nil) }

// Reply replies in the update's chat with text and optional buttons.
func (c *Context) Reply(text string, buttons bot.Keyboard) {
	c.replies = append(c.replies, bot.Text{ChatID: c.Chat(), Text: text, Buttons: buttons})
}

// Send adds any message, to this chat or another (a notice to an inviter).
func (c *Context) Send(m bot.Message) { c.replies = append(c.replies, m) }

// Edit changes the message whose button was pressed.
func (c *Context) Edit(text string, buttons bot.Keyboard) {
	if c.Update.Callback == nil {
		c.Reply(text, buttons)
		return
	}
	c.replies = append(c.replies, bot.Edit{ChatID: c.Chat(), MessageID: c.Update.Callback.MessageID, Text: text, Buttons: buttons})
}

// Notice answers the pressed button with a short pop-up text; for a typed
// message it replies with the text instead.
func (c *Context) Notice(text string) {
	if c.Update.Callback == nil {
		c.Reply(text, nil)
		return
	}
	c.replies = append(c.replies, bot.CallbackAnswer{ID: c.Update.Callback.ID, Text: text})
}

// Button makes an inline button with a label from the locale.
func (c *Context) Button(labelID, data string) bot.Button {
	return bot.Button{Text: c.L.T(labelID), Data: data}
}

// Replies returns what the handlers added so far.
func (c *Context) Replies() []bot.Message { return c.replies }

// ReplyMenu replies with text and the actor's role menu under the input
// field (or hides the menu when the actor has none).
func (c *Context) ReplyMenu(text string) {
	rows := c.router.MenuFor(c.Actor)
	c.replies = append(c.replies, bot.Text{ChatID: c.Chat(), Text: text, Menu: rows, RemoveMenu: len(rows) == 0})
}

// Help returns the /help lines of what the actor may do.
func (c *Context) Help() []string { return c.router.HelpFor(c.Actor) }
