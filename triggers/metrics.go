package triggers

import (
	"context"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Metric units of CloudWatch that cognitrig uses.
const (
	UnitCount        = "Count"
	UnitMilliseconds = "Milliseconds"
)

type metricsKey struct{}

// invocationMetrics collects the custom metrics of one invocation.
type invocationMetrics struct {
	mu     sync.Mutex
	values map[string]float64
	units  map[string]string
	// owner is the Metrics middleware that writes the record: the
	// innermost of those that wrap the handler.
	owner *sync.Mutex
}

// AddMetric adds value to a custom metric of the current invocation; the
// Metrics middleware writes it with the invocation's own metrics. Outside
// that middleware it does nothing. Names must not contain secrets.
func AddMetric(ctx context.Context, name, unit string, value float64) {
	m, _ := ctx.Value(metricsKey{}).(*invocationMetrics)
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.values == nil {
		m.values = map[string]float64{}
		m.units = map[string]string{}
	}
	m.values[name] += value
	m.units[name] = unit
}

// Metrics writes one CloudWatch Embedded Metric Format record per invocation
// to w (os.Stdout in Lambda, where CloudWatch Logs extracts the metrics), in
// namespace, with the one dimension TriggerSource (the event's
// triggerSource, e.g. "PreSignUp_SignUp"). Default includes it. Writes are
// serialised; a write error is ignored so that metrics never fail a
// sign-in. Every invocation writes:
//
//	Invocations  Count         1
//	Errors       Count         1 if the handler returned an error (a refusal too), else 0
//	Duration     Milliseconds  the handler's time, middleware inside Metrics included
//
// and any metric added with AddMetric during the invocation, summed per
// name. The feature packages add:
//
//	customauth           CustomAuthTokensIssued, CustomAuthFailed, CustomAuthWrongAnswer (Count)
//	migration            Migrated, MigrationNotFound, MigrationWrongPassword,
//	                     MigrationNoVerifiedContact, MigrationLegacyUnavailable,
//	                     MigrationTrackingErrors, LegacyCalls, LegacyFailures,
//	                     LegacyRetries, LegacyRejected, LegacyBreakerOpened,
//	                     LegacyBreakerHalfOpen, LegacyBreakerClosed (Count);
//	                     LegacyLatency (Milliseconds)
//	tenancy/invitation   InvitationAccepted (Count)
//	tenancy/federation   AccountLinked, AccountLinkAmbiguous (Count)
//	lifecycle/confirm    PostConfirmationHookRan, PostConfirmationHookSkipped (Count)
//	lifecycle/authpolicy MFARequiredOnRisk (Count)
//	triggers/idempotency IdempotentReplays, IdempotentInProgress (Count)
//
// When two Metrics middleware wrap one handler (Default's and one added
// after it), only the inner one writes, with every metric of the
// invocation: adding Metrics redirects the record instead of counting the
// invocation twice.
func Metrics(w io.Writer, namespace string) Middleware {
	var mu sync.Mutex // serialises writes; its address names this middleware
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, ev Event) error {
			m, _ := ctx.Value(metricsKey{}).(*invocationMetrics)
			if m == nil {
				m = &invocationMetrics{}
				ctx = context.WithValue(ctx, metricsKey{}, m)
			}
			// The innermost Metrics middleware sets owner last and writes.
			m.mu.Lock()
			m.owner = &mu
			m.mu.Unlock()
			start := time.Now()
			err := next.HandleTrigger(ctx, ev)
			elapsed := time.Since(start)
			m.mu.Lock()
			mine := m.owner == &mu
			m.owner = nil // written once, by the innermost
			m.mu.Unlock()
			if !mine {
				return err
			}
			errCount := 0.0
			if err != nil {
				errCount = 1
			}
			rec := emfRecord(namespace, ev.Common().TriggerSource, start, elapsed, errCount, m)
			mu.Lock()
			_, _ = w.Write(rec)
			mu.Unlock()
			return err
		})
	}
}

// emfRecord writes the EMF record by hand: encoding/json of a map costs
// some forty allocations per invocation, this one buffer.
func emfRecord(namespace string, source TriggerSource, start time.Time, elapsed time.Duration, errs float64, m *invocationMetrics) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	var names []string
	if len(m.values) > 0 {
		names = sortedKeys(m.values)
		names = slices.DeleteFunc(names, func(n string) bool {
			v := m.values[n]
			return builtinEMFKey(n) || math.IsNaN(v) || math.IsInf(v, 0)
		})
	}
	b := make([]byte, 0, 320+64*len(names))
	b = append(b, `{"_aws":{"Timestamp":`...)
	b = strconv.AppendInt(b, start.UnixMilli(), 10)
	b = append(b, `,"CloudWatchMetrics":[{"Namespace":`...)
	b = appendJSONString(b, namespace)
	b = append(b, `,"Dimensions":[["TriggerSource"]],"Metrics":[`...)
	b = append(b, `{"Name":"Invocations","Unit":"Count"},{"Name":"Errors","Unit":"Count"},{"Name":"Duration","Unit":"Milliseconds"}`...)
	for _, n := range names {
		b = append(b, `,{"Name":`...)
		b = appendJSONString(b, n)
		b = append(b, `,"Unit":`...)
		b = appendJSONString(b, m.units[n])
		b = append(b, '}')
	}
	b = append(b, `]}]},"TriggerSource":`...)
	b = appendJSONString(b, string(source))
	b = append(b, `,"Invocations":1,"Errors":`...)
	b = strconv.AppendFloat(b, errs, 'g', -1, 64)
	b = append(b, `,"Duration":`...)
	b = strconv.AppendFloat(b, Milliseconds(elapsed), 'g', -1, 64)
	for _, n := range names {
		b = append(b, ',')
		b = appendJSONString(b, n)
		b = append(b, ':')
		b = strconv.AppendFloat(b, m.values[n], 'g', -1, 64)
	}
	return append(b, "}\n"...)
}

func builtinEMFKey(name string) bool {
	switch name {
	case "_aws", "TriggerSource", "Invocations", "Errors", "Duration":
		return true
	}
	return false
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
