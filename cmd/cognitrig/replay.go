package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cognitrig/cognitrig/handlers/example"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// replayResult is what `replay --json` prints for each event.
type replayResult struct {
	Event         string          `json:"event"`
	TriggerSource string          `json:"triggerSource,omitempty"`
	Version       string          `json:"version,omitempty"`
	Response      json.RawMessage `json:"response,omitempty"`
	Refused       bool            `json:"refused,omitempty"`
	Error         string          `json:"error,omitempty"`
}

// replayInput is one event to replay.
type replayInput struct {
	name    string
	payload []byte
}

// replayOptions say how replayEvents prints.
type replayOptions struct {
	verbose bool // the request and the response of each event, indented
	asJSON  bool // one replayResult per event instead of a line
	reveal  bool // secrets in clear
	indent  string
}

// tally counts invocations: handled ones answered (with a response or a
// deliberate refusal); failed ones did not (an error, a panic, or in the
// demo's flows an outcome other than the expected one).
type tally struct {
	events, handled, failed int
	refused                 int // of handled: a triggers.Refusal
	errored                 int // of handled: an error the flow expects (a legacy service down)
}

func (t *tally) add(o tally) {
	t.events += o.events
	t.handled += o.handled
	t.failed += o.failed
	t.refused += o.refused
	t.errored += o.errored
}

// String is the one-line summary: "64 events: 64 handled, 0 failed".
func (t tally) String() string {
	var of []string
	if t.refused > 0 {
		of = append(of, fmt.Sprintf("%d refused", t.refused))
	}
	if t.errored > 0 {
		of = append(of, fmt.Sprintf("%d with the expected error", t.errored))
	}
	handled := strconv.Itoa(t.handled) + " handled"
	if len(of) > 0 {
		handled += " (" + strings.Join(of, ", ") + ")"
	}
	noun := "events"
	if t.events == 1 {
		noun = "event"
	}
	return fmt.Sprintf("%d %s: %s, %d failed", t.events, noun, handled, t.failed)
}

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	logLevel := fs.String("log-level", "warn", "level of the handlers' log on stderr (debug shows whole events, secrets masked)")
	all := fs.Bool("recorded", false, "replay every event recorded in the test kit instead of files")
	reveal := fs.Bool("reveal-secrets", false, "print secrets (private challenge parameters, codes) in clear; they are masked by default")
	verbose := fs.Bool("verbose", false, "print each event's request and response, indented, under its line")
	asJSON := fs.Bool("json", false, "print one JSON object per event (event, triggerSource, version, response, refused, error) instead of lines")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitBadArgs
	}
	if *verbose && *asJSON {
		fmt.Fprintln(stderr, "cognitrig replay: use --verbose or --json, not both")
		return exitBadArgs
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "cognitrig replay: --log-level %q: use debug, info, warn or error\n", *logLevel)
		return exitBadArgs
	}
	var inputs []replayInput
	if *all {
		inputs = recordedInputs()
	}
	for _, path := range fs.Args() {
		b, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "cognitrig replay: %v\n", err)
			return exitBadArgs
		}
		inputs = append(inputs, replayInput{filepath.Base(path), b})
	}
	if len(inputs) == 0 {
		fmt.Fprintln(stderr, "cognitrig replay: name at least one EVENT.json (or --recorded)")
		return exitBadArgs
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	t, code := replayEvents(ctx, logger, inputs, replayOptions{verbose: *verbose, asJSON: *asJSON, reveal: *reveal}, stdout, stderr)
	if code != exitOK && t.events == 0 {
		return code
	}
	if !*asJSON {
		fmt.Fprintln(stdout, t)
	}
	if code == exitOK && (t.failed > 0 || t.refused > 0) {
		// A refusal fails the invocation too: Cognito gets an error.
		code = exitFailed
	}
	return code
}

// recordedInputs returns every event recorded in the test kit.
func recordedInputs() []replayInput {
	var inputs []replayInput
	for _, n := range triggertest.Names() {
		b, err := triggertest.Raw(n)
		if err == nil {
			inputs = append(inputs, replayInput{n, b})
		}
	}
	return inputs
}

