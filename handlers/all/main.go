// Command all is a deployable Lambda function that serves every Cognito
// trigger with the example handler set, behind the default middleware and
// CloudWatch embedded metrics. Build it as a `bootstrap` for the
// provided.al2023 runtime with `make build`.
package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/cognitrig/cognitrig/handlers/example"
	"github.com/cognitrig/cognitrig/triggers"
)

func main() {
	level, err := logLevel()
	if err != nil {
		// Fail at start, naming the setting, not at the first sign-in.
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level}))
	mw := append(triggers.Default(logger), triggers.Metrics(os.Stdout, "cognitrig"))
	lambda.Start(example.NewRouter(logger, example.Config{AutoConfirmDomain: os.Getenv("COGNITRIG_AUTOCONFIRM_DOMAIN")},
		triggers.WithMiddleware(mw...)))
}

// logLevel reads COGNITRIG_LOG_LEVEL (debug, info, warn, error); default info.
func logLevel() (slog.Level, error) {
	v := os.Getenv("COGNITRIG_LOG_LEVEL")
	if v == "" {
		return slog.LevelInfo, nil
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		return 0, fmt.Errorf("COGNITRIG_LOG_LEVEL=%q: use debug, info, warn or error", v)
	}
	return l, nil
}
