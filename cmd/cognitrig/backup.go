package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitrig/cognitrig/backup"
	"github.com/cognitrig/cognitrig/internal/progress"
)

const backupUsage = `usage: cognitrig backup --user-pool-id ID [--out FILE.jsonl] [flags]

Exports every user of a user pool (attributes, status, enabled flag, groups,
MFA settings) and its groups to a JSON Lines file. The file holds personal
data: it is created readable by its owner only.

  --user-pool-id ID        the pool to back up (required)
  --out FILE               the backup file (default: standard output)
  --no-mfa                 skip the per-user AdminGetUser call, and so MFA settings
  --concurrency N          AdminGetUser calls in flight (default 4)
  --progress MODE          auto (a bar on a terminal, lines otherwise), bar, lines or off
AWS (credentials and region from the usual environment and files):
  --region REGION
  --cognito-endpoint URL
Throttled calls (TooManyRequestsException) are retried with exponential backoff.
The role needs cognito-idp:DescribeUserPool, ListUsers, ListGroups,
ListUsersInGroup and AdminGetUser.
`

const restoreUsage = `usage: cognitrig restore --in FILE.jsonl --users-csv FILE --memberships FILE [flags]

Turns a backup into the files that recreate its users in a new pool: the
Cognito user-import CSV (for CreateUserImportJob), the group memberships
("group,username", for AdminAddUserToGroup), and optionally the groups and a
list of what the import cannot carry.

  --in FILE                    the backup (required)
  --users-csv FILE             the user-import CSV to write (required)
  --memberships FILE           the group-membership CSV to write (required)
  --groups FILE                also write the groups: name,description,precedence,roleArn
  --follow-ups FILE            also write username,action,detail for what the import
                               cannot carry: disabled users, TOTP/email MFA, federated users
  --target-user-pool-id ID     take the CSV header from the new pool (GetCSVHeader);
                               default: the standard header plus the backup's custom attributes
AWS (only with --target-user-pool-id):
  --region REGION
  --cognito-endpoint URL
Imported users must reset their password: passwords cannot be exported.
The backup is read twice, one user at a time (a file, not a pipe), so any
size of pool fits in memory; nothing is written unless the whole file is sound.
`

// backupAWSFlags are the AWS options shared by backup and restore.
type backupAWSFlags struct {
	region, cognitoEndpoint string
}

func (a *backupAWSFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.region, "region", "", "")
	fs.StringVar(&a.cognitoEndpoint, "cognito-endpoint", "", "")
}

// cognito returns a Cognito client. Its own retries are off: backup.Export
// retries throttled calls with a backoff suited to a long export.
func (a *backupAWSFlags) cognito(ctx context.Context) (*cip.Client, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if a.region != "" {
		opts = append(opts, awsconfig.WithRegion(a.region))
	}
	c, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	return cip.NewFromConfig(c, func(o *cip.Options) {
		o.RetryMaxAttempts = 1
		if a.cognitoEndpoint != "" {
			o.BaseEndpoint = aws.String(a.cognitoEndpoint)
		}
	}), nil
}

// backupParseFlags parses args, printing usage for -h; it returns the exit code
// to stop with, or -1 to go on.
func backupParseFlags(fs *flag.FlagSet, args []string, usage string, stderr io.Writer) int {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stderr, usage)
			return exitOK
		}
		fmt.Fprintf(stderr, "%s: %v; run `%s -h`\n", fs.Name(), err, fs.Name())
		return exitBadArgs
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q; all options are flags\n", fs.Name(), fs.Arg(0))
		return exitBadArgs
	}
	return -1
}

