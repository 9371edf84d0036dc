// Command all is the single Lambda function that serves every Cognito
// trigger of a cognitrig deployment: custom authentication, tenancy, user
// migration (when a legacy source is configured), messages and custom
// senders, and the authentication events, each configured as its
// per-concern function is (see package compose). Build it as a `bootstrap` for the
// provided.al2023 runtime with `make build`.
package main

import (
	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/handlers/internal/compose/authevents"
	"github.com/cognitrig/cognitrig/handlers/internal/compose/customauth"
	"github.com/cognitrig/cognitrig/handlers/internal/compose/messages"
	"github.com/cognitrig/cognitrig/handlers/internal/compose/migration"
	"github.com/cognitrig/cognitrig/handlers/internal/compose/tenancy"
)

func main() {
	compose.Main("all",
		customauth.CustomAuth,
		tenancy.Tenancy,
		migration.MigrationIfConfigured,
		messages.Messages,
		authevents.AuthEvents,
	)
}
