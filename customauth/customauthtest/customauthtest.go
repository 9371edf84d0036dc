package customauthtest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// Prompt is a custom challenge as the client sees it.
type Prompt struct {
	Name    string            // the challengeMetadata
	Public  map[string]string // the public challenge parameters
	Attempt int               // 1 on the first round of the step, 2 after one wrong answer, ...
}

// SignIn is one sign-in to drive. Set Router and Answer; the other fields
// default to the recorded user "jdoe".
type SignIn struct {
	Router triggertest.Invoker

	// UserName, Attributes and ClientMetadata replace the recorded ones
	// when set.
	UserName       string
	Attributes     map[string]string
	ClientMetadata map[string]string

	// UserNotFound signs in as a user that does not exist: the events carry
	// userNotFound and no attributes.
	UserNotFound bool

	// WrongPassword makes the simulated PASSWORD_VERIFIER round fail.
	WrongPassword bool

	// Answer returns the user's answer to a custom challenge.
	Answer func(p Prompt) string

	// Observe, if set, sees every round as it happens.
	Observe func(r Round)

	// MaxRounds bounds the Define calls, against a flow that never ends;
	// default 30.
	MaxRounds int
}

// Trigger names one of the three custom-auth triggers.
type Trigger string

// The triggers of a Round.
const (
	Define Trigger = "Define"
	Create Trigger = "Create"
	Verify Trigger = "Verify"
)

// Round is one trigger invocation of a sign-in.
type Round struct {
	Trigger Trigger
	Session []triggers.ChallengeResult // the session the trigger saw

	// Define's decision.
	Decision triggers.DefineAuthChallengeResponse

	// Create's challenge: metadata, public parameters and the names of the
	// private parameters (their values are secret).
	Challenge   string
	Public      map[string]string
	PrivateKeys []string

	// Verify's answer (masked when printed) and verdict.
	Answer  triggers.Secret
	Correct bool
}

// String describes the round on one line, secrets masked.
func (r Round) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-6s ", r.Trigger)
	switch r.Trigger {
	case Define:
		fmt.Fprintf(&b, "session=%s -> ", SessionString(r.Session))
		switch d := r.Decision; {
		case d.IssueTokens:
			b.WriteString("issue tokens")
		case d.FailAuthentication:
			b.WriteString("fail authentication")
		default:
			b.WriteString(d.ChallengeName)
		}
	case Create:
		fmt.Fprintf(&b, "%s public=%s private=%v", r.Challenge, mapString(r.Public), r.PrivateKeys)
	case Verify:
		verdict := "wrong"
		if r.Correct {
			verdict = "correct"
		}
		fmt.Fprintf(&b, "%s answer=%v -> %s", r.Challenge, r.Answer, verdict)
	}
	return b.String()
}

