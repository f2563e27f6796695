// Package bottest is an in-process fake of the Telegram Bot API. The real
// telegram-bot-api client talks to it over HTTP on 127.0.0.1; tests (and the
// console command) act as people through it and read back what the bot did.
//
// It is strict where Telegram is strict, answering with Telegram's own error
// JSON and description: an edit that changes nothing, callback_data over 64
// bytes, a text over 4096 characters, a caption over 1024, a second answer to
// one callback query, a chat that never wrote to the bot, a message that does
// not exist. Faults (429 with retry_after, 403, 5xx, delays, dropped
// connections) can be injected, and every call is recorded.
//
// The package does not depend on testing, so production code (the console)
// can use it too.
package bottest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Username is the fake bot's username.
const Username = "smk_test_bot"

// DefaultToken is used by New when given an empty token.
const DefaultToken = "123456789:TEST-bottest-token"

// maxBody caps a request body: Telegram accepts uploads up to 50 MB from bots.
const maxBody = 50 << 20

// eventBuffer is how many events a subscriber may fall behind before events
// are dropped for it.
const eventBuffer = 1024

// Server is a fake Bot API server. It is safe for concurrent use.
type Server struct {
	token string
	botID int64
	hs    *httptest.Server
	done  chan struct{}
	once  sync.Once
	wg    sync.WaitGroup // webhook delivery goroutines
	hook  *http.Client

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced on every change of state
	nextUpdate int
	pending    []tgbotapi.Update // not yet confirmed by an offset
	history    map[int]tgbotapi.Update
	pollGen    int
	chats      map[int64]*chat
	blocked    map[int64]bool
	faults     []Fault
	calls      []Call
	queries    map[string]*query
	nextQuery  int
	answers    []CallbackAnswer
	files      map[string]*file // by file_id
	paths      map[string]*file // by file_path
	nextFile   int
	commands   map[string][]Command
	subs       map[int]chan Event
	nextSub    int

	webhookURL    string
	webhookSecret string
	webhookStop   context.CancelFunc
	webhookErr    string
	webhookErrAt  time.Time
	deliveries    []WebhookDelivery
}

// Command is a bot command registered with setMyCommands.
type Command struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

type chat struct {
	id      int64
	typ     string // "private" or "group"
	title   string
	user    User
	nextMsg int
	sent    []*message       // the bot's messages, in order
	byID    map[int]*message // the bot's messages by id (every id of an album)
	inbound map[int]bool     // ids of messages people sent
	menu    [][]string       // the reply keyboard now shown
}

type message struct {
	Sent
	markup string  // canonical JSON of the inline keyboard, "" for none
	files  []*file // the files, in order (one per album item)
	date   int
}

type query struct {
	answered bool
}

type file struct {
	id, unique, path, name, mime string
	data                         []byte
	width, height                int
}

// New starts a fake Bot API server on 127.0.0.1 for the given token (an empty
// token means DefaultToken). Close it when done.
func New(token string) *Server {
	if token == "" {
		token = DefaultToken
	}
	s := &Server{
		token:    token,
		botID:    1000,
		done:     make(chan struct{}),
		hook:     &http.Client{Timeout: 60 * time.Second},
		changed:  make(chan struct{}),
		history:  make(map[int]tgbotapi.Update),
		chats:    make(map[int64]*chat),
		blocked:  make(map[int64]bool),
		queries:  make(map[string]*query),
		files:    make(map[string]*file),
		paths:    make(map[string]*file),
		commands: make(map[string][]Command),
		subs:     make(map[int]chan Event),
	}
	if id, _, ok := strings.Cut(token, ":"); ok {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil && n > 0 {
			s.botID = n
		}
	}
	s.hs = httptest.NewServer(s)
	return s
}

// Close stops the server, wakes pending long polls and stops webhook
// delivery. It is safe to call more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.done)
		s.mu.Lock()
		if s.webhookStop != nil {
			s.webhookStop()
		}
		for id, ch := range s.subs {
			close(ch)
			delete(s.subs, id)
		}
		s.mu.Unlock()
		s.wg.Wait()
		s.hs.Close()
	})
}

// Endpoint is the API endpoint in telegram-bot-api's format
// ("http://127.0.0.1:PORT/bot%s/%s").
func (s *Server) Endpoint() string { return s.hs.URL + "/bot%s/%s" }

// URL is the server's base URL ("http://127.0.0.1:PORT").
func (s *Server) URL() string { return s.hs.URL }

// Token is the token the server accepts.
func (s *Server) Token() string { return s.token }

// BotID is the fake bot's user id (the number before the colon of the token).
func (s *Server) BotID() int64 { return s.botID }

// notify wakes everyone waiting for a change. Callers hold s.mu.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// apiError is a Bot API error answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(desc string) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + desc}
}

// request is a parsed Bot API call.
type request struct {
	ctx    context.Context
	method string
	p      map[string]string
	files  map[string]upload
}

