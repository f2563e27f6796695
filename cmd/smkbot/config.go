package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

// defaultAPIEndpoint is Telegram's own Bot API, in the format the
// telegram-bot-api library takes: the token, then the method.
const defaultAPIEndpoint = "https://api.telegram.org/bot%s/%s"

// Config is everything the bot reads from the environment. README.md lists
// the same variables for operators; keep the two in step.
type Config struct {
	// Token is the bot token from @BotFather. Empty means no Telegram:
	// serve opens the console instead.
	Token string `env:"TELEGRAM_BOT_TOKEN"`
	// APIEndpoint is the Bot API URL format with two %s (token, method);
	// a self-hosted Bot API server goes here.
	APIEndpoint string `env:"TELEGRAM_API_ENDPOINT" envDefault:"https://api.telegram.org/bot%s/%s"`
	// DatabaseURL is the PostgreSQL connection string (required).
	DatabaseURL string `env:"DATABASE_URL"`
	// RedisURL is the Redis connection URL (required).
	RedisURL string `env:"REDIS_URL"`
	// HTTPAddr is where /healthz, /metrics and the webhook listen.
	HTTPAddr string `env:"HTTP_ADDR" envDefault:":8080"`
	// WebhookURL is the public https URL Telegram posts updates to; empty
	// means long polling.
	WebhookURL string `env:"WEBHOOK_URL"`
	// WebhookSecret is sent back by Telegram in the
	// X-Telegram-Bot-Api-Secret-Token header of every webhook request.
	WebhookSecret string `env:"WEBHOOK_SECRET"`
	// Timezone is the association's zone for deadlines, meetings and dates.
	Timezone *time.Location `env:"BOT_TIMEZONE" envDefault:"Asia/Barnaul"`
	// AnonSecret is the survey anonymity key; empty means the one generated
	// at the first start and kept in the database.
	AnonSecret string `env:"ANON_SECRET"`
	// LogLevel is the lowest level written to the log.
	LogLevel slog.Level `env:"LOG_LEVEL" envDefault:"info"`
	// SessionTTL is how long an idle conversation keeps its place.
	SessionTTL time.Duration `env:"SESSION_TTL" envDefault:"72h"`
	// SendRate is the global cap on messages sent per second.
	SendRate float64 `env:"SEND_RATE" envDefault:"25"`
	// ChatInterval is the pause between two messages to one chat
	// (Telegram allows about one a second); 0 turns per-chat pacing off.
	ChatInterval time.Duration `env:"CHAT_INTERVAL" envDefault:"1s"`
	// Workers bounds how many chats are handled at once.
	Workers int `env:"WORKERS" envDefault:"16"`
	// ShutdownGrace is how long a stopping bot may finish work in flight.
	ShutdownGrace time.Duration `env:"SHUTDOWN_GRACE" envDefault:"20s"`
	// JobsEvery, when set, runs every periodic job (reminders, closing
	// surveys) at this period instead of its own; for tests and trials.
	JobsEvery time.Duration `env:"JOBS_EVERY"`
	// RedisPrefix starts every Redis key, so several bots can share a Redis.
	RedisPrefix string `env:"REDIS_PREFIX" envDefault:"smkbot:"`
}

// parseHint says, for a variable whose value the env library converts,
// what a good value looks like. Used when the conversion fails.
func parseHint(key string) string {
	switch key {
	case "BOT_TIMEZONE":
		return "use an IANA zone name such as Asia/Barnaul or Asia/Novosibirsk"
	case "LOG_LEVEL":
		return "use debug, info, warn or error"
	case "SESSION_TTL":
		return "use a Go duration such as 72h or 30m"
	case "SEND_RATE":
		return "use messages per second as a number such as 25"
	case "CHAT_INTERVAL":
		return "use a Go duration such as 1s"
	case "WORKERS":
		return "use a whole number such as 16"
	case "SHUTDOWN_GRACE":
		return "use a Go duration such as 20s"
	}
	return "see README.md for its format"
}

