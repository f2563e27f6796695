// Package survey runs the association's questionnaires: templates and the
// upload format, publishing, answering and results.
package survey

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"smkbot/storage"
)

// Template is a survey ready to be published: a built-in one or one read
// from a file a quality manager uploaded.
type Template struct {
	// Key names a built-in template ("parents", "students"): the base name
	// of its file under templates/. It is empty for an uploaded file.
	Key   string
	Title string
	// Audience is "parents" or "students", whatever word the file used.
	Audience string
	// Intro says in plain words why the survey is run ("" when the file
	// has none).
	Intro     string
	Questions []storage.Question
}

// LineError is a problem in a survey file: the line it is on (counting
// from 1) and a locale message id with its template data as key-value
// pairs, as for locales.Localizer.T. The ids start with "survey.format.";
// "survey.format.line" renders a line number with a message.
type LineError struct {
	Line  int
	MsgID string
	Data  []any
}

// Limits of the format. They keep a survey short enough for a phone and
// its buttons within Telegram's limits: options are sent as buttons (and
// named by index in callback data), so their number and length are capped.
// The help message in locales/survey_format.ru.toml states the same numbers.
const (
	maxFileSize     = 64 << 10
	maxQuestions    = 30
	maxQuestionText = 300
	minOptions      = 2
	maxOptions      = 10
	maxOption       = 60
	maxTitle        = 150
	maxIntro        = 1000
	maxLabel        = 60 // low, high and group: scale ends and chart labels
)

// The fields a file may have, in the order the help lists them; unknown
// fields are errors, so a typo never silently drops a setting.
var (
	surveyFields   = []string{"title", "audience", "intro", "questions"}
	questionFields = []string{"text", "kind", "low", "high", "options", "group", "required"}
)

// ParseTemplate reads a survey file in the upload format (YAML, documented
// for people by the "survey.format.help" message). It returns either the
// template and no errors, or a zero Template and every problem found,
// sorted by line; each line is at least 1.
func ParseTemplate(data []byte) (Template, []LineError) {
	if len(data) > maxFileSize {
		return Template{}, []LineError{{Line: 1, MsgID: "survey.format.too_big", Data: []any{"Max", maxFileSize >> 10}}}
	}
	data, bad := toUTF8(data)
	if bad > 0 {
		return Template{}, []LineError{{Line: bad, MsgID: "survey.format.not_utf8"}}
	}
	doc, extra, err := decode(data)
	if err != nil {
		return Template{}, []LineError{yamlError(data, err)}
	}
	var p parser
	t := p.template(doc)
	if extra != nil {
		p.add(extra.Line, "survey.format.extra_document")
	}
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b LineError) int { return a.Line - b.Line })
		return Template{}, p.errs
	}
	return t, nil
}

// toUTF8 returns data as UTF-8 without a byte order mark. Windows editors
// save "Unicode" as UTF-16 with a mark, which is converted; anything else
// must already be UTF-8 (a file saved as Windows-1251 is not), and bad is
// then the line of the first invalid byte, or 0.
func toUTF8(data []byte) (out []byte, bad int) {
	var order func([]byte) uint16
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		order = func(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		order = func(b []byte) uint16 { return uint16(b[1]) | uint16(b[0])<<8 }
	}
	if order != nil {
		body := data[2:]
		units := make([]uint16, 0, len(body)/2)
		for i := 0; i+1 < len(body); i += 2 {
			units = append(units, order(body[i:]))
		}
		out = []byte(string(utf16.Decode(units)))
		if len(body)%2 != 0 || bytes.ContainsRune(out, utf8.RuneError) {
			return nil, 1 + bytes.Count(out, []byte("\n"))
		}
		return out, 0
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return nil, 1 + bytes.Count(data[:i], []byte("\n"))
		}
		i += size
	}
	return data, 0
}

