package magiclink

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/customauth/records"
	"github.com/cognitrig/cognitrig/triggers"
)

// Signer signs and checks link tokens. HMACSigner signs with a local key;
// kmssigner.Signer (GenerateMac and VerifyMac with a KMS HMAC key) keeps
// the key out of the function altogether.
type Signer interface {
	Sign(ctx context.Context, msg []byte) ([]byte, error)
	// Verify reports whether sig is a signature of msg. A wrong signature
	// is (false, nil); an error means the check could not be made.
	Verify(ctx context.Context, msg, sig []byte) (bool, error)
}

// HMACSigner signs with HMAC-SHA-256.
type HMACSigner struct {
	key []byte
}

// NewHMACSigner returns a Signer with key, which must have at least 32
// random bytes.
func NewHMACSigner(key []byte) (*HMACSigner, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("magiclink: HMAC key has %d bytes, want at least 32 random bytes", len(key))
	}
	return &HMACSigner{key: append([]byte(nil), key...)}, nil
}

// Sign implements Signer.
func (s *HMACSigner) Sign(_ context.Context, msg []byte) ([]byte, error) {
	m := hmac.New(sha256.New, s.key)
	m.Write(msg)
	return m.Sum(nil), nil
}

// Verify implements Signer, comparing in constant time.
func (s *HMACSigner) Verify(ctx context.Context, msg, sig []byte) (bool, error) {
	want, _ := s.Sign(ctx, msg)
	return hmac.Equal(want, sig), nil
}

// Defaults of a Config.
const (
	DefaultName        = "MAGIC_LINK"
	DefaultTTL         = 15 * time.Minute
	DefaultResendAfter = time.Minute
	DefaultPageKey     = "page"
	DefaultHaveLinkKey = "alreadyHaveMagicLink"
	// MaxTokenLength bounds the answers that are parsed at all.
	MaxTokenLength = 2048
)

// PublicChannel is the public parameter that says where the link went.
const PublicChannel = "channel"

// Config configures a Challenge.
type Config struct {
	Name   string // default DefaultName
	Signer Signer
	Store  records.Store
	Sender deliver.Sender
	// Pages are the pages a link may open, by key, e.g.
	// {"signin": "https://app.example.com/auth/magic"}. Each is an exact
	// absolute URL - scheme, host, optional port and path - without query,
	// fragment or user information; https, or plain http for localhost and
	// loopback addresses only. The link is the page with the token as its
	// fragment, built here: nothing the client sends reaches the email.
	// Required.
	Pages map[string]string
	// PageKey is the clientMetadata key by which the client chooses a page
	// by its key in Pages; default "page". A key that is not in Pages is
	// refused.
	PageKey string
	// DefaultPage is the key of the page for a client that names none;
	// default the only page, when Pages has one. Empty with several pages
	// means the client must name one.
	DefaultPage string
	// HaveLinkKey is the clientMetadata key by which the client says, with
	// the value "yes", that it is answering with a link it already has (a
	// new sign-in started from the link), so none is sent; default
	// "alreadyHaveMagicLink".
	HaveLinkKey string
	// TTL is how long a link is valid, 1 minute to 1 hour; default 15
	// minutes.
	TTL time.Duration
	// ResendAfter is the least time between two sends; default 1 minute.
	ResendAfter time.Duration
	// Subject and Body are the email; Body must hold deliver.Placeholder,
	// where the link goes, and neither may hold another web address
	// ("://" or "www."): the link is the only address in the email.
	// Defaults: "Your sign-in link", and a short text that says the link
	// works once, within TTL.
	Subject, Body string
	// AllowUnverified sends to an email address that is not verified.
	AllowUnverified bool
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger receives warnings without secrets; nil logs nothing.
	Logger *slog.Logger
}

// Challenge sends a signed, expiring, single-use sign-in link by email.
// Create it with New.
type Challenge struct {
	cfg    Config
	pages  map[string]string // key -> the page's URL, as configured
	timing deliver.Timing    // of real sends, imitated by decoys
}

var _ customauth.Challenge = (*Challenge)(nil)

