package association

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/locales"
	"smkbot/storage"
)

// GroupsStore is what the working groups read and write; *storage.Store
// implements it. Errors wrap storage.ErrNotFound, ErrInvalid or
// ErrConflict as the store's methods document.
type GroupsStore interface {
	FindPersonByID(ctx context.Context, id int64) (storage.Person, []storage.RoleGrant, error)
	SearchPeople(ctx context.Context, query string, limit int) ([]storage.Person, error)
	CreateGroup(ctx context.Context, actorID int64, kind storage.GroupKind, name string) (storage.WorkingGroup, error)
	FindGroup(ctx context.Context, id int64) (storage.WorkingGroup, error)
	ListGroups(ctx context.Context) ([]storage.WorkingGroup, error)
	GroupsOf(ctx context.Context, personID int64) ([]storage.WorkingGroup, error)
	AddGroupMember(ctx context.Context, actorID, groupID, personID int64) (bool, error)
	RemoveGroupMember(ctx context.Context, actorID, groupID, personID int64) error
	SetGroupLead(ctx context.Context, actorID, groupID, personID int64) (storage.WorkingGroup, error)
	ListGroupMembers(ctx context.Context, groupID int64) ([]storage.GroupMember, error)
	SaveGroupMessageDraft(ctx context.Context, authorID, groupID int64, text string) (storage.GroupMessage, error)
	FindGroupMessage(ctx context.Context, id int64) (storage.GroupMessage, error)
	SendGroupMessage(ctx context.Context, actorID, messageID int64) (storage.GroupMessage, int, error)
	GroupDeliveries(ctx context.Context, messageID int64) ([]storage.GroupDelivery, error)
	SetGroupDelivery(ctx context.Context, messageID, personID int64, status storage.DeliveryStatus) error
	ClaimGroupReport(ctx context.Context, messageID int64) (bool, error)
}

// Groups is the working groups of charter 3.11: the chair (or the
// secretary) creates a consulting-methodological, scientific-analytical
// or information-support group, or another under a typed name, adds and
// removes members found by name, and names a lead among them. The lead
// writes to the whole group — sent as durable work with a delivery
// report naming who was not reached — and gives the members a task,
// each in their own school's programme. Members see their groups with
// /groups.
type Groups struct {
	Store GroupsStore
	// Scheduler sends the lead's messages as durable work; without it
	// the lead cannot write to the group.
	Scheduler flows.Scheduler
	// Tasks places the lead's tasks in the members' programmes; nil when
	// the tasks capability is absent.
	Tasks flows.TaskOrders
	// Location is the association's zone: deadlines.
	Location *time.Location
}

// wg is the callback flow name of the groups' buttons.
const wg = "wg"

// The groups' buttons.
const (
	wgList  = "list"  // wg:list:<page>          every group (ManageGroups)
	wgMine  = "mine"  // wg:mine:                the groups one is in
	wgNew   = "new"   // wg:new:                 a new group: its kind
	wgKind  = "kind"  // wg:kind:<1..4>          create (4: ask the name)
	wgCard  = "card"  // wg:card:<group>         a group's card
	wgAdd   = "add"   // wg:add:<group>          find people to add
	wgPick  = "pick"  // wg:pick:<group>.<person> add the person found
	wgRms   = "rms"   // wg:rms:<group>          members to remove
	wgRm    = "rm"    // wg:rm:<group>.<person>  remove a member
	wgLeads = "leads" // wg:leads:<group>        members to lead
	wgLead  = "lead"  // wg:lead:<group>.<person> name the lead
	wgMsg   = "msg"   // wg:msg:<group>          the lead writes to the group
	wgSend  = "send"  // wg:send:<message>       send the message written
	wgTask  = "task"  // wg:task:<group>         the lead gives the members a task
)

// The groups' steps.
const (
	wgStepName    = "groups:name"    // a group's name (other kinds)
	wgStepSearch  = "groups:search"  // part of a person's name
	wgStepMessage = "groups:message" // the lead's message
	wgStepTask    = "groups:task"    // the task's title and description
	wgStepDue     = "groups:due"     // the task's deadline
)

// Session keys.
const (
	wgKeyGroup = "wg.group"
	wgKeyTitle = "wg.title"
	wgKeyDesc  = "wg.desc"
)

// workGroupMessage is the scheduled work that sends a lead's message to
// the members whose delivery is pending and reports to the lead.
const workGroupMessage = "groups:message"

// groupMessageArgs are the work's arguments: ids only.
type groupMessageArgs struct {
	Message int64 `json:"m"`
}

// Limits of the groups' screens and input.
const (
	wgPageSize  = 8
	wgFound     = 8
	wgMinName   = 3
	wgMinQuery  = 2
	wgMaxQuery  = 80
	wgMaxTitle  = 200
	wgMaxDesc   = 2000
	wgButtonLen = 40
)

