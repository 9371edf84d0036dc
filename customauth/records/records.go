package records

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// Record is the live challenge record of a slot.
type Record struct {
	Nonce     string    // random; the secret is derived from it with a key
	ExpiresAt time.Time // kept to the second
	SentAt    time.Time // when the secret was last sent; zero if never
	Failures  int       // wrong answers so far
}

// Live reports whether the record has not expired at now.
func (r Record) Live(now time.Time) bool { return now.Unix() < r.ExpiresAt.Unix() }

// Store keeps challenge records. Every method is a single conditional
// operation, safe under concurrent use from many Lambda instances. Methods
// that name a nonce act only on the record that still has that nonce, so a
// late call cannot touch a newer record of the same slot.
type Store interface {
	// Open returns the live record of slot, or stores fresh and returns it
	// when the slot has no live record. Concurrent Opens of a slot return
	// the same record.
	Open(ctx context.Context, slot string, fresh Record, now time.Time) (Record, error)

	// ClaimSend sets SentAt to now if the record was never sent or was last
	// sent at least interval ago, and reports whether it did: the caller
	// that wins sends the secret; the others do not.
	ClaimSend(ctx context.Context, slot, nonce string, now time.Time, interval time.Duration) (bool, error)

	// ReleaseSend undoes the ClaimSend made at claimedAt, after the send
	// failed, so that a retry sends again.
	ReleaseSend(ctx context.Context, slot, nonce string, claimedAt time.Time) error

	// Fail counts a wrong answer and deletes the record once it has had max
	// of them; it reports whether it did (the secret is burned).
	Fail(ctx context.Context, slot, nonce string, max int) (bool, error)

	// Consume deletes the live record that has nonce and fewer than
	// maxFailures wrong answers (at least 1), and reports whether it did.
	// The failure condition closes the gap between Fail's count reaching
	// its limit and its delete: a guess racing the last wrong answers
	// cannot consume the code.
	//
	// Consume deletes the live record that has nonce and reports whether it
	// did. It is true once per record: the single use of the secret.
	Consume(ctx context.Context, slot, nonce string, now time.Time, maxFailures int) (bool, error)
}

// NewNonce returns 128 random bits from crypto/rand, base64url-encoded.
func NewNonce() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("records: read random nonce: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// MaxSlotLength bounds slot names (DynamoDB allows 2048-byte keys).
const MaxSlotLength = 1024

// ErrInvalid is wrapped by errors about bad arguments.
var ErrInvalid = errors.New("records: invalid argument")

func checkSlot(slot string) error {
	if slot == "" || len(slot) > MaxSlotLength {
		return fmt.Errorf("%w: slot must have 1 to %d bytes, has %d", ErrInvalid, MaxSlotLength, len(slot))
	}
	return nil
}

func checkMax(maxFailures int) error {
	if maxFailures < 1 {
		return fmt.Errorf("%w: maxFailures %d is less than 1", ErrInvalid, maxFailures)
	}
	return nil
}

func checkFresh(fresh Record, now time.Time) error {
	if fresh.Nonce == "" {
		return fmt.Errorf("%w: the fresh record has no nonce", ErrInvalid)
	}
	if !fresh.Live(now) {
		return fmt.Errorf("%w: the fresh record expires at %s, not after now %s", ErrInvalid, fresh.ExpiresAt.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}

// normalise keeps times to the precision that DynamoStore keeps them, so
// that both stores return equal records.
func normalise(r Record) Record {
	r.ExpiresAt = time.Unix(r.ExpiresAt.Unix(), 0)
	if !r.SentAt.IsZero() {
		r.SentAt = time.UnixMilli(r.SentAt.UnixMilli())
	}
	return r
}
