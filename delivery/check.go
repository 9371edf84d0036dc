package delivery

import (
	"errors"
	"fmt"
	"strings"
)

// CheckEmailAddress accepts what can be an address SES delivers to: a
// local part, "@" and a domain, without white space or control characters
// (a line break would smuggle in headers). It names no part of the address:
// errors reach logs. Senders call it before the service. Cognito checks the
// format of the email attribute itself; this only refuses what SES would
// refuse anyway, before the call.
func CheckEmailAddress(to string) error {
	if to == "" {
		return errors.New("message has no recipient")
	}
	at := strings.LastIndexByte(to, '@')
	if at <= 0 || at == len(to)-1 || strings.ContainsFunc(to, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return errors.New("the recipient is not an email address (local-part@domain, no spaces)")
	}
	return nil
}

// CheckPhoneNumber accepts the phone numbers Cognito stores: "A phone number
// must start with a plus (+) sign, followed immediately by the country code.
// A phone number can only contain the + sign and digits." (Amazon Cognito
// Developer Guide, "Working with user attributes", phone_number). No length
// is imposed beyond that, so nothing Cognito accepts is refused here. The
// error names no part of the number.
func CheckPhoneNumber(to string) error {
	if to == "" {
		return errors.New("message has no phone number")
	}
	if len(to) < 2 || to[0] != '+' || strings.ContainsFunc(to[1:], func(r rune) bool { return r < '0' || r > '9' }) {
		return errors.New("the phone number is not in E.164 form (+ and digits only)")
	}
	return nil
}

// CheckChannel refuses a Message meant for another channel than the one
// service delivers to. Senders for one channel call it first in Send.
func CheckChannel(service string, want, got Channel) error {
	if got != want {
		return fmt.Errorf("delivery: %s sends %s, not %s; use another Sender for that channel", service, want, got)
	}
	return nil
}
