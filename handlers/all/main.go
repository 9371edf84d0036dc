// Command all is the single Lambda function that serves every Cognito
// trigger of a cognitrig deployment: custom authentication, tenancy, user
// migration (when a legacy source is configured), messages and custom
// senders, and the authentication events, each configured as its
// per-concern function is (see package compose). Build it as a `bootstrap` for the
// provided.al2023 runtime with `make build`.
package main

import "github.com/cognitrig/cognitrig/handlers/internal/compose"

func main() {
	compose.Main("all",
		compose.CustomAuth,
		compose.Tenancy,
		compose.MigrationIfConfigured,
		compose.Messages,
		compose.AuthEvents,
	)
}
