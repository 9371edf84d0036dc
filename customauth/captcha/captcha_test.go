package captcha_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/captcha"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

const (
	siteSecret = "site-SECRET-0x4AAA"
	goodToken  = "token-SECRET-good"
)

// siteverify is a local siteverify endpoint: goodToken passes once
// (tokens are single use), anything else fails.
type siteverify struct {
	mu    sync.Mutex
	used  map[string]bool
	reply string // when set, sent as is
	code  int
}

func (s *siteverify) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		http.Error(w, "want a form POST", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if s.code != 0 {
		w.WriteHeader(s.code)
	}
	if s.reply != "" {
		_, _ = w.Write([]byte(s.reply))
		return
	}
	if r.PostForm.Get("secret") != siteSecret {
		_, _ = w.Write([]byte(`{"success":false,"error-codes":["invalid-input-secret"]}`))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	token := r.PostForm.Get("response")
	if token != goodToken || s.used[token] {
		_, _ = w.Write([]byte(`{"success":false,"error-codes":["invalid-input-response"]}`))
		return
	}
	if s.used == nil {
		s.used = map[string]bool{}
	}
	s.used[token] = true
	_, _ = w.Write([]byte(`{"success":true,"hostname":"app.example.com","action":"signin","score":0.9,"challenge_ts":"2026-01-01T00:00:00Z"}`))
}

func newVerifier(t *testing.T, h http.Handler) *captcha.SiteVerify {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &captcha.SiteVerify{URL: srv.URL + "/siteverify", Secret: siteSecret, Client: srv.Client()}
}

func verifyEvent(t *testing.T, answer string) *triggers.VerifyAuthChallengeResponseEvent {
	ev := triggertest.Decode[triggers.VerifyAuthChallengeResponseEvent](t, "VerifyAuthChallengeResponse_Authentication")
	ev.Request.ChallengeAnswer = triggers.Secret(answer)
	return ev
}

func TestChallenge(t *testing.T) {
	ch, err := captcha.New(captcha.Config{Verifier: newVerifier(t, &siteverify{}), SiteKey: "0x4AAAAsite", Provider: "turnstile"})
	if err != nil {
		t.Fatal(err)
	}
	if ch.Name() != "CAPTCHA_CHALLENGE" {
		t.Fatalf("Name = %q", ch.Name())
	}
	p, err := ch.Create(context.Background(), triggertest.Decode[triggers.CreateAuthChallengeEvent](t, "CreateAuthChallenge_Authentication"), customauth.Round{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Public[captcha.PublicSiteKey] != "0x4AAAAsite" || p.Public[captcha.PublicProvider] != "turnstile" || len(p.Private) != 0 {
		t.Fatalf("params = %+v", p)
	}
	ctx := context.Background()
	for name, c := range map[string]struct {
		answer string
		want   bool
	}{
		"empty":       {"", false},
		"blank":       {"   ", false},
		"too long":    {strings.Repeat("x", captcha.MaxTokenLength+1), false},
		"wrong token": {"token-bad", false},
		"OTP code":    {"483920", false},
	} {
		ok, err := ch.Verify(ctx, verifyEvent(t, c.answer))
		if err != nil || ok != c.want {
			t.Errorf("%s: %v, %v; want %v", name, ok, err, c.want)
		}
	}
	if ok, err := ch.Verify(ctx, verifyEvent(t, " "+goodToken+" ")); err != nil || !ok {
		t.Fatalf("good token: %v, %v", ok, err)
	}
	if ok, err := ch.Verify(ctx, verifyEvent(t, goodToken)); err != nil || ok {
		t.Fatalf("replayed token: %v, %v; want false", ok, err)
	}
	if _, err := captcha.New(captcha.Config{}); err == nil {
		t.Fatal("New without a verifier succeeded")
	}
}

func TestSiteVerifyChecks(t *testing.T) {
	ctx := context.Background()
	ok := `{"success":true,"hostname":"app.example.com","action":"signin","score":0.9}`
	for name, c := range map[string]struct {
		reply string
		mod   func(*captcha.SiteVerify)
		want  bool
	}{
		"success":          {ok, nil, true},
		"not success":      {`{"success":false}`, nil, false},
		"hostname allowed": {ok, func(s *captcha.SiteVerify) { s.Hostnames = []string{"app.example.com"} }, true},
		"hostname foreign": {ok, func(s *captcha.SiteVerify) { s.Hostnames = []string{"other.example.com"} }, false},
		"action matches":   {ok, func(s *captcha.SiteVerify) { s.Action = "signin" }, true},
		"action differs":   {ok, func(s *captcha.SiteVerify) { s.Action = "signup" }, false},
		"score enough":     {ok, func(s *captcha.SiteVerify) { s.MinScore = 0.5 }, true},
		"score too low":    {ok, func(s *captcha.SiteVerify) { s.MinScore = 0.95 }, false},
		"score missing":    {`{"success":true}`, func(s *captcha.SiteVerify) { s.MinScore = 0.5 }, false},
		"success a string": {`{"success":"true"}`, nil, false},
	} {
		v := newVerifier(t, &siteverify{reply: c.reply})
		if c.mod != nil {
			c.mod(v)
		}
		got, err := v.VerifyCaptcha(ctx, goodToken)
		if name == "success a string" {
			if err == nil {
				t.Errorf("%s: no error for a malformed reply", name)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %v, %v; want %v", name, got, err, c.want)
		}
	}
}

func TestSiteVerifyOutages(t *testing.T) {
	ctx := context.Background()
	for name, v := range map[string]*captcha.SiteVerify{
		"HTTP 500":  newVerifier(t, &siteverify{code: http.StatusInternalServerError, reply: `{}`}),
		"not JSON":  newVerifier(t, &siteverify{reply: `<html>captcha</html>`}),
		"bad URL":   {URL: "://nowhere", Secret: siteSecret},
		"no server": {URL: "http://127.0.0.1:1/siteverify", Secret: siteSecret},
	} {
		ok, err := v.VerifyCaptcha(ctx, goodToken)
		if err == nil || ok {
			t.Errorf("%s: %v, %v; want an error", name, ok, err)
			continue
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: error holds a secret: %v", name, err)
		}
	}
}

func TestSiteVerifyHonoursTheDeadline(t *testing.T) {
	release := make(chan struct{})
	v := newVerifier(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := v.VerifyCaptcha(ctx, goodToken)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("returned after %v", d)
	}
}

func TestVerifierErrorIsAnError(t *testing.T) {
	down := captcha.VerifierFunc(func(context.Context, string) (bool, error) { return false, errors.New("connection refused") })
	ch, err := captcha.New(captcha.Config{Verifier: down})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ch.Verify(context.Background(), verifyEvent(t, goodToken)); err == nil {
		t.Fatal("an outage was answered as a wrong answer, not an error")
	}
}
