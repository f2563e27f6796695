package bot

import (
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/google/go-cmp/cmp"
)

func TestFromTelegram(t *testing.T) {
	alice := &tgbotapi.User{ID: 42, FirstName: "Анна", LastName: "Иванова", UserName: "anna"}
	wantAlice := User{ID: 42, FirstName: "Анна", LastName: "Иванова", Username: "anna"}
	private := &tgbotapi.Chat{ID: 42, Type: "private"}
	group := &tgbotapi.Chat{ID: -100, Type: "supergroup"}
	cmdEntity := func(n int) []tgbotapi.MessageEntity {
		return []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: n}}
	}

	tests := []struct {
		name   string
		in     tgbotapi.Update
		want   Update
		wantOK bool
	}{
		{
			name: "plain text",
			in: tgbotapi.Update{UpdateID: 1, Message: &tgbotapi.Message{
				MessageID: 7, From: alice, Chat: private, Text: "Привет",
			}},
			want:   Update{ID: 1, ChatID: 42, Private: true, From: wantAlice, MessageID: 7, Text: "Привет"},
			wantOK: true,
		},
		{
			name: "command with argument",
			in: tgbotapi.Update{UpdateID: 2, Message: &tgbotapi.Message{
				MessageID: 8, From: alice, Chat: private, Text: "/start abc_DEF-1", Entities: cmdEntity(6),
			}},
			want: Update{ID: 2, ChatID: 42, Private: true, From: wantAlice, MessageID: 8,
				Text: "/start abc_DEF-1", Command: "start", Args: "abc_DEF-1"},
			wantOK: true,
		},
		{
			name: "command addressed to the bot in a group",
			in: tgbotapi.Update{UpdateID: 3, Message: &tgbotapi.Message{
				MessageID: 9, From: alice, Chat: group, Text: "/help@smk_bot", Entities: cmdEntity(13),
			}},
			want: Update{ID: 3, ChatID: -100, From: wantAlice, MessageID: 9,
				Text: "/help@smk_bot", Command: "help"},
			wantOK: true,
		},
		{
			name: "command with Cyrillic arguments",
			in: tgbotapi.Update{UpdateID: 4, Message: &tgbotapi.Message{
				MessageID: 10, From: alice, Chat: private, Text: "/as 2 Иванова", Entities: cmdEntity(3),
			}},
			want: Update{ID: 4, ChatID: 42, Private: true, From: wantAlice, MessageID: 10,
				Text: "/as 2 Иванова", Command: "as", Args: "2 Иванова"},
			wantOK: true,
		},
		{
			name: "command entity not at the start is no command",
			in: tgbotapi.Update{UpdateID: 5, Message: &tgbotapi.Message{
				MessageID: 11, From: alice, Chat: private, Text: "see /help",
				Entities: []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 4, Length: 5}},
			}},
			want:   Update{ID: 5, ChatID: 42, Private: true, From: wantAlice, MessageID: 11, Text: "see /help"},
			wantOK: true,
		},
		{
			name: "entity length beyond the text",
			in: tgbotapi.Update{UpdateID: 6, Message: &tgbotapi.Message{
				MessageID: 12, From: alice, Chat: private, Text: "/x", Entities: cmdEntity(40),
			}},
			want:   Update{ID: 6, ChatID: 42, Private: true, From: wantAlice, MessageID: 12, Text: "/x"},
			wantOK: true,
		},
		{
			name: "photo with caption takes the largest size",
			in: tgbotapi.Update{UpdateID: 7, Message: &tgbotapi.Message{
				MessageID: 13, From: alice, Chat: private, Caption: "Замечание 1", MediaGroupID: "g1",
				Photo: []tgbotapi.PhotoSize{
					{FileID: "small", FileUniqueID: "us", Width: 90, Height: 60, FileSize: 1000},
					{FileID: "big", FileUniqueID: "ub", Width: 1280, Height: 853, FileSize: 90000},
					{FileID: "mid", FileUniqueID: "um", Width: 320, Height: 213, FileSize: 9000},
				},
			}},
			want: Update{ID: 7, ChatID: 42, Private: true, From: wantAlice, MessageID: 13,
				Text: "Замечание 1", MediaGroupID: "g1",
				Photo: &File{ID: "big", UniqueID: "ub", MIME: "image/jpeg", Size: 90000}},
			wantOK: true,
		},
		{
			name: "document with a command in the caption",
			in: tgbotapi.Update{UpdateID: 8, Message: &tgbotapi.Message{
				MessageID: 14, From: alice, Chat: private, Caption: "/report 5",
				CaptionEntities: cmdEntity(7),
				Document: &tgbotapi.Document{FileID: "doc", FileUniqueID: "ud", FileName: "акт.pdf",
					MimeType: "application/pdf", FileSize: 12345},
			}},
			want: Update{ID: 8, ChatID: 42, Private: true, From: wantAlice, MessageID: 14,
				Text: "/report 5", Command: "report", Args: "5",
				Document: &File{ID: "doc", UniqueID: "ud", Name: "акт.pdf", MIME: "application/pdf", Size: 12345}},
			wantOK: true,
		},
		{
			name: "voice message",
			in: tgbotapi.Update{UpdateID: 10, Message: &tgbotapi.Message{
				MessageID: 15, From: alice, Chat: private,
				Voice: &tgbotapi.Voice{FileID: "v1", FileUniqueID: "uv", Duration: 7, MimeType: "audio/ogg", FileSize: 4321},
			}},
			want: Update{ID: 10, ChatID: 42, Private: true, From: wantAlice, MessageID: 15,
				Voice: &File{ID: "v1", UniqueID: "uv", MIME: "audio/ogg", Size: 4321}},
			wantOK: true,
		},
		{
			name: "callback query on a message",
			in: tgbotapi.Update{UpdateID: 9, CallbackQuery: &tgbotapi.CallbackQuery{
				ID: "cb1", From: alice, Data: "survey:answer:3",
				Message: &tgbotapi.Message{MessageID: 99, Chat: private, Text: "Вопрос"},
			}},
			want: Update{ID: 9, ChatID: 42, Private: true, From: wantAlice, MessageID: 99,
				Callback: &Callback{ID: "cb1", Data: "survey:answer:3", MessageID: 99}},
			wantOK: true,
		},
		{
			name: "callback query in a group",
			in: tgbotapi.Update{UpdateID: 10, CallbackQuery: &tgbotapi.CallbackQuery{
				ID: "cb2", From: alice, Data: "meet:rsvp:1",
				Message: &tgbotapi.Message{MessageID: 5, Chat: group},
			}},
			want: Update{ID: 10, ChatID: -100, From: wantAlice, MessageID: 5,
				Callback: &Callback{ID: "cb2", Data: "meet:rsvp:1", MessageID: 5}},
			wantOK: true,
		},
		{
			name: "callback query without a message goes to the sender",
			in: tgbotapi.Update{UpdateID: 11, CallbackQuery: &tgbotapi.CallbackQuery{
				ID: "cb3", From: alice, Data: "x", InlineMessageID: "inl",
			}},
			want: Update{ID: 11, ChatID: 42, Private: true, From: wantAlice,
				Callback: &Callback{ID: "cb3", Data: "x"}},
			wantOK: true,
		},
		{
			name: "message without a sender",
			in: tgbotapi.Update{UpdateID: 12, Message: &tgbotapi.Message{
				MessageID: 1, Chat: group, Text: "анонимно",
			}},
			want:   Update{ID: 12, ChatID: -100, MessageID: 1, Text: "анонимно"},
			wantOK: true,
		},
		{
			name:   "edited message is ignored",
			in:     tgbotapi.Update{UpdateID: 13, EditedMessage: &tgbotapi.Message{MessageID: 1, Chat: private, Text: "x"}},
			want:   Update{ID: 13},
			wantOK: false,
		},
		{
			name:   "channel post is ignored",
			in:     tgbotapi.Update{UpdateID: 14, ChannelPost: &tgbotapi.Message{MessageID: 1, Chat: &tgbotapi.Chat{ID: -5, Type: "channel"}}},
			want:   Update{ID: 14},
			wantOK: false,
		},
		{
			name:   "membership change is ignored",
			in:     tgbotapi.Update{UpdateID: 15, MyChatMember: &tgbotapi.ChatMemberUpdated{}},
			want:   Update{ID: 15},
			wantOK: false,
		},
		{
			name:   "message without a chat is ignored",
			in:     tgbotapi.Update{UpdateID: 16, Message: &tgbotapi.Message{MessageID: 1, Text: "x"}},
			want:   Update{ID: 16},
			wantOK: false,
		},
		{
			name:   "callback without a sender is ignored",
			in:     tgbotapi.Update{UpdateID: 17, CallbackQuery: &tgbotapi.CallbackQuery{ID: "q"}},
			want:   Update{ID: 17},
			wantOK: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FromTelegram(tt.in)
			if ok != tt.wantOK {
				t.Errorf("FromTelegram ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("FromTelegram mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// The command entity counts UTF-16 units: an emoji before the arguments must
// not shift them.
func TestCommandUTF16(t *testing.T) {
	text := "/start 😀 код"
	cmd, args := command(text, []tgbotapi.MessageEntity{{Type: "bot_command", Length: 6}})
	if cmd != "start" || args != "😀 код" {
		t.Errorf("command(%q) = %q, %q; want %q, %q", text, cmd, args, "start", "😀 код")
	}
}

func FuzzCommand(f *testing.F) {
	f.Add("/start abc", 6)
	f.Add("/a@b c", 4)
	f.Add("😀", 2)
	f.Fuzz(func(t *testing.T, text string, n int) {
		// Must never panic, whatever Telegram sends.
		command(text, []tgbotapi.MessageEntity{{Type: "bot_command", Length: n}})
	})
}
