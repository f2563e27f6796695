// Package association is how the association runs its own affairs under
// its charter: membership, working groups, the annual plan and report,
// the documents journal. Each part is a flow type of its own, in its own
// files, with its own Register, store interface, callback flow name and
// locale file.
package association

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/storage"
)

// MembershipStore is what the membership flow reads and writes;
// *storage.Store implements it. Errors wrap storage.ErrNotFound,
// ErrInvalid or ErrConflict as the store's methods document.
type MembershipStore interface {
	FindPersonByID(ctx context.Context, id int64) (storage.Person, []storage.RoleGrant, error)
	ListPeople(ctx context.Context, orgID int64, role storage.Role) ([]storage.PersonRoles, error)
	SearchPeople(ctx context.Context, query string, limit int) ([]storage.Person, error)
	FindOrganisationByID(ctx context.Context, id int64) (storage.Organisation, error)
	ListOrganisations(ctx context.Context) ([]storage.Organisation, error)
	SaveAttachment(ctx context.Context, data []byte, name, mime string) (storage.Attachment, error)
	FindMeeting(ctx context.Context, id int64) (storage.Meeting, error)

	CreateApplication(ctx context.Context, actorID, orgID int64, kind storage.MembershipKind) (storage.MembershipApplication, error)
	UpdateApplication(ctx context.Context, actorID int64, a storage.MembershipApplication) (storage.MembershipApplication, error)
	AddApplicationFile(ctx context.Context, actorID, appID, attachmentID int64, doc storage.ApplicationDoc, name, fileID string) (int, error)
	ApplicationFiles(ctx context.Context, appID int64) ([]storage.ApplicationFile, error)
	SubmitApplication(ctx context.Context, actorID, appID int64) (storage.MembershipApplication, error)
	WithdrawApplication(ctx context.Context, actorID, appID int64) error
	FindApplication(ctx context.Context, id int64) (storage.MembershipApplication, error)
	LatestApplication(ctx context.Context, orgID int64) (storage.MembershipApplication, error)
	OpenApplications(ctx context.Context) ([]storage.MembershipApplication, error)
	OpenMeetings(ctx context.Context) ([]storage.Meeting, error)
	ScheduleApplication(ctx context.Context, actorID, appID, meetingID int64, title string) (storage.AgendaItem, error)
	ClaimMembershipOutcomes(ctx context.Context, limit int) ([]storage.MembershipOutcome, error)
	CertificateOf(ctx context.Context, orgID int64) (storage.Certificate, error)
	ListCertificates(ctx context.Context) ([]storage.Certificate, error)
}

// Files downloads what a director sends. bot.Client implements it.
type Files interface {
	Download(ctx context.Context, fileID string) ([]byte, error)
}

// Membership is the charter's membership (3.1–3.3, 3.13–3.16, annexes A
// and B): a director applies for their school — to join as a member or
// a candidate, or to leave — step by step, each answer kept in a draft;
// the chair and the secretary put applications (and exclusion cases they
// open) on a presidium meeting's agenda; a periodic job applies the
// recorded decision, issues the certificate of annex B as a PDF, and
// tells those concerned. The files: membership.go (registration and the
// director's screen), membership_apply.go (the application),
// membership_manage.go (the chair's and the secretary's side),
// membership_job.go (decisions applied, the certificate).
type Membership struct {
	Store MembershipStore
	Files Files
	// Location is the association's zone, for dates.
	Location *time.Location
}

// mbcb is the callback data flow name of the membership buttons.
const mbcb = "mb"

// Actions of the director's and the quality manager's screen.
const (
	mbHome = "home" // mb:home:          the membership screen
	mbCert = "cert" // mb:cert:          the certificate as a PDF
	mbPair = "pair" // mb:pair:          the mentor pair
)

// Session keys.
const (
	mbKeyApp = "mb_app"
	mbKeyDoc = "mb_doc"
)

// Register adds the membership's menu items, command, buttons, steps and
// the job applying decisions to r.
func (m *Membership) Register(r *flows.Router) {
	r.Menu(flows.MenuItem{Label: "association.mb.menu", Help: "association.mb.help", Perm: flows.ViewMembership, Handler: m.home})
	r.Callback(mbcb, mbHome, flows.ViewMembership, m.pressHome)
	r.Callback(mbcb, mbCert, flows.ViewMembership, m.pressCert)
	r.Callback(mbcb, mbPair, flows.ViewMembership, m.pressPair)
	m.registerApply(r)
	m.registerManage(r)
	m.registerJob(r)
}

