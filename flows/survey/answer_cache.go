package survey

import (
	"context"
	"sync"

	"smkbot/storage"
)

// maxCachedSurveys bounds the questions kept; past it the cache starts
// again (a school year has a few dozen surveys).
const maxCachedSurveys = 256

// questionCache keeps the questions of published surveys, which never
// change after publishing, so that answering decodes them once per
// process rather than on every press (it was the largest cost of
// answering under load). The zero value is ready to use.
type questionCache struct {
	mu sync.Mutex
	m  map[int64][]storage.Question
}

func (q *questionCache) get(id int64) ([]storage.Question, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	qs, ok := q.m[id]
	return qs, ok
}

func (q *questionCache) put(id int64, qs []storage.Question) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.m == nil || len(q.m) >= maxCachedSurveys {
		q.m = make(map[int64][]storage.Question)
	}
	q.m[id] = qs
}

// answerSurvey is the survey a respondent answers: its status and dates
// read now, its questions from the cache once it is published. The
// questions are shared: callers only read them.
func (f *Flow) answerSurvey(ctx context.Context, id int64) (storage.Survey, error) {
	sv, err := f.Store.FindSurveyHead(ctx, id)
	if err != nil {
		return sv, err
	}
	if qs, ok := f.questions.get(id); ok && sv.Status != storage.SurveyDraft {
		sv.Questions = qs
		return sv, nil
	}
	full, _, err := f.Store.FindSurveyByID(ctx, id)
	if err != nil {
		return sv, err
	}
	if full.Status != storage.SurveyDraft {
		f.questions.put(id, full.Questions)
	}
	sv.Questions = full.Questions
	return sv, nil
}
