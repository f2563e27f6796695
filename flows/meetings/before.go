package meetings

import (
	"context"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// registerBefore adds the buttons, steps and jobs of the answers' table, the quorum forecast, reminders.
func (f *Flow) registerBefore(r *flows.Router) {}

// beforeButtons are the card's buttons of this part for the meeting.
func (f *Flow) beforeButtons(ctx context.Context, c *flows.Context, m storage.Meeting) (bot.Keyboard, error) {
	return nil, nil
}
