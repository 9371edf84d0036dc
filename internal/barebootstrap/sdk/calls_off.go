//go:build !bare_calls

package main

// withCalls is false: the baseline builds its clients and calls none, so
// the linker drops their operations and the SDK's request path.
const withCalls = false
