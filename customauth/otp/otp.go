package otp

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/customauth/records"
	"github.com/cognitrig/cognitrig/triggers"
)

// Defaults of a Config.
const (
	DefaultLength      = 6
	MinLength          = 6 // shorter codes fall to online guessing
	DefaultTTL         = 5 * time.Minute
	DefaultResendAfter = time.Minute
	DefaultMaxGuesses  = 5
	MinKeyLength       = 32
)

// Keys of the public and private challenge parameters.
const (
	PublicChannel    = "channel"    // EMAIL or SMS
	PublicCodeLength = "codeLength" // number of digits
	privSlot         = "slot"
	privNonce        = "nonce"
	privExpires      = "exp"
	privMAC          = "mac"
)

// Config configures a Challenge.
type Config struct {
	// Name is the challengeMetadata; default "EMAIL_OTP" or "SMS_OTP".
	Name string
	// Channel is deliver.Email (to the verified "email" attribute) or
	// deliver.SMS (to the verified "phone_number").
	Channel deliver.Channel
	Sender  deliver.Sender
	Store   records.Store
	// Key is the HMAC key, at least 32 random bytes, from a secret store.
	// Changing it invalidates the codes in flight.
	Key []byte
	// Length is the number of digits, MinLength (6) to 10; default 6.
	Length int
	// TTL is how long a code is valid, 30 s to 1 h; default 5 minutes.
	TTL time.Duration
	// ResendAfter is the least time between two sends of one code;
	// default 1 minute.
	ResendAfter time.Duration
	// MaxGuesses is how many wrong answers burn a code, across sign-ins;
	// default 5.
	MaxGuesses int
	// Subject (email only) and Body are the message; Body must contain
	// deliver.Placeholder once. Defaults say "Your sign-in code is ...".
	Subject string
	Body    string
	// AllowUnverified sends to an address that is not verified. Leave it
	// false unless sign-up verifies addresses some other way.
	AllowUnverified bool
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger receives warnings without secrets; nil logs nothing.
	Logger *slog.Logger
}

// Challenge is a one-time-code challenge. Create it with New.
type Challenge struct {
	cfg    Config
	timing deliver.Timing // of real sends, imitated by decoys
}

var _ customauth.Challenge = (*Challenge)(nil)