// New checks cfg and returns a Challenge.
func New(cfg Config) (*Challenge, error) {
	for _, dep := range []struct {
		missing     bool
		field, what string
	}{
		{cfg.Signer == nil, "Signer", "NewHMACSigner(key) or a kmssigner.Signer"},
		{cfg.Store == nil, "Store", "a records.Store (records.DynamoStore in AWS Lambda) for the links in flight"},
		{cfg.Sender == nil, "Sender", "an ses.Sender (package delivery/ses) or another deliver.Sender for the emails"},
	} {
		if dep.missing {
			return nil, fmt.Errorf("magiclink: Config.%s is nil; give %s", dep.field, dep.what)
		}
	}
	c := &Challenge{pages: map[string]string{}}
	for k, raw := range cfg.Pages {
		if k == "" {
			return nil, errors.New("magiclink: a page has an empty key")
		}
		if err := checkPage(raw); err != nil {
			return nil, fmt.Errorf("magiclink: page %q: %w", k, err)
		}
		c.pages[k] = raw
	}
	if len(c.pages) == 0 {
		return nil, errors.New("magiclink: Pages is required: the exact pages (https://host/path) that links may open")
	}
	if cfg.DefaultPage == "" && len(c.pages) == 1 {
		for k := range c.pages {
			cfg.DefaultPage = k
		}
	}
	if _, ok := c.pages[cfg.DefaultPage]; cfg.DefaultPage != "" && !ok {
		return nil, fmt.Errorf("magiclink: DefaultPage %q is not a key of Pages", cfg.DefaultPage)
	}
	if cfg.PageKey == "" {
		cfg.PageKey = DefaultPageKey
	}
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	if cfg.HaveLinkKey == "" {
		cfg.HaveLinkKey = DefaultHaveLinkKey
	}
	if cfg.TTL == 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.TTL < time.Minute || cfg.TTL > time.Hour {
		return nil, fmt.Errorf("magiclink: TTL %v is outside 1m..1h", cfg.TTL)
	}
	if cfg.ResendAfter == 0 {
		cfg.ResendAfter = DefaultResendAfter
	}
	if cfg.Subject == "" {
		cfg.Subject = "Your sign-in link"
	}
	if cfg.Body == "" {
		cfg.Body = "Open this link to sign in: " + deliver.Placeholder + "\n\nIt works once, within " + minutes(cfg.TTL) + ". If you did not ask for it, ignore this email."
	}
	if err := deliver.CheckBody(cfg.Body); err != nil {
		return nil, fmt.Errorf("magiclink: Body: %w", err)
	}
	for _, text := range []string{cfg.Subject, cfg.Body} {
		if l := strings.ToLower(text); strings.Contains(l, "://") || strings.Contains(l, "www.") {
			return nil, errors.New("magiclink: Subject and Body must not hold a web address: the link is the only one in the email")
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c.cfg = cfg
	return c, nil
}

func minutes(d time.Duration) string {
	if n := int(d / time.Minute); n != 1 {
		return fmt.Sprintf("%d minutes", n)
	}
	return "1 minute"
}

// Name implements customauth.Challenge.
func (c *Challenge) Name() string { return c.cfg.Name }

// ErrPageNotAllowed is the reason of the refusal for a page key that is
// not in Config.Pages, or none when there is no DefaultPage.
var ErrPageNotAllowed = errors.New("magiclink: the page is missing or not allowed")

// ErrRedirectNotAllowed is ErrPageNotAllowed, by its former name.
var ErrRedirectNotAllowed = ErrPageNotAllowed

// checkPage accepts an exact page URL: scheme, host, optional port, path.
func checkPage(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#") {
		return errors.New("is not an exact page URL scheme://host[:port]/path without query, fragment or user information")
	}
	host := u.Hostname()
	local := host == "localhost" || (net.ParseIP(host) != nil && net.ParseIP(host).IsLoopback())
	if u.Scheme != "https" && !(u.Scheme == "http" && local) {
		return errors.New("must use https (plain http only for localhost)")
	}
	return nil
}

// page returns the page the client chose by key, or the default page.
func (c *Challenge) page(meta triggers.Metadata) (string, error) {
	key := meta[c.cfg.PageKey]
	if key == "" {
		key = c.cfg.DefaultPage
	}
	p, ok := c.pages[key]
	if !ok || key == "" {
		return "", ErrPageNotAllowed
	}
	return p, nil
}

func (c *Challenge) slot(pool, user string) string {
	return "link#" + pool + "#" + user + "#" + c.cfg.Name
}

// Create implements customauth.Challenge. It picks the page first, for
// every user alike; then, unless the client already has a link, it opens
// the link's record and sends the link, at most once per ResendAfter. A
// user that does not exist, or has no verified email, gets the same
// parameters and no email, after the same work on a decoy record.
func (c *Challenge) Create(ctx context.Context, ev *triggers.CreateAuthChallengeEvent, _ customauth.Round) (customauth.Params, error) {
	params := customauth.Params{Public: map[string]string{PublicChannel: string(deliver.Email)}}
	meta := ev.Request.ClientMetadata
	if meta[c.cfg.HaveLinkKey] == "yes" {
		return params, nil
	}
	page, err := c.page(meta)
	if err != nil {
		return params, triggers.RefuseBecause(err, "The sign-in link cannot point to that page.")
	}
	attrs := ev.Request.UserAttributes
	to := attrs["email"]
	user := customauth.UserKey(&ev.Header, attrs)
	send := true
	switch {
	case ev.Request.UserNotFound:
		send = false
		user = "decoy:" + customauth.DecoyID([]byte(c.cfg.Name), ev.UserPoolID, ev.UserName)
	case to == "" || !(c.cfg.AllowUnverified || attrs.Verified("email")):
		c.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "magiclink: user has no verified email; no link sent",
			slog.String("userPoolId", ev.UserPoolID), slog.String("userName", ev.UserName))
		send = false
		user += "#decoy"
	}
	slot := c.slot(ev.UserPoolID, user)
	now := c.cfg.Now()
	nonce, err := records.NewNonce()
	if err != nil {
		return params, err
	}
	rec, err := c.cfg.Store.Open(ctx, slot, records.Record{Nonce: nonce, ExpiresAt: now.Add(c.cfg.TTL)}, now)
	if err != nil {
		return params, fmt.Errorf("magiclink: open the link's record: %w", err)
	}
	claimed, err := c.cfg.Store.ClaimSend(ctx, slot, rec.Nonce, now, c.cfg.ResendAfter)
	if err != nil || !claimed {
		return params, err
	}
	token, err := c.sign(ctx, claims{Version: 1, Pool: ev.UserPoolID, Client: ev.CallerContext.ClientID, User: user,
		Challenge: c.cfg.Name, Expires: rec.ExpiresAt.Unix(), Nonce: rec.Nonce})
	if err == nil && !send {
		// A decoy signs and takes a send's time, and sends nothing.
		c.timing.Imitate(ctx)
		return params, nil
	}
	if err == nil {
		link := page + "#" + token
		err = c.timing.Send(ctx, c.cfg.Sender, deliver.Message{Channel: deliver.Email, To: to, Subject: c.cfg.Subject, Body: c.cfg.Body, Secret: triggers.Secret(link)})
	}
	if err != nil {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		if rerr := c.cfg.Store.ReleaseSend(rctx, slot, rec.Nonce, now); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return params, fmt.Errorf("magiclink: send the link: %w", err)
	}
	return params, nil
}

