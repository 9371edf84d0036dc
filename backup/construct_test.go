package backup_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/backup"
)

// TestEntryPointsRefuseMissingDependencies: a nil client, writer, reader
// or backup fails at once with an error that names it, not with a panic
// at the first call that needs it (issue 13 §3).
func TestEntryPointsRefuseMissingDependencies(t *testing.T) {
	ctx := context.Background()
	b := &backup.Backup{}
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"Export without an API", func() error {
			_, err := backup.Export(ctx, nil, "us-east-1_x", io.Discard, backup.Options{})
			return err
		}, "API is nil"},
		{"CSVHeader without an API", func() error {
			_, err := backup.CSVHeader(ctx, nil, "us-east-1_x", backup.Backoff{})
			return err
		}, "API is nil"},
		{"NewWriter without a writer", func() error {
			_, err := backup.NewWriter(nil, backup.Header{UserPoolID: "us-east-1_x"})
			return err
		}, "writer is nil"},
		{"NewReader without a reader", func() error {
			_, err := backup.NewReader(nil)
			return err
		}, "reader is nil"},
		{"Restore without a backup", func() error {
			_, err := backup.Restore(nil, io.Discard, io.Discard, backup.RestoreOptions{})
			return err
		}, "Backup is nil"},
		{"Restore without a users writer", func() error {
			_, err := backup.Restore(b, nil, io.Discard, backup.RestoreOptions{})
			return err
		}, "users writer is nil"},
		{"Restore without a memberships writer", func() error {
			_, err := backup.Restore(b, &bytes.Buffer{}, nil, backup.RestoreOptions{})
			return err
		}, "memberships writer is nil"},
		{"RestoreFrom without a reader", func() error {
			_, err := backup.RestoreFrom(nil, io.Discard, io.Discard, backup.RestoreOptions{Header: backup.StandardCSVHeader})
			return err
		}, "Reader is nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("panicked: %v", p)
					}
				}()
				err = c.run()
			}()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one that says %q", err, c.want)
			}
		})
	}
}
