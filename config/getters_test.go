package config

import (
	"strings"
	"testing"
)

func TestBool(t *testing.T) {
	e := newReader(Map(map[string]string{"A": "TRUE", "B": " off ", "C": "perhaps"}))
	if !e.Bool("A", false) || e.Bool("B", true) || !e.Bool("UNSET", true) || e.Bool("UNSET", false) {
		t.Error("wrong values")
	}
	if e.err() != nil {
		t.Fatalf("good values: %v", e.err())
	}
	if e.Bool("C", true) != true || e.err() == nil || !strings.Contains(e.err().Error(), `C: "perhaps" is not a boolean`) {
		t.Errorf("bad value: %v", e.err())
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
		e := newReader(Map(map[string]string{"U": in}))
		if got := e.URL("U"); got != want || e.err() != nil {
			t.Errorf("%q: %q, %v", in, got, e.err())
		}
	}
	for in, want := range map[string]string{
		"http://idp.example.com/token":        "plain http",
		"ftp://idp.example.com/":              "not an http(s) URL",
		"/token":                              "not an absolute URL",
		"https://user:pw-SECRET@idp.example/": "has user information",
		"https://%zz":                         "not an absolute URL",
	} {
		e := newReader(Map(map[string]string{"U": in}))
		if got := e.URL("U"); got != "" || e.err() == nil || !strings.Contains(e.err().Error(), "U: ") || !strings.Contains(e.err().Error(), want) {
			t.Errorf("%q: %q, %v", in, got, e.err())
		}
		if e.err() != nil && strings.Contains(e.err().Error(), in) {
			t.Errorf("%q: the value is quoted: %v", in, e.err())
		}
	}
	if e := newReader(nil); e.URL("U") != "" || e.err() != nil {
		t.Error("unset")
	}
}
