package survey

import "smkbot/flows"

func (f *Flow) registerResults(r *flows.Router) {}
