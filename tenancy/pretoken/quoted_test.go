package pretoken

import (
	"encoding/json"
	"strings"
	"testing"
)

// quotedLen agrees with encoding/json (without its HTML escaping) on
// every byte value at every position of a word.
func TestQuotedLen(t *testing.T) {
	want := func(s string) int {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		return b.Len() - 1 // newline
	}
	for c := range 128 {
		for _, pos := range []int{0, 3, 7, 8, 12} {
			s := []byte(strings.Repeat("a", 13))
			s[pos] = byte(c)
			if got, w := quotedLen(string(s)), want(string(s)); got != w {
				t.Fatalf("quotedLen(%q) = %d, want %d", s, got, w)
			}
		}
	}
	for _, s := range []string{"", "é€ ünïcode", strings.Repeat("x\"y\\z\n", 20), "\x7f\x1f\x00"} {
		if got, w := quotedLen(s), want(s); got != w {
			t.Errorf("quotedLen(%q) = %d, want %d", s, got, w)
		}
	}
}
