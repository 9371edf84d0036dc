package config_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	. "github.com/cognitrig/cognitrig/config"
)

func TestParseSequence(t *testing.T) {
	good := map[string]Sequence{
		"email-otp":                          {Steps: []string{StepEmailOTP}},
		" Password , Email-OTP ":             {Password: true, Steps: []string{StepEmailOTP}},
		"sms-otp":                            {Steps: []string{StepSMSOTP}},
		"email-or-sms-otp":                   {Steps: []string{StepEmailOrSMSOTP}},
		"magic-link":                         {Steps: []string{StepMagicLink}},
		"password,captcha,security-question": {Password: true, Steps: []string{StepCaptcha, StepSecurityQuestion}},
		"captcha,magic-link":                 {Steps: []string{StepCaptcha, StepMagicLink}},
	}
	for in, want := range good {
		got, err := ParseSequence(in)
		if err != nil || got.Password != want.Password || !slices.Equal(got.Steps, want.Steps) {
			t.Errorf("%q: %+v, %v", in, got, err)
		}
	}
	for in, want := range map[string]string{
		"":                   "no challenge step",
		"password":           "no challenge step",
		"email-otp,password": "first step",
		"captcha,,email-otp": "empty step",
		"captcha,captcha":    "twice",
		"sms-otp,email-otp":  "more than one one-time-code",
		"fingerprint":        `unknown step "fingerprint"`,
	} {
		if _, err := ParseSequence(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

func TestParseAttributeMap(t *testing.T) {
	m, err := ParseAttributeMap(" mail = email, mobile=phone_number,plan=custom:plan ")
	if err != nil || len(m) != 3 || m["mail"] != "email" || m["plan"] != "custom:plan" {
		t.Errorf("%v, %v", m, err)
	}
	if m, err := ParseAttributeMap("  "); m != nil || err != nil {
		t.Errorf("empty: %v, %v", m, err)
	}
	for _, bad := range []string{"mail", "mail=", "=email", "mail=email,mail=name", " =x"} {
		if _, err := ParseAttributeMap(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestParseScopeMap(t *testing.T) {
	m, err := ParseScopeMap(" admin = read, write ; viewer=read;robot=billing-api:read,tenant:{id}:admin; nobody= ;*=read;")
	want := map[string][]string{
		"admin":  {"tenant:{id}:read", "tenant:{id}:write"},
		"viewer": {"tenant:{id}:read"},
		"robot":  {"billing-api:read", "tenant:{id}:admin"},
		"nobody": {},
		"*":      {"tenant:{id}:read"},
	}
	if err != nil || !maps.EqualFunc(m, want, slices.Equal) {
		t.Errorf("%v, %v", m, err)
	}
	if m, err := ParseScopeMap(""); m != nil || err != nil {
		t.Errorf("empty: %v, %v", m, err)
	}
	for in, want := range map[string]string{
		"admin":              "not role=scope",
		"admin=read;admin=x": "twice",
		"admin=re ad":        "white space",
		";;":                 "no role",
		"=read":              "not role=scope",
	} {
		if _, err := ParseScopeMap(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}
