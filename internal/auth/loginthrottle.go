package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/serie-verkosto/directory/internal/db"
)

// A bucket is one token bucket of the login throttle: burst events at
// once, then one per every.
type bucket struct {
	name  string // what it counts, hashed before it reaches the database
	burst int
	every time.Duration
}

// throttle keeps the login throttle's buckets in the database, so that
// they survive a restart and every instance shares them. Bucket names are
// stored as an HMAC under a salt made once per database: the table holds
// neither e-mails nor addresses.
type throttle struct {
	db *db.DB

	mu   sync.Mutex
	salt []byte
}

const saltName = "login_throttle_salt"

// key returns the stored key of a bucket name, making the database's salt
// on first use (the first instance to insert it wins; the rest read it).
func (t *throttle) key(ctx context.Context, name string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.salt == nil {
		if _, err := t.db.ExecContext(ctx, t.db.Rebind(`INSERT INTO auth_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`),
			saltName, rand.Text()); err != nil {
			return "", fmt.Errorf("throttle salt: %w", err)
		}
		var s string
		if err := t.db.GetContext(ctx, &s, t.db.Rebind(`SELECT value FROM auth_secrets WHERE name = ?`), saltName); err != nil {
			return "", fmt.Errorf("throttle salt: %w", err)
		}
		t.salt = []byte(s)
	}
	m := hmac.New(sha256.New, t.salt)
	m.Write([]byte(name))
	return hex.EncodeToString(m.Sum(nil)), nil
}

// allow charges one event to each bucket in turn, in one transaction, and
// reports whether all of them allowed it. It stops at the first bucket
// that refuses, so that a refused attempt does not drain the buckets
// behind it (an attacker held by their own address's bucket does not
// empty the account's).
func (t *throttle) allow(ctx context.Context, now time.Time, buckets ...bucket) (bool, error) {
	keys := make([]string, len(buckets))
	for i, b := range buckets {
		k, err := t.key(ctx, b.name)
		if err != nil {
			return false, err
		}
		keys[i] = k
	}
	ok := true
	err := t.db.InTx(ctx, func(tx *db.Tx) error {
		for i, b := range buckets {
			allowed, err := charge(ctx, tx, keys[i], b, now)
			if err != nil {
				return err
			}
			if !allowed {
				// The charges before it stand: those buckets did allow it.
				ok = false
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("login throttle: %w", err)
	}
	return ok, nil
}

// charge counts one event against a bucket if it allows one; a refused
// event writes nothing.
func charge(ctx context.Context, tx *db.Tx, key string, b bucket, now time.Time) (bool, error) {
	// GCRA: with tat the bucket's theoretical arrival time and T its
	// interval, an event at now is allowed when tat <= now + (burst-1)·T,
	// and moves tat to max(tat, now) + T. A new bucket allows its first.
	T := b.every.Microseconds()
	n := now.UnixMicro()
	var tat int64
	err := tx.GetContext(ctx, &tat, tx.Rebind(`INSERT INTO login_throttle (key, tat) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET tat = (CASE WHEN login_throttle.tat > ? THEN login_throttle.tat ELSE ? END) + ?
		WHERE login_throttle.tat <= ?
		RETURNING tat`), key, n+T, n, n, T, n+int64(b.burst-1)*T)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// purge deletes the buckets that have filled up again: a missing row is a
// full bucket.
func (t *throttle) purge(ctx context.Context, now time.Time) (int64, error) {
	res, err := t.db.ExecContext(ctx, t.db.Rebind(`DELETE FROM login_throttle WHERE tat < ?`), now.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("purge login throttle: %w", err)
	}
	return res.RowsAffected()
}
