package migration

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/cognitrig/cognitrig/triggers"
)

// User-facing messages of the Handler's defaults.
const (
	// DefaultRefusalMessage is the one message for an unknown user, a wrong
	// password and a user who cannot receive a reset code: a client cannot
	// tell them apart.
	DefaultRefusalMessage = "Incorrect username or password."
	// DefaultUnavailableMessage is shown when the legacy system does not
	// answer in time or the circuit breaker is open.
	DefaultUnavailableMessage = "Sign-in is temporarily unavailable, try again shortly."
	// DefaultTrackTimeout bounds the write of a tracking record.
	DefaultTrackTimeout = 200 * time.Millisecond
)

// Metric names the Handler adds with triggers.AddMetric, one per outcome,
// plus tracking failures.
const (
	MetricMigrated       = "Migrated"
	MetricNotFound       = "MigrationNotFound"
	MetricWrongPassword  = "MigrationWrongPassword"
	MetricNoContact      = "MigrationNoVerifiedContact"
	MetricUnavailable    = "MigrationLegacyUnavailable"
	MetricRefused        = "MigrationRefused"
	MetricTrackingErrors = "MigrationTrackingErrors"
)

var outcomeMetric = map[Outcome]string{
	OutcomeMigrated:      MetricMigrated,
	OutcomeNotFound:      MetricNotFound,
	OutcomeWrongPassword: MetricWrongPassword,
	OutcomeNoContact:     MetricNoContact,
	OutcomeUnavailable:   MetricUnavailable,
	OutcomeRefused:       MetricRefused,
}

// MinNameKeyBytes is the shortest Config.NameKey accepted.
const MinNameKeyBytes = 32

// Config configures a Handler. Only Source is required.
type Config struct {
	// Source is the legacy user store. The Handler calls it through a
	// Guard built from Guard.
	Source Source
	Guard  GuardConfig
	// Tracker records outcomes. Default: a MemoryTracker, which lasts only
	// as long as the process; deploy with a DynamoDB tracker.
	Tracker Tracker
	// Mapping maps legacy fields to Cognito attributes; see Mapping.
	Mapping Mapping
	// DenyAttributes are Cognito attributes never set from legacy fields,
	// in addition to DefaultDenyAttributes (the tenant attribute): say,
	// custom attributes that grant roles in your application. A Mapping to
	// one of them is a configuration error.
	DenyAttributes []string
	// NameKey keys the HMAC-SHA256 that stands in for a user name the
	// legacy source did not confirm (unknown, wrong password, refused,
	// source unavailable) in tracking records and log lines: people type
	// passwords and other people's addresses into the name field, and
	// those must not be kept. At least MinNameKeyBytes random bytes; keep
	// it secret and stable, so that one name always has one digest (see
	// NameDigest). Default: a random key per Handler, so digests differ
	// between processes and failed attempts of one name are not counted
	// together across cold starts.
	NameKey triggers.Secret

	// FinalUserStatus of users migrated at sign-in: CONFIRMED (default),
	// so they keep their password, or RESET_REQUIRED. Users migrated by a
	// forgotten password get none: Cognito sends them a reset code.
	FinalUserStatus string
	// MessageAction: SUPPRESS (default) sends no welcome message; RESEND
	// sends it again.
	MessageAction string
	// DesiredDeliveryMediums for the welcome message: EMAIL and/or SMS.
	// A medium is left out for a user without that attribute.
	DesiredDeliveryMediums []string
	// ForceAliasCreation is off by default, on purpose: when on, and the
	// migrated user's email or phone is already an alias of another user
	// of the pool, Cognito moves the alias to the migrated user, taking it
	// from its owner. With legacy addresses that were never verified this
	// hands one user's sign-in name to another. Off, such a migration fails
	// with AliasExistsException and the existing user is untouched.
	ForceAliasCreation bool
	// EnableSMSMFA turns on SMS MFA for migrated users who have a phone
	// number.
	EnableSMSMFA bool
	// TrustLegacyEmail and TrustLegacyPhone mark the legacy email address
	// and phone number as verified when the legacy fields do not say: set
	// them only if the legacy system verified them. A forgotten-password
	// migration needs a verified email or phone to deliver the reset code.
	TrustLegacyEmail, TrustLegacyPhone bool

	// RefusalMessage and UnavailableMessage are shown to users; defaults
	// DefaultRefusalMessage and DefaultUnavailableMessage.
	RefusalMessage, UnavailableMessage string
	// TrackTimeout bounds each tracking write (within the remaining
	// budget). Default DefaultTrackTimeout.
	TrackTimeout time.Duration
	// Logger; default slog.Default(). Also the Guard's, unless it has one.
	Logger *slog.Logger
}

