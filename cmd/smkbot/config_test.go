package main

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

// Values that must never appear in an error message.
const (
	testToken      = "123456:AAsecret-token-value"
	testDBPassword = "dbpassw0rd"
	testRedisPass  = "redispassw0rd"
	testAnon       = "anon-secret-anon-secret-anon-secret-42"
	testHookSecret = "hook_secret-XYZ"
)

// unset marks a variable that the environment of a case does not have.
const unset = "\x00unset"

func baseEnv() map[string]string {
	return map[string]string{
		"DATABASE_URL": "postgres://smk:" + testDBPassword + "@127.0.0.1:5432/smkbot?sslmode=disable",
		"REDIS_URL":    "redis://:" + testRedisPass + "@127.0.0.1:6379/0",
	}
}

func lookupFrom(m map[string]string) func(string) (string, bool) {
	return func(key string) (string, bool) {
		v, ok := m[key]
		return v, ok
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := LoadConfig(lookupFrom(baseEnv()))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Token", cfg.Token, ""},
		{"APIEndpoint", cfg.APIEndpoint, "https://api.telegram.org/bot%s/%s"},
		{"HTTPAddr", cfg.HTTPAddr, ":8080"},
		{"WebhookURL", cfg.WebhookURL, ""},
		{"Timezone", cfg.Timezone.String(), "Asia/Barnaul"},
		{"AnonSecret", cfg.AnonSecret, ""},
		{"LogLevel", cfg.LogLevel, slog.LevelInfo},
		{"SessionTTL", cfg.SessionTTL, 72 * time.Hour},
		{"SendRate", cfg.SendRate, 25.0},
		{"ChatInterval", cfg.ChatInterval, time.Second},
		{"Workers", cfg.Workers, 16},
		{"ShutdownGrace", cfg.ShutdownGrace, 20 * time.Second},
		{"RedisPrefix", cfg.RedisPrefix, "smkbot:"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestConfigGood(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		check func(Config) bool
	}{
		{"everything set", map[string]string{
			"TELEGRAM_BOT_TOKEN":    testToken,
			"TELEGRAM_API_ENDPOINT": "http://localhost:8081/bot%s/%s",
			"HTTP_ADDR":             "127.0.0.1:9090",
			"WEBHOOK_URL":           "https://bot.example.org/telegram",
			"WEBHOOK_SECRET":        testHookSecret,
			"BOT_TIMEZONE":          "Asia/Novosibirsk",
			"ANON_SECRET":           testAnon,
			"LOG_LEVEL":             "debug",
			"SESSION_TTL":           "1h30m",
			"SEND_RATE":             "12.5",
			"CHAT_INTERVAL":         "0",
			"WORKERS":               "4",
			"SHUTDOWN_GRACE":        "5s",
			"REDIS_PREFIX":          "school:",
		}, func(c Config) bool {
			return c.Token == testToken && c.APIEndpoint == "http://localhost:8081/bot%s/%s" &&
				c.HTTPAddr == "127.0.0.1:9090" && c.WebhookURL == "https://bot.example.org/telegram" &&
				c.WebhookSecret == testHookSecret && c.Timezone.String() == "Asia/Novosibirsk" &&
				c.AnonSecret == testAnon && c.LogLevel == slog.LevelDebug && c.SessionTTL == 90*time.Minute &&
				c.SendRate == 12.5 && c.ChatInterval == 0 && c.Workers == 4 && c.ShutdownGrace == 5*time.Second && c.RedisPrefix == "school:"
		}},
		{"empty values take defaults", map[string]string{
			"TELEGRAM_API_ENDPOINT": "", "HTTP_ADDR": "", "BOT_TIMEZONE": "", "LOG_LEVEL": "",
			"SESSION_TTL": "", "SEND_RATE": "", "WORKERS": "", "SHUTDOWN_GRACE": "",
		}, func(c Config) bool {
			return c.HTTPAddr == ":8080" && c.Timezone.String() == "Asia/Barnaul" && c.Workers == 16
		}},
		{"key=value database", map[string]string{"DATABASE_URL": "host=127.0.0.1 user=postgres dbname=smkbot"},
			func(c Config) bool { return c.DatabaseURL == "host=127.0.0.1 user=postgres dbname=smkbot" }},
		{"rediss", map[string]string{"REDIS_URL": "rediss://redis.example.org:6380/1"},
			func(c Config) bool { return c.RedisURL == "rediss://redis.example.org:6380/1" }},
		{"level upper case", map[string]string{"LOG_LEVEL": "WARN"},
			func(c Config) bool { return c.LogLevel == slog.LevelWarn }},
		{"level error", map[string]string{"LOG_LEVEL": "error"},
			func(c Config) bool { return c.LogLevel == slog.LevelError }},
		{"webhook on 8443", map[string]string{"TELEGRAM_BOT_TOKEN": testToken,
			"WEBHOOK_URL": "https://bot.example.org:8443/tg", "WEBHOOK_SECRET": "a"},
			func(c Config) bool { return c.WebhookURL == "https://bot.example.org:8443/tg" }},
		{"secret without webhook is kept", map[string]string{"WEBHOOK_SECRET": testHookSecret},
			func(c Config) bool { return c.WebhookSecret == testHookSecret }},
		{"empty prefix", map[string]string{"REDIS_PREFIX": ""},
			func(c Config) bool { return c.RedisPrefix == "smkbot:" }},
		{"http port only", map[string]string{"HTTP_ADDR": ":0"},
			func(c Config) bool { return c.HTTPAddr == ":0" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := baseEnv()
			for k, v := range tt.env {
				m[k] = v
			}
			cfg, err := LoadConfig(lookupFrom(m))
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			if !tt.check(cfg) {
				t.Errorf("unexpected config: %+v", cfg)
			}
		})
	}
}

func TestConfigBad(t *testing.T) {
	longSecret := strings.Repeat("a", 257)
	tests := []struct {
		name string
		env  map[string]string
		// wantPrefix is how the message starts: the variable at fault.
		wantPrefix string
		// wantAlso is a fragment that says how to fix it.
		wantAlso string
	}{
		{"token with spaces", map[string]string{"TELEGRAM_BOT_TOKEN": " " + testToken}, "TELEGRAM_BOT_TOKEN contains whitespace", "@BotFather"},
		{"endpoint without verbs", map[string]string{"TELEGRAM_API_ENDPOINT": "https://api.telegram.org/bot"}, "TELEGRAM_API_ENDPOINT=", "two %s"},
		{"endpoint with one verb", map[string]string{"TELEGRAM_API_ENDPOINT": "https://api.telegram.org/bot%s"}, "TELEGRAM_API_ENDPOINT=", "two %s"},
		{"endpoint with other verb", map[string]string{"TELEGRAM_API_ENDPOINT": "https://x/bot%s/%s/%d"}, "TELEGRAM_API_ENDPOINT=", "two %s"},
		{"endpoint not http", map[string]string{"TELEGRAM_API_ENDPOINT": "ftp://x/bot%s/%s"}, "TELEGRAM_API_ENDPOINT=", "http(s)"},
		{"endpoint without host", map[string]string{"TELEGRAM_API_ENDPOINT": "bot%s/%s"}, "TELEGRAM_API_ENDPOINT=", "http(s)"},
		{"database missing", map[string]string{"DATABASE_URL": unset}, "DATABASE_URL is not set", "make run"},
		{"database empty", map[string]string{"DATABASE_URL": ""}, "DATABASE_URL is not set", "export DATABASE_URL="},
		{"database malformed", map[string]string{"DATABASE_URL": "postgres://smk:" + testDBPassword + "@127.0.0.1:notaport/smkbot"}, "DATABASE_URL is malformed", "postgres://"},
		{"database bad scheme", map[string]string{"DATABASE_URL": "mysql://smk:" + testDBPassword + "@127.0.0.1/smkbot"}, "DATABASE_URL is malformed", "postgres://"},
		{"redis missing", map[string]string{"REDIS_URL": unset}, "REDIS_URL is not set", "make run"},
		{"redis malformed", map[string]string{"REDIS_URL": "http://:" + testRedisPass + "@127.0.0.1:6379"}, "REDIS_URL is malformed", "redis://"},
		{"redis bad db", map[string]string{"REDIS_URL": "redis://:" + testRedisPass + "@127.0.0.1:6379/x"}, "REDIS_URL is malformed", "redis://"},
		{"http addr without port", map[string]string{"HTTP_ADDR": "8080"}, "HTTP_ADDR=", ":8080"},
		{"http addr bad port", map[string]string{"HTTP_ADDR": ":http"}, "HTTP_ADDR=", ":8080"},
		{"http addr port too big", map[string]string{"HTTP_ADDR": ":70000"}, "HTTP_ADDR=", ":8080"},
		{"webhook http", map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "WEBHOOK_SECRET": testHookSecret,
			"WEBHOOK_URL": "http://bot.example.org/tg"}, "WEBHOOK_URL is not an https URL", "https://"},
		{"webhook not a url", map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "WEBHOOK_SECRET": testHookSecret,
			"WEBHOOK_URL": "bot.example.org"}, "WEBHOOK_URL is not an https URL", "https://"},
		{"webhook bad port", map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "WEBHOOK_SECRET": testHookSecret,
			"WEBHOOK_URL": "https://bot.example.org:8080/tg"}, "WEBHOOK_URL uses port 8080", "8443"},
		{"webhook without token", map[string]string{"WEBHOOK_SECRET": testHookSecret,
			"WEBHOOK_URL": "https://bot.example.org/tg"}, "WEBHOOK_URL is set but TELEGRAM_BOT_TOKEN is not", "@BotFather"},
		{"webhook without secret", map[string]string{"TELEGRAM_BOT_TOKEN": testToken,
			"WEBHOOK_URL": "https://bot.example.org/tg"}, "WEBHOOK_SECRET is not set", "openssl rand"},
		{"webhook secret bad chars", map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "WEBHOOK_URL": "https://bot.example.org/tg",
			"WEBHOOK_SECRET": testHookSecret + "!"}, "WEBHOOK_SECRET is malformed", "1 to 256"},
		{"webhook secret too long", map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "WEBHOOK_URL": "https://bot.example.org/tg",
			"WEBHOOK_SECRET": longSecret}, "WEBHOOK_SECRET is malformed", "1 to 256"},
		{"timezone unknown", map[string]string{"BOT_TIMEZONE": "Asia/Barnal"}, `BOT_TIMEZONE="Asia/Barnal" is malformed`, "Asia/Barnaul"},
		{"anon secret short", map[string]string{"ANON_SECRET": testAnon[:31]}, "ANON_SECRET is too short (31 characters", "openssl rand"},
		{"log level unknown", map[string]string{"LOG_LEVEL": "verbose"}, `LOG_LEVEL="verbose" is malformed`, "debug, info, warn or error"},
		{"log level offset", map[string]string{"LOG_LEVEL": "info+2"}, "LOG_LEVEL=", "debug, info, warn or error"},
		{"session ttl not a duration", map[string]string{"SESSION_TTL": "3 days"}, `SESSION_TTL="3 days" is malformed`, "72h"},
		{"session ttl too short", map[string]string{"SESSION_TTL": "10s"}, "SESSION_TTL=10s is too short", "72h"},
		{"send rate not a number", map[string]string{"SEND_RATE": "fast"}, `SEND_RATE="fast" is malformed`, "25"},
		{"send rate zero", map[string]string{"SEND_RATE": "0"}, "SEND_RATE=0 is out of range", "25"},
		{"send rate NaN", map[string]string{"SEND_RATE": "NaN"}, "SEND_RATE=NaN is out of range", "25"},
		{"send rate huge", map[string]string{"SEND_RATE": "1e9"}, "SEND_RATE=1e+09 is out of range", "25"},
		{"chat interval not a duration", map[string]string{"CHAT_INTERVAL": "often"}, `CHAT_INTERVAL="often" is malformed`, "1s"},
		{"chat interval negative", map[string]string{"CHAT_INTERVAL": "-1s"}, "CHAT_INTERVAL=-1s is out of range", "1s"},
		{"chat interval too long", map[string]string{"CHAT_INTERVAL": "2m"}, "CHAT_INTERVAL=2m0s is out of range", "1s"},
		{"workers not a number", map[string]string{"WORKERS": "many"}, `WORKERS="many" is malformed`, "16"},
		{"workers zero", map[string]string{"WORKERS": "0"}, "WORKERS=0 is out of range", "16"},
		{"workers negative", map[string]string{"WORKERS": "-3"}, "WORKERS=-3 is out of range", "16"},
		{"grace not a duration", map[string]string{"SHUTDOWN_GRACE": "20"}, `SHUTDOWN_GRACE="20" is malformed`, "20s"},
		{"grace negative", map[string]string{"SHUTDOWN_GRACE": "-1s"}, "SHUTDOWN_GRACE=-1s is too short", "20s"},
		{"prefix with space", map[string]string{"REDIS_PREFIX": "smk bot:"}, "REDIS_PREFIX contains spaces", "smkbot:"},
		{"quoted value stays on one line", map[string]string{"WORKERS": "1\n2"}, `WORKERS="1\n2" is malformed`, "16"},
	}
	secrets := []string{testToken, testDBPassword, testRedisPass, testAnon, testAnon[:31], testHookSecret, longSecret}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := baseEnv()
			for k, v := range tt.env {
				if v == unset {
					delete(m, k)
					continue
				}
				m[k] = v
			}
			_, err := LoadConfig(lookupFrom(m))
			if err == nil {
				t.Fatal("LoadConfig succeeded, want an error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.wantPrefix) {
				t.Errorf("message %q does not start with %q", msg, tt.wantPrefix)
			}
			if !strings.Contains(msg, tt.wantAlso) {
				t.Errorf("message %q does not say %q", msg, tt.wantAlso)
			}
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("message %q is more than one line", msg)
			}
			for _, s := range secrets {
				if strings.Contains(msg, s) {
					t.Errorf("message %q reveals a secret value", msg)
				}
			}
		})
	}
}