type upload struct {
	name string
	data []byte
}

type handler func(s *Server, r *request) (any, *apiError)

// lookup returns the handler of a method; Telegram ignores the case of
// method names.
func lookup(method string) (handler, bool) {
	switch strings.ToLower(method) {
	case "getme":
		return (*Server).getMe, true
	case "getupdates":
		return (*Server).getUpdates, true
	case "setwebhook":
		return (*Server).setWebhook, true
	case "deletewebhook":
		return (*Server).deleteWebhook, true
	case "getwebhookinfo":
		return (*Server).getWebhookInfo, true
	case "sendmessage":
		return (*Server).sendMessage, true
	case "editmessagetext":
		return (*Server).editMessageText, true
	case "editmessagereplymarkup":
		return (*Server).editMessageReplyMarkup, true
	case "deletemessage":
		return (*Server).deleteMessage, true
	case "answercallbackquery":
		return (*Server).answerCallbackQuery, true
	case "sendphoto":
		return (*Server).sendPhoto, true
	case "senddocument":
		return (*Server).sendDocument, true
	case "sendmediagroup":
		return (*Server).sendMediaGroup, true
	case "getfile":
		return (*Server).getFile, true
	case "setmycommands":
		return (*Server).setMyCommands, true
	case "getmycommands":
		return (*Server).getMyCommands, true
	case "deletemycommands":
		return (*Server).deleteMyCommands, true
	case "sendchataction":
		return (*Server).sendChatAction, true
	}
	return nil, false
}

// plumbing reports the methods a Fault with an empty Method does not match,
// so a background poller does not consume a fault meant for a send.
func plumbing(method string) bool {
	switch strings.ToLower(method) {
	case "getme", "getupdates", "getwebhookinfo":
		return true
	}
	return false
}

// ServeHTTP answers Bot API calls and file downloads.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		s.serveFile(w, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	if !ok {
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	token, method, _ := strings.Cut(rest, "/")
	if token != s.token {
		writeError(w, &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	start := time.Now()
	req, err := parseRequest(r, method)
	if err != nil {
		s.record(req, start, http.StatusBadRequest)
		writeError(w, badRequest(err.Error()))
		return
	}
	h, ok := lookup(method)
	if !ok {
		s.record(req, start, http.StatusNotFound)
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	if f, ok := s.takeFault(req); ok {
		if f.Delay > 0 {
			t := time.NewTimer(f.Delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
			case <-s.done:
			}
			t.Stop()
		}
		if f.Hangup {
			s.record(req, start, 0)
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		if f.Code != 0 {
			e := faultError(f)
			s.record(req, start, e.code)
			writeError(w, e)
			return
		}
	}
	result, e := h(s, req)
	if e != nil {
		s.record(req, start, e.code)
		writeError(w, e)
		return
	}
	s.record(req, start, http.StatusOK)
	writeResult(w, result)
}

func faultError(f Fault) *apiError {
	e := &apiError{code: f.Code, desc: f.Description}
	if f.Code == http.StatusTooManyRequests {
		e.retryAfter = f.RetryAfter
		if e.retryAfter <= 0 {
			e.retryAfter = 1
		}
	}
	if e.desc == "" {
		switch f.Code {
		case http.StatusTooManyRequests:
			e.desc = fmt.Sprintf("Too Many Requests: retry after %d", e.retryAfter)
		case http.StatusForbidden:
			e.desc = "Forbidden: bot was blocked by the user"
		case http.StatusBadRequest:
			e.desc = "Bad Request"
		case http.StatusInternalServerError:
			e.desc = "Internal Server Error"
		case http.StatusBadGateway:
			e.desc = "Bad Gateway"
		default:
			e.desc = http.StatusText(f.Code)
		}
	}
	return e
}

// takeFault consumes the first injected fault that matches the call.
func (s *Server) takeFault(r *request) (Fault, bool) {
	m := strings.ToLower(r.method)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Method == "" && plumbing(m) || f.Method != "" && !strings.EqualFold(f.Method, m) {
			continue
		}
		if f.ChatID != 0 && r.p["chat_id"] != strconv.FormatInt(f.ChatID, 10) {
			continue
		}
		s.faults[i].Times--
		if s.faults[i].Times <= 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		return f, true
	}
	return Fault{}, false
}

// Inject adds a fault; matching calls consume faults in the order injected.
func (s *Server) Inject(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// Block makes every later call for the user's private chat fail with 403
// "Forbidden: bot was blocked by the user", as when a person blocks the bot.
func (s *Server) Block(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[userID] = true
}

// Unblock undoes Block.
func (s *Server) Unblock(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blocked, userID)
}

func (s *Server) record(r *request, start time.Time, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, Call{Method: r.method, Params: r.p, At: start, Status: status})
	s.notify()
}

// Calls returns every call answered so far, in order of arrival.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		out[i] = c
		out[i].Params = cloneMap(c.Params)
	}
	return out
}

