package flows

import "smkbot/storage"

// Permission names something a person may do. Which roles grant it is
// declared once, in the permissions table below; the router checks it before
// any handler runs and handlers check it again against the object a button
// names (CanIn).
type Permission string

// The permissions. Anyone includes people who have not registered (survey
// respondents, strangers); Registered is any active registered person.
const (
	Anyone              Permission = "anyone"
	Registered          Permission = "registered"
	ManageOrganisations Permission = "orgs.manage"
	PairMentors         Permission = "orgs.mentor"
	InvitePeople        Permission = "people.invite"
	ViewPeople          Permission = "people.view"
	DeactivatePeople    Permission = "people.deactivate"
	ManageSurveys       Permission = "surveys.manage"
	ViewSurveyResults   Permission = "surveys.results"
	CompareSchools      Permission = "surveys.compare"
	ManageTasks         Permission = "tasks.manage"
	ConductAudits       Permission = "audits.conduct"
	ViewAudits          Permission = "audits.view"
	ManageMeetings      Permission = "meetings.manage"
	ApplyMembership     Permission = "membership.apply"
	ViewMembership      Permission = "membership.view"
	ManageMembership    Permission = "membership.manage"
	KeepJournal         Permission = "journal.keep"
	ManageGroups        Permission = "groups.manage"
)

// permissions is the role table: the roles that grant each permission.
// Association-wide roles (admin, chair, secretary, presidium) grant it in
// every organisation; organisation roles only in their own.
var permissions = map[Permission][]storage.Role{
	ManageOrganisations: {storage.RoleAdmin},
	PairMentors:         {storage.RoleAdmin},
	InvitePeople:        {storage.RoleAdmin, storage.RoleQualityManager},
	ViewPeople:          {storage.RoleAdmin, storage.RoleChair, storage.RoleQualityManager},
	DeactivatePeople:    {storage.RoleAdmin},
	// A quality manager runs their school's surveys; the chair runs
	// association-wide ones (and, being association-wide, any school's).
	ManageSurveys:     {storage.RoleChair, storage.RoleQualityManager},
	ViewSurveyResults: {storage.RoleAdmin, storage.RoleChair, storage.RoleQualityManager},
	CompareSchools:    {storage.RoleAdmin, storage.RoleChair},
	// The quality manager runs the school's programme; a teacher sees and
	// reports their own tasks (Registered, checked against the assignment).
	ManageTasks:   {storage.RoleQualityManager},
	ConductAudits: {storage.RoleAuditor, storage.RoleQualityManager},
	// A quality manager follows their school's findings to closure (and
	// assigns corrective actions, which needs ManageTasks there); the
	// chair sees every school's.
	ViewAudits: {storage.RoleAdmin, storage.RoleChair, storage.RoleQualityManager},
	// The secretary calls the presidium's meetings and keeps the minutes;
	// the chair may call one too. Members answer their own notices
	// (Registered, checked against the invitation).
	ManageMeetings: {storage.RoleSecretary, storage.RoleChair},
	// A school's director applies for membership (or to leave) for their
	// own school; the quality manager follows it and the mentor pair with
	// the director; the chair and the secretary take applications to the
	// presidium and open exclusion cases.
	ApplyMembership:  {storage.RoleDirector},
	ViewMembership:   {storage.RoleDirector, storage.RoleQualityManager},
	ManageMembership: {storage.RoleChair, storage.RoleSecretary},
	// The chair and the secretary keep the documents journal and the
	// working groups; a group's lead and members act on their own group
	// (Registered, checked against the group).
	KeepJournal:  {storage.RoleChair, storage.RoleSecretary},
	ManageGroups: {storage.RoleChair, storage.RoleSecretary},
}

// invitable lists the roles each role may hand out by invitation.
var invitable = map[storage.Role][]storage.Role{
	storage.RoleAdmin:          storage.Roles(),
	storage.RoleQualityManager: {storage.RoleTeacher, storage.RoleAuditor},
}

// associationWide reports whether a role's grant covers every organisation.
func associationWide(r storage.Role) bool { return !r.OrgScoped() }

// Actor is the person behind an update: a registered person with roles, or
// an anonymous Telegram user.
type Actor struct {
	TelegramID int64
	// Person is nil for people who have not registered.
	Person *storage.Person
	Roles  []storage.RoleGrant
}

// Registered reports whether the actor is an active registered person.
func (a *Actor) Registered() bool { return a.Person != nil && a.Person.Active }

// PersonID is the registered person's id, or 0.
func (a *Actor) PersonID() int64 {
	if a.Person == nil {
		return 0
	}
	return a.Person.ID
}

// HasRole reports whether the actor holds role r anywhere.
func (a *Actor) HasRole(r storage.Role) bool {
	for _, g := range a.Roles {
		if g.Role == r {
			return true
		}
	}
	return false
}

// Can reports whether the actor holds p in at least one organisation.
func (a *Actor) Can(p Permission) bool {
	switch p {
	case Anyone:
		return true
	case Registered:
		return a.Registered()
	}
	if !a.Registered() {
		return false
	}
	for _, g := range a.Roles {
		if grants(p, g.Role) {
			return true
		}
	}
	return false
}

// CanIn reports whether the actor holds p for organisation orgID.
func (a *Actor) CanIn(p Permission, orgID int64) bool {
	if p == Anyone || p == Registered {
		return a.Can(p)
	}
	if !a.Registered() {
		return false
	}
	for _, g := range a.Roles {
		if grants(p, g.Role) && (associationWide(g.Role) || g.OrgID == orgID) {
			return true
		}
	}
	return false
}

// Scope tells in which organisations the actor holds p: all of them, or
// the listed ones.
func (a *Actor) Scope(p Permission) (all bool, orgIDs []int64) {
	if !a.Registered() {
		return false, nil
	}
	for _, g := range a.Roles {
		if !grants(p, g.Role) {
			continue
		}
		if associationWide(g.Role) {
			return true, nil
		}
		orgIDs = append(orgIDs, g.OrgID)
	}
	return false, orgIDs
}

// CanInvite reports whether the actor may invite someone with role r into
// organisation orgID (0 for association-wide roles).
func (a *Actor) CanInvite(r storage.Role, orgID int64) bool {
	if !r.Valid() || (r.OrgScoped() && orgID == 0) {
		return false
	}
	for _, g := range a.Roles {
		if !a.Registered() {
			return false
		}
		for _, x := range invitable[g.Role] {
			if x == r && (associationWide(g.Role) || g.OrgID == orgID) {
				return true
			}
		}
	}
	return false
}

// InvitableRoles lists the roles the actor may hand out, in menu order.
func (a *Actor) InvitableRoles() []storage.Role {
	var out []storage.Role
	for _, r := range storage.Roles() {
		for _, g := range a.Roles {
			if a.Registered() && contains(invitable[g.Role], r) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

func grants(p Permission, r storage.Role) bool { return contains(permissions[p], r) }

func contains(roles []storage.Role, r storage.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}
