package survey

import "smkbot/flows"

func (f *Flow) registerAnswer(r *flows.Router) {}
