package importcsv

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitrig/cognitrig/internal/cognitocsv"
	"github.com/cognitrig/cognitrig/migration"
)

// Column names that the import treats specially.
const (
	ColumnUsername   = cognitocsv.ColumnUsername
	ColumnMFAEnabled = cognitocsv.ColumnMFAEnabled
)

// DefaultHeader returns the header that GetCSVHeader returns for a pool
// without custom attributes, as the Amazon Cognito Developer Guide shows it.
func DefaultHeader() []string { return cognitocsv.StandardHeader() }

// HeaderAPI is the part of the Cognito Identity Provider client that
// PoolHeader uses.
type HeaderAPI = cognitocsv.HeaderAPI

// PoolHeader returns the import header of a user pool (its custom
// attributes included) with GetCSVHeader.
func PoolHeader(ctx context.Context, api HeaderAPI, userPoolID string) ([]string, error) {
	if api == nil {
		return nil, errors.New("importcsv: PoolHeader: the API is nil; give a *cognitoidentityprovider.Client")
	}
	out, err := api.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: aws.String(userPoolID)})
	if err != nil {
		return nil, fmt.Errorf("importcsv: get the CSV header of user pool %s: %w", userPoolID, err)
	}
	if err := checkHeader(out.CSVHeader); err != nil {
		return nil, fmt.Errorf("importcsv: user pool %s: %w", userPoolID, err)
	}
	return out.CSVHeader, nil
}

func checkHeader(h []string) error {
	if !slices.Contains(h, ColumnUsername) {
		return fmt.Errorf("the CSV header has no %s column", ColumnUsername)
	}
	for i, c := range h {
		if c == "" || slices.Index(h, c) != i {
			return fmt.Errorf("the CSV header has an empty or repeated column %q", c)
		}
	}
	return nil
}

// DefaultBatchSize is how many users Export checks with one Tracker call.
const DefaultBatchSize = 100

// Config configures Export.
type Config struct {
	Source migration.Enumerator // required
	// Tracker, if set, says who migrated already; they are skipped.
	// Without it every legacy user is written.
	Tracker migration.Tracker
	Mapping migration.Mapping
	// DenyAttributes are never written, in addition to
	// migration.DefaultDenyAttributes (the tenant attribute), as in
	// migration.Config: the same list for both paths.
	DenyAttributes []string
	Header         []string // default DefaultHeader()
	// TrustLegacyEmail, TrustLegacyPhone and EnableSMSMFA mean what they
	// mean in migration.Config, so that bulk-imported users end up like
	// those migrated at sign-in.
	TrustLegacyEmail, TrustLegacyPhone, EnableSMSMFA bool
	BatchSize                                        int // default DefaultBatchSize
	// Progress, if set, is told of every legacy user read
	// (*progress.Reporter fits).
	Progress interface{ Add(n int64) }
}

// Stats sum up an export.
type Stats struct {
	Read            int64 // legacy users enumerated
	AlreadyMigrated int64 // skipped: the Tracker lists them as migrated
	Written         int64 // rows written
	Skipped         int64 // legacy users without a username
	// NoVerifiedContact counts written users with neither a verified email
	// nor a verified phone: they cannot receive the code to set a password.
	NoVerifiedContact int64
	// Dropped lists attributes that users have but the header has no
	// column for (custom attributes missing from the pool, typically).
	Dropped []string
}

// Export writes the header and a row per legacy user not yet migrated to w.
// On an error it returns what it wrote so far; rows already written are
// complete, since the writer is flushed after every batch.
func Export(ctx context.Context, w io.Writer, cfg Config) (Stats, error) {
	var st Stats
	switch {
	case cfg.Source == nil:
		return st, errors.New("importcsv: no Source to enumerate")
	case w == nil:
		return st, errors.New("importcsv: Export: the writer is nil; give the file for the user-import CSV")
	}
	if err := cfg.Mapping.Validate(); err != nil {
		return st, err
	}
	if err := cfg.Mapping.ValidateDeny(cfg.DenyAttributes); err != nil {
		return st, err
	}
	header := cfg.Header
	if header == nil {
		header = DefaultHeader()
	}
	if err := checkHeader(header); err != nil {
		return st, fmt.Errorf("importcsv: %w", err)
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	columns := make(map[string]bool, len(header))
	for _, c := range header {
		columns[c] = true
	}
	dropped := map[string]bool{}
	cw := csv.NewWriter(w)
	cw.Write(header)

	batch := make([]*migration.User, 0, cfg.BatchSize)
	row := make([]string, len(header))
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		migrated := map[string]bool{}
		if cfg.Tracker != nil {
			names := make([]string, len(batch))
			for i, u := range batch {
				names[i] = u.Username
			}
			var err error
			if migrated, err = cfg.Tracker.Migrated(ctx, names); err != nil {
				return fmt.Errorf("importcsv: ask the tracker who migrated: %w", err)
			}
		}
		for _, u := range batch {
			if migrated[u.Username] {
				st.AlreadyMigrated++
				continue
			}
			attrs := cfg.attributes(u)
			for k := range attrs {
				if !columns[k] {
					dropped[k] = true
				}
			}
			if !(attrs["email"] != "" && attrs["email_verified"] == "true") && !(attrs["phone_number"] != "" && attrs["phone_number_verified"] == "true") {
				st.NoVerifiedContact++
			}
			for i, c := range header {
				switch c {
				case ColumnUsername:
					row[i] = u.Username
				case ColumnMFAEnabled:
					row[i] = fmt.Sprint(cfg.EnableSMSMFA && attrs["phone_number"] != "")
				case "email_verified", "phone_number_verified":
					row[i] = fmt.Sprint(attrs[c] == "true")
				default:
					row[i] = attrs[c]
				}
			}
			cw.Write(row)
			st.Written++
		}
		batch = batch[:0]
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("importcsv: write: %w", err)
		}
		return nil
	}
	finish := func(err error) (Stats, error) {
		for k := range dropped {
			st.Dropped = append(st.Dropped, k)
		}
		slices.Sort(st.Dropped)
		return st, err
	}

	for u, err := range cfg.Source.Enumerate(ctx) {
		if err != nil {
			if ferr := flush(); ferr != nil {
				return finish(ferr)
			}
			return finish(fmt.Errorf("importcsv: enumerate legacy users after %d: %w", st.Read, err))
		}
		st.Read++
		if cfg.Progress != nil {
			cfg.Progress.Add(1)
		}
		if u.Username == "" {
			st.Skipped++
			continue
		}
		batch = append(batch, u)
		if len(batch) == cfg.BatchSize {
			if err := flush(); err != nil {
				return finish(err)
			}
		}
	}
	if err := flush(); err != nil {
		return finish(err)
	}
	cw.Flush() // the header, when there were no users
	if err := cw.Error(); err != nil {
		return finish(fmt.Errorf("importcsv: write: %w", err))
	}
	return finish(nil)
}

func (cfg *Config) attributes(u *migration.User) map[string]string {
	attrs := cfg.Mapping.ApplyDenying(u.Fields, cfg.DenyAttributes)
	if cfg.TrustLegacyEmail && attrs["email"] != "" && attrs["email_verified"] == "" {
		attrs["email_verified"] = "true"
	}
	if cfg.TrustLegacyPhone && attrs["phone_number"] != "" && attrs["phone_number_verified"] == "" {
		attrs["phone_number_verified"] = "true"
	}
	return attrs
}