func (m *Membership) loc() *time.Location {
	if m.Location == nil {
		return time.UTC
	}
	return m.Location
}

// ownOrg is the organisation whose membership the actor follows: where
// they are the director, else where they are the quality manager (0 when
// neither).
func ownOrg(c *flows.Context) int64 {
	for _, role := range []storage.Role{storage.RoleDirector, storage.RoleQualityManager} {
		for _, g := range c.Actor.Roles {
			if g.Role == role && g.OrgID != 0 {
				return g.OrgID
			}
		}
	}
	return 0
}

// directs reports whether the actor is the director of orgID.
func directs(c *flows.Context, orgID int64) bool {
	for _, g := range c.Actor.Roles {
		if g.Role == storage.RoleDirector && g.OrgID == orgID && orgID != 0 {
			return true
		}
	}
	return false
}

// mbArgs reads the pressed button's numbers: exactly n of them, the
// first an id (not 0).
func mbArgs(c *flows.Context, n int) ([]int64, error) {
	v, err := flows.ArgInts(c.Callback.Arg)
	if err != nil || len(v) != n || v[0] == 0 {
		return nil, flows.ErrStale
	}
	return v, nil
}

// mbStoreErr turns a record gone or changed meanwhile into a stale
// button; other errors go to the router.
func mbStoreErr(err error, format string, a ...any) error {
	if errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrNotFound) {
		return flows.ErrStale
	}
	return fmt.Errorf("membership: "+format+": %w", append(a, err)...)
}

// home is the menu item: the school's standing, its application, its
// certificate, its mentor pair, and what the director can do.
func (m *Membership) home(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text, kb, err := m.homeScreen(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(text, kb)
	return flows.End(), nil
}

func (m *Membership) pressHome(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text, kb, err := m.homeScreen(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(text, kb)
	return flows.End(), nil
}

func (m *Membership) homeScreen(ctx context.Context, c *flows.Context) (string, bot.Keyboard, error) {
	orgID := ownOrg(c)
	if orgID == 0 {
		return "", nil, flows.ErrForbidden
	}
	org, err := m.Store.FindOrganisationByID(ctx, orgID)
	if err != nil {
		return "", nil, fmt.Errorf("membership: organisation %d: %w", orgID, err)
	}
	lines := []string{c.T("association.mb.home.head", "Org", org.Name, "Status", c.T("orgstatus."+string(org.Status)))}
	var kb bot.Keyboard
	director := directs(c, orgID)

	a, err := m.Store.LatestApplication(ctx, orgID)
	hasApp := err == nil
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return "", nil, fmt.Errorf("membership: application of %d: %w", orgID, err)
	}
	open := hasApp && (a.Status == storage.ApplicationDraft || a.Status == storage.ApplicationSubmitted)
	if hasApp {
		status, err := m.statusLine(ctx, c, a)
		if err != nil {
			return "", nil, err
		}
		lines = append(lines, "", c.T("association.mb.home.app", "Kind", c.T("association.mb.kind."+string(a.Kind)),
			"Date", c.L.Date(a.CreatedAt.In(m.loc()))), status)
	} else {
		lines = append(lines, "", c.T("association.mb.home.no_app"))
	}
	cert, err := m.Store.CertificateOf(ctx, orgID)
	hasCert := err == nil
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return "", nil, fmt.Errorf("membership: certificate of %d: %w", orgID, err)
	}
	if hasCert {
		lines = append(lines, c.T("association.mb.home.cert", "Number", cert.Label(), "Date", c.L.Date(cert.IssuedAt.In(m.loc()))))
	}
	pair, err := m.pairOrgs(ctx, org)
	if err != nil {
		return "", nil, err
	}

	if director {
		switch {
		case open && a.Status == storage.ApplicationDraft:
			kb = append(kb, []bot.Button{c.Button("association.mb.btn.continue", flows.CB(mbcb, mbCont, a.ID))})
		case open && a.AgendaItemID == 0:
			kb = append(kb, []bot.Button{c.Button("association.mb.btn.withdraw", flows.CB(mbcb, mbDrop, a.ID))})
		case !open:
			if org.Status != storage.OrgMember {
				kb = append(kb, []bot.Button{c.Button("association.mb.btn.new_member", flows.CB(mbcb, mbNew, kindMember))})
			}
			if org.Status == storage.OrgFormer || (org.Status == storage.OrgCandidate && !hasCert) {
				kb = append(kb, []bot.Button{c.Button("association.mb.btn.new_candidate", flows.CB(mbcb, mbNew, kindCandidate))})
			}
			if org.Status == storage.OrgMember || org.Status == storage.OrgCandidate {
				kb = append(kb, []bot.Button{c.Button("association.mb.btn.new_leave", flows.CB(mbcb, mbNew, kindLeave))})
			}
		}
	}
	var row []bot.Button
	if hasCert {
		row = append(row, c.Button("association.mb.btn.cert", flows.CB(mbcb, mbCert, nil)))
	}
	if len(pair) > 0 {
		row = append(row, c.Button("association.mb.btn.pair", flows.CB(mbcb, mbPair, nil)))
	}
	if len(row) > 0 {
		kb = append(kb, row)
	}
	return strings.Join(lines, "\n"), kb, nil
}

