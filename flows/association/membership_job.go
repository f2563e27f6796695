package association

import (
	"context"
	"fmt"
	"strings"
	"time"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/report"
	"smkbot/locales"
	"smkbot/storage"
)

// The job applying the presidium's decisions.
const (
	decisionsJob   = "membership-decisions"
	decisionsEvery = time.Minute
	decisionsBatch = 10
)

func (m *Membership) registerJob(r *flows.Router) {
	l := r.Localizer()
	r.Schedule(flows.Job{Name: decisionsJob, Every: decisionsEvery, Run: func(ctx context.Context, now time.Time) ([]bot.Message, error) {
		return m.ApplyDecisions(ctx, l)
	}})
}

// ApplyDecisions claims the decisions recorded on applications' agenda
// items (each once, across replicas: the store moves the application out
// of «submitted» in the claiming transaction) and tells those concerned:
// the school's directors — with the certificate on acceptance —, the
// chair and the secretaries, and the mentor whose pair ended.
func (m *Membership) ApplyDecisions(ctx context.Context, l *locales.Localizer) ([]bot.Message, error) {
	outcomes, err := m.Store.ClaimMembershipOutcomes(ctx, decisionsBatch)
	if err != nil {
		return nil, fmt.Errorf("membership: claim outcomes: %w", err)
	}
	managers, err := m.managerChats(ctx)
	if err != nil {
		return nil, err
	}
	var out []bot.Message
	for _, o := range outcomes {
		msgs, err := m.outcomeMessages(ctx, l, o, managers)
		if err != nil {
			return out, err
		}
		out = append(out, msgs...)
	}
	return out, nil
}

func (m *Membership) outcomeMessages(ctx context.Context, l *locales.Localizer, o storage.MembershipOutcome, managers []int64) ([]bot.Message, error) {
	a := o.Application
	mt, err := m.Store.FindMeeting(ctx, o.Item.MeetingID)
	if err != nil {
		return nil, fmt.Errorf("membership: meeting %d: %w", o.Item.MeetingID, err)
	}
	when := l.Date(mt.StartsAt.In(m.loc()))
	result := "refused"
	if o.Accepted {
		result = "accepted"
	}
	var out []bot.Message

	// The school's directors.
	directors, err := m.directorChats(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	text := l.T("association.mb.outcome."+string(a.Kind)+"."+result, "Org", a.OrgName, "When", when)
	if !o.Accepted && o.Item.Decision != "" {
		text += "\n" + l.T("association.mb.outcome.decision", "Text", o.Item.Decision)
	}
	if o.Certificate != nil {
		text += "\n" + l.T("association.mb.outcome.cert", "Number", o.Certificate.Label())
	}
	if a.Kind != storage.KindExclude || o.Accepted {
		for _, chat := range directors {
			out = append(out, bot.Text{ChatID: chat, Text: text})
			if o.Certificate != nil {
				doc, err := m.certificateDoc(l, chat, *o.Certificate)
				if err != nil {
					return nil, err
				}
				out = append(out, doc)
			}
		}
	}

	// The chair and the secretaries.
	summary := l.T("association.mb.outcome.summary."+result, "Title", o.Item.Title, "When", when)
	if o.TwoThirdsShort {
		summary = l.T("association.mb.outcome.two_thirds", "Title", o.Item.Title, "When", when,
			"For", o.Item.For, "Members", o.Members, "Need", (2*o.Members+2)/3)
	}
	if o.Certificate != nil {
		summary += "\n" + l.T("association.mb.outcome.cert_issued", "Number", o.Certificate.Label())
	}
	if len(o.Mentees) > 0 {
		var names []string
		for _, id := range o.Mentees {
			org, err := m.Store.FindOrganisationByID(ctx, id)
			if err != nil {
				return nil, fmt.Errorf("membership: organisation %d: %w", id, err)
			}
			names = append(names, org.Name)
		}
		summary += "\n" + l.T("association.mb.outcome.mentees", "Names", strings.Join(names, ", "))
	}
	if len(directors) == 0 && (a.Kind != storage.KindExclude || o.Accepted) {
		summary += "\n" + l.T("association.mb.outcome.no_director")
	}
	for _, chat := range managers {
		out = append(out, bot.Text{ChatID: chat, Text: summary})
	}

	// The mentor whose pair ended (4.11).
	if o.Accepted && o.FormerMentorID != 0 {
		chats, err := m.directorChats(ctx, o.FormerMentorID)
		if err != nil {
			return nil, err
		}
		note := l.T("association.mb.outcome.pair_ended."+string(a.Kind), "Org", a.OrgName)
		for _, chat := range chats {
			out = append(out, bot.Text{ChatID: chat, Text: note})
		}
	}
	return out, nil
}

// certificateDoc is the certificate as a PDF document to chat.
func (m *Membership) certificateDoc(l *locales.Localizer, chat int64, cert storage.Certificate) (bot.Document, error) {
	pdf, err := m.CertificatePDF(l, cert)
	if err != nil {
		return bot.Document{}, err
	}
	return bot.Document{ChatID: chat, Name: fmt.Sprintf("svidetelstvo-%d-%d.pdf", cert.Number, cert.Year), Data: pdf,
		Caption: l.T("association.mb.cert.caption", "Number", cert.Label(), "Org", cert.OrgName)}, nil
}

// CertificatePDF renders the certificate of annex B: the number, the
// registration date, the organisation's name and address, the text, and
// the signatories.
func (m *Membership) CertificatePDF(l *locales.Localizer, cert storage.Certificate) ([]byte, error) {
	date := l.Date(cert.IssuedAt.In(m.loc()))
	address := cert.OrgAddress
	if address == "" {
		address = l.T("association.mb.cert.no_address")
	}
	blank := func(s string) string {
		if s == "" {
			return l.T("association.mb.cert.no_signer")
		}
		return s
	}
	blocks := []report.Block{
		report.Paragraph{Text: l.T("association.mb.cert.association")},
		report.Fields{Rows: [][2]string{
			{l.T("association.mb.cert.number"), "№ " + cert.Label()},
			{l.T("association.mb.cert.date"), date},
			{l.T("association.mb.cert.org"), cert.OrgName},
			{l.T("association.mb.cert.address"), address},
		}},
		report.Paragraph{Text: l.T("association.mb.cert.text."+string(cert.Kind), "Org", cert.OrgName, "Date", date)},
		report.Paragraph{Text: "\n" + l.T("association.mb.cert.sign_chair", "Name", blank(cert.ChairName)) +
			"\n\n" + l.T("association.mb.cert.sign_secretary", "Name", blank(cert.SecretaryName))},
	}
	pdf, err := report.PDF(report.Doc{
		Title:   l.T("association.mb.cert.title."+string(cert.Kind), "Number", cert.Label()),
		Blocks:  blocks,
		Created: cert.IssuedAt,
	})
	if err != nil {
		return nil, fmt.Errorf("membership: certificate %d pdf: %w", cert.ID, err)
	}
	return pdf, nil
}