// CallsTo returns the calls of one method (case-insensitive), in order.
func (s *Server) CallsTo(method string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if strings.EqualFold(c.Method, method) {
			out = append(out, c)
		}
	}
	return out
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// parseRequest reads the fields of a call however the client encoded them:
// query string, form-urlencoded, multipart (with files) or JSON.
func parseRequest(r *http.Request, method string) (*request, error) {
	req := &request{ctx: r.Context(), method: method, p: make(map[string]string), files: make(map[string]upload)}
	for k, v := range r.URL.Query() {
		req.p[k] = v[0]
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return req, fmt.Errorf("can't parse request: %v", err)
		}
		for k, v := range r.PostForm {
			req.p[k] = v[0]
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxBody); err != nil {
			return req, fmt.Errorf("can't parse request: %v", err)
		}
		for k, v := range r.MultipartForm.Value {
			req.p[k] = v[0]
		}
		for k, fhs := range r.MultipartForm.File {
			data, err := readPart(fhs[0])
			if err != nil {
				return req, fmt.Errorf("can't read file: %v", err)
			}
			req.files[k] = upload{name: fhs[0].Filename, data: data}
			req.p[k] = fhs[0].Filename
		}
	case "application/json":
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil && err != io.EOF {
			return req, fmt.Errorf("can't parse JSON: %v", err)
		}
		for k, v := range m {
			if str, ok := v.(string); ok {
				req.p[k] = str
				continue
			}
			b, _ := json.Marshal(v)
			req.p[k] = string(b)
		}
	}
	return req, nil
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

func writeResult(w http.ResponseWriter, result any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(struct {
		OK     bool `json:"ok"`
		Result any  `json:"result"`
	}{true, result})
}

func writeError(w http.ResponseWriter, e *apiError) {
	type params struct {
		RetryAfter int `json:"retry_after,omitempty"`
	}
	body := struct {
		OK          bool    `json:"ok"`
		ErrorCode   int     `json:"error_code"`
		Description string  `json:"description"`
		Parameters  *params `json:"parameters,omitempty"`
	}{false, e.code, e.desc, nil}
	if e.retryAfter > 0 {
		body.Parameters = &params{RetryAfter: e.retryAfter}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.code)
	json.NewEncoder(w).Encode(body)
}

// serveFile answers a download at /file/bot<token>/<file_path>.
func (s *Server) serveFile(w http.ResponseWriter, rest string) {
	token, path, _ := strings.Cut(rest, "/")
	if token != s.token {
		writeError(w, &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	s.mu.Lock()
	f := s.paths[path]
	s.mu.Unlock()
	if f == nil {
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
	w.Write(f.data)
}

// Subscribe returns a channel of everything the bot does from now on (sent,
// edited and deleted messages, callback answers) and a function to stop.
// A subscriber that falls more than 1024 events behind loses events.
func (s *Server) Subscribe() (<-chan Event, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan Event, eventBuffer)
	select {
	case <-s.done:
		close(ch)
		return ch, func() {}
	default:
	}
	id := s.nextSub
	s.nextSub++
	s.subs[id] = ch
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if c, ok := s.subs[id]; ok {
			close(c)
			delete(s.subs, id)
		}
	}
}

// publish sends an event to every subscriber. Callers hold s.mu.
func (s *Server) publish(e Event) {
	for _, ch := range s.subs {
		select {
		case ch <- e:
		default:
		}
	}
	s.notify()
}

// Wait polls cond after every change of the server's state until it returns
// true or timeout passes. cond runs without the server's lock held, so it may
// call the server's methods.
func (s *Server) Wait(timeout time.Duration, cond func() bool) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-t.C:
			if cond() {
				return nil
			}
			return fmt.Errorf("bottest: condition not met within %v", timeout)
		case <-s.done:
			return fmt.Errorf("bottest: server closed")
		}
	}
}

// WaitMessages waits until the chat has at least n messages from the bot and
// returns them all.
func (s *Server) WaitMessages(chatID int64, n int, timeout time.Duration) ([]Sent, error) {
	var got []Sent
	err := s.Wait(timeout, func() bool {
		got = s.Messages(chatID)
		return len(got) >= n
	})
	if err != nil {
		var b strings.Builder
		for _, m := range got {
			fmt.Fprintf(&b, "\n  #%d %s: %.80q", m.MessageID, m.Kind, m.Text)
		}
		return got, fmt.Errorf("bottest: chat %d has %d messages, want %d within %v:%s", chatID, len(got), n, timeout, b.String())
	}
	return got, nil
}

// WaitCalls waits until at least n calls of method have been answered.
func (s *Server) WaitCalls(method string, n int, timeout time.Duration) ([]Call, error) {
	var got []Call
	err := s.Wait(timeout, func() bool {
		got = s.CallsTo(method)
		return len(got) >= n
	})
	if err != nil {
		return got, fmt.Errorf("bottest: %d calls to %s, want %d within %v", len(got), method, n, timeout)
	}
	return got, nil
}