// Handler serves the User Migration trigger. Create it once per process
// (its Guard's breaker state must outlive an invocation) and register it:
//
//	h, err := migration.New(cfg)
//	...
//	router.UserMigration(h.Handle)
type Handler struct {
	cfg   Config
	guard *Guard
	key   []byte // NameKey
}

// UnavailableError is returned by Handle when the legacy source gave no
// answer. Its text is the user-safe UnavailableMessage, which Cognito shows
// to the client; Err, for logs and errors.Is, wraps ErrUnavailable.
type UnavailableError struct {
	Message string
	Err     error
}

func (e *UnavailableError) Error() string { return e.Message }

// Unwrap returns Err.
func (e *UnavailableError) Unwrap() error { return e.Err }

// errNoPassword is the reason of a refusal of an Authentication event
// without a password.
var errNoPassword = errors.New("migration: the event has no password: the app client must sign in with USER_PASSWORD_AUTH (or ADMIN_USER_PASSWORD_AUTH) for users to migrate")

// New checks cfg and returns a Handler.
func New(cfg Config) (*Handler, error) {
	var problems []error
	if cfg.Source == nil {
		problems = append(problems, errors.New("no Source: give the legacy user store"))
	}
	if err := cfg.Mapping.Validate(); err != nil {
		problems = append(problems, err)
	} else if err := cfg.Mapping.ValidateDeny(cfg.DenyAttributes); err != nil {
		problems = append(problems, err)
	}
	if !cfg.NameKey.IsZero() && len(cfg.NameKey) < MinNameKeyBytes {
		problems = append(problems, fmt.Errorf("NameKey has %d bytes: want at least %d random bytes", len(cfg.NameKey), MinNameKeyBytes))
	}
	switch cfg.FinalUserStatus {
	case "":
		cfg.FinalUserStatus = triggers.UserStatusConfirmed
	case triggers.UserStatusConfirmed, triggers.UserStatusResetRequired:
	default:
		problems = append(problems, fmt.Errorf("FinalUserStatus %q: want CONFIRMED or RESET_REQUIRED", cfg.FinalUserStatus))
	}
	switch cfg.MessageAction {
	case "":
		cfg.MessageAction = triggers.MessageActionSuppress
	case triggers.MessageActionSuppress, triggers.MessageActionResend:
	default:
		problems = append(problems, fmt.Errorf("MessageAction %q: want SUPPRESS or RESEND", cfg.MessageAction))
	}
	for _, m := range cfg.DesiredDeliveryMediums {
		if m != triggers.DeliveryMediumEmail && m != triggers.DeliveryMediumSMS {
			problems = append(problems, fmt.Errorf("DesiredDeliveryMediums has %q: want EMAIL or SMS", m))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("migration: invalid config: %w", errors.Join(problems...))
	}
	cfg.Logger = cmp.Or(cfg.Logger, slog.Default())
	cfg.Guard.Logger = cmp.Or(cfg.Guard.Logger, cfg.Logger)
	cfg.RefusalMessage = cmp.Or(cfg.RefusalMessage, DefaultRefusalMessage)
	cfg.UnavailableMessage = cmp.Or(cfg.UnavailableMessage, DefaultUnavailableMessage)
	if cfg.Tracker == nil {
		cfg.Tracker = NewMemoryTracker(TrackerOptions{})
	}
	if cfg.TrackTimeout <= 0 {
		cfg.TrackTimeout = DefaultTrackTimeout
	}
	key := []byte(cfg.NameKey.Reveal())
	if len(key) == 0 {
		key = make([]byte, MinNameKeyBytes)
		_, _ = rand.Read(key) // crypto/rand.Read never fails on supported platforms
	}
	guard, err := NewGuard(cfg.Source, cfg.Guard)
	if err != nil {
		return nil, fmt.Errorf("migration: invalid config: Guard: %w", err)
	}
	return &Handler{cfg: cfg, guard: guard, key: key}, nil
}

// NameDigestPrefix starts every NameDigest, so that a tracking record of an
// unconfirmed name is told from one of a legacy username at a glance.
const NameDigestPrefix = "hmac-sha256:"

// NameDigest returns the keyed digest that stands for a user name the
// legacy source did not confirm: NameDigestPrefix and the unpadded
// base64url HMAC-SHA256 of the name under key (43 characters). It cannot
// be reversed without the key, and with it only by guessing names; the
// same name and key always give the same digest, so an operator who knows
// the key can find a user's records (Tracker.Get(NameDigest(key, name))).
func NameDigest(key []byte, name string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(name))
	return NameDigestPrefix + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// NameDigest returns NameDigest under the Handler's NameKey.
func (h *Handler) NameDigest(name string) string { return NameDigest(h.key, name) }

// Guard returns the Handler's Guard, to read the breaker's state.
func (h *Handler) Guard() *Guard { return h.guard }

// Tracker returns the Handler's Tracker.
func (h *Handler) Tracker() Tracker { return h.cfg.Tracker }

// Register registers Handle as the router's UserMigration handler.
func (h *Handler) Register(r *triggers.Router) { r.UserMigration(h.Handle) }

// Handle serves one UserMigration_Authentication or
// UserMigration_ForgotPassword event. It refuses an unknown user, a wrong
// password, a user the legacy source refused (ErrRefused) and (for a
// forgotten password) a user without a verified email or phone with one
// and the same *triggers.Refusal, and returns a *triggers.Refusal with
// UnavailableMessage whose Reason is an *UnavailableError when the legacy
// source gives no answer. Outcomes are tracked under the legacy username
// when the source returned the user, and under NameDigest of the typed
// name otherwise; no log line of the Handler holds a typed name.
func (h *Handler) Handle(ctx context.Context, ev *triggers.UserMigrationEvent) error {
	var (
		u   *User
		err error
	)
	switch ev.TriggerSource {
	case triggers.UserMigrationAuthentication:
		if ev.Request.Password.IsZero() {
			return triggers.RefuseBecause(errNoPassword, h.cfg.RefusalMessage)
		}
		u, err = h.guard.Authenticate(ctx, ev.UserName, ev.Request.Password)
	case triggers.UserMigrationForgotPassword:
		u, err = h.guard.Lookup(ctx, ev.UserName)
	default:
		return fmt.Errorf("migration: %q is not a user migration trigger source; register the handler with Router.UserMigration", ev.TriggerSource)
	}
	// Until the source confirms the name, it is whatever the client typed
	// (a password, by mistake, or a guess): only its digest is kept.
	typed := h.NameDigest(ev.UserName)
	switch {
	case err == nil:
	case errors.Is(err, ErrNotFound):
		h.track(ctx, ev, typed, OutcomeNotFound)
		return triggers.RefuseBecause(err, h.cfg.RefusalMessage)
	case errors.Is(err, ErrWrongPassword):
		h.track(ctx, ev, typed, OutcomeWrongPassword)
		return triggers.RefuseBecause(err, h.cfg.RefusalMessage)
	case errors.Is(err, ErrRefused):
		h.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "legacy source refused the user",
			slog.String("userNameDigest", typed), slog.String("error", err.Error()))
		h.track(ctx, ev, typed, OutcomeRefused)
		return triggers.RefuseBecause(err, h.cfg.RefusalMessage)
	case errors.Is(err, errors.ErrUnsupported):
		h.cfg.Logger.LogAttrs(ctx, slog.LevelError, "legacy source cannot look users up: forgotten passwords of legacy users cannot be migrated",
			slog.String("error", err.Error()))
		return triggers.RefuseBecause(err, h.cfg.RefusalMessage)
	default:
		h.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "legacy source unavailable",
			slog.String("userNameDigest", typed), slog.String("error", err.Error()))
		h.track(ctx, ev, typed, OutcomeUnavailable)
		// A Refusal, so that Cognito shows the user-safe message (only a
		// Refusal's text reaches the client); errors.As still finds the
		// *UnavailableError.
		return triggers.RefuseBecause(&UnavailableError{Message: h.cfg.UnavailableMessage, Err: err}, h.cfg.UnavailableMessage)
	}

	attrs := h.cfg.Mapping.ApplyDenying(u.Fields, h.cfg.DenyAttributes)
	if h.cfg.TrustLegacyEmail && attrs["email"] != "" && attrs["email_verified"] == "" {
		attrs["email_verified"] = "true"
	}
	if h.cfg.TrustLegacyPhone && attrs["phone_number"] != "" && attrs["phone_number_verified"] == "" {
		attrs["phone_number_verified"] = "true"
	}
	if ev.TriggerSource == triggers.UserMigrationForgotPassword && !hasVerifiedContact(attrs) {
		h.track(ctx, ev, u.Username, OutcomeNoContact)
		return triggers.RefuseBecause(errors.New("migration: the legacy user has no verified email or phone number to send the reset code to; see TrustLegacyEmail"), h.cfg.RefusalMessage)
	}

	r := &ev.Response
	r.UserAttributes = attrs
	r.FinalUserStatus = ""
	if ev.TriggerSource == triggers.UserMigrationAuthentication {
		r.FinalUserStatus = h.cfg.FinalUserStatus
	}
	r.MessageAction = h.cfg.MessageAction
	r.DesiredDeliveryMediums = nil
	for _, m := range h.cfg.DesiredDeliveryMediums {
		if (m == triggers.DeliveryMediumEmail && attrs["email"] != "") || (m == triggers.DeliveryMediumSMS && attrs["phone_number"] != "") {
			if !slices.Contains(r.DesiredDeliveryMediums, m) {
				r.DesiredDeliveryMediums = append(r.DesiredDeliveryMediums, m)
			}
		}
	}
	r.ForceAliasCreation = h.cfg.ForceAliasCreation
	r.EnableSMSMFA = h.cfg.EnableSMSMFA && attrs["phone_number"] != ""
	h.track(ctx, ev, u.Username, OutcomeMigrated)
	return nil
}

