package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognitrig/cognitrig/internal/progress"
	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/dynamosource"
	"github.com/cognitrig/cognitrig/migration/dynamotracker"
	"github.com/cognitrig/cognitrig/migration/importcsv"
)

const migrateUsage = `usage: cognitrig migrate csv (--legacy-table NAME | --legacy-file FILE.jsonl) [flags]

Writes the legacy users who have not migrated yet as a Cognito user-import CSV.

Legacy source, one of:
  --legacy-table NAME      DynamoDB table of legacy users (read with Scan)
  --key-attr NAME          its partition key (default "username")
  --hash-attr NAME         its password-hash attribute, never written (default "password_hash")
  --legacy-file FILE       JSON Lines, one {"username","passwordHash","fields"} per line
Tracking:
  --tracking-table NAME    DynamoDB tracking table of the migration trigger: users it lists
                           as migrated are left out (without it, every legacy user is written)
Output:
  --out FILE               the CSV file (default: standard output)
  --user-pool-id ID        take the header from the pool with GetCSVHeader (custom attributes
                           included); default: the documented header of a pool without them
  --map FIELD=ATTRIBUTE    map a legacy field to a Cognito attribute (repeatable); default:
                           fields named like Cognito attributes are copied, others left out
  --trust-email            legacy email addresses are verified (email_verified=true unless a field says)
  --trust-phone            legacy phone numbers are verified
  --sms-mfa                cognito:mfa_enabled=true for users with a phone number
  --progress MODE          auto (a bar on a terminal, lines otherwise), bar, lines or off
AWS (credentials and region from the usual environment and files):
  --region REGION
  --dynamodb-endpoint URL  --cognito-endpoint URL   (e.g. a local DynamoDB)
`

// migrateMappingFlag collects repeated --map FIELD=ATTRIBUTE.
type migrateMappingFlag migration.Mapping

func (m migrateMappingFlag) String() string { return fmt.Sprint(map[string]string(m)) }

func (m migrateMappingFlag) Set(s string) error {
	from, to, ok := strings.Cut(s, "=")
	if !ok || from == "" || to == "" {
		return fmt.Errorf("want FIELD=ATTRIBUTE, got %q", s)
	}
	m[from] = to
	return nil
}

type migrateCSVOptions struct {
	legacyTable, keyAttr, hashAttr, legacyFile string
	trackingTable, out, userPoolID             string
	mapping                                    migrateMappingFlag
	trustEmail, trustPhone, smsMFA             bool
	progress                                   string
	region, dynamoEndpoint, cognitoEndpoint    string
}

// runMigrate runs `cognitrig migrate SUBCOMMAND`.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "cognitrig migrate: missing subcommand; run `cognitrig migrate csv -h`")
		return exitBadArgs
	}
	switch args[0] {
	case "csv":
		return runMigrateCSV(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stderr, migrateUsage)
		return exitOK
	}
	fmt.Fprintf(stderr, "cognitrig migrate: unknown subcommand %q; run `cognitrig migrate csv -h`\n", args[0])
	return exitBadArgs
}

