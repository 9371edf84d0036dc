package main

import (
	"context"
	"fmt"
	"io"
)

// runMigrate is replaced by the migration issue's implementation.
func runMigrate(_ context.Context, _ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "cognitrig migrate: not built yet")
	return exitBadArgs
}
