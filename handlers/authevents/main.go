// Command authevents is the Lambda function of the Pre and Post
// Authentication triggers: sign-in policies and the sign-in audit (see
// authevents.AuthEvents for its settings). Build it as a `bootstrap` for the
// provided.al2023 runtime with `make build`.
package main

import (
	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/handlers/internal/compose/authevents"
)

func main() { compose.Main("authevents", authevents.AuthEvents) }
