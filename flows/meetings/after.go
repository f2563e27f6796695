package meetings

import (
	"context"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// registerAfter adds the buttons, steps and jobs of attendance, decisions and votes, executors' tasks, minutes, retention, history.
func (f *Flow) registerAfter(r *flows.Router) {}

// afterButtons are the card's buttons of this part for the meeting.
func (f *Flow) afterButtons(ctx context.Context, c *flows.Context, m storage.Meeting) (bot.Keyboard, error) {
	return nil, nil
}
