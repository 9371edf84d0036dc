package captcha

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/triggers"
)

// Verifier checks a CAPTCHA response token. A token that the service
// rejects is (false, nil); an error means the service could not be asked.
type Verifier interface {
	VerifyCaptcha(ctx context.Context, token string) (bool, error)
}

// VerifierFunc adapts a function to Verifier.
type VerifierFunc func(ctx context.Context, token string) (bool, error)

// VerifyCaptcha calls f.
func (f VerifierFunc) VerifyCaptcha(ctx context.Context, token string) (bool, error) {
	return f(ctx, token)
}

// Public parameter keys.
const (
	PublicSiteKey  = "siteKey"  // the widget's public site key
	PublicProvider = "provider" // Config.Provider, if set
)

// DefaultName is the challengeMetadata of a CAPTCHA challenge, as in the
// seed flow.
const DefaultName = "CAPTCHA_CHALLENGE"

// Config configures a Challenge.
type Config struct {
	Name     string // default DefaultName
	Verifier Verifier
	// SiteKey is the public key the client's widget needs; it is sent in
	// the public challenge parameters.
	SiteKey string
	// Provider, if set, tells the client which widget to show, e.g.
	// "turnstile" or "recaptcha".
	Provider string
}

// Challenge asks the client to solve a CAPTCHA and answers with the widget's
// response token. It does not depend on the user, so a user that does not
// exist is checked like anyone else, and the fake flow behaves like a real
// one.
type Challenge struct {
	cfg Config
}

var _ customauth.Challenge = (*Challenge)(nil)

// New returns a Challenge.
func New(cfg Config) (*Challenge, error) {
	if cfg.Verifier == nil {
		return nil, errors.New("captcha: Config.Verifier is required")
	}
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	return &Challenge{cfg: cfg}, nil
}

// Name implements customauth.Challenge.
func (c *Challenge) Name() string { return c.cfg.Name }

// Create implements customauth.Challenge.
func (c *Challenge) Create(context.Context, *triggers.CreateAuthChallengeEvent, customauth.Round) (customauth.Params, error) {
	public := map[string]string{PublicSiteKey: c.cfg.SiteKey}
	if c.cfg.Provider != "" {
		public[PublicProvider] = c.cfg.Provider
	}
	return customauth.Params{Public: public}, nil
}

// MaxTokenLength bounds the tokens passed to the verifier; real ones are a
// few hundred to about two thousand bytes.
const MaxTokenLength = 4096

// Verify implements customauth.Challenge.
func (c *Challenge) Verify(ctx context.Context, ev *triggers.VerifyAuthChallengeResponseEvent) (bool, error) {
	token := strings.TrimSpace(ev.Request.ChallengeAnswer.Reveal())
	if token == "" || len(token) > MaxTokenLength {
		return false, nil
	}
	ok, err := c.cfg.Verifier.VerifyCaptcha(ctx, token)
	if err != nil {
		return false, fmt.Errorf("captcha: %w", err)
	}
	return ok, nil
}

// SiteVerify is a Verifier for services with a "siteverify" endpoint -
// Google reCAPTCHA, hCaptcha, Cloudflare Turnstile: it POSTs the secret and
// the token as a form and reads {"success": bool, ...} from the JSON reply.
type SiteVerify struct {
	// URL is the endpoint, e.g.
	// https://challenges.cloudflare.com/turnstile/v0/siteverify or
	// https://www.google.com/recaptcha/api/siteverify.
	URL string
	// Secret is the site's secret key.
	Secret triggers.Secret
	// Client makes the request; nil means http.DefaultClient. The
	// request honours the trigger's context deadline either way.
	Client *http.Client
	// Hostnames, if set, are the only site host names accepted in the
	// reply's "hostname" field.
	Hostnames []string
	// Action, if set, must equal the reply's "action" field (reCAPTCHA v3,
	// Turnstile).
	Action string
	// MinScore, if above zero, is the least reCAPTCHA v3 "score" accepted.
	MinScore float64
}

type siteVerifyReply struct {
	Success    bool     `json:"success"`
	Hostname   string   `json:"hostname"`
	Action     string   `json:"action"`
	Score      *float64 `json:"score"`
	ErrorCodes []string `json:"error-codes"`
}

// maxReply bounds the reply read from the service.
const maxReply = 64 << 10

// VerifyCaptcha implements Verifier.
func (s *SiteVerify) VerifyCaptcha(ctx context.Context, token string) (bool, error) {
	form := url.Values{"secret": {s.Secret.Reveal()}, "response": {token}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, strings.NewReader(form.Encode()))
	if err != nil {
		return false, fmt.Errorf("siteverify request to %q: %w", s.URL, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		// *url.Error quotes the URL only, never the body with the secret.
		return false, fmt.Errorf("siteverify: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("siteverify: %s answered HTTP %d", s.URL, resp.StatusCode)
	}
	var reply siteVerifyReply
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxReply)).Decode(&reply); err != nil {
		return false, fmt.Errorf("siteverify: %s sent a reply that is not the expected JSON: %w", s.URL, err)
	}
	switch {
	case !reply.Success:
		return false, nil
	case len(s.Hostnames) > 0 && !slices.Contains(s.Hostnames, reply.Hostname):
		return false, nil
	case s.Action != "" && reply.Action != s.Action:
		return false, nil
	case s.MinScore > 0 && (reply.Score == nil || *reply.Score < s.MinScore):
		return false, nil
	}
	return true, nil
}
