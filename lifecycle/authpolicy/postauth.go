package authpolicy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitrig/cognitrig/internal/nilcheck"
	"github.com/cognitrig/cognitrig/triggers"
)

// Risk levels, as Cognito threat protection reports them.
const (
	RiskLow    = "Low"
	RiskMedium = "Medium"
	RiskHigh   = "High"
)

// Signals are what is known about a sign-in beyond the event itself.
type Signals struct {
	IP        string
	DeviceKey string
	RiskLevel string // RiskLow, RiskMedium, RiskHigh, or empty when unknown
	NewDevice bool   // from the event's newDeviceUsed
}

// SignalSource finds the Signals of a sign-in.
type SignalSource interface {
	Signals(ctx context.Context, ev *triggers.PostAuthenticationEvent) (Signals, error)
}

// SignalFunc adapts a function to SignalSource.
type SignalFunc func(ctx context.Context, ev *triggers.PostAuthenticationEvent) (Signals, error)

// Signals calls f.
func (f SignalFunc) Signals(ctx context.Context, ev *triggers.PostAuthenticationEvent) (Signals, error) {
	return f(ctx, ev)
}

// MetadataSignals reads the IP and device key from the event's client
// metadata, under the keys given (empty skips one). The app passes them as
// ClientMetadata of RespondToAuthChallenge; a back end should set them, as
// the client controls them otherwise.
func MetadataSignals(ipKey, deviceKeyKey string) SignalSource {
	return SignalFunc(func(_ context.Context, ev *triggers.PostAuthenticationEvent) (Signals, error) {
		var s Signals
		if ipKey != "" {
			if a, ok := parseAddr(ev.Request.ClientMetadata[ipKey]); ok {
				s.IP = a.String()
			}
		}
		if deviceKeyKey != "" {
			s.DeviceKey = ev.Request.ClientMetadata[deviceKeyKey]
		}
		return s, nil
	})
}

// ContextSignals reads the IP that WithSourceIP found in the raw event.
func ContextSignals() SignalSource {
	return SignalFunc(func(ctx context.Context, _ *triggers.PostAuthenticationEvent) (Signals, error) {
		if a, ok := SourceIP(ctx); ok {
			return Signals{IP: a.String()}, nil
		}
		return Signals{}, nil
	})
}

// AuthEventsAPI is the part of the Cognito API that AuthEventSignals uses;
// *cognitoidentityprovider.Client implements it.
type AuthEventsAPI interface {
	AdminListUserAuthEvents(ctx context.Context, in *cip.AdminListUserAuthEventsInput, opts ...func(*cip.Options)) (*cip.AdminListUserAuthEventsOutput, error)
}

// AuthEventSignals reads the risk level and IP of the user's latest
// successful sign-in from Cognito threat protection
// (AdminListUserAuthEvents; the pool needs threat protection in audit or
// full-function mode, and the role cognito-idp:AdminListUserAuthEvents).
// Events older than maxAge are taken to be another sign-in's and ignored.
//
// It fails at once when api is nil or maxAge is not positive (every event
// would be too old).
func AuthEventSignals(api AuthEventsAPI, maxAge time.Duration) (SignalSource, error) {
	switch {
	case nilcheck.Is(api):
		return nil, errors.New("authpolicy: AuthEventSignals: the AuthEventsAPI is nil; give a *cognitoidentityprovider.Client")
	case maxAge <= 0:
		return nil, fmt.Errorf("authpolicy: AuthEventSignals: maxAge is %v; give how old the latest sign-in event may be, e.g. 10*time.Minute", maxAge)
	}
	return SignalFunc(func(ctx context.Context, ev *triggers.PostAuthenticationEvent) (Signals, error) {
		out, err := api.AdminListUserAuthEvents(ctx, &cip.AdminListUserAuthEventsInput{
			UserPoolId: aws.String(ev.UserPoolID), Username: aws.String(ev.UserName), MaxResults: aws.Int32(5),
		})
		if err != nil {
			return Signals{}, fmt.Errorf("authpolicy: list auth events of the user: %w", err)
		}
		for _, e := range out.AuthEvents {
			if e.EventType != ciptypes.EventTypeSignIn || e.EventResponse == ciptypes.EventResponseTypeFail {
				continue
			}
			if e.CreationDate != nil && time.Since(*e.CreationDate) > maxAge {
				break // newest first: the rest are older still
			}
			var s Signals
			if e.EventRisk != nil {
				s.RiskLevel = string(e.EventRisk.RiskLevel)
			}
			if e.EventContextData != nil {
				s.IP = aws.ToString(e.EventContextData.IpAddress)
			}
			return s, nil
		}
		return Signals{}, nil
	}), nil
}

