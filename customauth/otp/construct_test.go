package otp_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/customauth/otp"
	"github.com/cognitrig/cognitrig/customauth/records"
)

// TestNewNamesTheMissingDependency: a missing sender or store fails in
// New with an error that names the one field to set (issue 13 §3).
func TestNewNamesTheMissingDependency(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	cases := []struct {
		name string
		cfg  otp.Config
		want string
	}{
		{"no sender", otp.Config{Channel: deliver.Email, Store: &records.MemoryStore{}, Key: key}, "Config.Sender is nil"},
		{"no store", otp.Config{Channel: deliver.Email, Sender: deliver.Log{}, Key: key}, "Config.Store is nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := otp.New(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one that says %q", err, c.want)
			}
		})
	}
}