// groupKinds maps the kind buttons' codes.
var groupKinds = map[int64]storage.GroupKind{1: storage.GroupMethodological, 2: storage.GroupAnalytical,
	3: storage.GroupInformation, 4: storage.GroupOther}

// Register adds the groups' menu item, command, buttons, steps and work.
func (f *Groups) Register(r *flows.Router) {
	m := flows.ManageGroups
	r.Menu(flows.MenuItem{Label: "association.wg.menu", Perm: m, Handler: f.list})
	// Membership cannot be known from roles, so members reach their groups
	// by command (and by the notice they get when added).
	r.Command(flows.Command{Name: "groups", Help: "association.wg.cmd_help", Perm: flows.Registered, Handler: f.mine})
	r.Callback(wg, wgList, m, f.pressList)
	r.Callback(wg, wgNew, m, f.pressNew)
	r.Callback(wg, wgKind, m, f.pressKind)
	r.Callback(wg, wgAdd, m, f.pressAdd)
	r.Callback(wg, wgPick, m, f.pressPick)
	r.Callback(wg, wgRms, m, f.pressRemoveList)
	r.Callback(wg, wgRm, m, f.pressRemove)
	r.Callback(wg, wgLeads, m, f.pressLeadList)
	r.Callback(wg, wgLead, m, f.pressLead)
	r.Step(wgStepName, m, f.stepName)
	r.Step(wgStepSearch, m, f.stepSearch)
	// A member's and the lead's: checked against the group on every press.
	r.Callback(wg, wgMine, flows.Registered, f.pressMine)
	r.Callback(wg, wgCard, flows.Registered, f.pressCard)
	r.Callback(wg, wgMsg, flows.Registered, f.pressMessage)
	r.Callback(wg, wgSend, flows.Registered, f.pressSend)
	r.Callback(wg, wgTask, flows.Registered, f.pressTask)
	r.Step(wgStepMessage, flows.Registered, f.stepMessage)
	r.Step(wgStepTask, flows.Registered, f.stepTask)
	r.Step(wgStepDue, flows.Registered, f.stepDue)
	if f.Scheduler != nil {
		l := r.Localizer()
		f.Scheduler.Handle(workGroupMessage, func(ctx context.Context, w flows.Work, _ time.Time) ([]bot.Message, error) {
			return f.broadcast(ctx, l, w)
		})
	}
}

func (f *Groups) loc() *time.Location {
	if f.Location == nil {
		return time.UTC
	}
	return f.Location
}

// ParseGroupName tidies a group's name as the chair typed it: spaces
// collapsed, 3 to storage.MaxGroupName characters, at least one letter,
// no control characters. ok is false otherwise.
func ParseGroupName(s string) (string, bool) {
	name, ok := TypedText(s, wgMinName, storage.MaxGroupName, false)
	if !ok || !strings.ContainsFunc(name, unicode.IsLetter) {
		return "", false
	}
	return name, true
}

// ParseTaskText reads a task as the lead typed it: the first line is the
// title (2 to 200 characters), the lines after it the description (up to
// 2000). ok is false otherwise.
func ParseTaskText(s string) (title, description string, ok bool) {
	first, rest, _ := strings.Cut(strings.TrimSpace(s), "\n")
	title, ok = TypedText(first, 2, wgMaxTitle, false)
	if !ok {
		return "", "", false
	}
	if strings.TrimSpace(rest) != "" {
		if description, ok = TypedText(rest, 1, wgMaxDesc, true); !ok {
			return "", "", false
		}
	}
	return title, description, true
}

// wgArgs reads the button's ids: exactly n, none 0.
func wgArgs(c *flows.Context, n int) ([]int64, error) {
	v, err := flows.ArgInts(c.Callback.Arg)
	if err != nil || len(v) != n {
		return nil, flows.ErrStale
	}
	for _, x := range v {
		if x == 0 {
			return nil, flows.ErrStale
		}
	}
	return v, nil
}

// wgStoreErr turns the store's kinds into the router's.
func wgStoreErr(err error, format string, a ...any) error {
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrConflict) {
		return flows.ErrStale
	}
	return fmt.Errorf("groups: "+format+": %w", append(a, err)...)
}

// group loads a group: ErrStale when it is gone.
func (f *Groups) group(ctx context.Context, id int64) (storage.WorkingGroup, error) {
	g, err := f.Store.FindGroup(ctx, id)
	if err != nil {
		return g, wgStoreErr(err, "find %d", id)
	}
	return g, nil
}

// manages reports whether the actor manages the groups.
func manages(c *flows.Context) bool { return c.Actor.Can(flows.ManageGroups) }

