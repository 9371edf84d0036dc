package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// DefaultAuthSequence is the custom authentication sequence when
// COGNITRIG_AUTH_SEQUENCE is unset: a one-time code by email.
const DefaultAuthSequence = "email-otp"

// The step names of an authentication sequence.
const (
	// Cognito's own password check (SRP_A, then PASSWORD_VERIFIER), which
	// the define auth challenge trigger can only ask for first ("Define
	// auth challenge Lambda trigger", the session's challenge results).
	StepPassword         = "password"
	StepCaptcha          = "captcha"           // a CAPTCHA, checked by a siteverify endpoint
	StepSecurityQuestion = "security-question" // the user's security question
	StepEmailOTP         = "email-otp"         // a one-time code by email
	StepSMSOTP           = "sms-otp"           // a one-time code by SMS
	StepEmailOrSMSOTP    = "email-or-sms-otp"  // a one-time code by email or SMS (clientMetadata "channel", else the verified one)
	StepMagicLink        = "magic-link"        // a signed, single-use sign-in link by email
)

// Sequence is a parsed COGNITRIG_AUTH_SEQUENCE.
type Sequence struct {
	Password bool     // the sequence starts with Cognito's password check
	Steps    []string // the custom steps, in order
}

// Has reports whether the sequence has any of steps.
func (s Sequence) Has(steps ...string) bool {
	return slices.ContainsFunc(s.Steps, func(x string) bool { return slices.Contains(steps, x) })
}

// ParseSequence parses an authentication sequence: comma-separated step
// names, optionally starting with "password", each step at most once and
// at most one kind of one-time code. For example "email-otp",
// "magic-link", "password,email-otp" or "password,captcha,security-question".
func ParseSequence(s string) (Sequence, error) {
	known := []string{StepCaptcha, StepSecurityQuestion, StepEmailOTP, StepSMSOTP, StepEmailOrSMSOTP, StepMagicLink}
	var seq Sequence
	if strings.TrimSpace(s) == "" {
		return seq, fmt.Errorf("no challenge step: name at least one of %s", strings.Join(known, ", "))
	}
	codes := 0
	for i, raw := range strings.Split(s, ",") {
		step := strings.ToLower(strings.TrimSpace(raw))
		switch {
		case step == StepPassword && i == 0:
			seq.Password = true
			continue
		case step == StepPassword:
			return Sequence{}, errors.New("password can only be the first step")
		case step == "":
			return Sequence{}, fmt.Errorf("%q has an empty step", s)
		case !slices.Contains(known, step):
			return Sequence{}, fmt.Errorf("unknown step %q: use %s, after an optional %s", step, strings.Join(known, ", "), StepPassword)
		case slices.Contains(seq.Steps, step):
			return Sequence{}, fmt.Errorf("step %s appears twice", step)
		}
		if step == StepEmailOTP || step == StepSMSOTP || step == StepEmailOrSMSOTP {
			if codes++; codes > 1 {
				return Sequence{}, errors.New("more than one one-time-code step: use email-or-sms-otp for a choice")
			}
		}
		seq.Steps = append(seq.Steps, step)
	}
	if len(seq.Steps) == 0 {
		return Sequence{}, fmt.Errorf("%q has no challenge step: name at least one of %s", s, strings.Join(known, ", "))
	}
	return seq, nil
}
