package limits

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Defaults of Limits.
const (
	DefaultMaxFailures   = 5
	DefaultFailureWindow = 15 * time.Minute
	DefaultLockout       = 15 * time.Minute
	DefaultMaxLockout    = 24 * time.Hour
	DefaultMaxSends      = 10
	DefaultSendWindow    = time.Hour
)

// Limits are the per-user limits. The zero value means the defaults.
type Limits struct {
	// MaxFailures wrong answers within FailureWindow start a lockout;
	// default 5, 1 to 100.
	MaxFailures int
	// FailureWindow is the window of MaxFailures; default 15 minutes, 1
	// minute to 24 hours.
	FailureWindow time.Duration
	// Lockout is the first lockout; each further one doubles it; default
	// 15 minutes, 1 second to MaxLockout.
	Lockout time.Duration
	// MaxLockout caps the lockout; default 24 hours, at most 30 days.
	MaxLockout time.Duration
	// MaxSends is how many rounds that deliver a code or a link a user
	// gets per SendWindow; default 10, 1 to 1000.
	MaxSends int
	// SendWindow is the window of MaxSends; default 1 hour, 1 minute to 24
	// hours.
	SendWindow time.Duration
}

// ErrInvalid is wrapped by the errors of Limits.Check.
var ErrInvalid = errors.New("limits: invalid limits")

// WithDefaults returns l with zero fields set to their defaults.
func (l Limits) WithDefaults() Limits {
	if l.MaxFailures == 0 {
		l.MaxFailures = DefaultMaxFailures
	}
	if l.FailureWindow == 0 {
		l.FailureWindow = DefaultFailureWindow
	}
	if l.Lockout == 0 {
		l.Lockout = DefaultLockout
	}
	if l.MaxLockout == 0 {
		l.MaxLockout = DefaultMaxLockout
	}
	if l.MaxSends == 0 {
		l.MaxSends = DefaultMaxSends
	}
	if l.SendWindow == 0 {
		l.SendWindow = DefaultSendWindow
	}
	return l
}

// Check reports limits outside their documented ranges (after defaults).
func (l Limits) Check() error {
	l = l.WithDefaults()
	switch {
	case l.MaxFailures < 1 || l.MaxFailures > 100:
		return fmt.Errorf("%w: MaxFailures %d is outside 1..100", ErrInvalid, l.MaxFailures)
	case l.FailureWindow < time.Minute || l.FailureWindow > 24*time.Hour:
		return fmt.Errorf("%w: FailureWindow %v is outside 1m..24h", ErrInvalid, l.FailureWindow)
	case l.MaxLockout < time.Second || l.MaxLockout > 30*24*time.Hour:
		return fmt.Errorf("%w: MaxLockout %v is outside 1s..720h", ErrInvalid, l.MaxLockout)
	case l.Lockout < time.Second || l.Lockout > l.MaxLockout:
		return fmt.Errorf("%w: Lockout %v is outside 1s..MaxLockout (%v)", ErrInvalid, l.Lockout, l.MaxLockout)
	case l.MaxSends < 1 || l.MaxSends > 1000:
		return fmt.Errorf("%w: MaxSends %d is outside 1..1000", ErrInvalid, l.MaxSends)
	case l.SendWindow < time.Minute || l.SendWindow > 24*time.Hour:
		return fmt.Errorf("%w: SendWindow %v is outside 1m..24h", ErrInvalid, l.SendWindow)
	}
	return nil
}

// lockout is the length of the lockout after level earlier ones.
func (l Limits) lockout(level int64) time.Duration {
	d := l.Lockout
	for i := int64(0); i < level && d < l.MaxLockout; i++ {
		d *= 2
	}
	return min(d, l.MaxLockout)
}

// memory is how long an item outlives its last charge: long enough to hold
// the longest lockout and both windows, so that the lockout level is
// remembered for that long after the last failure.
func (l Limits) memory() time.Duration {
	return l.MaxLockout + 2*max(l.FailureWindow, l.SendWindow)
}

// window returns the index of the fixed window of length w that holds t.
func window(t time.Time, w time.Duration) int64 { return t.Unix() / int64(w/time.Second) }

// Charge is what one challenge round spends.
type Charge struct {
	// Failure counts a wrong answer to a challenge that depends on the
	// user.
	Failure bool
	// Delivery counts a round that delivers (or may deliver) a code or a
	// link.
	Delivery bool
}

// Store keeps the budgets. Spend is one conditional write (UpdateItem) for
// a charge, or one consistent read for an empty charge; only the charge
// that starts a lockout writes a second time.
type Store interface {
	// Spend charges c to the user key at now and reports whether the user
	// may go on: false while the user is locked out, when c's failure
	// starts a lockout, or when c's delivery is over the send cap. A
	// refused charge counts nothing further. An error means the budget
	// could not be read or written: the caller must refuse.
	Spend(ctx context.Context, key string, c Charge, now time.Time) (bool, error)
}

// MaxKeyLength bounds user keys.
const MaxKeyLength = 1024

func checkKey(key string) error {
	if key == "" || len(key) > MaxKeyLength {
		return fmt.Errorf("limits: user key must have 1 to %d bytes, has %d", MaxKeyLength, len(key))
	}
	return nil
}
