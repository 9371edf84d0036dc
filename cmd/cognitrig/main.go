// Command cognitrig replays and inspects Cognito trigger events and runs the
// operational tasks of a user pool (lazy-migration export, backup, restore).
//
//	cognitrig replay EVENT.json...      run recorded events through the example handlers
//	cognitrig inspect [--json] EVENT.json  say which trigger and version an event is, and what is wrong with it
//	cognitrig migrate csv ...           write not-yet-migrated legacy users as a Cognito import CSV
//	cognitrig backup ... / restore ...  export and re-import a user pool's users
//	cognitrig attach / detach ...       wire an existing pool's triggers to a function, keeping every other setting
//	cognitrig serve --function NAME=PATH...  a local Lambda Invoke API for bootstrap binaries
//
// Exit status: 0 on success, 1 when a handler or task fails, 2 on bad input.
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
	name  string
	usage string
	run   func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"replay", "replay [--quiet] EVENT.json...  run recorded events through the example handlers and print each response", runReplay},
		{"inspect", "inspect [--json] EVENT.json...  say which trigger and version each event is and what is wrong with it", runInspect},
		{"migrate", "migrate csv [flags]  write the users not yet migrated as a Cognito user-import CSV", runMigrate},
		{"backup", "backup [flags]  export every user of a pool to a JSON Lines file", runBackup},
		{"restore", "restore [flags]  write the import CSV and group memberships for a new pool from a backup", runRestore},
		{"attach", "attach --user-pool-id ID --function ARN --triggers LIST [--dry-run]  point an existing pool's triggers at a function, keeping every other setting", runAttach},
		{"detach", "detach --user-pool-id ID --triggers LIST [--function ARN] [--dry-run]  undo attach", runDetach},
		{"serve", "serve --function NAME=PATH... [--addr 127.0.0.1:9001] [--env KEY=VALUE]...  serve Lambda's Invoke API for local bootstrap binaries", runServe},
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
	fmt.Fprintln(w, "usage: cognitrig COMMAND [ARGS]")
	for _, c := range commands() {
		fmt.Fprintf(w, "  cognitrig %s\n", c.usage)
	}
}
