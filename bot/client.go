package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// MaxDownload is the largest file the Bot API lets a bot download (20 MB).
const MaxDownload = 20 << 20

// ErrFileTooLarge is returned by Download for files over MaxDownload.
var ErrFileTooLarge = errors.New("bot: file is larger than 20 MB")

// Client is a Telegram Bot API client: telegram-bot-api with a context on
// every request, a bounded HTTP timeout, and errors that never contain the
// token.
type Client struct {
	api      *tgbotapi.BotAPI
	http     *http.Client
	token    string
	fileBase string // "<base>/file/bot", the token and file path follow
	metrics  *Metrics
}

// ctxDoer attaches a context to the library's requests, which it builds
// without one.
type ctxDoer struct {
	ctx context.Context
	c   *http.Client
	m   *Metrics // counts requests by method; may be nil
}

func (d ctxDoer) Do(r *http.Request) (*http.Response, error) {
	if d.m != nil {
		// The method is the path's last segment: /bot<token>/<method>.
		p := r.URL.Path
		d.m.APIRequest(p[strings.LastIndexByte(p, '/')+1:])
	}
	return d.c.Do(r.WithContext(d.ctx))
}

// discardLogger silences telegram-bot-api, which logs request URLs (with the
// token) from GetUpdatesChan and in debug mode.
type discardLogger struct{}

func (discardLogger) Println(...any)        {}
func (discardLogger) Printf(string, ...any) {}

// setLogger runs once: the library's logger is a package variable, and
// setting it from parallel constructors would race.
var setLogger sync.Once

// NewClient checks the token with getMe and returns the client. endpoint is
// the Bot API URL in telegram-bot-api's format ("https://host/bot%s/%s");
// "" means Telegram's own. pollTimeout is the long-poll timeout the caller
// will use with getUpdates: the HTTP timeout is set above it.
func NewClient(ctx context.Context, token, endpoint string, pollTimeout time.Duration) (*Client, error) {
	setLogger.Do(func() { tgbotapi.SetLogger(discardLogger{}) })
	if token == "" {
		return nil, errors.New("bot: empty token")
	}
	if endpoint == "" {
		endpoint = tgbotapi.APIEndpoint
	}
	base, ok := strings.CutSuffix(endpoint, "/bot%s/%s")
	if !ok {
		return nil, fmt.Errorf("bot: endpoint %q does not end with /bot%%s/%%s", Redact(endpoint, token))
	}
	c := &Client{
		http:     &http.Client{Timeout: max(pollTimeout, 0) + 30*time.Second},
		token:    token,
		fileBase: base + "/file/bot",
	}
	api, err := tgbotapi.NewBotAPIWithClient(token, endpoint, ctxDoer{ctx: ctx, c: c.http})
	if err != nil {
		return nil, fmt.Errorf("bot: getMe: %w", c.clean(err))
	}
	api.Client = ctxDoer{ctx: context.Background(), c: c.http}
	c.api = api
	return c, nil
}

// Username is the bot's username, without "@".
func (c *Client) Username() string { return c.api.Self.UserName }

// API is the underlying telegram-bot-api client. Its own methods take no
// context and return errors that may contain the token; prefer the Client's
// methods, which take a context and redact.
func (c *Client) API() *tgbotapi.BotAPI { return c.api }

// SetMetrics makes the client count its Bot API requests by method
// (smkbot_api_requests_total). Call it before the client is used by others.
func (c *Client) SetMetrics(m *Metrics) { c.metrics = m }

// with returns a shallow copy of the library's client whose requests carry
// ctx. The copy shares the HTTP client and so its connections.

func (c *Client) with(ctx context.Context) *tgbotapi.BotAPI {
	api := *c.api
	api.Client = ctxDoer{ctx: ctx, c: c.http, m: c.metrics}
	return &api
}

// Request makes a call whose result is not a message (answerCallbackQuery,
// setMyCommands, deleteMessage, ...).
func (c *Client) Request(ctx context.Context, cfg tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	resp, err := c.with(ctx).Request(cfg)
	return resp, c.clean(err)
}

