package flows

import "smkbot/bot"

// Pages cuts n items into pages of size and returns the bounds [from, to)
// of page p (1-based and clamped: a list that shrank since its buttons were
// drawn shows its last page rather than nothing) and the number of pages.
func Pages(n, size, page int64) (from, to, p, count int64) {
	count = max((n+size-1)/size, 1)
	p = min(max(page, 1), count)
	from = (p - 1) * size
	to = min(from+size, n)
	return from, to, p, count
}

// PageNav returns the «‹ Назад» / «Далее ›» row of a paged list (nil for a
// single page); data builds the callback data that shows a page.
func (c *Context) PageNav(p, count int64, data func(page int64) string) []bot.Button {
	var row []bot.Button
	if p > 1 {
		row = append(row, c.Button("common.btn.prev", data(p-1)))
	}
	if p < count {
		row = append(row, c.Button("common.btn.next", data(p+1)))
	}
	return row
}

// PageLine is the «Стр. 2 из 5» line under a paged list, with the blank
// line before it, or "" for a single page.
func (c *Context) PageLine(p, count int64) string {
	if count < 2 {
		return ""
	}
	return "\n\n" + c.T("common.page", "Page", p, "Pages", count)
}
