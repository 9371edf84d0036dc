package triggertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cognitrig/cognitrig/triggers"
)

// ---- Refusals ----

// ExpectRefusal fails t unless err is a deliberate refusal
// (*triggers.Refusal) whose text, the text Cognito shows the client, is
// exactly message. It returns the refusal, for checks of its Reason.
func ExpectRefusal(t testing.TB, err error, message string) *triggers.Refusal {
	t.Helper()
	var r *triggers.Refusal
	if !errors.As(err, &r) {
		t.Fatalf("triggertest: want a refusal %q, got %v", message, err)
	}
	// The Lambda runtime reports err.Error(): that, not the refusal's own
	// message, is what the client sees if something wrapped it.
	if err.Error() != message {
		t.Fatalf("triggertest: the client sees %q, want %q", err.Error(), message)
	}
	return r
}

// ReplayRefused invokes h with the recorded event called name and fails t
// unless h refuses it with exactly message (see ExpectRefusal).
func ReplayRefused(t testing.TB, h Invoker, name, message string) *triggers.Refusal {
	t.Helper()
	_, err := Invoke(h, Load(t, name), 0)
	return ExpectRefusal(t, err, message)
}

// ---- Captured messages ----

// Recorder is a sender that records what it is asked to send, in order,
// and sends nothing. One generic type serves every sender interface of
// cognitrig, whose methods take a context and one message:
//
//	Recorder[deliver.Message]  is a deliver.Sender      (Send)
//	Recorder[messages.Email]   is a messages.EmailSender (SendEmail)
//	Recorder[messages.SMS]     is a messages.SMSSender   (SendSMS)
//
// It is safe for concurrent use. Its zero value records.
type Recorder[M any] struct {
	mu   sync.Mutex
	sent []M
	err  error
}

// Send records m, or, after FailWith, returns that error and records
// nothing: a failed send delivered nothing.
func (r *Recorder[M]) Send(_ context.Context, m M) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.sent = append(r.sent, m)
	return nil
}

// SendEmail is Send, for email sender interfaces.
func (r *Recorder[M]) SendEmail(ctx context.Context, m M) error { return r.Send(ctx, m) }

// SendSMS is Send, for SMS sender interfaces.
func (r *Recorder[M]) SendSMS(ctx context.Context, m M) error { return r.Send(ctx, m) }

// FailWith makes later sends return err (nil: succeed again), to test a
// delivery failure.
func (r *Recorder[M]) FailWith(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = err
}

// Sent returns a copy of the messages recorded so far.
func (r *Recorder[M]) Sent() []M {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sent)
}

// Only fails t unless exactly one message was recorded, and returns it.
func (r *Recorder[M]) Only(t testing.TB) M {
	t.Helper()
	sent := r.Sent()
	if len(sent) != 1 {
		t.Fatalf("triggertest: %d messages sent, want exactly 1", len(sent))
	}
	return sent[0]
}

// Last fails t unless a message was recorded, and returns the last one.
func (r *Recorder[M]) Last(t testing.TB) M {
	t.Helper()
	sent := r.Sent()
	if len(sent) == 0 {
		t.Fatal("triggertest: nothing was sent")
	}
	return sent[len(sent)-1]
}

// Reset forgets the recorded messages.
func (r *Recorder[M]) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = nil
}

// ---- Metrics ----

// EMF is an io.Writer that captures the CloudWatch embedded metric format
// records of triggers.Metrics, for assertions on metrics written:
//
//	var emf triggertest.EMF
//	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(logger, triggers.WithMetrics(&emf, ""))...))
//	...
//	emf.Expect(t, "MigrationWrongPassword", 1)
//
// It is safe for concurrent use.
type EMF struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (e *EMF) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.buf.Write(p)
}

// EMFRecord is one decoded embedded-metric record.
type EMFRecord struct {
	Namespace  string
	Dimensions map[string]string  // dimension name → value, e.g. TriggerSource
	Values     map[string]float64 // declared metric → value
	Units      map[string]string  // declared metric → unit
}

