package nilcheck_test

import (
	"io"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/internal/nilcheck"
)

func TestIs(t *testing.T) {
	var nilReader *strings.Reader
	var nilFunc func()
	var nilMap map[string]int
	for name, c := range map[string]struct {
		v    any
		want bool
	}{
		"nil":                  {nil, true},
		"nil pointer in iface": {io.Reader(nilReader), true},
		"nil func":             {nilFunc, true},
		"nil map":              {nilMap, true},
		"pointer":              {strings.NewReader("x"), false},
		"value":                {42, false},
		"empty string":         {"", false},
		"empty map":            {map[string]int{}, false},
	} {
		if got := nilcheck.Is(c.v); got != c.want {
			t.Errorf("%s: Is = %v, want %v", name, got, c.want)
		}
	}
}
