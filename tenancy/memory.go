package tenancy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// MemoryStore is a Store in process memory: the embedded default for
// local runs and tests. It is safe for concurrent use, and its claims of
// invitations are atomic like the DynamoDB store's conditional writes. Its
// contents last as long as the process.
type MemoryStore struct {
	mu          sync.Mutex
	tenants     map[string]Tenant
	memberships map[string]map[string]Membership // sub → tenant ID →
	invitations map[string]Invitation
	claims      map[string]map[string]time.Time // user name → invitation ID → claimed at
	clients     map[string]Client
	links       map[[2]string]Link
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{
		tenants:     map[string]Tenant{},
		memberships: map[string]map[string]Membership{},
		invitations: map[string]Invitation{},
		claims:      map[string]map[string]time.Time{},
		clients:     map[string]Client{},
		links:       map[[2]string]Link{},
	}
}

// locked runs fn under mu once ctx is checked: the preamble of every
// MemoryStore method.
func locked[T any](ctx context.Context, mu *sync.Mutex, fn func() (T, error)) (T, error) {
	if err := ctx.Err(); err != nil {
		var zero T
		return zero, err
	}
	mu.Lock()
	defer mu.Unlock()
	return fn()
}

// run is locked for a function that returns only an error.
func run(ctx context.Context, mu *sync.Mutex, fn func() error) error {
	_, err := locked(ctx, mu, func() (struct{}, error) { return struct{}{}, fn() })
	return err
}

// Times are kept to the second, as the DynamoDB store keeps them.
func seconds(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.Unix(t.Unix(), 0).UTC()
}

// GetTenant implements Reader.
func (s *MemoryStore) GetTenant(ctx context.Context, id string) (Tenant, error) {
	return locked(ctx, &s.mu, func() (Tenant, error) {
		t, ok := s.tenants[id]
		if !ok {
			return Tenant{}, fmt.Errorf("tenancy: tenant %q: %w", clip(id), ErrNotFound)
		}
		return t, nil
	})
}

// PutTenant implements Store.
func (s *MemoryStore) PutTenant(ctx context.Context, t Tenant) error {
	return run(ctx, &s.mu, func() error {
		if err := t.Validate(); err != nil {
			return err
		}
		s.tenants[t.ID] = t
		return nil
	})
}

// ListMemberships implements Reader.
func (s *MemoryStore) ListMemberships(ctx context.Context, sub string) ([]Membership, error) {
	return locked(ctx, &s.mu, func() ([]Membership, error) {
		byTenant := s.memberships[sub]
		out := make([]Membership, 0, len(byTenant))
		for _, m := range byTenant {
			m.Permissions = slices.Clone(m.Permissions)
			out = append(out, m)
		}
		slices.SortFunc(out, func(a, b Membership) int {
			switch {
			case a.TenantID < b.TenantID:
				return -1
			case a.TenantID > b.TenantID:
				return 1
			}
			return 0
		})
		return out, nil
	})
}

// PutMembership implements Store.
func (s *MemoryStore) PutMembership(ctx context.Context, m Membership) error {
	return run(ctx, &s.mu, func() error {
		if err := m.Validate(); err != nil {
			return err
		}
		m.Permissions = slices.Clone(m.Permissions)
		m.CreatedAt = seconds(m.CreatedAt)
		if s.memberships[m.Sub] == nil {
			s.memberships[m.Sub] = map[string]Membership{}
		}
		s.memberships[m.Sub][m.TenantID] = m
		return nil
	})
}

// GetClient implements Reader.
func (s *MemoryStore) GetClient(ctx context.Context, clientID string) (Client, error) {
	return locked(ctx, &s.mu, func() (Client, error) {
		c, ok := s.clients[clientID]
		if !ok {
			return Client{}, fmt.Errorf("tenancy: app client %q: %w", clip(clientID), ErrNotFound)
		}
		return c, nil
	})
}

// PutClient implements Store.
func (s *MemoryStore) PutClient(ctx context.Context, c Client) error {
	return run(ctx, &s.mu, func() error {
		if err := c.Validate(); err != nil {
			return err
		}
		s.clients[c.ClientID] = c
		return nil
	})
}

// CreateInvitation implements Store.
func (s *MemoryStore) CreateInvitation(ctx context.Context, inv Invitation) error {
	return run(ctx, &s.mu, func() error {
		if err := inv.Validate(); err != nil {
			return err
		}
		inv.CreatedAt, inv.ExpiresAt = seconds(inv.CreatedAt), seconds(inv.ExpiresAt)
		inv.UsedBy, inv.UsedAt = "", time.Time{}
		if _, ok := s.invitations[inv.ID]; ok {
			return fmt.Errorf("tenancy: invitation: %w", ErrExists)
		}
		s.invitations[inv.ID] = inv
		return nil
	})
}

