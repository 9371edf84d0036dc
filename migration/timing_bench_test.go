//go:build unix

package migration_test

import (
	"context"
	"log/slog"
	"syscall"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/dynamosource"
	"github.com/cognitrig/cognitrig/migration/passhash"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// BenchmarkUnknownVersusWrongPassword measures one sign-in invocation (the
// router, the Handler, the source) for an existing user with a wrong
// password and for an unknown name, against legacy hashes of bcrypt cost
// 12: from a DynamoDB table (the stand-in follows the table; "old-standin"
// is the stand-in of before, bcrypt at its default cost) and from a
// MemorySource. Run with a small -benchtime (each op is a bcrypt check):
//
//	./scripts/with-dynalite.sh go test -run '^$' -bench UnknownVersusWrongPassword -benchtime 8x ./migration/
func BenchmarkUnknownVersusWrongPassword(b *testing.B) {
	const cost = 12
	hash, err := passhash.Hash(passhash.Bcrypt, "pw-SECRET-frank", passhash.Params{BcryptCost: cost})
	if err != nil {
		b.Fatal(err)
	}
	frank := migration.LegacyUser{Username: "frank", PasswordHash: triggers.Secret(hash)}
	oldStandIn, _ := passhash.Hash(passhash.Bcrypt, "cognitrig timing stand-in", passhash.Params{})

	client := dynamotest.Client(b)
	table := dynamotest.CreateTable(b, client, dynamotest.KeyedTable("legacy-bench", "username"))
	table2 := func(timing string) migration.Source {
		src, err := dynamosource.New(dynamosource.Config{Client: client, Table: table, TimingHash: timing})
		if err != nil {
			b.Fatal(err)
		}
		if err := src.Put(context.Background(), frank); err != nil {
			b.Fatal(err)
		}
		return src
	}
	mem, _ := migration.NewMemorySource(frank)
	run := func(b *testing.B, src migration.Source, name string) {
		// One attempt with room to finish: an attempt cut short by a loaded
		// machine would be retried, and its abandoned check would still burn
		// CPU, measuring the machine rather than the hash.
		guard := migration.GuardConfig{AttemptTimeout: time.Minute, MaxAttempts: 1}
		h, err := migration.New(migration.Config{Source: src, Guard: guard, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		router := triggers.NewRouter(triggers.WithMiddleware(triggers.Logging(slog.New(slog.DiscardHandler)), triggers.Recover(slog.New(slog.DiscardHandler))))
		h.Register(router)
		warm := triggertest.From(b, "UserMigration_Authentication").Set("userName", "frank").Set("request.password", "pw-SECRET-guess").JSON(b)
		_, _ = triggertest.Invoke(router, warm, 0) // the stand-in follows the first hash verified
		payload := triggertest.From(b, "UserMigration_Authentication").Set("userName", name).Set("request.password", "pw-SECRET-guess").JSON(b)
		cpu0 := cpuTime()
		n := 0
		for b.Loop() {
			if _, err := triggertest.Invoke(router, payload, 0); err == nil || err.Error() != migration.DefaultRefusalMessage {
				b.Fatalf("%v, want the refusal", err)
			}
			n++
		}
		// CPU time per sign-in: what the hash costs, much less disturbed
		// than wall time by other jobs on a shared machine.
		b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(n), "cpu-ms/op")
	}
	b.Run("dynamodb/wrong-password", func(b *testing.B) { run(b, table2(""), "frank") })
	b.Run("dynamodb/unknown", func(b *testing.B) { run(b, table2(""), "nobody") })
	b.Run("dynamodb/unknown-old-standin", func(b *testing.B) { run(b, table2(oldStandIn), "nobody") })
	b.Run("memory/wrong-password", func(b *testing.B) { run(b, mem, "frank") })
	b.Run("memory/unknown", func(b *testing.B) { run(b, mem, "nobody") })
}

// cpuTime returns the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
