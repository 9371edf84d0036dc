package httpsource_test

import (
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/migration/httpsource"
)

// TestNewRefusesUnknownAuthStyle: an AuthStyle that is neither Basic nor
// Post would send no client credentials, so every sign-in of a legacy user
// would fail; New refuses it (issue 13 §3).
func TestNewRefusesUnknownAuthStyle(t *testing.T) {
	cases := []struct {
		name  string
		style httpsource.AuthStyle
	}{
		{"past the last style", httpsource.ClientSecretPost + 1},
		{"negative", -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := httpsource.New(httpsource.Config{TokenURL: "https://idp.example.com/token", UserInfoURL: "https://idp.example.com/userinfo", ClientID: "c", AuthStyle: c.style})
			if err == nil || !strings.Contains(err.Error(), "AuthStyle") {
				t.Fatalf("err = %v, want one that names AuthStyle", err)
			}
		})
	}
}
