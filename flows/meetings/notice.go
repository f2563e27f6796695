package meetings

import (
	"context"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// registerNotice adds the buttons, steps and jobs of writing and sending the notice, changes and cancellation, the members' answers.
func (f *Flow) registerNotice(r *flows.Router) {}

// noticeButtons are the card's buttons of this part for the meeting.
func (f *Flow) noticeButtons(ctx context.Context, c *flows.Context, m storage.Meeting) (bot.Keyboard, error) {
	return nil, nil
}
