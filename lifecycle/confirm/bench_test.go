package confirm_test

import (
	"context"
	"testing"

	"github.com/cognitrig/cognitrig/lifecycle/confirm"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// BenchmarkReplaySkipped measures a replayed delivery: the hook is done, so
// only the marker's claim is tried (memory store).
func BenchmarkReplaySkipped(b *testing.B) {
	runner, err := confirm.New(confirm.Config{Store: confirm.NewMemoryStore(nil), Hooks: []confirm.Hook{
		{Name: "welcome", Run: func(context.Context, *triggers.PostConfirmationEvent) error { return nil }}}})
	if err != nil {
		b.Fatal(err)
	}
	ev := triggertest.Decode[triggers.PostConfirmationEvent](b, "PostConfirmation_ConfirmSignUp")
	if err := runner.PostConfirmation(context.Background(), ev); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := runner.PostConfirmation(context.Background(), ev); err != nil {
			b.Fatal(err)
		}
	}
}
