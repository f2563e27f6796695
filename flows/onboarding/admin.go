package onboarding

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"smkbot/flows"
	"smkbot/storage"
)

// The steps of the administration conversations. Browsing (lists, cards)
// needs no step: every press there stands on its own and is re-authorised.
// Steps exist where the bot waits for typed text, or where a press only
// makes sense as the answer to the question just asked (an invitation's
// choices, a deactivation's confirmation), so an old message's buttons are
// stale once the person has moved on.
const (
	stepOrgName         = "admin:org_name"
	stepOrgShort        = "admin:org_short"
	stepOrgMunicipality = "admin:org_municipality"
	stepOrgStatus       = "admin:org_status"
	stepOrgSave         = "admin:org_save"
	stepOrgEdit         = "admin:org_edit"
	stepInvite          = "admin:invite"
	stepDeactivate      = "admin:deactivate"
)

// Session keys of the administration steps. The add-organisation draft
// keeps every typed value until it is saved or cancelled, so a refused
// name (taken, too long) costs only the name.
const (
	keyName         = "adm.name"
	keyShort        = "adm.short"
	keyMunicipality = "adm.municipality"
	keyStatus       = "adm.status"
	keyReview       = "adm.review" // "1": the draft is complete, go back to its summary
	keyOrg          = "adm.org"
	keyField        = "adm.field"
	keyPerson       = "adm.person"
)

// pageSize is how many items an inline list shows at once: a phone screen
// of buttons.
const pageSize = 8

// Limits of a typed organisation value, in characters after trimming.
const (
	minValue = 2
	maxValue = 200
)

// The editable text fields of an organisation, as numbers in callback data
// (flows.ArgInts takes positive ids only).
const (
	fieldName         = 1
	fieldShort        = 2
	fieldMunicipality = 3
)

// fieldLabels are the locale ids naming each field.
var fieldLabels = map[int64]string{
	fieldName:         "admin.field.name",
	fieldShort:        "admin.field.short",
	fieldMunicipality: "admin.field.municipality",
}

// Organisation statuses in callback data.
const (
	statusMember    = 1
	statusCandidate = 2
)

func statusOf(n int64) (storage.OrgStatus, bool) {
	switch n {
	case statusMember:
		return storage.OrgMember, true
	case statusCandidate:
		return storage.OrgCandidate, true
	}
	return "", false
}

// inviteUses are the numbers of uses an invitation made from the chat may
// have: one person, a small team, a whole staff room.
var inviteUses = []int64{1, 5, 30}

func (f *Flow) registerAdmin(r *flows.Router) {
	r.Menu(flows.MenuItem{Label: "admin.menu_orgs", Help: "admin.help_orgs", Perm: flows.ManageOrganisations, Handler: f.orgsMenu})
	r.Menu(flows.MenuItem{Label: "admin.menu_invite", Help: "admin.help_invite", Perm: flows.InvitePeople, Handler: f.inviteMenu})
	r.Menu(flows.MenuItem{Label: "admin.menu_people", Help: "admin.help_people", Perm: flows.ViewPeople, Handler: f.peopleMenu})

	// Organisations.
	r.Callback(cbAdm, "orgs", flows.ManageOrganisations, f.orgsPage)
	r.Callback(cbAdm, "org", flows.ManageOrganisations, f.orgCard)
	r.Callback(cbAdm, "add", flows.ManageOrganisations, f.addOrg)
	r.Step(stepOrgName, flows.ManageOrganisations, f.addName)
	r.Step(stepOrgShort, flows.ManageOrganisations, f.addShort)
	r.Step(stepOrgMunicipality, flows.ManageOrganisations, f.addMunicipality)
	r.Callback(cbAdm, "newst", flows.ManageOrganisations, f.addStatus)
	r.Step(stepOrgStatus, flows.ManageOrganisations, pressButton)
	r.Callback(cbAdm, "save", flows.ManageOrganisations, f.addSave)
	r.Step(stepOrgSave, flows.ManageOrganisations, pressButton)
	r.Callback(cbAdm, "edit", flows.ManageOrganisations, f.editField)
	r.Step(stepOrgEdit, flows.ManageOrganisations, f.editValue)
	r.Callback(cbAdm, "estatus", flows.ManageOrganisations, f.editStatus)
	r.Callback(cbAdm, "status", flows.ManageOrganisations, f.setStatus)
	r.Callback(cbAdm, "mentor", flows.PairMentors, f.mentorList)
	r.Callback(cbAdm, "setm", flows.PairMentors, f.setMentor)
	r.Callback(cbAdm, "nomentor", flows.PairMentors, f.clearMentor)

	// Invitations.
	r.Callback(cbAdm, "irole", flows.InvitePeople, f.inviteRole)
	r.Callback(cbAdm, "iorgs", flows.InvitePeople, f.inviteOrgsPage)
	r.Callback(cbAdm, "iorg", flows.InvitePeople, f.inviteOrg)
	r.Callback(cbAdm, "iuses", flows.InvitePeople, f.inviteUses)
	r.Step(stepInvite, flows.InvitePeople, pressButton)

	// People.
	r.Callback(cbAdm, "porgs", flows.ViewPeople, f.peopleOrgsPage)
	r.Callback(cbAdm, "porg", flows.ViewPeople, f.peopleOfOrg)
	r.Callback(cbAdm, "passoc", flows.ViewPeople, f.peopleOfAssociation)
	r.Callback(cbAdm, "person", flows.ViewPeople, f.personCard)
	r.Callback(cbAdm, "deact", flows.DeactivatePeople, f.deactivateAsk)
	r.Callback(cbAdm, "deactok", flows.DeactivatePeople, f.deactivate)
	r.Callback(cbAdm, "deactno", flows.DeactivatePeople, f.deactivateCancel)
	r.Step(stepDeactivate, flows.DeactivatePeople, pressButton)
}

