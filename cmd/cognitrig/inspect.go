package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/cognitrig/cognitrig/triggers"
)

type inspectResult struct {
	File string `json:"file"`
	triggers.Inspection
	Error string `json:"error,omitempty"`
	OK    bool   `json:"ok"`
}

// runInspect exits 0 when every event is well formed, 1 when one has
// problems, 2 when a file cannot be read or is not a Cognito trigger event.
func runInspect(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per event (triggerSource, version, trigger, problems, findings with their severity, ok)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitBadArgs
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "cognitrig inspect: name at least one EVENT.json")
		return exitBadArgs
	}
	code := exitOK
	for _, path := range fs.Args() {
		payload, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "cognitrig inspect: %v\n", err)
			return exitBadArgs
		}
		in := triggers.Inspect(payload)
		res := inspectResult{File: path, Inspection: in, OK: in.OK()}
		if in.Err != nil {
			res.Error = in.Err.Error()
			code = exitBadArgs
		} else if len(in.Problems) > 0 && code == exitOK {
			code = exitFailed
		}
		if *asJSON {
			b, _ := json.Marshal(res)
			fmt.Fprintln(stdout, string(b))
			continue
		}
		switch {
		case in.Err != nil:
			fmt.Fprintf(stdout, "%s: not a Cognito trigger event: %v\n", path, in.Err)
		case len(in.Problems) == 0:
			fmt.Fprintf(stdout, "%s: %s, version %s, trigger %s: ok\n", path, in.TriggerSource, in.Version, in.Trigger)
		default:
			fmt.Fprintf(stdout, "%s: %s, version %s, trigger %s: %d problem(s)\n", path, in.TriggerSource, in.Version, in.Trigger, len(in.Problems))
			for _, p := range in.Problems {
				fmt.Fprintf(stdout, "  - %s\n", p)
			}
		}
	}
	if code == exitBadArgs {
		fmt.Fprintln(stderr, "cognitrig inspect: some input is not a Cognito trigger event")
	}
	return code
}
