package importcsv_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"strings"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/importcsv"
	"github.com/cognitrig/cognitrig/migration/migrationtest"
	"github.com/cognitrig/cognitrig/migration/passhash"
	"github.com/cognitrig/cognitrig/triggers"
)

func fixtureSource(t *testing.T) *migration.MemorySource {
	src, err := migration.NewMemorySource(migrationtest.LegacyUsers(migrationtest.Fixture(t))...)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// rows parses CSV output into maps by column.
func rows(t *testing.T, out []byte) ([]string, []map[string]string) {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%s", err, out)
	}
	var list []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, c := range recs[0] {
			m[c] = r[i]
		}
		list = append(list, m)
	}
	return recs[0], list
}

func TestExportSkipsMigratedUsers(t *testing.T) {
	ctx := context.Background()
	tr := migration.NewMemoryTracker(migration.TrackerOptions{})
	_ = tr.Record(ctx, migration.Attempt{Username: "alice", Outcome: migration.OutcomeMigrated})
	_ = tr.Record(ctx, migration.Attempt{Username: "bob", Outcome: migration.OutcomeWrongPassword})
	var out bytes.Buffer
	var progress counter
	st, err := importcsv.Export(ctx, &out, importcsv.Config{Source: fixtureSource(t), Tracker: tr, EnableSMSMFA: true, BatchSize: 3, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	header, list := rows(t, out.Bytes())
	if !slices.Equal(header, importcsv.DefaultHeader()) {
		t.Fatalf("header %v", header)
	}
	var names []string
	for _, r := range list {
		names = append(names, r["cognito:username"])
	}
	if !slices.Equal(names, []string{"bob", "carol", "dave"}) {
		t.Fatalf("rows for %v, want bob, carol, dave (alice migrated)", names)
	}
	bob, carol, dave := list[0], list[1], list[2]
	if bob["email"] != "bob@example.com" || bob["email_verified"] != "false" || bob["given_name"] != "Bob" || bob["cognito:mfa_enabled"] != "false" {
		t.Fatalf("bob %v", bob)
	}
	if carol["phone_number"] != "+15550100003" || carol["phone_number_verified"] != "true" || carol["cognito:mfa_enabled"] != "true" || carol["email_verified"] != "false" {
		t.Fatalf("carol %v", carol)
	}
	if dave["nickname"] != "dave" || dave["email"] != "" {
		t.Fatalf("dave %v", dave)
	}
	want := importcsv.Stats{Read: 4, AlreadyMigrated: 1, Written: 3, NoVerifiedContact: 2}
	if fmt.Sprint(st) != fmt.Sprint(want) {
		t.Fatalf("stats %+v, want %+v", st, want)
	}
	if progress.n != 4 {
		t.Fatalf("progress told of %d users, want 4", progress.n)
	}
}

type counter struct{ n int64 }

func (c *counter) Add(n int64) { c.n += n }

// cognitoServer is a local Cognito user-pool API (awsfake.Cognito) whose
// one pool, us-east-1_EXAMPLE1, has the CSV header given.
func cognitoServer(t *testing.T, header []string) *cip.Client {
	pool := awsfake.NewCognitoPool(t)
	pool.SetCSVHeader(header)
	return pool.Client()
}

func TestPoolHeaderAndCustomAttributes(t *testing.T) {
	ctx := context.Background()
	poolHeader := append(importcsv.DefaultHeader(), "custom:plan")
	client := cognitoServer(t, poolHeader)
	header, err := importcsv.PoolHeader(ctx, client, "us-east-1_EXAMPLE1")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(header, poolHeader) {
		t.Fatalf("header %v", header)
	}
	var out bytes.Buffer
	mapping := migration.Mapping{"email": "email", "email_verified": "email_verified", "plan": "custom:plan", "legacy_id": "custom:legacy_id"}
	st, err := importcsv.Export(ctx, &out, importcsv.Config{Source: fixtureSource(t), Header: header, Mapping: mapping})
	if err != nil {
		t.Fatal(err)
	}
	_, list := rows(t, out.Bytes())
	if list[0]["cognito:username"] != "alice" || list[0]["custom:plan"] != "gold" || list[0]["email_verified"] != "true" {
		t.Fatalf("alice %v", list[0])
	}
	if !slices.Equal(st.Dropped, []string{"custom:legacy_id"}) {
		t.Fatalf("Dropped = %v, want the custom attribute the pool lacks", st.Dropped)
	}

	_, err = importcsv.PoolHeader(ctx, client, "us-east-1_NOPE")
	if err == nil || !strings.Contains(err.Error(), "us-east-1_NOPE") || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Fatalf("missing pool: %v", err)
	}
	_, err = importcsv.PoolHeader(ctx, cognitoServer(t, []string{"email"}), "us-east-1_EXAMPLE1")
	if err == nil || !strings.Contains(err.Error(), "cognito:username") {
		t.Fatalf("header without cognito:username: %v", err)
	}
}

func TestTrustAndVerifiedColumns(t *testing.T) {
	var out bytes.Buffer
	st, err := importcsv.Export(context.Background(), &out, importcsv.Config{Source: fixtureSource(t), TrustLegacyEmail: true, TrustLegacyPhone: true})
	if err != nil {
		t.Fatal(err)
	}
	_, list := rows(t, out.Bytes())
	// alice: verified phone by trust; bob: email_verified stays "false" as
	// the legacy system says; dave: nothing to verify.
	if list[0]["phone_number_verified"] != "true" || list[1]["email_verified"] != "false" || st.NoVerifiedContact != 2 {
		t.Fatalf("rows %v, stats %+v", list, st)
	}
}

// lazySource yields n synthetic users, recording how many it has produced.
type lazySource struct {
	n, produced int
	failAt      int
}

func (s *lazySource) Enumerate(context.Context) iter.Seq2[*migration.User, error] {
	return func(yield func(*migration.User, error) bool) {
		for i := range s.n {
			if s.failAt > 0 && i == s.failAt {
				yield(nil, errors.New("scan throttled"))
				return
			}
			s.produced++
			if !yield(&migration.User{Username: fmt.Sprintf("user%06d", i), Fields: triggers.Attributes{"email": fmt.Sprintf("u%d@example.com", i)}}, nil) {
				return
			}
		}
	}
}

// batchTracker records the batch sizes asked and how far the source had
// got at each call.
type batchTracker struct {
	migration.MemoryTracker
	src      *lazySource
	maxAhead int
	calls    int
	fail     bool
}

func (b *batchTracker) Migrated(_ context.Context, names []string) (map[string]bool, error) {
	b.calls++
	if b.fail {
		return nil, errors.New("tracking table throttled")
	}
	b.maxAhead = max(b.maxAhead, b.src.produced-(b.calls-1)*50)
	return map[string]bool{names[0]: true}, nil
}

func TestExportStreams(t *testing.T) {
	src := &lazySource{n: 1000}
	tr := &batchTracker{src: src}
	st, err := importcsv.Export(context.Background(), io.Discard, importcsv.Config{Source: src, Tracker: tr, BatchSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	if tr.calls != 20 || tr.maxAhead > 50 {
		t.Fatalf("%d tracker calls, source read up to %d users ahead: want 20 calls and at most one batch held", tr.calls, tr.maxAhead)
	}
	if st.Read != 1000 || st.AlreadyMigrated != 20 || st.Written != 980 {
		t.Fatalf("stats %+v", st)
	}
}

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after <= 0 {
		return 0, errors.New("disk full")
	}
	w.after--
	return len(p), nil
}

func TestExportErrors(t *testing.T) {
	ctx := context.Background()
	// The source fails midway: rows written so far are complete.
	var out bytes.Buffer
	st, err := importcsv.Export(ctx, &out, importcsv.Config{Source: &lazySource{n: 100, failAt: 70}, BatchSize: 50})
	if err == nil || !strings.Contains(err.Error(), "after 70") || !strings.Contains(err.Error(), "scan throttled") {
		t.Fatalf("err = %v", err)
	}
	if _, list := rows(t, out.Bytes()); len(list) != 70 || st.Written != 70 {
		t.Fatalf("%d rows, stats %+v; want the 70 users read before the failure", len(list), st)
	}
	src := &lazySource{n: 10}
	if _, err := importcsv.Export(ctx, io.Discard, importcsv.Config{Source: src, Tracker: &batchTracker{src: src, fail: true}}); err == nil || !strings.Contains(err.Error(), "throttled") {
		t.Fatalf("tracker failure: %v", err)
	}
	if _, err := importcsv.Export(ctx, &failingWriter{}, importcsv.Config{Source: &lazySource{n: 10}}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("writer failure: %v", err)
	}
	if _, err := importcsv.Export(ctx, io.Discard, importcsv.Config{}); err == nil {
		t.Fatal("no source accepted")
	}
	if _, err := importcsv.Export(ctx, io.Discard, importcsv.Config{Source: src, Header: []string{"email", "email"}}); err == nil {
		t.Fatal("a header without cognito:username accepted")
	}
	if _, err := importcsv.Export(ctx, io.Discard, importcsv.Config{Source: src, Header: []string{"cognito:username", "email", "email"}}); err == nil {
		t.Fatal("a header with a repeated column accepted")
	}
	if _, err := importcsv.Export(ctx, io.Discard, importcsv.Config{Source: src, Mapping: migration.Mapping{"id": "sub"}}); err == nil {
		t.Fatal("a bad mapping accepted")
	}
	// No users at all: the header alone.
	out.Reset()
	if _, err := importcsv.Export(ctx, &out, importcsv.Config{Source: &lazySource{}}); err != nil || strings.Count(out.String(), "\n") != 1 {
		t.Fatalf("empty export: %v %q", err, out.String())
	}
}

func ExampleExport() {
	src, _ := migration.NewMemorySource(migration.LegacyUser{
		Username:     "jdoe",
		PasswordHash: "$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi",
		Fields:       map[string]string{"mail": "jdoe@example.com", "first": "Jane"},
	})
	st, err := importcsv.Export(context.Background(), os.Stdout, importcsv.Config{
		Source:           src,
		Header:           []string{"cognito:username", "email", "email_verified", "given_name", "cognito:mfa_enabled"},
		Mapping:          migration.Mapping{"mail": "email", "first": "given_name"},
		TrustLegacyEmail: true,
	})
	fmt.Println(st.Written, err)
	// Output:
	// cognito:username,email,email_verified,given_name,cognito:mfa_enabled
	// jdoe,jdoe@example.com,true,Jane,false
	// 1 <nil>
}

// BenchmarkExport measures the export per legacy user, tracker included.
func BenchmarkExport(b *testing.B) {
	src := &lazySource{n: 10_000}
	tr := migration.NewMemoryTracker(migration.TrackerOptions{})
	b.ReportAllocs()
	for b.Loop() {
		src.produced = 0
		if _, err := importcsv.Export(context.Background(), io.Discard, importcsv.Config{Source: src, Tracker: tr}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*src.n), "ns/user")
}

// TestTenantAttributeIsNeverExported (issue 12, item 13): the bulk import
// leaves out the tenant attribute and the configured deny list, like the
// migration at sign-in, even where the pool has a column for it.
func TestTenantAttributeIsNeverExported(t *testing.T) {
	h, err := passhash.Hash(passhash.Bcrypt, "pw", migrationtest.CheapParams())
	if err != nil {
		t.Fatal(err)
	}
	src, err := migration.NewMemorySource(migration.LegacyUser{Username: "eve", PasswordHash: triggers.Secret(h), Fields: map[string]string{
		"email": "eve@example.com", "custom:tenantId": "acme", "custom:role": "admin", "custom:plan": "gold",
	}})
	if err != nil {
		t.Fatal(err)
	}
	header := append(importcsv.DefaultHeader(), "custom:tenantId", "custom:role", "custom:plan")
	var out bytes.Buffer
	if _, err := importcsv.Export(context.Background(), &out, importcsv.Config{Source: src, Header: header, DenyAttributes: []string{"custom:role"}}); err != nil {
		t.Fatal(err)
	}
	_, list := rows(t, out.Bytes())
	if len(list) != 1 || list[0]["custom:tenantId"] != "" || list[0]["custom:role"] != "" || list[0]["custom:plan"] != "gold" {
		t.Fatalf("rows %v", list)
	}
	if _, err := importcsv.Export(context.Background(), &out, importcsv.Config{Source: src, Mapping: migration.Mapping{"org": "custom:tenantId"}}); err == nil {
		t.Fatal("a mapping to the tenant attribute was accepted")
	}
}
