package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/cognitrig/cognitrig/handlers/example"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// replayResult is what replay prints for each event.
type replayResult struct {
	Event         string          `json:"event"`
	TriggerSource string          `json:"triggerSource,omitempty"`
	Version       string          `json:"version,omitempty"`
	Response      json.RawMessage `json:"response,omitempty"`
	Error         string          `json:"error,omitempty"`
}

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	logLevel := fs.String("log-level", "warn", "level of the handlers' log on stderr (debug shows whole events, secrets masked)")
	all := fs.Bool("recorded", false, "replay every event recorded in the test kit instead of files")
	reveal := fs.Bool("reveal-secrets", false, "print secrets (private challenge parameters, codes) in clear; they are masked by default")
	if err := fs.Parse(args); err != nil {
		return exitBadArgs
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "cognitrig replay: --log-level %q: use debug, info, warn or error\n", *logLevel)
		return exitBadArgs
	}
	type input struct {
		name    string
		payload []byte
	}
	var inputs []input
	if *all {
		for _, n := range triggertest.Names() {
			b, _ := triggertest.Raw(n)
			inputs = append(inputs, input{n, b})
		}
	}
	for _, path := range fs.Args() {
		b, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "cognitrig replay: %v\n", err)
			return exitBadArgs
		}
		inputs = append(inputs, input{filepath.Base(path), b})
	}
	if len(inputs) == 0 {
		fmt.Fprintln(stderr, "cognitrig replay: name at least one EVENT.json (or --recorded)")
		return exitBadArgs
	}

	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	router := example.NewRouter(logger, example.DefaultConfig(), triggers.WithMiddleware(triggers.Default(logger)...))
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	code := exitOK
	for _, in := range inputs {
		res := replayResult{Event: strings.TrimSuffix(in.name, ".json")}
		ev, handler, err := router.Decode(in.payload)
		if err != nil {
			fmt.Fprintf(stderr, "cognitrig replay: %s: %v\n", in.name, err)
			return exitBadArgs
		}
		res.TriggerSource, res.Version = string(ev.Common().TriggerSource), ev.Common().Version
		if err := handler.HandleTrigger(ctx, ev); err != nil {
			// A refusal is a failed invocation too: Cognito gets an error.
			res.Error = err.Error()
			code = exitFailed
		} else {
			printed := ev
			if !*reveal {
				if printed, err = triggers.Masked(ev); err != nil {
					fmt.Fprintf(stderr, "cognitrig replay: %s: %v\n", in.name, err)
					return exitFailed
				}
			}
			res.Response = responseOf(printed)
		}
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(stderr, "cognitrig replay: write: %v\n", err)
			return exitFailed
		}
	}
	return code
}

// responseOf returns the "response" member of an event's JSON.
func responseOf(ev triggers.Event) json.RawMessage {
	b, err := json.Marshal(ev)
	if err != nil {
		return nil
	}
	var parts struct {
		Response json.RawMessage `json:"response"`
	}
	_ = json.Unmarshal(b, &parts)
	return parts.Response
}
