package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/flowtest"
)

// FuzzRouter feeds the router sequences of updates decoded from the input,
// from five people — a teacher of school A, the quality manager of school
// B, a stranger, a presidium member and the secretary — in private chats,
// groups and channels: texts (some over 5000 characters), the registered
// commands with random arguments, buttons of the registered flows with
// random numbers (stale and forged), photos, documents and voice where text
// is expected, and menu labels. Nothing panics, Handle fails only when it
// should (never here), and nothing of a school reaches someone outside it:
// school A's records and people never appear in a reply to school B's
// manager or a stranger, B's never to A's teacher, and neither in a group
// or a channel; a message to a chat other than the update's goes only to a
// person of the sender's school or the association.
func FuzzRouter(f *testing.F) {
	f.Add([]byte{0, 2, 0, 1, 2, 3, 5, 1, 4, 7, 9})
	f.Add([]byte("\x00\x03\x05\x01\x01\x03\x07\x02\x02\x02\x09\x00\x01\x06\x03"))
	f.Add([]byte{1, 2, 4, 1, 3, 3, 1, 3, 9, 1, 8, 2, 1, 6, 6, 1, 0, 0})
	f.Add([]byte{2, 1, 0, 2, 2, 1, 2, 3, 40, 2, 4, 0, 2, 5, 1})
	f.Add([]byte{3, 2, 5, 4, 3, 17, 3, 8, 4, 4, 6, 2, 4, 7, 7})
	f.Add([]byte{0, 6, 2, 1, 6, 4, 2, 7, 1, 3, 6, 8, 4, 1, 5})
	f.Add([]byte("teacher asks /tasks, presses tk buttons, sends photos; manager of B forges"))

	w := newWorld(f)
	var cmds, cbs, menu []string
	for _, rt := range w.Router.Routes() {
		switch rt.Kind {
		case flows.RouteCommand:
			cmds = append(cmds, rt.Name)
		case flows.RouteCallback:
			cbs = append(cbs, rt.Name)
		case flows.RouteMenu:
			menu = append(menu, w.L.T(rt.Name))
		}
	}
	type who struct {
		u      flowtest.User
		school *school // nil: association-wide or nobody
		// sees: the schools whose marks may appear in replies to them.
		sees []*school
	}
	people := []who{
		{w.a.teachU, w.a, []*school{w.a}},
		{w.b.qmU, w.b, []*school{w.b}},
		{w.stranger, nil, nil},
		{w.presU, nil, []*school{w.a, w.b}},
		{w.secU, nil, []*school{w.a, w.b}},
	}
	// orgOf tells the school of every person of the world by chat.
	orgOf := map[int64]*school{}
	for _, s := range []*school{w.a, w.b} {
		for _, u := range []flowtest.User{s.qmU, s.auditorU, s.teachU} {
			orgOf[u.ID] = s
		}
	}
	update := 1 << 20

	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 300 {
			data = data[:300]
		}
		next := func() int {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return int(b)
		}
		for steps := 0; len(data) > 0 && steps < 40; steps++ {
			p := people[next()%len(people)]
			update++
			u := bot.Update{ID: update, ChatID: p.u.ID, Private: true, MessageID: update,
				From: bot.User{ID: p.u.ID, FirstName: p.u.First}}
			n1, n2 := next(), next()
			switch next() % 10 {
			case 0: // a short text
				u.Text = fmt.Sprintf("%d.%d ответ %c", n1, n2, rune('А'+n1%32))
			case 1: // a huge text
				u.Text = strings.Repeat("Очень длинный текст ", 260+n1)
			case 2: // a command with an argument
				u.Command = cmds[n1%len(cmds)]
				u.Args = fmt.Sprint(n2)
				if n2%3 == 0 {
					u.Args = ""
				}
				u.Text = "/" + u.Command + " " + u.Args
			case 3, 4: // a button of a flow, its numbers random: stale or forged
				arg := fmt.Sprintf("%d.%d", n1%12, n2%12)
				if n2%4 == 0 {
					arg = fmt.Sprint(n1 % 12)
				}
				u.Callback = &bot.Callback{ID: fmt.Sprint("cb", update), MessageID: n1 + 1,
					Data: cbs[(n1*7+n2)%len(cbs)] + ":" + arg}
			case 5: // a photo where text may be expected
				u.Photo = &bot.File{ID: "photo" + fmt.Sprint(n1), UniqueID: "u" + fmt.Sprint(n1), MIME: "image/jpeg", Size: 1000}
				u.Text = "подпись"
			case 6: // a document or a voice message
				if n1%2 == 0 {
					u.Document = &bot.File{ID: "doc", UniqueID: "d", Name: "план.xlsx", MIME: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Size: 2000}
				} else {
					u.Voice = &bot.File{ID: "voice", UniqueID: "v", MIME: "audio/ogg", Size: 3000}
				}
			case 7: // a menu label
				u.Text = menu[n1%len(menu)]
			case 8: // a group: the same person, a command or a label
				u.ChatID, u.Private = -1000000-int64(n1), false
				if n2%2 == 0 {
					u.Command, u.Text = cmds[n1%len(cmds)], "/"+cmds[n1%len(cmds)]
				} else {
					u.Text = menu[n1%len(menu)]
				}
			case 9: // a channel post: no sender
				u.ChatID, u.Private, u.From = -1001000000-int64(n1), false, bot.User{}
				u.Command, u.Text = cmds[n2%len(cmds)], "/"+cmds[n2%len(cmds)]
			}
			msgs, err := w.Router.Handle(context.Background(), u)
			if err != nil {
				t.Fatalf("update %+v: Handle: %v", u, err)
			}
			for _, m := range msgs {
				text := flowtest.Joined([]bot.Message{m})
				for _, s := range []*school{w.a, w.b} {
					if !u.Private || !containsSchool(p.sees, s) {
						for _, mark := range s.marks {
							if strings.Contains(text, mark) {
								t.Fatalf("update %+v (private %v) from %d: the reply to chat %d shows %q of %s:\n%s",
									u, u.Private, p.u.ID, m.Chat(), mark, s.org.Name, text)
							}
						}
					}
				}
				if c := m.Chat(); c != u.ChatID && p.school != nil {
					if s, ok := orgOf[c]; ok && s != p.school {
						t.Fatalf("update %+v from %d of %s: a message to %d of %s:\n%s", u, p.u.ID, p.school.org.Name, c, s.org.Name, text)
					}
				}
			}
		}
	})
}

func containsSchool(list []*school, s *school) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