// decode reads the first YAML document of data as a node tree, and a
// second document if there is one: a file holds one survey, and a
// forgotten "---" must not silently drop the questions after it. A nil doc
// with a nil error means the file holds nothing but comments.
func decode(data []byte) (doc, extra *yaml.Node, err error) {
	defer func() {
		// The parser is third-party code fed with strangers' files: a
		// panic in it is one more unreadable file, not a crashed handler.
		if r := recover(); r != nil {
			doc, extra, err = nil, nil, fmt.Errorf("yaml: parser panic: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var first yaml.Node
	if err := dec.Decode(&first); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, nil, err
	default:
		if n := content(&next); n != nil && !isNull(n) {
			extra = n
		}
	}
	return &first, extra, nil
}

// lineRE finds the line yaml.v3 puts in its messages ("yaml: line 3: ...").
var lineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

// yamlError turns a parser error into a LineError. The parser's line is
// often the start of the enclosing block rather than the faulty line (a
// bad indent on line 9 is reported at the "questions:" line), so the line
// is refined: the shortest prefix of the file that fails with the same
// problem ends on the faulty line. The parser's line stays a lower bound.
func yamlError(data []byte, err error) LineError {
	line, problem := splitYAMLError(err)
	ends := lineEnds(data)
	lo, hi := 1, len(ends)
	if hi > 0 && sameProblem(data[:ends[hi-1]], problem) {
		for lo < hi {
			mid := lo + (hi-lo)/2
			if sameProblem(data[:ends[mid-1]], problem) {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		line = max(line, lo)
	}
	line = max(line, 1)
	id := "survey.format.not_yaml"
	switch {
	case strings.Contains(problem, "tab character"):
		id = "survey.format.tab"
	case strings.Contains(problem, "mapping values are not allowed"):
		id = "survey.format.colon"
	case strings.Contains(problem, "unexpected end of stream"),
		strings.Contains(problem, "did not find expected ',' or"):
		id = "survey.format.unclosed"
	case strings.Contains(problem, "cannot start any token"):
		id = "survey.format.bad_start"
	}
	return LineError{Line: line, MsgID: id}
}

// splitYAMLError separates the line (0 when none) from the problem text.
func splitYAMLError(err error) (line int, problem string) {
	msg := err.Error()
	m := lineRE.FindStringSubmatch(msg)
	if m == nil {
		return 0, msg
	}
	line, _ = strconv.Atoi(m[1])
	return line, msg[len(m[0]):]
}

// sameProblem reports whether every document of data parses, up to a
// failure with the given problem text.
func sameProblem(data []byte, problem string) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return false
		}
		if err != nil {
			_, p := splitYAMLError(err)
			return p == problem
		}
	}
}

// lineEnds returns, for each line of data, the offset just past its end.
func lineEnds(data []byte) []int {
	var ends []int
	for i, b := range data {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		ends = append(ends, len(data))
	}
	return ends
}

// parser walks the node tree, collecting every problem rather than
// stopping at the first: a person fixes a file in one go.
type parser struct {
	errs []LineError
}

func (p *parser) add(line int, id string, kv ...any) {
	p.errs = append(p.errs, LineError{Line: max(line, 1), MsgID: id, Data: kv})
}

func (p *parser) template(doc *yaml.Node) Template {
	root := content(doc)
	if root == nil || isNull(root) {
		p.add(1, "survey.format.empty")
		return Template{}
	}
	if root.Kind != yaml.MappingNode {
		p.add(root.Line, "survey.format.not_mapping")
		return Template{}
	}
	f := p.fields(root, surveyFields)
	var t Template

	t.Title = p.text(f, "title", maxTitle)
	if t.Title == "" && !p.failedOn(f["title"]) {
		p.add(lineOf(f["title"], root), "survey.format.no_title")
	}

	if n := f["audience"]; n != nil {
		if s, ok := p.scalar("audience", n); ok && s != "" {
			a, known := vocab.audiences[normal(s)]
			if !known {
				p.add(n.Line, "survey.format.bad_audience", "Value", clip(s))
			}
			t.Audience = a
		} else if ok {
			p.add(n.Line, "survey.format.no_audience")
		}
	} else {
		p.add(root.Line, "survey.format.no_audience")
	}

	t.Intro = p.text(f, "intro", maxIntro)

	n := f["questions"]
	switch {
	case n == nil || isNull(n):
		p.add(lineOf(n, root), "survey.format.no_questions")
	case n.Kind != yaml.SequenceNode:
		p.add(n.Line, "survey.format.questions_list")
	case len(n.Content) == 0:
		p.add(n.Line, "survey.format.no_questions")
	default:
		if len(n.Content) > maxQuestions {
			p.add(deref(n.Content[maxQuestions]).Line, "survey.format.too_many_questions",
				"Count", len(n.Content), "Max", maxQuestions)
		}
		for _, item := range n.Content {
			if q, ok := p.question(deref(item)); ok {
				t.Questions = append(t.Questions, q)
			}
		}
	}
	return t
}

func (p *parser) question(n *yaml.Node) (storage.Question, bool) {
	var q storage.Question
	if n.Kind != yaml.MappingNode {
		p.add(n.Line, "survey.format.question_not_mapping")
		return q, false
	}
	before := len(p.errs)
	f := p.fields(n, questionFields)

	q.Text = p.text(f, "text", maxQuestionText)
	if q.Text == "" && !p.failedOn(f["text"]) {
		p.add(lineOf(f["text"], n), "survey.format.no_text")
	}

	var kindWord string
	kindNode := f["kind"]
	if s, ok := p.scalar("kind", kindNode); ok && s != "" {
		kindWord = s
		k, known := vocab.kinds[normal(s)]
		if !known {
			p.add(kindNode.Line, "survey.format.bad_kind", "Value", clip(s))
		}
		q.Kind = k
	} else if ok || kindNode == nil {
		p.add(lineOf(kindNode, n), "survey.format.no_kind")
	}

	q.Group = p.text(f, "group", maxLabel)
	q.Low = p.text(f, "low", maxLabel)
	q.High = p.text(f, "high", maxLabel)
	q.Options = p.options(f["options"])

	// Checks that depend on the kind wait until it is known, so an unknown
	// kind is one error, not one per field.
	switch q.Kind {
	case storage.QuestionScale:
		if q.Low == "" && !p.failedOn(f["low"]) {
			p.add(lineOf(f["low"], n), "survey.format.no_low")
		}
		if q.High == "" && !p.failedOn(f["high"]) {
			p.add(lineOf(f["high"], n), "survey.format.no_high")
		}
	case storage.QuestionSingle, storage.QuestionMulti:
		if o := f["options"]; o == nil || isNull(o) {
			p.add(lineOf(o, n), "survey.format.no_options")
		}
	}
	if q.Kind != "" {
		for _, name := range []string{"low", "high", "options"} {
			if fn := f[name]; fn != nil && !fits(q.Kind, name) {
				p.add(fn.Line, "survey.format.not_for_kind", "Field", name, "Kind", clip(kindWord))
			}
		}
	}

	q.Required = q.Kind != storage.QuestionText
	if rn := f["required"]; rn != nil {
		if s, ok := p.scalar("required", rn); ok {
			if v, known := vocab.yesNo[normal(s)]; known {
				q.Required = v
			} else {
				p.add(rn.Line, "survey.format.bad_required", "Value", clip(s))
			}
		}
	}
	return q, len(p.errs) == before
}

// fits reports whether a kind-specific field belongs to the kind.
func fits(k storage.QuestionKind, field string) bool {
	switch field {
	case "low", "high":
		return k == storage.QuestionScale
	case "options":
		return k == storage.QuestionSingle || k == storage.QuestionMulti
	}
	return true
}

// options reads a list of options; nil when absent or broken. The count
// is checked here, whatever the kind: options on a kind without them are
// reported by the caller once.
func (p *parser) options(n *yaml.Node) []string {
	if n == nil || isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.add(n.Line, "survey.format.options_list")
		return nil
	}
	var opts []string
	seen := map[string]bool{}
	for _, item := range n.Content {
		item = deref(item)
		s, ok := p.scalar("options", item)
		switch {
		case !ok:
			continue
		case s == "":
			p.add(item.Line, "survey.format.empty_option")
			continue
		case utf8.RuneCountInString(s) > maxOption:
			p.add(item.Line, "survey.format.option_too_long",
				"Option", clip(s), "Max", maxOption, "Len", utf8.RuneCountInString(s))
		}
		if key := normal(s); seen[key] {
			p.add(item.Line, "survey.format.duplicate_option", "Option", clip(s))
		} else {
			seen[key] = true
		}
		opts = append(opts, s)
	}
	switch c := len(n.Content); {
	case c < minOptions:
		p.add(n.Line, "survey.format.few_options", "Count", c, "Min", minOptions)
	case c > maxOptions:
		p.add(n.Line, "survey.format.too_many_options", "Count", c, "Max", maxOptions)
	}
	return opts
}

