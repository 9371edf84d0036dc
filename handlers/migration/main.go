// Command migration is the Lambda function of the User Migration trigger:
// it moves users of a legacy system into the pool when they sign in,
// through a circuit breaker, tracking every outcome (see migration.Migration
// for its settings). Build it as a `bootstrap` for the provided.al2023
// runtime with `make build`.
package main

import (
	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/handlers/internal/compose/migration"
)

func main() { compose.Main("migration", migration.Migration) }
