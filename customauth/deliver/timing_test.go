package deliver_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/customauth/deliver"
)

func TestTimingImitatesRealSends(t *testing.T) {
	var tm deliver.Timing
	slow := deliver.SenderFunc(func(context.Context, deliver.Message) error { time.Sleep(30 * time.Millisecond); return nil })
	if err := tm.Send(context.Background(), slow, deliver.Message{}); err != nil {
		t.Fatal(err)
	}
	failing := deliver.SenderFunc(func(context.Context, deliver.Message) error { return errors.New("down") })
	if err := tm.Send(context.Background(), failing, deliver.Message{}); err == nil {
		t.Fatal("the send error was lost")
	}
	start := time.Now()
	tm.Imitate(context.Background())
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Fatalf("Imitate waited %v, want about the 30 ms of the one timed send (failures are not timed)", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start = time.Now()
	tm.Imitate(ctx)
	if d := time.Since(start); d > 20*time.Millisecond {
		t.Fatalf("Imitate ignored a done context for %v", d)
	}
}
