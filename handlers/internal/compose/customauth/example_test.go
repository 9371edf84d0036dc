package customauth_test

import (
	"fmt"

	"github.com/cognitrig/cognitrig/handlers/internal/compose/customauth"
)

func ExampleParseSequence() {
	seq, err := customauth.ParseSequence("password, captcha, security-question")
	fmt.Println(seq.Password, seq.Steps, err)
	_, err = customauth.ParseSequence("password,fingerprint")
	fmt.Println(err)
	// Output:
	// true [captcha security-question] <nil>
	// unknown step "fingerprint": use captcha, security-question, email-otp, sms-otp, email-or-sms-otp, magic-link, after an optional password
}
