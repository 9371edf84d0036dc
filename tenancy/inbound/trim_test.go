package inbound

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTrim(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
		cut  bool
	}{
		{"", 3, "", false},
		{"abc", 3, "abc", false},
		{"abcd", 3, "abc", true},
		{"ééé", 3, "ééé", false}, // 6 bytes, 3 characters
		{"éééé", 3, "ééé", true},
		{"a😀", 3, "a😀", false}, // 1 + 2 UTF-16 units
		{"ab😀", 3, "ab", true}, // the pair would make 4
		{"😀😀", 3, "😀", true},
		{"日本語テキスト", 4, "日本語テ", true},
		{"e\u0301e\u0301", 3, "e\u0301e", true}, // combining marks count as characters
		{strings.Repeat("\uFFFD", 5), 4, strings.Repeat("\uFFFD", 4), true},
	} {
		got, cut := trim(tc.in, tc.max)
		if got != tc.want || cut != tc.cut || !utf8.ValidString(got) {
			t.Errorf("trim(%q, %d) = %q, %v; want %q, %v", tc.in, tc.max, got, cut, tc.want, tc.cut)
		}
	}
}

func FuzzTrim(f *testing.F) {
	f.Add("ab😀é", 3)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 1 || max > DefaultMaxValueLength || !utf8.ValidString(s) {
			return
		}
		got, cut := trim(s, max)
		if !strings.HasPrefix(s, got) || !utf8.ValidString(got) || cut == (got == s) {
			t.Fatalf("trim(%q, %d) = %q, %v", s, max, got, cut)
		}
		units := 0
		for _, r := range got {
			units += 1 + boolInt(r > 0xFFFF)
		}
		if units > max {
			t.Fatalf("trim(%q, %d) keeps %d UTF-16 units", s, max, units)
		}
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
