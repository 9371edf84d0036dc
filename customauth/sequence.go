package customauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cognitrig/cognitrig/customauth/limits"
	"github.com/cognitrig/cognitrig/triggers"
)

// ChallengeParam is the key, in both the public and the private
// challenge parameters, that names the challenge of the round. Create sets
// it; Verify reads it from the private parameters, which the client cannot
// see or change, to know which challenge checks the answer. Challenges must
// not set it themselves.
const ChallengeParam = "challenge"

// Default limits of a Sequence.
const (
	DefaultMaxAttempts = 3
	// MaxMaxAttempts bounds Step.MaxAttempts: more tries than this turn a
	// challenge into a guessing game.
	MaxMaxAttempts = 10
	// MaxAnswerLength is the longest challenge answer that reaches a
	// challenge's Verify; longer answers are wrong without further work.
	MaxAnswerLength = 4096
)

// Challenge is one kind of custom challenge: a CAPTCHA, a one-time code, a
// magic link, a security question. The packages under customauth provide
// ready ones; NewChallenge adapts two functions.
//
// Create is called when the sequence's next round is this challenge, and
// returns the parameters of the round. It is called again, with the same
// session, when Cognito retries the trigger, so it must be idempotent: the
// same code, not a new one. For a user that does not exist
// (ev.Request.UserNotFound) it must return parameters of the same shape as
// for a real user and send nothing.
//
// Verify reports whether the answer is correct. A malformed, empty, expired,
// replayed or forged answer is a wrong answer (false, nil), never an error
// or a panic; an error means the check could not be made (an outage) and
// fails the sign-in. For a user that does not exist, Verify of a challenge
// that depends on the user (a code, a question) must answer false; one that
// does not (a CAPTCHA) should check as usual, so that the fake flow behaves
// like the real one.
type Challenge interface {
	// Name is the challengeMetadata that identifies the challenge in the
	// session. It is unique within a sequence.
	Name() string
	Create(ctx context.Context, ev *triggers.CreateAuthChallengeEvent, round Round) (Params, error)
	Verify(ctx context.Context, ev *triggers.VerifyAuthChallengeResponseEvent) (bool, error)
}

// Params are the parameters of one challenge round. Public goes to the
// client; Private goes only to the VerifyAuthChallengeResponse trigger, and
// should hold a hash or MAC of a secret rather than the secret itself.
type Params struct {
	Public  map[string]string
	Private triggers.SecretMap
}

// Round tells a challenge's Create where the flow is.
type Round struct {
	Step        int   // index of the step in Sequence.Steps
	Attempt     int   // 1 on the first try, 2 after one wrong answer, ...
	MaxAttempts int   // the step's limit
	Facts       Facts // what conditions and choosers saw
}

// CreateFunc and VerifyFunc are the two halves of a Challenge.
type (
	CreateFunc func(ctx context.Context, ev *triggers.CreateAuthChallengeEvent, round Round) (Params, error)
	VerifyFunc func(ctx context.Context, ev *triggers.VerifyAuthChallengeResponseEvent) (bool, error)
)

// NewChallenge returns a Challenge called name made of two functions. A nil
// create returns no parameters of its own; a nil verify answers wrong.
func NewChallenge(name string, create CreateFunc, verify VerifyFunc) Challenge {
	return &funcChallenge{name: name, create: create, verify: verify}
}

type funcChallenge struct {
	name   string
	create CreateFunc
	verify VerifyFunc
}

func (c *funcChallenge) Name() string { return c.name }

func (c *funcChallenge) Create(ctx context.Context, ev *triggers.CreateAuthChallengeEvent, r Round) (Params, error) {
	if c.create == nil {
		return Params{}, nil
	}
	return c.create(ctx, ev, r)
}

func (c *funcChallenge) Verify(ctx context.Context, ev *triggers.VerifyAuthChallengeResponseEvent) (bool, error) {
	if c.verify == nil {
		return false, nil
	}
	return c.verify(ctx, ev)
}

