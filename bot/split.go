package bot

import (
	"strings"
	"unicode/utf16"
)

// Telegram's limits, counted as Telegram counts: in UTF-16 code units.
const (
	maxText    = 4096
	maxCaption = 1024
)

// utf16Len is the length of s as Telegram counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// splitText splits s into parts of at most max UTF-16 code units, cutting at
// paragraph breaks where it can, then at line breaks, then between words, and
// only then anywhere. With html set it never cuts inside a tag or an entity,
// and closes the tags open at a cut, reopening them in the next part, so each
// part parses on its own.
func splitText(s string, max int, html bool) []string {
	if utf16Len(s) <= max {
		return []string{s}
	}
	if html {
		// Leave room for the tags closed and reopened at each cut.
		max -= 128
	}
	var parts []string
	for utf16Len(s) > max {
		head, tail := cutText(s, max, html)
		parts = append(parts, head)
		s = tail
	}
	if strings.TrimSpace(s) != "" {
		parts = append(parts, s)
	}
	if html {
		parts = balanceTags(parts)
	}
	return parts
}

// cutText returns the longest good first part of s of at most max UTF-16
// code units, and the rest.
func cutText(s string, max int, html bool) (head, tail string) {
	n, end := 0, len(s)
	for i, r := range s {
		if n+utf16.RuneLen(r) > max {
			end = i
			break
		}
		n += utf16.RuneLen(r)
	}
	if end == len(s) {
		return s, ""
	}
	prefix := s[:end]
	if html {
		prefix = beforeOpenMarkup(prefix)
	}
	// A boundary in the second half of the prefix is preferred; failing
	// that, any boundary at all beats cutting a word.
	for _, minPos := range []int{len(prefix) / 2, 1} {
		for _, sep := range []string{"\n\n", "\n", " "} {
			i := strings.LastIndex(prefix, sep)
			if i < minPos {
				continue
			}
			trim := "\n"
			if sep == " " {
				trim = " "
			}
			head := strings.TrimRight(prefix[:i], trim)
			if strings.TrimSpace(head) == "" {
				continue
			}
			return head, strings.TrimLeft(s[i+len(sep):], trim)
		}
	}
	if prefix == "" {
		// A single tag longer than max: cut it, Telegram will say why.
		prefix = s[:end]
	}
	return prefix, s[len(prefix):]
}

// beforeOpenMarkup shortens p so it does not end inside a tag ("<b" without
// ">") or an entity ("&am" without ";").
func beforeOpenMarkup(p string) string {
	if lt := strings.LastIndexByte(p, '<'); lt > strings.LastIndexByte(p, '>') {
		p = p[:lt]
	}
	if amp := strings.LastIndexByte(p, '&'); amp >= 0 && amp > strings.LastIndexByte(p, ';') && len(p)-amp < 12 {
		p = p[:amp]
	}
	return p
}

// balanceTags closes the HTML tags left open at the end of each part and
// reopens them, attributes and all, at the start of the next.
func balanceTags(parts []string) []string {
	var open []string // the opening tags in force, outermost first
	out := make([]string, len(parts))
	for i, p := range parts {
		prefix := strings.Join(open, "")
		open = openTags(open, p)
		var b strings.Builder
		b.WriteString(prefix)
		b.WriteString(p)
		for j := len(open) - 1; j >= 0; j-- {
			b.WriteString("</" + tagName(open[j]) + ">")
		}
		out[i] = b.String()
	}
	return out
}

// openTags follows the tags in p, starting with open in force, and returns
// those still open at its end.
func openTags(open []string, p string) []string {
	open = append([]string(nil), open...)
	for {
		lt := strings.IndexByte(p, '<')
		if lt < 0 {
			return open
		}
		gt := strings.IndexByte(p[lt:], '>')
		if gt < 0 {
			return open
		}
		tag := p[lt : lt+gt+1]
		p = p[lt+gt+1:]
		if strings.HasPrefix(tag, "</") {
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
			continue
		}
		open = append(open, tag)
	}
}

// tagName is the name of an opening tag ("a" for `<a href="...">`).
func tagName(tag string) string {
	name := strings.Trim(tag, "<>")
	if i := strings.IndexAny(name, " \t\n"); i >= 0 {
		name = name[:i]
	}
	return name
}