// Records decodes the records written so far, failing t on any line that
// is not valid EMF: not JSON, no _aws block, a declared metric without a
// numeric value, or a dimension without a value.
func (e *EMF) Records(t testing.TB) []EMFRecord {
	t.Helper()
	e.mu.Lock()
	text := e.buf.String()
	e.mu.Unlock()
	var recs []EMFRecord
	for i, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if line == "" {
			continue
		}
		var doc map[string]json.RawMessage
		var meta struct {
			AWS struct {
				Timestamp         int64
				CloudWatchMetrics []struct {
					Namespace  string
					Dimensions [][]string
					Metrics    []struct{ Name, Unit string }
				}
			} `json:"_aws"`
		}
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			t.Fatalf("triggertest: EMF line %d is not a JSON object: %v", i, err)
		}
		if err := json.Unmarshal([]byte(line), &meta); err != nil || len(meta.AWS.CloudWatchMetrics) != 1 || meta.AWS.Timestamp == 0 {
			t.Fatalf("triggertest: EMF line %d has no valid _aws block: %s", i, line)
		}
		cw := meta.AWS.CloudWatchMetrics[0]
		rec := EMFRecord{Namespace: cw.Namespace, Dimensions: map[string]string{}, Values: map[string]float64{}, Units: map[string]string{}}
		for _, set := range cw.Dimensions {
			for _, d := range set {
				var v string
				if err := json.Unmarshal(doc[d], &v); err != nil {
					t.Fatalf("triggertest: EMF line %d: dimension %s has no string value", i, d)
				}
				rec.Dimensions[d] = v
			}
		}
		for _, m := range cw.Metrics {
			var v float64
			if err := json.Unmarshal(doc[m.Name], &v); err != nil {
				t.Fatalf("triggertest: EMF line %d: metric %s has no numeric value", i, m.Name)
			}
			rec.Values[m.Name], rec.Units[m.Name] = v, m.Unit
		}
		recs = append(recs, rec)
	}
	return recs
}

// Sum returns the total of metric name over every record.
func (e *EMF) Sum(t testing.TB, name string) float64 {
	t.Helper()
	var sum float64
	for _, r := range e.Records(t) {
		sum += r.Values[name]
	}
	return sum
}

// Expect fails t unless metric name sums to want over every record.
func (e *EMF) Expect(t testing.TB, name string, want float64) {
	t.Helper()
	if got := e.Sum(t, name); got != want {
		t.Errorf("triggertest: metric %s = %v, want %v", name, got, want)
	}
}

// ---- Logs ----

// SecretMarker is in every secret value of the recorded events, so that a
// test can find them in a log without knowing the fields.
const SecretMarker = "SECRET"

// Secrets returns every string value of a JSON event that holds
// SecretMarker, found by walking the raw JSON: the check does not rely on
// the types it checks.
func Secrets(payload []byte) []string {
	var out []string
	for _, v := range StringValues(payload) {
		if strings.Contains(v, SecretMarker) {
			out = append(out, v)
		}
	}
	return out
}

// StringValues returns every string value of a JSON document (none if it
// is not JSON), found by walking the raw JSON: attributes, codes, metadata,
// whatever the types call them. Tests check that none reaches a place it
// must not.
func StringValues(payload []byte) []string {
	var doc any
	if json.Unmarshal(payload, &doc) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			out = append(out, x)
		}
	}
	walk(doc)
	return out
}

// Log captures log lines for assertions, or any output a test reads while
// something else writes it (a process's stderr, a metrics sink): its zero
// value is ready to use. It is safe for concurrent use.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// NewLog returns a JSON logger at level, wrapped with triggers.LogHandler,
// and the Log it writes to.
func NewLog(level slog.Level) (*slog.Logger, *Log) {
	l := &Log{}
	return slog.New(triggers.LogHandler(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: level}))), l
}

// Write implements io.Writer.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything logged so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Reset empties the log.
func (l *Log) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Reset()
}

// ExpectNoSecrets fails t if the log holds SecretMarker, or any secret
// value of the given events (see Secrets) or the second half of one, as a
// truncated or re-encoded value would show. Pass the events the logged
// invocations saw; it fails when they hold no secret at all, since the
// check would then prove nothing.
func (l *Log) ExpectNoSecrets(t testing.TB, events ...[]byte) {
	t.Helper()
	text := l.String()
	var secrets []string
	for _, ev := range events {
		secrets = append(secrets, Secrets(ev)...)
	}
	if len(events) > 0 && len(secrets) == 0 {
		t.Fatalf("triggertest: the events hold no %s value: the check would prove nothing", SecretMarker)
	}
	for _, s := range secrets {
		if strings.Contains(text, s) || strings.Contains(text, s[len(s)/2:]) {
			t.Errorf("triggertest: secret %q… reached the log", s[:min(len(s), 6)])
		}
	}
	if strings.Contains(text, SecretMarker) {
		t.Errorf("triggertest: the log holds %q", SecretMarker)
	}
}
