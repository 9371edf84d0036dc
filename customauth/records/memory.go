package records

import (
	"context"
	"sync"
	"time"
)

// MemoryStore is a Store in process memory, for tests and local runs. Its
// records live as long as the process: in Lambda every instance would have
// its own, so deploy DynamoStore. The zero value is ready to use.
type MemoryStore struct {
	mu      sync.Mutex
	records map[string]Record
}

// Open implements Store.
func (m *MemoryStore) Open(_ context.Context, slot string, fresh Record, now time.Time) (Record, error) {
	if err := checkSlot(slot); err != nil {
		return Record{}, err
	}
	if err := checkFresh(fresh, now); err != nil {
		return Record{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.records == nil {
		m.records = map[string]Record{}
	}
	if r, ok := m.records[slot]; ok && r.Live(now) {
		return r, nil
	}
	fresh = normalise(fresh)
	m.records[slot] = fresh
	return fresh, nil
}

// ClaimSend implements Store.
func (m *MemoryStore) ClaimSend(_ context.Context, slot, nonce string, now time.Time, interval time.Duration) (bool, error) {
	if err := checkSlot(slot); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.records[slot]
	if !ok || r.Nonce != nonce || !r.Live(now) {
		return false, nil
	}
	if !r.SentAt.IsZero() && now.UnixMilli()-r.SentAt.UnixMilli() < interval.Milliseconds() {
		return false, nil
	}
	r.SentAt = time.UnixMilli(now.UnixMilli())
	m.records[slot] = r
	return true, nil
}

// ReleaseSend implements Store.
func (m *MemoryStore) ReleaseSend(_ context.Context, slot, nonce string, claimedAt time.Time) error {
	if err := checkSlot(slot); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.records[slot]
	if ok && r.Nonce == nonce && r.SentAt.UnixMilli() == claimedAt.UnixMilli() {
		r.SentAt = time.Time{}
		m.records[slot] = r
	}
	return nil
}

// Fail implements Store.
func (m *MemoryStore) Fail(_ context.Context, slot, nonce string, max int) (bool, error) {
	if err := checkSlot(slot); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.records[slot]
	if !ok || r.Nonce != nonce {
		return false, nil
	}
	r.Failures++
	if r.Failures >= max {
		delete(m.records, slot)
		return true, nil
	}
	m.records[slot] = r
	return false, nil
}

// Consume implements Store.
func (m *MemoryStore) Consume(_ context.Context, slot, nonce string, now time.Time, maxFailures int) (bool, error) {
	if err := checkSlot(slot); err != nil {
		return false, err
	}
	if err := checkMax(maxFailures); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.records[slot]
	if !ok || r.Nonce != nonce || !r.Live(now) || r.Failures >= maxFailures {
		return false, nil
	}
	delete(m.records, slot)
	return true, nil
}

// Get returns the record of slot, live or not, for tests and inspection.
func (m *MemoryStore) Get(slot string) (Record, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.records[slot]
	return r, ok
}
