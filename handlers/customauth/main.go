// Command customauth is the Lambda function of custom authentication:
// DefineAuthChallenge, CreateAuthChallenge and VerifyAuthChallengeResponse,
// derived from the challenge sequence in COGNITRIG_AUTH_SEQUENCE (see
// customauth.CustomAuth for its settings). Build it as a `bootstrap` for the
// provided.al2023 runtime with `make build`.
package main

import (
	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/handlers/internal/compose/customauth"
)

func main() { compose.Main("customauth", customauth.CustomAuth) }
