package deliver

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// Timing remembers how long recent real sends took, so that the decoy
// round of a user that does not exist (or has nowhere to send to) can wait
// as long as a real send would, instead of answering measurably faster.
// The zero value is ready; it is safe for concurrent use.
type Timing struct {
	// Default is the wait before any real send has been timed; zero means
	// DefaultSendTime.
	Default time.Duration

	mu   sync.Mutex
	seen [64]time.Duration
	n    int // sends timed so far
}

// DefaultSendTime is a typical Amazon SES or SNS call from Lambda in the
// same region.
const DefaultSendTime = 40 * time.Millisecond

// Send sends m with s and remembers how long it took.
func (t *Timing) Send(ctx context.Context, s Sender, m Message) error {
	start := time.Now()
	err := s.Send(ctx, m)
	if err == nil {
		t.mu.Lock()
		t.seen[t.n%len(t.seen)] = time.Since(start)
		t.n++
		t.mu.Unlock()
	}
	return err
}

// Imitate waits as long as one of the recent real sends took, drawn at
// random, or until ctx is done.
func (t *Timing) Imitate(ctx context.Context) {
	t.mu.Lock()
	d := t.Default
	if d == 0 {
		d = DefaultSendTime
	}
	if n := min(t.n, len(t.seen)); n > 0 {
		d = t.seen[rand.IntN(n)]
	}
	t.mu.Unlock()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
}
