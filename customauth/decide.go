package customauth

import (
	"github.com/cognitrig/cognitrig/triggers"
)

// Outcome is what DefineAuthChallenge tells Cognito. The zero Outcome is
// Fail, so that a Decision left unset fails safe.
type Outcome uint8

// Outcomes of a Decision.
const (
	Fail        Outcome = iota // fail the authentication
	NextRound                  // issue Decision.ChallengeName
	IssueTokens                // every step has passed
)

func (o Outcome) String() string {
	switch o {
	case NextRound:
		return "next round"
	case IssueTokens:
		return "issue tokens"
	default:
		return "fail"
	}
}

// Reason says why a Decision fails.
type Reason uint8

// Reasons of a failing Decision.
const (
	ReasonNone          Reason = iota
	ReasonTooManyRounds        // the session is longer than MaxRounds allows
	ReasonUnexpected           // a round that is not the step expected there: out of order, or an unknown name or metadata
	ReasonAttempts             // a step had MaxAttempts wrong answers
	ReasonUserNotFound         // every step passed, but the user does not exist
	ReasonNoSteps              // no step applies to this user: nothing was proven
	ReasonAfterEnd             // rounds after the last step
	ReasonPassword             // Cognito's password check (SRP_A or PASSWORD_VERIFIER) failed
)

var reasonText = [...]string{
	ReasonNone:          "none",
	ReasonTooManyRounds: "too many rounds",
	ReasonUnexpected:    "unexpected round",
	ReasonAttempts:      "attempts exhausted",
	ReasonUserNotFound:  "user not found",
	ReasonNoSteps:       "no step applies",
	ReasonAfterEnd:      "round after the last step",
	ReasonPassword:      "wrong password",
}

func (r Reason) String() string {
	if int(r) < len(reasonText) {
		return reasonText[r]
	}
	return "unknown"
}

// Decision is the answer of the decision function for one session.
type Decision struct {
	Outcome Outcome
	// ChallengeName is the next challenge for NextRound: SRP_A,
	// PASSWORD_VERIFIER or CUSTOM_CHALLENGE.
	ChallengeName string
	// Step is the index in Sequence.Steps of the next custom step, or -1
	// for a password round.
	Step int
	// Attempt is the attempt number of the next round, from 1.
	Attempt int
	// Reason says why the decision is Fail.
	Reason Reason
}

func failed(r Reason) Decision { return Decision{Outcome: Fail, Step: -1, Reason: r} }

// Decide is the decision function of DefineAuthChallenge, and the one that
// CreateAuthChallenge uses to know which challenge to create. It is pure:
// the outcome depends only on the flow, the session and the facts.
//
// It walks the session against the flow's steps (those whose conditions
// hold): each round must be the step expected at that point, by challenge
// name and, for custom challenges, by challengeMetadata; a passing round
// moves to the next step, a failing one counts an attempt. Tokens are issued
// only when the last round passes the last step, and never for a user that
// does not exist. Anything else - a round out of order, an unknown name, a
// step out of attempts, a session too long - fails.
func (fl *Flow) Decide(session []triggers.ChallengeResult, f Facts) Decision {
	if len(session) > fl.maxRounds {
		return failed(ReasonTooManyRounds)
	}
	n := len(fl.slots)
	i := fl.nextActive(0, f)
	if i == n {
		return failed(ReasonNoSteps)
	}
	fails := 0
	for k := range session {
		r := &session[k]
		if r.ChallengeName == challengeNewPasswordRequired {
			// Cognito's own round, not a step of the flow: a user created
			// by an administrator sets a password after PASSWORD_VERIFIER
			// and the session goes on ("SRP_A -> PASSWORD_VERIFIER ->
			// NEW_PASSWORD_REQUIRED", amazon-cognito-identity-js#341).
			// It proves nothing, so it neither passes nor fails a step.
			continue
		}
		if i == n {
			return failed(ReasonAfterEnd)
		}
		s := &fl.slots[i]
		if !s.accepts(r) {
			return failed(ReasonUnexpected)
		}
		if r.ChallengeResult {
			i = fl.nextActive(i+1, f)
			fails = 0
			continue
		}
		fails++
		if fails >= s.max {
			if s.step < 0 {
				return failed(ReasonPassword)
			}
			return failed(ReasonAttempts)
		}
	}
	if i == n {
		if f.UserNotFound {
			return failed(ReasonUserNotFound)
		}
		return Decision{Outcome: IssueTokens, Step: -1}
	}
	// Each step still ahead needs a round at least: if they do not fit in
	// MaxRounds, fail now rather than ask for answers that cannot help.
	ahead := 0
	for j := i; j < n; j = fl.nextActive(j+1, f) {
		ahead++
	}
	if len(session)+ahead > fl.maxRounds {
		return failed(ReasonTooManyRounds)
	}
	s := &fl.slots[i]
	return Decision{Outcome: NextRound, ChallengeName: s.cognito, Step: s.step, Attempt: fails + 1}
}

// nextActive returns the index of the first slot from i on whose condition
// holds, or len(fl.slots). For a user that does not exist the handlers
// pass the facts of a decoy profile, so that the fake flow takes the steps
// that a real user with those attributes would.
func (fl *Flow) nextActive(i int, f Facts) int {
	for ; i < len(fl.slots); i++ {
		if w := fl.slots[i].when; w == nil || w(f) {
			return i
		}
	}
	return i
}

// challengeNewPasswordRequired is the session entry of Cognito's
// new-password challenge.
const challengeNewPasswordRequired = "NEW_PASSWORD_REQUIRED"

// accepts reports whether round r is a round of slot s.
func (s *slot) accepts(r *triggers.ChallengeResult) bool {
	if r.ChallengeName != s.cognito {
		return false
	}
	if s.cognito != triggers.ChallengeCustom {
		return true // SRP_A and PASSWORD_VERIFIER carry no metadata
	}
	for _, name := range s.names {
		if r.ChallengeMetadata == name {
			return true
		}
	}
	return false
}

// apply writes the decision into a DefineAuthChallenge response, setting
// every field so that nothing from the request survives.
func (d Decision) apply(resp *triggers.DefineAuthChallengeResponse) {
	resp.ChallengeName = ""
	resp.IssueTokens = false
	resp.FailAuthentication = false
	switch d.Outcome {
	case NextRound:
		resp.ChallengeName = d.ChallengeName
	case IssueTokens:
		resp.IssueTokens = true
	default:
		resp.FailAuthentication = true
	}
}