// MergeSignals asks every source and keeps, per field, the first non-empty
// value. An error from any source is returned. It fails when a source is
// nil.
func MergeSignals(sources ...SignalSource) (SignalSource, error) {
	for i, src := range sources {
		if src == nil {
			return nil, fmt.Errorf("authpolicy: MergeSignals: source %d is nil; use ContextSignals, MetadataSignals or AuthEventSignals", i)
		}
	}
	sources = slices.Clone(sources)
	return SignalFunc(func(ctx context.Context, ev *triggers.PostAuthenticationEvent) (Signals, error) {
		var out Signals
		for _, src := range sources {
			s, err := src.Signals(ctx, ev)
			if err != nil {
				return out, err
			}
			if out.IP == "" {
				out.IP = s.IP
			}
			if out.DeviceKey == "" {
				out.DeviceKey = s.DeviceKey
			}
			if out.RiskLevel == "" {
				out.RiskLevel = s.RiskLevel
			}
		}
		return out, nil
	}), nil
}

// ---- Risk signals that require MFA ----

// RiskSignal decides whether a sign-in is risky enough to require MFA.
type RiskSignal func(s Signals, attrs triggers.Attributes) bool

// RiskAtLeast is true when the risk level is level or higher.
func RiskAtLeast(level string) RiskSignal {
	rank := func(l string) int {
		switch strings.ToLower(l) {
		case "low":
			return 1
		case "medium":
			return 2
		case "high":
			return 3
		}
		return 0
	}
	want := rank(level)
	return func(s Signals, _ triggers.Attributes) bool { return want > 0 && rank(s.RiskLevel) >= want }
}

// NewDevice is true when the user signed in from a device Cognito has not
// seen (device tracking on).
func NewDevice() RiskSignal {
	return func(s Signals, _ triggers.Attributes) bool { return s.NewDevice }
}

// AnyOf is true when any signal is; with no signals it is never true. It
// fails when a signal is nil.
func AnyOf(signals ...RiskSignal) (RiskSignal, error) {
	for i, f := range signals {
		if f == nil {
			return nil, fmt.Errorf("authpolicy: AnyOf: signal %d is nil; use RiskAtLeast, NewDevice or a func", i)
		}
	}
	signals = slices.Clone(signals)
	return func(s Signals, a triggers.Attributes) bool {
		for _, f := range signals {
			if f(s, a) {
				return true
			}
		}
		return false
	}, nil
}

// MFAMethod is a second factor Cognito can require.
type MFAMethod string

// MFA methods. MFAAuto picks SMS for a user with a verified phone number,
// else email for a verified email (email MFA needs the Essentials or Plus
// feature plan).
const (
	MFAAuto          MFAMethod = ""
	MFASMS           MFAMethod = "SMS"
	MFAEmail         MFAMethod = "EMAIL"
	MFASoftwareToken MFAMethod = "SOFTWARE_TOKEN"
)

// ErrNoMFAMethod is the reason of the refusal when a risky sign-in calls for
// MFA and the user has no factor that can be turned on.
var ErrNoMFAMethod = errors.New("authpolicy: risky sign-in, and the user has no verified phone number or email for MFA")

// MFAAPI is the part of the Cognito API that RequireMFA uses;
// *cognitoidentityprovider.Client implements it.
type MFAAPI interface {
	AdminSetUserMFAPreference(ctx context.Context, in *cip.AdminSetUserMFAPreferenceInput, opts ...func(*cip.Options)) (*cip.AdminSetUserMFAPreferenceOutput, error)
}

// RequireMFA turns MFA on for a user when a sign-in is risky, through
// AdminSetUserMFAPreference (role: cognito-idp:AdminSetUserMFAPreference).
// The sign-in in progress has already passed: MFA applies from the next
// one. A software token can be required only of users who have registered
// one.
type RequireMFA struct {
	API    MFAAPI
	When   RiskSignal
	Method MFAMethod
	// Message is shown when the user has no usable factor and the sign-in is
	// refused; the default is MsgAccountUnavailable.
	Message string
}

