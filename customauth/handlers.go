package customauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/cognitrig/cognitrig/triggers"
)

// Metric names the handlers add with triggers.AddMetric.
const (
	MetricTokensIssued = "CustomAuthTokensIssued"
	MetricFailed       = "CustomAuthFailed"
	MetricWrongAnswer  = "CustomAuthWrongAnswer"
	MetricLocked       = "CustomAuthLocked" // refused for the failure budget or send cap
)

// UnavailableMessage is what the client is told when a challenge cannot be
// created or checked (a store, sender or CAPTCHA service is down). The
// cause is kept in the error chain for the log.
const UnavailableMessage = "Sign-in is not available right now. Try again later."

// unavailable turns an internal error into a user-safe refusal, keeping
// refusals that are already user-safe.
func unavailable(err error) error {
	var r *triggers.Refusal
	if errors.As(err, &r) {
		return r
	}
	return triggers.RefuseBecause(err, UnavailableMessage)
}

func (fl *Flow) facts(ctx context.Context, h *triggers.Header, attrs triggers.Attributes, meta triggers.Metadata, notFound bool) (Facts, error) {
	f := Facts{Attributes: attrs, ClientMetadata: meta, UserNotFound: notFound}
	if notFound {
		// The fake flow takes the steps and choices of a decoy profile,
		// stable per name, rather than those of a user without attributes.
		f.Attributes = fl.decoyAttributes(h.UserPoolID, h.UserName)
		return f, nil
	}
	if fl.groups != nil {
		groups, err := fl.groups.UserGroups(ctx, h.UserPoolID, h.UserName)
		if err != nil {
			return f, unavailable(err)
		}
		f.Groups = groups
	}
	return f, nil
}

// Define is the DefineAuthChallenge handler: it applies Decide to the
// session.
func (fl *Flow) Define(ctx context.Context, ev *triggers.DefineAuthChallengeEvent) error {
	f, err := fl.facts(ctx, &ev.Header, ev.Request.UserAttributes, ev.Request.ClientMetadata, ev.Request.UserNotFound)
	if err != nil {
		return err
	}
	d := fl.Decide(ev.Request.Session, f)
	ok, err := fl.spend(ctx, &ev.Header, ev.Request.UserAttributes, ev.Request.Session, d, f)
	if err != nil {
		return err
	}
	if !ok && d.Outcome != Fail {
		triggers.AddMetric(ctx, MetricLocked, triggers.UnitCount, 1)
		fl.logger.LogAttrs(ctx, slog.LevelWarn, "custom authentication refused: the user's failure budget or send cap is spent",
			slog.Int("rounds", len(ev.Request.Session)),
			slog.String("userPoolId", ev.UserPoolID),
			slog.String("userName", ev.UserName))
		return triggers.Refuse(LockedMessage)
	}
	d.apply(&ev.Response)
	switch d.Outcome {
	case IssueTokens:
		triggers.AddMetric(ctx, MetricTokensIssued, triggers.UnitCount, 1)
	case Fail:
		triggers.AddMetric(ctx, MetricFailed, triggers.UnitCount, 1)
		if fl.logger.Enabled(ctx, slog.LevelInfo) {
			fl.logger.LogAttrs(ctx, slog.LevelInfo, "custom authentication failed",
				slog.String("reason", d.Reason.String()),
				slog.Int("rounds", len(ev.Request.Session)),
				slog.String("userPoolId", ev.UserPoolID),
				slog.String("userName", ev.UserName))
		}
	}
	return nil
}