// isSecret reports the variables whose values are never quoted back in an
// error message (the URLs may hold passwords).
func isSecret(key string) bool {
	switch key {
	case "TELEGRAM_BOT_TOKEN", "WEBHOOK_SECRET", "ANON_SECRET", "DATABASE_URL", "REDIS_URL":
		return true
	}
	return false
}

// LoadConfig reads the configuration through lookup (os.LookupEnv in main,
// a map in tests) and validates it. The error names the first wrong
// variable, what is wrong and how to fix it, on one line, without the
// value of any secret.
func LoadConfig(lookup func(string) (string, bool)) (Config, error) {
	var cfg Config
	keys := envKeys()
	environ := make(map[string]string, len(keys))
	for _, key := range keys {
		if v, ok := lookup(key); ok {
			environ[key] = v
		}
	}
	err := env.ParseWithOptions(&cfg, env.Options{Environment: environ})
	if err != nil {
		return Config{}, describeParseError(err, environ)
	}
	if err := cfg.validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// envKeys lists the variable names Config reads, in the order of its
// fields.
func envKeys() []string {
	t := reflect.TypeFor[Config]()
	keys := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		keys = append(keys, envKey(t.Field(i)))
	}
	return keys
}

func envKey(f reflect.StructField) string {
	key, _, _ := strings.Cut(f.Tag.Get("env"), ",")
	return key
}

// describeParseError turns the env library's error (which names Go fields
// and may quote values) into the operator's one line.
func describeParseError(err error, environ map[string]string) error {
	var pe env.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("configuration: %q", err.Error())
	}
	f, ok := reflect.TypeFor[Config]().FieldByName(pe.Name)
	if !ok {
		return fmt.Errorf("configuration: %q", err.Error())
	}
	key := envKey(f)
	if isSecret(key) {
		return fmt.Errorf("%s is malformed: %s", key, parseHint(key))
	}
	return fmt.Errorf("%s=%q is malformed: %s", key, environ[key], parseHint(key))
}

// validate checks what the types alone cannot: required values, URL
// shapes, ranges and combinations.
func (c Config) validate() error {
	if c.Token != "" && strings.ContainsAny(c.Token, " \t\r\n") {
		return errors.New("TELEGRAM_BOT_TOKEN contains whitespace: copy the token from @BotFather again, without spaces or line breaks")
	}
	if err := validateEndpoint(c.APIEndpoint); err != nil {
		return err
	}
	if c.DatabaseURL == "" {
		return errors.New("DATABASE_URL is not set: export DATABASE_URL=postgres://user@host:5432/smkbot (make run sets a local default)")
	}
	if _, err := pgxpool.ParseConfig(c.DatabaseURL); err != nil {
		return errors.New("DATABASE_URL is malformed: use postgres://user:password@host:5432/smkbot?sslmode=disable (or the key=value form)")
	}
	if c.RedisURL == "" {
		return errors.New("REDIS_URL is not set: export REDIS_URL=redis://host:6379/0 (make run sets a local default)")
	}
	if _, err := redis.ParseURL(c.RedisURL); err != nil {
		return errors.New("REDIS_URL is malformed: use redis://[:password@]host:6379/0 (rediss:// for TLS)")
	}
	if err := validateHTTPAddr(c.HTTPAddr); err != nil {
		return err
	}
	if err := c.validateWebhook(); err != nil {
		return err
	}
	if c.AnonSecret != "" && len(c.AnonSecret) < 32 {
		return fmt.Errorf("ANON_SECRET is too short (%d characters, at least 32 needed): generate one with `openssl rand -base64 48`, or unset it to use the key kept in the database", len(c.AnonSecret))
	}
	if c.LogLevel != slog.LevelDebug && c.LogLevel != slog.LevelInfo && c.LogLevel != slog.LevelWarn && c.LogLevel != slog.LevelError {
		return fmt.Errorf("LOG_LEVEL=%q is not a level this bot uses: use debug, info, warn or error", c.LogLevel.String())
	}
	if c.SessionTTL < time.Minute {
		return fmt.Errorf("SESSION_TTL=%s is too short: use at least 1m, such as 72h", c.SessionTTL)
	}
	// Telegram allows about 30 messages a second per bot; a self-hosted
	// Bot API server may allow more, but never an unbounded rate. Written
	// as a negated range so that NaN fails too.
	if !(c.SendRate > 0 && c.SendRate <= 1000) {
		return fmt.Errorf("SEND_RATE=%s is out of range: use messages per second above 0 and at most 1000, such as 25", strconv.FormatFloat(c.SendRate, 'g', -1, 64))
	}
	if c.ChatInterval < 0 || c.ChatInterval > time.Minute {
		return fmt.Errorf("CHAT_INTERVAL=%s is out of range: use 0 to 1m, such as 1s", c.ChatInterval)
	}
	if c.Workers < 1 || c.Workers > 1024 {
		return fmt.Errorf("WORKERS=%d is out of range: use 1 to 1024, such as 16", c.Workers)
	}
	if c.ShutdownGrace < time.Second {
		return fmt.Errorf("SHUTDOWN_GRACE=%s is too short: use at least 1s, such as 20s", c.ShutdownGrace)
	}
	if strings.ContainsFunc(c.RedisPrefix, isSpaceOrControl) {
		return errors.New("REDIS_PREFIX contains spaces or control characters: use letters, digits and punctuation, such as smkbot:")
	}
	return nil
}

