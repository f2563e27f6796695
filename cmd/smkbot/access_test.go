package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"smkbot/bot"
	"smkbot/flows"
	"smkbot/flows/flowtest"
	"smkbot/storage"
)

// access is the access matrix: every route the bot registers, the
// permission it must be registered with, and — for buttons — a valid
// argument naming records (letters expanded by world.expand: O
// organisation, A audit, F finding, T task, S survey, M meeting, P a
// person, ...). A route added without a row here fails TestAccessTable.
var access = []struct {
	kind flows.RouteKind
	name string
	perm flows.Permission
	arg  string
	// who says whose the records are beyond the router's check: "public"
	// for the survey answering anyone with a link may do (any school's
	// survey); or the roles whose handler accepts their own school's
	// records (a task only its assignee, an audit only its auditor; the
	// other allowed roles are refused by the handler), or "invitee" for
	// a meeting's invitees as they stand; "" when every
	// role the permission grants may act on them.
	who string
}{
	// Commands.
	{flows.RouteCommand, "applications", flows.ManageMembership, "", ""},
	{flows.RouteCommand, "audit", flows.ConductAudits, "", ""},
	{flows.RouteCommand, "cancel", flows.Anyone, "", ""},
	{flows.RouteCommand, "findings", flows.ViewAudits, "", ""},
	{flows.RouteCommand, "forget_me", flows.Registered, "", ""},
	{flows.RouteCommand, "groups", flows.Registered, "", ""},
	{flows.RouteCommand, "help", flows.Anyone, "", ""},
	{flows.RouteCommand, "journal", flows.KeepJournal, "", ""},
	{flows.RouteCommand, "meetings", flows.ManageMeetings, "", ""},
	{flows.RouteCommand, "menu", flows.Anyone, "", ""},
	{flows.RouteCommand, "profile", flows.Registered, "", ""},
	{flows.RouteCommand, "start", flows.Anyone, "", ""},
	{flows.RouteCommand, "tasks", flows.Registered, "", ""},
	{flows.RouteDeeplink, "survey:open", flows.Anyone, "", "public"},

	// The role menu, by label id.
	{flows.RouteMenu, "admin.menu_invite", flows.InvitePeople, "", ""},
	{flows.RouteMenu, "admin.menu_orgs", flows.ManageOrganisations, "", ""},
	{flows.RouteMenu, "admin.menu_people", flows.ViewPeople, "", ""},
	{flows.RouteMenu, "association.mb.apps_menu", flows.ManageMembership, "", ""},
	{flows.RouteMenu, "association.mb.menu", flows.ViewMembership, "", ""},
	{flows.RouteMenu, "association.jr.menu", flows.KeepJournal, "", ""},
	{flows.RouteMenu, "association.wg.menu", flows.ManageGroups, "", ""},
	{flows.RouteMenu, "audit.menu", flows.ConductAudits, "", ""},
	{flows.RouteMenu, "audit.views.menu", flows.ViewAudits, "", ""},
	{flows.RouteMenu, "meetings.menu", flows.ManageMeetings, "", ""},
	{flows.RouteMenu, "onboarding.menu_profile", flows.Registered, "", ""},
	{flows.RouteMenu, "survey.author.menu", flows.ManageSurveys, "", ""},
	{flows.RouteMenu, "survey.results.menu", flows.ViewSurveyResults, "", ""},
	{flows.RouteMenu, "survey.results.schools_menu", flows.CompareSchools, "", ""},
	{flows.RouteMenu, "tasks.manage.menu", flows.ManageTasks, "", ""},
	{flows.RouteMenu, "tasks.mine.menu", flows.Registered, "", ""},

	// Onboarding and administration. Yes/no buttons are pressed with
	// "no": the matrix must not forget or deactivate its own actors.
	{flows.RouteCallback, "onb:confirm", flows.Anyone, "no", ""},
	{flows.RouteCallback, "onb:consent", flows.Anyone, "no", ""},
	{flows.RouteCallback, "onb:forget", flows.Registered, "no", ""},
	{flows.RouteCallback, "onb:rename", flows.Registered, "", ""},
	{flows.RouteCallback, "adm:add", flows.ManageOrganisations, "", ""},
	{flows.RouteCallback, "adm:deact", flows.DeactivatePeople, "P", ""},
	{flows.RouteCallback, "adm:deactno", flows.DeactivatePeople, "P", ""},
	{flows.RouteCallback, "adm:deactok", flows.DeactivatePeople, "0", ""},
	{flows.RouteCallback, "adm:edit", flows.ManageOrganisations, "O.1", ""},
	{flows.RouteCallback, "adm:estatus", flows.ManageOrganisations, "O", ""},
	{flows.RouteCallback, "adm:iorg", flows.InvitePeople, "teacher.O", ""},
	{flows.RouteCallback, "adm:iorgs", flows.InvitePeople, "teacher.1", ""},
	{flows.RouteCallback, "adm:irole", flows.InvitePeople, "teacher", ""},
	{flows.RouteCallback, "adm:iuses", flows.InvitePeople, "teacher.O.1", ""},
	{flows.RouteCallback, "adm:mentor", flows.PairMentors, "O.1", ""},
	{flows.RouteCallback, "adm:newst", flows.ManageOrganisations, "1", ""},
	{flows.RouteCallback, "adm:nomentor", flows.PairMentors, "O", ""},
	{flows.RouteCallback, "adm:org", flows.ManageOrganisations, "O", ""},
	{flows.RouteCallback, "adm:orgs", flows.ManageOrganisations, "1", ""},
	{flows.RouteCallback, "adm:passoc", flows.ViewPeople, "1", "admin chair"},
	{flows.RouteCallback, "adm:person", flows.ViewPeople, "P.1.O", ""},
	{flows.RouteCallback, "adm:porg", flows.ViewPeople, "O.1", ""},
	{flows.RouteCallback, "adm:porgs", flows.ViewPeople, "1", ""},
	{flows.RouteCallback, "adm:save", flows.ManageOrganisations, "no", ""},
	{flows.RouteCallback, "adm:setm", flows.PairMentors, "O.O", ""},
	{flows.RouteCallback, "adm:status", flows.ManageOrganisations, "O.1", ""},

	// Surveys: answering (anyone with a link), authoring, results.
	{flows.RouteCallback, "sv:a", flows.Anyone, "S.0.1", "public"},
	{flows.RouteCallback, "sv:b", flows.Anyone, "S.1", "public"},
	{flows.RouteCallback, "sv:d", flows.Anyone, "S.0.1", "public"},
	{flows.RouteCallback, "sv:fix", flows.Anyone, "S.0", "public"},
	{flows.RouteCallback, "sv:go", flows.Anyone, "S", "public"},
	{flows.RouteCallback, "sv:k", flows.Anyone, "S.0", "public"},
	{flows.RouteCallback, "sv:s", flows.Anyone, "S.0", "public"},
	{flows.RouteCallback, "sv:send", flows.Anyone, "S", "public"},
	{flows.RouteCallback, "sv:t", flows.Anyone, "S.0.1", "public"},
	{flows.RouteCallback, "sva:aud", flows.ManageSurveys, "1", ""},
	{flows.RouteCallback, "sva:cancel", flows.ManageSurveys, "", ""},
	{flows.RouteCallback, "sva:card", flows.ManageSurveys, "S", ""},
	{flows.RouteCallback, "sva:close", flows.ManageSurveys, "S", ""},
	{flows.RouteCallback, "sva:closeok", flows.ManageSurveys, "S", ""},
	{flows.RouteCallback, "sva:create", flows.ManageSurveys, "", ""},
	{flows.RouteCallback, "sva:date", flows.ManageSurveys, "Y", ""},
	{flows.RouteCallback, "sva:dprev", flows.ManageSurveys, "", ""},
	{flows.RouteCallback, "sva:edit", flows.ManageSurveys, "4", ""},
	{flows.RouteCallback, "sva:ext", flows.ManageSurveys, "S", ""},
	{flows.RouteCallback, "sva:extd", flows.ManageSurveys, "S.Y", ""},
	{flows.RouteCallback, "sva:links", flows.ManageSurveys, "S", ""},
	{flows.RouteCallback, "sva:list", flows.ManageSurveys, "1", ""},
	{flows.RouteCallback, "sva:new", flows.ManageSurveys, "", ""},
	{flows.RouteCallback, "sva:org", flows.ManageSurveys, "O", ""},
	{flows.RouteCallback, "sva:orgs", flows.ManageSurveys, "1", ""},
	{flows.RouteCallback, "sva:prev", flows.ManageSurveys, "S", ""},
	{flows.RouteCallback, "sva:pub", flows.ManageSurveys, "S", ""},
	{flows.RouteCallback, "sva:resume", flows.ManageSurveys, "", ""},
	{flows.RouteCallback, "sva:tpl", flows.ManageSurveys, "parents", ""},
	{flows.RouteCallback, "sva:upload", flows.ManageSurveys, "", ""},
	{flows.RouteCallback, "svr:charts", flows.ViewSurveyResults, "S", ""},
	{flows.RouteCallback, "svr:class", flows.ViewSurveyResults, "S.C", ""},
	{flows.RouteCallback, "svr:classes", flows.ViewSurveyResults, "S", ""},
	{flows.RouteCallback, "svr:cmp", flows.ViewSurveyResults, "S", ""},
	{flows.RouteCallback, "svr:list", flows.ViewSurveyResults, "1", ""},
	{flows.RouteCallback, "svr:open", flows.ViewSurveyResults, "S", ""},
	{flows.RouteCallback, "svr:schools", flows.CompareSchools, "parents", ""},
	{flows.RouteCallback, "svr:task", flows.ViewSurveyResults, "S.0", "quality_manager"},
	{flows.RouteCallback, "svr:xlsx", flows.ViewSurveyResults, "S", ""},

	// Tasks: one's own (any registered person, checked against the
	// assignment) and the quality manager's programme.
	{flows.RouteCallback, "tk:acc", flows.Registered, "T", "teacher"},
	{flows.RouteCallback, "tk:cancel", flows.Registered, "T", "teacher"},
	{flows.RouteCallback, "tk:card", flows.Registered, "T.1", "teacher"},
	{flows.RouteCallback, "tk:done", flows.Registered, "T", "teacher"},
	{flows.RouteCallback, "tk:help", flows.Registered, "T", "teacher"},
	{flows.RouteCallback, "tk:list", flows.Registered, "1", ""},
	{flows.RouteCallback, "tk:open", flows.Registered, "T", "teacher"},
	{flows.RouteCallback, "tk:pdate", flows.Registered, "T.Y", "teacher"},
	{flows.RouteCallback, "tk:post", flows.Registered, "T", "teacher"},
	{flows.RouteCallback, "tk:send", flows.Registered, "T", "teacher"},
	{flows.RouteCallback, "tkm:abort", flows.ManageTasks, "", ""},
	{flows.RouteCallback, "tkm:acc", flows.ManageTasks, "T.P", ""},
	{flows.RouteCallback, "tkm:cancel", flows.ManageTasks, "T", ""},
	{flows.RouteCallback, "tkm:cancelok", flows.ManageTasks, "T", ""},
	{flows.RouteCallback, "tkm:chart", flows.ManageTasks, "O", ""},
	{flows.RouteCallback, "tkm:create", flows.ManageTasks, "", ""},
	{flows.RouteCallback, "tkm:dir", flows.ManageTasks, "D", ""},
	{flows.RouteCallback, "tkm:due", flows.ManageTasks, "Y", ""},
	{flows.RouteCallback, "tkm:ed", flows.ManageTasks, "T", ""},
	{flows.RouteCallback, "tkm:edd", flows.ManageTasks, "T.Y", ""},
	{flows.RouteCallback, "tkm:edit", flows.ManageTasks, "T", ""},
	{flows.RouteCallback, "tkm:ee", flows.ManageTasks, "T.1", ""},
	{flows.RouteCallback, "tkm:et", flows.ManageTasks, "T", ""},
	{flows.RouteCallback, "tkm:ev", flows.ManageTasks, "1", ""},
	{flows.RouteCallback, "tkm:fix", flows.ManageTasks, "1", ""},
	{flows.RouteCallback, "tkm:imp", flows.ManageTasks, "O", ""},
	{flows.RouteCallback, "tkm:list", flows.ManageTasks, "O.1", ""},
	{flows.RouteCallback, "tkm:new", flows.ManageTasks, "O", ""},
	{flows.RouteCallback, "tkm:over", flows.ManageTasks, "O.1", ""},
	{flows.RouteCallback, "tkm:prog", flows.ManageTasks, "O", ""},
	{flows.RouteCallback, "tkm:rep", flows.ManageTasks, "T.P", ""},
	{flows.RouteCallback, "tkm:req", flows.ManageTasks, "R", ""},
	{flows.RouteCallback, "tkm:reqno", flows.ManageTasks, "R", ""},
	{flows.RouteCallback, "tkm:reqok", flows.ManageTasks, "R", ""},
	{flows.RouteCallback, "tkm:resume", flows.ManageTasks, "", ""},
	{flows.RouteCallback, "tkm:ret", flows.ManageTasks, "T.P", ""},
	{flows.RouteCallback, "tkm:set", flows.ManageTasks, "O", ""},
	{flows.RouteCallback, "tkm:setdef", flows.ManageTasks, "O", ""},
	{flows.RouteCallback, "tkm:setes", flows.ManageTasks, "O.3", ""},
	{flows.RouteCallback, "tkm:setesq", flows.ManageTasks, "O", ""},
	{flows.RouteCallback, "tkm:sethol", flows.ManageTasks, "O", ""},
	{flows.RouteCallback, "tkm:setholc", flows.ManageTasks, "O", ""},
	{flows.RouteCallback, "tkm:setlad", flows.ManageTasks, "O", ""},
	{flows.RouteCallback, "tkm:setov", flows.ManageTasks, "O.3", ""},
	{flows.RouteCallback, "tkm:setovq", flows.ManageTasks, "O", ""},
	{flows.RouteCallback, "tkm:setqh", flows.ManageTasks, "O", ""},
	{flows.RouteCallback, "tkm:setwd", flows.ManageTasks, "O", ""},
	{flows.RouteCallback, "tkm:setwdt", flows.ManageTasks, "O.6", ""},
	{flows.RouteCallback, "tkm:setx", flows.ManageTasks, "O", ""},
	{flows.RouteCallback, "tkm:task", flows.ManageTasks, "T", ""},
	{flows.RouteCallback, "tkm:who", flows.ManageTasks, "P.1", ""},
	{flows.RouteCallback, "tkm:whoall", flows.ManageTasks, "", ""},
	{flows.RouteCallback, "tkm:whook", flows.ManageTasks, "", ""},
	{flows.RouteCallback, "tkm:whop", flows.ManageTasks, "1", ""},
	{flows.RouteCallback, "tkm:xlsx", flows.ManageTasks, "O", ""},

	// Audits: conducting (the auditor's own audits), following findings
	// to closure, the views.
	{flows.RouteCallback, "au:add", flows.ConductAudits, "A", "auditor"},
	{flows.RouteCallback, "au:area", flows.ConductAudits, "E", ""},
	{flows.RouteCallback, "au:ca", flows.ManageTasks, "G", ""},
	{flows.RouteCallback, "au:card", flows.ConductAudits, "A", "auditor"},
	{flows.RouteCallback, "au:cd", flows.ManageTasks, "G.Y", ""},
	{flows.RouteCallback, "au:close", flows.ConductAudits, "A", "auditor"},
	{flows.RouteCallback, "au:closeok", flows.ConductAudits, "A", "auditor"},
	{flows.RouteCallback, "au:co", flows.ConductAudits, "U", ""},
	{flows.RouteCallback, "au:codone", flows.ConductAudits, "", ""},
	{flows.RouteCallback, "au:cok", flows.ManageTasks, "G", ""},
	{flows.RouteCallback, "au:cp", flows.ManageTasks, "G.1", ""},
	{flows.RouteCallback, "au:cw", flows.ManageTasks, "G.P", ""},
	{flows.RouteCallback, "au:del", flows.ConductAudits, "F", "auditor"},
	{flows.RouteCallback, "au:delok", flows.ConductAudits, "F", "auditor"},
	{flows.RouteCallback, "au:edit", flows.ConductAudits, "F", "auditor"},
	{flows.RouteCallback, "au:ef", flows.ConductAudits, "F.1", "auditor"},
	{flows.RouteCallback, "au:ek", flows.ConductAudits, "F.0", "auditor"},
	{flows.RouteCallback, "au:fc", flows.ConductAudits, "F", "auditor"},
	{flows.RouteCallback, "au:kind", flows.ConductAudits, "A.0", "auditor"},
	{flows.RouteCallback, "au:list", flows.ConductAudits, "A.1", "auditor"},
	{flows.RouteCallback, "au:mf", flows.Registered, "G", "admin chair quality_manager auditor"},
	{flows.RouteCallback, "au:next", flows.ConductAudits, "F", ""},
	{flows.RouteCallback, "au:noplace", flows.ConductAudits, "F", ""},
	{flows.RouteCallback, "au:noreq", flows.ConductAudits, "A", ""},
	{flows.RouteCallback, "au:org", flows.ConductAudits, "O", ""},
	{flows.RouteCallback, "au:today", flows.ConductAudits, "", ""},
	{flows.RouteCallback, "au:v", flows.ViewAudits, "O", ""},
	{flows.RouteCallback, "au:vc", flows.ViewAudits, "O", ""},
	{flows.RouteCallback, "au:ve", flows.ConductAudits, "G", "auditor"},
	{flows.RouteCallback, "au:vn", flows.ConductAudits, "G", "auditor"},
	{flows.RouteCallback, "au:vo", flows.ViewAudits, "O", ""},
	{flows.RouteCallback, "au:vp", flows.ViewAudits, "O", ""},

	// Meetings: the secretary's (association-wide, so no organisation
	// to cross) and a member's answer.
	{flows.RouteCallback, "mt:aatt", flows.ManageMeetings, "M.1", ""},
	{flows.RouteCallback, "mt:aclr", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:adec", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:adone", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:adue", flows.ManageMeetings, "I.Y", ""},
	{flows.RouteCallback, "mt:aexec", flows.ManageMeetings, "I", ""},
	{flows.RouteCallback, "mt:ahist", flows.ManageMeetings, "1", ""},
	{flows.RouteCallback, "mt:ahxlsx", flows.ManageMeetings, "", ""},
	{flows.RouteCallback, "mt:aitem", flows.ManageMeetings, "I", ""},
	{flows.RouteCallback, "mt:amin", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:apdf", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:asend", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:asendok", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:aresend", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:atext", flows.ManageMeetings, "I", ""},
	{flows.RouteCallback, "mt:atog", flows.ManageMeetings, "M.P.1", ""},
	{flows.RouteCallback, "mt:aup", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:aupend", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:awho", flows.ManageMeetings, "I.P", ""},
	{flows.RouteCallback, "mt:bn", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:bt", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:card", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:list", flows.ManageMeetings, "1", ""},
	{flows.RouteCallback, "mt:nagdone", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:nagenda", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:nagok", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:nannounce", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:ncancel", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:ncancelok", flows.ManageMeetings, "0", ""},
	{flows.RouteCallback, "mt:nchg", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:nchgp", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:nchgw", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:ndel", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:ndelok", flows.ManageMeetings, "0", ""},
	{flows.RouteCallback, "mt:ngadd", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:ngrole", flows.ManageMeetings, "M.P.1", ""},
	{flows.RouteCallback, "mt:nguest", flows.ManageMeetings, "M.P", ""},
	{flows.RouteCallback, "mt:nguestdone", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:niadd", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:nidel", flows.ManageMeetings, "0", ""},
	{flows.RouteCallback, "mt:nitem", flows.ManageMeetings, "I", ""},
	{flows.RouteCallback, "mt:nkind", flows.ManageMeetings, "1", ""},
	{flows.RouteCallback, "mt:nmat", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:nmatdone", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:nnew", flows.ManageMeetings, "", ""},
	{flows.RouteCallback, "mt:nnolink", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:nnoreason", flows.Registered, "M", "invitee"},
	{flows.RouteCallback, "mt:nonline", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:nresume", flows.ManageMeetings, "M", ""},
	{flows.RouteCallback, "mt:nrsvp", flows.Registered, "M.1.V", "invitee"},
	{flows.RouteCallback, "mt:nsend", flows.ManageMeetings, "M", ""},

	// Membership: a director's own school's application (K), the
	// chair's and the secretary's side (association-wide).
	{flows.RouteCallback, "mb:agenda", flows.ManageMembership, "K", ""},
	{flows.RouteCallback, "mb:app", flows.ManageMembership, "K", ""},
	{flows.RouteCallback, "mb:cert", flows.ViewMembership, "", ""},
	{flows.RouteCallback, "mb:cont", flows.ApplyMembership, "K", ""},
	{flows.RouteCallback, "mb:doc", flows.ApplyMembership, "K.1.1", ""},
	{flows.RouteCallback, "mb:docs", flows.ApplyMembership, "K", ""},
	{flows.RouteCallback, "mb:drop", flows.ApplyMembership, "K", ""},
	{flows.RouteCallback, "mb:excont", flows.ManageMembership, "K", ""},
	{flows.RouteCallback, "mb:exdrop", flows.ManageMembership, "K", ""},
	{flows.RouteCallback, "mb:exnew", flows.ManageMembership, "", ""},
	{flows.RouteCallback, "mb:exorg", flows.ManageMembership, "O", ""},
	{flows.RouteCallback, "mb:exsend", flows.ManageMembership, "K", ""},
	{flows.RouteCallback, "mb:files", flows.ManageMembership, "K", ""},
	{flows.RouteCallback, "mb:ground", flows.ApplyMembership, "K.1", ""},
	{flows.RouteCallback, "mb:home", flows.ViewMembership, "", ""},
	{flows.RouteCallback, "mb:list", flows.ManageMembership, "", ""},
	{flows.RouteCallback, "mb:new", flows.ApplyMembership, "3", ""},
	{flows.RouteCallback, "mb:next", flows.ApplyMembership, "K", ""},
	{flows.RouteCallback, "mb:pair", flows.ViewMembership, "", ""},
	{flows.RouteCallback, "mb:rec", flows.ApplyMembership, "K.0", ""},
	{flows.RouteCallback, "mb:reg", flows.ManageMembership, "", ""},
	{flows.RouteCallback, "mb:sched", flows.ManageMembership, "K.M", ""},
	{flows.RouteCallback, "mb:send", flows.ApplyMembership, "K", ""},

	// The documents journal (the chair's and the secretary's; a draft
	// only its author's) and the working groups: the chair's and the
	// secretary's side, and a member's and the lead's (Registered,
	// checked against the group; the world has no group, so these are
	// stale for everyone, and the kind pressed is unknown so none is
	// made).
	{flows.RouteCallback, "jr:all", flows.KeepJournal, "", ""},
	{flows.RouteCallback, "jr:annul", flows.KeepJournal, "1", ""},
	{flows.RouteCallback, "jr:del", flows.KeepJournal, "1", ""},
	{flows.RouteCallback, "jr:dir", flows.KeepJournal, "1", ""},
	{flows.RouteCallback, "jr:find", flows.KeepJournal, "", ""},
	{flows.RouteCallback, "jr:home", flows.KeepJournal, "", ""},
	{flows.RouteCallback, "jr:new", flows.KeepJournal, "", ""},
	{flows.RouteCallback, "jr:nofile", flows.KeepJournal, "1", ""},
	{flows.RouteCallback, "jr:open", flows.KeepJournal, "1", ""},
	{flows.RouteCallback, "jr:page", flows.KeepJournal, "1", ""},
	{flows.RouteCallback, "jr:reg", flows.KeepJournal, "1", ""},
	{flows.RouteCallback, "jr:resume", flows.KeepJournal, "1", ""},
	{flows.RouteCallback, "jr:today", flows.KeepJournal, "1", ""},
	{flows.RouteCallback, "jr:xlsx", flows.KeepJournal, "2026", ""},
	{flows.RouteCallback, "wg:add", flows.ManageGroups, "1", ""},
	{flows.RouteCallback, "wg:card", flows.Registered, "1", ""},
	{flows.RouteCallback, "wg:kind", flows.ManageGroups, "9", ""},
	{flows.RouteCallback, "wg:lead", flows.ManageGroups, "1.P", ""},
	{flows.RouteCallback, "wg:leads", flows.ManageGroups, "1", ""},
	{flows.RouteCallback, "wg:list", flows.ManageGroups, "1", ""},
	{flows.RouteCallback, "wg:mine", flows.Registered, "", ""},
	{flows.RouteCallback, "wg:msg", flows.Registered, "1", ""},
	{flows.RouteCallback, "wg:new", flows.ManageGroups, "", ""},
	{flows.RouteCallback, "wg:pick", flows.ManageGroups, "1.P", ""},
	{flows.RouteCallback, "wg:rm", flows.ManageGroups, "1.P", ""},
	{flows.RouteCallback, "wg:rms", flows.ManageGroups, "1", ""},
	{flows.RouteCallback, "wg:send", flows.Registered, "1", ""},
	{flows.RouteCallback, "wg:task", flows.Registered, "1", ""},

	// Steps: typed input while a conversation is at the step.
	{flows.RouteStep, "admin:deactivate", flows.DeactivatePeople, "", ""},
	{flows.RouteStep, "admin:invite", flows.InvitePeople, "", ""},
	{flows.RouteStep, "admin:org_edit", flows.ManageOrganisations, "", ""},
	{flows.RouteStep, "admin:org_municipality", flows.ManageOrganisations, "", ""},
	{flows.RouteStep, "admin:org_name", flows.ManageOrganisations, "", ""},
	{flows.RouteStep, "admin:org_save", flows.ManageOrganisations, "", ""},
	{flows.RouteStep, "admin:org_short", flows.ManageOrganisations, "", ""},
	{flows.RouteStep, "admin:org_status", flows.ManageOrganisations, "", ""},
	{flows.RouteStep, "association:mb.address", flows.ApplyMembership, "", ""},
	{flows.RouteStep, "association:mb.exreason", flows.ManageMembership, "", ""},
	{flows.RouteStep, "association:mb.files", flows.ApplyMembership, "", ""},
	{flows.RouteStep, "association:mb.reason", flows.ApplyMembership, "", ""},
	{flows.RouteStep, "association:mb.rec", flows.ApplyMembership, "", ""},
	{flows.RouteStep, "audit:area", flows.ConductAudits, "", ""},
	{flows.RouteStep, "audit:cause", flows.ManageTasks, "", ""},
	{flows.RouteStep, "audit:co", flows.ConductAudits, "", ""},
	{flows.RouteStep, "audit:comment", flows.ConductAudits, "", ""},
	{flows.RouteStep, "audit:date", flows.ConductAudits, "", ""},
	{flows.RouteStep, "audit:desc", flows.ConductAudits, "", ""},
	{flows.RouteStep, "audit:due", flows.ManageTasks, "", ""},
	{flows.RouteStep, "audit:edit", flows.ConductAudits, "", ""},
	{flows.RouteStep, "audit:photos", flows.ConductAudits, "", ""},
	{flows.RouteStep, "audit:place", flows.ConductAudits, "", ""},
	{flows.RouteStep, "audit:req", flows.ConductAudits, "", ""},
	{flows.RouteStep, "groups:due", flows.Registered, "", ""},
	{flows.RouteStep, "groups:message", flows.Registered, "", ""},
	{flows.RouteStep, "groups:name", flows.ManageGroups, "", ""},
	{flows.RouteStep, "groups:search", flows.ManageGroups, "", ""},
	{flows.RouteStep, "groups:task", flows.Registered, "", ""},
	{flows.RouteStep, "journal:annul", flows.KeepJournal, "", ""},
	{flows.RouteStep, "journal:corr", flows.KeepJournal, "", ""},
	{flows.RouteStep, "journal:date", flows.KeepJournal, "", ""},
	{flows.RouteStep, "journal:file", flows.KeepJournal, "", ""},
	{flows.RouteStep, "journal:query", flows.KeepJournal, "", ""},
	{flows.RouteStep, "journal:subject", flows.KeepJournal, "", ""},
	{flows.RouteStep, "meetings:a.decision", flows.ManageMeetings, "", ""},
	{flows.RouteStep, "meetings:a.due", flows.ManageMeetings, "", ""},
	{flows.RouteStep, "meetings:a.upload", flows.ManageMeetings, "", ""},
	{flows.RouteStep, "meetings:a.votes", flows.ManageMeetings, "", ""},
	{flows.RouteStep, "meetings:a.who", flows.ManageMeetings, "", ""},
	{flows.RouteStep, "meetings:n.agenda", flows.ManageMeetings, "", ""},
	{flows.RouteStep, "meetings:n.guest", flows.ManageMeetings, "", ""},
	{flows.RouteStep, "meetings:n.item", flows.ManageMeetings, "", ""},
	{flows.RouteStep, "meetings:n.link", flows.ManageMeetings, "", ""},
	{flows.RouteStep, "meetings:n.mat", flows.ManageMeetings, "", ""},
	{flows.RouteStep, "meetings:n.place", flows.ManageMeetings, "", ""},
	{flows.RouteStep, "meetings:n.reason", flows.Registered, "", ""},
	{flows.RouteStep, "meetings:n.when", flows.ManageMeetings, "", ""},
	{flows.RouteStep, "onboarding:confirm", flows.Anyone, "", ""},
	{flows.RouteStep, "onboarding:consent", flows.Anyone, "", ""},
	{flows.RouteStep, "onboarding:forget", flows.Registered, "", ""},
	{flows.RouteStep, "onboarding:name", flows.Anyone, "", ""},
	{flows.RouteStep, "onboarding:rename", flows.Registered, "", ""},
	{flows.RouteStep, "survey:author_audience", flows.ManageSurveys, "", ""},
	{flows.RouteStep, "survey:author_classes", flows.ManageSurveys, "", ""},
	{flows.RouteStep, "survey:author_date", flows.ManageSurveys, "", ""},
	{flows.RouteStep, "survey:author_extend", flows.ManageSurveys, "", ""},
	{flows.RouteStep, "survey:author_org", flows.ManageSurveys, "", ""},
	{flows.RouteStep, "survey:author_source", flows.ManageSurveys, "", ""},
	{flows.RouteStep, "survey:author_summary", flows.ManageSurveys, "", ""},
	{flows.RouteStep, "survey:author_upload", flows.ManageSurveys, "", ""},
	{flows.RouteStep, "survey:text", flows.Anyone, "", "public"},
	{flows.RouteStep, "tasks:man_confirm", flows.ManageTasks, "", ""},
	{flows.RouteStep, "tasks:man_dir", flows.ManageTasks, "", ""},
	{flows.RouteStep, "tasks:man_due", flows.ManageTasks, "", ""},
	{flows.RouteStep, "tasks:man_edit_due", flows.ManageTasks, "", ""},
	{flows.RouteStep, "tasks:man_edit_title", flows.ManageTasks, "", ""},
	{flows.RouteStep, "tasks:man_ev", flows.ManageTasks, "", ""},
	{flows.RouteStep, "tasks:man_import", flows.ManageTasks, "", ""},
	{flows.RouteStep, "tasks:man_return", flows.ManageTasks, "", ""},
	{flows.RouteStep, "tasks:man_title", flows.ManageTasks, "", ""},
	{flows.RouteStep, "tasks:man_who", flows.ManageTasks, "", ""},
	{flows.RouteStep, "tasks:mine_due", flows.Registered, "", ""},
	{flows.RouteStep, "tasks:mine_help", flows.Registered, "", ""},
	{flows.RouteStep, "tasks:mine_reason", flows.Registered, "", ""},
	{flows.RouteStep, "tasks:mine_report", flows.Registered, "", ""},
	{flows.RouteStep, "tasks:set_holidays", flows.ManageTasks, "", ""},
	{flows.RouteStep, "tasks:set_ladder", flows.ManageTasks, "", ""},
	{flows.RouteStep, "tasks:set_quiet", flows.ManageTasks, "", ""},
}

// grantedBy is the role table as this test expects it, written out
// independently of flows' own: which roles hold each permission. Anyone
// and Registered are not listed.
var grantedBy = map[flows.Permission][]storage.Role{
	flows.ManageOrganisations: {storage.RoleAdmin},
	flows.PairMentors:         {storage.RoleAdmin},
	flows.InvitePeople:        {storage.RoleAdmin, storage.RoleQualityManager},
	flows.ViewPeople:          {storage.RoleAdmin, storage.RoleChair, storage.RoleQualityManager},
	flows.DeactivatePeople:    {storage.RoleAdmin},
	flows.ManageSurveys:       {storage.RoleChair, storage.RoleQualityManager},
	flows.ViewSurveyResults:   {storage.RoleAdmin, storage.RoleChair, storage.RoleQualityManager},
	flows.CompareSchools:      {storage.RoleAdmin, storage.RoleChair},
	flows.ManageTasks:         {storage.RoleQualityManager},
	flows.ConductAudits:       {storage.RoleAuditor, storage.RoleQualityManager},
	flows.ViewAudits:          {storage.RoleAdmin, storage.RoleChair, storage.RoleQualityManager},
	flows.ManageMeetings:      {storage.RoleSecretary, storage.RoleChair},
	flows.ApplyMembership:     {storage.RoleDirector},
	flows.ViewMembership:      {storage.RoleDirector, storage.RoleQualityManager},
	flows.ManageMembership:    {storage.RoleChair, storage.RoleSecretary},
	flows.KeepJournal:         {storage.RoleChair, storage.RoleSecretary},
	flows.ManageGroups:        {storage.RoleChair, storage.RoleSecretary},
}

// TestAccessTable: the matrix has a row for exactly the routes the bot
// registers, each with the permission it is registered with.
func TestAccessTable(t *testing.T) {
	t.Parallel()
	e := flowtest.New(t, wireFlows)
	type key struct {
		kind flows.RouteKind
		name string
	}
	want := map[key]flows.Permission{}
	for _, row := range access {
		k := key{row.kind, row.name}
		if _, dup := want[k]; dup {
			t.Errorf("the access table has two rows for %s %q", row.kind, row.name)
		}
		want[k] = row.perm
	}
	for _, rt := range e.Router.Routes() {
		k := key{rt.Kind, rt.Name}
		perm, ok := want[k]
		switch {
		case !ok:
			t.Errorf("%s %q (%s) has no row in the access table (cmd/smkbot/access_test.go): add one", rt.Kind, rt.Name, rt.Perm)
		case perm != rt.Perm:
			t.Errorf("%s %q is registered with %s, the access table says %s", rt.Kind, rt.Name, rt.Perm, perm)
		}
		delete(want, k)
	}
	for k := range want {
		t.Errorf("the access table has a row for %s %q, which is not registered", k.kind, k.name)
	}
	for p := range grantedBy {
		for _, r := range storage.Roles() {
			a := &flows.Actor{Person: &storage.Person{ID: 1, Active: true}, Roles: []storage.RoleGrant{{Role: r, OrgID: 1}}}
			if a.Can(p) != slices.Contains(grantedBy[p], r) {
				t.Errorf("role %s: Can(%s) = %v, the access table says %v", r, p, a.Can(p), !a.Can(p))
			}
		}
	}
}

// actor is someone pressing every button of the matrix.
type actor struct {
	name string
	u    flowtest.User
	role storage.Role // "" for a stranger and a respondent
	own  *school      // the school of an organisation role; nil otherwise
}

// may reports whether the access table lets a actor through the router.
func (a actor) may(p flows.Permission) bool {
	switch p {
	case flows.Anyone:
		return true
	case flows.Registered:
		return a.role != ""
	}
	return slices.Contains(grantedBy[p], a.role)
}

// TestAccessMatrix sends every command, menu label and deep link and
// presses every button of the table, as every role, a stranger and a
// survey respondent, with arguments naming another school's records:
// what the table denies answers «недоступно» and changes nothing; what
// it allows does not show an organisation role another school's records
// or change them; and for records of one's own school, the router lets
// the allowed through.
func TestAccessMatrix(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	fp := newFingerprint(t, w.Env)
	forbidden := w.L.T("common.forbidden")
	actors := []actor{
		{"admin", w.adminU, storage.RoleAdmin, nil},
		{"chair", w.chairU, storage.RoleChair, nil},
		{"secretary", w.secU, storage.RoleSecretary, nil},
		{"presidium", w.presU, storage.RolePresidium, nil},
		{"quality_manager", w.a.qmU, storage.RoleQualityManager, w.a},
		{"auditor", w.a.auditorU, storage.RoleAuditor, w.a},
		{"teacher", w.a.teachU, storage.RoleTeacher, w.a},
		{"director", w.a.dirU, storage.RoleDirector, w.a},
		{"stranger", w.stranger, "", nil},
		{"respondent", w.respondent, "", nil},
	}
	if len(actors) != len(storage.Roles())+2 {
		t.Fatalf("the matrix has %d actors for %d roles: add the new role", len(actors), len(storage.Roles()))
	}
	// Deep link to the other school's survey.
	link := "/start s_" + w.b.class.Code
	ownLink := "/start s_" + w.a.class.Code

	for _, a := range actors {
		for _, row := range access {
			label := fmt.Sprintf("%s: %s %s", a.name, row.kind, row.name)
			// input sends the route's input with arguments of school s.
			input := func(s *school) []bot.Message {
				resetSession(t, w.Env, a.u)
				if a.role == "" && a.name == "respondent" {
					w.Send(t, a.u, ownLink)
				}
				switch row.kind {
				case flows.RouteCommand:
					return w.Send(t, a.u, "/"+row.name)
				case flows.RouteDeeplink:
					if s == w.a {
						return w.Send(t, a.u, ownLink)
					}
					return w.Send(t, a.u, link)
				case flows.RouteMenu:
					return w.Send(t, a.u, w.L.T(row.name))
				case flows.RouteStep:
					if err := w.Sessions.Save(context.Background(), a.u.ID, storage.Session{Step: row.name}); err != nil {
						t.Fatal(err)
					}
					return w.Send(t, a.u, "1")
				}
				// A button needs a message to be on.
				if len(w.Shown(a.u)) == 0 {
					w.Send(t, a.u, "/help")
				}
				return w.Press(t, a.u, row.name+":"+w.expand(row.arg, s))
			}

			if !a.may(row.perm) {
				before := fp.take(t, w.Env)
				msgs := input(w.b)
				if got := flowtest.Texts(msgs); len(got) != 1 || got[0] != forbidden {
					t.Errorf("%s: denied by the table, got %q, want only %q", label, got, forbidden)
				}
				if fp.take(t, w.Env) != before {
					t.Errorf("%s: denied by the table, yet the records changed", label)
				}
				if s, ok, _ := w.Sessions.Get(context.Background(), a.u.ID); ok && s.Step != "" {
					t.Errorf("%s: denied by the table, left at step %q", label, s.Step)
				}
				continue
			}

			// Another school's records, for an organisation role: not
			// shown, not changed (answering a survey is anyone's who has
			// the link, whatever the school).
			if a.own != nil && row.who != "public" {
				before := fp.take(t, w.Env)
				msgs := input(w.b)
				got := flowtest.Joined(msgs)
				for _, mark := range w.b.marks {
					if strings.Contains(got, mark) {
						t.Errorf("%s with another school's records: the reply shows %q:\n%s", label, mark, got)
					}
				}
				if row.kind == flows.RouteCallback && strings.ContainsAny(row.arg, "OEAFGDTPURSCK") && fp.take(t, w.Env) != before {
					t.Errorf("%s with another school's records (%s): the records changed", label, w.expand(row.arg, w.b))
				}
			}

			// One's own school's records: the router lets every allowed
			// role through; the handler refuses those the record is not
			// for, when the row says whose it is.
			holders := strings.Fields(row.who)
			if row.who == "invitee" {
				holders = w.invitees(t)
			}
			msgs := input(w.a)
			refused := slices.Equal(flowtest.Texts(msgs), []string{forbidden})
			switch {
			case row.who == "" || row.who == "public" || slices.Contains(holders, string(a.role)):
				if refused {
					t.Errorf("%s with own records: answered %q", label, forbidden)
				}
			case !refused:
				t.Errorf("%s with own records: the records are %s's, yet not refused: %q", label, row.who, flowtest.Texts(msgs))
			}
		}
	}
}

// invitees are the roles of the people of the world's meeting is sent
// to, as they stand (the secretary may add a guest).
func (w *world) invitees(t testing.TB) []string {
	t.Helper()
	inv, err := w.Store.ListInvitees(context.Background(), w.meeting.ID)
	must(t, err)
	var roles []string
	for _, i := range inv {
		_, grants, err := w.Store.FindPersonByID(context.Background(), i.PersonID)
		must(t, err)
		for _, g := range grants {
			if g.OrgID == 0 || g.OrgID == w.a.org.ID {
				roles = append(roles, string(g.Role))
			}
		}
	}
	return roles
}
