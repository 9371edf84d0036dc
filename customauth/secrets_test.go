package customauth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/customauthtest"
	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/customauth/magiclink"
	"github.com/cognitrig/cognitrig/customauth/otp"
	"github.com/cognitrig/cognitrig/customauth/records"
	"github.com/cognitrig/cognitrig/triggers"
)

// TestCodeAndLinkSignInLogsNoSecret signs in with an email code (one wrong
// answer first) and then a magic link, through a router whose middleware
// logs every event at Debug and whose senders are the development log
// sender, and checks that no code, link, MAC, nonce or signature reaches
// the log.
func TestCodeAndLinkSignInLogsNoSecret(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var mu sync.Mutex
	var inbox []deliver.Message
	sender := deliver.SenderFunc(func(ctx context.Context, m deliver.Message) error {
		mu.Lock()
		inbox = append(inbox, m)
		mu.Unlock()
		return deliver.Log{Logger: logger}.Send(ctx, m)
	})
	store := &records.MemoryStore{}
	code, err := otp.New(otp.Config{Channel: deliver.Email, Sender: sender, Store: store, Key: benchKey, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := magiclink.NewHMACSigner(benchKey)
	link, err := magiclink.New(magiclink.Config{Signer: signer, Store: store, Sender: sender, Pages: map[string]string{"signin": "https://app.example.com/signin"}, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	fl, err := customauth.New(customauth.Sequence{
		Steps:  []customauth.Step{{Challenge: code}, {Challenge: link, MaxAttempts: 1}},
		Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(logger)...))
	fl.Register(r)

	var secrets []string
	s := &customauthtest.SignIn{
		Router:         r,
		ClientMetadata: map[string]string{"page": "signin"},
		Answer: func(p customauthtest.Prompt) string {
			mu.Lock()
			last := inbox[len(inbox)-1]
			mu.Unlock()
			secret := last.Secret.Reveal()
			secrets = append(secrets, secret)
			if p.Name == "EMAIL_OTP" && p.Attempt == 1 {
				return "000000"
			}
			return secret
		},
	}
	res, err := s.Run(context.Background())
	if err != nil || !res.Tokens {
		t.Fatalf("sign-in: %+v, %v", res, err)
	}
	if len(inbox) != 2 {
		t.Fatalf("%d messages, want one code (re-used after the wrong answer) and one link", len(inbox))
	}
	out := logs.String()
	if !strings.Contains(out, "trigger request") || !strings.Contains(out, "development sender") {
		t.Fatalf("the test logged nothing useful:\n%s", out)
	}
	for _, secret := range secrets {
		if strings.Contains(out, secret) {
			t.Fatalf("log holds a secret %q", secret)
		}
		if tok, _, ok := strings.Cut(secret[strings.IndexByte(secret, '#')+1:], "."); ok && strings.Contains(out, tok) {
			t.Fatal("log holds the link's claims")
		}
	}
	if strings.Contains(out, `"000000"`) {
		t.Fatal("log holds the wrong answer")
	}
	// Private parameters (MAC, nonce, slot) appear only masked.
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var doc map[string]any
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			t.Fatalf("log line is not JSON: %v", err)
		}
		walkJSON(doc, func(key string, v any) {
			if key != "privateChallengeParameters" {
				return
			}
			params, _ := v.(map[string]any)
			for k, val := range params {
				seen++
				if val != triggers.Mask {
					t.Errorf("private parameter %s logged as %v", k, val)
				}
			}
		})
	}
	if seen == 0 {
		t.Fatal("no private parameters were logged at all: the check proved nothing")
	}
}

// walkJSON calls f for every key of every object in v.
func walkJSON(v any, f func(key string, v any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			f(k, val)
			walkJSON(val, f)
		}
	case []any:
		for _, val := range x {
			walkJSON(val, f)
		}
	}
}