// fields indexes a mapping by lower-case field name, reporting unknown and
// repeated fields (yaml.v3 checks neither when decoding into a node).
func (p *parser) fields(m *yaml.Node, allowed []string) map[string]*yaml.Node {
	f := map[string]*yaml.Node{}
	first := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := deref(m.Content[i])
		name := strings.ToLower(strings.TrimSpace(k.Value))
		switch {
		case !slices.Contains(allowed, name):
			p.add(k.Line, "survey.format.unknown_field", "Field", clip(k.Value), "Allowed", strings.Join(allowed, ", "))
		case first[name] != 0:
			p.add(k.Line, "survey.format.duplicate_field", "Field", name, "First", first[name])
		default:
			first[name] = max(k.Line, 1)
			f[name] = deref(m.Content[i+1])
		}
	}
	return f
}

// text reads an optional text field, checking its length; "" when absent,
// empty or not text (the last is reported).
func (p *parser) text(f map[string]*yaml.Node, name string, limit int) string {
	n := f[name]
	s, ok := p.scalar(name, n)
	if !ok {
		return ""
	}
	if c := utf8.RuneCountInString(s); c > limit {
		id := "survey.format.too_long"
		if name == "text" {
			id = "survey.format.text_too_long"
		}
		p.add(n.Line, id, "Field", name, "Max", limit, "Len", c)
	}
	return s
}

