package survey

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/locales"
	"smkbot/storage"
)

// Reminders of surveys: a digest of the response rate two days before a
// survey closes, and the final results once it has. Both go to the
// survey's creator and the quality managers of its school. Each survey is
// claimed in Postgres by the job that sends it (ClaimSurveyDigests,
// CloseDueSurveys), so replicas and restarts send each once.
const (
	// resDigestBefore is how long before closing the digest goes.
	resDigestBefore = 48 * time.Hour
	resDigestEvery  = 10 * time.Minute
	resCloseEvery   = 5 * time.Minute
)

func (f *Flow) registerResultReminders(r *flows.Router) {
	l := r.Localizer()
	r.Schedule(flows.Job{Name: "survey-digest", Every: resDigestEvery, Run: func(ctx context.Context, now time.Time) ([]bot.Message, error) {
		return f.resDigests(ctx, l, now)
	}})
	r.Schedule(flows.Job{Name: "survey-close", Every: resCloseEvery, Run: func(ctx context.Context, _ time.Time) ([]bot.Message, error) {
		return f.resClosed(ctx, l)
	}})
}

// resDigests claims the surveys closing within two days and writes each
// one's digest. A survey whose recipients cannot be loaded is skipped
// (its claim stands: a digest is a courtesy, not worth a second one), and
// the others still go.
func (f *Flow) resDigests(ctx context.Context, l *locales.Localizer, now time.Time) ([]bot.Message, error) {
	due, err := f.Store.ClaimSurveyDigests(ctx, now, resDigestBefore)
	if err != nil {
		return nil, fmt.Errorf("survey: digests: %w", err)
	}
	var msgs []bot.Message
	var errs []error
	for _, sv := range due {
		res, err := f.Store.SurveyResults(ctx, sv.ID)
		if err != nil {
			errs = append(errs, fmt.Errorf("survey: digest of %d: %w", sv.ID, err))
			continue
		}
		chats, err := f.resRecipients(ctx, sv)
		if err != nil {
			errs = append(errs, fmt.Errorf("survey: digest of %d: %w", sv.ID, err))
			continue
		}
		text := strings.Join([]string{
			l.T("survey.results.digest_head", "Title", sv.Title, "Closes", l.DateTime(sv.ClosesAt)),
			resRates(l, res),
			l.T("survey.results.digest_tail"),
		}, "\n\n")
		for _, chat := range chats {
			msgs = append(msgs, bot.Text{ChatID: chat, Text: text})
		}
	}
	return msgs, errors.Join(errs...)
}

// resClosed closes the surveys whose time is over and sends each one's
// final results with the buttons to charts and the spreadsheet (each press
// re-checks the reader's right, as from the menu).
func (f *Flow) resClosed(ctx context.Context, l *locales.Localizer) ([]bot.Message, error) {
	closed, err := f.Store.CloseDueSurveys(ctx)
	if err != nil {
		return nil, fmt.Errorf("survey: close due: %w", err)
	}
	var msgs []bot.Message
	var errs []error
	for _, sv := range closed {
		res, err := f.Store.SurveyResults(ctx, sv.ID)
		if err != nil {
			errs = append(errs, fmt.Errorf("survey: final results of %d: %w", sv.ID, err))
			continue
		}
		org, err := f.resOrgName(ctx, l, sv.OrgID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		chats, err := f.resRecipients(ctx, sv)
		if err != nil {
			errs = append(errs, fmt.Errorf("survey: final results of %d: %w", sv.ID, err))
			continue
		}
		text := l.T("survey.results.closed_head", "Title", sv.Title) + "\n\n" + resText(l, sv, org, res, "")
		kb := resButtons(l, sv, res)
		for _, chat := range chats {
			msgs = append(msgs, bot.Text{ChatID: chat, Text: text, Buttons: kb})
		}
	}
	return msgs, errors.Join(errs...)
}

// resRecipients are the chats of the survey's creator and its school's
// quality managers: active people who still have a Telegram id (a
// forgotten person has none), each once. A school without a quality
// manager, or a survey made from the command line, simply has fewer.
func (f *Flow) resRecipients(ctx context.Context, sv storage.Survey) ([]int64, error) {
	var chats []int64
	seen := map[int64]bool{}
	add := func(p storage.Person) {
		if p.Active && p.TelegramID != 0 && !seen[p.TelegramID] {
			seen[p.TelegramID] = true
			chats = append(chats, p.TelegramID)
		}
	}
	if sv.CreatedBy != 0 {
		p, _, err := f.Store.FindPersonByID(ctx, sv.CreatedBy)
		switch {
		case errors.Is(err, storage.ErrNotFound):
		case err != nil:
			return nil, fmt.Errorf("creator: %w", err)
		default:
			add(p)
		}
	}
	if sv.OrgID != 0 {
		qms, err := f.Store.ListPeople(ctx, sv.OrgID, storage.RoleQualityManager)
		if err != nil {
			return nil, fmt.Errorf("quality managers: %w", err)
		}
		for _, p := range qms {
			add(p.Person)
		}
	}
	return chats, nil
}