func runMigrateCSV(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o := migrateCSVOptions{mapping: migrateMappingFlag{}}
	fs := flag.NewFlagSet("cognitrig migrate csv", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.legacyTable, "legacy-table", "", "")
	fs.StringVar(&o.keyAttr, "key-attr", dynamosource.DefaultKeyAttribute, "")
	fs.StringVar(&o.hashAttr, "hash-attr", dynamosource.DefaultHashAttribute, "")
	fs.StringVar(&o.legacyFile, "legacy-file", "", "")
	fs.StringVar(&o.trackingTable, "tracking-table", "", "")
	fs.StringVar(&o.out, "out", "-", "")
	fs.StringVar(&o.userPoolID, "user-pool-id", "", "")
	fs.Var(o.mapping, "map", "")
	fs.BoolVar(&o.trustEmail, "trust-email", false, "")
	fs.BoolVar(&o.trustPhone, "trust-phone", false, "")
	fs.BoolVar(&o.smsMFA, "sms-mfa", false, "")
	fs.StringVar(&o.progress, "progress", "auto", "")
	fs.StringVar(&o.region, "region", "", "")
	fs.StringVar(&o.dynamoEndpoint, "dynamodb-endpoint", "", "")
	fs.StringVar(&o.cognitoEndpoint, "cognito-endpoint", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stderr, migrateUsage)
			return exitOK
		}
		fmt.Fprintf(stderr, "cognitrig migrate csv: %v; run `cognitrig migrate csv -h`\n", err)
		return exitBadArgs
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "cognitrig migrate csv: "+format+"\n", a...)
		return exitBadArgs
	}
	mode, ok := map[string]progress.Mode{"auto": progress.Auto, "bar": progress.Bar, "lines": progress.Lines, "off": progress.Off}[o.progress]
	switch {
	case fs.NArg() > 0:
		return bad("unexpected argument %q; all options are flags", fs.Arg(0))
	case (o.legacyTable == "") == (o.legacyFile == ""):
		return bad("give exactly one legacy source: --legacy-table NAME or --legacy-file FILE")
	case !ok:
		return bad("--progress %q: want auto, bar, lines or off", o.progress)
	}
	mapping := migration.Mapping(o.mapping)
	if len(mapping) == 0 {
		mapping = nil
	}
	if err := mapping.Validate(); err != nil {
		return bad("%v", err)
	}

	fail := func(err error) int {
		fmt.Fprintf(stderr, "cognitrig migrate csv: %v\n", err)
		return exitFailed
	}
	var awsCfg *aws.Config
	loadAWS := func() (aws.Config, error) {
		if awsCfg == nil {
			var opts []func(*awsconfig.LoadOptions) error
			if o.region != "" {
				opts = append(opts, awsconfig.WithRegion(o.region))
			}
			c, err := awsconfig.LoadDefaultConfig(ctx, opts...)
			if err != nil {
				return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
			}
			awsCfg = &c
		}
		return *awsCfg, nil
	}
	dynamo := func() (*dynamodb.Client, error) {
		c, err := loadAWS()
		if err != nil {
			return nil, err
		}
		return dynamodb.NewFromConfig(c, func(op *dynamodb.Options) {
			if o.dynamoEndpoint != "" {
				op.BaseEndpoint = aws.String(o.dynamoEndpoint)
			}
		}), nil
	}

	cfg := importcsv.Config{Mapping: mapping, TrustLegacyEmail: o.trustEmail, TrustLegacyPhone: o.trustPhone, EnableSMSMFA: o.smsMFA}
	var total int64
	if o.legacyFile != "" {
		src, err := migrateLoadFile(o.legacyFile)
		if err != nil {
			return bad("%v", err)
		}
		cfg.Source, total = src, int64(src.Len())
	} else {
		client, err := dynamo()
		if err != nil {
			return fail(err)
		}
		src, err := dynamosource.New(dynamosource.Config{Client: client, Table: o.legacyTable, KeyAttribute: o.keyAttr, HashAttribute: o.hashAttr})
		if err != nil {
			return fail(err)
		}
		cfg.Source = src
	}
	if o.trackingTable != "" {
		client, err := dynamo()
		if err != nil {
			return fail(err)
		}
		if cfg.Tracker, err = dynamotracker.New(dynamotracker.Config{Client: client, Table: o.trackingTable}); err != nil {
			return fail(err)
		}
	} else {
		fmt.Fprintln(stderr, "cognitrig migrate csv: no --tracking-table: every legacy user is written, migrated or not")
	}
	if o.userPoolID != "" {
		c, err := loadAWS()
		if err != nil {
			return fail(err)
		}
		client := cip.NewFromConfig(c, func(op *cip.Options) {
			if o.cognitoEndpoint != "" {
				op.BaseEndpoint = aws.String(o.cognitoEndpoint)
			}
		})
		if cfg.Header, err = importcsv.PoolHeader(ctx, client, o.userPoolID); err != nil {
			return fail(err)
		}
	}

	w, commit, err := migrateOutput(o.out, stdout)
	if err != nil {
		return fail(err)
	}
	p := progress.New(stderr, progress.Options{Label: "migrate csv", Unit: "legacy users", Total: total, Mode: mode})
	cfg.Progress = p
	st, err := importcsv.Export(ctx, w, cfg)
	p.Finish()
	if err := commit(err == nil); err != nil {
		return fail(err)
	}
	where := o.out
	if where == "-" {
		where = "standard output"
	}
	fmt.Fprintf(stderr, "cognitrig migrate csv: read %d legacy users, %d already migrated, wrote %d to %s\n", st.Read, st.AlreadyMigrated, st.Written, where)
	if st.Skipped > 0 {
		fmt.Fprintf(stderr, "cognitrig migrate csv: %d legacy users have no username and were left out\n", st.Skipped)
	}
	if st.NoVerifiedContact > 0 {
		fmt.Fprintf(stderr, "cognitrig migrate csv: %d users have neither a verified email nor a verified phone, so they cannot receive the code to set a password after the import; map a verified flag or use --trust-email/--trust-phone if the legacy system verified them\n", st.NoVerifiedContact)
	}
	if len(st.Dropped) > 0 {
		fmt.Fprintf(stderr, "cognitrig migrate csv: the header has no column for %s; those values were left out (add the custom attributes to the pool, or change --map)\n", strings.Join(st.Dropped, ", "))
	}
	if err != nil {
		return fail(err)
	}
	return exitOK
}

// migrateLoadFile reads a JSON Lines file of legacy users into memory.
func migrateLoadFile(path string) (*migration.MemorySource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, _ := migration.NewMemorySource()
	for u, err := range migration.ReadLegacyUsers(f) {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if err := src.Put(u); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return src, nil
}

// migrateOutput opens the output: standard output for "-", else a
// temporary file beside path that commit renames into place on success and
// removes on failure, so that a failed run leaves no file that looks
// complete.
func migrateOutput(path string, stdout io.Writer) (io.Writer, func(ok bool) error, error) {
	if path == "-" {
		return stdout, func(bool) error { return nil }, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.partial")
	if err != nil {
		return nil, nil, fmt.Errorf("create the output file: %w", err)
	}
	commit := func(ok bool) error {
		cerr := f.Close()
		if !ok || cerr != nil {
			_ = os.Remove(f.Name())
			if cerr != nil {
				return fmt.Errorf("write %s: %w", path, cerr)
			}
			return nil
		}
		if err := os.Rename(f.Name(), path); err != nil {
			_ = os.Remove(f.Name())
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	}
	return f, commit, nil
}