// SessionString prints a session compactly: [SRP_A:pass CUSTOM_CHALLENGE(CAPTCHA):fail].
func SessionString(s []triggers.ChallengeResult) string {
	parts := make([]string, len(s))
	for i, r := range s {
		p := r.ChallengeName
		if r.ChallengeMetadata != "" {
			p += "(" + r.ChallengeMetadata + ")"
		}
		if r.ChallengeResult {
			p += ":pass"
		} else {
			p += ":fail"
		}
		parts[i] = p
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func mapString(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ":" + m[k]
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// Result is the end of a sign-in.
type Result struct {
	Tokens  bool // DefineAuthChallenge issued tokens
	Failed  bool // DefineAuthChallenge failed the authentication
	Session []triggers.ChallengeResult
	Rounds  []Round
}

// Run drives the sign-in until Define issues tokens or fails it. A trigger
// error ends the sign-in as it would in Cognito, and is returned with the
// rounds so far.
func (s *SignIn) Run(ctx context.Context) (Result, error) {
	var res Result
	if s.Router == nil || s.Answer == nil {
		return res, fmt.Errorf("customauthtest: SignIn needs a Router and an Answer function")
	}
	max := s.MaxRounds
	if max == 0 {
		max = 30
	}
	record := func(r Round) {
		res.Rounds = append(res.Rounds, r)
		if s.Observe != nil {
			s.Observe(r)
		}
	}
	attempt := map[string]int{} // wrong answers per challenge, for Prompt.Attempt
	for range max {
		define, err := invoke[triggers.DefineAuthChallengeEvent](ctx, s, "DefineAuthChallenge_Authentication", func(ev *triggers.DefineAuthChallengeEvent) {
			s.fill(&ev.Header, &ev.Request.UserAttributes, &ev.Request.ClientMetadata, &ev.Request.UserNotFound)
			ev.Request.Session = slices.Clone(res.Session)
		})
		if err != nil {
			return res, fmt.Errorf("customauthtest: DefineAuthChallenge: %w", err)
		}
		record(Round{Trigger: Define, Session: slices.Clone(res.Session), Decision: define.Response})
		switch {
		case define.Response.IssueTokens:
			res.Tokens = true
			return res, nil
		case define.Response.FailAuthentication:
			res.Failed = true
			return res, nil
		}
		switch name := define.Response.ChallengeName; name {
		case triggers.ChallengeSRPA:
			res.Session = append(res.Session, triggers.ChallengeResult{ChallengeName: name, ChallengeResult: true})
		case triggers.ChallengePasswordVerifier:
			res.Session = append(res.Session, triggers.ChallengeResult{ChallengeName: name, ChallengeResult: !s.WrongPassword && !s.UserNotFound})
		case triggers.ChallengeCustom:
			if err := s.custom(ctx, &res, attempt, record); err != nil {
				return res, err
			}
		default:
			return res, fmt.Errorf("customauthtest: DefineAuthChallenge chose %q, which this simulator does not play", name)
		}
	}
	return res, fmt.Errorf("customauthtest: no decision after %d rounds", max)
}

func (s *SignIn) custom(ctx context.Context, res *Result, attempt map[string]int, record func(Round)) error {
	create, err := invoke[triggers.CreateAuthChallengeEvent](ctx, s, "CreateAuthChallenge_Authentication", func(ev *triggers.CreateAuthChallengeEvent) {
		s.fill(&ev.Header, &ev.Request.UserAttributes, &ev.Request.ClientMetadata, &ev.Request.UserNotFound)
		ev.Request.ChallengeName = triggers.ChallengeCustom
		ev.Request.Session = slices.Clone(res.Session)
	})
	if err != nil {
		return fmt.Errorf("customauthtest: CreateAuthChallenge: %w", err)
	}
	name := create.Response.ChallengeMetadata
	keys := make([]string, 0, len(create.Response.PrivateChallengeParameters))
	for k := range create.Response.PrivateChallengeParameters {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	record(Round{Trigger: Create, Session: slices.Clone(res.Session), Challenge: name, Public: create.Response.PublicChallengeParameters, PrivateKeys: keys})

	answer := triggers.Secret(s.Answer(Prompt{Name: name, Public: create.Response.PublicChallengeParameters, Attempt: attempt[name] + 1}))
	verify, err := invoke[triggers.VerifyAuthChallengeResponseEvent](ctx, s, "VerifyAuthChallengeResponse_Authentication", func(ev *triggers.VerifyAuthChallengeResponseEvent) {
		s.fill(&ev.Header, &ev.Request.UserAttributes, &ev.Request.ClientMetadata, &ev.Request.UserNotFound)
		ev.Request.PrivateChallengeParameters = create.Response.PrivateChallengeParameters
		ev.Request.ChallengeAnswer = answer
	})
	if err != nil {
		return fmt.Errorf("customauthtest: VerifyAuthChallengeResponse: %w", err)
	}
	correct := verify.Response.AnswerCorrect
	record(Round{Trigger: Verify, Session: slices.Clone(res.Session), Challenge: name, Answer: answer, Correct: correct})
	if !correct {
		attempt[name]++
	} else {
		attempt[name] = 0
	}
	res.Session = append(res.Session, triggers.ChallengeResult{ChallengeName: triggers.ChallengeCustom, ChallengeResult: correct, ChallengeMetadata: name})
	return nil
}

// fill puts the sign-in's user into an event.
func (s *SignIn) fill(h *triggers.Header, attrs *triggers.Attributes, meta *triggers.Metadata, notFound *bool) {
	if s.UserName != "" {
		h.UserName = s.UserName
	}
	if s.Attributes != nil {
		*attrs = triggers.Attributes(s.Attributes)
	}
	if s.ClientMetadata != nil {
		*meta = triggers.Metadata(s.ClientMetadata)
	}
	if s.UserNotFound {
		*attrs = triggers.Attributes{}
		*notFound = true
	}
}

// invoke builds an event from a recorded one, runs it through the router as
// the Lambda runtime would, and decodes the response.
func invoke[E any](ctx context.Context, s *SignIn, recorded string, set func(*E)) (*E, error) {
	raw, err := triggertest.Raw(recorded)
	if err != nil {
		return nil, err
	}
	ev := new(E)
	if err := json.Unmarshal(raw, ev); err != nil {
		return nil, fmt.Errorf("decode recorded %s: %w", recorded, err)
	}
	set(ev)
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	out, err := s.Router.Invoke(ctx, payload)
	if err != nil {
		return nil, err
	}
	resp := new(E)
	if err := json.Unmarshal(out, resp); err != nil {
		return nil, fmt.Errorf("decode response: %w", err)
	}
	return resp, nil
}
