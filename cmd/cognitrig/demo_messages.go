package main

import (
	"context"
	"fmt"

	"github.com/cognitrig/cognitrig/lifecycle/messages"
	"github.com/cognitrig/cognitrig/triggers"
)

// demoMessages: Cognito asks for the sign-up and invitation messages; the
// catalog answers in the user's locale, with Cognito's placeholders where
// Cognito puts the code and the user name after the trigger.
func demoMessages(ctx context.Context, d *demo) error {
	catalog, err := messages.New(messages.Config{
		DefaultLocale: "en",
		Templates: map[string]map[messages.Kind]messages.Template{
			"en": {
				messages.SignUp: {
					Subject: "Confirm your e-mail address",
					Email:   `<p>Hello {{.Attributes.name}}, your code is <b>{{.Code}}</b>.</p>`,
					SMS:     "Your Acme code is {{.Code}}",
				},
				messages.AdminCreateUser: {
					Subject: "Your Acme account",
					Email:   `<p>Sign in as <b>{{.Username}}</b> with the temporary password <b>{{.Code}}</b>.</p>`,
				},
			},
			"fr": {
				messages.SignUp: {
					Subject: "Confirmez votre adresse e-mail",
					Email:   `<p>Bonjour {{.Attributes.name}}, votre code est <b>{{.Code}}</b>.</p>`,
					SMS:     "Votre code Acme est {{.Code}}",
				},
			},
		},
	})
	if err != nil {
		return err
	}
	router := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(d.logger)...))
	router.CustomMessage(catalog.CustomMessage)

	steps := []struct {
		cognito, recorded string
		sets              []any
	}{
		{"jdoe signs up (locale en): CustomMessage_SignUp", "CustomMessage_SignUp", []any{"request.userAttributes.locale", "en"}},
		{"jdoe signs up (locale fr-CA): CustomMessage_SignUp", "CustomMessage_SignUp", []any{"request.userAttributes.locale", "fr-CA"}},
		{"an admin creates jdoe (no locale): CustomMessage_AdminCreateUser", "CustomMessage_AdminCreateUser", nil},
		{"jdoe forgot the password: CustomMessage_ForgotPassword", "CustomMessage_ForgotPassword", nil},
	}
	for _, s := range steps {
		payload, err := event(s.recorded, s.sets...)
		if err != nil {
			return err
		}
		out, err := d.invoke(ctx, router, payload, answers)
		a := answer(out, err)
		if err == nil && !anySet(member(out, "response")) {
			a = "no template: every field empty, so Cognito sends the pool's own message"
		}
		d.line(s.cognito, a)
		d.show(payload, out)
	}
	fmt.Fprintln(d.w, "   Cognito then puts the code and user name in place of {####} and {username}")
	return nil
}
