package customauth_test

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/triggers"
)

// A shape is a sequence under property test, described twice: as a
// customauth.Sequence, and as plain data from which the test's own oracle
// (a regular expression over the session) is built.
type shape struct {
	name      string
	password  bool
	steps     []shapeStep
	maxRounds int
	// facts draws the request context of one history.
	facts func(r *rand.Rand) customauth.Facts
}

type shapeStep struct {
	names []string // challenge and alternatives
	max   int
	when  func(customauth.Facts) bool // nil: always
}

func (s shape) flow(t testing.TB) *customauth.Flow {
	t.Helper()
	seq := customauth.Sequence{Password: s.password, MaxRounds: s.maxRounds}
	for _, st := range s.steps {
		step := customauth.Step{Challenge: stub(st.names[0]), MaxAttempts: st.max}
		for _, alt := range st.names[1:] {
			step.Alternatives = append(step.Alternatives, stub(alt))
		}
		if st.when != nil {
			step.When = st.when
		}
		seq.Steps = append(seq.Steps, step)
	}
	fl, err := customauth.New(seq)
	if err != nil {
		t.Fatal(err)
	}
	return fl
}

// The request contexts that the shapes' conditions tell apart, made once.
var (
	someAttributes = []triggers.Attributes{{}, {"custom:question": "on"}}
	someMetadata   = []triggers.Metadata{{}, {"captcha": "yes"}}
)

func randomFacts(r *rand.Rand) customauth.Facts {
	return customauth.Facts{
		Attributes:     someAttributes[r.IntN(2)],
		ClientMetadata: someMetadata[r.IntN(2)],
		UserNotFound:   r.IntN(5) == 0,
	}
}

var shapes = []shape{
	{
		name:     "seed: password, captcha, question",
		password: true,
		steps: []shapeStep{
			{names: []string{"CAPTCHA_CHALLENGE"}, max: 3},
			{names: []string{"SECURITY_QUESTION"}, max: 3},
		},
		facts: randomFacts,
	},
	{
		name:  "passwordless email code",
		steps: []shapeStep{{names: []string{"EMAIL_OTP"}, max: 3}},
		facts: randomFacts,
	},
	{
		name:     "password only",
		password: true,
		facts:    randomFacts,
	},
	{
		name:      "five steps, conditions, alternatives, session limit",
		maxRounds: 9,
		steps: []shapeStep{
			{names: []string{"CAPTCHA"}, max: 2, when: func(f customauth.Facts) bool { return f.ClientMetadata["captcha"] == "yes" }},
			{names: []string{"EMAIL_OTP", "SMS_OTP"}, max: 3},
			{names: []string{"QUESTION"}, max: 3, when: func(f customauth.Facts) bool { return f.Attributes["custom:question"] == "on" }},
			{names: []string{"MAGIC_LINK"}, max: 1},
			{names: []string{"PIN"}, max: 2},
		},
		facts: randomFacts,
	},
}

// Names that appear in random histories besides the shape's own.
var (
	foreignNames = []string{"SMS_MFA", "SOFTWARE_TOKEN_MFA", "DEVICE_SRP_AUTH", "custom_challenge", ""}
	foreignMeta  = []string{"", "UNKNOWN", "captcha_challenge", "EMAIL_OTP ", "SECURITY_QUESTION\x00"}
)

// oracle is the property test's own model of a correct sign-in: a regular
// expression over the session, written one letter per round. It shares no
// code with Decide.
type oracle struct {
	shape    shape
	letters  map[string]byte           // "name|metadata" -> letter; upper case = pass
	compiled map[string]*regexp.Regexp // by the mask of applicable steps
	steps    map[string]int            // by the same mask
	names    []string                  // the custom challenge names
	stepOf   map[string]int            // "name|metadata" -> step; -2, -3 for the password rounds
	max      map[int]int               // step -> attempt limit
}

