package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smkbot/storage"
)

var inviteCode = regexp.MustCompile(`/start [A-Za-z0-9_-]{43}`)

var update = flag.Bool("update", false, "rewrite the golden transcripts under testdata/")

// golden compares a chat transcript with testdata/<name>.golden, a readable
// record of the whole conversation as the person saw it.
func golden(t *testing.T, name, got string) {
	t.Helper()
	// Invite codes are random: the transcript names them, not their value.
	got = inviteCode.ReplaceAllString(got, "/start <код приглашения>")
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("transcript %s (-want +got):\n%s", path, diff)
	}
}

func TestRegistrationTranscript(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.user(1201, "Мария")
	u.send("/start " + h.invite(storage.RoleAdmin, 0, 1, time.Hour))
	u.press("✅ Согласен(на)")
	u.send("Иванова")
	u.send("Иванова Мария Петровна")
	u.press("✏️ Изменить ФИО")
	u.send("Иванова Марья Петровна")
	u.press("✅ Всё верно")
	u.send("/help")
	golden(t, "registration", u.transcript())
}
