package main

import (
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/cdk/cognitrigcdk"
)

func TestPropsFromContext(t *testing.T) {
	ctx := map[string]string{
		"shape": "per-concern", "migration": "true", "selfSignUp": "true",
		"emailFrom": "no-reply@example.com", "callbackUrls": "https://a.example.com/cb, https://b.example.com/cb",
		"identityPoolBucket": "files", "domainPrefix": "example", "welcomeEmail": "true", "magicLinkKms": "true",
	}
	p, err := propsFromContext(func(k string) string { return ctx[k] })
	if err != nil {
		t.Fatal(err)
	}
	if p.Shape != cognitrigcdk.FunctionPerConcern || p.Migration == nil || !p.UserPool.SelfSignUp ||
		p.EmailFrom != "no-reply@example.com" || len(p.Client.CallbackURLs) != 2 || p.Client.CallbackURLs[1] != "https://b.example.com/cb" ||
		p.IdentityPool == nil || p.IdentityPool.Bucket != "files" || p.UserPool.DomainPrefix != "example" || !p.WelcomeEmail || p.MagicLinkKey == nil {
		t.Errorf("props %+v", p)
	}

	p, err = propsFromContext(func(string) string { return "" })
	if err != nil || p.Shape != cognitrigcdk.SingleFunction || p.Migration != nil || p.IdentityPool != nil || p.Client.CallbackURLs != nil || p.WelcomeEmail || p.MagicLinkKey != nil {
		t.Errorf("defaults: %+v, %v", p, err)
	}

	for key, value := range map[string]string{"shape": "two", "migration": "yes", "selfSignUp": "1", "welcomeEmail": "yes", "magicLinkKms": "1"} {
		_, err := propsFromContext(func(k string) string {
			if k == key {
				return value
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), "cognitrig:"+key) {
			t.Errorf("%s=%s: %v, want an error naming the context key", key, value, err)
		}
	}
}