// argInts parses the pressed button's argument as exactly n positive ids.
// Anything else is not a button of this version of the bot: stale.
func argInts(c *flows.Context, n int) ([]int64, error) {
	ids, err := flows.ArgInts(c.Callback.Arg)
	if err != nil || len(ids) != n {
		return nil, flows.ErrStale
	}
	return ids, nil
}

// textValue reads a typed organisation value: trimmed, inner runs of
// spaces and line breaks collapsed (a pasted name often carries them), and
// 2–200 characters long.
func textValue(c *flows.Context, field int64) (string, error) {
	if c.Update.Text == "" {
		return "", flows.Invalid("admin.text_expected")
	}
	v := strings.Join(strings.Fields(c.Update.Text), " ")
	n := utf8.RuneCountInString(v)
	label := c.T(fieldLabels[field])
	switch {
	case n < minValue:
		return "", flows.Invalid("admin.too_short", "Field", label, "Min", minValue)
	case n > maxValue:
		return "", flows.Invalid("admin.too_long", "Field", label, "Max", maxValue, "Len", n)
	}
	return v, nil
}

// findOrg loads an organisation a button or session names; one that is gone
// makes the button stale.
func (f *Flow) findOrg(ctx context.Context, id int64) (storage.Organisation, error) {
	o, err := f.Store.FindOrganisationByID(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return o, flows.ErrStale
	}
	if err != nil {
		return o, fmt.Errorf("onboarding: organisation %d: %w", id, err)
	}
	return o, nil
}

// orgsByID loads the listed organisations that still exist, in list order
// (by name).
func (f *Flow) orgsByID(ctx context.Context, ids []int64) ([]storage.Organisation, error) {
	all, err := f.Store.ListOrganisations(ctx)
	if err != nil {
		return nil, fmt.Errorf("onboarding: list organisations: %w", err)
	}
	var out []storage.Organisation
	for _, o := range all {
		for _, id := range ids {
			if o.ID == id {
				out = append(out, o)
				break
			}
		}
	}
	return out, nil
}

// orgButtonLabel is how an organisation appears on a list button.
func orgButtonLabel(c *flows.Context, o storage.Organisation) string {
	if o.Status == storage.OrgCandidate {
		return c.T("admin.org_line_candidate", "Name", orgName(c, o))
	}
	return c.T("admin.org_line", "Name", orgName(c, o))
}

// statusName is an organisation status in words.
func statusName(c *flows.Context, s storage.OrgStatus) string { return c.T("orgstatus." + string(s)) }

// orEmpty shows an empty value as a dash rather than a blank line.
func orEmpty(c *flows.Context, s string) string {
	if s == "" {
		return c.T("admin.empty_value")
	}
	return s
}

// sessionLost returns the person to their menu when a step's session values
// are missing: an error would keep them in the step, answering every message
// with the same notice.
func sessionLost(c *flows.Context) (flows.Next, error) {
	c.ReplyMenu(c.T("common.session_lost"))
	return flows.End(), nil
}
