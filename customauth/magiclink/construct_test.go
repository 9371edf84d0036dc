package magiclink_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/customauth/magiclink"
	"github.com/cognitrig/cognitrig/customauth/records"
)

// TestNewNamesTheMissingDependency: a missing signer, store or sender
// fails in New with an error that names the one field to set (issue 13 §3).
func TestNewNamesTheMissingDependency(t *testing.T) {
	signer, err := magiclink.NewHMACSigner(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{"signin": "https://app.example.com/auth/magic"}
	cases := []struct {
		name string
		cfg  magiclink.Config
		want string
	}{
		{"no signer", magiclink.Config{Store: &records.MemoryStore{}, Sender: deliver.Log{}, Pages: pages}, "Config.Signer is nil"},
		{"no store", magiclink.Config{Signer: signer, Sender: deliver.Log{}, Pages: pages}, "Config.Store is nil"},
		{"no sender", magiclink.Config{Signer: signer, Store: &records.MemoryStore{}, Pages: pages}, "Config.Sender is nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := magiclink.New(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one that says %q", err, c.want)
			}
		})
	}
}
