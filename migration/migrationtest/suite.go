package migrationtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/triggers"
)

// TestSource is the conformance suite of migration.Source implementations.
// newSource returns a source holding users (the Fixture). A source may
// answer an unknown user's Authenticate with ErrWrongPassword instead of
// ErrNotFound when its protocol cannot tell them apart, and its Lookup with
// errors.ErrUnsupported; if it implements migration.Enumerator, that is
// tested too.
func TestSource(t *testing.T, newSource func(t *testing.T, users []migration.LegacyUser) migration.Source) {
	fixture := Fixture(t)
	src := newSource(t, LegacyUsers(fixture))
	ctx := context.Background()

	noSecrets := func(t *testing.T, where string, s string) {
		t.Helper()
		for _, f := range fixture {
			if strings.Contains(s, f.Password.Reveal()) {
				t.Errorf("%s holds %s's password: %s", where, f.Username, s)
			}
			if strings.Contains(s, f.PasswordHash.Reveal()) {
				t.Errorf("%s holds %s's password hash: %s", where, f.Username, s)
			}
		}
	}
	checkUser := func(t *testing.T, want FixtureUser, got *migration.User) {
		t.Helper()
		if got == nil {
			t.Fatal("nil user without an error")
		}
		if got.Username != want.Username {
			t.Errorf("Username = %q, want %q", got.Username, want.Username)
		}
		for k, v := range want.Fields {
			if g := got.Fields[k]; g != v {
				t.Errorf("field %s = %q, want %q", k, g, v)
			}
		}
		for k, v := range got.Fields {
			noSecrets(t, "field "+k, v)
		}
	}

	t.Run("Authenticate", func(t *testing.T) {
		for _, f := range fixture {
			u, err := src.Authenticate(ctx, f.Username, f.Password)
			if err != nil {
				t.Fatalf("%s with the right password: %v", f.Username, err)
			}
			checkUser(t, f, u)
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		for _, f := range fixture {
			wrong := triggers.Secret(f.Password.Reveal() + "-wrong")
			_, err := src.Authenticate(ctx, f.Username, wrong)
			if !errors.Is(err, migration.ErrWrongPassword) {
				t.Fatalf("%s with a wrong password: %v, want ErrWrongPassword", f.Username, err)
			}
			noSecrets(t, "error", err.Error())
			if strings.Contains(err.Error(), wrong.Reveal()) {
				t.Fatalf("error holds the password tried: %v", err)
			}
		}
		if _, err := src.Authenticate(ctx, fixture[0].Username, ""); !errors.Is(err, migration.ErrWrongPassword) {
			t.Fatalf("empty password: %v, want ErrWrongPassword", err)
		}
	})
	t.Run("UnknownUser", func(t *testing.T) {
		_, err := src.Authenticate(ctx, "nobody", fixture[0].Password)
		if !errors.Is(err, migration.ErrNotFound) && !errors.Is(err, migration.ErrWrongPassword) {
			t.Fatalf("Authenticate(unknown) = %v, want ErrNotFound (or ErrWrongPassword)", err)
		}
		noSecrets(t, "error", err.Error())
		// Names are exact: another user's name in other case is not that user.
		if _, err := src.Authenticate(ctx, strings.ToUpper(fixture[0].Username)+"x", fixture[0].Password); err == nil {
			t.Fatal("a different name authenticated")
		}
	})
	t.Run("Lookup", func(t *testing.T) {
		_, err := src.Lookup(ctx, "nobody")
		if errors.Is(err, errors.ErrUnsupported) {
			t.Skip("source does not look users up")
		}
		if !errors.Is(err, migration.ErrNotFound) {
			t.Fatalf("Lookup(unknown) = %v, want ErrNotFound", err)
		}
		for _, f := range fixture {
			u, err := src.Lookup(ctx, f.Username)
			if err != nil {
				t.Fatalf("Lookup(%s): %v", f.Username, err)
			}
			checkUser(t, f, u)
		}
	})
	t.Run("CanceledContext", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := src.Authenticate(cctx, fixture[0].Username, fixture[0].Password)
		if err == nil || errors.Is(err, migration.ErrNotFound) || errors.Is(err, migration.ErrWrongPassword) {
			t.Fatalf("Authenticate with a canceled context = %v, want a failure that is not an answer", err)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := range 8 {
			f := fixture[i%len(fixture)]
			wg.Go(func() {
				if _, err := src.Authenticate(ctx, f.Username, f.Password); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	})
	t.Run("Enumerate", func(t *testing.T) {
		en, ok := src.(migration.Enumerator)
		if !ok {
			t.Skip("source does not enumerate")
		}
		seen := map[string]int{}
		for u, err := range en.Enumerate(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			seen[u.Username]++
			for _, f := range fixture {
				if f.Username == u.Username {
					checkUser(t, f, u)
				}
			}
		}
		if len(seen) != len(fixture) {
			t.Fatalf("enumerated %v, want the %d fixture users", seen, len(fixture))
		}
		for name, n := range seen {
			if n != 1 {
				t.Errorf("%s enumerated %d times", name, n)
			}
		}
		n := 0
		for range en.Enumerate(ctx) {
			n++
			break
		}
		if n != 1 {
			t.Fatal("breaking out of Enumerate did not stop it")
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		var gotErr error
		for _, err := range en.Enumerate(cctx) {
			if err != nil {
				gotErr = err
			}
		}
		if gotErr == nil {
			t.Fatal("Enumerate with a canceled context yielded no error")
		}
	})
}

// TestTracker is the conformance suite of migration.Tracker
// implementations. newTracker returns an empty tracker with opts.
func TestTracker(t *testing.T, newTracker func(t *testing.T, opts migration.TrackerOptions) migration.Tracker) {
	ctx := context.Background()
	const retention = 24 * time.Hour
	setup := func(t *testing.T) (migration.Tracker, *Clock) {
		c := &Clock{}
		return newTracker(t, migration.TrackerOptions{Retention: retention, Now: c.Now}), c
	}
	attempt := func(name string, o migration.Outcome, at time.Time) migration.Attempt {
		return migration.Attempt{Username: name, Outcome: o, TriggerSource: triggers.UserMigrationAuthentication, UserPoolID: "us-east-1_EXAMPLE1", At: at}
	}
	same := func(t *testing.T, got, want migration.Record) {
		t.Helper()
		if got.Username != want.Username || got.Outcome != want.Outcome || got.TriggerSource != want.TriggerSource ||
			got.UserPoolID != want.UserPoolID || got.Attempts != want.Attempts || !got.FirstSeen.Equal(want.FirstSeen) ||
			!got.LastSeen.Equal(want.LastSeen) || !got.MigratedAt.Equal(want.MigratedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) {
			t.Fatalf("record\n got %+v\nwant %+v", got, want)
		}
	}

	t.Run("RecordAndGet", func(t *testing.T) {
		tr, c := setup(t)
		t0 := c.Now()
		if _, err := tr.Get(ctx, "alice"); !errors.Is(err, migration.ErrNoRecord) {
			t.Fatalf("Get before any attempt = %v, want ErrNoRecord", err)
		}
		if err := tr.Record(ctx, attempt("alice", migration.OutcomeWrongPassword, t0)); err != nil {
			t.Fatal(err)
		}
		r, err := tr.Get(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		same(t, r, migration.Record{Username: "alice", Outcome: migration.OutcomeWrongPassword, TriggerSource: triggers.UserMigrationAuthentication,
			UserPoolID: "us-east-1_EXAMPLE1", Attempts: 1, FirstSeen: t0, LastSeen: t0, ExpiresAt: t0.Add(retention)})

		t1 := t0.Add(time.Minute + 123*time.Millisecond)
		a := attempt("alice", migration.OutcomeUnavailable, t1)
		a.TriggerSource = triggers.UserMigrationForgotPassword
		if err := tr.Record(ctx, a); err != nil {
			t.Fatal(err)
		}
		r, _ = tr.Get(ctx, "alice")
		same(t, r, migration.Record{Username: "alice", Outcome: migration.OutcomeUnavailable, TriggerSource: triggers.UserMigrationForgotPassword,
			UserPoolID: "us-east-1_EXAMPLE1", Attempts: 2, FirstSeen: t0, LastSeen: t1, ExpiresAt: t1.Add(retention).Truncate(time.Second)})
	})
	t.Run("MigratedSticksAndNeverExpires", func(t *testing.T) {
		tr, c := setup(t)
		t0 := c.Now()
		_ = tr.Record(ctx, attempt("bob", migration.OutcomeWrongPassword, t0))
		t1 := t0.Add(time.Second)
		if err := tr.Record(ctx, attempt("bob", migration.OutcomeMigrated, t1)); err != nil {
			t.Fatal(err)
		}
		want := migration.Record{Username: "bob", Outcome: migration.OutcomeMigrated, TriggerSource: triggers.UserMigrationAuthentication,
			UserPoolID: "us-east-1_EXAMPLE1", Attempts: 2, FirstSeen: t0, LastSeen: t1, MigratedAt: t1}
		r, _ := tr.Get(ctx, "bob")
		same(t, r, want)
		for _, o := range []migration.Outcome{migration.OutcomeWrongPassword, migration.OutcomeNotFound, migration.OutcomeMigrated} {
			if err := tr.Record(ctx, attempt("bob", o, t1.Add(time.Hour))); err != nil {
				t.Fatalf("Record(%s) after migration: %v", o, err)
			}
		}
		r, _ = tr.Get(ctx, "bob")
		same(t, r, want)
		c.Advance(100 * retention)
		r, err := tr.Get(ctx, "bob")
		if err != nil {
			t.Fatalf("a migrated record expired: %v", err)
		}
		same(t, r, want)
	})
	t.Run("Expiry", func(t *testing.T) {
		tr, c := setup(t)
		t0 := c.Now()
		_ = tr.Record(ctx, attempt("carol", migration.OutcomeNotFound, t0))
		_ = tr.Record(ctx, attempt("dave", migration.OutcomeNotFound, t0.Add(2*time.Hour)))
		c.Advance(retention + time.Hour) // carol expired, dave not
		if _, err := tr.Get(ctx, "carol"); !errors.Is(err, migration.ErrNoRecord) {
			t.Fatalf("Get(expired) = %v, want ErrNoRecord", err)
		}
		if _, err := tr.Get(ctx, "dave"); err != nil {
			t.Fatalf("Get(live) = %v", err)
		}
		p, err := tr.Progress(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if p[migration.OutcomeNotFound] != 1 {
			t.Fatalf("Progress counts an expired record: %v", p)
		}
		var names []string
		for r, err := range tr.List(ctx, migration.OutcomeNotFound) {
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, r.Username)
		}
		if fmt.Sprint(names) != "[dave]" {
			t.Fatalf("List lists %v, want [dave]", names)
		}
		// An attempt after expiry starts a new record.
		t2 := c.Now()
		_ = tr.Record(ctx, attempt("carol", migration.OutcomeWrongPassword, t2))
		r, _ := tr.Get(ctx, "carol")
		if r.Attempts != 1 || !r.FirstSeen.Equal(t2) {
			t.Fatalf("record after expiry %+v: want a fresh one", r)
		}
	})
	t.Run("MigratedBatch", func(t *testing.T) {
		tr, c := setup(t)
		var names []string
		for i := range 250 { // more than one DynamoDB batch
			names = append(names, fmt.Sprintf("user%03d", i))
		}
		want := map[string]bool{}
		var wg sync.WaitGroup
		for i, n := range names {
			o := migration.OutcomeWrongPassword
			if i%3 == 0 {
				o = migration.OutcomeMigrated
				want[n] = true
			}
			if i%5 == 0 {
				continue // no record at all
			}
			wg.Go(func() {
				if err := tr.Record(ctx, attempt(n, o, c.Now())); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		for i, n := range names {
			if i%5 == 0 {
				delete(want, n)
			}
		}
		got, err := tr.Migrated(ctx, append(names, names[3], "nobody"))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("Migrated found %d, want %d", len(got), len(want))
		}
		for n := range want {
			if !got[n] {
				t.Fatalf("Migrated misses %s", n)
			}
		}
		if got, err := tr.Migrated(ctx, nil); err != nil || len(got) != 0 {
			t.Fatalf("Migrated(nil) = %v, %v", got, err)
		}
	})
	t.Run("ProgressAndList", func(t *testing.T) {
		tr, c := setup(t)
		t0 := c.Now()
		want := map[migration.Outcome]int64{}
		for i := range 40 {
			o := migration.Outcomes()[i%len(migration.Outcomes())]
			want[o]++
			// LastSeen decreases with i, so List must reorder.
			if err := tr.Record(ctx, attempt(fmt.Sprintf("u%02d", i), o, t0.Add(time.Duration(40-i)*time.Second))); err != nil {
				t.Fatal(err)
			}
		}
		p, err := tr.Progress(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range migration.Outcomes() {
			if p[o] != want[o] {
				t.Fatalf("Progress = %v, want %v", p, want)
			}
		}
		var prev time.Time
		n := 0
		for r, err := range tr.List(ctx, migration.OutcomeMigrated) {
			if err != nil {
				t.Fatal(err)
			}
			if r.Outcome != migration.OutcomeMigrated {
				t.Fatalf("List(migrated) yielded %+v", r)
			}
			if r.LastSeen.Before(prev) {
				t.Fatalf("List not ordered by LastSeen: %v after %v", r.LastSeen, prev)
			}
			prev = r.LastSeen
			n++
		}
		if int64(n) != want[migration.OutcomeMigrated] {
			t.Fatalf("List(migrated) yielded %d, want %d", n, want[migration.OutcomeMigrated])
		}
		n = 0
		for range tr.List(ctx, migration.OutcomeNotFound) {
			n++
			break
		}
		if n != 1 {
			t.Fatal("breaking out of List did not stop it")
		}
	})
	t.Run("ConcurrentAttemptsAllCount", func(t *testing.T) {
		tr, c := setup(t)
		const n = 30
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				o := migration.OutcomeWrongPassword
				if i == n/2 {
					o = migration.OutcomeUnavailable
				}
				if err := tr.Record(ctx, attempt("erin", o, c.Now())); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		r, err := tr.Get(ctx, "erin")
		if err != nil {
			t.Fatal(err)
		}
		if r.Attempts != n {
			t.Fatalf("Attempts = %d after %d concurrent attempts: updates were lost", r.Attempts, n)
		}
		// A migration racing other outcomes wins, whatever the order.
		for i := range n {
			wg.Go(func() {
				o := migration.OutcomeNotFound
				if i == n/2 {
					o = migration.OutcomeMigrated
				}
				_ = tr.Record(ctx, attempt("frank", o, c.Now()))
			})
		}
		wg.Wait()
		if r, _ := tr.Get(ctx, "frank"); r.Outcome != migration.OutcomeMigrated {
			t.Fatalf("outcome %s after a migration raced other attempts, want migrated", r.Outcome)
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		tr, c := setup(t)
		if err := tr.Record(ctx, attempt("", migration.OutcomeMigrated, c.Now())); err == nil {
			t.Fatal("Record without a username succeeded")
		}
		if err := tr.Record(ctx, attempt("gina", "lost", c.Now())); err == nil || !strings.Contains(err.Error(), "outcome") {
			t.Fatalf("Record with a bad outcome = %v", err)
		}
		if _, err := tr.Get(ctx, "gina"); !errors.Is(err, migration.ErrNoRecord) {
			t.Fatalf("a bad attempt left a record: %v", err)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := tr.Record(cctx, attempt("gina", migration.OutcomeMigrated, c.Now())); err == nil {
			t.Fatal("Record with a canceled context succeeded")
		}
		if _, err := tr.Get(cctx, "gina"); err == nil || errors.Is(err, migration.ErrNoRecord) {
			t.Fatalf("Get with a canceled context = %v, want the context's error", err)
		}
	})
	t.Run("ZeroTimeMeansNow", func(t *testing.T) {
		tr, c := setup(t)
		c.Advance(1500 * time.Millisecond)
		if err := tr.Record(ctx, migration.Attempt{Username: "hank", Outcome: migration.OutcomeNotFound}); err != nil {
			t.Fatal(err)
		}
		r, _ := tr.Get(ctx, "hank")
		if !r.LastSeen.Equal(c.Now()) {
			t.Fatalf("LastSeen = %v, want the clock's %v", r.LastSeen, c.Now())
		}
	})
}
