// Package onboarding is how people come to the bot and how the association
// is administered: /start and invitations, consent, registration, role
// menus, help, profile, forget-me, organisations and people.
package onboarding

import (
	"context"
	"time"

	"smkbot/flows"
	"smkbot/storage"
)

// Store is what onboarding needs of the records.
type Store interface {
	PeekInvite(ctx context.Context, code string) (storage.Invite, storage.Organisation, error)
	Register(ctx context.Context, code string, telegramID int64, fullName string, consentAt time.Time) (storage.Person, storage.Invite, error)
	FindPersonByID(ctx context.Context, id int64) (storage.Person, []storage.RoleGrant, error)
	FindPersonByTelegramID(ctx context.Context, telegramID int64) (storage.Person, []storage.RoleGrant, error)
	RenamePerson(ctx context.Context, personID int64, fullName string) error
	ForgetPerson(ctx context.Context, personID int64) error

	CreateOrganisation(ctx context.Context, actorID int64, o storage.Organisation) (storage.Organisation, error)
	UpdateOrganisation(ctx context.Context, actorID int64, o storage.Organisation) error
	FindOrganisationByID(ctx context.Context, id int64) (storage.Organisation, error)
	ListOrganisations(ctx context.Context) ([]storage.Organisation, error)
	SetMentor(ctx context.Context, actorID, candidateID, mentorID int64) error
	ListPeople(ctx context.Context, orgID int64, role storage.Role) ([]storage.PersonRoles, error)
	DeactivatePerson(ctx context.Context, actorID, personID int64) error
	CreateInvite(ctx context.Context, actorID int64, role storage.Role, orgID int64, uses int, ttl time.Duration) (string, storage.Invite, error)
}

// Limiter counts attempts in a time window (storage.Limiter).
type Limiter interface {
	Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, error)
	// Forget removes the counter of key (a forgotten person's).
	Forget(ctx context.Context, key string) error
}

// Flow holds what the onboarding handlers share.
type Flow struct {
	Store   Store
	Limiter Limiter
	// BotUsername builds invite deep links: https://t.me/<BotUsername>?start=<code>.
	BotUsername string
	// InviteTTL is how long an invite made from the chat stays valid.
	InviteTTL time.Duration
}

// The steps of the onboarding conversations.
const (
	stepConsent = "onboarding:consent"
	stepName    = "onboarding:name"
	stepConfirm = "onboarding:confirm"
	stepRename  = "onboarding:rename"
	stepForget  = "onboarding:forget"
)

// Callback data flow names: "onb" for registration and profile, "adm" for
// administration.
const (
	cbOnb = "onb"
	cbAdm = "adm"
)

// Invite redemption attempts a person may make in an hour: enough for typos
// and retries, too few to guess a 256-bit code (which is hopeless anyway)
// or to probe which codes exist.
const (
	redeemLimit  = 10
	redeemWindow = time.Hour
)

// Register adds onboarding's commands, buttons, steps and menu items to r.
func (f *Flow) Register(r *flows.Router) {
	if f.InviteTTL == 0 {
		f.InviteTTL = 7 * 24 * time.Hour
	}
	f.registerStart(r)
	f.registerProfile(r)
	f.registerAdmin(r)
}

// DeepLink is the t.me link that opens the bot with a /start payload.
func DeepLink(botUsername, payload string) string {
	return "https://t.me/" + botUsername + "?start=" + payload
}