// New checks cfg, fills in defaults and returns a Challenge.
func New(cfg Config) (*Challenge, error) {
	switch cfg.Channel {
	case deliver.Email:
		if cfg.Name == "" {
			cfg.Name = "EMAIL_OTP"
		}
	case deliver.SMS:
		if cfg.Name == "" {
			cfg.Name = "SMS_OTP"
		}
	default:
		return nil, fmt.Errorf("otp: Channel %q is not deliver.Email or deliver.SMS", cfg.Channel)
	}
	switch {
	case cfg.Sender == nil:
		return nil, errors.New("otp: Config.Sender is nil; give an ses.Sender, sns.Sender (packages delivery/ses, delivery/sns) or another deliver.Sender for the codes")
	case cfg.Store == nil:
		return nil, errors.New("otp: Config.Store is nil; give a records.Store (records.DynamoStore in AWS Lambda) for the codes in flight")
	}
	if len(cfg.Key) < MinKeyLength {
		return nil, fmt.Errorf("otp: Key has %d bytes, want at least %d random bytes", len(cfg.Key), MinKeyLength)
	}
	cfg.Key = append([]byte(nil), cfg.Key...)
	if cfg.Length == 0 {
		cfg.Length = DefaultLength
	}
	if cfg.Length < MinLength || cfg.Length > 10 {
		return nil, fmt.Errorf("otp: Length %d is outside %d..10", cfg.Length, MinLength)
	}
	if cfg.TTL == 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.TTL < 30*time.Second || cfg.TTL > time.Hour {
		return nil, fmt.Errorf("otp: TTL %v is outside 30s..1h", cfg.TTL)
	}
	if cfg.ResendAfter == 0 {
		cfg.ResendAfter = DefaultResendAfter
	}
	if cfg.ResendAfter < 0 {
		return nil, fmt.Errorf("otp: ResendAfter %v is negative", cfg.ResendAfter)
	}
	if cfg.MaxGuesses == 0 {
		cfg.MaxGuesses = DefaultMaxGuesses
	}
	if cfg.MaxGuesses < 1 {
		return nil, fmt.Errorf("otp: MaxGuesses %d is less than 1", cfg.MaxGuesses)
	}
	if cfg.Subject == "" {
		cfg.Subject = "Your sign-in code"
	}
	if cfg.Body == "" {
		cfg.Body = fmt.Sprintf("Your sign-in code is %s. It expires in %s.", deliver.Placeholder, humanDuration(cfg.TTL))
	}
	if err := deliver.CheckBody(cfg.Body); err != nil {
		return nil, fmt.Errorf("otp: Body: %w", err)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Challenge{cfg: cfg}, nil
}

// UserBound implements customauth.UserBound: wrong codes spend the user's
// failure budget.
func (c *Challenge) UserBound() bool { return true }

// Delivering implements customauth.Delivering: rounds count against the
// user's send cap.
func (c *Challenge) Delivering() bool { return true }

func humanDuration(d time.Duration) string {
	if d%time.Minute == 0 {
		if d == time.Minute {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return fmt.Sprintf("%d seconds", d/time.Second)
}

// Name implements customauth.Challenge.
func (c *Challenge) Name() string { return c.cfg.Name }

// destination returns where the code goes, if the user has a usable one.
func (c *Challenge) destination(attrs triggers.Attributes) (string, bool) {
	attr := "email"
	if c.cfg.Channel == deliver.SMS {
		attr = "phone_number"
	}
	to := attrs[attr]
	return to, to != "" && (c.cfg.AllowUnverified || attrs.Verified(attr))
}

func (c *Challenge) slot(pool, user string) string {
	return "otp#" + pool + "#" + user + "#" + c.cfg.Name
}

// Create implements customauth.Challenge: it opens (or finds) the code's
// record, sends the code unless it was sent less than ResendAfter ago, and
// returns the parameters.
func (c *Challenge) Create(ctx context.Context, ev *triggers.CreateAuthChallengeEvent, _ customauth.Round) (customauth.Params, error) {
	public := map[string]string{PublicChannel: string(c.cfg.Channel), PublicCodeLength: strconv.Itoa(c.cfg.Length)}
	now := c.cfg.Now()
	to, ok := c.destination(ev.Request.UserAttributes)
	slot := c.slot(ev.UserPoolID, customauth.UserKey(&ev.Header, ev.Request.UserAttributes))
	switch {
	case ev.Request.UserNotFound:
		ok = false
		slot = c.slot(ev.UserPoolID, "decoy:"+customauth.DecoyID(c.cfg.Key, ev.UserPoolID, ev.UserName))
	case !ok:
		c.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "otp: user has no verified destination for the code; issuing a challenge that cannot be passed",
			slog.String("challenge", c.cfg.Name), slog.String("userPoolId", ev.UserPoolID), slog.String("userName", ev.UserName))
		slot += "#decoy"
	}
	// A decoy does the work of a real round - the record, the claim and a
	// send's time - so that its answer takes as long; only the send and a
	// MAC that any answer could match are left out.
	nonce, err := records.NewNonce()
	if err != nil {
		return customauth.Params{}, err
	}
	rec, err := c.cfg.Store.Open(ctx, slot, records.Record{Nonce: nonce, ExpiresAt: now.Add(c.cfg.TTL)}, now)
	if err != nil {
		return customauth.Params{}, fmt.Errorf("otp: open the code's record: %w", err)
	}
	code := c.code(slot, rec.Nonce)
	claimed, err := c.cfg.Store.ClaimSend(ctx, slot, rec.Nonce, now, c.cfg.ResendAfter)
	if err != nil {
		return customauth.Params{}, fmt.Errorf("otp: claim the send: %w", err)
	}
	exp := strconv.FormatInt(rec.ExpiresAt.Unix(), 10)
	if !ok {
		if claimed {
			c.timing.Imitate(ctx)
		}
		return c.decoy(public, slot, rec.Nonce, exp)
	}
	if claimed {
		msg := deliver.Message{Channel: c.cfg.Channel, To: to, Subject: c.cfg.Subject, Body: c.cfg.Body, Secret: triggers.Secret(code)}
		if err := c.timing.Send(ctx, c.cfg.Sender, msg); err != nil {
			// Free the send so that Cognito's retry sends again; ctx may
			// be spent by now, so the release gets its own short budget.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			defer cancel()
			if rerr := c.cfg.Store.ReleaseSend(rctx, slot, rec.Nonce, now); rerr != nil {
				err = errors.Join(err, rerr)
			}
			return customauth.Params{}, fmt.Errorf("otp: send the code by %s: %w", c.cfg.Channel, err)
		}
	}
	return customauth.Params{
		Public: public,
		Private: triggers.SecretMap{
			privSlot:    slot,
			privNonce:   rec.Nonce,
			privExpires: exp,
			privMAC:     base64.RawURLEncoding.EncodeToString(c.mac(slot, rec.Nonce, exp, code)),
		},
	}, nil
}

// decoy returns parameters shaped like real ones, for the decoy record of
// slot, whose MAC is random: no answer passes, but a wrong one is counted
// on the decoy record as on a real one.
func (c *Challenge) decoy(public map[string]string, slot, nonce, exp string) (customauth.Params, error) {
	var junk [sha256.Size]byte
	if _, err := rand.Read(junk[:]); err != nil {
		return customauth.Params{}, fmt.Errorf("otp: read random bytes: %w", err)
	}
	return customauth.Params{
		Public: public,
		Private: triggers.SecretMap{
			privSlot:    slot,
			privNonce:   nonce,
			privExpires: exp,
			privMAC:     base64.RawURLEncoding.EncodeToString(junk[:]),
		},
	}, nil
}

// Verify implements customauth.Challenge.
func (c *Challenge) Verify(ctx context.Context, ev *triggers.VerifyAuthChallengeResponseEvent) (bool, error) {
	p := ev.Request.PrivateChallengeParameters
	slot, nonce, exp := p[privSlot], p[privNonce], p[privExpires]
	want, err := base64.RawURLEncoding.DecodeString(p[privMAC])
	if slot == "" || nonce == "" || err != nil || len(want) != sha256.Size {
		return false, nil // a decoy, or parameters this challenge did not make
	}
	expires, err := strconv.ParseInt(exp, 10, 64)
	if err != nil {
		return false, nil
	}
	now := c.cfg.Now()
	if now.Unix() >= expires {
		c.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "otp: answer to an expired code", slog.String("challenge", c.cfg.Name), slog.String("userName", ev.UserName))
		return false, nil
	}
	answer := normaliseAnswer(ev.Request.ChallengeAnswer.Reveal())
	if subtle.ConstantTimeCompare(c.mac(slot, nonce, exp, answer), want) != 1 {
		if _, err := c.cfg.Store.Fail(ctx, slot, nonce, c.cfg.MaxGuesses); err != nil {
			return false, fmt.Errorf("otp: count the wrong answer: %w", err)
		}
		return false, nil
	}
	if ev.Request.UserNotFound {
		return false, nil // not reached: a decoy's MAC is random
	}
	consumed, err := c.cfg.Store.Consume(ctx, slot, nonce, now, c.cfg.MaxGuesses)
	if err != nil {
		return false, fmt.Errorf("otp: consume the code: %w", err)
	}
	return consumed, nil
}

// normaliseAnswer drops the spaces and hyphens that people type into codes
// ("123 456"); anything else stays and fails the MAC.
func normaliseAnswer(s string) string {
	if len(s) > 64 {
		return s[:64]
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

// code derives the code of a record: HMAC-SHA-256 of the slot and nonce,
// read as digits with rejection sampling (bytes from 250 up are skipped, so
// every digit is equally likely).
func (c *Challenge) code(slot, nonce string) string {
	out := make([]byte, 0, c.cfg.Length)
	for block := byte(0); len(out) < c.cfg.Length; block++ {
		m := hmac.New(sha256.New, c.cfg.Key)
		m.Write([]byte{'c', 'o', 'd', 'e', block, 0})
		m.Write([]byte(slot))
		m.Write([]byte{0})
		m.Write([]byte(nonce))
		for _, b := range m.Sum(nil) {
			if b < 250 && len(out) < c.cfg.Length {
				out = append(out, '0'+b%10)
			}
		}
	}
	return string(out)
}

// mac binds a code to its record and expiry.
func (c *Challenge) mac(slot, nonce, exp, code string) []byte {
	m := hmac.New(sha256.New, c.cfg.Key)
	for _, part := range []string{"mac", slot, nonce, exp, code} {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}
