// Command messages is the Lambda function of the Custom Message trigger
// and, when COGNITRIG_KMS_KEY_ARN is set, the custom email and SMS senders
// (see messages.Messages for its settings). Build it as a `bootstrap` for
// the provided.al2023 runtime with `make build`.
package main

import (
	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/handlers/internal/compose/messages"
)

func main() { compose.Main("messages", messages.Messages) }