func hasVerifiedContact(attrs map[string]string) bool {
	return (attrs["email"] != "" && attrs["email_verified"] == "true") ||
		(attrs["phone_number"] != "" && attrs["phone_number_verified"] == "true")
}

// track records an outcome and counts it. Tracking never fails a sign-in:
// a failed write is logged and counted, and skipped when the budget has no
// room left for it.
func (h *Handler) track(ctx context.Context, ev *triggers.UserMigrationEvent, username string, o Outcome) {
	triggers.AddMetric(ctx, outcomeMetric[o], triggers.UnitCount, 1)
	timeout := h.cfg.TrackTimeout
	if rem, ok := triggers.Remaining(ctx); ok {
		timeout = min(timeout, rem)
	}
	err := context.DeadlineExceeded
	if timeout > 0 {
		tctx, cancel := context.WithTimeout(ctx, timeout)
		err = h.cfg.Tracker.Record(tctx, Attempt{
			Username: username, Outcome: o, TriggerSource: ev.TriggerSource, UserPoolID: ev.UserPoolID,
		})
		cancel()
	}
	if err != nil {
		triggers.AddMetric(ctx, MetricTrackingErrors, triggers.UnitCount, 1)
		h.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "migration outcome not recorded",
			slog.String("outcome", string(o)), slog.String("error", err.Error()))
	}
}
