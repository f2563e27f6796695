package audit

// Closing an audit: after a confirmation the audit is closed, and the
// audited organisation's quality managers and the auditor get a summary,
// the PDF report (the audit card, then each finding with its photos) and
// an XLSX of the findings.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/report"
	"smkbot/storage"
)

// pressClose asks to confirm closing the audit.
func (f *Flow) pressClose(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	a, err := f.loadAudit(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	fs, err := f.Store.ListFindings(ctx, a.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("audit: findings of %d: %w", a.ID, err)
	}
	c.Edit(c.T("audit.ask_close", "Number", auditNumber(a))+"\n"+summary(c, fs), bot.Keyboard{
		{c.Button("audit.btn.close_yes", flows.CB(cb, actCloseOK, a.ID))},
		{c.Button("common.btn.back", flows.CB(cb, actCard, a.ID))},
	})
	return flows.Stay(), nil
}

// pressCloseOK closes the audit and sends the reports.
func (f *Flow) pressCloseOK(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := args(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	a, err := f.loadAudit(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	err = f.Store.CloseAudit(ctx, c.Actor.PersonID(), a.ID)
	if errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrNotFound) {
		return flows.Stay(), flows.ErrStale
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("audit: close %d: %w", a.ID, err)
	}
	rep, err := f.report(ctx, c, a)
	if err != nil {
		return flows.End(), err
	}
	c.Edit(c.T("audit.closed", "Number", auditNumber(a)), nil)
	chats := []int64{c.Chat()}
	people, err := f.Store.ListPeople(ctx, a.OrgID, storage.RoleQualityManager)
	if err != nil {
		return flows.End(), fmt.Errorf("audit: managers of %d: %w", a.OrgID, err)
	}
	managers := map[int64]bool{}
	for _, p := range people {
		if p.Active && p.TelegramID != 0 {
			managers[p.TelegramID] = true
			if p.TelegramID != c.Chat() {
				chats = append(chats, p.TelegramID)
			}
		}
	}
	actions, err := f.actionPrompt(ctx, c, a)
	if err != nil {
		return flows.End(), err
	}
	for _, chat := range chats {
		c.Send(bot.Text{ChatID: chat, Text: rep.summary})
		c.Send(bot.Document{ChatID: chat, Name: rep.pdfName, Data: rep.pdf, Caption: c.T("audit.pdf_caption", "Number", auditNumber(a))})
		c.Send(bot.Document{ChatID: chat, Name: rep.xlsxName, Data: rep.xlsx, Caption: c.T("audit.xlsx_caption", "Number", auditNumber(a))})
		if managers[chat] && actions != nil {
			m := *actions
			m.ChatID = chat
			c.Send(m)
		}
	}
	return flows.End(), nil
}

// actionPrompt asks the quality managers to assign the corrective actions
// of the audit's nonconformities, one button per finding; nil when there
// are none or the tasks capability is absent.
func (f *Flow) actionPrompt(ctx context.Context, c *flows.Context, a storage.Audit) (*bot.Text, error) {
	if f.Tasks == nil {
		return nil, nil
	}
	fs, err := f.Store.ListFindings(ctx, a.ID)
	if err != nil {
		return nil, fmt.Errorf("audit: findings of %d: %w", a.ID, err)
	}
	var kb bot.Keyboard
	for _, fd := range fs {
		if fd.Kind.Class() == storage.ClassNonconformity {
			kb = append(kb, []bot.Button{{Text: clip(findingNumber(c, fd)+" · "+fd.Description, buttonText), Data: flows.CB(cb, actView, fd.ID)}})
		}
	}
	if len(kb) == 0 {
		return nil, nil
	}
	return &bot.Text{Text: c.T("audit.to_manager_actions", "Number", auditNumber(a)), Buttons: kb}, nil
}

// closedReport is what closing an audit sends.
type closedReport struct {
	summary           string
	pdf, xlsx         []byte
	pdfName, xlsxName string
}

// report renders the summary, the PDF and the XLSX of audit a.
func (f *Flow) report(ctx context.Context, c *flows.Context, a storage.Audit) (closedReport, error) {
	o, err := f.Store.FindOrganisationByID(ctx, a.OrgID)
	if err != nil {
		return closedReport{}, fmt.Errorf("audit: organisation %d: %w", a.OrgID, err)
	}
	lead, _, err := f.Store.FindPersonByID(ctx, a.LeadID)
	if err != nil {
		return closedReport{}, fmt.Errorf("audit: lead %d: %w", a.LeadID, err)
	}
	fs, err := f.Store.ListFindings(ctx, a.ID)
	if err != nil {
		return closedReport{}, fmt.Errorf("audit: findings of %d: %w", a.ID, err)
	}
	number := auditNumber(a)
	blocks := []report.Block{
		report.Heading{Text: c.T("audit.pdf.title", "Number", number), Level: 1},
		report.Fields{Rows: [][2]string{
			{c.T("audit.pdf.org"), plain(o.Name)},
			{c.T("audit.pdf.area"), plain(a.Area)},
			{c.T("audit.pdf.date"), f.day(c, a.Date)},
			{c.T("audit.pdf.lead"), plain(lead.FullName)},
			{c.T("audit.pdf.findings"), summary(c, fs)},
		}},
	}
	sheet := report.Sheet{
		Name: c.T("audit.xlsx.sheet"),
		Header: []string{c.T("audit.xlsx.number"), c.T("audit.xlsx.kind"), c.T("audit.xlsx.req"),
			c.T("audit.xlsx.desc"), c.T("audit.xlsx.place"), c.T("audit.xlsx.photos")},
	}
	for _, fd := range fs {
		atts, err := f.Store.FindingAttachments(ctx, fd.ID, true)
		if err != nil {
			return closedReport{}, fmt.Errorf("audit: attachments of %d: %w", fd.ID, err)
		}
		num, kind := findingNumber(c, fd), c.T("audit.kind_plain."+string(fd.Kind))
		blocks = append(blocks, report.Heading{Text: c.T("audit.pdf.finding", "Number", num, "Kind", kind), Level: 2})
		var rows [][2]string
		if fd.Requirement != "" {
			rows = append(rows, [2]string{c.T("audit.pdf.req"), plain(fd.Requirement)})
		}
		if fd.Place != "" {
			rows = append(rows, [2]string{c.T("audit.pdf.place"), plain(fd.Place)})
		}
		if len(rows) > 0 {
			blocks = append(blocks, report.Fields{Rows: rows})
		}
		blocks = append(blocks, report.Paragraph{Text: plain(fd.Description)})
		photos := 0
		for _, at := range atts {
			if at.Kind != storage.AttachPhoto {
				continue
			}
			photos++
			blocks = append(blocks, report.Image{Data: at.Data, Caption: c.T("audit.pdf.photo", "Number", num, "N", photos)})
		}
		sheet.Rows = append(sheet.Rows, []any{num, kind, fd.Requirement, fd.Description, fd.Place, photos})
	}
	pdf, err := report.PDF(report.Doc{
		Title:   c.T("audit.pdf.title", "Number", number),
		Blocks:  blocks,
		Footer:  func(page, pages int) string { return c.T("audit.pdf.footer", "Page", page, "Pages", pages) },
		Created: c.Now,
	})
	if err != nil {
		return closedReport{}, fmt.Errorf("audit: pdf of %d: %w", a.ID, err)
	}
	xlsx, err := report.XLSX(sheet)
	if err != nil {
		return closedReport{}, fmt.Errorf("audit: xlsx of %d: %w", a.ID, err)
	}
	return closedReport{
		summary: c.T("audit.summary", "Number", number, "Org", o.Name, "Area", a.Area, "Date", f.day(c, a.Date),
			"Lead", lead.FullName) + "\n" + summary(c, fs),
		pdf:      pdf,
		xlsx:     xlsx,
		pdfName:  fmt.Sprintf("audit-%s.pdf", number),
		xlsxName: fmt.Sprintf("audit-%s.xlsx", number),
	}, nil
}

// plain drops from typed text what the PDF fonts cannot hold: characters
// outside the Basic Multilingual Plane, emoji mostly.
func plain(s string) string {
	return strings.Map(func(r rune) rune {
		if r > 0xFFFF {
			return -1
		}
		return r
	}, s)
}
