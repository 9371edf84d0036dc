package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/cognitrig/cognitrig/customauth"
)

// sequenceSteps are the step names of COGNITRIG_AUTH_SEQUENCE (see
// handlers/internal/compose/customauth.ParseSequence), with the challenge names the
// deployed handlers give them.
var sequenceSteps = []struct {
	step  string
	names []string // the challenge, then its alternatives
}{
	{"captcha", []string{"CAPTCHA_CHALLENGE"}},
	{"security-question", []string{"SECURITY_QUESTION"}},
	{"email-otp", []string{"EMAIL_OTP"}},
	{"sms-otp", []string{"SMS_OTP"}},
	{"email-or-sms-otp", []string{"EMAIL_OTP", "SMS_OTP"}},
	{"magic-link", []string{"MAGIC_LINK"}},
}

// runSequence prints the state machine that package customauth derives
// from a sequence such as "password,captcha,email-otp".
func runSequence(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sequence", flag.ContinueOnError)
	fs.SetOutput(stderr)
	spec := fs.String("diagram", "", `the sequence, as in COGNITRIG_AUTH_SEQUENCE: comma-separated steps, e.g. "password,captcha,email-otp"`)
	attempts := fs.Int("max-attempts", customauth.DefaultMaxAttempts, "attempts per custom step, as the deployed handlers allow")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitBadArgs
	}
	if *spec == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, `cognitrig sequence: use --diagram SEQUENCE, e.g. --diagram "password,captcha,email-otp"`)
		return exitBadArgs
	}
	if *attempts < 1 || *attempts > customauth.MaxMaxAttempts {
		fmt.Fprintf(stderr, "cognitrig sequence: --max-attempts %d is outside 1..%d\n", *attempts, customauth.MaxMaxAttempts)
		return exitBadArgs
	}
	flow, err := flowOf(*spec, *attempts)
	if err != nil {
		fmt.Fprintf(stderr, "cognitrig sequence: %v\n", err)
		return exitBadArgs
	}
	fmt.Fprint(stdout, flow.Mermaid())
	return exitOK
}

// flowOf compiles a sequence of step names with stand-in challenges that
// carry the deployed challenges' names: the state machine depends only on
// the names, the order and the attempts.
func flowOf(spec string, attempts int) (*customauth.Flow, error) {
	var seq customauth.Sequence
	known := make([]string, len(sequenceSteps))
	for i, s := range sequenceSteps {
		known[i] = s.step
	}
	codes := 0
	for i, raw := range strings.Split(spec, ",") {
		step := strings.ToLower(strings.TrimSpace(raw))
		if step == "password" && i == 0 {
			seq.Password = true
			continue
		}
		k := slices.IndexFunc(sequenceSteps, func(s struct {
			step  string
			names []string
		}) bool {
			return s.step == step
		})
		if k < 0 {
			return nil, fmt.Errorf("unknown step %q: use %s, after an optional password", step, strings.Join(known, ", "))
		}
		if strings.HasSuffix(step, "-otp") {
			if codes++; codes > 1 {
				return nil, errors.New("more than one one-time-code step: use email-or-sms-otp for a choice")
			}
		}
		names := sequenceSteps[k].names
		st := customauth.Step{Challenge: customauth.NewChallenge(names[0], nil, nil), MaxAttempts: attempts}
		for _, alt := range names[1:] {
			st.Alternatives = append(st.Alternatives, customauth.NewChallenge(alt, nil, nil))
		}
		seq.Steps = append(seq.Steps, st)
	}
	if len(seq.Steps) == 0 {
		return nil, fmt.Errorf("%q has no challenge step: name at least one of %s", spec, strings.Join(known, ", "))
	}
	return customauth.New(seq)
}
