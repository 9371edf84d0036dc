package limits

import (
	"context"
	"sync"
	"time"
)

// MemoryStore is a Store in process memory, for tests, local runs and as
// the default of customauth.Sequence. In AWS Lambda each instance has its
// own, so an attacker spread over instances gets one budget per instance:
// deploy with DynamoStore.
type MemoryStore struct {
	limits Limits
	mu     sync.Mutex
	m      map[string]*memState
}

type memState struct {
	failures    map[int64]int64 // by failure window
	sends       map[int64]int64 // by send window
	lockedUntil int64           // Unix seconds
	level       int64           // lockouts so far
	expiresAt   int64           // Unix seconds
}

// NewMemoryStore returns a MemoryStore with l (zero fields are defaults).
func NewMemoryStore(l Limits) (*MemoryStore, error) {
	if err := l.Check(); err != nil {
		return nil, err
	}
	return &MemoryStore{limits: l.WithDefaults(), m: map[string]*memState{}}, nil
}

// Spend implements Store.
func (s *MemoryStore) Spend(_ context.Context, key string, c Charge, now time.Time) (bool, error) {
	if err := checkKey(key); err != nil {
		return false, err
	}
	l := s.limits
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.m[key]
	if st == nil || st.expiresAt <= now.Unix() {
		st = &memState{failures: map[int64]int64{}, sends: map[int64]int64{}}
	}
	if st.lockedUntil+int64(l.memory()/time.Second) <= now.Unix() {
		st.level = 0 // the last lockout is long over: start again at Lockout
	}
	fw, sw := window(now, l.FailureWindow), window(now, l.SendWindow)
	failed := st.failures[fw] + st.failures[fw-1]
	locked := st.lockedUntil > now.Unix() || failed >= int64(l.MaxFailures)
	if c == (Charge{}) {
		return !locked, nil
	}
	if locked {
		return false, nil
	}
	for w := range st.failures {
		if w < fw-1 {
			delete(st.failures, w)
		}
	}
	for w := range st.sends {
		if w < sw {
			delete(st.sends, w)
		}
	}
	st.expiresAt = now.Add(l.memory()).Unix()
	s.m[key] = st
	if c.Failure {
		st.failures[fw]++
		if failed+1 >= int64(l.MaxFailures) {
			st.lockedUntil = now.Add(l.lockout(st.level)).Unix()
			st.level++
			delete(st.failures, fw)
			delete(st.failures, fw-1)
			return false, nil
		}
	}
	if c.Delivery {
		if st.sends[sw] >= int64(l.MaxSends) {
			return false, nil
		}
		st.sends[sw]++
	}
	return true, nil
}