// GetInvitation implements Store.
func (s *MemoryStore) GetInvitation(ctx context.Context, id string) (Invitation, error) {
	return locked(ctx, &s.mu, func() (Invitation, error) {
		inv, ok := s.invitations[id]
		if !ok {
			return Invitation{}, fmt.Errorf("tenancy: invitation: %w", ErrNotFound)
		}
		return inv, nil
	})
}

// ClaimInvitation implements Store.
func (s *MemoryStore) ClaimInvitation(ctx context.Context, c InvitationClaim) (Invitation, error) {
	return locked(ctx, &s.mu, func() (Invitation, error) {
		if err := validateName("user name", c.UserName); err != nil {
			return Invitation{}, err
		}
		inv, ok := s.invitations[c.InvitationID]
		if !ok {
			return Invitation{}, fmt.Errorf("tenancy: claim invitation: %w", ErrNotFound)
		}
		if s.claims[c.UserName] == nil {
			s.claims[c.UserName] = map[string]time.Time{}
		}
		if _, seen := s.claims[c.UserName][inv.ID]; !seen {
			s.claims[c.UserName][inv.ID] = seconds(c.Now)
		}
		if err := inv.Check(c.Email, c.UserName, c.Now); err != nil {
			return Invitation{}, fmt.Errorf("tenancy: claim invitation: %w", err)
		}
		if inv.UsedBy == "" {
			inv.UsedBy, inv.UsedAt = c.UserName, seconds(c.Now)
			s.invitations[inv.ID] = inv
		}
		return inv, nil
	})
}

// ReleaseInvitation implements Store.
func (s *MemoryStore) ReleaseInvitation(ctx context.Context, id, userName string) error {
	return run(ctx, &s.mu, func() error {
		if inv, ok := s.invitations[id]; ok && inv.UsedBy == userName && userName != "" && inv.BoundSub == "" {
			inv.UsedBy, inv.UsedAt = "", time.Time{}
			s.invitations[id] = inv
		}
		return nil
	})
}

// ClaimedInvitations implements Store.
func (s *MemoryStore) ClaimedInvitations(ctx context.Context, userName string) ([]Invitation, error) {
	return locked(ctx, &s.mu, func() ([]Invitation, error) {
		type claimed struct {
			inv Invitation
			at  time.Time
		}
		var cs []claimed
		for id, at := range s.claims[userName] {
			if inv, ok := s.invitations[id]; ok {
				cs = append(cs, claimed{inv, at})
			}
		}
		slices.SortFunc(cs, func(a, b claimed) int {
			if c := b.at.Compare(a.at); c != 0 {
				return c
			}
			return strings.Compare(a.inv.ID, b.inv.ID)
		})
		out := make([]Invitation, len(cs))
		for i, c := range cs {
			out[i] = c.inv
		}
		return out, nil
	})
}

// BindInvitation implements Store.
func (s *MemoryStore) BindInvitation(ctx context.Context, b InvitationBinding) (Invitation, error) {
	return locked(ctx, &s.mu, func() (Invitation, error) {
		if err := b.Validate(); err != nil {
			return Invitation{}, err
		}
		inv, ok := s.invitations[b.InvitationID]
		if !ok {
			return Invitation{}, fmt.Errorf("tenancy: bind invitation: %w", ErrNotFound)
		}
		if err := inv.CheckBinding(b); err != nil {
			return Invitation{}, fmt.Errorf("tenancy: bind invitation: %w", err)
		}
		inv.BoundSub = b.Sub
		s.invitations[inv.ID] = inv
		return inv, nil
	})
}

// RecordLink implements Store.
func (s *MemoryStore) RecordLink(ctx context.Context, l Link) (Link, error) {
	return locked(ctx, &s.mu, func() (Link, error) {
		if err := l.Validate(); err != nil {
			return Link{}, err
		}
		l.LinkedAt = seconds(l.LinkedAt)
		key := [2]string{l.ProviderName, l.ProviderUserID}
		if old, ok := s.links[key]; ok {
			return old, nil
		}
		s.links[key] = l
		return l, nil
	})
}

// GetLink implements Store.
func (s *MemoryStore) GetLink(ctx context.Context, providerName, providerUserID string) (Link, error) {
	return locked(ctx, &s.mu, func() (Link, error) {
		l, ok := s.links[[2]string{providerName, providerUserID}]
		if !ok {
			return Link{}, fmt.Errorf("tenancy: link: %w", ErrNotFound)
		}
		return l, nil
	})
}
