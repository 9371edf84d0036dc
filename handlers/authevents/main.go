// Command authevents is the Lambda function of the Pre and Post
// Authentication triggers: sign-in policies and the sign-in audit (see
// compose.AuthEvents for its settings). Build it as a `bootstrap` for the
// provided.al2023 runtime with `make build`.
package main

import "github.com/cognitrig/cognitrig/handlers/internal/compose"

func main() { compose.Main("authevents", compose.AuthEvents) }