// runBackup runs `cognitrig backup`.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var (
		poolID, out, progressMode string
		noMFA                     bool
		concurrency               int
		a                         backupAWSFlags
	)
	fs := flag.NewFlagSet("cognitrig backup", flag.ContinueOnError)
	fs.StringVar(&poolID, "user-pool-id", "", "")
	fs.StringVar(&out, "out", "-", "")
	fs.BoolVar(&noMFA, "no-mfa", false, "")
	fs.IntVar(&concurrency, "concurrency", 4, "")
	fs.StringVar(&progressMode, "progress", "auto", "")
	a.register(fs)
	if code := backupParseFlags(fs, args, backupUsage, stderr); code >= 0 {
		return code
	}
	bad := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "cognitrig backup: "+format+"\n", args...)
		return exitBadArgs
	}
	mode, ok := backupProgressModes[progressMode]
	switch {
	case poolID == "":
		return bad("--user-pool-id is required")
	case concurrency < 1 || concurrency > 64:
		return bad("--concurrency %d: want 1 to 64", concurrency)
	case !ok:
		return bad("--progress %q: want auto, bar, lines or off", progressMode)
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "cognitrig backup: %v\n", err)
		return exitFailed
	}
	client, err := a.cognito(ctx)
	if err != nil {
		return fail(err)
	}
	files, err := backupCreateOutputs(stdout, out)
	if err != nil {
		return fail(err)
	}
	p := progress.New(stderr, progress.Options{Label: "backup", Unit: "users", Mode: mode})
	st, err := backup.Export(ctx, client, poolID, files.w[0], backup.Options{WithoutMFA: noMFA, Concurrency: concurrency, Progress: p})
	p.Finish()
	if err := files.commit(err == nil); err != nil {
		return fail(err)
	}
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stderr, "cognitrig backup: wrote %d users and %d groups of %s to %s (%d calls retried)\n",
		st.Users, st.Groups, poolID, backupDescribeOut(out), st.Retries)
	if st.Vanished > 0 {
		fmt.Fprintf(stderr, "cognitrig backup: %d users were deleted while the backup ran and are not in it\n", st.Vanished)
	}
	return exitOK
}

var backupProgressModes = map[string]progress.Mode{"auto": progress.Auto, "bar": progress.Bar, "lines": progress.Lines, "off": progress.Off}

// runRestore runs `cognitrig restore`.
func runRestore(ctx context.Context, args []string, _, stderr io.Writer) int {
	var (
		in, usersCSV, memberships, groups, followUps, targetPool string
		a                                                        backupAWSFlags
	)
	fs := flag.NewFlagSet("cognitrig restore", flag.ContinueOnError)
	fs.StringVar(&in, "in", "", "")
	fs.StringVar(&usersCSV, "users-csv", "", "")
	fs.StringVar(&memberships, "memberships", "", "")
	fs.StringVar(&groups, "groups", "", "")
	fs.StringVar(&followUps, "follow-ups", "", "")
	fs.StringVar(&targetPool, "target-user-pool-id", "", "")
	a.register(fs)
	if code := backupParseFlags(fs, args, restoreUsage, stderr); code >= 0 {
		return code
	}
	bad := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "cognitrig restore: "+format+"\n", args...)
		return exitBadArgs
	}
	switch {
	case in == "":
		return bad("--in is required: the backup file")
	case usersCSV == "" || memberships == "":
		return bad("--users-csv and --memberships are required")
	case usersCSV == "-" || memberships == "-" || groups == "-" || followUps == "-":
		return bad("restore writes several files; give each a path")
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "cognitrig restore: %v\n", err)
		return exitFailed
	}
	f, err := os.Open(in)
	if err != nil {
		return bad("%v", err)
	}
	defer f.Close()
	// Two passes, one user in memory at a time: the first checks the whole
	// file (before anything is written) and lists its custom attributes,
	// the second writes the CSVs.
	custom, err := backup.CustomAttributes(f)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", in, err))
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return bad("%s: restore reads the backup twice; give a file, not a pipe: %v", in, err)
	}
	rd, err := backup.NewReader(f)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", in, err))
	}
	opts := backup.RestoreOptions{Header: backup.HeaderWith(custom)}
	if targetPool != "" {
		client, err := a.cognito(ctx)
		if err != nil {
			return fail(err)
		}
		opts.Header, err = backup.CSVHeader(ctx, client, targetPool, backup.Backoff{})
		if err != nil {
			return fail(fmt.Errorf("read the CSV header of %s: %w", targetPool, err))
		}
	}

	paths := []string{usersCSV, memberships}
	if groups != "" {
		paths = append(paths, groups)
	}
	if followUps != "" {
		paths = append(paths, followUps)
	}
	files, err := backupCreateOutputs(nil, paths...)
	if err != nil {
		return fail(err)
	}
	// Follow-ups go straight to their file (or nowhere); only their
	// counts stay in memory.
	opts.OnFollowUp = func(backup.FollowUp) error { return nil }
	var fw *csv.Writer
	if followUps != "" {
		fw = csv.NewWriter(files.w[len(files.w)-1])
		_ = fw.Write([]string{"username", "action", "detail"})
		opts.OnFollowUp = func(f backup.FollowUp) error { return fw.Write([]string{f.Username, f.Action, f.Detail}) }
	}
	st, err := backup.RestoreFrom(rd, files.w[0], files.w[1], opts)
	if err != nil {
		err = fmt.Errorf("%s: %w", in, err)
	}
	if err == nil && groups != "" {
		err = backup.WriteGroups(rd.Groups(), files.w[2])
	}
	if err == nil && fw != nil {
		fw.Flush()
		err = fw.Error()
	}
	if err := files.commit(err == nil); err != nil {
		return fail(err)
	}
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stderr, "cognitrig restore: wrote %d users to %s and %d memberships to %s, from a backup of %s taken %s\n",
		st.Users, usersCSV, st.Memberships, memberships, rd.Header().UserPoolID, rd.Header().CreatedAt.Format("2006-01-02 15:04 MST"))
	fmt.Fprintln(stderr, "cognitrig restore: imported users are RESET_REQUIRED: each sets a new password at the next sign-in")
	count := st.FollowUpCounts
	for _, line := range []struct {
		action, text string
	}{
		{backup.FollowUpSkipped, "users of external identity providers were left out; they come back at their next sign-in"},
		{backup.FollowUpDisable, "users were disabled: disable them again after the import (AdminDisableUser)"},
		{backup.FollowUpMFA, "users had MFA the import cannot carry (authenticator app, email, or SMS without a phone number)"},
	} {
		if n := count[line.action]; n > 0 {
			fmt.Fprintf(stderr, "cognitrig restore: %d %s\n", n, line.text)
		}
	}
	if len(count) > 0 && followUps == "" {
		fmt.Fprintln(stderr, "cognitrig restore: give --follow-ups FILE to list those users")
	}
	for name, n := range st.DroppedAttributes {
		if name != "sub" {
			fmt.Fprintf(stderr, "cognitrig restore: %d users have %s, which has no column in the header: add the attribute to the new pool, or it is lost\n", n, name)
		}
	}
	if !rd.Header().WithMFA {
		fmt.Fprintln(stderr, "cognitrig restore: the backup was taken with --no-mfa: MFA settings beyond legacy SMS options are not in it")
	}
	return exitOK
}

