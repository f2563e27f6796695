package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// groupColumns selects a WorkingGroup from working_groups g with its
// number of members.
const groupColumns = `g.id, g.kind, g.name, coalesce(g.lead_id, 0) as lead_id,
	coalesce(g.created_by, 0) as created_by, g.created_at,
	(select count(*) from working_group_members m where m.group_id = g.id)::integer as members`

func findGroup(ctx context.Context, tx pgx.Tx, where string, args ...any) (WorkingGroup, error) {
	rows, err := tx.Query(ctx, `select `+groupColumns+` from working_groups g `+where, args...)
	if err != nil {
		return WorkingGroup{}, err
	}
	g, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[WorkingGroup])
	if errors.Is(err, pgx.ErrNoRows) {
		return WorkingGroup{}, ErrNotFound
	}
	return g, err
}

func listGroups(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]WorkingGroup, error) {
	rows, err := tx.Query(ctx, `select `+groupColumns+` from working_groups g `+where+` order by lower(g.name), g.id`, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[WorkingGroup])
}

// CreateGroup creates a working group of kind under name (spaces tidied).
// It returns ErrInvalid for an unknown kind or an empty or too long name,
// and ErrConflict when a group of that name (in any case) exists.
func (s *Store) CreateGroup(ctx context.Context, actorID int64, kind GroupKind, name string) (WorkingGroup, error) {
	name = strings.Join(strings.Fields(name), " ")
	if !kind.Valid() || name == "" || utf8.RuneCountInString(name) > MaxGroupName {
		return WorkingGroup{}, fmt.Errorf("storage: create group %q (%s): %w", name, kind, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return WorkingGroup{}, fmt.Errorf("storage: create group: %w", err)
	}
	defer tx.Rollback(ctx)

	now := s.now()
	var id int64
	err = tx.QueryRow(ctx, `insert into working_groups (kind, name, created_by, created_at)
		values ($1, $2, $3, $4) returning id`, kind, name, nullID(actorID), now).Scan(&id)
	if pgCode(err) == pgUniqueViolation {
		return WorkingGroup{}, fmt.Errorf("storage: create group: name taken: %w", ErrConflict)
	}
	if err != nil {
		return WorkingGroup{}, fmt.Errorf("storage: create group: %w", err)
	}
	if err := logAction(ctx, tx, now, actorID, "group.create", "working_group", id, map[string]any{"kind": string(kind)}); err != nil {
		return WorkingGroup{}, fmt.Errorf("storage: create group: %w", err)
	}
	g, err := findGroup(ctx, tx, `where g.id = $1`, id)
	if err != nil {
		return WorkingGroup{}, fmt.Errorf("storage: create group: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return WorkingGroup{}, fmt.Errorf("storage: create group: %w", err)
	}
	return g, nil
}

// FindGroup returns a group, or ErrNotFound.
func (s *Store) FindGroup(ctx context.Context, id int64) (WorkingGroup, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return WorkingGroup{}, fmt.Errorf("storage: find group %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	g, err := findGroup(ctx, tx, `where g.id = $1`, id)
	if err != nil {
		return WorkingGroup{}, fmt.Errorf("storage: find group %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return WorkingGroup{}, fmt.Errorf("storage: find group %d: %w", id, err)
	}
	return g, nil
}

// ListGroups returns every working group, by name.
func (s *Store) ListGroups(ctx context.Context) ([]WorkingGroup, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: list groups: %w", err)
	}
	defer tx.Rollback(ctx)

	list, err := listGroups(ctx, tx, ``)
	if err != nil {
		return nil, fmt.Errorf("storage: list groups: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: list groups: %w", err)
	}
	return list, nil
}

// GroupsOf returns the groups a person is a member of, by name.
func (s *Store) GroupsOf(ctx context.Context, personID int64) ([]WorkingGroup, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: groups of %d: %w", personID, err)
	}
	defer tx.Rollback(ctx)

	list, err := listGroups(ctx, tx, `where exists (select 1 from working_group_members m
		where m.group_id = g.id and m.person_id = $1)`, personID)
	if err != nil {
		return nil, fmt.Errorf("storage: groups of %d: %w", personID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: groups of %d: %w", personID, err)
	}
	return list, nil
}

// AddGroupMember adds a registered person to a group; adding a member
// again changes nothing (added is false). It returns ErrNotFound for an
// unknown group or an unknown or forgotten person.
func (s *Store) AddGroupMember(ctx context.Context, actorID, groupID, personID int64) (added bool, _ error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("storage: add member %d to group %d: %w", personID, groupID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := findGroup(ctx, tx, `where g.id = $1 for update`, groupID); err != nil {
		return false, fmt.Errorf("storage: add member %d to group %d: %w", personID, groupID, err)
	}
	var ok bool
	if err := tx.QueryRow(ctx, `select exists (select 1 from people where id = $1 and forgotten_at is null)`,
		personID).Scan(&ok); err != nil {
		return false, fmt.Errorf("storage: add member %d to group %d: %w", personID, groupID, err)
	}
	if !ok {
		return false, fmt.Errorf("storage: add member %d to group %d: person: %w", personID, groupID, ErrNotFound)
	}
	now := s.now()
	tag, err := tx.Exec(ctx, `insert into working_group_members (group_id, person_id, added_at) values ($1, $2, $3)
		on conflict do nothing`, groupID, personID, now)
	if err != nil {
		return false, fmt.Errorf("storage: add member %d to group %d: %w", personID, groupID, err)
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	if err := logAction(ctx, tx, now, actorID, "group.member_add", "working_group", groupID, map[string]any{"person_id": personID}); err != nil {
		return false, fmt.Errorf("storage: add member %d to group %d: %w", personID, groupID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("storage: add member %d to group %d: %w", personID, groupID, err)
	}
	return true, nil
}

// RemoveGroupMember removes a member; a lead removed leaves the group
// without one. It returns ErrNotFound for an unknown group or a person
// who is not a member.
func (s *Store) RemoveGroupMember(ctx context.Context, actorID, groupID, personID int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: remove member %d from group %d: %w", personID, groupID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := findGroup(ctx, tx, `where g.id = $1 for update`, groupID); err != nil {
		return fmt.Errorf("storage: remove member %d from group %d: %w", personID, groupID, err)
	}
	tag, err := tx.Exec(ctx, `delete from working_group_members where group_id = $1 and person_id = $2`, groupID, personID)
	if err != nil {
		return fmt.Errorf("storage: remove member %d from group %d: %w", personID, groupID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("storage: remove member %d from group %d: %w", personID, groupID, ErrNotFound)
	}
	if _, err := tx.Exec(ctx, `update working_groups set lead_id = null where id = $1 and lead_id = $2`, groupID, personID); err != nil {
		return fmt.Errorf("storage: remove member %d from group %d: %w", personID, groupID, err)
	}
	if err := logAction(ctx, tx, s.now(), actorID, "group.member_remove", "working_group", groupID, map[string]any{"person_id": personID}); err != nil {
		return fmt.Errorf("storage: remove member %d from group %d: %w", personID, groupID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: remove member %d from group %d: %w", personID, groupID, err)
	}
	return nil
}

// SetGroupLead names a member the group's lead. It returns ErrNotFound
// for an unknown group and ErrInvalid for a person who is not a member.
func (s *Store) SetGroupLead(ctx context.Context, actorID, groupID, personID int64) (WorkingGroup, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return WorkingGroup{}, fmt.Errorf("storage: set lead of group %d: %w", groupID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := findGroup(ctx, tx, `where g.id = $1 for update`, groupID); err != nil {
		return WorkingGroup{}, fmt.Errorf("storage: set lead of group %d: %w", groupID, err)
	}
	tag, err := tx.Exec(ctx, `update working_groups set lead_id = $2 where id = $1
		and exists (select 1 from working_group_members m where m.group_id = $1 and m.person_id = $2)`, groupID, personID)
	if err != nil {
		return WorkingGroup{}, fmt.Errorf("storage: set lead of group %d: %w", groupID, err)
	}
	if tag.RowsAffected() == 0 {
		return WorkingGroup{}, fmt.Errorf("storage: set lead of group %d: %d not a member: %w", groupID, personID, ErrInvalid)
	}
	if err := logAction(ctx, tx, s.now(), actorID, "group.lead", "working_group", groupID, map[string]any{"person_id": personID}); err != nil {
		return WorkingGroup{}, fmt.Errorf("storage: set lead of group %d: %w", groupID, err)
	}
	g, err := findGroup(ctx, tx, `where g.id = $1`, groupID)
	if err != nil {
		return WorkingGroup{}, fmt.Errorf("storage: set lead of group %d: %w", groupID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return WorkingGroup{}, fmt.Errorf("storage: set lead of group %d: %w", groupID, err)
	}
	return g, nil
}

// ListGroupMembers returns a group's members by name (forgotten people,
// nameless, last).
func (s *Store) ListGroupMembers(ctx context.Context, groupID int64) ([]GroupMember, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: members of group %d: %w", groupID, err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `
		select m.group_id, m.person_id, p.full_name, coalesce(p.telegram_id, 0) as telegram_id,
		       coalesce(p.org_id, 0) as org_id, p.active, m.added_at
		from working_group_members m join people p on p.id = m.person_id
		where m.group_id = $1
		order by p.full_name = '', p.full_name, p.id`, groupID)
	if err != nil {
		return nil, fmt.Errorf("storage: members of group %d: %w", groupID, err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[GroupMember])
	if err != nil {
		return nil, fmt.Errorf("storage: members of group %d: %w", groupID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: members of group %d: %w", groupID, err)
	}
	return list, nil
}

// groupMessageColumns selects a GroupMessage from group_messages gm.
const groupMessageColumns = `gm.id, gm.group_id, coalesce(gm.author_id, 0) as author_id, gm.text, gm.created_at,
	coalesce(gm.sent_at, '0001-01-01 00:00:00Z'::timestamptz) as sent_at,
	coalesce(gm.reported_at, '0001-01-01 00:00:00Z'::timestamptz) as reported_at`

func findGroupMessage(ctx context.Context, tx pgx.Tx, where string, args ...any) (GroupMessage, error) {
	rows, err := tx.Query(ctx, `select `+groupMessageColumns+` from group_messages gm `+where, args...)
	if err != nil {
		return GroupMessage{}, err
	}
	m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[GroupMessage])
	if errors.Is(err, pgx.ErrNoRows) {
		return GroupMessage{}, ErrNotFound
	}
	return m, err
}

// SaveGroupMessageDraft keeps the text the author is writing to a group:
// the author's unsent message to the group is replaced, or a new one
// made. It returns ErrInvalid for an empty or too long text and
// ErrNotFound for an unknown group.
func (s *Store) SaveGroupMessageDraft(ctx context.Context, authorID, groupID int64, text string) (GroupMessage, error) {
	text = strings.TrimSpace(text)
	if text == "" || utf8.RuneCountInString(text) > MaxGroupMessage {
		return GroupMessage{}, fmt.Errorf("storage: group %d message draft: %w", groupID, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return GroupMessage{}, fmt.Errorf("storage: group %d message draft: %w", groupID, err)
	}
	defer tx.Rollback(ctx)

	if _, err := findGroup(ctx, tx, `where g.id = $1 for update`, groupID); err != nil {
		return GroupMessage{}, fmt.Errorf("storage: group %d message draft: %w", groupID, err)
	}
	now := s.now()
	var id int64
	err = tx.QueryRow(ctx, `update group_messages set text = $3, created_at = $4
		where group_id = $1 and author_id = $2 and sent_at is null returning id`, groupID, authorID, text, now).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		err = tx.QueryRow(ctx, `insert into group_messages (group_id, author_id, text, created_at)
			values ($1, $2, $3, $4) returning id`, groupID, nullID(authorID), text, now).Scan(&id)
	}
	if err != nil {
		return GroupMessage{}, fmt.Errorf("storage: group %d message draft: %w", groupID, err)
	}
	m, err := findGroupMessage(ctx, tx, `where gm.id = $1`, id)
	if err != nil {
		return GroupMessage{}, fmt.Errorf("storage: group %d message draft: %w", groupID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return GroupMessage{}, fmt.Errorf("storage: group %d message draft: %w", groupID, err)
	}
	return m, nil
}

// FindGroupMessage returns a message, or ErrNotFound.
func (s *Store) FindGroupMessage(ctx context.Context, id int64) (GroupMessage, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return GroupMessage{}, fmt.Errorf("storage: find group message %d: %w", id, err)
	}
	defer tx.Rollback(ctx)

	m, err := findGroupMessage(ctx, tx, `where gm.id = $1`, id)
	if err != nil {
		return GroupMessage{}, fmt.Errorf("storage: find group message %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return GroupMessage{}, fmt.Errorf("storage: find group message %d: %w", id, err)
	}
	return m, nil
}

// SendGroupMessage marks a draft message sent and fixes its recipients:
// every member of the group but the author, each with delivery pending.
// It returns the message and the number of recipients; ErrNotFound for
// an unknown message, ErrConflict for one sent already, ErrInvalid when
// the group has no one else to send to.
func (s *Store) SendGroupMessage(ctx context.Context, actorID, messageID int64) (GroupMessage, int, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return GroupMessage{}, 0, fmt.Errorf("storage: send group message %d: %w", messageID, err)
	}
	defer tx.Rollback(ctx)

	m, err := findGroupMessage(ctx, tx, `where gm.id = $1 for update`, messageID)
	if err != nil {
		return GroupMessage{}, 0, fmt.Errorf("storage: send group message %d: %w", messageID, err)
	}
	if !m.SentAt.IsZero() {
		return GroupMessage{}, 0, fmt.Errorf("storage: send group message %d: sent already: %w", messageID, ErrConflict)
	}
	now := s.now()
	tag, err := tx.Exec(ctx, `insert into group_message_deliveries (message_id, person_id)
		select $1, m.person_id from working_group_members m where m.group_id = $2 and m.person_id <> $3`,
		messageID, m.GroupID, m.AuthorID)
	if err != nil {
		return GroupMessage{}, 0, fmt.Errorf("storage: send group message %d: %w", messageID, err)
	}
	n := int(tag.RowsAffected())
	if n == 0 {
		return GroupMessage{}, 0, fmt.Errorf("storage: send group message %d: no recipients: %w", messageID, ErrInvalid)
	}
	if _, err := tx.Exec(ctx, `update group_messages set sent_at = $2 where id = $1`, messageID, now); err != nil {
		return GroupMessage{}, 0, fmt.Errorf("storage: send group message %d: %w", messageID, err)
	}
	if err := logAction(ctx, tx, now, actorID, "group.message", "working_group", m.GroupID, map[string]any{"message_id": messageID, "recipients": n}); err != nil {
		return GroupMessage{}, 0, fmt.Errorf("storage: send group message %d: %w", messageID, err)
	}
	m, err = findGroupMessage(ctx, tx, `where gm.id = $1`, messageID)
	if err != nil {
		return GroupMessage{}, 0, fmt.Errorf("storage: send group message %d: %w", messageID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return GroupMessage{}, 0, fmt.Errorf("storage: send group message %d: %w", messageID, err)
	}
	return m, n, nil
}

// GroupDeliveries returns a sent message's recipients with their
// delivery, by name (forgotten people last).
func (s *Store) GroupDeliveries(ctx context.Context, messageID int64) ([]GroupDelivery, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: deliveries of group message %d: %w", messageID, err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `
		select d.message_id, d.person_id, d.status, p.full_name
		from group_message_deliveries d join people p on p.id = d.person_id
		where d.message_id = $1
		order by p.full_name = '', p.full_name, p.id`, messageID)
	if err != nil {
		return nil, fmt.Errorf("storage: deliveries of group message %d: %w", messageID, err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[GroupDelivery])
	if err != nil {
		return nil, fmt.Errorf("storage: deliveries of group message %d: %w", messageID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: deliveries of group message %d: %w", messageID, err)
	}
	return list, nil
}

// SetGroupDelivery records what became of a message sent to a member.
// It returns ErrInvalid for an unknown status and ErrNotFound when the
// person is not a recipient.
func (s *Store) SetGroupDelivery(ctx context.Context, messageID, personID int64, status DeliveryStatus) error {
	switch status {
	case DeliveryPending, DeliverySent, DeliveryBlocked, DeliveryNoChat, DeliveryFailed:
	default:
		return fmt.Errorf("storage: group delivery %d/%d: status %q: %w", messageID, personID, status, ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: group delivery %d/%d: %w", messageID, personID, err)
	}
	defer tx.Rollback(ctx)

	tag, err := tx.Exec(ctx, `update group_message_deliveries set status = $3
		where message_id = $1 and person_id = $2`, messageID, personID, status)
	if err != nil {
		return fmt.Errorf("storage: group delivery %d/%d: %w", messageID, personID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("storage: group delivery %d/%d: %w", messageID, personID, ErrNotFound)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("storage: group delivery %d/%d: %w", messageID, personID, err)
	}
	return nil
}

// ClaimGroupReport claims the delivery report of a message: true the
// first time, false ever after, across replicas and retries.
func (s *Store) ClaimGroupReport(ctx context.Context, messageID int64) (bool, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("storage: claim report of group message %d: %w", messageID, err)
	}
	defer tx.Rollback(ctx)

	tag, err := tx.Exec(ctx, `update group_messages set reported_at = $2
		where id = $1 and sent_at is not null and reported_at is null`, messageID, s.now())
	if err != nil {
		return false, fmt.Errorf("storage: claim report of group message %d: %w", messageID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("storage: claim report of group message %d: %w", messageID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// linkGroupTask records that a task was given to a member of a group;
// linking again changes nothing. The error wraps ErrNotFound for an
// unknown group.
func linkGroupTask(ctx context.Context, tx pgx.Tx, groupID, taskID int64) error {
	_, err := tx.Exec(ctx, `insert into group_tasks (group_id, task_id) values ($1, $2) on conflict do nothing`, groupID, taskID)
	if pgCode(err) == pgForeignKeyViolation {
		return fmt.Errorf("group %d task %d: %w", groupID, taskID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("group %d task %d: %w", groupID, taskID, err)
	}
	return nil
}

// GroupTasks returns the ids of the tasks given to a group's members,
// oldest first.
func (s *Store) GroupTasks(ctx context.Context, groupID int64) ([]int64, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: tasks of group %d: %w", groupID, err)
	}
	defer tx.Rollback(ctx)

	rows, err := tx.Query(ctx, `select task_id from group_tasks where group_id = $1 order by task_id`, groupID)
	if err != nil {
		return nil, fmt.Errorf("storage: tasks of group %d: %w", groupID, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("storage: tasks of group %d: %w", groupID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: tasks of group %d: %w", groupID, err)
	}
	return ids, nil
}