func newOracle(s shape) *oracle {
	o := &oracle{shape: s, letters: map[string]byte{}, compiled: map[string]*regexp.Regexp{}, steps: map[string]int{}, stepOf: map[string]int{}, max: map[int]int{}}
	for i, st := range s.steps {
		o.names = append(o.names, st.names...)
		for _, n := range st.names {
			o.stepOf["CUSTOM_CHALLENGE|"+n] = i
		}
		o.max[i] = st.max
	}
	if s.password {
		o.stepOf["SRP_A|"], o.stepOf["PASSWORD_VERIFIER|"] = -2, -3
		o.max[-2], o.max[-3] = 1, 1
	}
	next := byte('a')
	add := func(key string) { o.letters[key] = next; next++ }
	if s.password {
		add("SRP_A|")
		add("PASSWORD_VERIFIER|")
	}
	for _, st := range s.steps {
		for _, n := range st.names {
			add("CUSTOM_CHALLENGE|" + n)
		}
	}
	return o
}

func (o *oracle) encode(session []triggers.ChallengeResult) string {
	var b strings.Builder
	for _, r := range session {
		c, ok := o.letters[roundKey(r)]
		if !ok {
			b.WriteByte('?')
			continue
		}
		if r.ChallengeResult {
			c -= 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// pattern is the language of complete, passing sessions for the facts.
func (o *oracle) pattern(f customauth.Facts) (*regexp.Regexp, int) {
	var mask strings.Builder
	for _, st := range o.shape.steps {
		if st.when == nil || st.when(f) {
			mask.WriteByte('1')
		} else {
			mask.WriteByte('0')
		}
	}
	if re, ok := o.compiled[mask.String()]; ok {
		return re, o.steps[mask.String()]
	}
	var b strings.Builder
	b.WriteByte('^')
	steps := 0
	class := func(names []string, prefix string, pass bool) string {
		var c strings.Builder
		c.WriteByte('[')
		for _, n := range names {
			l := o.letters[prefix+n]
			if pass {
				l -= 'a' - 'A'
			}
			c.WriteByte(l)
		}
		c.WriteByte(']')
		return c.String()
	}
	if o.shape.password {
		fmt.Fprintf(&b, "%s%s", class([]string{"SRP_A|"}, "", true), class([]string{"PASSWORD_VERIFIER|"}, "", true))
		steps += 2
	}
	for _, st := range o.shape.steps {
		if st.when != nil && !st.when(f) {
			continue
		}
		fmt.Fprintf(&b, "%s{0,%d}%s", class(st.names, "CUSTOM_CHALLENGE|", false), st.max-1, class(st.names, "CUSTOM_CHALLENGE|", true))
		steps++
	}
	b.WriteByte('$')
	re := regexp.MustCompile(b.String())
	o.compiled[mask.String()], o.steps[mask.String()] = re, steps
	return re, steps
}

func (o *oracle) maxRounds() int {
	if o.shape.maxRounds > 0 {
		return o.shape.maxRounds
	}
	n := 0
	if o.shape.password {
		n = 2
	}
	for _, st := range o.shape.steps {
		n += st.max
	}
	return n
}

// wantTokens is the oracle's verdict: tokens only for an existing user
// whose session is exactly a passing walk through every applicable step.
func (o *oracle) wantTokens(session []triggers.ChallengeResult, f customauth.Facts) bool {
	re, steps := o.pattern(f)
	return !f.UserNotFound && steps > 0 && len(session) <= o.maxRounds() && re.MatchString(o.encode(session))
}

// history draws one random session: a plausible walk (often complete), a
// walk with one mutation, or rounds drawn at random, most of which no
// correct client could produce.
func history(r *rand.Rand, o *oracle, f customauth.Facts) []triggers.ChallengeResult {
	var h []triggers.ChallengeResult
	switch mode := r.IntN(10); {
	case mode < 4:
		h = walk(r, o.shape, f)
	case mode < 8:
		h = mutate(r, o, walk(r, o.shape, f))
	default:
		for range r.IntN(12) {
			h = append(h, randomRound(r, o))
		}
	}
	return h
}

func randomRound(r *rand.Rand, o *oracle) triggers.ChallengeResult {
	res := triggers.ChallengeResult{ChallengeResult: r.IntN(2) == 0}
	names := o.names
	switch k := r.IntN(10); {
	case k < 2:
		res.ChallengeName = "SRP_A"
	case k < 4:
		res.ChallengeName = "PASSWORD_VERIFIER"
	case k < 8 && len(names) > 0:
		res.ChallengeName = "CUSTOM_CHALLENGE"
		res.ChallengeMetadata = names[r.IntN(len(names))]
	case k < 9:
		res.ChallengeName = "CUSTOM_CHALLENGE"
		res.ChallengeMetadata = foreignMeta[r.IntN(len(foreignMeta))]
	default:
		res.ChallengeName = foreignNames[r.IntN(len(foreignNames))]
	}
	return res
}

// walk plays a client through the applicable steps, with random wrong
// answers (sometimes one too many) and a random stop.
func walk(r *rand.Rand, s shape, f customauth.Facts) []triggers.ChallengeResult {
	var h []triggers.ChallengeResult
	stop := r.IntN(20)
	if s.password {
		h = append(h, pass("SRP_A", ""), triggers.ChallengeResult{ChallengeName: "PASSWORD_VERIFIER", ChallengeResult: r.IntN(20) != 0})
	}
	for _, st := range s.steps {
		if st.when != nil && !st.when(f) {
			continue
		}
		fails := 0
		if r.IntN(3) == 0 {
			fails = r.IntN(st.max + 1) // st.max fails: attempts exhausted
		}
		for range fails {
			h = append(h, custom(st.names[r.IntN(len(st.names))], false))
		}
		h = append(h, custom(st.names[r.IntN(len(st.names))], true))
		if len(h) > stop+3 {
			break
		}
	}
	return h
}

func mutate(r *rand.Rand, o *oracle, h []triggers.ChallengeResult) []triggers.ChallengeResult {
	if len(h) == 0 {
		return append(h, randomRound(r, o))
	}
	i := r.IntN(len(h))
	switch r.IntN(7) {
	case 0: // flip a result
		h[i].ChallengeResult = !h[i].ChallengeResult
	case 1: // swap two rounds
		j := r.IntN(len(h))
		h[i], h[j] = h[j], h[i]
	case 2: // replace a round
		h[i] = randomRound(r, o)
	case 3: // insert a round
		h = append(h[:i], append([]triggers.ChallengeResult{randomRound(r, o)}, h[i:]...)...)
	case 4: // drop a round
		h = append(h[:i], h[i+1:]...)
	case 5: // repeat a round
		h = append(h[:i], append([]triggers.ChallengeResult{h[i]}, h[i:]...)...)
	default: // append a round after the end
		h = append(h, randomRound(r, o))
	}
	return h
}

func roundKey(rd triggers.ChallengeResult) string {
	if rd.ChallengeName == "SRP_A" || rd.ChallengeName == "PASSWORD_VERIFIER" {
		return rd.ChallengeName + "|" // Cognito's rounds carry no metadata
	}
	return rd.ChallengeName + "|" + rd.ChallengeMetadata
}

// knownRound reports whether a round names a challenge of the shape.
func (o *oracle) knownRound(rd triggers.ChallengeResult) bool {
	_, ok := o.stepOf[roundKey(rd)]
	return ok
}

// exhausted reports whether some step has its limit of wrong answers in a
// row.
func (o *oracle) exhausted(h []triggers.ChallengeResult) bool {
	run, prev := 0, -100
	for _, rd := range h {
		step, ok := o.stepOf[roundKey(rd)]
		if !ok || rd.ChallengeResult {
			run, prev = 0, -100
			continue
		}
		if step == prev {
			run++
		} else {
			run, prev = 1, step
		}
		if run >= o.max[step] {
			return true
		}
	}
	return false
}

const historiesPerShape = 100_000

// TestDecideProperties checks Decide on random session histories, many of
// which no correct client could produce:
//   - tokens are issued exactly when the session is a passing walk through
//     every applicable step, in order (the oracle's regular expression);
//   - a user that does not exist never gets tokens;
//   - a round with an unknown challenge name or metadata fails;
//   - a step with its limit of wrong answers in a row fails;
//   - a next round, once passed, is accepted by the following decision.
//
// The generator is seeded, so a failure reproduces.
func TestDecideProperties(t *testing.T) {
	for si, s := range shapes {
		t.Run(s.name, func(t *testing.T) {
			fl := s.flow(t)
			o := newOracle(s)
			r := rand.New(rand.NewPCG(2024, uint64(si)))
			var tokens, ghostsComplete, unknown, exhaustedSeen int
			for n := range historiesPerShape {
				f := s.facts(r)
				h := history(r, o, f)
				d := fl.Decide(h, f)
				fail := func(format string, args ...any) {
					t.Helper()
					t.Fatalf("history %d %s, userNotFound=%v, facts %v/%v: %s", n, describe(h), f.UserNotFound, map[string]string(f.Attributes), map[string]string(f.ClientMetadata), fmt.Sprintf(format, args...))
				}
				want := o.wantTokens(h, f)
				if got := d.Outcome == customauth.IssueTokens; got != want {
					fail("issue tokens = %v, oracle says %v (decision %+v)", got, want, d)
				}
				if d.Outcome == customauth.IssueTokens {
					tokens++
				}
				if f.UserNotFound {
					g := f
					g.UserNotFound = false
					if o.wantTokens(h, g) {
						ghostsComplete++
						if d.Outcome != customauth.Fail {
							fail("a complete session for a user that does not exist got %v", d.Outcome)
						}
					}
				}
				for _, rd := range h {
					if !o.knownRound(rd) {
						unknown++
						if d.Outcome != customauth.Fail {
							fail("a round with unknown name %q / metadata %q did not fail: %+v", rd.ChallengeName, rd.ChallengeMetadata, d)
						}
						break
					}
				}
				if o.exhausted(h) {
					exhaustedSeen++
					if d.Outcome != customauth.Fail {
						fail("a step out of attempts did not fail: %+v", d)
					}
				}
				if d.Outcome == customauth.NextRound {
					if d.Attempt < 1 || len(h)+1 > o.maxRounds() {
						fail("next round %+v is out of bounds", d)
					}
					meta := ""
					if d.ChallengeName == "CUSTOM_CHALLENGE" {
						meta = s.steps[d.Step].names[0]
					}
					after := fl.Decide(append(h[:len(h):len(h)], pass(d.ChallengeName, meta)), f)
					if after.Outcome == customauth.Fail && after.Reason != customauth.ReasonUserNotFound {
						fail("passing the round it asked for (%s %s) fails: %+v", d.ChallengeName, meta, after)
					}
				}
			}
			t.Logf("%d histories: %d issued tokens, %d complete for a missing user, %d with unknown rounds, %d out of attempts",
				historiesPerShape, tokens, ghostsComplete, unknown, exhaustedSeen)
			// Guard the generator: each property must have been exercised.
			if tokens < historiesPerShape/50 || ghostsComplete == 0 || unknown < historiesPerShape/50 || exhaustedSeen < historiesPerShape/100 {
				t.Fatalf("the generator is too weak to test the properties")
			}
		})
	}
}

func describe(h []triggers.ChallengeResult) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, r := range h {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s(%q):%v", r.ChallengeName, r.ChallengeMetadata, r.ChallengeResult)
	}
	b.WriteByte(']')
	return b.String()
}