// replayEvents runs inputs through the example handlers and prints one
// line per event: its name, then what the handler answered. It stops with
// exitBadArgs at an input that is not a Cognito trigger event.
func replayEvents(ctx context.Context, logger *slog.Logger, inputs []replayInput, o replayOptions, stdout, stderr io.Writer) (tally, int) {
	router := example.NewRouter(logger, example.DefaultConfig(), triggers.WithMiddleware(triggers.Default(logger)...))
	width := 0
	for _, in := range inputs {
		width = max(width, utf8.RuneCountInString(strings.TrimSuffix(in.name, ".json")))
	}
	var t tally
	for _, in := range inputs {
		name := strings.TrimSuffix(in.name, ".json")
		ev, handler, err := router.Decode(in.payload)
		if err != nil {
			fmt.Fprintf(stderr, "cognitrig replay: %s: %v\n", in.name, err)
			return t, exitBadArgs
		}
		request, err := printable(ev, o.reveal)
		if err != nil {
			fmt.Fprintf(stderr, "cognitrig replay: %s: %v\n", in.name, err)
			return t, exitFailed
		}
		res := replayResult{Event: name, TriggerSource: string(ev.Common().TriggerSource), Version: ev.Common().Version}
		herr := handler.HandleTrigger(ctx, ev)
		var outcome string
		var refusal *triggers.Refusal
		t.events++
		switch {
		case herr == nil:
			t.handled++
			b, err := printable(ev, o.reveal)
			if err != nil {
				fmt.Fprintf(stderr, "cognitrig replay: %s: %v\n", in.name, err)
				return t, exitFailed
			}
			res.Response = member(b, "response")
			outcome = summarize(res.Response)
		case errors.As(herr, &refusal):
			t.handled++
			t.refused++
			res.Refused, res.Error = true, herr.Error()
			outcome = describeRefusal(refusal)
		default:
			t.failed++
			res.Error = herr.Error()
			outcome = "FAILED: " + herr.Error()
		}
		if o.asJSON {
			res.Response = readable(res.Response, "")
			b, err := marshalReadable(res, "")
			if err != nil {
				fmt.Fprintf(stderr, "cognitrig replay: %s: %v\n", in.name, err)
				return t, exitFailed
			}
			fmt.Fprintf(stdout, "%s\n", b)
			continue
		}
		fmt.Fprintf(stdout, "%s%-*s → %s\n", o.indent, width, name, clipLine(outcome, 150-width))
		if o.verbose {
			fmt.Fprintf(stdout, "%s    request:\n%s\n", o.indent, readable(member(request, "request"), o.indent+"      "))
			if res.Response != nil {
				fmt.Fprintf(stdout, "%s    response:\n%s\n", o.indent, readable(res.Response, o.indent+"      "))
			}
		}
	}
	return t, exitOK
}

// describeRefusal says what the user sees and, for the operator, why.
func describeRefusal(r *triggers.Refusal) string {
	s := fmt.Sprintf("refused: %q", r.Message)
	if r.Reason != nil {
		s += " (reason: " + r.Reason.Error() + ")"
	}
	return s
}

// printable returns the event's JSON, secrets masked unless reveal.
func printable(ev triggers.Event, reveal bool) ([]byte, error) {
	if !reveal {
		masked, err := triggers.Masked(ev)
		if err != nil {
			return nil, err
		}
		ev = masked
	}
	return json.Marshal(ev)
}

// member returns one top-level member of a JSON object, or nil.
func member(doc []byte, name string) json.RawMessage {
	var parts map[string]json.RawMessage
	if err := json.Unmarshal(doc, &parts); err != nil {
		return nil
	}
	return parts[name]
}

// summarize describes a response on one line: its set fields, in order, as
// path=value; fields left at their zero value are left out, since they
// change nothing in Cognito.
func summarize(response json.RawMessage) string {
	var parts []string
	dec := json.NewDecoder(bytes.NewReader(response))
	dec.UseNumber()
	if err := flatten(dec, "", &parts); err != nil || len(parts) == 0 {
		// Only zero values: say which, since false can be an answer
		// (answerCorrect); an empty object is the answer of a trigger
		// that has nothing to return (post confirmation, a sender).
		compact := string(readable(response, ""))
		if compact == "" || compact == "{}" || compact == "null" {
			return "ok, empty response"
		}
		return compact
	}
	return strings.Join(parts, ", ")
}

