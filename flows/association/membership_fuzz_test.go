package association

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"smkbot/flows"
	"smkbot/flows/flowtest"
	"smkbot/storage"
)

// FuzzMembershipInput: whatever a director types at a step of the
// application, or whatever a button's argument says, the bot answers
// without the apology for an internal error, and a typed address is kept
// trimmed or refused.
func FuzzMembershipInput(f *testing.F) {
	for _, s := range []string{"659300, г. Бийск, ул. Ленина, 7", "", "   ", "/start", "1.2.3", "0", "99999999999999999999",
		strings.Repeat("я", 1001), "Членов", "\x00\xff"} {
		f.Add(uint8(0), s)
		f.Add(uint8(5), s)
	}
	e := newMbEnv(f)
	ctx := context.Background()
	apology := strings.SplitN(e.L.T("common.error", "Ref", "x"), ".", 2)[0]
	steps := []string{stepMbAddress, stepMbReason, stepMbRec, stepMbFiles, stepMbExReason}
	actions := []string{mbNew, mbCont, mbGround, mbDoc, mbNext, mbRec, mbDocs, mbSend, mbDrop, mbApp, mbSched, mbExOrg}
	f.Fuzz(func(t *testing.T, pick uint8, s string) {
		a, err := e.Store.LatestApplication(ctx, e.cand.ID)
		if err != nil || a.Status != storage.ApplicationDraft {
			if a, err = e.Store.CreateApplication(ctx, e.dir.ID, e.cand.ID, storage.KindMember); err != nil {
				t.Fatal(err)
			}
		}
		var got string
		if int(pick) < len(steps) {
			step := steps[pick]
			sess := storage.Session{Step: step, Data: map[string]string{mbKeyApp: itoa(a.ID), mbKeyDoc: string(storage.DocSupport)}}
			if err := e.Sessions.Save(ctx, e.dirU.ID, sess); err != nil {
				t.Fatal(err)
			}
			if !utf8.ValidString(s) {
				return
			}
			got = strings.Join(flowtest.Texts(e.Send(t, e.dirU, s)), "\n")
			if step == stepMbAddress {
				after, err := e.Store.FindApplication(ctx, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				want := cleanText(s)
				if after.Address != "" && after.Address != want && after.Address != a.Address {
					t.Errorf("address %q kept for %q", after.Address, s)
				}
				if utf8.RuneCountInString(after.Address) > storage.MaxApplicationText {
					t.Errorf("address of %d characters kept", utf8.RuneCountInString(after.Address))
				}
			}
		} else {
			action := actions[int(pick)%len(actions)]
			data := mbcb + ":" + action + ":" + s
			if _, err := flows.ParseCallback(data); err != nil {
				return
			}
			e.Send(t, e.dirU, "📝 Членство")
			got = strings.Join(flowtest.Texts(e.Press(t, e.dirU, data)), "\n")
		}
		if strings.Contains(got, apology) {
			t.Fatalf("%d %q: the apology:\n%s", pick, s, got)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestCleanText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"  г. Бийск, ул. Ленина, 7 ", "г. Бийск, ул. Ленина, 7"},
		{"строка 1\nстрока 2", "строка 1\nстрока 2"},
		{"0\x00", "0"},
		{"\x00\x01\x7f", ""},
		{"a\xffb", "ab"},
		{"\u200bтекст", "\u200bтекст"},
	} {
		if got := cleanText(tt.in); got != tt.want {
			t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