// apply requires MFA if the signal says so, and reports whether it did.
func (m *RequireMFA) apply(ctx context.Context, ev *triggers.PostAuthenticationEvent, s Signals) (bool, error) {
	if m == nil || m.When == nil || !m.When(s, ev.Request.UserAttributes) {
		return false, nil
	}
	method := m.Method
	if method == MFAAuto {
		switch {
		case ev.Request.UserAttributes.Verified("phone_number"):
			method = MFASMS
		case ev.Request.UserAttributes.Verified("email"):
			method = MFAEmail
		default:
			msg := m.Message
			if msg == "" {
				msg = MsgAccountUnavailable
			}
			return false, triggers.RefuseBecause(ErrNoMFAMethod, msg)
		}
	}
	in := &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(ev.UserPoolID), Username: aws.String(ev.UserName)}
	switch method {
	case MFASMS:
		in.SMSMfaSettings = &ciptypes.SMSMfaSettingsType{Enabled: true, PreferredMfa: true}
	case MFAEmail:
		in.EmailMfaSettings = &ciptypes.EmailMfaSettingsType{Enabled: true, PreferredMfa: true}
	case MFASoftwareToken:
		in.SoftwareTokenMfaSettings = &ciptypes.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}
	default:
		return false, fmt.Errorf("authpolicy: unknown MFA method %q", method)
	}
	if _, err := m.API.AdminSetUserMFAPreference(ctx, in); err != nil {
		return false, fmt.Errorf("authpolicy: require %s MFA after a risky sign-in: %w", method, err)
	}
	return true, nil
}

// ---- The post-authentication handler ----

// PostAuthConfig configures PostAuthentication.
type PostAuthConfig struct {
	// Checks run first, in order; the first that refuses or fails ends the
	// sign-in, after the password and every challenge have passed and
	// before any token is issued (TenantActive is one). A refused sign-in
	// is not audited.
	Checks []triggers.Func[triggers.PostAuthenticationEvent]
	// Audit receives one record per sign-in; required.
	Audit AuditStore
	// Signals adds IP, device key and risk level; optional.
	Signals SignalSource
	// MFA, if set, requires MFA after a risky sign-in.
	MFA *RequireMFA
	// Retention is how long audit records are kept; the default is 90 days.
	Retention time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// PostAuthentication returns the post-authentication handler: it runs
// the Checks, gathers the sign-in's signals, requires MFA when they say so, and writes the audit
// record. Any failure fails the sign-in (fail closed): an unaudited sign-in
// does not get tokens. Cognito may deliver an event twice, which records
// the sign-in twice.
func PostAuthentication(cfg PostAuthConfig) (triggers.Func[triggers.PostAuthenticationEvent], error) {
	if nilcheck.Is(cfg.Audit) {
		return nil, errors.New("authpolicy: PostAuthConfig.Audit is nil")
	}
	for i, c := range cfg.Checks {
		if c == nil {
			return nil, fmt.Errorf("authpolicy: PostAuthConfig.Checks[%d] is nil; build checks with TenantActive or a func", i)
		}
	}
	if cfg.MFA != nil {
		switch {
		case nilcheck.Is(cfg.MFA.API):
			return nil, errors.New("authpolicy: PostAuthConfig.MFA.API is nil; give a *cognitoidentityprovider.Client")
		case cfg.MFA.When == nil:
			return nil, errors.New("authpolicy: PostAuthConfig.MFA.When is nil; give the RiskSignal that calls for MFA, e.g. RiskAtLeast(\"high\")")
		}
		switch cfg.MFA.Method {
		case MFAAuto, MFASMS, MFAEmail, MFASoftwareToken:
		default:
			return nil, fmt.Errorf("authpolicy: PostAuthConfig.MFA.Method %q is unknown; use MFAAuto, MFASMS, MFAEmail or MFASoftwareToken", cfg.MFA.Method)
		}
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 90 * 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	checks := slices.Clone(cfg.Checks)
	return func(ctx context.Context, ev *triggers.PostAuthenticationEvent) error {
		for _, c := range checks {
			if err := c(ctx, ev); err != nil {
				return err
			}
		}
		var s Signals
		if cfg.Signals != nil {
			var err error
			if s, err = cfg.Signals.Signals(ctx, ev); err != nil {
				return err
			}
		}
		s.NewDevice = ev.Request.NewDeviceUsed
		required, err := cfg.MFA.apply(ctx, ev, s)
		if err != nil {
			return err
		}
		now := cfg.Now()
		rec := AuditRecord{
			UserPoolID: ev.UserPoolID, UserName: ev.UserName, Sub: ev.Request.UserAttributes["sub"],
			ClientID: ev.CallerContext.ClientID, Time: now, IP: s.IP, DeviceKey: s.DeviceKey,
			RiskLevel: s.RiskLevel, NewDevice: s.NewDevice, MFARequired: required,
			ExpiresAt: now.Add(cfg.Retention),
		}
		if err := cfg.Audit.Put(ctx, rec); err != nil {
			return fmt.Errorf("authpolicy: record sign-in: %w", err)
		}
		if required {
			triggers.AddMetric(ctx, "MFARequiredOnRisk", triggers.UnitCount, 1)
		}
		return nil
	}, nil
}