// isMember reports whether the person is among the members.
func isMember(members []storage.GroupMember, personID int64) bool {
	for _, m := range members {
		if m.PersonID == personID {
			return true
		}
	}
	return false
}

// leadGroup loads the group a lead's button or step names: ErrForbidden
// unless the actor leads it now.
func (f *Groups) leadGroup(ctx context.Context, c *flows.Context, id int64) (storage.WorkingGroup, error) {
	g, err := f.group(ctx, id)
	if err != nil {
		return g, err
	}
	if g.LeadID == 0 || g.LeadID != c.Actor.PersonID() {
		return g, flows.ErrForbidden
	}
	return g, nil
}

// wgGone ends a step whose group can no longer take the input.
func wgGone(c *flows.Context, err error) (flows.Next, error) {
	if errors.Is(err, flows.ErrStale) || errors.Is(err, flows.ErrForbidden) {
		c.Say("association.wg.step_gone")
		return flows.End(), nil
	}
	return flows.Stay(), err
}

// --- Lists ---

func (f *Groups) list(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text, kb, err := f.listScreen(ctx, c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(text, kb)
	return flows.End(), nil
}

func (f *Groups) pressList(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := wgArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	text, kb, err := f.listScreen(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	c.Edit(text, kb)
	return flows.End(), nil
}

// listScreen is every group, by name, and a new one.
func (f *Groups) listScreen(ctx context.Context, c *flows.Context, page int64) (string, bot.Keyboard, error) {
	gs, err := f.Store.ListGroups(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("groups: list: %w", err)
	}
	lo, hi, p, count := flows.Pages(int64(len(gs)), wgPageSize, page)
	var kb bot.Keyboard
	for _, g := range gs[lo:hi] {
		kb = append(kb, []bot.Button{{Text: c.L.N("association.wg.list.item", g.Members, "Name", clipText(g.Name, wgButtonLen)),
			Data: flows.CB(wg, wgCard, g.ID)}})
	}
	if nav := c.PageNav(p, count, func(n int64) string { return flows.CB(wg, wgList, n) }); len(nav) > 0 {
		kb = append(kb, nav)
	}
	kb = append(kb, []bot.Button{c.Button("association.wg.btn.new", flows.CB(wg, wgNew, nil))})
	text := c.T("association.wg.list.head")
	if len(gs) == 0 {
		text = c.T("association.wg.list.empty")
	}
	return text + c.PageLine(p, count), kb, nil
}

// mine is /groups: the groups the person is in.
func (f *Groups) mine(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text, kb, err := f.mineScreen(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	c.Reply(text, kb)
	return flows.End(), nil
}

func (f *Groups) pressMine(ctx context.Context, c *flows.Context) (flows.Next, error) {
	if c.Callback.Arg != "" {
		return flows.Stay(), flows.ErrStale
	}
	text, kb, err := f.mineScreen(ctx, c)
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	c.Edit(text, kb)
	return flows.End(), nil
}

func (f *Groups) mineScreen(ctx context.Context, c *flows.Context) (string, bot.Keyboard, error) {
	gs, err := f.Store.GroupsOf(ctx, c.Actor.PersonID())
	if err != nil {
		return "", nil, fmt.Errorf("groups: of %d: %w", c.Actor.PersonID(), err)
	}
	var kb bot.Keyboard
	for _, g := range gs {
		id := "association.wg.mine.item"
		if g.LeadID == c.Actor.PersonID() {
			id = "association.wg.mine.item_lead"
		}
		kb = append(kb, []bot.Button{{Text: c.T(id, "Name", clipText(g.Name, wgButtonLen)), Data: flows.CB(wg, wgCard, g.ID)}})
	}
	if manages(c) {
		kb = append(kb, []bot.Button{c.Button("association.wg.btn.all", flows.CB(wg, wgList, 1))})
	}
	if len(gs) == 0 {
		return c.T("association.wg.mine.empty"), kb, nil
	}
	return c.L.N("association.wg.mine.head", len(gs)), kb, nil
}

// --- A new group ---

func (f *Groups) pressNew(_ context.Context, c *flows.Context) (flows.Next, error) {
	var kb bot.Keyboard
	for code := int64(1); code <= 4; code++ {
		kb = append(kb, []bot.Button{c.Button("association.wg.btn.kind."+string(groupKinds[code]), flows.CB(wg, wgKind, code))})
	}
	kb = append(kb, []bot.Button{c.Button("association.wg.btn.to_list", flows.CB(wg, wgList, 1))})
	c.Clear()
	c.Edit(c.T("association.wg.ask_kind"), kb)
	return flows.End(), nil
}

// pressKind creates a group of one of the charter's kinds under its
// name, or asks the name of another.
func (f *Groups) pressKind(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := wgArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	kind, ok := groupKinds[v[0]]
	if !ok {
		return flows.Stay(), flows.ErrStale
	}
	if kind == storage.GroupOther {
		c.Edit(c.T("association.wg.ask_name"), nil)
		return flows.Goto(wgStepName), nil
	}
	return f.create(ctx, c, kind, c.T("association.wg.kind."+string(kind)))
}

func (f *Groups) stepName(ctx context.Context, c *flows.Context) (flows.Next, error) {
	name, ok := ParseGroupName(c.Update.Text)
	if !ok {
		return flows.Stay(), flows.Invalid("association.wg.name_invalid", "Min", wgMinName, "Max", storage.MaxGroupName)
	}
	return f.create(ctx, c, storage.GroupOther, name)
}

// create makes the group and goes on to its members.
func (f *Groups) create(ctx context.Context, c *flows.Context, kind storage.GroupKind, name string) (flows.Next, error) {
	g, err := f.Store.CreateGroup(ctx, c.Actor.PersonID(), kind, name)
	if errors.Is(err, storage.ErrConflict) {
		return flows.Stay(), flows.Invalid("association.wg.name_taken", "Name", name)
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("groups: create: %w", err)
	}
	c.Say("association.wg.created", "Name", g.Name)
	return f.askSearch(c, g)
}

// --- Members and the lead ---

func (f *Groups) askSearch(c *flows.Context, g storage.WorkingGroup) (flows.Next, error) {
	c.Clear()
	c.SetInt(wgKeyGroup, g.ID)
	c.Reply(c.T("association.wg.ask_member", "Name", g.Name), bot.Keyboard{{c.Button("association.wg.btn.done", flows.CB(wg, wgCard, g.ID))}})
	return flows.Goto(wgStepSearch), nil
}

func (f *Groups) pressAdd(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := wgArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	g, err := f.group(ctx, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	return f.askSearch(c, g)
}

// stepSearch finds registered people by part of their name.
func (f *Groups) stepSearch(ctx context.Context, c *flows.Context) (flows.Next, error) {
	q, ok := TypedText(c.Update.Text, wgMinQuery, wgMaxQuery, false)
	if !ok {
		return flows.Stay(), flows.Invalid("association.wg.query_invalid", "Min", wgMinQuery, "Max", wgMaxQuery)
	}
	g, err := f.group(ctx, c.GetInt(wgKeyGroup))
	if err != nil {
		return wgGone(c, err)
	}
	people, err := f.Store.SearchPeople(ctx, q, wgFound)
	if err != nil {
		return flows.Stay(), fmt.Errorf("groups: search people: %w", err)
	}
	done := []bot.Button{c.Button("association.wg.btn.done", flows.CB(wg, wgCard, g.ID))}
	if len(people) == 0 {
		c.Reply(c.T("association.wg.none_found", "Query", q), bot.Keyboard{done})
		return flows.Stay(), nil
	}
	var kb bot.Keyboard
	for _, p := range people {
		kb = append(kb, []bot.Button{{Text: clipText(p.FullName, wgButtonLen), Data: flows.CB(wg, wgPick, fmt.Sprintf("%d.%d", g.ID, p.ID))}})
	}
	c.Reply(c.T("association.wg.choose"), append(kb, done))
	return flows.Stay(), nil
}

// pressPick adds the person found and tells them.
func (f *Groups) pressPick(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := wgArgs(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	g, err := f.group(ctx, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	p, _, err := f.Store.FindPersonByID(ctx, v[1])
	if errors.Is(err, storage.ErrNotFound) || err == nil && p.FullName == "" {
		return flows.Stay(), flows.ErrStale
	}
	if err != nil {
		return flows.Stay(), fmt.Errorf("groups: person %d: %w", v[1], err)
	}
	added, err := f.Store.AddGroupMember(ctx, c.Actor.PersonID(), g.ID, p.ID)
	if err != nil {
		return flows.Stay(), wgStoreErr(err, "add %d to %d", p.ID, g.ID)
	}
	if !added {
		c.Edit(c.T("association.wg.already", "Name", p.FullName), nil)
		return flows.Stay(), nil
	}
	c.Edit(c.T("association.wg.added", "Name", p.FullName, "Group", g.Name), nil)
	if p.Active && p.TelegramID != 0 {
		c.Send(bot.Text{ChatID: p.TelegramID, Text: c.T("association.wg.to_member.added", "Group", g.Name),
			Buttons: bot.Keyboard{{c.Button("association.wg.btn.open", flows.CB(wg, wgCard, g.ID))}}})
	}
	c.Reply(c.T("association.wg.ask_more"), bot.Keyboard{{c.Button("association.wg.btn.done", flows.CB(wg, wgCard, g.ID))}})
	return flows.Stay(), nil
}

// memberButtons lists the members as buttons of action act.
func (f *Groups) memberButtons(ctx context.Context, c *flows.Context, g storage.WorkingGroup, act string) (bot.Keyboard, error) {
	ms, err := f.Store.ListGroupMembers(ctx, g.ID)
	if err != nil {
		return nil, fmt.Errorf("groups: members of %d: %w", g.ID, err)
	}
	var kb bot.Keyboard
	for _, m := range ms {
		name := m.FullName
		if name == "" {
			name = c.T("association.wg.forgotten")
		}
		kb = append(kb, []bot.Button{{Text: clipText(name, wgButtonLen), Data: flows.CB(wg, act, fmt.Sprintf("%d.%d", g.ID, m.PersonID))}})
	}
	return append(kb, []bot.Button{c.Button("association.wg.btn.to_card", flows.CB(wg, wgCard, g.ID))}), nil
}

func (f *Groups) pressRemoveList(ctx context.Context, c *flows.Context) (flows.Next, error) {
	return f.pressMemberList(ctx, c, wgRm, "association.wg.ask_remove")
}

func (f *Groups) pressLeadList(ctx context.Context, c *flows.Context) (flows.Next, error) {
	return f.pressMemberList(ctx, c, wgLead, "association.wg.ask_lead")
}

func (f *Groups) pressMemberList(ctx context.Context, c *flows.Context, act, msg string) (flows.Next, error) {
	v, err := wgArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	g, err := f.group(ctx, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	kb, err := f.memberButtons(ctx, c, g, act)
	if err != nil {
		return flows.Stay(), err
	}
	c.Edit(c.T(msg, "Name", g.Name), kb)
	return flows.Stay(), nil
}

func (f *Groups) pressRemove(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := wgArgs(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	g, err := f.group(ctx, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	if err := f.Store.RemoveGroupMember(ctx, c.Actor.PersonID(), g.ID, v[1]); err != nil {
		return flows.Stay(), wgStoreErr(err, "remove %d from %d", v[1], g.ID)
	}
	return f.showCard(ctx, c, g.ID, "association.wg.removed")
}

func (f *Groups) pressLead(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := wgArgs(c, 2)
	if err != nil {
		return flows.Stay(), err
	}
	g, err := f.Store.SetGroupLead(ctx, c.Actor.PersonID(), v[0], v[1])
	if errors.Is(err, storage.ErrInvalid) {
		return flows.Stay(), flows.ErrStale
	}
	if err != nil {
		return flows.Stay(), wgStoreErr(err, "lead of %d", v[0])
	}
	p, _, err := f.Store.FindPersonByID(ctx, v[1])
	if err == nil && p.Active && p.TelegramID != 0 {
		c.Send(bot.Text{ChatID: p.TelegramID, Text: c.T("association.wg.to_member.lead", "Group", g.Name),
			Buttons: bot.Keyboard{{c.Button("association.wg.btn.open", flows.CB(wg, wgCard, g.ID))}}})
	}
	return f.showCard(ctx, c, g.ID, "association.wg.lead_set")
}

// --- The card ---

func (f *Groups) pressCard(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := wgArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	next, err := f.showCard(ctx, c, v[0], "")
	if err != nil {
		return flows.Stay(), err
	}
	return next, nil
}

// showCard edits the pressed message into the group's card, with a note
// above it when note is not "". Only members and those who manage the
// groups see it.
func (f *Groups) showCard(ctx context.Context, c *flows.Context, id int64, note string) (flows.Next, error) {
	g, err := f.group(ctx, id)
	if err != nil {
		return flows.Stay(), err
	}
	members, err := f.Store.ListGroupMembers(ctx, g.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("groups: members of %d: %w", g.ID, err)
	}
	if !manages(c) && !isMember(members, c.Actor.PersonID()) {
		return flows.Stay(), flows.ErrForbidden
	}
	text := f.cardText(c, g, members)
	if note != "" {
		text = c.T(note) + "\n\n" + text
	}
	var kb bot.Keyboard
	if manages(c) {
		kb = append(kb, []bot.Button{c.Button("association.wg.btn.add", flows.CB(wg, wgAdd, g.ID))})
		if len(members) > 0 {
			kb = append(kb, []bot.Button{c.Button("association.wg.btn.remove", flows.CB(wg, wgRms, g.ID)),
				c.Button("association.wg.btn.lead", flows.CB(wg, wgLeads, g.ID))})
		}
	}
	if g.LeadID != 0 && g.LeadID == c.Actor.PersonID() {
		row := []bot.Button{c.Button("association.wg.btn.message", flows.CB(wg, wgMsg, g.ID))}
		if f.Tasks != nil {
			row = append(row, c.Button("association.wg.btn.task", flows.CB(wg, wgTask, g.ID)))
		}
		kb = append(kb, row)
	}
	if manages(c) {
		kb = append(kb, []bot.Button{c.Button("association.wg.btn.to_list", flows.CB(wg, wgList, 1))})
	} else {
		kb = append(kb, []bot.Button{c.Button("association.wg.btn.mine", flows.CB(wg, wgMine, nil))})
	}
	c.Edit(text, kb)
	return flows.End(), nil
}

// cardText: the group's name and kind, its lead and its members.
func (f *Groups) cardText(c *flows.Context, g storage.WorkingGroup, members []storage.GroupMember) string {
	lines := []string{c.T("association.wg.card.head", "Name", g.Name), c.T("association.wg.card.kind." + string(g.Kind))}
	lead := c.T("association.wg.card.no_lead")
	for _, m := range members {
		if m.PersonID == g.LeadID && m.FullName != "" {
			lead = m.FullName
		}
	}
	lines = append(lines, c.T("association.wg.card.lead", "Name", lead), "")
	if len(members) == 0 {
		lines = append(lines, c.T("association.wg.card.no_members"))
		return strings.Join(lines, "\n")
	}
	lines = append(lines, c.L.N("association.wg.card.members", len(members)))
	for _, m := range members {
		name := m.FullName
		if name == "" {
			name = c.T("association.wg.forgotten")
		}
		lines = append(lines, c.T("association.wg.card.member", "Name", name))
	}
	return strings.Join(lines, "\n")
}

// --- The lead's message ---

func (f *Groups) pressMessage(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := wgArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	g, err := f.leadGroup(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	c.Clear()
	c.SetInt(wgKeyGroup, g.ID)
	c.Say("association.wg.ask_message", "Name", g.Name)
	return flows.Goto(wgStepMessage), nil
}

// stepMessage keeps the text as a draft and shows how it will go out.
// Another message replaces the draft.
func (f *Groups) stepMessage(ctx context.Context, c *flows.Context) (flows.Next, error) {
	text, ok := TypedText(c.Update.Text, 2, storage.MaxGroupMessage, true)
	if !ok {
		return flows.Stay(), flows.Invalid("association.wg.message_invalid", "Max", storage.MaxGroupMessage)
	}
	g, err := f.leadGroup(ctx, c, c.GetInt(wgKeyGroup))
	if err != nil {
		return wgGone(c, err)
	}
	m, err := f.Store.SaveGroupMessageDraft(ctx, c.Actor.PersonID(), g.ID, text)
	if err != nil {
		return flows.Stay(), wgStoreErr(err, "message draft of %d", g.ID)
	}
	members, err := f.Store.ListGroupMembers(ctx, g.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("groups: members of %d: %w", g.ID, err)
	}
	n := len(members)
	if isMember(members, c.Actor.PersonID()) {
		n--
	}
	if n == 0 {
		c.Say("association.wg.no_one")
		return flows.End(), nil
	}
	c.Reply(c.L.N("association.wg.preview", n)+"\n\n"+f.messageText(c.L, g, c.Actor.Person.FullName, m.Text),
		bot.Keyboard{{c.Button("association.wg.btn.send", flows.CB(wg, wgSend, m.ID))}})
	return flows.Stay(), nil
}

// messageText is the message as members read it.
func (f *Groups) messageText(l *locales.Localizer, g storage.WorkingGroup, author, text string) string {
	return l.T("association.wg.message.head", "Group", g.Name, "Name", author) + "\n\n" + text
}

// pressSend sends the draft: its recipients are fixed and the broadcast
// is scheduled as durable work, which reports here.
func (f *Groups) pressSend(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := wgArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	m, err := f.Store.FindGroupMessage(ctx, v[0])
	if err != nil {
		return flows.Stay(), wgStoreErr(err, "message %d", v[0])
	}
	if m.AuthorID != c.Actor.PersonID() || !m.SentAt.IsZero() {
		return flows.Stay(), flows.ErrStale
	}
	g, err := f.leadGroup(ctx, c, m.GroupID)
	if err != nil {
		return flows.Stay(), err
	}
	if f.Scheduler == nil {
		return flows.Stay(), errors.New("groups: no scheduler to send messages")
	}
	m, n, err := f.Store.SendGroupMessage(ctx, c.Actor.PersonID(), m.ID)
	if errors.Is(err, storage.ErrInvalid) {
		c.Edit(c.T("association.wg.no_one"), nil)
		return flows.End(), nil
	}
	if err != nil {
		return flows.Stay(), wgStoreErr(err, "send %d", m.ID)
	}
	if err := f.Scheduler.At(ctx, workGroupMessage, fmt.Sprintf("group-message:%d", m.ID), groupMessageArgs{Message: m.ID}, c.Now); err != nil {
		return flows.Stay(), fmt.Errorf("groups: schedule message %d: %w", m.ID, err)
	}
	c.Clear()
	c.Edit(c.L.N("association.wg.sending", n, "Group", g.Name), bot.Keyboard{{c.Button("association.wg.btn.to_card", flows.CB(wg, wgCard, g.ID))}})
	return flows.End(), nil
}

// broadcast is the work that sends a lead's message to the members whose
// delivery is pending, records each one's fate and, once, reports to the
// lead who was not reached and why.
func (f *Groups) broadcast(ctx context.Context, l *locales.Localizer, w flows.Work) ([]bot.Message, error) {
	var a groupMessageArgs
	if err := json.Unmarshal(w.Args, &a); err != nil || a.Message == 0 {
		return nil, fmt.Errorf("groups: message %s: bad args %s", w.Key, w.Args)
	}
	m, err := f.Store.FindGroupMessage(ctx, a.Message)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("groups: message %d: %w", a.Message, err)
	}
	if m.SentAt.IsZero() {
		return nil, nil
	}
	g, err := f.Store.FindGroup(ctx, m.GroupID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("groups: message %d: %w", m.ID, err)
	}
	author := ""
	if p, _, err := f.Store.FindPersonByID(ctx, m.AuthorID); err == nil {
		author = p.FullName
	}
	ds, err := f.Store.GroupDeliveries(ctx, m.ID)
	if err != nil {
		return nil, fmt.Errorf("groups: message %d: %w", m.ID, err)
	}
	text := f.messageText(l, g, author, m.Text)
	fate := map[int64]storage.DeliveryStatus{}
	var msgs []bot.Message
	var owners []int64
	for _, d := range ds {
		if d.Status != storage.DeliveryPending {
			continue
		}
		p, _, err := f.Store.FindPersonByID(ctx, d.PersonID)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			fate[d.PersonID] = storage.DeliveryNoChat
			continue
		case err != nil:
			return nil, fmt.Errorf("groups: message %d: %w", m.ID, err)
		case p.TelegramID == 0:
			fate[d.PersonID] = storage.DeliveryNoChat
			continue
		case !p.Active:
			fate[d.PersonID] = storage.DeliveryBlocked
			continue
		}
		fate[d.PersonID] = storage.DeliverySent
		msgs = append(msgs, bot.Text{ChatID: p.TelegramID, Text: text,
			Buttons: bot.Keyboard{{{Text: l.T("association.wg.btn.open"), Data: flows.CB(wg, wgCard, g.ID)}}}})
		owners = append(owners, d.PersonID)
	}
	if len(msgs) > 0 {
		if w.Deliver == nil {
			return nil, fmt.Errorf("groups: message %d: no Deliver", m.ID)
		}
		for i, d := range w.Deliver(ctx, msgs...) {
			if d.Err == nil || i >= len(owners) {
				continue
			}
			if errors.Is(d.Err, bot.ErrBlocked) {
				fate[owners[i]] = storage.DeliveryBlocked
			} else {
				fate[owners[i]] = storage.DeliveryFailed
			}
		}
	}
	for id, st := range fate {
		if err := f.Store.SetGroupDelivery(ctx, m.ID, id, st); err != nil {
			return nil, fmt.Errorf("groups: message %d: %w", m.ID, err)
		}
	}
	// The report goes once, even when this run found nothing pending
	// (the run before it died after sending).
	claimed, err := f.Store.ClaimGroupReport(ctx, m.ID)
	if err != nil || !claimed {
		return nil, err
	}
	return f.report(ctx, l, g, m)
}

// report tells the lead how many members the message reached and, by
// name, who was not and why.
func (f *Groups) report(ctx context.Context, l *locales.Localizer, g storage.WorkingGroup, m storage.GroupMessage) ([]bot.Message, error) {
	p, _, err := f.Store.FindPersonByID(ctx, m.AuthorID)
	if errors.Is(err, storage.ErrNotFound) || err == nil && (!p.Active || p.TelegramID == 0) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("groups: report %d: %w", m.ID, err)
	}
	ds, err := f.Store.GroupDeliveries(ctx, m.ID)
	if err != nil {
		return nil, fmt.Errorf("groups: report %d: %w", m.ID, err)
	}
	sent := 0
	var missed []string
	for _, d := range ds {
		if d.Status == storage.DeliverySent {
			sent++
			continue
		}
		name := d.FullName
		if name == "" {
			name = l.T("association.wg.forgotten")
		}
		missed = append(missed, l.T("association.wg.report.missed", "Name", name, "Why", l.T("association.wg.report.why."+string(d.Status))))
	}
	lines := []string{l.T("association.wg.report.head", "Group", g.Name, "Sent", sent, "Total", len(ds))}
	if len(missed) > 0 {
		lines = append(lines, "", l.T("association.wg.report.call"))
		lines = append(lines, missed...)
	}
	return []bot.Message{bot.Text{ChatID: p.TelegramID, Text: strings.Join(lines, "\n"),
		Buttons: bot.Keyboard{{{Text: l.T("association.wg.btn.open"), Data: flows.CB(wg, wgCard, g.ID)}}}}}, nil
}

// --- The lead's task ---

func (f *Groups) pressTask(ctx context.Context, c *flows.Context) (flows.Next, error) {
	v, err := wgArgs(c, 1)
	if err != nil {
		return flows.Stay(), err
	}
	g, err := f.leadGroup(ctx, c, v[0])
	if err != nil {
		return flows.Stay(), err
	}
	if f.Tasks == nil {
		return flows.Stay(), flows.ErrStale
	}
	c.Clear()
	c.SetInt(wgKeyGroup, g.ID)
	c.Say("association.wg.ask_task", "Name", g.Name)
	return flows.Goto(wgStepTask), nil
}

func (f *Groups) stepTask(ctx context.Context, c *flows.Context) (flows.Next, error) {
	title, desc, ok := ParseTaskText(c.Update.Text)
	if !ok {
		return flows.Stay(), flows.Invalid("association.wg.task_invalid", "Max", wgMaxTitle)
	}
	if _, err := f.leadGroup(ctx, c, c.GetInt(wgKeyGroup)); err != nil {
		return wgGone(c, err)
	}
	c.Set(wgKeyTitle, title)
	c.Set(wgKeyDesc, desc)
	c.Say("association.wg.ask_due")
	return flows.Goto(wgStepDue), nil
}

// stepDue gives every member but the lead the task, each in their own
// school's programme under the direction «Рабочие группы»; a member with
// no school in the bot, or who cannot take it, is named in the reply.
func (f *Groups) stepDue(ctx context.Context, c *flows.Context) (flows.Next, error) {
	due, err := flows.ParseDate(c.Update.Text, c.Now, f.loc())
	if err != nil {
		return flows.Stay(), err
	}
	n := c.Now.In(f.loc())
	if due.Before(time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, f.loc())) {
		return flows.Stay(), flows.Invalid("association.wg.due_past")
	}
	title := c.Get(wgKeyTitle)
	g, err := f.leadGroup(ctx, c, c.GetInt(wgKeyGroup))
	if err == nil && title == "" {
		err = flows.ErrStale
	}
	if err != nil {
		return wgGone(c, err)
	}
	if f.Tasks == nil {
		return wgGone(c, flows.ErrStale)
	}
	members, err := f.Store.ListGroupMembers(ctx, g.ID)
	if err != nil {
		return flows.Stay(), fmt.Errorf("groups: members of %d: %w", g.ID, err)
	}
	desc := strings.TrimSpace(c.Get(wgKeyDesc) + "\n\n" + c.T("association.wg.task.from", "Group", g.Name, "Name", c.Actor.Person.FullName))
	var given int
	var noSchool, failed []string
	for _, m := range members {
		if m.PersonID == c.Actor.PersonID() {
			continue
		}
		name := m.FullName
		if name == "" {
			name = c.T("association.wg.forgotten")
		}
		if m.OrgID == 0 {
			noSchool = append(noSchool, name)
			continue
		}
		_, err := f.Tasks.AssignTask(ctx, c, flows.TaskOrder{
			OrgID:       m.OrgID,
			Direction:   c.T("association.wg.task.direction"),
			Title:       title,
			Description: desc,
			AssigneeID:  m.PersonID,
			Due:         due,
			Link:        storage.TaskLink{GroupID: g.ID},
		})
		var invalid *flows.InputError
		switch {
		case err == nil:
			given++
		case errors.As(err, &invalid), errors.Is(err, flows.ErrStale):
			failed = append(failed, name)
		default:
			return flows.Stay(), fmt.Errorf("groups: task of %d for %d: %w", g.ID, m.PersonID, err)
		}
	}
	c.Clear()
	lines := []string{c.L.N("association.wg.task.given", given, "Title", title, "Due", c.L.Date(due))}
	if len(noSchool) > 0 {
		lines = append(lines, "", c.T("association.wg.task.no_school", "Names", strings.Join(noSchool, ", ")))
	}
	if len(failed) > 0 {
		lines = append(lines, "", c.T("association.wg.task.failed", "Names", strings.Join(failed, ", ")))
	}
	c.Reply(strings.Join(lines, "\n"), bot.Keyboard{{c.Button("association.wg.btn.to_card", flows.CB(wg, wgCard, g.ID))}})
	return flows.End(), nil
}
