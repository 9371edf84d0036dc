package compose_test

import (
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cognitrig/cognitrig/config"
	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/handlers/internal/compose/authevents"
)

// A function that cannot start says why, naming every variable at once.
func ExampleBuild() {
	e := config.Map(map[string]string{
		config.EnvAuditTable: "audit",
		config.EnvIPAllow:    "10.0.0.0/8,192.0.2.300",
		config.EnvLogLevel:   "loud",
	})
	_, err := compose.Build(e, aws.Config{Region: "eu-west-1"}, io.Discard, authevents.AuthEvents)
	fmt.Println(err)
	// Output:
	// configuration: COGNITRIG_LOG_LEVEL: "loud" is not a log level: use debug, info, warn or error
	// COGNITRIG_IP_ALLOW: "192.0.2.300" is not an IP address or CIDR network
}
