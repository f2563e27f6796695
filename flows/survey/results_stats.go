package survey

import (
	"math"
	"strconv"
	"strings"

	"smkbot/storage"
)

// resStat is what the results say about one question: computed once
// from the counts the store returns, then written as text, charts and
// spreadsheets.
type resStat struct {
	Index    int
	Q        storage.Question
	Answered int
	// Mean is the mean scale answer and Sat the satisfaction index: the
	// share of 4 and 5 answers, in percent. Both are set for scale
	// questions answered by anyone (HasIndex).
	Mean, Sat float64
	HasIndex  bool
	// Counts is the number of answers per value: scale 1..5 at [0..4],
	// no/yes at [0]/[1], an option index for choices (a multiple choice's
	// counts may add up to more than Answered).
	Counts []int
	Texts  []string
}

// Share is the percentage of the question's respondents giving answer i.
func (s resStat) Share(i int) float64 {
	if s.Answered == 0 || i < 0 || i >= len(s.Counts) {
		return 0
	}
	return 100 * float64(s.Counts[i]) / float64(s.Answered)
}

// shown reports whether the question's answers may be shown apart: fewer
// respondents than MinGroup could be recognised by them.
func (s resStat) shown() bool { return s.Answered >= MinGroup }

// resStats turns the store's counts into per-question figures.
func resStats(sv storage.Survey, res storage.Results) []resStat {
	out := make([]resStat, len(sv.Questions))
	for i, q := range sv.Questions {
		st := resStat{Index: i, Q: q}
		var r storage.QuestionResult
		if i < len(res.Questions) {
			r = res.Questions[i]
		}
		st.Answered = r.Answered
		st.Texts = r.Texts
		switch q.Kind {
		case storage.QuestionScale:
			st.Counts = make([]int, 5)
			for v := 1; v <= 5; v++ {
				st.Counts[v-1] = r.Counts[v]
			}
			if r.Answered > 0 {
				st.HasIndex = true
				st.Mean = float64(r.Sum) / float64(r.Answered)
				st.Sat = 100 * float64(st.Counts[3]+st.Counts[4]) / float64(r.Answered)
			}
		case storage.QuestionYesNo:
			st.Counts = []int{r.Counts[0], r.Counts[1]}
		case storage.QuestionSingle, storage.QuestionMulti:
			st.Counts = make([]int, len(q.Options))
			for o := range q.Options {
				st.Counts[o] = r.Counts[o]
			}
		}
		out[i] = st
	}
	return out
}

// resOverall is the satisfaction index of the whole survey: the share of
// 4 and 5 among every scale answer, so each answer weighs the same. ok is
// false when the survey has no scale answers.
func resOverall(stats []resStat) (idx float64, ok bool) {
	var good, all int
	for _, s := range stats {
		if s.Q.Kind != storage.QuestionScale {
			continue
		}
		good += s.Counts[3] + s.Counts[4]
		all += s.Answered
	}
	if all == 0 {
		return 0, false
	}
	return 100 * float64(good) / float64(all), true
}

// resRate is the response rate of n answers of a headcount, in percent.
func resRate(n, headcount int) float64 {
	if headcount <= 0 {
		return 0
	}
	return 100 * float64(n) / float64(headcount)
}

// resDecimal writes v with one decimal and a decimal comma, as Russian
// readers expect ("4,1").
func resDecimal(v float64) string {
	return strings.Replace(strconv.FormatFloat(math.Round(v*10)/10, 'f', 1, 64), ".", ",", 1)
}

// resPercent writes a percentage rounded to a whole number, without the sign.
func resPercent(v float64) string {
	return strconv.Itoa(int(math.Round(v)))
}

// resSigned writes a change in percentage points with its sign ("+13", "−4",
// "0"); the minus is the typographic one.
func resSigned(v float64) string {
	n := int(math.Round(v))
	switch {
	case n > 0:
		return "+" + strconv.Itoa(n)
	case n < 0:
		return "−" + strconv.Itoa(-n)
	}
	return "0"
}

// resRound1 rounds to one decimal, for spreadsheet cells.
func resRound1(v float64) float64 { return math.Round(v*10) / 10 }

// resClip shortens s to at most n characters, with an ellipsis.
func resClip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
