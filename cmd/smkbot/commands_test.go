package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"smkbot/bot/bottest"
	"smkbot/storage"
	"smkbot/storage/storagetest"
)

func TestInviteCommandPrintsTheFirstAdminLink(t *testing.T) {
	t.Parallel()
	tg := bottest.New("654321:CLI-token")
	defer tg.Close()
	env := map[string]string{
		"TELEGRAM_BOT_TOKEN":    tg.Token(),
		"TELEGRAM_API_ENDPOINT": tg.Endpoint(),
		"DATABASE_URL":          storagetest.DatabaseURL(t),
		"REDIS_URL":             redisURL(),
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	ctx := context.Background()

	var out bytes.Buffer
	if err := Main(ctx, []string{"migrate"}, lookup, nil, &out); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	out.Reset()
	if err := Main(ctx, []string{"invite", "-role", "admin", "-uses", "2"}, lookup, nil, &out); err != nil {
		t.Fatalf("invite: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "https://t.me/smk_test_bot?start=") || !strings.HasSuffix(lines[0], "="+lines[1]) {
		t.Fatalf("invite printed %q, want the deep link and then the code", out.String())
	}
	store, err := storage.Open(ctx, env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	inv, _, err := store.PeekInvite(ctx, lines[1])
	if err != nil || inv.Role != storage.RoleAdmin || inv.UsesLeft != 2 || inv.OrgID != 0 {
		t.Fatalf("invite in Postgres = %+v, %v", inv, err)
	}

	for _, bad := range [][]string{
		{"invite", "-role", "pope"},
		{"invite", "-role", "teacher"}, // a teacher needs an organisation
		{"invite", "-role", "admin", "-uses", "0"},
	} {
		if err := Main(ctx, bad, lookup, nil, &out); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

func TestMissingConfigurationIsOneClearLine(t *testing.T) {
	t.Parallel()
	err := Main(context.Background(), []string{"serve"}, func(string) (string, bool) { return "", false }, nil, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %v, want one line naming DATABASE_URL", err)
	}
}
