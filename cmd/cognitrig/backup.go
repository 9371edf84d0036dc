package main

import (
	"context"
	"fmt"
	"io"
)

// runBackup and runRestore are replaced by the backup issue's implementation.
func runBackup(_ context.Context, _ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "cognitrig backup: not built yet")
	return exitBadArgs
}

func runRestore(_ context.Context, _ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "cognitrig restore: not built yet")
	return exitBadArgs
}