// anySet reports whether a response sets any field to a non-zero value.
func anySet(response json.RawMessage) bool {
	var parts []string
	dec := json.NewDecoder(bytes.NewReader(response))
	dec.UseNumber()
	return flatten(dec, "", &parts) == nil && len(parts) > 0
}

// shortPaths shortens the long wrapper names of pre token generation.
var shortPaths = strings.NewReplacer(
	"claimsAndScopeOverrideDetails.", "",
	"claimsOverrideDetails.", "",
	"idTokenGeneration.", "idToken.",
	"accessTokenGeneration.", "accessToken.",
	"claimsToAddOrOverride.", "+",
	"groupOverrideDetails.", "groups.",
	"publicChallengeParameters.", "public.",
	"privateChallengeParameters.", "private.",
)

// flatten appends the set leaves of the next JSON value as path=value.
func flatten(dec *json.Decoder, path string, out *[]string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				key, _ := k.(string)
				if path != "" {
					key = path + "." + key
				}
				if err := flatten(dec, key, out); err != nil {
					return err
				}
			}
		case '[':
			var items []string
			for dec.More() {
				var sub []string
				if err := flatten(dec, "", &sub); err != nil {
					return err
				}
				items = append(items, strings.Join(sub, " "))
			}
			if len(items) > 0 {
				*out = append(*out, shortPaths.Replace(path)+"=["+strings.Join(items, " ")+"]")
			}
		}
		_, err := dec.Token() // the closing delimiter
		return err
	case nil:
		return nil
	case bool:
		if v {
			*out = append(*out, leaf(path, "true"))
		}
	case json.Number:
		if v.String() != "0" {
			*out = append(*out, leaf(path, v.String()))
		}
	case string:
		if v != "" {
			s := v
			if strings.ContainsAny(s, " ,=\"") {
				s = strconv.Quote(s)
			}
			*out = append(*out, leaf(path, s))
		}
	}
	return nil
}

func leaf(path, value string) string {
	if path == "" {
		return value
	}
	return shortPaths.Replace(path) + "=" + value
}

// clipLine cuts s to n runes, marking the cut.
func clipLine(s string, n int) string {
	n = max(n, 40)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// readable re-indents JSON with every line prefixed, and with <, > and &
// as themselves rather than \u003c, \u003e and \u0026 (encoding/json
// escapes them for HTML; these bodies are read by people).
func readable(doc json.RawMessage, prefix string) json.RawMessage {
	if len(doc) == 0 {
		return doc
	}
	var b bytes.Buffer
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := reencode(dec, &b); err != nil {
		return doc
	}
	if prefix == "" {
		return b.Bytes()
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), prefix, "  "); err != nil {
		return doc
	}
	return append([]byte(prefix), out.Bytes()...)
}

// reencode copies the next JSON value compactly, keeping the order of
// object members, with strings encoded without HTML escaping.
func reencode(dec *json.Decoder, b *bytes.Buffer) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		b.WriteString(v.String())
		first := true
		for dec.More() {
			if !first {
				b.WriteByte(',')
			}
			first = false
			if v == '{' {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				writeString(b, k.(string))
				b.WriteByte(':')
			}
			if err := reencode(dec, b); err != nil {
				return err
			}
		}
		end, err := dec.Token()
		if err != nil {
			return err
		}
		b.WriteString(end.(json.Delim).String())
	case string:
		writeString(b, v)
	case nil:
		b.WriteString("null")
	default:
		fmt.Fprint(b, v)
	}
	return nil
}

func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	b.Truncate(b.Len() - 1) // Encode's newline
}

// marshalReadable is json.Marshal without HTML escaping, indented with
// prefix when prefix is not empty.
func marshalReadable(v any, prefix string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if prefix != "" {
		enc.SetIndent(prefix, "  ")
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
