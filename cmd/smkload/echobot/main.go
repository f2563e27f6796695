// Command echobot is the yardstick of cmd/smkload: the smallest bot one can
// write with the same telegram-bot-api client — GetUpdatesChan and Send —
// answering every text with itself. smkload runs it against the same fake
// Bot API and load as the real bot and reports the real bot's throughput
// as a ratio of this one's.
//
// It reads TELEGRAM_BOT_TOKEN and TELEGRAM_API_ENDPOINT.
package main

import (
	"fmt"
	"os"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func main() {
	api, err := tgbotapi.NewBotAPIWithAPIEndpoint(os.Getenv("TELEGRAM_BOT_TOKEN"), os.Getenv("TELEGRAM_API_ENDPOINT"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "echobot:", err)
		os.Exit(1)
	}
	u := tgbotapi.NewUpdate(0)
	u.Timeout = 30
	for up := range api.GetUpdatesChan(u) {
		if up.Message == nil {
			continue
		}
		if _, err := api.Send(tgbotapi.NewMessage(up.Message.Chat.ID, up.Message.Text)); err != nil {
			fmt.Fprintln(os.Stderr, "echobot: send failed")
		}
	}
}
