package bottest

import "time"

// User is a person talking to the bot. A private chat's id equals the user's
// id, as in Telegram.
type User struct {
	ID        int64
	FirstName string
	LastName  string
	Username  string
}

// Sent is a message the bot sent, in its current state: edits applied,
// deletion marked.
type Sent struct {
	MessageID int
	ChatID    int64
	// Kind is "text", "photo", "document" or "album".
	Kind string
	// Text is the message text, or the caption of a photo, document or the
	// first captioned photo of an album. It is kept as sent: with HTML tags
	// when ParseMode is "HTML".
	Text      string
	ParseMode string
	// Buttons is the inline keyboard under the message.
	Buttons [][]Button
	// Menu is the reply keyboard this message set (nil when it set none).
	Menu [][]string
	// RemoveMenu is true when this message removed the reply keyboard.
	RemoveMenu bool
	// DisablePreview is true when link previews were disabled.
	DisablePreview bool
	Files          []SentFile
	// MessageIDs lists every Telegram message of an album (just MessageID
	// otherwise).
	MessageIDs []int
	Edits      int
	Deleted    bool
}

// Button is an inline keyboard button.
type Button struct {
	Text string
	Data string
	URL  string
}

// SentFile is a file the bot sent.
type SentFile struct {
	Name string
	Data []byte
}

// Call is one Bot API request the server answered.
type Call struct {
	Method string
	// Params holds the request's fields; for an uploaded file the field
	// holds the file name.
	Params map[string]string
	At     time.Time
	// Status is the error_code returned, or 200 for success.
	Status int
}

// CallbackAnswer is the bot's answer to a pressed button.
type CallbackAnswer struct {
	QueryID string
	Text    string
	Alert   bool
}

// Event is something the bot did, delivered to subscribers as it happens.
type Event struct {
	// Kind is "sent", "edited", "deleted" or "answer".
	Kind string
	// Message is the message's state after the event (for all kinds but
	// "answer").
	Message Sent
	Answer  CallbackAnswer
}

// Fault makes matching calls fail (or slow down). Faults are consumed in the
// order they were injected.
type Fault struct {
	// Method is the Bot API method to match; "" matches every method except
	// the plumbing (getMe, getUpdates, getWebhookInfo), so a background
	// poller does not consume a fault meant for a send.
	Method string
	// ChatID restricts the fault to calls for that chat; 0 matches any.
	ChatID int64
	// Code is the error code to answer with (429, 403, 400, 500, 502...).
	// Zero with a Delay only slows the call down.
	Code int
	// RetryAfter is the parameters.retry_after of a 429 (default 1).
	RetryAfter int
	// Delay is waited before answering.
	Delay time.Duration
	// Description overrides Telegram's description for Code.
	Description string
	// Hangup closes the connection without an answer (a network error).
	Hangup bool
	// Times is how many matching calls the fault affects (default 1).
	Times int
}

// WebhookDelivery is one attempt to POST an update to the webhook.
type WebhookDelivery struct {
	UpdateID int
	Status   int // HTTP status, 0 when the request failed
	Err      string
	At       time.Time
}
