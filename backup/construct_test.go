package backup_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/backup"
)

// errOf drops the value of a call that returns one and an error.
func errOf[T any](_ T, err error) error { return err }

// TestEntryPointsRefuseMissingDependencies: a nil client, writer, reader
// or backup fails at once with an error that names it, not with a panic
// at the first call that needs it (issue 13 §3).
func TestEntryPointsRefuseMissingDependencies(t *testing.T) {
	ctx, b, pool := context.Background(), &backup.Backup{}, "us-east-1_x"
	cases := []struct {
		name string
		err  func() error
		want string
	}{
		{"Export without an API", func() error { return errOf(backup.Export(ctx, nil, pool, io.Discard, backup.Options{})) }, "API is nil"},
		{"CSVHeader without an API", func() error { return errOf(backup.CSVHeader(ctx, nil, pool, backup.Backoff{})) }, "API is nil"},
		{"NewWriter without a writer", func() error { return errOf(backup.NewWriter(nil, backup.Header{UserPoolID: pool})) }, "writer is nil"},
		{"NewReader without a reader", func() error { return errOf(backup.NewReader(nil)) }, "reader is nil"},
		{"Restore without a backup", func() error { return errOf(backup.Restore(nil, io.Discard, io.Discard, backup.RestoreOptions{})) }, "Backup is nil"},
		{"Restore without a users writer", func() error { return errOf(backup.Restore(b, nil, io.Discard, backup.RestoreOptions{})) }, "users writer is nil"},
		{"Restore without a memberships writer", func() error { return errOf(backup.Restore(b, &bytes.Buffer{}, nil, backup.RestoreOptions{})) }, "memberships writer is nil"},
		{"RestoreFrom without a reader", func() error {
			return errOf(backup.RestoreFrom(nil, io.Discard, io.Discard, backup.RestoreOptions{Header: backup.StandardCSVHeader}))
		}, "Reader is nil"},
	}
	for _, c := range cases {
		if err := c.err(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one that says %q", c.name, err, c.want)
		}
	}
}
