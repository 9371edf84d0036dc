// Package progress reports how far a long command-line task has got: a bar
// redrawn in place when the writer is a terminal, and plain lines at a
// steady interval otherwise, so that logs, pipes and CI output stay readable.
//
// A Reporter is driven by the task itself (Add after each item); it starts
// no goroutine, so there is nothing to stop but Finish, which prints the
// final count.
//
//	p := progress.New(os.Stderr, progress.Options{Label: "export", Unit: "users"})
//	for ... {
//		p.Add(1)
//	}
//	p.Finish()
package progress