// Create is the CreateAuthChallenge handler: it finds the round's step with
// Decide, as Define did, and asks the step's challenge for its parameters.
// The response names the challenge in challengeMetadata and under
// ChallengeParam in both parameter maps.
func (fl *Flow) Create(ctx context.Context, ev *triggers.CreateAuthChallengeEvent) error {
	if ev.Request.ChallengeName != triggers.ChallengeCustom {
		return fmt.Errorf("customauth: CreateAuthChallenge was called for %q; only CUSTOM_CHALLENGE rounds are created by the trigger", clip(ev.Request.ChallengeName))
	}
	f, err := fl.facts(ctx, &ev.Header, ev.Request.UserAttributes, ev.Request.ClientMetadata, ev.Request.UserNotFound)
	if err != nil {
		return err
	}
	d := fl.Decide(ev.Request.Session, f)
	if d.Outcome != NextRound || d.ChallengeName != triggers.ChallengeCustom {
		return fmt.Errorf("customauth: CreateAuthChallenge was called where the sequence decides %s (%s, next %q); attach one Flow to all three triggers", d.Outcome, d.Reason, d.ChallengeName)
	}
	s := fl.stepSlot(d.Step)
	ch := s.pick(f)
	name := ch.Name()
	p, err := ch.Create(ctx, ev, Round{Step: d.Step, Attempt: d.Attempt, MaxAttempts: s.max, Facts: f})
	if err != nil {
		return unavailable(fmt.Errorf("customauth: create challenge %s: %w", name, err))
	}
	if _, taken := p.Public[ChallengeParam]; taken {
		return fmt.Errorf("customauth: challenge %s sets the reserved public parameter %q", name, ChallengeParam)
	}
	if _, taken := p.Private[ChallengeParam]; taken {
		return fmt.Errorf("customauth: challenge %s sets the reserved private parameter %q", name, ChallengeParam)
	}
	public := make(map[string]string, len(p.Public)+1)
	for k, v := range p.Public {
		public[k] = v
	}
	public[ChallengeParam] = name
	private := make(triggers.SecretMap, len(p.Private)+1)
	for k, v := range p.Private {
		private[k] = v
	}
	private[ChallengeParam] = name
	ev.Response.PublicChallengeParameters = public
	ev.Response.PrivateChallengeParameters = private
	ev.Response.ChallengeMetadata = name
	return nil
}

// Verify is the VerifyAuthChallengeResponse handler: the challenge named in
// the private parameters checks the answer. An answer to a challenge this
// flow does not have, an empty answer and an answer longer than
// MaxAnswerLength are wrong.
func (fl *Flow) Verify(ctx context.Context, ev *triggers.VerifyAuthChallengeResponseEvent) error {
	ev.Response.AnswerCorrect = false
	name := ev.Request.PrivateChallengeParameters[ChallengeParam]
	ch, ok := fl.byName[name]
	if !ok {
		fl.logger.LogAttrs(ctx, slog.LevelWarn, "custom challenge answer for a challenge this flow does not have; answered wrong",
			slog.String("challenge", clip(name)),
			slog.String("userPoolId", ev.UserPoolID))
		return nil
	}
	if answer := ev.Request.ChallengeAnswer.Reveal(); answer != "" && len(answer) <= MaxAnswerLength {
		correct, err := ch.Verify(ctx, ev)
		if err != nil {
			return unavailable(fmt.Errorf("customauth: verify challenge %s: %w", name, err))
		}
		ev.Response.AnswerCorrect = correct
	}
	if !ev.Response.AnswerCorrect {
		triggers.AddMetric(ctx, MetricWrongAnswer, triggers.UnitCount, 1)
		fl.logger.LogAttrs(ctx, slog.LevelInfo, "wrong custom challenge answer",
			slog.String("challenge", name),
			slog.String("userPoolId", ev.UserPoolID),
			slog.String("userName", ev.UserName))
	}
	return nil
}

// stepSlot returns the slot of Sequence.Steps[step].
func (fl *Flow) stepSlot(step int) *slot { return &fl.slots[fl.passwordSlots+step] }

// pick returns the challenge the step's chooser names, or its first.
func (s *slot) pick(f Facts) Challenge {
	if s.choose != nil {
		if want := s.choose(f); want != "" {
			for i, name := range s.names {
				if name == want {
					return s.challenges[i]
				}
			}
		}
	}
	return s.challenges[0]
}

// clip bounds untrusted text placed in an error or log line.
func clip(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