// Send makes a call that returns a message (sendMessage, sendPhoto,
// editMessageText, ...).
func (c *Client) Send(ctx context.Context, cfg tgbotapi.Chattable) (tgbotapi.Message, error) {
	m, err := c.with(ctx).Send(cfg)
	return m, c.clean(err)
}

// SendMediaGroup sends an album and returns its messages.
func (c *Client) SendMediaGroup(ctx context.Context, cfg tgbotapi.MediaGroupConfig) ([]tgbotapi.Message, error) {
	ms, err := c.with(ctx).SendMediaGroup(cfg)
	return ms, c.clean(err)
}

// MakeRequest calls a method with raw parameters; setWebhook needs it for
// secret_token, which the library's WebhookConfig lacks.
func (c *Client) MakeRequest(ctx context.Context, method string, params tgbotapi.Params) (*tgbotapi.APIResponse, error) {
	resp, err := c.with(ctx).MakeRequest(method, params)
	return resp, c.clean(err)
}

// GetUpdates long-polls for updates; cancelling ctx ends the poll at once.
func (c *Client) GetUpdates(ctx context.Context, cfg tgbotapi.UpdateConfig) ([]tgbotapi.Update, error) {
	resp, err := c.Request(ctx, cfg)
	if err != nil {
		return nil, err
	}
	var ups []tgbotapi.Update
	if err := json.Unmarshal(resp.Result, &ups); err != nil {
		return nil, fmt.Errorf("bot: getUpdates: %w", err)
	}
	return ups, nil
}

// Download fetches a file people sent, by file_id: getFile, then the file
// URL built from the configured endpoint (the library's File.Link always
// points at api.telegram.org). Files over 20 MB are refused with
// ErrFileTooLarge, as Telegram refuses them.
func (c *Client) Download(ctx context.Context, fileID string) ([]byte, error) {
	resp, err := c.Request(ctx, tgbotapi.FileConfig{FileID: fileID})
	if err != nil {
		return nil, fmt.Errorf("bot: getFile: %w", err)
	}
	var f tgbotapi.File
	if err := json.Unmarshal(resp.Result, &f); err != nil {
		return nil, fmt.Errorf("bot: getFile: %w", err)
	}
	if f.FileSize > MaxDownload {
		return nil, ErrFileTooLarge
	}
	if f.FilePath == "" {
		return nil, errors.New("bot: getFile: no file_path in the answer")
	}
	segs := strings.Split(f.FilePath, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.fileBase+c.token+"/"+strings.Join(segs, "/"), nil)
	if err != nil {
		return nil, fmt.Errorf("bot: download: %w", c.clean(err))
	}
	r, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bot: download: %w", c.clean(err))
	}
	defer r.Body.Close()
	if r.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("bot: download: HTTP status %d", r.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, MaxDownload+1))
	if err != nil {
		return nil, fmt.Errorf("bot: download: %w", c.clean(err))
	}
	if len(data) > MaxDownload {
		return nil, ErrFileTooLarge
	}
	return data, nil
}

// clean returns err with the token removed from its text. Bot API errors
// (*tgbotapi.Error) carry Telegram's description, never the URL, and are
// returned as they are so callers can match them with errors.As.
func (c *Client) clean(err error) error {
	if err == nil {
		return nil
	}
	var apiErr *tgbotapi.Error
	if errors.As(err, &apiErr) {
		return err
	}
	msg := Redact(err.Error(), c.token)
	if msg == err.Error() {
		return err
	}
	// The transport's *url.Error names the URL, which holds the token; keep
	// its cause so errors.Is(err, context.Canceled) and the like still work.
	var cause error
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err
	}
	return &redactedError{msg: msg, cause: cause}
}

type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.cause }

// Redact replaces the token in s (also in its URL-escaped forms) with
// "<token>", so s can be logged or shown.
func Redact(s, token string) string {
	if token == "" {
		return s
	}
	for _, t := range []string{token, url.PathEscape(token), url.QueryEscape(token)} {
		s = strings.ReplaceAll(s, t, "<token>")
	}
	return s
}
