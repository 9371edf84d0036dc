// Command cognitrig replays and inspects Cognito trigger events, shows the
// flows of cognitrig's packages, and runs the operational tasks of a user
// pool (lazy-migration export, backup, restore).
//
//	cognitrig demo [--verbose]             the tour that `make demo` runs: every recorded event, then each package's flow
//	cognitrig replay (--recorded | EVENT.json...)  run events through the example handlers, one line each
//	cognitrig inspect [--json] EVENT.json  say which trigger and version an event is, and what is wrong with it
//	cognitrig sequence --diagram SEQUENCE  the custom-auth state machine of a sequence, as a Mermaid diagram
//	cognitrig migrate csv ...              write not-yet-migrated legacy users as a Cognito import CSV
//	cognitrig backup ... / restore ...     export and re-import a user pool's users
//	cognitrig attach / detach ...        wire an existing pool's triggers to a function, keeping every other setting
//	cognitrig serve --function NAME=PATH...  a local Lambda Invoke API for bootstrap binaries
//
// `cognitrig help` prints the usage of every command; a test runs each of
// its lines. Exit status: 0 on success, 1 when a handler or task fails, 2
// on bad input.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailed  = 1
	exitBadArgs = 2
)

type command struct {
	name string
	// syntax is the command line after "cognitrig", in the notation that
	// TestUsageLinesRun parses: [optional], (a | b) alternatives, NAME
	// placeholders, "..." repeats, [flags] for the flags of `COMMAND -h`.
	syntax  string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"demo", "demo [--verbose]", "the tour of `make demo`: every recorded event through the example handlers, then each package's flow, run locally", runDemo},
		{"replay", "replay [--verbose | --json] [--reveal-secrets] [--log-level LEVEL] (--recorded | EVENT.json...)", "run events through the example handlers (a minimal illustration), one line each", runReplay},
		{"inspect", "inspect [--json] EVENT.json...", "say which trigger and version each event is and what is wrong with it", runInspect},
		{"sequence", "sequence --diagram SEQUENCE", `print the state machine of a custom-auth sequence such as "password,captcha,email-otp" as a Mermaid diagram`, runSequence},
		{"migrate", "migrate csv (--legacy-file FILE.jsonl | --legacy-table NAME) [flags]", "write the users not yet migrated as a Cognito user-import CSV", runMigrate},
		{"backup", "backup --user-pool-id ID [flags]", "export every user of a pool to a JSON Lines file", runBackup},
		{"restore", "restore --in FILE.jsonl --users-csv FILE --memberships FILE [flags]", "write the import CSV and group memberships for a new pool from a backup", runRestore},
		{"attach", "attach --user-pool-id ID --function ARN --triggers LIST [flags]", "point an existing pool's triggers at a function, keeping every other setting (--dry-run shows the change)", runAttach},
		{"detach", "detach --user-pool-id ID --triggers LIST [flags]", "undo attach: clear the triggers and the invoke permission", runDetach},
		{"serve", "serve --function NAME=PATH... [--addr 127.0.0.1:9001] [--env KEY=VALUE]...", "serve Lambda's Invoke API for local bootstrap binaries", runServe},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitBadArgs
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "cognitrig: unknown command %q; run `cognitrig help`\n", args[0])
	return exitBadArgs
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: cognitrig COMMAND [ARGS]   (cognitrig COMMAND -h for a command's flags)")
	for _, c := range commands() {
		fmt.Fprintf(w, "  cognitrig %s\n      %s\n", c.syntax, c.summary)
	}
	fmt.Fprintln(w, "  cognitrig help\n      this text")
}