// validateEndpoint accepts the library's format: a URL with exactly two %s
// verbs, the token and then the method.
func validateEndpoint(endpoint string) error {
	const fix = "use the Bot API URL format with two %s (token, then method), such as " + defaultAPIEndpoint + " or http://localhost:8081/bot%s/%s"
	// Any other verb would make fmt write garbage into the URL.
	if strings.Count(endpoint, "%s") != 2 || strings.Count(endpoint, "%") != 2 {
		return fmt.Errorf("TELEGRAM_API_ENDPOINT=%q must contain exactly two %%s and no other %%: %s", endpoint, fix)
	}
	u, err := url.Parse(fmt.Sprintf(endpoint, "TOKEN", "getMe"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("TELEGRAM_API_ENDPOINT=%q is not an http(s) URL: %s", endpoint, fix)
	}
	return nil
}

func validateHTTPAddr(addr string) error {
	const fix = "use host:port or :port, such as :8080 or 127.0.0.1:8080"
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR=%q is not host:port: %s", addr, fix)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("HTTP_ADDR=%q has a bad port: %s", addr, fix)
	}
	return nil
}

func (c Config) validateWebhook() error {
	if c.WebhookSecret != "" && !validWebhookSecret(c.WebhookSecret) {
		return errors.New("WEBHOOK_SECRET is malformed: use 1 to 256 characters of A-Z, a-z, 0-9, _ and -, such as the output of `openssl rand -hex 32`")
	}
	if c.WebhookURL == "" {
		return nil
	}
	u, err := url.Parse(c.WebhookURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return errors.New("WEBHOOK_URL is not an https URL: use the public address behind TLS, such as https://bot.example.org/telegram")
	}
	// setWebhook accepts only these ports.
	switch u.Port() {
	case "", "443", "80", "88", "8443":
	default:
		return fmt.Errorf("WEBHOOK_URL uses port %s, which Telegram does not deliver to: use 443, 80, 88 or 8443", u.Port())
	}
	if c.Token == "" {
		return errors.New("WEBHOOK_URL is set but TELEGRAM_BOT_TOKEN is not: set the token from @BotFather, or unset WEBHOOK_URL")
	}
	if c.WebhookSecret == "" {
		return errors.New("WEBHOOK_SECRET is not set but WEBHOOK_URL is: export WEBHOOK_SECRET=$(openssl rand -hex 32)")
	}
	return nil
}

// validWebhookSecret is Telegram's rule for secret_token.
func validWebhookSecret(s string) bool {
	if len(s) < 1 || len(s) > 256 {
		return false
	}
	for _, r := range s {
		ok := r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-'
		if !ok {
			return false
		}
	}
	return true
}

func isSpaceOrControl(r rune) bool {
	return r <= ' ' || r == 0x7f
}
