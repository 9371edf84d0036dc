package progress_test

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/internal/progress"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// newClock is a fake clock that tests advance by hand.
func newClock() *triggertest.Clock {
	return triggertest.NewClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
}

func TestLinesEveryInterval(t *testing.T) {
	var out bytes.Buffer
	c := newClock()
	p := progress.New(&out, progress.Options{Label: "export", Unit: "users", Total: 10, Interval: time.Second, Now: c.Now})
	if p.Mode() != progress.Lines {
		t.Fatalf("Auto on a buffer chose mode %v, want Lines", p.Mode())
	}
	p.Add(1) // no time has passed: nothing shown
	if out.Len() != 0 {
		t.Fatalf("printed before the interval: %q", out.String())
	}
	c.Advance(time.Second)
	p.Add(4)
	c.Advance(500 * time.Millisecond)
	p.Add(1) // within the interval: not shown
	p.Finish()
	p.Add(100) // after Finish: counted, not shown
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	want := []string{
		"export: 5/10 users (50%), 5/s, 1s elapsed",
		"export: done, 6/10 users (60%), 4/s, 1.5s elapsed",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("output:\n%s\nwant:\n%s", out.String(), strings.Join(want, "\n"))
	}
	if p.Count() != 106 {
		t.Fatalf("Count = %d, want 106", p.Count())
	}
}

func TestBarRedrawsInPlace(t *testing.T) {
	var out bytes.Buffer
	c := newClock()
	p := progress.New(&out, progress.Options{Label: "csv", Unit: "users", Total: 4, Mode: progress.Bar, Width: 8, Now: c.Now})
	c.Advance(time.Second)
	p.Add(2)
	c.Advance(time.Second)
	p.Add(2)
	p.Finish()
	got := out.String()
	want := "\rcsv [====>   ]  50% 2/4 users 2/s" +
		"\rcsv [========] 100% 4/4 users 2/s" +
		"\rcsv [========] 100% 4/4 users 2/s\n"
	if got != want {
		t.Fatalf("bar output\n%q\nwant\n%q", got, want)
	}
	if strings.Count(got, "\n") != 1 {
		t.Fatalf("a bar must end with exactly one newline: %q", got)
	}
}

func TestBarUnknownTotalBlanksLeftovers(t *testing.T) {
	var out bytes.Buffer
	c := newClock()
	p := progress.New(&out, progress.Options{Mode: progress.Bar, Now: c.Now})
	c.Advance(time.Second)
	p.Add(1000)
	c.Advance(time.Second)
	p.Add(1) // a shorter rate string: the tail of the previous line must be blanked
	p.Finish()
	frames := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\r")[1:]
	if len(frames) != 3 {
		t.Fatalf("frames %q", frames)
	}
	if !strings.HasPrefix(frames[0], "1000 items 1000/s") {
		t.Fatalf("first frame %q", frames[0])
	}
	if len(frames[1]) < len(frames[0]) {
		t.Fatalf("second frame %q is shorter than the first %q: leftovers stay on screen", frames[1], frames[0])
	}
}

func TestOffPrintsNothing(t *testing.T) {
	var out bytes.Buffer
	p := progress.New(&out, progress.Options{Mode: progress.Off, Interval: time.Nanosecond})
	p.Add(5)
	p.Finish()
	if out.Len() != 0 || p.Count() != 5 {
		t.Fatalf("Off printed %q, count %d", out.String(), p.Count())
	}
}

func TestAutoOnPipeIsLines(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if progress.IsTerminal(w) {
		t.Fatal("a pipe is not a terminal")
	}
	if m := progress.New(w, progress.Options{}).Mode(); m != progress.Lines {
		t.Fatalf("mode %v on a pipe, want Lines", m)
	}
}

func TestConcurrentAdd(t *testing.T) {
	var out bytes.Buffer
	p := progress.New(&out, progress.Options{Mode: progress.Lines, Interval: time.Microsecond})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				p.Add(1)
			}
		})
	}
	wg.Wait()
	p.Finish()
	if p.Count() != 800 {
		t.Fatalf("Count = %d, want 800", p.Count())
	}
	if !strings.Contains(out.String(), "done, 800 items") {
		t.Fatalf("final line missing: %q", out.String())
	}
}

func ExampleReporter() {
	var out bytes.Buffer
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	p := progress.New(&out, progress.Options{Label: "export", Unit: "users", Total: 3, Mode: progress.Lines, Now: clock})
	for range 3 {
		now = now.Add(time.Second)
		p.Add(1)
	}
	p.Finish()
	os.Stdout.Write(out.Bytes())
	// Output:
	// export: 2/3 users (67%), 1/s, 2s elapsed
	// export: done, 3/3 users (100%), 1/s, 3s elapsed
}
