package tasks

import "smkbot/flows"

func (f *Flow) registerManage(r *flows.Router) {}
