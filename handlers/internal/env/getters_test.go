package env

import (
	"strings"
	"testing"
)

func TestBool(t *testing.T) {
	e := FromMap(map[string]string{"A": "TRUE", "B": " off ", "C": "perhaps"})
	if !e.Bool("A", false) || e.Bool("B", true) || !e.Bool("UNSET", true) || e.Bool("UNSET", false) {
		t.Error("wrong values")
	}
	if e.Err() != nil {
		t.Fatalf("good values: %v", e.Err())
	}
	if e.Bool("C", true) != true || e.Err() == nil || !strings.Contains(e.Err().Error(), `C: "perhaps" is not a boolean`) {
		t.Errorf("bad value: %v", e.Err())
	}
}

func TestURL(t *testing.T) {
	good := map[string]string{
		"https://idp.example.com/oauth2/token": "https://idp.example.com/oauth2/token",
		"http://127.0.0.1:8080/token":          "http://127.0.0.1:8080/token",
		"http://localhost/x":                   "http://localhost/x",
		"http://[::1]:9/":                      "http://[::1]:9/",
	}
	for in, want := range good {
		e := FromMap(map[string]string{"U": in})
		if got := e.URL("U"); got != want || e.Err() != nil {
			t.Errorf("%q: %q, %v", in, got, e.Err())
		}
	}
	for in, want := range map[string]string{
		"http://idp.example.com/token":        "plain http",
		"ftp://idp.example.com/":              "not an http(s) URL",
		"/token":                              "not an absolute URL",
		"https://user:pw-SECRET@idp.example/": "not an absolute URL",
		"https://%zz":                         "not an absolute URL",
	} {
		e := FromMap(map[string]string{"U": in})
		if got := e.URL("U"); got != "" || e.Err() == nil || !strings.Contains(e.Err().Error(), "U: ") || !strings.Contains(e.Err().Error(), want) {
			t.Errorf("%q: %q, %v", in, got, e.Err())
		}
		if e.Err() != nil && strings.Contains(e.Err().Error(), in) {
			t.Errorf("%q: the value is quoted: %v", in, e.Err())
		}
	}
	if e := FromMap(nil); e.URL("U") != "" || e.Err() != nil {
		t.Error("unset")
	}
}
