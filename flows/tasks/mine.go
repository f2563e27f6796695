package tasks

import "smkbot/flows"

func (f *Flow) registerMine(r *flows.Router) {}
