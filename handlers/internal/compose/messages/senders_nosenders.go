//go:build cognitrig_nosenders

package messages

import (
	"errors"

	"github.com/cognitrig/cognitrig/config"
	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/lifecycle/messages"
	"github.com/cognitrig/cognitrig/triggers"
)

// customSenders refuses to start: the variable asks for the senders that
// this build left out, with the AWS Encryption SDK they decrypt with (6 to
// 8 MB of the binary).
func customSenders(d *compose.Deps, _ *triggers.Router, _ *messages.Catalog, _ config.Messages, _ error) {
	d.Invalid(config.EnvKMSKeyARN, errors.New("is set, but this function was built with -tags cognitrig_nosenders, without the custom senders; build it without that tag"))
}
