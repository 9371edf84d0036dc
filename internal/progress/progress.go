package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// Mode says how a Reporter shows progress.
type Mode int

const (
	// Auto draws a Bar when the writer is a terminal and prints Lines
	// otherwise.
	Auto Mode = iota
	// Bar redraws one line in place with a carriage return.
	Bar
	// Lines prints one plain line per interval.
	Lines
	// Off prints nothing.
	Off
)

// Defaults of Options.
const (
	DefaultLineInterval   = 2 * time.Second
	DefaultRedrawInterval = 100 * time.Millisecond
	DefaultBarWidth       = 30
)

// Options configure a Reporter. The zero value is usable.
type Options struct {
	Label    string        // what is being done, e.g. "migrate csv"
	Unit     string        // what is counted, e.g. "users"; default "items"
	Total    int64         // expected count; 0 when unknown
	Mode     Mode          // default Auto
	Interval time.Duration // between lines (Lines) or redraws (Bar)
	Width    int           // width of the bar in characters
	// Now is the clock; tests set it. Default time.Now.
	Now func() time.Time
}

// Reporter counts work done and shows it on a writer. It is safe for
// concurrent use, so that parallel workers can share one.
type Reporter struct {
	mu       sync.Mutex
	w        io.Writer
	o        Options
	n        int64
	start    time.Time
	last     time.Time
	finished bool
	width    int // of the last bar drawn, to blank its tail on redraw
}

// New returns a Reporter that writes to w. In Auto mode it draws a bar only
// when w is a terminal (an *os.File on a TTY).
func New(w io.Writer, o Options) *Reporter {
	if o.Unit == "" {
		o.Unit = "items"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Width <= 0 {
		o.Width = DefaultBarWidth
	}
	if o.Mode == Auto {
		o.Mode = Lines
		if IsTerminal(w) {
			o.Mode = Bar
		}
	}
	if o.Interval <= 0 {
		o.Interval = DefaultLineInterval
		if o.Mode == Bar {
			o.Interval = DefaultRedrawInterval
		}
	}
	now := o.Now()
	return &Reporter{w: w, o: o, start: now, last: now}
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// Mode returns the mode in use, Auto resolved.
func (r *Reporter) Mode() Mode { return r.o.Mode }

// SetTotal sets the expected count, once it is known.
func (r *Reporter) SetTotal(total int64) {
	r.mu.Lock()
	r.o.Total = total
	r.mu.Unlock()
}

// Add counts n more items done and shows progress if the interval has
// passed since it was last shown.
func (r *Reporter) Add(n int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n += n
	if r.finished || r.o.Mode == Off {
		return
	}
	now := r.o.Now()
	if now.Sub(r.last) < r.o.Interval {
		return
	}
	r.last = now
	r.show(now, false)
}

// Count returns the number of items done so far.
func (r *Reporter) Count() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// Finish shows the final count (and ends the bar's line). Later calls to
// Add only count.
func (r *Reporter) Finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished || r.o.Mode == Off {
		r.finished = true
		return
	}
	r.finished = true
	r.show(r.o.Now(), true)
}

// show writes the current state; write errors are ignored, because progress
// output must never fail the task it reports on.
func (r *Reporter) show(now time.Time, final bool) {
	elapsed := now.Sub(r.start)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(r.n) / elapsed.Seconds()
	}
	var b strings.Builder
	switch r.o.Mode {
	case Bar:
		b.WriteByte('\r')
		if r.o.Label != "" {
			b.WriteString(r.o.Label)
			b.WriteByte(' ')
		}
		if r.o.Total > 0 {
			frac := min(float64(r.n)/float64(r.o.Total), 1)
			full := int(frac * float64(r.o.Width))
			b.WriteByte('[')
			b.WriteString(strings.Repeat("=", full))
			if full < r.o.Width {
				b.WriteByte('>')
				b.WriteString(strings.Repeat(" ", r.o.Width-full-1))
			}
			fmt.Fprintf(&b, "] %3.0f%% %d/%d %s", frac*100, r.n, r.o.Total, r.o.Unit)
		} else {
			fmt.Fprintf(&b, "%d %s", r.n, r.o.Unit)
		}
		fmt.Fprintf(&b, " %.0f/s", rate)
		if pad := r.width - b.Len(); pad > 0 {
			b.WriteString(strings.Repeat(" ", pad)) // blank what a longer line left
		}
		r.width = b.Len()
		if final {
			b.WriteByte('\n')
		}
	case Lines:
		if r.o.Label != "" {
			b.WriteString(r.o.Label)
			b.WriteString(": ")
		}
		if final {
			b.WriteString("done, ")
		}
		if r.o.Total > 0 {
			fmt.Fprintf(&b, "%d/%d %s (%.0f%%)", r.n, r.o.Total, r.o.Unit, min(float64(r.n)/float64(r.o.Total), 1)*100)
		} else {
			fmt.Fprintf(&b, "%d %s", r.n, r.o.Unit)
		}
		fmt.Fprintf(&b, ", %.0f/s, %s elapsed\n", rate, elapsed.Round(100*time.Millisecond))
	}
	_, _ = io.WriteString(r.w, b.String())
}
