package audit

import "smkbot/flows"

// registerViews adds the views of findings: open findings by organisation
// and by process, overdue corrective actions, the chair's chart and XLSX.
func (f *Flow) registerViews(r *flows.Router) {}
