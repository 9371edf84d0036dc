package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"reflect"
	"sync"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/cognitrig/cognitrig/config"
	"github.com/cognitrig/cognitrig/triggers"
)

// Concern reads the settings of one concern from d.Lookup (with package
// config) and registers its handlers on r. It reports bad settings through
// d (Deps.Fail, Deps.Invalid) rather than failing at once, so that a
// function that cannot start names every bad variable in one message.
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
	// Lookup reads the function's variables: os.LookupEnv, and once a
	// concern has called secrets.Read, each secret variable served from
	// Secrets Manager when its ARN variable names it (config.WithSecrets).
	Lookup func(string) (string, bool)
	Logger *slog.Logger

	// awsConfig returns the AWS SDK configuration, loading it on the
	// first call: a function whose concerns call no AWS service (messages
	// without its senders) never loads it.
	awsConfig func() (aws.Config, error)
	awsLoaded bool // set by awsConfig's load; read by build after the concerns

	problems []error
	wrappers []func(Invoker) Invoker

	clients map[reflect.Type]any

	secretsServed bool
}

// ServeSecrets replaces Lookup with what serve makes of it, the first time
// it is called in a Build: package secrets serves the secret variables
// read from Secrets Manager (config.WithSecrets). A concern that reads a
// secret variable calls secrets.Read before it loads its settings, so that
// a function whose concerns read none links no Secrets Manager client. A
// problem is recorded as a concern's; the lookup serve returns is used
// either way.
func (d *Deps) ServeSecrets(serve func(lookup func(string) (string, bool)) (func(string) (string, bool), error)) {
	if d.secretsServed {
		return
	}
	d.secretsServed = true
	lookup, err := serve(d.Lookup)
	d.Fail(err)
	d.Lookup = lookup
}

// Invalid records a problem with the variable name that a concern found
// itself, such as a value that parses but cannot be used.
func (d *Deps) Invalid(name string, err error) {
	d.problems = append(d.problems, fmt.Errorf("%s: %w", name, err))
}

// Fail records err, a config Load function's error of one line per
// variable, if it is not nil, and reports whether it was nil.
func (d *Deps) Fail(err error) bool {
	if err == nil {
		return true
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		d.problems = append(d.problems, j.Unwrap()...)
	} else {
		d.problems = append(d.problems, err)
	}
	return false
}

// Wrap asks for the function's handler to be wrapped by w, for concerns
// that read the raw event before the router decodes it.
func (d *Deps) Wrap(w func(Invoker) Invoker) { d.wrappers = append(d.wrappers, w) }

// Err returns every problem found so far, or nil.
func (d *Deps) Err() error {
	if len(d.problems) == 0 {
		return nil
	}
	return fmt.Errorf("configuration: %w", errors.Join(d.problems...))
}

// AWS returns the AWS SDK configuration, loaded on the first call. A
// failure to load it is reported by Build.
func (d *Deps) AWS() aws.Config {
	cfg, _ := d.LoadAWS()
	return cfg
}

// LoadAWS is AWS with the error of the load, for a concern that should not
// call AWS with a configuration that failed (Build reports the error).
func (d *Deps) LoadAWS() (aws.Config, error) {
	return d.awsConfig()
}

// Client returns the process's client made by newClient (a service's
// NewFromConfig) from d.AWS() on first use, and the same client to every
// concern after it, one of each type per process. It keeps this package
// free of AWS service packages, so that each function links only the
// service clients its concerns call: a concern passes its service's
// constructor, e.g.
//
//	compose.Client(d, dynamodb.NewFromConfig)
func Client[T any, O any](d *Deps, newClient func(aws.Config, ...func(*O)) T) T {
	key := reflect.TypeFor[T]()
	if c, ok := d.clients[key]; ok {
		return c.(T)
	}
	if d.clients == nil {
		d.clients = map[reflect.Type]any{}
	}
	c := newClient(d.AWS())
	d.clients[key] = c
	return c
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

// Build builds a function from concerns, with settings read through lookup
// (os.LookupEnv in Lambda), the AWS SDK configuration cfg (which must name
// a region, whether or not a concern calls AWS; Main checks the region of
// the configuration it loads only when a concern uses it or another
// problem is reported), and logs and metrics written to stdout (os.Stdout
// in Lambda). It returns every configuration problem at once, each naming
// its variable.
func Build(lookup func(string) (string, bool), cfg aws.Config, stdout io.Writer, concerns ...Concern) (*Function, error) {
	if cfg.Region == "" {
		return build(lookup, func() (aws.Config, error) { return cfg, errNoRegion }, true, stdout, concerns...)
	}
	return build(lookup, func() (aws.Config, error) { return cfg, nil }, true, stdout, concerns...)
}

var errNoRegion = errors.New("is not set: Lambda sets it; set it to run the function elsewhere")

// build is Build with the AWS SDK configuration loaded by loadAWS when a
// concern first asks for it, or at once if eager.
func build(lookup func(string) (string, bool), loadAWS func() (aws.Config, error), eager bool, stdout io.Writer, concerns ...Concern) (*Function, error) {
	common, err := config.LoadCommon(lookup)
	logger := slog.New(triggers.LogHandler(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: common.LogLevel})))
	d := &Deps{Lookup: lookup, Logger: logger}
	d.awsConfig = sync.OnceValues(func() (aws.Config, error) {
		d.awsLoaded = true
		return loadAWS()
	})
	d.Fail(err)
	if eager {
		d.AWS()
	}
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(logger, triggers.WithMetrics(stdout, triggers.DefaultNamespace))...), triggers.WithLogger(logger))
	for _, c := range concerns {
		c(d, r)
	}
	// The SDK configuration is checked if a concern used it, and whenever
	// other problems are reported, so that one start lists them all. Its
	// problem goes first: it is the cause of any a concern met calling AWS.
	if d.awsLoaded || len(d.problems) > 0 {
		if _, err := d.awsConfig(); errors.Is(err, errNoRegion) {
			d.problems = append([]error{fmt.Errorf("AWS_REGION: %w", err)}, d.problems...)
		} else if err != nil {
			d.problems = append([]error{fmt.Errorf("AWS SDK configuration: %w (Lambda sets what the SDK needs: check that the function's environment sets no AWS_PROFILE, AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE)", err)}, d.problems...)
		}
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
//
// The AWS SDK configuration is loaded when a concern first asks for a
// client: a function that calls no AWS service, such as messages without
// its senders, does not load it (half a millisecond of its cold start).
func Main(name string, concerns ...Concern) {
	load := func() (aws.Config, error) {
		cfg, err := awsconfig.LoadDefaultConfig(context.Background())
		if err == nil && cfg.Region == "" {
			err = errNoRegion
		}
		return cfg, err
	}
	fn, err := build(os.LookupEnv, load, false, os.Stdout, concerns...)
	if err != nil {
		fail(name, err)
	}
	lambda.Start(fn.Handler)
}

func fail(name string, err error) {
	fmt.Fprintf(os.Stderr, "cognitrig %s: %v\n", name, err)
	os.Exit(1)
}
