package survey

import "smkbot/flows"

func (f *Flow) registerAuthor(r *flows.Router) {}
