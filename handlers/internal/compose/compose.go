package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/cognitrig/cognitrig/handlers/internal/env"
	"github.com/cognitrig/cognitrig/triggers"
)

// Concern reads the settings of one concern from d and registers its
// handlers on r. It reports bad settings through d (Env's getters, or
// Deps.Invalid) rather than failing at once, so that a function that cannot
// start names every bad variable in one message.
type Concern func(d *Deps, r *triggers.Router)

// Invoker is what lambda.Start serves: a *triggers.Router, or a wrapper of
// one (authpolicy.WithSourceIP).
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// Deps is what concerns share while a function is built: the settings,
// the AWS SDK configuration and the logger. Clients are made on first use
// and shared, one of each per process.
type Deps struct {
	Env    *env.Env
	AWS    aws.Config
	Logger *slog.Logger

	problems []error
	wrappers []func(Invoker) Invoker

	clients map[string]any
	secrets SecretsManagerAPI
}

// Invalid records a problem with the variable name that a concern found
// itself, such as a value that parses but cannot be used.
func (d *Deps) Invalid(name string, err error) {
	d.problems = append(d.problems, fmt.Errorf("%s: %w", name, err))
}

// Wrap asks for the function's handler to be wrapped by w, for concerns
// that read the raw event before the router decodes it.
func (d *Deps) Wrap(w func(Invoker) Invoker) { d.wrappers = append(d.wrappers, w) }

// Err returns every problem found so far, by Env and by the concerns,
// or nil.
func (d *Deps) Err() error {
	var all []error
	if err := d.Env.Err(); err != nil {
		// Env.Err wraps a join of one error per variable; list them with
		// the concerns' own problems under one heading.
		if j, ok := errors.Unwrap(err).(interface{ Unwrap() []error }); ok {
			all = append(all, j.Unwrap()...)
		} else {
			all = append(all, err)
		}
	}
	all = append(all, d.problems...)
	if len(all) == 0 {
		return nil
	}
	return fmt.Errorf("configuration: %w", errors.Join(all...))
}

// Client returns the process's client named key, made by make from d.AWS
// on first use with newClient and shared by every concern after it, one per
// process. It
// keeps this package free of AWS service packages, so that each function
// links only the service clients its concerns call: a concern passes its
// service's constructor, e.g.
//
//	compose.Client(d, "dynamodb", func(c aws.Config) *dynamodb.Client { return dynamodb.NewFromConfig(c) })
//
// A key always names one client type; Client panics on a key made with
// another type, a defect of the concern that asked.
func Client[T any](d *Deps, key string, newClient func(aws.Config) T) T {
	if c, ok := d.clients[key]; ok {
		return c.(T)
	}
	if d.clients == nil {
		d.clients = map[string]any{}
	}
	c := newClient(d.AWS)
	d.clients[key] = c
	return c
}

// RequiredURL reads a URL variable that must be set.
func RequiredURL(e *env.Env, name string) string {
	if e.String(name, "") == "" {
		return e.Required(name)
	}
	return e.URL(name)
}

// Function is a built Lambda function.
type Function struct {
	// Router holds the handlers of every concern, behind the default
	// middleware and CloudWatch embedded metrics.
	Router *triggers.Router
	// Handler is what lambda.Start serves: Router, wrapped as the concerns
	// asked.
	Handler Invoker
}

// Build builds a function from concerns, with settings from e, the AWS SDK
// configuration cfg, and logs and metrics written to stdout (os.Stdout in
// Lambda). It returns every configuration problem at once, each naming its
// variable.
func Build(e *env.Env, cfg aws.Config, stdout io.Writer, concerns ...Concern) (*Function, error) {
	level := e.Level(EnvLogLevel, slog.LevelInfo)
	logger := slog.New(triggers.LogHandler(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: level})))
	d := &Deps{Env: e, AWS: cfg, Logger: logger}
	if cfg.Region == "" {
		d.Invalid("AWS_REGION", errors.New("is not set: Lambda sets it; set it to run the function elsewhere"))
	}
	loadMasterKey(d)
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(logger, triggers.WithMetrics(stdout, triggers.DefaultNamespace))...), triggers.WithLogger(logger))
	for _, c := range concerns {
		c(d, r)
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	var h Invoker = r
	for _, w := range d.wrappers {
		h = w(h)
	}
	return &Function{Router: r, Handler: h}, nil
}

// Main is the body of every entry point: it builds the function named name
// from concerns, the process environment and the default AWS SDK
// configuration, and serves it with lambda.Start. A configuration problem
// is printed to stderr and ends the process with status 1 before the
// Lambda Runtime API is asked for the first event.
func Main(name string, concerns ...Concern) {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		fail(name, fmt.Errorf("AWS SDK configuration: %w", err))
	}
	fn, err := Build(env.New(), cfg, os.Stdout, concerns...)
	if err != nil {
		fail(name, err)
	}
	lambda.Start(fn.Handler)
}

func fail(name string, err error) {
	fmt.Fprintf(os.Stderr, "cognitrig %s: %v\n", name, err)
	os.Exit(1)
}