// statusLine says where an application stands, with its meeting's date
// once on an agenda.
func (m *Membership) statusLine(ctx context.Context, c *flows.Context, a storage.MembershipApplication) (string, error) {
	if a.Status == storage.ApplicationSubmitted && a.MeetingID != 0 {
		mt, err := m.Store.FindMeeting(ctx, a.MeetingID)
		if err != nil {
			return "", fmt.Errorf("membership: meeting %d: %w", a.MeetingID, err)
		}
		return c.T("association.mb.status.scheduled", "When", c.L.DateTime(mt.StartsAt.In(m.loc()))), nil
	}
	if a.Status == storage.ApplicationAccepted || a.Status == storage.ApplicationRefused {
		return c.T("association.mb.status."+string(a.Status), "Date", c.L.Date(a.DecidedAt.In(m.loc()))), nil
	}
	return c.T("association.mb.status." + string(a.Status)), nil
}

// pairOrgs is the organisation's mentor pair: its mentor when it is a
// candidate, or the candidates it mentors.
func (m *Membership) pairOrgs(ctx context.Context, org storage.Organisation) ([]storage.Organisation, error) {
	if org.MentorID != 0 {
		mentor, err := m.Store.FindOrganisationByID(ctx, org.MentorID)
		if err != nil {
			return nil, fmt.Errorf("membership: mentor %d: %w", org.MentorID, err)
		}
		return []storage.Organisation{mentor}, nil
	}
	all, err := m.Store.ListOrganisations(ctx)
	if err != nil {
		return nil, fmt.Errorf("membership: organisations: %w", err)
	}
	var out []storage.Organisation
	for _, o := range all {
		if o.MentorID == org.ID && o.Status == storage.OrgCandidate {
			out = append(out, o)
		}
	}
	return out, nil
}

// pressPair shows the mentor pair (3.16) and what the mentor helps with.
func (m *Membership) pressPair(ctx context.Context, c *flows.Context) (flows.Next, error) {
	orgID := ownOrg(c)
	if orgID == 0 {
		return flows.Stay(), flows.ErrForbidden
	}
	org, err := m.Store.FindOrganisationByID(ctx, orgID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("membership: organisation %d: %w", orgID, err)
	}
	pair, err := m.pairOrgs(ctx, org)
	if err != nil {
		return flows.Stay(), err
	}
	if len(pair) == 0 {
		return flows.Stay(), flows.ErrStale
	}
	var text string
	if org.MentorID != 0 {
		text = c.T("association.mb.pair.candidate", "Mentor", pair[0].Name)
	} else {
		var names []string
		for _, o := range pair {
			names = append(names, c.T("association.mb.pair.item", "Name", o.Name))
		}
		text = c.T("association.mb.pair.mentor", "Candidates", strings.Join(names, "\n"))
	}
	text += "\n\n" + c.T("association.mb.pair.help")
	c.Edit(text, bot.Keyboard{{c.Button("association.mb.btn.back", flows.CB(mbcb, mbHome, nil))}})
	return flows.Stay(), nil
}

// pressCert sends the school's newest certificate as a PDF.
func (m *Membership) pressCert(ctx context.Context, c *flows.Context) (flows.Next, error) {
	orgID := ownOrg(c)
	if orgID == 0 {
		return flows.Stay(), flows.ErrForbidden
	}
	cert, err := m.Store.CertificateOf(ctx, orgID)
	if errors.Is(err, storage.ErrNotFound) {
		return flows.Stay(), flows.ErrStale
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("membership: certificate of %d: %w", orgID, err)
	}
	doc, err := m.certificateDoc(c.L, c.Chat(), cert)
	if err != nil {
		return flows.Stay(), err
	}
	c.Send(doc)
	return flows.Stay(), nil
}
