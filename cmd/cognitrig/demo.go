package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// runDemo is `make demo`: every recorded event through the example
// handlers, one line each, then the real flow of each package, run
// locally as Cognito would run it, then one summary line.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	verbose := fs.Bool("verbose", false, "print the request and response of every invocation, indented, under its line")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitBadArgs
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "cognitrig demo: unexpected argument %q\n", fs.Arg(0))
		return exitBadArgs
	}
	// The handlers' own logs would interleave with the story: the demo
	// itself marks an unexpected outcome. --verbose shows them on stderr.
	logger := slog.New(slog.DiscardHandler)
	if *verbose {
		logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	var total tally

	inputs := recordedInputs()
	fmt.Fprintf(stdout, "1. %d recorded Cognito events → handlers/example (a minimal illustration, one short handler per trigger)\n", len(inputs))
	t, code := replayEvents(ctx, logger, inputs, replayOptions{verbose: *verbose, indent: "   "}, stdout, stderr)
	if code != exitOK {
		return code
	}
	fmt.Fprintf(stdout, "   %s\n", t)
	total.add(t)

	parts := []struct {
		title string
		run   func(ctx context.Context, d *demo) error
	}{
		{"custom authentication (customauth): password → CAPTCHA → one-time code by e-mail", demoCustomAuth},
		{"invitation sign-up → confirmation → token with tenant claims (tenancy)", demoTenancy},
		{"lazy migration; the legacy service goes down, the breaker opens and closes (migration)", demoMigration},
		{"custom message, per locale (lifecycle/messages)", demoMessages},
	}
	for i, p := range parts {
		fmt.Fprintf(stdout, "\n%d. %s\n", i+2, p.title)
		d := &demo{w: stdout, verbose: *verbose, logger: logger}
		if err := p.run(ctx, d); err != nil {
			// The part could not be set up or driven: a bug of the demo.
			fmt.Fprintf(stderr, "cognitrig demo: part %d: %v\n", i+2, err)
			d.t.failed++
		}
		fmt.Fprintf(stdout, "   %s\n", d.t)
		total.add(d.t)
	}
	fmt.Fprintf(stdout, "\n%s (%d recorded, %d in the flows)\n", total, t.events, total.events-t.events)
	if total.failed > 0 {
		return exitFailed
	}
	return exitOK
}

// outcome is what a trigger invocation is expected to end with.
type outcome int

const (
	answers outcome = iota // a response
	refuses                // a triggers.Refusal, its message shown to the user
	errs                   // another error, which Cognito also shows to the user
)

// demo drives one part: it invokes a router with JSON as the Lambda runtime
// does, prints one line per invocation and counts outcomes against
// expectations.
type demo struct {
	w       io.Writer
	verbose bool
	logger  *slog.Logger
	t       tally
}

// cognitoTimeout is how long Cognito waits for a synchronous trigger.
const cognitoTimeout = 5 * time.Second

// invoke sends payload to r under Cognito's time limit and checks the
// outcome against want. It returns the response (nil on an error) and the
// error, and counts the invocation.
func (d *demo) invoke(ctx context.Context, r *triggers.Router, payload []byte, want outcome) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, cognitoTimeout)
	defer cancel()
	out, err := r.Invoke(ctx, payload)
	d.count(err, want)
	return out, err
}

// count records one invocation's outcome.
func (d *demo) count(err error, want outcome) {
	var refusal *triggers.Refusal
	got := answers
	switch {
	case errors.As(err, &refusal):
		got = refuses
	case err != nil:
		got = errs
	}
	d.t.events++
	if got != want {
		d.t.failed++
		fmt.Fprintf(d.w, "     UNEXPECTED: %v\n", err)
		return
	}
	d.t.handled++
	switch got {
	case refuses:
		d.t.refused++
	case errs:
		d.t.errored++
	}
}

// line prints what Cognito did and what the trigger answered.
func (d *demo) line(cognito, trigger string) {
	const width = 66
	if n := utf8.RuneCountInString(cognito); n < width {
		cognito += strings.Repeat(" ", width-n)
	}
	// A long answer continues under itself, broken after its commas.
	const room = 84
	var lines []string
	for _, part := range strings.SplitAfter(trigger, ", ") {
		if n := len(lines); n > 0 && utf8.RuneCountInString(lines[n-1])+utf8.RuneCountInString(part) <= room {
			lines[n-1] += part
			continue
		}
		lines = append(lines, part)
	}
	for i, l := range lines {
		l = strings.TrimSuffix(l, " ")
		if i == 0 {
			fmt.Fprintf(d.w, "   %s → %s\n", cognito, l)
			continue
		}
		fmt.Fprintf(d.w, "   %*s   %s\n", max(width, utf8.RuneCountInString(cognito)), "", l)
	}
}

// note prints an indented remark under a line.
func (d *demo) note(format string, args ...any) {
	fmt.Fprintf(d.w, "       "+format+"\n", args...)
}

// show prints the request and response of an invocation with --verbose.
func (d *demo) show(request, response []byte) {
	if !d.verbose {
		return
	}
	if req := member(masked(request), "request"); req != nil {
		fmt.Fprintf(d.w, "       request:\n%s\n", readable(req, "         "))
	}
	if resp := member(masked(response), "response"); resp != nil {
		fmt.Fprintf(d.w, "       response:\n%s\n", readable(resp, "         "))
	}
}

// masked returns an event's JSON with its secrets masked by their types,
// or nil if payload is not a trigger event.
func masked(payload []byte) []byte {
	var h struct {
		TriggerSource triggers.TriggerSource `json:"triggerSource"`
		Version       string                 `json:"version"`
	}
	if payload == nil || json.Unmarshal(payload, &h) != nil {
		return nil
	}
	t, err := triggers.Classify(h.TriggerSource, h.Version)
	if err != nil {
		return nil
	}
	ev := triggers.NewEvent(t)
	if ev == nil || json.Unmarshal(payload, ev) != nil {
		return nil
	}
	b, err := printable(ev, false)
	if err != nil {
		return nil
	}
	return b
}

// answer describes a response for a line: its set fields, or the refusal
// or error that Cognito shows the user.
func answer(response []byte, err error) string {
	var refusal *triggers.Refusal
	switch {
	case errors.As(err, &refusal):
		return describeRefusal(refusal)
	case err != nil:
		return fmt.Sprintf("error shown to the user: %q", err.Error())
	}
	return summarize(member(masked(response), "response"))
}

// event builds an event from a recorded one with the builder of the test
// kit: sets are path, value pairs.
func event(recorded string, sets ...any) ([]byte, error) {
	b, err := triggertest.FromRaw(recorded)
	if err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(sets); i += 2 {
		b.Set(sets[i].(string), sets[i+1])
	}
	return b.Bytes()
}
