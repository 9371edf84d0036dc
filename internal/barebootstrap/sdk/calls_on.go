//go:build bare_calls

package main

// withCalls: -tags bare_calls makes one operation of each client reachable
// (see calls in main.go).
const withCalls = true