// Sequence declares a custom authentication flow: an optional password
// step, then custom challenge steps in order. New derives the Define,
// Create and Verify Auth Challenge handlers from it.
type Sequence struct {
	// Password makes Cognito's own password check the first step: SRP_A,
	// then PASSWORD_VERIFIER, one attempt each (a wrong password ends the
	// sign-in, as without custom authentication).
	Password bool

	// Steps are the custom challenges, in order.
	Steps []Step

	// MaxRounds limits the whole session: a session longer than this fails.
	// Zero means the sum of the steps' attempt limits, the longest session
	// that the steps allow.
	MaxRounds int

	// Groups, if set, looks up the user's groups for conditions and
	// choosers (Facts.Groups); the trigger events do not carry them.
	Groups GroupLookup

	// Logger receives one line per failed sign-in and per wrong or
	// unverifiable answer, without secrets. Nil logs nothing.
	Logger *slog.Logger

	// Budget keeps each user's failure budget and send cap across
	// sessions (package limits): wrong answers to challenges that depend
	// on the user (UserBound) and rounds that deliver a code or link
	// (Delivering) are charged by DefineAuthChallenge, at most one store
	// call per round; a user over either limit is refused with
	// LockedMessage. Nil means a limits.MemoryStore with the default
	// limits, which in AWS Lambda is per instance: deploy with a
	// limits.DynamoStore.
	Budget limits.Store

	// DecoyProfiles are the attributes that conditions and choosers see
	// for a user that does not exist, so that the fake flow takes the
	// steps and choices of a real user: one is chosen per user name by a
	// keyed hash (DecoyKey). Repeat a profile to weight it. Empty means
	// DefaultDecoyProfile.
	DecoyProfiles []triggers.Attributes

	// DecoyKey (at least 32 random bytes) chooses among DecoyProfiles;
	// required with more than one profile.
	DecoyKey []byte

	// Now is the clock of the budget; default time.Now.
	Now func() time.Time
}

// Step is one custom challenge step of a Sequence.
type Step struct {
	// Challenge is the challenge of the step.
	Challenge Challenge

	// Alternatives can stand in for Challenge (a code by SMS instead of by
	// email). Choose picks one per round; a wrong answer to any of them
	// counts against the step's MaxAttempts.
	Alternatives []Challenge

	// Choose names the challenge to issue among Challenge and Alternatives.
	// Nil, or a name that is not one of them, picks Challenge.
	Choose Chooser

	// MaxAttempts is how many answers the step accepts: a wrong answer
	// issues the step again until the limit, then the sign-in fails.
	// Zero means DefaultMaxAttempts.
	MaxAttempts int

	// When makes the step conditional: it is part of the flow only when
	// When reports true. Nil means always. For a user that does not exist
	// it sees a decoy profile (Sequence.DecoyProfiles), so that the fake
	// flow takes the steps of a real user; see the package documentation.
	When Condition
}

// Flow is a compiled Sequence: the three derived handlers and the decision
// function they share. It is safe for concurrent use.
type Flow struct {
	slots         []slot
	passwordSlots int // 2 with Sequence.Password, else 0
	maxRounds     int
	byName        map[string]Challenge
	groups        GroupLookup
	logger        *slog.Logger
	budget        limits.Store
	decoyProfiles []triggers.Attributes
	decoyKey      []byte
	clock         func() time.Time
}

// slot is one position of the flow: a password round or a custom step.
type slot struct {
	cognito    string      // SRP_A, PASSWORD_VERIFIER or CUSTOM_CHALLENGE
	challenges []Challenge // custom only: Challenge, then Alternatives
	names      []string    // their names, the accepted challengeMetadata
	choose     Chooser
	max        int
	when       Condition
	step       int // index in Sequence.Steps, -1 for password rounds
}

// ErrInvalidSequence is wrapped by the errors of New.
var ErrInvalidSequence = errors.New("customauth: invalid sequence")

