package triggers

import (
	"context"
	"encoding/json"
	"io"
	"sync"
	"time"
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

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

func emfRecord(namespace string, source TriggerSource, start time.Time, elapsed time.Duration, errs float64, m *invocationMetrics) []byte {
	defs := []emfMetric{
		{Name: "Invocations", Unit: UnitCount},
		{Name: "Errors", Unit: UnitCount},
		{Name: "Duration", Unit: UnitMilliseconds},
	}
	doc := map[string]any{
		"TriggerSource": string(source),
		"Invocations":   1,
		"Errors":        errs,
		"Duration":      Milliseconds(elapsed),
	}
	m.mu.Lock()
	for _, name := range sortedKeys(m.values) {
		if _, taken := doc[name]; taken {
			continue
		}
		defs = append(defs, emfMetric{Name: name, Unit: m.units[name]})
		doc[name] = m.values[name]
	}
	m.mu.Unlock()
	doc["_aws"] = map[string]any{
		"Timestamp": start.UnixMilli(),
		"CloudWatchMetrics": []any{map[string]any{
			"Namespace":  namespace,
			"Dimensions": [][]string{{"TriggerSource"}},
			"Metrics":    defs,
		}},
	}
	b, _ := json.Marshal(doc)
	return append(b, '\n')
}