// UserBound implements customauth.UserBound: wrong links spend the user's
// failure budget.
func (c *Challenge) UserBound() bool { return true }

// Delivering implements customauth.Delivering: rounds count against the
// user's send cap.
func (c *Challenge) Delivering() bool { return true }

// claims are what a link token says, signed.
type claims struct {
	Version   int    `json:"v"`
	Pool      string `json:"pool"`
	Client    string `json:"cid"`
	User      string `json:"sub"`
	Challenge string `json:"ch"`
	Expires   int64  `json:"exp"`
	Nonce     string `json:"n"`
}

// signingInput is what the signature covers: a domain-separation prefix
// and the encoded claims.
func signingInput(payload string) []byte { return []byte("cognitrig-magiclink-v1." + payload) }

func (c *Challenge) sign(ctx context.Context, cl claims) (string, error) {
	body, err := json.Marshal(cl)
	if err != nil {
		return "", err
	}
	payload := base64.RawURLEncoding.EncodeToString(body)
	sig, err := c.cfg.Signer.Sign(ctx, signingInput(payload))
	if err != nil {
		return "", fmt.Errorf("magiclink: sign: %w", err)
	}
	return payload + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// Verify implements customauth.Challenge: the answer is the token from the
// link. It must carry a valid signature, be unexpired, be bound to this
// user pool, app client, user and challenge, and still have its record,
// which this call consumes with a conditional delete: a link works once.
// Anything else is a wrong answer; only a Signer or Store failure is an
// error.
func (c *Challenge) Verify(ctx context.Context, ev *triggers.VerifyAuthChallengeResponseEvent) (bool, error) {
	token := strings.TrimSpace(ev.Request.ChallengeAnswer.Reveal())
	if i := strings.LastIndexByte(token, '#'); i >= 0 {
		token = token[i+1:] // the whole link pasted as the answer
	}
	if token == "" || len(token) > MaxTokenLength {
		return false, nil
	}
	payload, sigText, ok := strings.Cut(token, ".")
	if !ok || strings.Contains(sigText, ".") {
		return false, nil
	}
	sig, err := base64.RawURLEncoding.DecodeString(sigText)
	if err != nil {
		return false, nil
	}
	valid, err := c.cfg.Signer.Verify(ctx, signingInput(payload), sig)
	if err != nil {
		return false, fmt.Errorf("magiclink: check the signature: %w", err)
	}
	if !valid {
		c.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "magiclink: answer with a forged or tampered link", slog.String("userName", ev.UserName))
		return false, nil
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return false, nil
	}
	var cl claims
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cl); err != nil {
		return false, nil
	}
	now := c.cfg.Now()
	user := customauth.UserKey(&ev.Header, ev.Request.UserAttributes)
	switch {
	case ev.Request.UserNotFound,
		cl.Version != 1,
		cl.Pool != ev.UserPoolID,
		cl.Client != ev.CallerContext.ClientID,
		cl.User != user,
		cl.Challenge != c.cfg.Name,
		cl.Nonce == "":
		return false, nil
	case now.Unix() >= cl.Expires:
		c.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "magiclink: answer with an expired link", slog.String("userName", ev.UserName))
		return false, nil
	}
	used, err := c.cfg.Store.Consume(ctx, c.slot(cl.Pool, cl.User), cl.Nonce, now, 1)
	if err != nil {
		return false, fmt.Errorf("magiclink: consume the link: %w", err)
	}
	if !used {
		c.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "magiclink: answer with a link that was used or replaced", slog.String("userName", ev.UserName))
	}
	return used, nil
}