// New checks a Sequence and compiles it into a Flow.
func New(seq Sequence) (*Flow, error) {
	fl := &Flow{byName: map[string]Challenge{}, groups: seq.Groups, logger: seq.Logger, budget: seq.Budget, clock: seq.Now,
		decoyProfiles: seq.DecoyProfiles, decoyKey: append([]byte(nil), seq.DecoyKey...)}
	if fl.logger == nil {
		fl.logger = slog.New(slog.DiscardHandler)
	}
	if fl.budget == nil {
		fl.budget, _ = limits.NewMemoryStore(limits.Limits{}) // the defaults are valid
	}
	if len(fl.decoyProfiles) == 0 {
		fl.decoyProfiles = []triggers.Attributes{DefaultDecoyProfile()}
	}
	if len(fl.decoyProfiles) > 1 && len(fl.decoyKey) < 32 {
		return nil, fmt.Errorf("%w: %d DecoyProfiles need a DecoyKey of at least 32 random bytes, has %d", ErrInvalidSequence, len(fl.decoyProfiles), len(fl.decoyKey))
	}
	if !seq.Password && len(seq.Steps) == 0 {
		return nil, fmt.Errorf("%w: no steps; add Password or at least one Step", ErrInvalidSequence)
	}
	sum := 0
	if seq.Password {
		fl.slots = append(fl.slots,
			slot{cognito: triggers.ChallengeSRPA, max: 1, step: -1},
			slot{cognito: triggers.ChallengePasswordVerifier, max: 1, step: -1})
		fl.passwordSlots = 2
		sum = 2
	}
	for i, st := range seq.Steps {
		s := slot{cognito: triggers.ChallengeCustom, choose: st.Choose, max: st.MaxAttempts, when: st.When, step: i}
		if s.max == 0 {
			s.max = DefaultMaxAttempts
		}
		if s.max < 1 || s.max > MaxMaxAttempts {
			return nil, fmt.Errorf("%w: step %d: MaxAttempts %d is outside 1..%d", ErrInvalidSequence, i, st.MaxAttempts, MaxMaxAttempts)
		}
		if st.Challenge == nil {
			return nil, fmt.Errorf("%w: step %d has no Challenge", ErrInvalidSequence, i)
		}
		for _, ch := range append([]Challenge{st.Challenge}, st.Alternatives...) {
			if ch == nil {
				return nil, fmt.Errorf("%w: step %d has a nil alternative", ErrInvalidSequence, i)
			}
			name := ch.Name()
			if err := checkName(name); err != nil {
				return nil, fmt.Errorf("%w: step %d: %v", ErrInvalidSequence, i, err)
			}
			if _, dup := fl.byName[name]; dup {
				return nil, fmt.Errorf("%w: step %d: challenge name %q is used twice; the session could not tell the steps apart", ErrInvalidSequence, i, name)
			}
			fl.byName[name] = ch
			s.challenges = append(s.challenges, ch)
			s.names = append(s.names, name)
		}
		fl.slots = append(fl.slots, s)
		sum += s.max
	}
	fl.maxRounds = seq.MaxRounds
	switch {
	case fl.maxRounds == 0:
		fl.maxRounds = sum
	case fl.maxRounds < len(fl.slots):
		return nil, fmt.Errorf("%w: MaxRounds %d is less than the %d rounds of a sign-in without a wrong answer", ErrInvalidSequence, seq.MaxRounds, len(fl.slots))
	}
	return fl, nil
}

// checkName accepts names that are safe in a session array, a log line and
// a metric: 1 to 64 characters of A-Z, a-z, 0-9, '_', '-', '.' and ':'.
func checkName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("challenge name %q must have 1 to 64 characters", name)
	}
	for _, r := range name {
		ok := r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.' || r == ':'
		if !ok {
			return fmt.Errorf("challenge name %q has %q; use letters, digits, '_', '-', '.' and ':'", name, r)
		}
	}
	return nil
}

// MaxRounds is the longest session the flow accepts.
func (fl *Flow) MaxRounds() int { return fl.maxRounds }

// Register registers the flow's Define, Create and Verify Auth Challenge
// handlers on r.
func (fl *Flow) Register(r *triggers.Router) {
	r.DefineAuthChallenge(fl.Define)
	r.CreateAuthChallenge(fl.Create)
	r.VerifyAuthChallengeResponse(fl.Verify)
}
