package backup

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitrig/cognitrig/internal/cognitocsv"
)

// Columns of the Cognito user-import CSV that are not attributes.
const (
	ColumnUsername   = cognitocsv.ColumnUsername
	ColumnMFAEnabled = cognitocsv.ColumnMFAEnabled
)

// StandardCSVHeader is the header GetCSVHeader returns for a pool with only
// standard attributes. A pool with custom attributes lists them too; pass
// the target pool's own header in RestoreOptions.Header when you can.
var StandardCSVHeader = cognitocsv.StandardHeader()

// HeaderAPI is the Cognito call CSVHeader makes; *cognitoidentityprovider.Client
// implements it.
type HeaderAPI = cognitocsv.HeaderAPI

// CSVHeader returns the user-import CSV header of the target pool, for
// RestoreOptions.Header, retrying throttled and failed calls with retry as
// Export does. A busy pool throttles GetCSVHeader like any other call, and a
// restore should not fail for it.
func CSVHeader(ctx context.Context, api HeaderAPI, userPoolID string, retry Backoff) ([]string, error) {
	switch {
	case api == nil:
		return nil, errors.New("backup: CSVHeader: the API is nil; give a *cognitoidentityprovider.Client")
	case userPoolID == "":
		return nil, errors.New("backup: no target user pool ID for the CSV header")
	}
	r := &retrier{b: retry.withDefaults()}
	var header []string
	err := r.do(ctx, "GetCSVHeader", func(ctx context.Context) error {
		out, err := api.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: aws.String(userPoolID)})
		if err == nil {
			header = out.CSVHeader
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(header) == 0 {
		return nil, fmt.Errorf("backup: GetCSVHeader of %s returned no columns", userPoolID)
	}
	return header, nil
}

// RestoreOptions tune Restore.
type RestoreOptions struct {
	// Header is the target pool's CSV header (GetCSVHeader). The default is
	// StandardCSVHeader with the backup's custom attributes, sorted, before
	// cognito:mfa_enabled.
	Header []string
	// OnFollowUp, if set, receives each follow-up as it is found, instead
	// of RestoreStats.FollowUps, so that a large pool's follow-ups need not
	// be held in memory. Its first error fails the restore.
	OnFollowUp func(FollowUp) error
}

// FollowUp is something the import cannot carry that must be done by hand
// (or by script) after it.
type FollowUp struct {
	Username string
	Action   string // FollowUpSkipped, FollowUpDisable, FollowUpMFA
	Detail   string
}

// Follow-up actions.
const (
	FollowUpSkipped = "skipped" // not in the CSV at all
	FollowUpDisable = "disable" // AdminDisableUser after the import
	FollowUpMFA     = "mfa"     // MFA to set up again
)

// RestoreStats summarise a restore.
type RestoreStats struct {
	Users       int // rows in the user CSV
	Memberships int // rows in the membership CSV
	// FollowUps lists what the import could not carry, unless
	// RestoreOptions.OnFollowUp took them; FollowUpCounts counts them by
	// action either way.
	FollowUps      []FollowUp
	FollowUpCounts map[string]int
	// DroppedAttributes counts, per attribute, the users whose value has no
	// column in the header (sub always: Cognito assigns a new one).
	DroppedAttributes map[string]int
}

// Restore writes the users of b as a Cognito user-import CSV to users, and
// their group memberships as a CSV with header "group,username" to
// memberships. The import makes every user RESET_REQUIRED: passwords cannot
// be exported. What the CSV cannot carry is reported in RestoreStats: users
// that sign in through an external provider (skipped), disabled users,
// software-token and email MFA, and attributes without a column.
func Restore(b *Backup, users, memberships io.Writer, opts RestoreOptions) (RestoreStats, error) {
	if b == nil {
		return RestoreStats{}, errors.New("backup: Restore: the Backup is nil; read one with Read")
	}
	header := opts.Header
	if len(header) == 0 {
		header = DefaultCSVHeader(b)
	}
	i := 0
	return restore(header, opts.OnFollowUp, func() (User, error) {
		if i == len(b.Users) {
			return User{}, io.EOF
		}
		i++
		return b.Users[i-1], nil
	}, users, memberships)
}

// RestoreFrom is Restore for a backup read one user at a time, so that
// memory does not grow with the pool. opts.Header is required: the target
// pool's GetCSVHeader (CSVHeader), or HeaderWith(CustomAttributes(...)) from
// a first pass over the file. If the backup turns out damaged or cut short
// at its end, RestoreFrom returns the error after writing what came before
// it: write to temporary files and keep them only without an error.
func RestoreFrom(r *Reader, users, memberships io.Writer, opts RestoreOptions) (RestoreStats, error) {
	if r == nil {
		return RestoreStats{}, errors.New("backup: RestoreFrom: the Reader is nil; open one with NewReader")
	}
	if len(opts.Header) == 0 {
		return RestoreStats{}, errors.New("backup: RestoreFrom needs RestoreOptions.Header: the target pool's CSVHeader, or HeaderWith(CustomAttributes(file))")
	}
	return restore(opts.Header, opts.OnFollowUp, r.Next, users, memberships)
}

// CustomAttributes reads the backup in r through and returns the custom
// (and developer-only) attributes its users have, sorted: a first pass for
// HeaderWith when the target pool's header is not at hand. It checks the
// whole file as Read does, holding one user at a time.
func CustomAttributes(r io.Reader) ([]string, error) {
	br, err := NewReader(r)
	if err != nil {
		return nil, err
	}
	custom := map[string]bool{}
	for {
		u, err := br.Next()
		if err == io.EOF {
			return sortedKeys(custom), nil
		}
		if err != nil {
			return nil, err
		}
		addCustom(custom, u)
	}
}

func addCustom(custom map[string]bool, u User) {
	for name := range u.Attributes {
		if strings.HasPrefix(name, "custom:") || strings.HasPrefix(name, "dev:") {
			custom[name] = true
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// restore writes the users that next returns, until io.EOF.
func restore(header []string, onFollowUp func(FollowUp) error, next func() (User, error), users, memberships io.Writer) (RestoreStats, error) {
	switch {
	case users == nil:
		return RestoreStats{}, errors.New("backup: restore: the users writer is nil; give the file for the user-import CSV")
	case memberships == nil:
		return RestoreStats{}, errors.New("backup: restore: the memberships writer is nil; give the file for the group memberships")
	}
	st := RestoreStats{DroppedAttributes: map[string]int{}}
	var followErr error
	follow := func(f FollowUp) {
		st.FollowUpCounts[f.Action]++
		switch {
		case onFollowUp == nil:
			st.FollowUps = append(st.FollowUps, f)
		case followErr == nil:
			followErr = onFollowUp(f)
		}
	}
	st.FollowUpCounts = map[string]int{}
	if err := checkHeader(header); err != nil {
		return st, err
	}
	columns := make(map[string]bool, len(header))
	for _, c := range header {
		columns[c] = true
	}
	uw, mw := csv.NewWriter(users), csv.NewWriter(memberships)
	if err := uw.Write(header); err != nil {
		return st, fmt.Errorf("backup: write user CSV: %w", err)
	}
	if err := mw.Write([]string{"group", "username"}); err != nil {
		return st, fmt.Errorf("backup: write membership CSV: %w", err)
	}
	row := make([]string, len(header))
	for {
		u, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return st, err
		}
		if u.Status == "EXTERNAL_PROVIDER" {
			follow(FollowUp{u.Username, FollowUpSkipped,
				"signs in through an external identity provider; the user is created again at the next sign-in"})
			continue
		}
		for i, c := range header {
			row[i] = ImportValue(u, c)
		}
		if err := uw.Write(row); err != nil {
			return st, fmt.Errorf("backup: write user CSV: %w", err)
		}
		st.Users++
		for name := range u.Attributes {
			if !columns[name] {
				st.DroppedAttributes[name]++
			}
		}
		for _, g := range u.Groups {
			if err := mw.Write([]string{g, u.Username}); err != nil {
				return st, fmt.Errorf("backup: write membership CSV: %w", err)
			}
			st.Memberships++
		}
		if !u.Enabled {
			follow(FollowUp{u.Username, FollowUpDisable, "was disabled; run AdminDisableUser after the import"})
		}
		for _, m := range u.MFA.Enabled {
			switch m {
			case "SOFTWARE_TOKEN_MFA":
				follow(FollowUp{u.Username, FollowUpMFA, "used an authenticator app (TOTP); it must register one again"})
			case "EMAIL_OTP":
				follow(FollowUp{u.Username, FollowUpMFA, "used email MFA; turn it on with AdminSetUserMFAPreference"})
			case "SMS_MFA":
				if u.Attributes["phone_number"] == "" || !columns["phone_number"] {
					follow(FollowUp{u.Username, FollowUpMFA, "used SMS MFA but has no phone_number to import it with"})
				}
			}
		}
	}
	uw.Flush()
	mw.Flush()
	if err := errors.Join(uw.Error(), mw.Error()); err != nil {
		return st, fmt.Errorf("backup: write CSV: %w", err)
	}
	if followErr != nil {
		return st, fmt.Errorf("backup: follow-up: %w", followErr)
	}
	return st, nil
}

// ImportValue is the value of column c of the import CSV for u.
func ImportValue(u User, c string) string {
	switch c {
	case ColumnUsername:
		return u.Username
	case ColumnMFAEnabled:
		return strconv.FormatBool(smsMFA(u) && u.Attributes["phone_number"] != "")
	case "email_verified", "phone_number_verified":
		// Required columns: an absent flag is false.
		if v := strings.ToLower(u.Attributes[c]); v == "true" {
			return "true"
		}
		return "false"
	default:
		return u.Attributes[c]
	}
}

// smsMFA reports whether u had SMS MFA, in the current or legacy settings.
func smsMFA(u User) bool {
	if slices.Contains(u.MFA.Enabled, "SMS_MFA") {
		return true
	}
	for _, o := range u.MFA.SMSOptions {
		if o.DeliveryMedium == "SMS" {
			return true
		}
	}
	return false
}

// DefaultCSVHeader is StandardCSVHeader with b's custom attributes, sorted,
// before cognito:mfa_enabled.
func DefaultCSVHeader(b *Backup) []string {
	custom := map[string]bool{}
	for _, u := range b.Users {
		addCustom(custom, u)
	}
	return HeaderWith(sortedKeys(custom))
}

// HeaderWith is StandardCSVHeader with the custom attributes custom, in
// their order, before cognito:mfa_enabled.
func HeaderWith(custom []string) []string {
	h := slices.Clone(StandardCSVHeader[:len(StandardCSVHeader)-2])
	h = append(h, custom...)
	return append(h, ColumnMFAEnabled, ColumnUsername)
}

func checkHeader(h []string) error {
	seen := map[string]bool{}
	for _, c := range h {
		if c == "" {
			return errors.New("backup: the CSV header has an empty column")
		}
		if seen[c] {
			return fmt.Errorf("backup: the CSV header names %q twice", c)
		}
		seen[c] = true
	}
	for _, need := range []string{ColumnUsername, ColumnMFAEnabled} {
		if !seen[need] {
			return fmt.Errorf("backup: the CSV header has no %s column; use the target pool's GetCSVHeader", need)
		}
	}
	return nil
}

// WriteGroups writes groups (Backup.Groups, Reader.Groups) as a CSV with
// header "name,description,precedence,roleArn", to create them in the new
// pool before adding members.
func WriteGroups(groups []Group, w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"name", "description", "precedence", "roleArn"})
	for _, g := range groups {
		prec := ""
		if g.Precedence != nil {
			prec = strconv.Itoa(int(*g.Precedence))
		}
		_ = cw.Write([]string{g.Name, g.Description, prec, g.RoleARN})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("backup: write group CSV: %w", err)
	}
	return nil
}
