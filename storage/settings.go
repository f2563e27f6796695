package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// anonSecretKey is the settings row holding the survey anonymity key.
const anonSecretKey = "anon_secret"

// AnonSecret returns the key under which survey respondents are made
// anonymous (an HMAC of survey and Telegram id). A non-empty given (from the
// configuration) is used as it is. Otherwise the key is kept in the settings
// table: the first caller generates 32 random bytes, and every replica reads
// the same stored value, so respondents stay recognisable across replicas and
// restarts.
func (s *Store) AnonSecret(ctx context.Context, given string) ([]byte, error) {
	if given != "" {
		return []byte(given), nil
	}
	var fresh [32]byte
	if _, err := rand.Read(fresh[:]); err != nil {
		return nil, fmt.Errorf("storage: anon secret: %w", err)
	}

	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: anon secret: %w", err)
	}
	defer tx.Rollback(ctx)

	stored, err := settingOrInsert(ctx, tx, anonSecretKey, hex.EncodeToString(fresh[:]))
	if err != nil {
		return nil, fmt.Errorf("storage: anon secret: %w", err)
	}
	secret, err := hex.DecodeString(stored)
	if err != nil || len(secret) == 0 {
		return nil, fmt.Errorf("storage: anon secret: stored value is not a hex key")
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: anon secret: %w", err)
	}
	return secret, nil
}

// settingOrInsert returns the value of the setting, storing value first when
// there is none. Of replicas racing here, the first insert wins and the
// others read it: the conflicting insert waits for the winner to commit.
func settingOrInsert(ctx context.Context, tx pgx.Tx, key, value string) (string, error) {
	if _, err := tx.Exec(ctx, `insert into settings (key, value) values ($1, $2) on conflict (key) do nothing`,
		key, value); err != nil {
		return "", err
	}
	var stored string
	if err := tx.QueryRow(ctx, `select value from settings where key = $1`, key).Scan(&stored); err != nil {
		return "", err
	}
	return stored, nil
}
