// Package must holds the one body of the library's MustX functions, which
// are for values fixed in the program (templates, group patterns): an
// error there is a programming error, so it panics.
package must

// Value returns v, and panics with err when err is not nil.
func Value[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
