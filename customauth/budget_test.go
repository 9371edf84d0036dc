package customauth_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/customauthtest"
	"github.com/cognitrig/cognitrig/customauth/limits"
	"github.com/cognitrig/cognitrig/triggers"
)

// bound is a stub that depends on the user and delivers, like a code.
type bound struct{ customauth.Challenge }

func (bound) UserBound() bool  { return true }
func (bound) Delivering() bool { return true }

// countingBudget counts Spend calls and their charges.
type countingBudget struct {
	limits.Store
	calls, failures, deliveries atomic.Int32
	err                         error
}

func (c *countingBudget) Spend(ctx context.Context, key string, ch limits.Charge, now time.Time) (bool, error) {
	c.calls.Add(1)
	if ch.Failure {
		c.failures.Add(1)
	}
	if ch.Delivery {
		c.deliveries.Add(1)
	}
	if c.err != nil {
		return false, c.err
	}
	return c.Store.Spend(ctx, key, ch, now)
}

func TestBudgetOneCallPerRound(t *testing.T) {
	mem, err := limits.NewMemoryStore(limits.Limits{MaxFailures: 4})
	if err != nil {
		t.Fatal(err)
	}
	budget := &countingBudget{Store: mem}
	fl, err := customauth.New(customauth.Sequence{
		Steps:  []customauth.Step{{Challenge: stub("CAPTCHA")}, {Challenge: bound{stub("CODE")}}},
		Budget: budget,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := triggers.NewRouter()
	fl.Register(r)
	defines := 0
	answers := map[string][]string{"CAPTCHA": {"wrong", "captcha"}, "CODE": {"wrong", "code"}}
	s := &customauthtest.SignIn{Router: r, Answer: func(p customauthtest.Prompt) string { return answers[p.Name][p.Attempt-1] },
		Observe: func(rd customauthtest.Round) {
			if rd.Trigger == customauthtest.Define {
				defines++
			}
		}}
	res, err := s.Run(context.Background())
	if err != nil || !res.Tokens {
		t.Fatalf("sign-in: %+v, %v", res, err)
	}
	// Rounds: captcha wrong, captcha right, code wrong, code right; five
	// Defines. The captcha costs nothing; the code's two rounds deliver,
	// its wrong answer fails, tokens are checked.
	if n := budget.calls.Load(); n > int32(defines) || n != 3 {
		t.Fatalf("%d budget calls for %d Defines, want 3 (code round, code retry with its failure, tokens)", n, defines)
	}
	if budget.failures.Load() != 1 || budget.deliveries.Load() != 2 {
		t.Fatalf("charged %d failures and %d deliveries, want 1 and 2 (captcha failures are free)", budget.failures.Load(), budget.deliveries.Load())
	}

	// Wrong codes across sign-ins: the 4th failure (of the budget) refuses.
	wrong := &customauthtest.SignIn{Router: r, Answer: func(p customauthtest.Prompt) string {
		if p.Name == "CAPTCHA" {
			return "captcha"
		}
		return "wrong"
	}}
	var last error
	for range 3 {
		if _, last = wrong.Run(context.Background()); last != nil {
			break
		}
	}
	if !containsLocked(last) {
		t.Fatalf("after the budget the sign-in ends with %v, want %q", last, customauth.LockedMessage)
	}

	// A budget that cannot be read fails the sign-in, with the user-safe
	// message of an outage.
	budget.err = errors.New("dynamodb down")
	_, err = (&customauthtest.SignIn{Router: r, Answer: func(p customauthtest.Prompt) string { return answers[p.Name][1] }}).Run(context.Background())
	var ref *triggers.Refusal
	if !errors.As(err, &ref) || ref.Message != customauth.UnavailableMessage {
		t.Fatalf("budget outage: %v", err)
	}
}

func containsLocked(err error) bool {
	var ref *triggers.Refusal
	return errors.As(err, &ref) && ref.Message == customauth.LockedMessage
}

func TestBudgetKeyIgnoresLetterCaseOfUnknownNames(t *testing.T) {
	h := func(name string) *triggers.Header { return &triggers.Header{UserPoolID: "p", UserName: name} }
	key := []byte("0123456789abcdef0123456789abcdef")
	if customauth.BudgetKey(h("NoBody"), nil, key) != customauth.BudgetKey(h(" nobody"), nil, key) {
		t.Fatal("an unknown name in another letter case has another budget")
	}
	if customauth.BudgetKey(h("NoBody"), nil, key) == customauth.BudgetKey(h("somebody"), nil, key) {
		t.Fatal("two unknown names share a budget")
	}
	// A name typed by mistake is often a password: it never reaches the
	// store's key in clear.
	if k := customauth.BudgetKey(h("Hunter2-typed-as-name"), nil, key); strings.Contains(strings.ToLower(k), "hunter2") {
		t.Fatalf("the budget key %q holds the typed name", k)
	}
	if customauth.BudgetKey(h("jdoe"), triggers.Attributes{"sub": "s-1"}, key) != "p#s-1" {
		t.Fatal("a real user's budget is not keyed by sub")
	}
}

func TestDecoyProfilesNeedAKey(t *testing.T) {
	_, err := customauth.New(customauth.Sequence{Steps: []customauth.Step{{Challenge: stub("A")}},
		DecoyProfiles: []triggers.Attributes{{"email_verified": "true"}, {"phone_number_verified": "true"}}})
	if !errors.Is(err, customauth.ErrInvalidSequence) {
		t.Fatalf("two decoy profiles without a key: %v", err)
	}
}