func backupDescribeOut(path string) string {
	if path == "-" {
		return "standard output"
	}
	return path
}

// backupOutputs are files written under temporary names beside their paths and
// renamed into place together on success, or removed on failure, so that a
// failed run leaves nothing that looks complete. Temporary files are
// created with mode 0600: backups hold personal data.
type backupOutputs struct {
	w     []io.Writer
	files []*os.File
	paths []string
}

// backupCreateOutputs opens paths; "-" means stdout.
func backupCreateOutputs(stdout io.Writer, paths ...string) (*backupOutputs, error) {
	o := &backupOutputs{}
	for _, p := range paths {
		if p == "-" {
			o.w = append(o.w, stdout)
			continue
		}
		f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".*.partial")
		if err != nil {
			_ = o.commit(false)
			return nil, fmt.Errorf("create %s: %w", p, err)
		}
		o.w = append(o.w, f)
		o.files = append(o.files, f)
		o.paths = append(o.paths, p)
	}
	return o, nil
}

func (o *backupOutputs) commit(ok bool) error {
	var errs []error
	for _, f := range o.files {
		if err := f.Close(); err != nil {
			errs = append(errs, fmt.Errorf("write %s: %w", f.Name(), err))
		}
	}
	if !ok || len(errs) > 0 {
		for _, f := range o.files {
			_ = os.Remove(f.Name())
		}
		return errors.Join(errs...)
	}
	for i, f := range o.files {
		if err := os.Rename(f.Name(), o.paths[i]); err != nil {
			_ = os.Remove(f.Name())
			errs = append(errs, fmt.Errorf("write %s: %w", o.paths[i], err))
		}
	}
	return errors.Join(errs...)
}