// scalar returns the trimmed text of a scalar node ("" for a YAML null).
// ok is false when n is absent, or is a list or mapping (reported).
func (p *parser) scalar(name string, n *yaml.Node) (s string, ok bool) {
	if n == nil {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		p.add(n.Line, "survey.format.not_text", "Field", name)
		return "", false
	}
	if isNull(n) {
		return "", true
	}
	return strings.TrimSpace(n.Value), true
}

// failedOn reports whether n is present but not text, which scalar has
// already reported, so "missing" is not said about it as well.
func (p *parser) failedOn(n *yaml.Node) bool {
	return n != nil && n.Kind != yaml.ScalarNode
}

// content returns the node a document holds, following an alias.
func content(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	return deref(n)
}

// deref follows an alias (*name) to the node it names. The walk has a
// fixed depth, so even an alias cycle cannot make it loop.
func deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// lineOf is the line of n, or of the enclosing node when n is absent.
func lineOf(n, parent *yaml.Node) int {
	if n != nil {
		return n.Line
	}
	return parent.Line
}

// clip shortens a value quoted back in an error message, so a pasted
// paragraph does not fill the screen.
func clip(s string) string {
	const limit = 40
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return string(r[:limit]) + "…"
}

// normal folds a word for comparison: case, spaces and ё do not matter.
func normal(s string) string {
	s = strings.ToLower(s)
	s = strings.ReplaceAll(s, "ё", "е")
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

//go:embed words.yaml
var wordsFile []byte

// vocabulary maps the normalised words people may write to their values.
type vocabulary struct {
	kinds     map[string]storage.QuestionKind
	audiences map[string]string
	yesNo     map[string]bool
}

// vocab is read at start: words.yaml is embedded, so a mistake in it is a
// build mistake, and failing at once is the way to catch it.
var vocab = mustVocabulary(wordsFile)

func mustVocabulary(data []byte) vocabulary {
	var w struct {
		Kinds     map[storage.QuestionKind][]string `yaml:"kinds"`
		Audiences map[string][]string               `yaml:"audiences"`
		Required  struct {
			Yes []string `yaml:"yes"`
			No  []string `yaml:"no"`
		} `yaml:"required"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&w); err != nil {
		panic("survey: words.yaml: " + err.Error())
	}
	v := vocabulary{
		kinds:     map[string]storage.QuestionKind{},
		audiences: map[string]string{},
		yesNo:     map[string]bool{},
	}
	for k, words := range w.Kinds {
		switch k {
		case storage.QuestionScale, storage.QuestionYesNo, storage.QuestionSingle, storage.QuestionMulti, storage.QuestionText:
		default:
			panic(fmt.Sprintf("survey: words.yaml: unknown kind %q", k))
		}
		for _, s := range words {
			v.kinds[normal(s)] = k
		}
	}
	for a, words := range w.Audiences {
		for _, s := range words {
			v.audiences[normal(s)] = a
		}
	}
	for _, s := range w.Required.Yes {
		v.yesNo[normal(s)] = true
	}
	for _, s := range w.Required.No {
		v.yesNo[normal(s)] = false
	}
	return v
}

//go:embed templates/*.yaml
var templateFiles embed.FS

// builtins are parsed at start for the same reason as vocab; the tests
// parse them too, so a broken file never gets that far.
var builtins = mustTemplates(templateFiles)

func mustTemplates(fsys fs.FS) []Template {
	names, err := fs.Glob(fsys, "templates/*.yaml") // sorted, so the order is stable
	if err != nil {
		panic("survey: " + err.Error())
	}
	var ts []Template
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			panic("survey: " + err.Error())
		}
		t, errs := ParseTemplate(data)
		if len(errs) > 0 {
			panic(fmt.Sprintf("survey: %s:%d: %s %v", name, errs[0].Line, errs[0].MsgID, errs[0].Data))
		}
		t.Key = strings.TrimSuffix(path.Base(name), ".yaml")
		ts = append(ts, t)
	}
	return ts
}

// Templates returns the built-in templates ordered by key. Each call
// returns fresh copies, so a caller may change them freely.
func Templates() []Template {
	ts := make([]Template, len(builtins))
	for i, t := range builtins {
		ts[i] = t.clone()
	}
	return ts
}

// TemplateByKey returns the built-in template with the key, and whether
// there is one.
func TemplateByKey(key string) (Template, bool) {
	for _, t := range builtins {
		if t.Key == key {
			return t.clone(), true
		}
	}
	return Template{}, false
}

func (t Template) clone() Template {
	t.Questions = slices.Clone(t.Questions)
	for i := range t.Questions {
		t.Questions[i].Options = slices.Clone(t.Questions[i].Options)
	}
	return t
}
