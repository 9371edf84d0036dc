// Command tenancy is the Lambda function of the tenancy triggers:
// PreSignUp (invitations, federated identity linking), PostConfirmation
// (the tenant attribute and group; with COGNITRIG_WELCOME_EMAIL, one welcome
// email per user) and PreTokenGeneration (tenant claims
// and scopes; configured as version 2, it also answers versions 1 and 3).
// See tenancy.Tenancy for its settings. Build it as a `bootstrap` for the
// provided.al2023 runtime with `make build`.
package main

import (
	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/handlers/internal/compose/tenancy"
)

func main() { compose.Main("tenancy", tenancy.Tenancy) }
