package tasks

import "smkbot/flows"

func (f *Flow) registerReminders(r *flows.Router) {}
