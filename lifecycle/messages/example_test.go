package messages_test

import (
	"context"
	"fmt"

	"github.com/cognitrig/cognitrig/lifecycle/messages"
	"github.com/cognitrig/cognitrig/triggers"
)

func Example() {
	catalog, err := messages.New(messages.Config{
		DefaultLocale: "en",
		Templates: map[string]map[messages.Kind]messages.Template{
			"en": {messages.SignUp: {SMS: "Your code is {{.Code}}"}},
			"fr": {messages.SignUp: {SMS: "Votre code est {{.Code}}"}},
		},
	})
	if err != nil {
		panic(err)
	}
	ev := &triggers.CustomMessageEvent{}
	ev.TriggerSource = triggers.CustomMessageSignUp
	ev.Request.CodeParameter = "{####}"
	ev.Request.UserAttributes = triggers.Attributes{"locale": "fr-CA"}
	if err := catalog.CustomMessage(context.Background(), ev); err != nil {
		panic(err)
	}
	fmt.Println(ev.Response.SMSMessage)
	// Output: Votre code est {####}
}

// A template that drops Cognito's placeholder is refused when the catalog
// is built, not when a user signs up.
func ExampleNew_missingPlaceholder() {
	_, err := messages.New(messages.Config{
		DefaultLocale: "en",
		Templates: map[string]map[messages.Kind]messages.Template{
			"en": {messages.AdminCreateUser: {SMS: "Welcome! Your temporary password is {{.Code}}"}},
		},
	})
	fmt.Println(err)
	// Output: messages: template en/AdminCreateUser sms: does not contain the user name ({{.Username}} renders as {username}); Cognito would send a message without it. Put it in text, not inside a URL or a false branch
}
